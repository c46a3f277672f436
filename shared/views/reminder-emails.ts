/**
 * Reminder emails, as pure functions from a view (shared/views/reminder-emails-model.ts) to subject, plain text and
 * HTML. Edit the wording here: each email is one function below that lists its blocks (paragraphs, facts, the link,
 * lists, tables) in reading order; the helpers at the bottom only lay those blocks out as text and as HTML.
 *
 * Every string of the view goes through {@link cleanText} first (one line, NFC, no bidi controls), then into HTML
 * only through the `html` template, which escapes it. Links become `href` only when they are http(s).
 */
import type { OutgoingEmail } from '../ports/mailer';
import { html, type SafeHtml } from './html';
import type { ContactView, DigestView, DocumentReminderView, EventReminderView } from './reminder-emails-model';

/** What a renderer returns: the caller adds the addresses. */
export type RenderedEmail = Pick<OutgoingEmail, 'subject' | 'text' | 'html'>;

// ---------------------------------------------------------------------------------------------------------------
// The emails
// ---------------------------------------------------------------------------------------------------------------

/**
 * To one unit that has not sent a document yet: before the deadline (kind `'reminder'`, with the days left, "hôm nay
 * là ngày cuối" on the last day) or after it (kind `'overdue'`, with whether late uploads are still accepted).
 * Always carries the unit's own link, the exact deadline rule, the contact person and why the unit receives it.
 *
 * @param view what to say, already in words (see {@link DocumentReminderView}).
 * @returns subject, plain text and HTML, in Vietnamese (NFC).
 */
export function renderDocumentReminder(view: DocumentReminderView): RenderedEmail {
  const v = cleanView(view);
  const footer = `Bạn nhận email này vì địa chỉ của bạn là email liên hệ của ${v.unitName} trong ${v.clusterName}; email chỉ gửi tới các đơn vị chưa nộp tài liệu.`;
  const document: Row[] = [
    ['Mốc', v.milestoneTitle],
    ['Tài liệu', v.documentTitle],
    ['Nơi nhận', v.recipientsLabel],
    ['Thời hạn', v.dueLabel],
  ];
  const afterUpload = 'Sau khi tải lên, đơn vị sẽ nhận được biên nhận qua email, ghi rõ thời điểm nhận tài liệu.';
  const sentOtherwise = 'Nếu đơn vị đã gửi tài liệu bằng cách khác, xin báo cho người liên hệ dưới đây.';

  if (v.kind === 'overdue') {
    return compose({
      subject: `[${v.clusterName}] Quá hạn: ${v.documentTitle} (hạn ${v.dueShort})`,
      title: 'Quá hạn nộp tài liệu',
      blocks: [
        paragraph(`Kính gửi ${v.unitName},`),
        paragraph(`Thời hạn nộp “${v.documentTitle}” đã qua nhưng ${v.clusterName} chưa nhận được tài liệu này của đơn vị.`),
        facts([...document, ['Gia hạn', v.extensionLabel]]),
        paragraph(lateUploadsSentence(v.lateUploadsLabel)),
        action('Đơn vị xem tình trạng và nộp tài liệu qua đường link riêng của đơn vị (không cần tài khoản, không chia sẻ cho người ngoài):', 'Mở trang nộp tài liệu', v.link),
        paragraph(afterUpload),
        paragraph(sentOtherwise),
        ...contactBlocks(v.contact),
      ],
      footer,
    });
  }

  const left = daysLeftPhrase(v.daysLeft);
  return compose({
    // With an extension the days count to the extended day, so the plan's deadline alone would contradict them.
    subject: `[${v.clusterName}] Nhắc hạn nộp: ${v.documentTitle}${left ? ` – ${left}` : ''} (${v.dueShort}${v.extensionLabel ? '; đơn vị được gia hạn' : ''})`,
    title: 'Nhắc hạn nộp tài liệu',
    blocks: [
      paragraph(`Kính gửi ${v.unitName},`),
      paragraph(`${v.clusterName} chưa nhận được “${v.documentTitle}” của đơn vị.${left === LAST_DAY ? ' Hôm nay là ngày cuối để nộp.' : ''}`),
      facts([...document, ['Thời gian còn lại', left], ['Gia hạn', v.extensionLabel]]),
      action('Đề nghị đơn vị nộp tài liệu qua đường link riêng của đơn vị (không cần tài khoản, không chia sẻ cho người ngoài):', 'Nộp tài liệu', v.link),
      paragraph(afterUpload),
      paragraph(sentOtherwise),
      ...contactBlocks(v.contact),
    ],
    footer,
  });
}

