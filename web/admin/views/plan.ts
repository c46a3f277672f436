/**
 * Kế hoạch: the plan's milestones, a form to create or edit one (saving re-syncs the reminder schedules and says
 * what changed), delete, "copy into the next school year", the plan's calendar feed link, and the way to a new plan
 * read from a document (views/plan-import.ts), offered even when the cluster has no plan yet.
 */
import type { ViewContext } from '../app';
import { api, clusterPath } from '../api';
import { append, busy, button, check, field, fill, h, select, type Child } from '../dom';
import { formatDate, nextPlanId } from '../format';
import { MILESTONE_KIND_LABELS, RECIPIENT_LABELS, REMINDER_KIND_LABELS } from '../labels';
import type { MilestoneBody, MilestoneView, Res, ScheduleReport, Unit, UnitSelector } from '../types';
import { attempt, describeSelector, message, parseOffsets, selectorChoices, selectorKey, showError } from '../ui';
import { calendarFeedCard } from './calendar-feed';
import { heading, planPath, requirePlan } from './common';

type Kind = MilestoneView['kind'];
type Recipient = keyof typeof RECIPIENT_LABELS;

/** "Báo cáo sơ kết 6 tháng" -> "bao-cao-so-ket-6-thang". */
export function slugify(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[đĐ]/g, 'd')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+/, '')
    .slice(0, 64)
    .replace(/-+$/, '');
}

const optional = (value: string): string | undefined => (value.trim() ? value.trim() : undefined);
const lines = (value: string): string[] => value.split('\n').map((l) => l.trim()).filter(Boolean);

/** The planned reminders of one milestone, as a list. */
export function plannedList(report: ScheduleReport, milestoneId: string): HTMLElement {
  const planned = report.planned.filter((p) => p.milestoneId === milestoneId).sort((a, b) => a.fireAt.localeCompare(b.fireAt));
  if (planned.length === 0) return h('p', { class: 'hint' }, 'Mốc này không có lần nhắc nào sắp tới.');
  return h(
    'ul',
    { class: 'planned', 'data-testid': 'planned-reminders' },
    planned.map((p) => {
      const offset = typeof p.offset === 'number' ? p.offset : 0;
      const kind = REMINDER_KIND_LABELS[p.kind as keyof typeof REMINDER_KIND_LABELS] ?? p.kind;
      return h('li', null, `${p.fireAtLabel} · ${kind}${p.kind === 'reminder' ? (offset > 0 ? ` (trước hạn ${offset} ngày)` : ' (ngày đến hạn)') : ''}`);
    }),
  );
}

