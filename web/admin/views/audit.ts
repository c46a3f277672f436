/** Nhật ký: every admin action and every upload, newest first, with filters and "Xem thêm". */
import type { ViewContext } from '../app';
import { api, clusterPath } from '../api';
import { busy, button, field, fill, h, select } from '../dom';
import { formatDateTime } from '../format';
import { ACTOR_TYPE_LABELS } from '../labels';
import type { AuditEntry, Res } from '../types';
import { attempt } from '../ui';
import { heading } from './common';

type ActorType = keyof typeof ACTOR_TYPE_LABELS;

export async function auditView(ctx: ViewContext): Promise<void> {
  const from = h('input', { type: 'date', name: 'from' });
  const to = h('input', { type: 'date', name: 'to' });
  const action = h('input', { type: 'text', name: 'action', autocomplete: 'off', spellcheck: 'false', placeholder: 'ví dụ: unit, milestone.save' });
  const actorType = select('actorType', [{ value: '', label: 'Mọi loại' }, ...(Object.keys(ACTOR_TYPE_LABELS) as ActorType[]).map((t) => ({ value: t, label: ACTOR_TYPE_LABELS[t] }))]);
  const actor = h('input', { type: 'text', name: 'actor', autocomplete: 'off', placeholder: 'email, mã khóa, mã đơn vị' });
  const result = h('div', { class: 'result', 'aria-live': 'polite' });
  const list = h('ol', { class: 'audit', 'data-testid': 'audit' });
  const more = h('p', { class: 'actions' });
  const form = h(
    'form',
    { class: 'filters', role: 'search', 'data-testid': 'audit-filters' },
    field('Từ ngày', from),
    field('Đến ngày', to),
    field('Thao tác', action),
    field('Người thực hiện', actorType),
    field('Tên người thực hiện', actor),
    h('button', { type: 'submit', class: 'btn btn--primary' }, 'Lọc'),
  );
  ctx.root.append(heading('Nhật ký', h('p', { class: 'view-sub' }, 'Mọi thao tác quản trị và mọi lần nộp tài liệu, mới nhất trước.')), form, result, list, more);

  const query = (cursor?: string): string => {
    const params = new URLSearchParams();
    const set = (name: string, value: string) => value.trim() && params.set(name, value.trim());
    set('from', from.value);
    set('to', to.value);
    set('action', action.value);
    set('actorType', actorType.value);
    set('actor', actor.value);
    if (cursor) params.set('cursor', cursor);
    const text = params.toString();
    return text ? `?${text}` : '';
  };

  const row = (e: AuditEntry): HTMLElement =>
    h(
      'li',
      { class: 'audit__entry', 'data-action': e.action },
      h('p', { class: 'audit__meta' }, h('time', { datetime: e.at }, formatDateTime(e.at)), ' · ', `${ACTOR_TYPE_LABELS[e.actor.type]}: `, h('span', { class: 'audit__actor' }, e.actor.id), ' · ', h('code', null, e.action)),
      h('p', { class: 'audit__summary' }, e.summary),
      e.target && h('p', { class: 'hint' }, e.target),
    );

  async function load(cursor?: string): Promise<void> {
    await attempt(
      result,
      async () => {
        const page = await api<Res<'ListAudit'>>('GET', `${clusterPath(ctx.cluster.clusterId, 'audit')}${query(cursor)}`);
        if (!ctx.alive()) return;
        result.replaceChildren();
        if (!cursor) list.replaceChildren();
        list.append(...page.entries.map(row));
        if (!cursor && page.entries.length === 0) list.append(h('li', { class: 'empty' }, 'Không có mục nào khớp bộ lọc.'));
        const next = page.nextCursor;
        if (next) {
          const moreButton = button('Xem thêm', () => void busy(moreButton, () => load(next)), { 'data-testid': 'audit-more' });
          fill(more, moreButton);
        } else more.replaceChildren();
      },
      form,
    );
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void busy(form, () => load());
  });
  await load();
}
