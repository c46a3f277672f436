/**
 * Đơn vị: the cluster's units; add and edit them; per unit, copy or email its upload link, revoke every old link
 * and issue a new one, and grant an extension.
 */
import type { ViewContext } from '../app';
import { api, clusterPath } from '../api';
import { append, busy, button, check, field, fill, h, select, type Child } from '../dom';
import { formatDate, formatDateTime } from '../format';
import { UNIT_ROLE_LABELS } from '../labels';
import type { MilestoneView, Req, Res, Unit } from '../types';
import { attempt, copy, linkBox, message, showError } from '../ui';
import { heading } from './common';
import { slugify } from './plan';

type Role = Unit['role'];

const UNIT_LINK_LABEL = 'Đường link của đơn vị';

export async function unitsView(ctx: ViewContext): Promise<void> {
  let units: Unit[] = [];
  let documentMilestones: MilestoneView[] = [];
  const result = h('div', { class: 'result', 'aria-live': 'polite' });
  const formArea = h('div', { class: 'form-area' });
  const list = h('ul', { class: 'cards units', 'data-testid': 'units' });
  const planBody = ctx.plan ? { planId: ctx.plan.planId } : {};
  const unitPath = (unitId: string, ...rest: string[]) => clusterPath(ctx.cluster.clusterId, 'units', unitId, ...rest);

  append(
    ctx.root,
    heading('Đơn vị', h('p', { class: 'view-sub' }, ctx.cluster.name)),
    ctx.canWrite && h('p', { class: 'actions' }, button('Thêm đơn vị', () => openForm(), { class: 'btn btn--primary', 'data-testid': 'add-unit' })),
    result,
    formArea,
    list,
  );

  async function load(): Promise<void> {
    const [unitAnswer, planAnswer] = await Promise.all([
      api<Res<'ListUnits'>>('GET', clusterPath(ctx.cluster.clusterId, 'units')),
      ctx.plan ? api<Res<'GetPlan'>>('GET', clusterPath(ctx.cluster.clusterId, 'plans', ctx.plan.planId)) : undefined,
    ]);
    if (!ctx.alive()) return;
    units = unitAnswer.units;
    documentMilestones = (planAnswer?.milestones ?? []).filter((m) => m.document).sort((a, b) => a.order - b.order);
    draw();
  }

  function draw(): void {
    if (units.length === 0) {
      fill(list, h('li', null, message('info', 'Cụm chưa có đơn vị nào.')));
      return;
    }
    fill(list, units.map(unitCard));
  }

  function unitCard(unit: Unit): HTMLElement {
    const out = h('div', { class: 'unit__out', 'aria-live': 'polite', 'data-testid': `unit-out-${unit.unitId}` });
    const actions: Child[] = [];
    if (ctx.canWrite) {
      const copyLink = button(
        'Sao chép link',
        () =>
          void busy(copyLink, () =>
            attempt(out, async () => {
              const link = await api<Res<'IssueUnitLink'>>('POST', unitPath(unit.unitId, 'link'), planBody);
              const copied = await copy(link.url);
              fill(
                out,
                message(copied ? 'ok' : 'info', copied ? 'Đã sao chép link vào bộ nhớ tạm.' : 'Không sao chép tự động được: hãy chọn và sao chép link dưới đây.', ` Link có hiệu lực đến ${formatDateTime(link.expiresAt)}.`),
                linkBox(link.url, `link-${unit.unitId}`, UNIT_LINK_LABEL),
              );
            }),
          ),
        { 'data-testid': `copy-link-${unit.unitId}` },
      );
      const emailLink = button(
        'Gửi link qua email',
        () =>
          void busy(emailLink, () =>
            attempt(out, async () => {
              const sent = await api<Res<'EmailUnitLink'>>('POST', unitPath(unit.unitId, 'link', 'email'), planBody);
              fill(out, message('ok', `Đã gửi link tới ${sent.sentTo.join(', ')} (hiệu lực đến ${formatDateTime(sent.expiresAt)}).`));
            }),
          ),
        { 'data-testid': `email-link-${unit.unitId}` },
      );
      const revoke = button(
        'Thu hồi và cấp link mới',
        () => {
          if (!confirm(`Thu hồi mọi link cũ của “${unit.name}”? Link cũ sẽ không dùng được nữa; link mới được cấp ngay.`)) return;
          void busy(revoke, () =>
            attempt(out, async () => {
              const link = await api<Res<'RevokeUnitLinks'>>('POST', unitPath(unit.unitId, 'link', 'revoke'), planBody);
              const box = linkBox(link.url, `link-${unit.unitId}`, UNIT_LINK_LABEL);
              fill(
                out,
                message('ok', 'Đã thu hồi các link cũ. Link mới (hãy gửi lại cho đơn vị):'),
                box,
                button('Sao chép', () => void copy(link.url).then((ok) => (ok ? undefined : box.focus()))),
              );
            }),
          );
        },
        { class: 'btn btn--danger', 'data-testid': `revoke-link-${unit.unitId}` },
      );
      const extend = button('Gia hạn', () => extensionForm(unit, out), { 'data-testid': `extend-${unit.unitId}` });
      actions.push(
        h(
          'p',
          { class: 'actions' },
          button('Sửa', () => openForm(unit), { 'data-testid': `edit-unit-${unit.unitId}` }),
          copyLink,
          emailLink,
          revoke,
          ctx.plan && documentMilestones.length > 0 && extend,
        ),
      );
    }
    return h(
      'li',
      { class: 'card unit', 'data-testid': `unit-${unit.unitId}` },
      h(
        'h3',
        { class: 'card__title' },
        h('span', { class: 'unit__name' }, unit.name),
        unit.isSample && h('span', { class: 'tag tag--sample' }, 'Dữ liệu mẫu'),
        !unit.active && h('span', { class: 'tag tag--off' }, 'Ngừng hoạt động'),
      ),
      h(
        'dl',
        { class: 'facts facts--inline' },
        h('div', null, h('dt', null, 'Vai trò'), h('dd', null, UNIT_ROLE_LABELS[unit.role])),
        h('div', null, h('dt', null, 'Mã'), h('dd', null, unit.unitId)),
        h('div', null, h('dt', null, 'Email'), h('dd', null, unit.emails.join(', '))),
        unit.contactName && h('div', null, h('dt', null, 'Người liên hệ'), h('dd', null, unit.contactName)),
      ),
      ...actions,
      out,
    );
  }

  function extensionForm(unit: Unit, out: HTMLElement): void {
    const plan = ctx.plan!;
    const milestone = select(
      'milestoneId',
      documentMilestones.map((m) => ({ value: m.milestoneId, label: m.title })),
    );
    const until = h('input', { type: 'date', name: 'until', required: true });
    const reason = h('input', { type: 'text', name: 'reason', maxlength: '500' });
    const formResult = h('div', { class: 'result' });
    const form = h(
      'form',
      { class: 'form form--inline', 'data-testid': `extend-form-${unit.unitId}` },
      field('Mốc', milestone),
      field('Gia hạn đến hết ngày', until),
      field('Lý do (không bắt buộc)', reason),
      h('button', { type: 'submit', class: 'btn btn--primary' }, 'Gia hạn'),
      formResult,
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      void busy(form, () =>
        attempt(
          formResult,
          async () => {
            const answer = await api<Res<'GrantExtension'>>('POST', clusterPath(ctx.cluster.clusterId, 'plans', plan.planId, 'units', unit.unitId, 'extensions'), {
              milestoneId: milestone.value,
              until: until.value,
              ...(reason.value.trim() ? { reason: reason.value.trim() } : {}),
            });
            const title = documentMilestones.find((m) => m.milestoneId === answer.extension.milestoneId)?.title ?? answer.extension.milestoneId;
            fill(out, message('ok', `Đã gia hạn “${title}” cho đơn vị đến hết ngày ${formatDate(answer.extension.until)}.`));
          },
          form,
        ),
      );
    });
    fill(out, form);
    milestone.focus();
  }

  function openForm(existing?: Unit): void {
    const formResult = h('div', { class: 'result', 'aria-live': 'polite' });
    const idInput = h('input', { type: 'text', name: 'unitId', required: true, maxlength: '64', autocomplete: 'off', spellcheck: 'false' });
    let idEdited = false;
    idInput.addEventListener('input', () => (idEdited = true));
    const name = h('input', { type: 'text', name: 'name', required: true, value: existing?.name ?? '' });
    name.addEventListener('input', () => {
      if (!existing && !idEdited) idInput.value = slugify(name.value);
    });
    const role = select(
      'role',
      (Object.keys(UNIT_ROLE_LABELS) as Role[]).map((r) => ({ value: r, label: UNIT_ROLE_LABELS[r] })),
      existing?.role ?? 'thanh-vien',
    );
    const emails = h('textarea', { name: 'emails', rows: '2', spellcheck: 'false' }, (existing?.emails ?? []).join('\n'));
    const contact = h('input', { type: 'text', name: 'contactName', value: existing?.contactName ?? '' });
    const active = h('input', { type: 'checkbox', name: 'active', checked: existing?.active ?? true });
    const form = h(
      'form',
      { class: 'form card', 'data-testid': 'unit-form', novalidate: true },
      h('h3', null, existing ? `Sửa đơn vị “${existing.name}”` : 'Thêm đơn vị'),
      field('Tên đơn vị', name),
      existing ? null : field('Mã đơn vị', idInput, { hint: 'Chữ thường không dấu, số và dấu gạch ngang; tự điền theo tên.' }),
      field('Vai trò', role, { hint: 'Email của đơn vị Cụm trưởng và Cụm phó được quyền quản trị cụm.' }),
      field('Email liên hệ (mỗi dòng một địa chỉ)', emails),
      field('Người liên hệ (không bắt buộc)', contact),
      check('Còn hoạt động (nhận nhắc việc, có trên bảng theo dõi)', active),
      h('p', { class: 'actions' }, h('button', { type: 'submit', class: 'btn btn--primary' }, existing ? 'Lưu đơn vị' : 'Thêm đơn vị'), button('Hủy', () => formArea.replaceChildren())),
      formResult,
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const body: Req<'UpdateUnit'> = {
        name: name.value,
        role: role.value as Role,
        emails: emails.value.split(/[\s,;]+/).filter(Boolean),
        contactName: contact.value.trim() || undefined,
        active: active.checked,
      };
      void busy(form, async () => {
        try {
          let done: string;
          if (existing) {
            const saved = await api<Res<'UpdateUnit'>>('PUT', unitPath(existing.unitId), body);
            done = `Đã lưu đơn vị “${saved.unit.name}”.`;
          } else {
            const created = await api<Res<'CreateUnit'>>('POST', clusterPath(ctx.cluster.clusterId, 'units'), { ...body, unitId: idInput.value.trim() });
            done = `Đã thêm đơn vị “${created.unit.name}”.`;
          }
          formArea.replaceChildren();
          await load();
          fill(result, message('ok', done));
        } catch (error) {
          showError(formResult, error, form);
        }
      });
    });
    fill(formArea, form);
    form.scrollIntoView({ block: 'start' });
    name.focus();
  }

  await load();
}
