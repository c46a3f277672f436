/** Khóa API: the cluster's keys for scripts; create one (shown once) and revoke. Only for the cluster's admins. */
import type { ViewContext } from '../app';
import { api, clusterPath } from '../api';
import { busy, button, field, fill, h } from '../dom';
import { formatDateTime } from '../format';
import type { ApiKeyInfo, Res } from '../types';
import { attempt, message, showError } from '../ui';
import { heading } from './common';

export async function keysView(ctx: ViewContext): Promise<void> {
  const path = clusterPath(ctx.cluster.clusterId, 'api-keys');
  const result = h('div', { class: 'result', 'aria-live': 'polite', 'data-testid': 'keys-result' });
  const list = h('ul', { class: 'cards', 'data-testid': 'api-keys' });
  const name = h('input', { type: 'text', name: 'name', required: true, maxlength: '80', autocomplete: 'off' });
  const form = h('form', { class: 'form form--inline', 'data-testid': 'key-form', novalidate: true }, field('Tên khóa (để nhận ra chương trình dùng nó)', name), h('button', { type: 'submit', class: 'btn btn--primary' }, 'Tạo khóa'));
  ctx.root.append(
    heading('Khóa API', h('p', { class: 'view-sub' }, 'Cho chương trình gọi API của cụm (tiêu đề Authorization: Bearer <khóa>). Hệ thống chỉ lưu mã băm của khóa.')),
    form,
    result,
    list,
  );

  const card = (k: ApiKeyInfo): HTMLElement => {
    const revoked = !!k.revokedAt;
    const revoke =
      !revoked &&
      button(
        'Thu hồi',
        () => {
          if (!confirm(`Thu hồi khóa “${k.name}”? Chương trình đang dùng khóa này sẽ bị từ chối ngay.`)) return;
          void busy(revoke as HTMLButtonElement, () =>
            attempt(result, async () => {
              await api<Res<'RevokeApiKey'>>('DELETE', `${path}/${encodeURIComponent(k.keyId)}`);
              await load();
              fill(result, message('ok', `Đã thu hồi khóa “${k.name}”.`));
            }),
          );
        },
        { class: 'btn btn--danger', 'data-testid': `revoke-key-${k.keyId}` },
      );
    return h(
      'li',
      { class: `card key${revoked ? ' key--revoked' : ''}`, 'data-testid': `key-${k.keyId}` },
      h('h3', { class: 'card__title' }, h('span', null, k.name), revoked ? h('span', { class: 'tag tag--off' }, 'Đã thu hồi') : h('span', { class: 'tag tag--ok' }, 'Đang dùng')),
      h('p', { class: 'hint' }, `Mã khóa ${k.keyId} · tạo lúc ${formatDateTime(k.createdAt)} bởi ${k.createdBy}`, revoked && ` · thu hồi lúc ${formatDateTime(k.revokedAt!)}${k.revokedBy ? ` bởi ${k.revokedBy}` : ''}`),
      revoke && h('p', { class: 'actions' }, revoke),
    );
  };

  async function load(): Promise<void> {
    const { apiKeys } = await api<Res<'ListApiKeys'>>('GET', path);
    if (!ctx.alive()) return;
    const sorted = [...apiKeys].sort((a, b) => Number(!!a.revokedAt) - Number(!!b.revokedAt) || b.createdAt.localeCompare(a.createdAt));
    fill(list, sorted.length > 0 ? sorted.map(card) : h('li', { class: 'empty' }, 'Chưa có khóa API nào.'));
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void busy(form, async () => {
      try {
        const created = await api<Res<'CreateApiKey'>>('POST', path, { name: name.value });
        name.value = '';
        await load();
        const box = h('input', { type: 'text', readonly: true, value: created.key, class: 'linkbox', 'data-testid': 'new-key', 'aria-label': 'Khóa API mới' });
        box.addEventListener('focus', () => box.select());
        const copied = h('span', { class: 'hint', 'aria-live': 'polite' });
        fill(
          result,
          message(
            'warn',
            h('p', null, h('strong', null, `Khóa “${created.apiKey.name}” chỉ hiện một lần này.`), ' Hãy sao chép và cất giữ ngay: hệ thống không lưu khóa và không thể hiện lại.'),
            box,
            h(
              'p',
              { class: 'actions' },
              button('Sao chép khóa', () =>
                void navigator.clipboard.writeText(created.key).then(
                  () => (copied.textContent = 'Đã sao chép.'),
                  () => {
                    box.focus();
                    copied.textContent = 'Không sao chép tự động được: hãy chọn và sao chép khóa ở ô trên.';
                  },
                ),
              ),
              copied,
            ),
          ),
        );
      } catch (error) {
        showError(result, error, form);
      }
    });
  });
  await load();
}
