/**
 * Emails about uploads, as pure functions from a view to subject, plain text and HTML. Edit the wording here.
 */
import type { OutgoingEmail } from '../ports/mailer';
import { html, type SafeHtml } from './html';

export interface UploadEmailView {
  clusterName: string;
  unitName: string;
  milestoneTitle: string;
  documentTitle: string;
  fileName: string;
  sizeLabel: string;
  sizeBytes: number;
  sha256: string;
  /** "08:15 09/12/2021". */
  receivedAtLabel: string;
  late: boolean;
  /** "trước ngày 10/12/2021 (nhận đến hết ngày 09/12/2021)". */
  dueLabel: string;
  outcome: 'accepted' | 'quarantined';
  rejectReason?: string;
  contact?: { name: string; position?: string; email?: string; phone?: string };
}

type Rendered = Pick<OutgoingEmail, 'subject' | 'text' | 'html'>;

const bytesVi = (n: number): string => n.toLocaleString('vi-VN');

function facts(v: UploadEmailView): Array<[string, string]> {
  return [
    ['Mốc', v.milestoneTitle],
    ['Tài liệu', v.documentTitle],
    ['Tên tệp', v.fileName],
    ['Dung lượng', `${v.sizeLabel} (${bytesVi(v.sizeBytes)} byte)`],
    ['Mã kiểm tra SHA-256', v.sha256],
    ['Thời điểm nhận', `${v.receivedAtLabel} (giờ Việt Nam)`],
    ['Thời hạn', v.dueLabel],
    ...(v.outcome === 'accepted' ? ([['Tình trạng', v.late ? 'Nộp muộn' : 'Đúng hạn']] as Array<[string, string]>) : []),
  ];
}

function contactLine(v: UploadEmailView): string | undefined {
  if (!v.contact) return undefined;
  return [`Đ/c ${v.contact.name}`, v.contact.position, v.contact.email, v.contact.phone && `ĐT ${v.contact.phone}`].filter(Boolean).join(' – ');
}

/** A value that is a whole web address becomes a link (escaped like any text); anything else stays text. */
const linkOrText = (value: string): SafeHtml | string => (/^https?:\/\/[^\s"<>]+$/.test(value) ? html`<a href="${value}">${value}</a>` : value);

/** The HTML of a transactional email: an intro, a table of facts, paragraphs, a footer. */
export function layout(title: string, intro: string, rows: Array<[string, string]>, after: string[], footer: string): SafeHtml {
  return html`<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><title>${title}</title></head>
<body style="font-family:Arial,Helvetica,sans-serif;color:#1f2933;line-height:1.5">
<p>${intro}</p>
<table cellpadding="6" style="border-collapse:collapse">
${rows.map(([k, val]) => html`<tr><th align="left" style="border-bottom:1px solid #ddd;vertical-align:top">${k}</th><td style="border-bottom:1px solid #ddd;word-break:break-all">${linkOrText(val)}</td></tr>`)}
</table>
${after.map((p) => html`<p>${p}</p>`)}
<p style="color:#6b7280;font-size:12px">${footer}</p>
</body></html>`;
}

/** The plain-text twin of `layout`. */
export function text(intro: string, rows: Array<[string, string]>, after: string[], footer: string): string {
  return [intro, '', ...rows.map(([k, val]) => `- ${k}: ${val}`), '', ...after.flatMap((p) => [p, '']), '--', footer].join('\n');
}

/** To the unit: the receipt (biên nhận) for an accepted file, or why a file was not accepted. */
export function renderUnitUploadEmail(v: UploadEmailView): Rendered {
  const contact = contactLine(v);
  const footer = `Bạn nhận email này vì địa chỉ của bạn là email liên hệ của ${v.unitName} trong ${v.clusterName}.`;
  const greeting = `Kính gửi ${v.unitName},`;
  if (v.outcome === 'accepted') {
    const intro = `${greeting} ${v.clusterName} đã nhận tài liệu của đơn vị. Email này là biên nhận tự động: bằng chứng đơn vị đã nộp tài liệu vào thời điểm dưới đây.`;
    const after = [
      v.late ? 'Tài liệu được nhận sau thời hạn nên được ghi nhận là nộp muộn.' : 'Tài liệu được nhận trong thời hạn.',
      'Nếu cần bổ sung hoặc thay thế, đơn vị gửi lại tệp qua đường link của đơn vị; mọi lần gửi đều được lưu lại.',
      ...(contact ? [`Liên hệ: ${contact}.`] : []),
    ];
    const rows = facts(v);
    return {
      subject: `[${v.clusterName}] Biên nhận: ${v.documentTitle} – ${v.unitName}`,
      text: text(intro, rows, after, footer),
      html: layout('Biên nhận tài liệu', intro, rows, after, footer).value,
    };
  }
  const intro = `${greeting} tệp đơn vị vừa gửi cho mốc "${v.milestoneTitle}" chưa được chấp nhận.`;
  const after = [
    `Lý do: ${v.rejectReason ?? 'tệp không hợp lệ.'}`,
    'Tệp đã được lưu riêng, không bị xóa. Vui lòng kiểm tra lại và gửi lại tệp đúng định dạng qua đường link của đơn vị.',
    ...(contact ? [`Liên hệ: ${contact}.`] : []),
  ];
  const rows = facts(v);
  return {
    subject: `[${v.clusterName}] Tệp chưa được chấp nhận: ${v.documentTitle} – ${v.unitName}`,
    text: text(intro, rows, after, footer),
    html: layout('Tệp chưa được chấp nhận', intro, rows, after, footer).value,
  };
}

/** To the cluster head: a unit has sent a document. */
export function renderHeadUploadNotice(v: UploadEmailView): Rendered {
  const intro = `${v.unitName} vừa nộp tài liệu cho mốc "${v.milestoneTitle}"${v.late ? ' (nộp muộn)' : ''}.`;
  const footer = `Bạn nhận email này vì địa chỉ của bạn là email của đơn vị Cụm trưởng ${v.clusterName}.`;
  const rows = facts(v);
  return {
    subject: `[${v.clusterName}] ${v.unitName} đã nộp: ${v.documentTitle}${v.late ? ' (muộn)' : ''}`,
    text: text(intro, rows, [], footer),
    html: layout('Đơn vị vừa nộp tài liệu', intro, rows, [], footer).value,
  };
}
