/**
 * The page a member unit opens from its signed link (GET /u/{token}) and the pages shown when a link fails.
 * Pure functions: view model in, complete HTML document out.
 *
 * The server sends a strict CSP (`default-src 'none'`, nonce-only scripts and styles, no inline handlers), so the
 * page carries exactly one `<style nonce>` and one `<script nonce>`, no `style=` or `on*=` attributes, and nothing
 * from another origin. The token is a capability: it appears only in the script's config (to call the API), never
 * in markup or links, and the page asks browsers not to send it onwards as a referrer.
 */
import { ALLOWED_FILE_TYPES, type AllowedFileType, type UnitMilestoneStatus } from '../domain/submission';
import type { MemberFileView, MemberMilestoneView, MemberPageView } from './member-page-model';
import { configuredScript, html, raw, type SafeHtml } from './html';

/** Options of {@link renderMemberPage}. */
export interface MemberPageOptions {
  /** The unit's link token, used only by the upload script. */
  token: string;
  /** The CSP nonce of this response. */
  nonce: string;
  /** Prefix of the API paths when the app is not served at the origin's root (e.g. an API stage "/prod"). @default '' */
  basePath?: string;
}

/** Why a link did not open a page: unknown/forged, revoked and reissued, or past its expiry. */
export type LinkErrorKind = 'not-found' | 'replaced' | 'expired';

/** Options of {@link renderLinkErrorPage}. */
export interface LinkErrorPageOptions {
  kind: LinkErrorKind;
  /** The CSP nonce of this response. */
  nonce: string;
}

/** What the upload script is given; the only place the token is written into the page. */
interface ClientConfig {
  token: string;
  basePath: string;
  maxUploadBytes: number;
  maxUploadLabel: string;
  acceptedTypes: string[];
  acceptedTypesLabel: string;
  /** Lower-case extension -> MIME type, for browsers that give an empty type (common for Office files). */
  typesByExtension: Record<string, string>;
}

const SHORT_HASH_LENGTH = 12;

/**
 * Renders the member page.
 *
 * @param view what to show, already in Vietnamese words (see {@link MemberPageView}).
 * @param opts the token (for the upload script only), the CSP nonce and the API base path.
 * @returns a complete HTML document.
 */
export function renderMemberPage(view: MemberPageView, opts: MemberPageOptions): string {
  const config: ClientConfig = {
    token: opts.token,
    basePath: (opts.basePath ?? '').replace(/\/+$/, ''),
    maxUploadBytes: view.maxUploadBytes,
    maxUploadLabel: view.maxUploadLabel,
    acceptedTypes: view.acceptedTypes,
    acceptedTypesLabel: view.acceptedTypesLabel,
    typesByExtension: typesByExtension(view.acceptedTypes),
  };
  const body = html`
<header class="top">
  <div class="wrap">
    <p class="top__org">${view.clusterName} · ${view.provinceName}</p>
    <h1 class="top__unit">${view.unitName}</h1>
    <p class="top__role">${view.unitRoleLabel}${view.unitIsSample && html` <span class="tag tag--sample">Dữ liệu mẫu</span>`}</p>
    <p class="top__plan">${view.planTitle}</p>
  </div>
</header>
<main class="wrap">
  <p class="notice">Đường link này dành riêng cho đơn vị của bạn, không cần tài khoản. Không chia sẻ cho người ngoài.</p>
  ${view.scopedToMilestone && html`<p class="hint">Đường link này chỉ dùng để nộp tài liệu cho mốc dưới đây.</p>`}
  ${calendarBox()}
  <noscript><p class="alert alert--warn">Trình duyệt đang tắt JavaScript: bạn vẫn xem được trạng thái, nhưng cần bật JavaScript để gửi tệp.</p></noscript>
  ${view.milestones.length === 0 ? html`<p class="empty">Hiện chưa có mốc nào cần đơn vị nộp tài liệu.</p>` : view.milestones.map((m) => milestoneCard(m, view))}
</main>
${footer(view)}
${configuredScript(opts.nonce, config, CLIENT_SCRIPT)}`;
  return documentOf({ title: `${view.unitName} · Nộp tài liệu thi đua`, nonce: opts.nonce, body });
}

