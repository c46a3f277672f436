/**
 * Signing in: ask for a one-time link by email, then open the link's page and press "Đăng nhập". The link's page
 * never signs in by itself, because mail scanners open links before people do and would spend them.
 */
import { ApiError, api } from './api';
import { busy, fill, h, type Child } from './dom';
import type { Res, Session } from './types';
import { message, showError } from './ui';

const card = (...children: Child[]) => h('main', { class: 'signin' }, h('div', { class: 'signin__card' }, ...children));

/** The form "Email quản trị" -> POST /api/auth/sign-in-links -> the API's message. */
export function renderSignInForm(root: HTMLElement, note?: string): void {
  const result = h('div', { class: 'result', 'aria-live': 'polite' });
  const email = h('input', { type: 'email', name: 'email', id: 'signin-email', autocomplete: 'email', required: true, inputmode: 'email', spellcheck: 'false' });
  const form = h(
    'form',
    { class: 'form', 'data-testid': 'signin-form', novalidate: true },
    h('div', { class: 'field', 'data-field': 'email' }, h('label', { for: 'signin-email' }, 'Email quản trị'), email),
    h('button', { type: 'submit', class: 'btn btn--primary' }, 'Gửi liên kết đăng nhập'),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void busy(form, async () => {
      try {
        const answer = await api<Res<'RequestSignIn'>>('POST', '/api/auth/sign-in-links', { email: email.value.trim() }, { quiet401: true });
        fill(result, message('ok', answer.message));
      } catch (error) {
        showError(result, error, form);
      }
    });
  });
  fill(
    root,
    card(
      h('h1', null, 'Đăng nhập trang quản trị'),
      note && message('info', note),
      h('p', null, 'Nhập địa chỉ email đã đăng ký cho đơn vị Cụm trưởng hoặc Cụm phó. Hệ thống gửi một liên kết đăng nhập dùng một lần, có hiệu lực 15 phút; không cần mật khẩu.'),
      form,
      result,
    ),
  );
}

/** The fragment's token (`#t=…`), if any. */
export const tokenFromHash = (hash: string): string | undefined => /^#t=([A-Za-z0-9_-]+)$/.exec(hash)?.[1];

/**
 * The sign-in link's page: a button that spends the link. Success opens the board in place (the token is removed
 * from the address first); a used or expired link says so and offers to ask for a new one.
 */
export function renderSignInLink(root: HTMLElement, token: string | undefined, signedIn: (session: Session) => void): void {
  if (!token) {
    renderSignInForm(root, 'Liên kết đăng nhập không đầy đủ. Hãy mở đúng liên kết trong email, hoặc xin liên kết mới dưới đây.');
    return;
  }
  const result = h('div', { class: 'result', 'aria-live': 'polite' });
  const go = h('button', { type: 'button', class: 'btn btn--primary btn--big', 'data-testid': 'signin-button' }, 'Đăng nhập');
  go.addEventListener('click', () => {
    void busy(go, async () => {
      try {
        const session = await api<Session>('POST', '/api/auth/sessions', { token }, { quiet401: true });
        history.replaceState(null, '', '/admin#/bang-theo-doi');
        signedIn(session);
      } catch (error) {
        showError(result, error);
        if (error instanceof ApiError && error.status < 500) {
          history.replaceState(null, '', '/admin/dang-nhap');
          go.hidden = true;
          result.append(h('button', { type: 'button', class: 'btn', onclick: () => renderSignInForm(root) }, 'Xin liên kết mới'));
        }
      }
    });
  });
  fill(
    root,
    card(
      h('h1', null, 'Đăng nhập'),
      h('p', null, 'Bấm nút dưới đây để vào trang quản trị cụm thi đua. Liên kết chỉ dùng được một lần.'),
      go,
      result,
    ),
  );
}
