import { describe, expect, it } from 'vitest';
import { renderUnitLinkEmail, type UnitLinkEmailView } from '../../shared/views/link-email';

const URL = 'https://thidua.example.vn/u/eyJrIjoxLCJjIjoiY3VtLTUifQ.c2lnbmF0dXJl';
const view = (p: Partial<UnitLinkEmailView> = {}): UnitLinkEmailView => ({
  clusterName: 'Cụm Thi đua số 5',
  unitName: 'Công đoàn Trường mẫu A (đơn vị mẫu)',
  planTitle: 'Kế hoạch hoạt động của Cụm Thi đua số 5 năm học 2021 - 2022',
  url: URL,
  validThroughLabel: '31/10/2022',
  upcoming: [
    { title: 'Báo cáo sơ kết 06 tháng đầu năm học', dueLabel: 'trước ngày 10/12/2021 (nhận đến hết ngày 09/12/2021)' },
    { title: 'Bảng tự chấm điểm thi đua', dueLabel: 'trước ngày 31/05/2022 (nhận đến hết ngày 30/05/2022)' },
  ],
  contact: { name: 'Nguyễn Thanh Tâm', email: 'congdoan.dvtdt@gmail.com', phone: '0949.007.377' },
  ...p,
});

describe('renderUnitLinkEmail', () => {
  it('says whose link it is, for which plan, until when, and what is due next', () => {
    const email = renderUnitLinkEmail(view());
    expect(email.subject).toBe('[Cụm Thi đua số 5] Đường link nộp tài liệu của Công đoàn Trường mẫu A (đơn vị mẫu)');
    expect(email.text).toBe(
      [
        'Kính gửi Công đoàn Trường mẫu A (đơn vị mẫu), Cụm Thi đua số 5 gửi đơn vị đường link riêng để nộp tài liệu theo Kế hoạch hoạt động của Cụm Thi đua số 5 năm học 2021 - 2022. Đơn vị không cần tài khoản: mở đường link, chọn mốc cần nộp và gửi tệp; mỗi lần gửi đơn vị đều nhận được biên nhận qua email.',
        '',
        '- Đơn vị: Công đoàn Trường mẫu A (đơn vị mẫu)',
        '- Kế hoạch: Kế hoạch hoạt động của Cụm Thi đua số 5 năm học 2021 - 2022',
        `- Đường link nộp tài liệu: ${URL}`,
        '- Hiệu lực: đến hết ngày 31/10/2022',
        '',
        'Tài liệu đơn vị cần nộp sắp tới:',
        '',
        '• Báo cáo sơ kết 06 tháng đầu năm học: trước ngày 10/12/2021 (nhận đến hết ngày 09/12/2021).',
        '',
        '• Bảng tự chấm điểm thi đua: trước ngày 31/05/2022 (nhận đến hết ngày 30/05/2022).',
        '',
        'Đường link này dành riêng cho đơn vị, xin không chia sẻ cho người ngoài. Nếu đường link bị lộ, đề nghị báo cho đơn vị Cụm trưởng để được cấp đường link mới (đường link cũ sẽ không dùng được nữa).',
        '',
        'Liên hệ: Đ/c Nguyễn Thanh Tâm – congdoan.dvtdt@gmail.com – ĐT 0949.007.377.',
        '',
        '--',
        'Bạn nhận email này vì địa chỉ của bạn là email liên hệ của Công đoàn Trường mẫu A (đơn vị mẫu) trong Cụm Thi đua số 5.',
      ].join('\n'),
    );
    expect(email.html).toContain('<title>Đường link nộp tài liệu</title>');
    // A link the reader can click (mail clients do not all turn plain addresses into links).
    expect(email.html).toContain(`<td style="border-bottom:1px solid #ddd;word-break:break-all"><a href="${URL}">${URL}</a></td>`);
    expect(email.text.normalize('NFC')).toBe(email.text);
  });

  it('leaves the due list out when nothing is owed, and the contact when the plan names none', () => {
    const email = renderUnitLinkEmail(view({ upcoming: [], contact: undefined }));
    expect(email.text).not.toContain('sắp tới');
    expect(email.text).not.toContain('Liên hệ');
    expect(email.html).not.toContain('sắp tới');
  });

  it('renders markup in names inert and keeps names on one line', () => {
    const email = renderUnitLinkEmail(view({ unitName: 'Trường <script>alert(1)</script>\r\nBcc: x@evil.test', clusterName: 'Cụm "5" & \u202Eđảo' }));
    expect(email.subject).toBe('[Cụm "5" & đảo] Đường link nộp tài liệu của Trường <script>alert(1)</script> Bcc: x@evil.test');
    expect(email.html).not.toContain('<script>');
    expect(email.html).toContain('Trường &lt;script&gt;alert(1)&lt;/script&gt; Bcc: x@evil.test');
    expect(email.html).toContain('Cụm &quot;5&quot; &amp; đảo');
    expect(email.text.split('\n')[2]).toBe('- Đơn vị: Trường <script>alert(1)</script> Bcc: x@evil.test');
  });
});
