/**
 * The admin page's HTML shell: the same small document for /admin and /admin/dang-nhap, pointing at the two hashed
 * static files (script and style sheet). Everything else is drawn by the script from the JSON API, so the shell holds
 * no data and no inline code, and its Content-Security-Policy can allow our own files only.
 */
import { ADMIN_SCRIPT, ADMIN_STYLES } from './admin-assets.generated';
import { html } from './html';

/** Where the hashed files are served (functions/admin/page.ts, route AdminAsset). */
export const ADMIN_ASSET_PATH = '/admin/assets/';

export type AdminShellPage = 'admin' | 'sign-in';

/**
 * No inline script or style at all (so no nonce): only same-origin files, calls to our own API, and nothing may
 * frame the page. `form-action 'self'`: forms are sent by the script, but a form that did submit could only come here.
 */
export const ADMIN_CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

const TITLES: Record<AdminShellPage, string> = {
  admin: 'Quản trị Cụm thi đua',
  'sign-in': 'Đăng nhập · Quản trị Cụm thi đua',
};

export interface ShellAssets {
  script: string;
  styles: string;
}

export function renderAdminShell(page: AdminShellPage, assets: ShellAssets = { script: ADMIN_SCRIPT.name, styles: ADMIN_STYLES.name }): string {
  return html`<!doctype html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<meta name="referrer" content="no-referrer">
<title>${TITLES[page]}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${ADMIN_ASSET_PATH}${assets.styles}">
<script defer src="${ADMIN_ASSET_PATH}${assets.script}"></script>
</head>
<body>
<div id="app" data-page="${page}"><main class="loading"><p>Đang tải trang quản trị…</p><noscript><p>Trang quản trị cần JavaScript: hãy bật JavaScript trong trình duyệt rồi tải lại trang.</p></noscript></main></div>
</body>
</html>
`.value;
}