/**
 * To one unit taking part in a conference or event: the date, the days left, the place, who attends and this unit's
 * own tasks (the deputy's "Triển khai giấy mời...").
 *
 * @param view what to say, already in words (see {@link EventReminderView}).
 * @returns subject, plain text and HTML, in Vietnamese (NFC).
 */
export function renderEventReminder(view: EventReminderView): RenderedEmail {
  const v = cleanView(view);
  const tasks = v.tasks.filter((t) => t !== '');
  return compose({
    subject: `[${v.clusterName}] Nhắc lịch: ${v.milestoneTitle} – ${v.dateLabel}`,
    title: 'Nhắc lịch',
    blocks: [
      paragraph(`Kính gửi ${v.unitName},`),
      paragraph(`${v.clusterName} trân trọng nhắc đơn vị lịch ${v.milestoneTitle}.`),
      facts([
        ['Thời gian', v.dateLabel],
        ['Thời gian còn lại', eventDaysPhrase(v.daysLeft)],
        ['Địa điểm', v.place],
        ['Thành phần tham dự', v.participants],
      ]),
      ...(tasks.length > 0 ? [list('Nhiệm vụ của đơn vị', tasks)] : []),
      ...contactBlocks(v.contact),
    ],
    footer: `Bạn nhận email này vì địa chỉ của bạn là email liên hệ của ${v.unitName} trong ${v.clusterName}, và vì đơn vị của bạn tham gia ${v.milestoneTitle}.`,
  });
}

/**
 * To the cluster head, after a document deadline: counts, who sent on time and late (with receipt times), who is
 * still missing (with extensions), and the addresses that could not be reached (section left out when there are none).
 *
 * @param view what to say, already in words (see {@link DigestView}).
 * @returns subject, plain text and HTML with simple tables, in Vietnamese (NFC).
 */