const LINK_ERRORS: Record<LinkErrorKind, { title: string; message: string }> = {
  'not-found': {
    title: 'Không tìm thấy trang',
    message:
      'Đường link không đúng hoặc không còn tồn tại. Vui lòng kiểm tra lại đường link trong email, hoặc liên hệ đơn vị Cụm trưởng.',
  },
  replaced: {
    title: 'Đường link đã được thay thế',
    message:
      'Đơn vị Cụm trưởng đã cấp đường link mới cho đơn vị của bạn. Vui lòng dùng đường link trong email mới nhất, hoặc liên hệ đơn vị Cụm trưởng để được gửi lại.',
  },
  expired: {
    title: 'Đường link đã hết hạn',
    message:
      'Đường link này đã quá thời hạn sử dụng. Vui lòng dùng đường link trong email mới nhất, hoặc liên hệ đơn vị Cụm trưởng để được cấp đường link mới.',
  },
};

/**
 * Renders the page shown when a link does not open (404 for not-found, 410 for replaced and expired). It says no more
 * than the kind: a forged or mistyped token learns nothing about which check failed.
 *
 * @returns a complete HTML document, without script.
 */
export function renderLinkErrorPage(opts: LinkErrorPageOptions): string {
  const { title, message } = LINK_ERRORS[opts.kind];
  const body = html`
<header class="top">
  <div class="wrap">
    <p class="top__org">Nộp tài liệu thi đua</p>
  </div>
</header>
<main class="wrap">
  <section class="card card--error" data-testid="link-error-${opts.kind}">
    <h1 class="card__title">${title}</h1>
    <p>${message}</p>
  </section>
</main>`;
  return documentOf({ title, nonce: opts.nonce, body });
}

/**
 * The document shell every member-facing page shares: Vietnamese, phone viewport, no indexing, no referrer, one
 * `<style nonce>` holding `styles` (default: the member page's {@link STYLES}).
 */
export function documentOf(p: { title: string; nonce: string; body: SafeHtml; styles?: string }): string {
  return html`<!doctype html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<meta name="referrer" content="no-referrer">
<link rel="icon" href="data:,">
<meta name="color-scheme" content="light">
<title>${p.title}</title>
<style nonce="${p.nonce}">${raw(p.styles ?? STYLES)}</style>
</head>
<body>${p.body}
</body>
</html>
`.value;
}

function milestoneCard(m: MemberMilestoneView, view: MemberPageView): SafeHtml {
  const id = m.milestoneId;
  // Defensive: the order is what a unit reads as its record of sending; "Lần 2" must sit above "Lần 1".
  const files = [...m.files].sort((a, b) => b.versionNumber - a.versionNumber);
  return html`
  <section class="card card--${m.status}" data-testid="milestone-${id}" aria-labelledby="title-${id}">
    <div class="card__head">
      <p class="card__kind">${m.kindLabel}</p>
      <h2 class="card__title" id="title-${id}">${m.title}</h2>
      <p class="badge badge--${m.status}" data-testid="status-${id}"><span class="sr">Trạng thái: </span>${m.statusLabel}</p>
    </div>
    <dl class="facts">
      <div><dt>Tài liệu cần nộp</dt><dd>${m.documentTitle}</dd></div>
      <div><dt>Gửi đến</dt><dd>${m.recipientsLabel}</dd></div>
      <div><dt>Hạn nộp</dt><dd>${m.dueLabel}${m.extensionLabel && html`<span class="facts__note facts__ext" data-testid="extension-${id}">${m.extensionLabel}</span>`}${m.cutoffLabel && html`<span class="facts__note" data-testid="cutoff-${id}">${m.cutoffLabel}</span>`}</dd></div>
    </dl>
    ${m.opensSelfScore && selfScoreCta(id)}
    <h3 class="card__sub">Tệp đã gửi</h3>
    ${files.length === 0 ? html`<p class="empty">Chưa gửi tệp nào.</p>` : html`<ol class="files">${files.map(fileRow)}</ol>`}
    ${m.canUpload ? uploadForm(m, view, files.length > 0) : html`<p class="alert alert--closed" data-testid="closed-${id}">${m.closedReason ?? 'Mốc này không còn nhận tệp.'}</p>`}
  </section>`;
}

/**
 * "Thêm vào lịch": the unit's calendar feed (GET /u/{token}/calendar.ics). Its address carries the token, so the
 * script fills it in (from CONFIG) and shows the box: a webcal: link, which subscribes on iPhone, Mac and Outlook for
 * Windows, and the https address to paste into Google Calendar ("Từ URL") or Outlook on the web ("Đăng ký từ web").
 */
