/**
 * Nhắc việc: the upcoming reminders of the plan (and whether the schedules match it), milestones without a day,
 * "send now" for one unit, what was sent to whom and when, and the addresses that bounced.
 */
import type { ViewContext } from '../app';
import { api, clusterPath } from '../api';
import { busy, button, field, fill, h, select, type Child } from '../dom';
import { REMINDER_KIND_LABELS } from '../labels';
import type { Res, ScheduleReport } from '../types';
import { attempt, message } from '../ui';
import { heading, planPath, requirePlan } from './common';

const SEND_STATUS_LABELS: Record<string, string> = { sent: 'Đã gửi', claimed: 'Đang gửi' };
const kindLabel = (kind: string): string => REMINDER_KIND_LABELS[kind as keyof typeof REMINDER_KIND_LABELS] ?? kind;

function table(caption: string, headers: string[], rows: Child[][], testId: string): HTMLElement {
  return h(
    'div',
    { class: 'table-scroll', tabindex: '0', role: 'region', 'aria-label': caption },
    h(
      'table',
      { class: 'list', 'data-testid': testId },
      h('caption', { class: 'sr' }, caption),
      h('thead', null, h('tr', null, headers.map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', null, rows.map((cells) => h('tr', null, cells.map((c) => h('td', null, c))))),
    ),
  );
}

export async function remindersView(ctx: ViewContext): Promise<void> {
  const plan = requirePlan(ctx);
  if (!plan) return;
  const result = h('div', { class: 'result', 'aria-live': 'polite', 'data-testid': 'reminders-result' });
  const body = h('div');
  ctx.root.append(heading('Nhắc việc', h('p', { class: 'view-sub' }, plan.title)), result, body);

  async function load(): Promise<void> {
    const [report, sent, planAnswer, unitAnswer] = await Promise.all([
      api<ScheduleReport>('GET', planPath(ctx, plan!, 'reminders')),
      api<Res<'ListReminderSends'>>('GET', planPath(ctx, plan!, 'reminders', 'sent')),
      api<Res<'GetPlan'>>('GET', planPath(ctx, plan!)),
      api<Res<'ListUnits'>>('GET', clusterPath(ctx.cluster.clusterId, 'units')),
    ]);
    if (!ctx.alive()) return;
    const titles = new Map(planAnswer.milestones.map((m) => [m.milestoneId, m.title]));
    const unitNames = new Map(unitAnswer.units.map((u) => [u.unitId, u.name]));
    const title = (id: string) => titles.get(id) ?? id;

    const inSync = report.missing.length === 0 && report.extra.length === 0;
    const syncLine = h(
      'p',
      { class: inSync ? 'hint' : 'msg msg--warn', 'data-testid': 'sync-state' },
      inSync ? 'Lịch nhắc khớp với kế hoạch.' : `So với kế hoạch: thiếu ${report.missing.length} lịch, thừa ${report.extra.length} lịch. Bấm “Đồng bộ lịch” để sửa.`,
    );
    const sync =
      ctx.canWrite &&
      button(
        'Đồng bộ lịch',
        () =>
          void busy(sync as HTMLButtonElement, () =>
            attempt(result, async () => {
              const done = await api<ScheduleReport>('POST', planPath(ctx, plan!, 'reminders', 'reconcile'));
              await load();
              fill(result, message('ok', `Đã đồng bộ lịch nhắc: tạo ${done.created}, xóa ${done.deleted}.`));
            }),
          ),
        { 'data-testid': 'reconcile' },
      );
    const planned = [...report.planned].sort((a, b) => a.fireAt.localeCompare(b.fireAt));

    const sections: Child[] = [
      h('h3', null, 'Các lần nhắc sắp tới'),
      h('div', { class: 'toolbar' }, syncLine, sync),
      planned.length === 0
        ? h('p', { class: 'empty' }, 'Không có lần nhắc nào sắp tới.')
        : table(
            'Các lần nhắc sắp tới',
            ['Thời điểm', 'Mốc', 'Loại'],
            planned.map((p) => {
              const offset = typeof p.offset === 'number' ? p.offset : 0;
              return [p.fireAtLabel, h('span', { 'data-milestone': p.milestoneId }, title(p.milestoneId)), `${kindLabel(p.kind)}${p.kind === 'reminder' ? (offset > 0 ? ` (trước ${offset} ngày)` : ' (ngày đến hạn)') : ''}`];
            }),
            'planned',
          ),
    ];
    if (report.withoutDay.length > 0) {
      sections.push(
        h('h3', null, 'Mốc chưa có ngày (chưa nhắc được)'),
        h('ul', { class: 'plain', 'data-testid': 'without-day' }, report.withoutDay.map((m) => h('li', null, m.title, m.dueText && h('span', { class: 'hint' }, ` (${m.dueText})`)))),
      );
    }

    if (ctx.canWrite) {
      const withDocument = planAnswer.milestones.filter((m) => m.document).sort((a, b) => a.order - b.order);
      const unitSelect = select('unitId', unitAnswer.units.filter((u) => u.active).map((u) => ({ value: u.unitId, label: u.name })));
      const milestoneSelect = select('milestoneId', withDocument.map((m) => ({ value: m.milestoneId, label: m.title })));
      const sendResult = h('div', { class: 'result', 'aria-live': 'polite' });
      const form = h(
        'form',
        { class: 'form form--inline', 'data-testid': 'send-now-form' },
        field('Đơn vị', unitSelect),
        field('Mốc', milestoneSelect),
        h('button', { type: 'submit', class: 'btn btn--primary' }, 'Gửi ngay'),
        sendResult,
      );
      form.addEventListener('submit', (event) => {
        event.preventDefault();
        void busy(form, () =>
          attempt(
            sendResult,
            async () => {
              const answer = await api<Res<'SendReminderNow'>>('POST', planPath(ctx, plan!, 'reminders', 'send-now'), { unitId: unitSelect.value, milestoneId: milestoneSelect.value });
              fill(sendResult, message('ok', `Đã gửi “${answer.subject}” tới ${answer.sentTo.join(', ') || '(không có địa chỉ)'}.`));
            },
            form,
          ),
        );
      });
      sections.push(h('h3', null, 'Gửi nhắc ngay cho một đơn vị'), withDocument.length > 0 ? form : h('p', { class: 'empty' }, 'Kế hoạch chưa có mốc nào yêu cầu nộp tài liệu.'));
    }

    const sends = [...sent.sends].sort((a, b) => (b.at ?? '').localeCompare(a.at ?? ''));
    sections.push(
      h('h3', null, 'Đã gửi'),
      sends.length === 0
        ? h('p', { class: 'empty' }, 'Chưa gửi nhắc việc nào.')
        : table(
            'Nhắc việc đã gửi',
            ['Lúc', 'Người nhận', 'Mốc', 'Loại', 'Trạng thái'],
            sends.map((s) => [
              s.atLabel ?? '—',
              s.recipientName ?? unitNames.get(s.recipient) ?? s.recipient,
              s.milestoneTitle ?? title(s.milestoneId),
              kindLabel(s.kind),
              s.statusLabel ?? SEND_STATUS_LABELS[s.status] ?? s.status,
            ]),
            'sent',
          ),
      h('h3', null, 'Địa chỉ bị trả lại'),
      sent.undeliverable.length === 0
        ? h('p', { class: 'empty' }, 'Không có địa chỉ nào bị trả lại.')
        : h('ul', { class: 'plain', 'data-testid': 'bounced' }, sent.undeliverable.map((u) => h('li', null, h('strong', null, u.email), u.reason ? ` – ${u.reason}` : ''))),
    );
    fill(body, ...sections);
  }

  await load();
}
