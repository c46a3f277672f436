/** Emails of the admin page: the one-time sign-in link. */
import type { OutgoingEmail } from '../ports/mailer';
import { layout, text } from './emails';

export interface SignInEmailView {
  url: string;
  /** "09:15 25/11/2021". */
  validUntilLabel: string;
  /** The clusters this address administers or views, by name. */
  clusterNames: string[];
}

export function renderSignInEmail(v: SignInEmailView): Pick<OutgoingEmail, 'subject' | 'text' | 'html'> {
  const intro = 'Bạn (hoặc ai đó dùng địa chỉ email này) vừa xin đăng nhập trang quản trị Cụm Thi đua.';
  const rows: Array<[string, string]> = [
    ['Liên kết đăng nhập', v.url],
    ['Hiệu lực đến', `${v.validUntilLabel} (giờ Việt Nam), dùng được một lần`],
    ['Phạm vi', v.clusterNames.join('; ')],
  ];
  const after = [
    'Mở liên kết trên rồi bấm "Đăng nhập". Phiên làm việc kéo dài 12 giờ.',
    'Nếu bạn không xin đăng nhập, hãy bỏ qua email này: không ai vào được khi không có liên kết.',
  ];
  const footer = 'Email tự động của hệ thống Cụm Thi đua; đừng chuyển tiếp email này cho người khác.';
  return {
    subject: 'Liên kết đăng nhập trang quản trị Cụm Thi đua',
    text: text(intro, rows, after, footer),
    html: layout('Đăng nhập Cụm Thi đua', intro, rows, after, footer).value,
  };
}