function calendarBox(): SafeHtml {
  return html`<section class="cal" data-calendar hidden aria-labelledby="cal-title" data-testid="calendar">
    <h2 class="cal__title" id="cal-title">Lịch các mốc của đơn vị</h2>
    <p class="hint">Đưa các hạn nộp và hội nghị vào lịch trên điện thoại hoặc máy tính, kèm nhắc trước hạn; lịch tự cập nhật khi kế hoạch thay đổi.</p>
    <a class="cal__link" data-calendar-link data-testid="calendar-link">Thêm vào lịch</a>
    <label class="cal__label" for="calendar-url">Google Calendar (Thêm lịch → Từ URL) hoặc Outlook (Thêm lịch → Đăng ký từ web): dán đường link này</label>
    <input class="cal__url" id="calendar-url" type="text" readonly data-calendar-url data-testid="calendar-url">
  </section>`;
}

/**
 * The way into the self-score form, on the self-score milestone's card. The link's address carries the token, so the
 * script sets it (from CONFIG) and shows the link; without the script it stays hidden, as the upload form is inert.
 */
function selfScoreCta(milestoneId: string): SafeHtml {
  return html`<div class="cta">
      <a class="cta__link" data-self-score-link data-testid="self-score-link-${milestoneId}" hidden>Mở bảng tự chấm điểm</a>
      <p class="hint">Điền và nộp bảng tự chấm điểm trực tuyến. Tệp minh chứng và bản có chữ ký, đóng dấu gửi ở ô dưới đây.</p>
    </div>`;
}

function fileRow(f: MemberFileView): SafeHtml {
  const quarantined = f.outcome === 'quarantined';
  return html`<li class="file${quarantined ? ' file--quarantined' : ''}" data-testid="file-row">
        <p class="file__name"><span class="file__version">Lần ${f.versionNumber}</span> ${f.fileName}</p>
        <p class="file__meta">${f.sizeLabel} · nhận lúc ${f.receivedAtLabel}${f.late && html` <span class="tag tag--late">nộp muộn</span>`}</p>
        ${quarantined && html`<p class="file__quarantine"><span class="tag tag--bad">đã cách ly</span> ${f.rejectReason ?? 'Tệp không được chấp nhận.'}</p>`}
        <p class="file__hash">SHA-256: <code title="${f.sha256}">${f.sha256.slice(0, SHORT_HASH_LENGTH)}…</code></p>
      </li>`;
}

function uploadForm(m: MemberMilestoneView, view: MemberPageView, hasFiles: boolean): SafeHtml {
  const id = m.milestoneId;
  // No action/method: the presigned flow needs the script; without it the <noscript> line explains why.
  return html`<form class="upload" data-upload data-milestone-id="${id}" novalidate>
      <label class="upload__label" for="file-${id}">${hasFiles ? 'Gửi thêm tệp (bản mới không thay thế bản cũ)' : 'Chọn tệp để gửi'}</label>
      ${m.uploadWouldBeLate && html`<p class="alert alert--late" data-testid="late-warning-${id}">Hạn đã qua: tệp gửi bây giờ sẽ được ghi nhận là nộp muộn.</p>`}
      <input class="upload__input" type="file" id="file-${id}" name="file" accept="${view.acceptAttribute}" data-role="file" data-testid="file-${id}" aria-describedby="limits-${id}">
      <p class="hint" id="limits-${id}">Tối đa ${view.maxUploadLabel}; nhận ${view.acceptedTypesLabel}.</p>
      <button class="upload__button" type="submit" data-role="submit" data-testid="submit-${id}">Gửi tệp</button>
      <div class="upload__progress" data-role="progress-row" hidden>
        <progress max="100" value="0" data-role="progress" aria-label="Tiến độ tải lên"></progress>
        <span class="upload__percent" data-role="percent">0%</span>
      </div>
      <p class="upload__status" role="status" aria-live="polite" data-role="status" data-testid="upload-status-${id}"></p>
    </form>`;
}