export function renderDigest(view: DigestView): RenderedEmail {
  const v = cleanView(view);
  const received = 'Thời điểm nhận (giờ Việt Nam)';
  return compose({
    subject: `[${v.clusterName}] Tổng hợp: ${v.documentTitle} – ${v.missing.length}/${v.totalUnits} đơn vị chưa nộp`,
    title: 'Tổng hợp tình hình nộp tài liệu',
    blocks: [
      paragraph('Kính gửi đơn vị Cụm trưởng,'),
      paragraph(`Tình hình nộp tài liệu của các đơn vị trong ${v.clusterName} sau thời hạn:`),
      facts([
        ['Mốc', v.milestoneTitle],
        ['Tài liệu', v.documentTitle],
        ['Thời hạn', v.dueLabel],
        ['Tổng số đơn vị', String(v.totalUnits)],
        ['Nộp đúng hạn', String(v.onTime.length)],
        ['Nộp muộn', String(v.late.length)],
        ['Chưa nộp', String(v.missing.length)],
      ]),
      table({
        heading: `Chưa nộp (${v.missing.length})`,
        columns: ['Đơn vị', 'Ghi chú'],
        rows: v.missing.map((u) => [u.unitName, u.extensionLabel ?? '']),
        empty: 'Tất cả các đơn vị đã nộp.',
      }),
      table({
        heading: `Nộp muộn (${v.late.length})`,
        columns: ['Đơn vị', received],
        rows: v.late.map((u) => [u.unitName, u.receivedAtLabel]),
        empty: 'Không có đơn vị nào nộp muộn.',
      }),
      table({
        heading: `Nộp đúng hạn (${v.onTime.length})`,
        columns: ['Đơn vị', received],
        rows: v.onTime.map((u) => [u.unitName, u.receivedAtLabel]),
        empty: 'Không có đơn vị nào nộp đúng hạn.',
      }),
      ...(v.undeliverable.length > 0
        ? [
            table({
              heading: 'Địa chỉ email không nhận được thư',
              columns: ['Đơn vị', 'Địa chỉ email', 'Lý do'],
              rows: v.undeliverable.map((u) => [u.unitName, u.email, u.reason]),
              empty: '',
            }),
            paragraph('Nhắc hạn và biên nhận không tới được các địa chỉ này. Đề nghị cập nhật email liên hệ của các đơn vị trên.'),
          ]
        : []),
    ],
    footer: `Bạn nhận email này vì địa chỉ của bạn là email của đơn vị Cụm trưởng ${v.clusterName}.`,
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Wording helpers
// ---------------------------------------------------------------------------------------------------------------

const LAST_DAY = 'hôm nay là ngày cuối';

/** "còn 7 ngày", "hôm nay là ngày cuối" on the last day; nothing when the count is missing or not a whole day count. */
function daysLeftPhrase(days: number | undefined): string | undefined {
  if (days === undefined || !Number.isInteger(days) || days < 0) return undefined;
  return days === 0 ? LAST_DAY : `còn ${days} ngày`;
}

function eventDaysPhrase(days: number): string | undefined {
  if (!Number.isInteger(days) || days < 0) return undefined;
  return days === 0 ? 'diễn ra hôm nay' : `còn ${days} ngày`;
}

/**
 * Whether late uploads are still accepted. The label is either a fragment ("đến hết ngày 20/12/2021", "không"), shown
 * after "Nhận tài liệu nộp muộn:", or a whole sentence starting with a capital ("Đơn vị vẫn có thể nộp ... đến hết
 * ngày 20/12/2021."), shown as is. Without a label, late uploads are accepted with no cut-off.
 */
function lateUploadsSentence(label: string | undefined): string {
  if (!label) return 'Tài liệu nộp muộn vẫn được nhận và sẽ được ghi nhận là nộp muộn.';
  return sentence(/^\p{Lu}/u.test(label) ? label : `Nhận tài liệu nộp muộn: ${label}`);
}

/** Ends a label with a full stop unless it already ends with one. */
function sentence(text: string): string {
  return /[.!?…]$/.test(text) ? text : `${text}.`;
}

function contactBlocks(contact: ContactView | undefined): Block[] {
  if (!contact) return [];
  return [
    facts(
      [
        ['Họ tên', contact.name && `Đ/c ${contact.name}`],
        ['Chức vụ', contact.position],
        ['Email', contact.email],
        ['Điện thoại', contact.phone],
        ['Địa chỉ', contact.address],
      ],
      'Người liên hệ',
    ),
  ];
}

// ---------------------------------------------------------------------------------------------------------------
// Cleaning view text
// ---------------------------------------------------------------------------------------------------------------

const BIDI_CONTROLS = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/g;
const BREAKS_AND_CONTROLS = /[\s\p{Cc}\p{Zl}\p{Zp}]+/gu;
const LEADING_MARK = /^\p{M}/u;

/**
 * One line of NFC text: labels and names are single lines, so line breaks and control characters (which could fake
 * a new paragraph, a link or a header in the plain text) become one space; bidi controls (which could reorder what
 * follows on screen) are dropped. A leading combining mark would fuse with whatever the template puts before it
 * (`>` + U+0338 is `≯` under NFC), so it is shown on a dotted circle, the usual way to show a lone mark.
 */
export function cleanText(text: string): string {
  const t = text.replace(BIDI_CONTROLS, '').replace(BREAKS_AND_CONTROLS, ' ').trim().normalize('NFC');
  return LEADING_MARK.test(t) ? `\u25CC${t}` : t;
}

/** The view with every string in it cleaned (see {@link cleanText}); numbers and structure unchanged. */
export function cleanView<T>(value: T): T {
  if (typeof value === 'string') return cleanText(value) as T;
  if (Array.isArray(value)) return value.map((x: unknown) => cleanView(x)) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, x]) => [k, cleanView(x)])) as T;
  }
  return value;
}

/**
 * The link if it is an absolute http(s) URL, else `undefined` (then it is shown as text, never as `href`). The link is
 * built by the server; this only keeps a broken or hostile one (`javascript:`, `data:`) from becoming clickable.
 */
