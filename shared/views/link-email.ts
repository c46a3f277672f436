/**
 * The email that sends a unit its own upload link (Đơn vị > "Gửi link qua email"), as a pure function from a view to
 * subject, plain text and HTML, in the style of the receipts (shared/views/emails.ts). Edit the wording here.
 */
import type { OutgoingEmail } from '../ports/mailer';
import { layout, text } from './emails';
import { cleanView } from './reminder-emails';

export interface UnitLinkEmailView {
  clusterName: string;
  unitName: string;
  planTitle: string;
  url: string;
  /** The last day the link works, "31/10/2022". */
  validThroughLabel: string;
  /** Documents the unit still owes, next first: "Báo cáo sơ kết 6 tháng" with "trước ngày 10/12/2021 (...)". */
  upcoming: Array<{ title: string; dueLabel: string }>;
  contact?: { name: string; position?: string; email?: string; phone?: string };
}

type Rendered = Pick<OutgoingEmail, 'subject' | 'text' | 'html'>;

function contactLine(v: UnitLinkEmailView): string | undefined {
  if (!v.contact) return undefined;
  return [`Đ/c ${v.contact.name}`, v.contact.position, v.contact.email, v.contact.phone && `ĐT ${v.contact.phone}`].filter(Boolean).join(' – ');
}


/** To every address of a unit: its link, how long it works, and what is due next. */
export function renderUnitLinkEmail(view: UnitLinkEmailView): Rendered {
  const v = cleanView(view);
  const intro = `Kính gửi ${v.unitName}, ${v.clusterName} gửi đơn vị đường link riêng để nộp tài liệu theo ${v.planTitle}. Đơn vị không cần tài khoản: mở đường link, chọn mốc cần nộp và gửi tệp; mỗi lần gửi đơn vị đều nhận được biên nhận qua email.`;
  const rows: Array<[string, string]> = [
    ['Đơn vị', v.unitName],
    ['Kế hoạch', v.planTitle],
    ['Đường link nộp tài liệu', v.url],
    ['Hiệu lực', `đến hết ngày ${v.validThroughLabel}`],
  ];
  const contact = contactLine(v);
  const after = [
    ...(v.upcoming.length > 0 ? ['Tài liệu đơn vị cần nộp sắp tới:', ...v.upcoming.map((u) => `• ${u.title}: ${u.dueLabel}.`)] : []),
    'Đường link này dành riêng cho đơn vị, xin không chia sẻ cho người ngoài. Nếu đường link bị lộ, đề nghị báo cho đơn vị Cụm trưởng để được cấp đường link mới (đường link cũ sẽ không dùng được nữa).',
    ...(contact ? [`Liên hệ: ${contact}.`] : []),
  ];
  const footer = `Bạn nhận email này vì địa chỉ của bạn là email liên hệ của ${v.unitName} trong ${v.clusterName}.`;
  return {
    subject: `[${v.clusterName}] Đường link nộp tài liệu của ${v.unitName}`,
    text: text(intro, rows, after, footer),
    html: layout('Đường link nộp tài liệu', intro, rows, after, footer).value,
  };
}