/** The contact block and the page's time, at the foot of the member-facing pages. */
export function footer(view: Pick<MemberPageView, 'contact' | 'generatedAtLabel'>): SafeHtml {
  const c = view.contact;
  const tel = c?.phone?.replace(/[^\d+]/g, '');
  return html`<footer class="foot">
  <div class="wrap">
    ${c &&
    html`<h2 class="foot__title">Cần hỗ trợ? Liên hệ</h2>
    <p class="foot__name">${c.name}</p>
    ${c.position && html`<p>${c.position}</p>`}
    ${c.email && html`<p>Email: <a href="mailto:${c.email}">${c.email}</a></p>`}
    ${c.phone && (tel ? html`<p>Điện thoại: <a href="tel:${tel}">${c.phone}</a></p>` : html`<p>Điện thoại: ${c.phone}</p>`)}
    ${c.address && html`<p>Địa chỉ: ${c.address}</p>`}`}
    <p class="foot__time">${view.generatedAtLabel}</p>
  </div>
</footer>`;
}

function typesByExtension(acceptedTypes: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const type of acceptedTypes) {
    const known = ALLOWED_FILE_TYPES[type as AllowedFileType] as { extensions: readonly string[] } | undefined;
    for (const ext of known?.extensions ?? []) out[ext] = type;
  }
  return out;
}

/** Badge colours: each status its own hue, text always shown too; all pairs reach WCAG AA contrast. */
const STATUS_COLOURS: Record<UnitMilestoneStatus, { fg: string; bg: string; accent: string }> = {
  'on-time': { fg: '#14532d', bg: '#dcfce7', accent: '#15803d' },
  late: { fg: '#7c2d12', bg: '#ffedd5', accent: '#ea580c' },
  missing: { fg: '#7f1d1d', bg: '#fee2e2', accent: '#dc2626' },
  'not-due': { fg: '#1e3a8a', bg: '#dbeafe', accent: '#2563eb' },
  open: { fg: '#374151', bg: '#e5e7eb', accent: '#6b7280' },
  locked: { fg: '#ffffff', bg: '#1f2937', accent: '#1f2937' },
};