export async function planView(ctx: ViewContext): Promise<void> {
  const importLink = ctx.canWrite && h('a', { class: 'btn', href: '#/nhap-ke-hoach', 'data-testid': 'import-plan' }, 'Nhập kế hoạch từ văn bản');
  if (!ctx.plan) {
    append(ctx.root, heading('Kế hoạch'), importLink && h('p', { class: 'actions' }, importLink));
  }
  const plan = requirePlan(ctx);
  if (!plan) return;
  let milestones: MilestoneView[] = [];
  let units: Unit[] = [];
  const result = h('div', { class: 'result', 'aria-live': 'polite', 'data-testid': 'plan-result' });
  const formArea = h('div', { class: 'form-area' });
  const list = h('div', { class: 'cards', 'data-testid': 'milestones' });

  const tools: Child[] = [];
  if (ctx.canWrite) {
    const add = button('Thêm mốc', () => openForm(), { class: 'btn btn--primary', 'data-testid': 'add-milestone' });
    const target = nextPlanId(plan.planId);
    const clone = button(
      'Sao chép sang năm học sau',
      () => {
        if (!confirm(`Sao chép kế hoạch năm học ${plan.planId} sang năm học ${target}? Các mốc chỉ diễn ra một lần sẽ được bỏ qua.`)) return;
        void busy(clone, () =>
          attempt(result, async () => {
            const answer = await api<Res<'ClonePlan'>>('POST', planPath(ctx, plan, 'clone'), { targetPlanId: target });
            const open = button(`Mở kế hoạch năm học ${target}`, () => void ctx.reloadPlans(target));
            fill(
              result,
              message(
                'ok',
                h('p', null, `Đã tạo kế hoạch năm học ${target}: ${answer.milestones.length} mốc${answer.skipped.length > 0 ? `, bỏ qua ${answer.skipped.length} mốc chỉ diễn ra một lần` : ''}. Lịch nhắc: tạo ${answer.schedules.created}.`),
                open,
              ),
            );
            const plans = (await api<Res<'ListPlans'>>('GET', clusterPath(ctx.cluster.clusterId, 'plans'))).plans;
            ctx.plans.splice(0, ctx.plans.length, ...plans);
          }),
        );
      },
      { 'data-testid': 'clone-plan' },
    );
    tools.push(h('p', { class: 'actions' }, add, clone, importLink));
  }
  append(ctx.root, heading('Kế hoạch', h('p', { class: 'view-sub' }, plan.title)), ...tools, calendarFeedCard(ctx, plan), result, formArea, list);

  async function load(): Promise<void> {
    const [planAnswer, unitsAnswer] = await Promise.all([
      api<Res<'GetPlan'>>('GET', planPath(ctx, plan!)),
      api<Res<'ListUnits'>>('GET', clusterPath(ctx.cluster.clusterId, 'units')),
    ]);
    if (!ctx.alive()) return;
    milestones = [...planAnswer.milestones].sort((a, b) => a.order - b.order || a.milestoneId.localeCompare(b.milestoneId));
    units = unitsAnswer.units;
    draw();
  }

  function fact(label: string, ...value: Child[]): HTMLElement {
    return h('div', null, h('dt', null, label), h('dd', null, ...value));
  }

  function draw(): void {
    if (milestones.length === 0) {
      fill(list, message('info', 'Kế hoạch chưa có mốc nào.'));
      return;
    }
    fill(
      list,
      milestones.map((m) => {
        const facts: HTMLElement[] = [fact('Hạn', m.dueLabel, m.dueText && h('span', { class: 'hint' }, ` (kế hoạch ghi: ${m.dueText})`))];
        if (m.place) facts.push(fact('Địa điểm', m.place));
        if (m.participants) facts.push(fact('Thành phần', m.participants));
        if (m.document) {
          facts.push(
            fact(
              'Tài liệu phải nộp',
              m.document.title,
              h('span', { class: 'facts__note' }, `Đơn vị nộp: ${describeSelector(m.document.from, units)}. Gửi tới: ${m.document.recipients.map((r) => RECIPIENT_LABELS[r]).join(', ')}.`),
            ),
          );
        }
        if (m.assignments.length > 0) {
          facts.push(fact('Nhiệm vụ', h('ul', null, m.assignments.map((a) => h('li', null, `${describeSelector(a.who, units)}: ${a.task}`)))));
        }
        facts.push(fact('Nhắc trước hạn', m.reminderOffsets.length > 0 ? `${m.reminderOffsets.join(', ')} ngày` : 'Không nhắc'));
        if (m.cutoffDate) facts.push(fact('Khóa nhận sau ngày', formatDate(m.cutoffDate)));
        if (!m.recurring) facts.push(fact('Lặp lại', 'Chỉ diễn ra một lần (không sao chép sang năm sau)'));
        const actions: Child[] = [];
        if (ctx.canWrite) {
          const remove = button(
            'Xóa',
            () => {
              if (!confirm(`Xóa mốc “${m.title}”? Lịch nhắc của mốc này cũng bị xóa.`)) return;
              void busy(remove, () =>
                attempt(result, async () => {
                  const answer = await api<Res<'DeleteMilestone'>>('DELETE', planPath(ctx, plan!, 'milestones', m.milestoneId));
                  await load();
                  fill(result, message('ok', `Đã xóa mốc “${m.title}”. Lịch nhắc: tạo ${answer.schedules.created}, xóa ${answer.schedules.deleted}.`));
                }),
              );
            },
            { class: 'btn btn--danger', 'data-testid': `delete-${m.milestoneId}` },
          );
          actions.push(h('p', { class: 'actions' }, button('Sửa', () => openForm(m), { 'data-testid': `edit-${m.milestoneId}` }), remove));
        }
        return h(
          'article',
          { class: 'card', 'data-testid': `milestone-${m.milestoneId}` },
          h('p', { class: 'card__kind' }, MILESTONE_KIND_LABELS[m.kind]),
          h('h3', { class: 'card__title' }, m.title),
          h('dl', { class: 'facts' }, facts),
          ...actions,
        );
      }),
    );
  }

  function openForm(existing?: MilestoneView): void {
    const formResult = h('div', { class: 'result', 'aria-live': 'polite' });
    const input = (name: string, value = '', attrs: Record<string, string | boolean> = {}) => h('input', { type: 'text', name, value, ...attrs });
    const idInput = input('milestoneId', '', { required: true, pattern: '[a-z0-9]+(-[a-z0-9]+)*', maxlength: '64', autocomplete: 'off', spellcheck: 'false' });
    let idEdited = false;
    idInput.addEventListener('input', () => (idEdited = true));
    const title = input('title', existing?.title ?? '', { required: true, maxlength: '2000' });
    title.addEventListener('input', () => {
      if (!existing && !idEdited) idInput.value = slugify(title.value);
    });
    const kind = select(
      'kind',
      (Object.keys(MILESTONE_KIND_LABELS) as Kind[]).map((k) => ({ value: k, label: MILESTONE_KIND_LABELS[k] })),
      existing?.kind ?? 'report',
    );
    const order = h('input', { type: 'number', name: 'order', min: '0', step: '1', value: String(existing?.order ?? Math.max(0, ...milestones.map((m) => m.order + 1))) });

    // Due: a day, only a month, or nothing yet.
    const due = existing?.due ?? { type: 'date' as const, date: '', rule: 'before' as const };
    const radios = (['date', 'month', 'none'] as const).map((type) =>
      h('input', { type: 'radio', name: 'due.type', value: type, checked: due.type === type }),
    );
    const dueDate = h('input', { type: 'date', name: 'due.date', value: due.type === 'date' ? due.date : '' });
    const rule = select(
      'due.rule',
      [
        { value: 'before', label: 'Trước ngày' },
        { value: 'by', label: 'Đến hết ngày' },
      ],
      due.type === 'date' ? due.rule : 'before',
    );
    const dueMonth = h('input', { type: 'month', name: 'due.month', placeholder: 'YYYY-MM', value: due.type === 'month' ? due.month : '' });
    const whenDate = h('div', { class: 'row' }, field('Ngày', dueDate), field('Cách tính', rule));
    const whenMonth = h('div', { class: 'row' }, field('Tháng', dueMonth));
    const dueType = () => radios.find((r) => r.checked)?.value ?? 'none';
    const showDue = () => {
      whenDate.hidden = dueType() !== 'date';
      whenMonth.hidden = dueType() !== 'month';
    };
    radios.forEach((r) => r.addEventListener('change', showDue));
    showDue();
    const labels = { date: 'Ngày cụ thể', month: 'Chỉ biết tháng', none: 'Chưa có ngày' };

    const dueText = input('dueText', existing?.dueText ?? '');
    const place = input('place', existing?.place ?? '');
    const participants = input('participants', existing?.participants ?? '');
    const content = h('textarea', { name: 'content', rows: '3' }, (existing?.content ?? []).join('\n'));

    // Document required.
    const extraSelectors: UnitSelector[] = [
      ...(existing?.document ? [existing.document.from] : []),
      ...(existing?.assignments ?? []).map((a) => a.who),
    ];
    const choices = selectorChoices(units, extraSelectors);
    const hasDoc = h('input', { type: 'checkbox', name: 'hasDocument', checked: !!existing?.document || !existing });
    const docTitle = input('document.title', existing?.document?.title ?? '');
    const docFrom = select('document.from', choices.options, selectorKey(existing?.document?.from ?? { type: 'all' }));
    const recipientBoxes = (Object.keys(RECIPIENT_LABELS) as Recipient[]).map((r) => ({
      r,
      box: h('input', { type: 'checkbox', name: 'document.recipients', value: r, checked: (existing?.document?.recipients ?? ['cum-truong']).includes(r) }),
    }));
    const docFields = h(
      'div',
      { class: 'sub-fields' },
      field('Tên tài liệu', docTitle),
      field('Đơn vị phải nộp', docFrom),
      h('fieldset', { class: 'fieldset fieldset--plain', 'data-field': 'document.recipients' }, h('legend', null, 'Gửi tới'), recipientBoxes.map(({ r, box }) => check(RECIPIENT_LABELS[r], box))),
    );
    const showDoc = () => (docFields.hidden = !hasDoc.checked);
    hasDoc.addEventListener('change', showDoc);
    showDoc();

    // Tasks per unit.
    const taskRows = h('div', { class: 'tasks' });
    const addTask = (who: UnitSelector = { type: 'all' }, task = '') => {
      const whoSelect = select('who', choices.options, selectorKey(who), { 'aria-label': 'Đơn vị thực hiện' });
      const taskInput = h('input', { type: 'text', name: 'task', value: task, 'aria-label': 'Nhiệm vụ' });
      const row = h('div', { class: 'task' }, whoSelect, taskInput);
      row.append(button('Bỏ', () => row.remove(), { class: 'btn btn--ghost', 'aria-label': 'Bỏ nhiệm vụ này' }));
      taskRows.append(row);
    };
    (existing?.assignments ?? []).forEach((a) => addTask(a.who, a.task));

    const offsets = input('reminderOffsets', (existing?.reminderOffsets ?? [7, 3, 1, 0]).join(', '), { inputmode: 'numeric' });
    const cutoff = h('input', { type: 'date', name: 'cutoffDate', value: existing?.cutoffDate ?? '' });
    const recurring = h('input', { type: 'checkbox', name: 'recurring', checked: existing?.recurring ?? true });

    const form = h(
      'form',
      { class: 'form card', 'data-testid': 'milestone-form', novalidate: true },
      h('h3', null, existing ? `Sửa mốc “${existing.title}”` : 'Thêm mốc mới'),
      existing ? h('p', { class: 'hint' }, `Mã mốc: ${existing.milestoneId}`) : null,
      field('Tiêu đề', title),
      existing ? null : field('Mã mốc', idInput, { hint: 'Chữ thường không dấu, số và dấu gạch ngang; tự điền theo tiêu đề.' }),
      h('div', { class: 'row' }, field('Loại', kind), field('Thứ tự hiển thị', order)),
      h(
        'fieldset',
        { class: 'fieldset', 'data-field': 'due' },
        h('legend', null, 'Hạn'),
        h('div', { class: 'radios' }, radios.map((r) => check(labels[r.value as keyof typeof labels], r))),
        whenDate,
        whenMonth,
      ),
      field('Cách ghi hạn trong kế hoạch (không bắt buộc)', dueText, { hint: 'Ví dụ: dự kiến tháng 06/2022' }),
      field('Địa điểm (không bắt buộc)', place),
      field('Thành phần tham dự (không bắt buộc)', participants),
      field('Nội dung (mỗi dòng một ý)', content),
      h('fieldset', { class: 'fieldset', 'data-field': 'document' }, h('legend', null, 'Tài liệu phải nộp'), check('Mốc này yêu cầu đơn vị nộp tài liệu', hasDoc), docFields),
      h(
        'fieldset',
        { class: 'fieldset', 'data-field': 'assignments' },
        h('legend', null, 'Nhiệm vụ của từng đơn vị'),
        taskRows,
        button('Thêm nhiệm vụ', () => addTask(), { class: 'btn btn--ghost' }),
      ),
      h(
        'div',
        { class: 'row' },
        field('Nhắc trước hạn (số ngày, cách nhau bởi dấu phẩy)', offsets, { hint: '0 là đúng ngày đến hạn. Ví dụ: 7, 3, 1, 0' }),
        field('Khóa nhận tệp sau ngày (không bắt buộc)', cutoff),
      ),
      check('Lặp lại ở năm học sau (sao chép khi tạo kế hoạch mới)', recurring),
      h('p', { class: 'actions' }, h('button', { type: 'submit', class: 'btn btn--primary' }, 'Lưu mốc'), button('Hủy', () => formArea.replaceChildren())),
      formResult,
    );

    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const milestoneId = existing?.milestoneId ?? (idInput.value.trim() || slugify(title.value));
      const reminderOffsets = parseOffsets(offsets.value);
      if (!reminderOffsets) {
        fill(formResult, message('error', 'Số ngày nhắc phải là các số nguyên, cách nhau bởi dấu phẩy, ví dụ: 7, 3, 1, 0.'));
        return;
      }
      if (!existing && milestones.some((m) => m.milestoneId === milestoneId)) {
        fill(formResult, message('error', `Mã mốc “${milestoneId}” đã có trong kế hoạch. Hãy chọn mã khác.`));
        return;
      }
      taskRows.querySelectorAll<HTMLElement>('.task').forEach((row, i) => (row.dataset.field = `assignments.${i}`));
      const type = dueType();
      const body: MilestoneBody = {
        order: Number(order.value || 0),
        kind: kind.value as Kind,
        title: title.value,
        due:
          type === 'date'
            ? { type: 'date', date: dueDate.value, rule: rule.value as 'before' | 'by' }
            : type === 'month'
              ? { type: 'month', month: dueMonth.value.trim() }
              : { type: 'none' },
        dueText: optional(dueText.value),
        place: optional(place.value),
        participants: optional(participants.value),
        content: lines(content.value),
        assignments: [...taskRows.querySelectorAll('.task')].flatMap((row) => {
          const task = row.querySelector<HTMLInputElement>('input')!.value.trim();
          return task ? [{ who: choices.selectorOf(row.querySelector('select')!.value), task }] : [];
        }),
        document: hasDoc.checked
          ? { title: docTitle.value, from: choices.selectorOf(docFrom.value), recipients: recipientBoxes.filter((b) => b.box.checked).map((b) => b.r) }
          : undefined,
        reminderOffsets,
        cutoffDate: optional(cutoff.value),
        recurring: recurring.checked,
        notes: existing?.notes ?? [],
      };
      void busy(form, async () => {
        try {
          const answer = await api<Res<'SaveMilestone'>>('PUT', planPath(ctx, plan!, 'milestones', milestoneId), body);
          formArea.replaceChildren();
          await load();
          fill(
            result,
            message(
              'ok',
              h('p', { 'data-testid': 'save-summary' }, `Đã lưu. Lịch nhắc: tạo ${answer.schedules.created}, xóa ${answer.schedules.deleted}.`),
              h('p', null, `Các lần nhắc của mốc “${answer.milestone.title}”:`),
              plannedList(answer.schedules, milestoneId),
            ),
          );
          result.scrollIntoView({ block: 'nearest' });
        } catch (error) {
          showError(formResult, error, form);
        }
      });
    });
    fill(formArea, form);
    form.scrollIntoView({ block: 'start' });
    title.focus();
  }

  await load();
}