function httpLink(link: string): string | undefined {
  if (!/^https?:\/\/[^\s/?#]/i.test(link) || /[\s\p{Cc}]/u.test(link)) return undefined;
  try {
    new URL(link); // throws on a malformed host or port
    return link;
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Layout: blocks as plain text and as HTML
// ---------------------------------------------------------------------------------------------------------------

/** A label and its value; rows whose value is missing or empty are left out. */
type Row = readonly [label: string, value: string | undefined];

type Block =
  | { kind: 'paragraph'; text: string }
  | { kind: 'facts'; heading?: string; rows: Row[] }
  | { kind: 'action'; lead: string; button: string; link: string }
  | { kind: 'list'; heading: string; items: string[] }
  | { kind: 'table'; heading: string; columns: string[]; rows: string[][]; empty: string };

interface Email {
  subject: string;
  /** The HTML document's title. */
  title: string;
  blocks: Block[];
  footer: string;
}

const paragraph = (text: string): Block => ({ kind: 'paragraph', text });
const facts = (rows: Row[], heading?: string): Block => ({ kind: 'facts', rows, ...(heading ? { heading } : {}) });
const action = (lead: string, button: string, link: string): Block => ({ kind: 'action', lead, button, link });
const list = (heading: string, items: string[]): Block => ({ kind: 'list', heading, items });
const table = (t: Omit<Extract<Block, { kind: 'table' }>, 'kind'>): Block => ({ kind: 'table', ...t });

const shown = (rows: Row[]): Array<[string, string]> => rows.filter((r): r is [string, string] => !!r[1]);

function compose(email: Email): RenderedEmail {
  return { subject: email.subject, text: toText(email), html: toHtml(email).value };
}

function toText(email: Email): string {
  const lines: string[] = [];
  for (const b of email.blocks) {
    switch (b.kind) {
      case 'paragraph':
        lines.push(b.text, '');
        break;
      case 'facts':
        if (shown(b.rows).length === 0) break;
        if (b.heading) lines.push(`${b.heading}:`);
        lines.push(...shown(b.rows).map(([k, val]) => `- ${k}: ${val}`), '');
        break;
      case 'action':
        lines.push(b.lead, b.link, '');
        break;
      case 'list':
        lines.push(`${b.heading}:`, ...b.items.map((item) => `- ${item}`), '');
        break;
      case 'table':
        lines.push(`${b.heading}:`);
        if (b.rows.length === 0) lines.push(b.empty);
        lines.push(...b.rows.map((cells, i) => `${i + 1}. ${textRow(b.columns, cells)}`), '');
        break;
    }
  }
  return [...lines, '--', email.footer].join('\n');
}

/** "Đơn vị A – Thời điểm nhận: 08:15 09/12/2021; ...": the first cell, then the others with their column's label. */
function textRow(columns: string[], cells: string[]): string {
  const [first = '', ...rest] = cells;
  const labelled = rest.flatMap((cell, i) => (cell === '' ? [] : [`${columns[i + 1] ?? ''}: ${cell}`]));
  return labelled.length > 0 ? `${first} – ${labelled.join('; ')}` : first;
}

const H2 = 'font-size:16px;margin:20px 0 6px';
const CELL = 'border-bottom:1px solid #ddd;vertical-align:top;text-align:left';
const BUTTON = 'display:inline-block;padding:10px 18px;background:#1d4ed8;color:#ffffff;text-decoration:none;border-radius:4px;font-weight:bold';

function toHtml(email: Email): SafeHtml {
  return html`<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><title>${email.title}</title></head>
<body style="font-family:Arial,Helvetica,sans-serif;color:#1f2933;line-height:1.5">
${email.blocks.map(blockHtml)}
<p style="color:#6b7280;font-size:12px">${email.footer}</p>
</body></html>`;
}

function blockHtml(b: Block): SafeHtml {
  switch (b.kind) {
    case 'paragraph':
      return html`<p>${b.text}</p>\n`;
    case 'facts':
      if (shown(b.rows).length === 0) return html``;
      return html`${b.heading && html`<h2 style="${H2}">${b.heading}</h2>\n`}<table cellpadding="6" style="border-collapse:collapse">
${shown(b.rows).map(([k, val]) => html`<tr><th style="${CELL}">${k}</th><td style="${CELL};word-break:break-word">${val}</td></tr>\n`)}</table>\n`;
    case 'action': {
      const href = httpLink(b.link);
      if (!href) return html`<p>${b.lead}</p>\n<p style="word-break:break-all">${b.link}</p>\n`;
      return html`<p>${b.lead}</p>
<p><a href="${href}" style="${BUTTON}">${b.button}</a></p>
<p style="color:#4b5563;font-size:13px">Nếu nút trên không mở được, sao chép đường link sau vào trình duyệt:<br><a href="${href}" style="word-break:break-all">${href}</a></p>\n`;
    }
    case 'list':
      return html`<h2 style="${H2}">${b.heading}</h2>\n<ul>\n${b.items.map((item) => html`<li>${item}</li>\n`)}</ul>\n`;
    case 'table':
      if (b.rows.length === 0) return html`<h2 style="${H2}">${b.heading}</h2>\n<p>${b.empty}</p>\n`;
      return html`<h2 style="${H2}">${b.heading}</h2>
<table cellpadding="6" style="border-collapse:collapse">
<tr><th style="${CELL}">STT</th>${b.columns.map((c) => html`<th style="${CELL}">${c}</th>`)}</tr>
${b.rows.map((cells, i) => html`<tr><td style="${CELL}">${i + 1}</td>${cells.map((c) => html`<td style="${CELL}">${c}</td>`)}</tr>\n`)}</table>\n`;
  }
}