/** The member page's styles, which the other member-facing pages extend. */
export const STYLES = `
*,*::before,*::after{box-sizing:border-box}
html{-webkit-text-size-adjust:100%;text-size-adjust:100%}
body{margin:0;font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Helvetica Neue",Arial,sans-serif;font-size:1rem;line-height:1.5;color:#1f2937;background:#f3f4f6;overflow-wrap:break-word}
p{margin:0 0 .5rem}
a{color:#1d4ed8}
a:focus-visible,button:focus-visible,input:focus-visible,select:focus-visible,textarea:focus-visible{outline:3px solid #f59e0b;outline-offset:2px}
.wrap{max-width:46rem;margin:0 auto;padding:0 1rem}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
.top{background:#0c4a6e;color:#fff;padding:1.25rem 0 1rem}
.top p{margin:0 0 .25rem}
.top__org{font-size:.875rem;opacity:.9}
.top__unit{font-size:1.375rem;line-height:1.3;margin:.25rem 0 .35rem}
.top__role{font-weight:600}
.top__plan{font-size:.9375rem;opacity:.95}
main.wrap{padding-top:1rem;padding-bottom:1.5rem}
.notice{background:#fffbeb;border:1px solid #fcd34d;border-radius:.5rem;padding:.75rem 1rem;margin-bottom:1rem}
.hint{color:#4b5563;font-size:.9375rem}
.empty{color:#4b5563;font-style:italic}
.tag{display:inline-block;font-size:.8125rem;font-weight:600;line-height:1.2;padding:.15rem .5rem;border-radius:999px;vertical-align:.1em;white-space:nowrap}
.tag--sample{background:#fde68a;color:#78350f}
.tag--late{background:#ffedd5;color:#7c2d12;border:1px solid #fdba74}
.tag--bad{background:#fee2e2;color:#7f1d1d;border:1px solid #fca5a5}
.card{background:#fff;border:1px solid #d1d5db;border-left:6px solid #6b7280;border-radius:.75rem;padding:1rem;margin:0 0 1rem}
.card--error{border-left-color:#dc2626;margin-top:1rem}
.card__head{margin-bottom:.75rem}
.card__kind{font-size:.8125rem;font-weight:600;text-transform:uppercase;letter-spacing:.04em;color:#4b5563;margin:0}
.card__title{font-size:1.1875rem;line-height:1.35;margin:.15rem 0 .5rem}
.card__sub{font-size:1rem;margin:1rem 0 .5rem}
.badge{display:inline-block;margin:0;padding:.25rem .75rem;border-radius:999px;font-weight:700;font-size:.9375rem;border:1px solid}
${Object.entries(STATUS_COLOURS)
  .map(([s, c]) => `.badge--${s}{color:${c.fg};background:${c.bg};border-color:${c.accent}}.card--${s}{border-left-color:${c.accent}}`)
  .join('\n')}
.facts{margin:0;display:grid;gap:.5rem}
.facts div{display:grid;gap:0}
.facts dt{font-size:.8125rem;font-weight:600;color:#4b5563}
.facts dd{margin:0}
.facts__note{display:block;font-size:.9375rem;color:#374151}
.facts__ext{font-weight:700;color:#14532d}
.files{list-style:none;margin:0;padding:0;display:grid;gap:.5rem}
.file{border:1px solid #e5e7eb;border-radius:.5rem;padding:.6rem .75rem;background:#f9fafb}
.file p{margin:0 0 .2rem}
.file--quarantined{background:#fef2f2;border-color:#fca5a5}
.file__name{font-weight:600;overflow-wrap:anywhere}
.file__version{display:inline-block;font-size:.8125rem;background:#e0e7ff;color:#312e81;border-radius:.25rem;padding:0 .4rem;margin-right:.25rem}
.file__meta,.file__hash{font-size:.875rem;color:#4b5563}
.file__quarantine{font-size:.9375rem;color:#7f1d1d}
.file__hash code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.8125rem}
.alert{border-radius:.5rem;padding:.75rem 1rem;margin:.75rem 0 .5rem;font-weight:600}
.alert--late{background:#ffedd5;color:#7c2d12;border:1px solid #fdba74}
.alert--warn{background:#fef3c7;color:#78350f;border:1px solid #fcd34d}
.alert--closed{background:#f3f4f6;color:#1f2937;border:1px solid #9ca3af;font-weight:400}
.upload{margin-top:1rem;padding-top:1rem;border-top:1px dashed #d1d5db}
.upload__label{display:block;font-weight:700;margin-bottom:.5rem}
.upload__input{display:block;width:100%;min-height:3rem;padding:.5rem;border:2px dashed #9ca3af;border-radius:.5rem;background:#f9fafb;font:inherit;font-size:.9375rem}
.upload__input::file-selector-button{font:inherit;font-weight:600;min-height:2.25rem;margin-right:.75rem;padding:.35rem .9rem;border:1px solid #6b7280;border-radius:.375rem;background:#fff;color:#1f2937;cursor:pointer}
.upload .hint{margin:.4rem 0 .75rem}
.upload__button{display:block;width:100%;min-height:3rem;padding:.75rem 1rem;border:0;border-radius:.5rem;background:#0c4a6e;color:#fff;font:inherit;font-size:1.0625rem;font-weight:700;cursor:pointer}
.upload__button:hover{background:#075985}
.upload__button:disabled{background:#6b7280;cursor:progress}
.upload__progress{display:flex;align-items:center;gap:.75rem;margin-top:.75rem}
.upload__progress[hidden]{display:none}
.upload__progress progress{flex:1;height:1rem}
.upload__percent{min-width:3.5rem;text-align:right;font-variant-numeric:tabular-nums;font-weight:600}
.upload__status{margin:.6rem 0 0;min-height:1.5rem;font-weight:600}
.upload__status:empty{min-height:0;margin:0}
.upload__status[data-state="error"]{color:#b91c1c}
.upload__status[data-state="ok"]{color:#15803d}
.cta{margin:1rem 0 0;padding:.75rem;border-radius:.5rem;background:#eff6ff;border:1px solid #bfdbfe}
.cta .hint{margin:.5rem 0 0}
.cta__link{display:block;text-align:center;min-height:3rem;padding:.75rem 1rem;border-radius:.5rem;background:#1d4ed8;color:#fff;font-weight:700;font-size:1.0625rem;text-decoration:none}
.cta__link:hover{background:#1e40af}
.cta__link[hidden]{display:none}
.cal{margin:0 0 1rem;padding:.75rem 1rem;border-radius:.5rem;background:#eff6ff;border:1px solid #bfdbfe}
.cal[hidden]{display:none}
.cal__title{font-size:1rem;margin:0 0 .25rem}
.cal__link{display:inline-block;margin:.25rem 0 .5rem;padding:.5rem 1rem;border-radius:.5rem;background:#1d4ed8;color:#fff;font-weight:700;text-decoration:none}
.cal__link:hover{background:#1e40af}
.cal__label{display:block;font-size:.875rem;color:#374151;margin:0 0 .25rem}
.cal__url{width:100%;font:inherit;font-size:.875rem;padding:.4rem .5rem;border:1px solid #9ca3af;border-radius:.375rem;background:#fff;color:#1f2937}
.foot{border-top:1px solid #d1d5db;background:#fff;padding:1rem 0 2rem;font-size:.9375rem}
.foot p{margin:0 0 .25rem}
.foot__title{font-size:1rem;margin:0 0 .5rem}
.foot__name{font-weight:700;margin:0}
.foot a{display:inline-block;padding:.3rem 0}
.foot__time{color:#4b5563;margin-top:.75rem}
@media (min-width:40rem){
.top__unit{font-size:1.625rem}
.facts div{grid-template-columns:10rem 1fr;gap:1rem;align-items:baseline}
.upload__button{display:inline-block;width:auto;min-width:12rem}
}
`;

/**
 * The upload flow, run inside an IIFE after `var CONFIG = ...`: ask the API for a presigned form, post the file to
 * the bucket with XMLHttpRequest (fetch has no upload progress), then poll until the recorder has checked the file.
 * Plain ES2019, no dependencies; written with String.raw so what is here is byte for byte what the browser runs.
 */
const CLIENT_SCRIPT = String.raw`var FAILED = 'Tải lên thất bại, vui lòng thử lại.';
var POLL_INTERVAL_MS = 1000;
var POLL_MAX_TRIES = 30;
var apiBase = CONFIG.basePath + '/u/' + encodeURIComponent(CONFIG.token);

function UserError(message) { this.userMessage = message; }

function extensionOf(name) {
  var dot = name.lastIndexOf('.');
  return dot < 0 ? '' : name.slice(dot + 1).toLowerCase();
}

// The browser's type when we accept it; otherwise, when it gave none (or only the generic binary type, as some
// systems do for Office files), the type our accepted list gives the extension.
function contentTypeOf(file) {
  var type = (file.type || '').toLowerCase();
  if (type && CONFIG.acceptedTypes.indexOf(type) >= 0) return type;
  if (!type || type === 'application/octet-stream') {
    var byExtension = CONFIG.typesByExtension[extensionOf(file.name)];
    if (byExtension) return byExtension;
  }
  return null;
}

function problemWith(file) {
  if (!file) return 'Vui lòng chọn một tệp để gửi.';
  if (!(file.size > 0)) return 'Tệp rỗng, vui lòng chọn tệp khác.';
  if (file.size > CONFIG.maxUploadBytes) return 'Tệp quá lớn: tối đa ' + CONFIG.maxUploadLabel + '.';
  if (!contentTypeOf(file)) return 'Loại tệp không được chấp nhận. Chỉ nhận ' + CONFIG.acceptedTypesLabel + '.';
  return null;
}

function readJson(response) {
  return response.json().then(null, function () { return null; });
}

function requestUploadForm(milestoneId, file, contentType) {
  return fetch(apiBase + '/uploads', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ milestoneId: milestoneId, fileName: file.name, contentType: contentType, size: file.size }),
    credentials: 'same-origin',
    cache: 'no-store'
  }).then(function (response) {
    return readJson(response).then(function (body) {
      if (response.ok && body && typeof body.url === 'string' && body.fields && body.uploadId) return body;
      var message = body && body.error && typeof body.error.message === 'string' ? body.error.message : FAILED;
      throw new UserError(message);
    });
  }, function () { throw new UserError(FAILED); });
}

function sendToBucket(form, file, onProgress) {
  return new Promise(function (resolve, reject) {
    var data = new FormData();
    // Presigned POST policy fields first, in the order given; the bucket ignores anything after the file.
    Object.keys(form.fields).forEach(function (name) { data.append(name, form.fields[name]); });
    data.append('file', file);
    var xhr = new XMLHttpRequest();
    xhr.open('POST', form.url);
    xhr.upload.onprogress = function (event) {
      if (event.lengthComputable && event.total > 0) onProgress(event.loaded / event.total);
    };
    xhr.onload = function () {
      if (xhr.status >= 200 && xhr.status < 300) resolve();
      else reject(new UserError(FAILED));
    };
    xhr.onerror = xhr.onabort = xhr.ontimeout = function () { reject(new UserError(FAILED)); };
    xhr.send(data);
  });
}

// Resolves with the final state, or { state: 'timeout' }; a failed poll is just another try.
function waitForCheck(uploadId) {
  var tries = 0;
  return new Promise(function (resolve) {
    function next() {
      if (tries >= POLL_MAX_TRIES) resolve({ state: 'timeout' });
      else setTimeout(poll, POLL_INTERVAL_MS);
    }
    function poll() {
      tries += 1;
      fetch(apiBase + '/uploads/' + encodeURIComponent(uploadId), { headers: { accept: 'application/json' }, cache: 'no-store' })
        .then(function (response) { return response.ok ? readJson(response) : null; })
        .then(function (body) {
          if (body && (body.state === 'accepted' || body.state === 'quarantined')) resolve(body);
          else next();
        }, next);
    }
    next();
  });
}

function setUp(form) {
  var milestoneId = form.getAttribute('data-milestone-id');
  var input = form.querySelector('[data-role="file"]');
  var button = form.querySelector('[data-role="submit"]');
  var progressRow = form.querySelector('[data-role="progress-row"]');
  var progress = form.querySelector('[data-role="progress"]');
  var percent = form.querySelector('[data-role="percent"]');
  var status = form.querySelector('[data-role="status"]');
  var busy = false;

  function say(message, state) {
    status.textContent = message;
    if (state) status.setAttribute('data-state', state);
    else status.removeAttribute('data-state');
  }
  function showProgress(fraction) {
    var value = Math.max(0, Math.min(100, Math.round(fraction * 100)));
    progress.value = value;
    percent.textContent = value + '%';
  }
  function finish() {
    busy = false;
    button.disabled = false;
    input.disabled = false;
  }

  input.addEventListener('change', function () { say(''); });

  form.addEventListener('submit', function (event) {
    event.preventDefault();
    if (busy) return;
    var file = input.files && input.files[0];
    var problem = problemWith(file);
    if (problem) { say(problem, 'error'); return; }
    busy = true;
    button.disabled = true;
    input.disabled = true;
    showProgress(0);
    progressRow.hidden = false;
    say('Đang chuẩn bị gửi tệp…');
    requestUploadForm(milestoneId, file, contentTypeOf(file))
      .then(function (uploadForm) {
        say('Đang tải lên…');
        return sendToBucket(uploadForm, file, showProgress).then(function () { return uploadForm; });
      })
      .then(function (uploadForm) {
        showProgress(1);
        say('Đã tải lên, đang kiểm tra tệp…');
        return waitForCheck(uploadForm.uploadId);
      })
      .then(function (result) {
        if (result.state === 'accepted') {
          say('Đã nộp' + (result.late ? ' (nộp muộn)' : ''), 'ok');
          setTimeout(function () { location.reload(); }, 1500);
        } else if (result.state === 'quarantined') {
          say('Tệp không được chấp nhận: ' + (result.rejectReason || 'tệp bị cách ly.'), 'error');
          // Longer pause: the reason is worth reading; the reloaded page lists the file with it too.
          setTimeout(function () { location.reload(); }, 4000);
        } else {
          say('Tệp đã được gửi; hệ thống đang xử lý, vui lòng tải lại trang sau ít phút.');
          finish();
        }
      })
      .then(null, function (error) {
        progressRow.hidden = true;
        say(error && error.userMessage ? error.userMessage : FAILED, 'error');
        finish();
      });
  });
}

Array.prototype.forEach.call(document.querySelectorAll('form[data-upload]'), setUp);

Array.prototype.forEach.call(document.querySelectorAll('a[data-self-score-link]'), function (link) {
  link.href = apiBase + '/self-score';
  link.hidden = false;
});

// The calendar feed: webcal: subscribes (iPhone, Mac, Outlook); the https address is for pasting (Google, Outlook web).
Array.prototype.forEach.call(document.querySelectorAll('[data-calendar]'), function (box) {
  var path = apiBase + '/calendar.ics';
  var link = box.querySelector('[data-calendar-link]');
  var address = box.querySelector('[data-calendar-url]');
  link.href = 'webcal://' + location.host + path;
  address.value = location.origin + path;
  address.addEventListener('focus', function () { address.select(); });
  box.hidden = false;
});`;
