import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { escapeHtml } from '../../shared/views/html';
import { renderDigest, renderDocumentReminder, renderEventReminder, type RenderedEmail } from '../../shared/views/reminder-emails';
import type { ContactView, DigestView, DocumentReminderView, EventReminderView } from '../../shared/views/reminder-emails-model';

// Reference plan: Cụm Thi đua số 5, năm học 2021 - 2022 (seed/ke-hoach-cum-thi-dua-so-5-2021-2022.md).
const CLUSTER = 'Cụm Thi đua số 5';
const UNIT = 'Công đoàn Trường mẫu A (đơn vị mẫu)';
const DEPUTY = 'Công đoàn Trường Cao đẳng Nghề Công nghiệp Thanh Hóa';
const DOCUMENT = 'Báo cáo sơ kết 06 tháng đầu năm học';
const DUE = 'trước ngày 10/12/2021 (nhận đến hết ngày 09/12/2021)';
const DUE_SHORT = 'trước ngày 10/12/2021';
const LINK = 'https://thidua.example.vn/u/eyJrIjoxLCJjIjoiY3VtLTUiLCJ1IjoidHJ1b25nLWEifQ.c2lnbmF0dXJlLWhtYWM';
const CONTACT: ContactView = {
  name: 'Nguyễn Thanh Tâm',
  position: 'Phó Chủ tịch Công đoàn Trường Đại học Văn hóa, Thể thao và Du lịch Thanh Hóa',
  email: 'congdoan.dvtdt@gmail.com',
  phone: '0949.007.377',
  address: 'Số 561, Quang Trung 3, P. Đông Vệ, TP. Thanh Hóa',
};
const DOCUMENT_FOOTER = `Bạn nhận email này vì địa chỉ của bạn là email liên hệ của ${UNIT} trong ${CLUSTER}; email chỉ gửi tới các đơn vị chưa nộp tài liệu.`;
const EVENT = 'Hội nghị Sơ kết hoạt động học kỳ I, năm học 2021 – 2022';
const INVITATIONS = 'Triển khai giấy mời tới các đơn vị thành viên trong Cụm';

function reminder(p: Partial<DocumentReminderView> = {}): DocumentReminderView {
  return {
    kind: 'reminder',
    clusterName: CLUSTER,
    unitName: UNIT,
    milestoneTitle: 'Báo cáo sơ kết 06 tháng',
    documentTitle: DOCUMENT,
    recipientsLabel: 'Đơn vị Cụm trưởng',
    dueLabel: DUE,
    dueShort: DUE_SHORT,
    daysLeft: 7,
    link: LINK,
    contact: CONTACT,
    ...p,
  };
}

function overdue(p: Partial<DocumentReminderView> = {}): DocumentReminderView {
  const { daysLeft: _none, ...rest } = reminder({ kind: 'overdue' });
  return { ...rest, ...p };
}

function event(p: Partial<EventReminderView> = {}): EventReminderView {
  return {
    clusterName: CLUSTER,
    unitName: DEPUTY,
    milestoneTitle: EVENT,
    dateLabel: 'ngày 28/12/2021',
    daysLeft: 3,
    place: 'Trường Cao đẳng Nghề Công nghiệp Thanh Hóa (đơn vị Cụm phó)',
    participants: 'Đại diện Ban Thường vụ Công đoàn Viên chức tỉnh; Lãnh đạo các đơn vị thành viên trong Cụm',
    tasks: [INVITATIONS, 'Chuẩn bị các điều kiện cho hội nghị'],
    contact: CONTACT,
    ...p,
  };
}

const SAMPLE = (letter: string) => `Công đoàn Trường mẫu ${letter} (đơn vị mẫu)`;

function digest(p: Partial<DigestView> = {}): DigestView {
  return {
    clusterName: CLUSTER,
    milestoneTitle: 'Báo cáo sơ kết 06 tháng',
    documentTitle: DOCUMENT,
    dueLabel: DUE,
    totalUnits: 6,
    onTime: [
      { unitName: SAMPLE('A'), receivedAtLabel: '08:15 01/12/2021' },
      { unitName: SAMPLE('B'), receivedAtLabel: '16:40 08/12/2021' },
      { unitName: SAMPLE('C'), receivedAtLabel: '23:58 09/12/2021' },
    ],
    late: [{ unitName: SAMPLE('D'), receivedAtLabel: '07:05 10/12/2021' }],
    missing: [{ unitName: SAMPLE('E'), extensionLabel: 'Đơn vị được gia hạn đến hết ngày 15/12/2021' }, { unitName: SAMPLE('G') }],
    undeliverable: [{ unitName: SAMPLE('G'), email: 'vanthu.truongg@example.vn', reason: 'Hộp thư không tồn tại (bounce)' }],
    ...p,
  };
}

const count = (s: string, sub: string) => s.split(sub).length - 1;
/** The HTML with attributes stripped, so assertions read like the table they check. */
const bare = (page: string) => page.replace(/<([a-z0-9]+)\s[^>]*>/g, '<$1>');
/** Lines of a plain-text section: after the heading line, up to the next blank line. */
function textSection(text: string, heading: string): string[] {
  const lines = text.split('\n');
  const start = lines.indexOf(heading);
  expect(start, `no section "${heading}"`).toBeGreaterThanOrEqual(0);
  const end = lines.indexOf('', start);
  return lines.slice(start + 1, end);
}
/** The markup after an HTML section's heading, up to the next heading or the footer. */
function htmlSection(page: string, heading: string): string {
  const b = bare(page);
  const start = b.indexOf(`<h2>${escapeHtml(heading)}</h2>`);
  expect(start, `no section "${heading}"`).toBeGreaterThanOrEqual(0);
  const rest = b.slice(start + 1);
  const end = rest.search(/<h2>|<p>Bạn nhận email này/);
  return rest.slice(0, end);
}
const hrefs = (page: string) => [...page.matchAll(/href="([^"]*)"/g)].map((m) => m[1]);
const isNfc = (s: string) => s === s.normalize('NFC');

describe('document reminder (before the deadline)', () => {
  it.each([
    [7, `[${CLUSTER}] Nhắc hạn nộp: ${DOCUMENT} – còn 7 ngày (${DUE_SHORT})`],
    [1, `[${CLUSTER}] Nhắc hạn nộp: ${DOCUMENT} – còn 1 ngày (${DUE_SHORT})`],
    [0, `[${CLUSTER}] Nhắc hạn nộp: ${DOCUMENT} – hôm nay là ngày cuối (${DUE_SHORT})`],
  ])('with %i day(s) left has the subject "%s"', (daysLeft, subject) => {
    expect(renderDocumentReminder(reminder({ daysLeft })).subject).toBe(subject);
  });

  it('without a usable day count leaves the count out of the subject rather than guess', () => {
    const plain = `[${CLUSTER}] Nhắc hạn nộp: ${DOCUMENT} (${DUE_SHORT})`;
    expect(renderDocumentReminder(reminder({ daysLeft: undefined })).subject).toBe(plain);
    expect(renderDocumentReminder(reminder({ daysLeft: -1 })).subject).toBe(plain);
    expect(renderDocumentReminder(reminder({ daysLeft: 1.5 })).subject).toBe(plain);
  });

  it('greets the unit, says the document was not received and gives the deadline rule and days left, in text and HTML', () => {
    const { text, html } = renderDocumentReminder(reminder({ daysLeft: 1 }));
    expect(text.startsWith(`Kính gửi ${UNIT},\n`)).toBe(true);
    expect(text).toContain(`${CLUSTER} chưa nhận được “${DOCUMENT}” của đơn vị.`);
    expect(text).toContain(`- Thời hạn: ${DUE}\n`);
    expect(text).toContain('- Thời gian còn lại: còn 1 ngày\n');
    expect(text).toContain('- Nơi nhận: Đơn vị Cụm trưởng\n');
    expect(text).toContain('- Mốc: Báo cáo sơ kết 06 tháng\n');
    const b = bare(html);
    expect(b).toContain(`<p>Kính gửi ${escapeHtml(UNIT)},</p>`);
    expect(b).toContain(`<tr><th>Thời hạn</th><td>${DUE}</td></tr>`);
    expect(b).toContain('<tr><th>Thời gian còn lại</th><td>còn 1 ngày</td></tr>');
    expect(b).toContain(`<tr><th>Tài liệu</th><td>${DOCUMENT}</td></tr>`);
  });

  it('on the last day says "hôm nay là ngày cuối", never "còn 0 ngày"', () => {
    const email = renderDocumentReminder(reminder({ daysLeft: 0 }));
    for (const part of [email.subject, email.text, email.html]) expect(part).not.toContain('còn 0 ngày');
    expect(email.text).toContain('Hôm nay là ngày cuối để nộp.');
    expect(email.text).toContain('- Thời gian còn lại: hôm nay là ngày cuối\n');
    expect(bare(email.html)).toContain('<tr><th>Thời gian còn lại</th><td>hôm nay là ngày cuối</td></tr>');
  });

  it("carries the unit's own link: a visible URL on its own line in text, a button and a visible link in HTML", () => {
    const { text, html } = renderDocumentReminder(reminder());
    expect(text.split('\n')).toContain(LINK);
    expect(hrefs(html)).toEqual([LINK, LINK]);
    expect(bare(html)).toContain(`<a>Nộp tài liệu</a>`);
    expect(bare(html)).toContain(`<a>${LINK}</a>`);
  });

  it('says receipts come by email, names the contact person and ends with why the unit receives it', () => {
    const { text, html } = renderDocumentReminder(reminder());
    expect(text).toContain('Sau khi tải lên, đơn vị sẽ nhận được biên nhận qua email');
    expect(textSection(text, 'Người liên hệ:')).toEqual([
      '- Họ tên: Đ/c Nguyễn Thanh Tâm',
      `- Chức vụ: ${CONTACT.position}`,
      '- Email: congdoan.dvtdt@gmail.com',
      '- Điện thoại: 0949.007.377',
      `- Địa chỉ: ${CONTACT.address}`,
    ]);
    expect(text.endsWith(`\n--\n${DOCUMENT_FOOTER}`)).toBe(true);
    const contact = htmlSection(html, 'Người liên hệ');
    for (const value of ['Đ/c Nguyễn Thanh Tâm', CONTACT.position, CONTACT.email, CONTACT.phone]) expect(contact).toContain(`<td>${value}</td>`);
    expect(html).toContain('biên nhận qua email');
    expect(bare(html)).toContain(`<p>${escapeHtml(DOCUMENT_FOOTER)}</p>`);
  });

  it('shows the extension line only when the unit has one, and says so in the subject', () => {
    const extension = 'Đơn vị được gia hạn đến hết ngày 15/12/2021';
    const withIt = renderDocumentReminder(reminder({ extensionLabel: extension, daysLeft: 4 }));
    expect(withIt.subject).toBe(`[${CLUSTER}] Nhắc hạn nộp: ${DOCUMENT} – còn 4 ngày (${DUE_SHORT}; đơn vị được gia hạn)`);
    expect(withIt.text).toContain(`- Gia hạn: ${extension}\n`);
    expect(bare(withIt.html)).toContain(`<tr><th>Gia hạn</th><td>${extension}</td></tr>`);
    const without = renderDocumentReminder(reminder());
    expect(without.text).not.toContain('Gia hạn');
    expect(without.html).not.toContain('Gia hạn');
  });

  it('leaves the contact section out when the plan names nobody, and keeps the rest', () => {
    const { text, html } = renderDocumentReminder(reminder({ contact: undefined }));
    expect(text).not.toContain('Người liên hệ');
    expect(html).not.toContain('Người liên hệ');
    expect(text).toContain(LINK);
    expect(text.endsWith(DOCUMENT_FOOTER)).toBe(true);
  });
});

describe('document reminder (overdue)', () => {
  it('has the subject "Quá hạn" with the deadline', () => {
    expect(renderDocumentReminder(overdue()).subject).toBe(`[${CLUSTER}] Quá hạn: ${DOCUMENT} (hạn ${DUE_SHORT})`);
  });

  it('says the deadline has passed without the document, and that late uploads are accepted and marked late by default', () => {
    const { text, html } = renderDocumentReminder(overdue());
    const passed = `Thời hạn nộp “${DOCUMENT}” đã qua nhưng ${CLUSTER} chưa nhận được tài liệu này của đơn vị.`;
    const lateOk = 'Tài liệu nộp muộn vẫn được nhận và sẽ được ghi nhận là nộp muộn.';
    expect(text).toContain(passed);
    expect(text).toContain(lateOk);
    expect(text).toContain(`- Thời hạn: ${DUE}\n`);
    expect(text).not.toMatch(/còn \d+ ngày|ngày cuối/);
    expect(bare(html)).toContain(`<p>${passed}</p>`);
    expect(bare(html)).toContain(`<p>${lateOk}</p>`);
  });

  it('uses the late-upload rule when there is one instead of the default', () => {
    const { text, html } = renderDocumentReminder(overdue({ lateUploadsLabel: 'đến hết ngày 20/12/2021' }));
    expect(text).toContain('Nhận tài liệu nộp muộn: đến hết ngày 20/12/2021.');
    expect(text).not.toContain('vẫn được nhận');
    expect(html).toContain('Nhận tài liệu nộp muộn: đến hết ngày 20/12/2021.');
    const closed = renderDocumentReminder(overdue({ lateUploadsLabel: 'không' }));
    expect(closed.text).toContain('Nhận tài liệu nộp muộn: không.\n');
  });

  it('shows a late-upload rule written as a whole sentence as is', () => {
    const rule = 'Đơn vị vẫn có thể nộp (ghi nhận là nộp muộn) đến hết ngày 20/12/2021.';
    const { text, html } = renderDocumentReminder(overdue({ lateUploadsLabel: rule }));
    expect(text.split('\n')).toContain(rule);
    expect(bare(html)).toContain(`<p>${rule}</p>`);
    expect(text).not.toContain('Nhận tài liệu nộp muộn');
  });

  it('shows the extension line only when the unit has one', () => {
    const extension = 'Đơn vị được gia hạn đến hết ngày 15/12/2021';
    expect(renderDocumentReminder(overdue({ extensionLabel: extension })).text).toContain(`- Gia hạn: ${extension}\n`);
    expect(bare(renderDocumentReminder(overdue({ extensionLabel: extension })).html)).toContain(`<tr><th>Gia hạn</th><td>${extension}</td></tr>`);
    expect(renderDocumentReminder(overdue()).text).not.toContain('Gia hạn');
  });

  it('carries the link, the contact and the footer', () => {
    const { text, html } = renderDocumentReminder(overdue());
    expect(text.split('\n')).toContain(LINK);
    expect(hrefs(html)).toEqual([LINK, LINK]);
    expect(text).toContain('- Điện thoại: 0949.007.377');
    expect(htmlSection(html, 'Người liên hệ')).toContain('<td>congdoan.dvtdt@gmail.com</td>');
    expect(text.endsWith(`\n--\n${DOCUMENT_FOOTER}`)).toBe(true);
    expect(html).toContain(escapeHtml(DOCUMENT_FOOTER));
  });
});

describe('links', () => {
  it.each([
    'javascript:alert(document.cookie)',
    'JaVaScRiPt:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    'vbscript:msgbox(1)',
    'ftp://thidua.example.vn/u/abc',
    '//evil.example/u/abc',
    '/u/abc',
    'https://',
    'https://[::1/u/abc',
    'https://thidua.example.vn:99999/u/abc',
    'https://thidua.example.vn/u/a\nb',
    ' javascript:alert(1)',
  ])('renders %j as text, never as href', (link) => {
    const { text, html } = renderDocumentReminder(reminder({ link }));
    expect(html).not.toContain('href=');
    expect(html).not.toContain('<a');
    expect(html).toContain(escapeHtml(link.replace(/\s+/g, ' ').trim()));
    expect(text).toContain(link.replace(/\s+/g, ' ').trim());
  });

  it('keeps http links (local stack) clickable', () => {
    const local = 'http://localhost:3000/u/eyJrIjoxfQ.c2ln';
    expect(hrefs(renderDocumentReminder(reminder({ link: local })).html)).toEqual([local, local]);
  });

  it('escapes quotes in an http(s) link so it cannot leave the href attribute', () => {
    const link = 'https://thidua.example.vn/u/a"onmouseover="alert(1)"x=\'';
    const { html } = renderDocumentReminder(reminder({ link }));
    expect(html).not.toContain('"onmouseover="');
    expect(html).toContain('a&quot;onmouseover=&quot;alert(1)&quot;x=&#39;');
    expect(hrefs(html)).toEqual([escapeHtml(link), escapeHtml(link)]);
  });
});

describe('event reminder', () => {
  it('has the subject "Nhắc lịch" with the date', () => {
    expect(renderEventReminder(event()).subject).toBe(`[${CLUSTER}] Nhắc lịch: ${EVENT} – ngày 28/12/2021`);
  });

  it("lists the deputy's own tasks, in text and HTML", () => {
    const { text, html } = renderEventReminder(event());
    expect(textSection(text, 'Nhiệm vụ của đơn vị:')).toEqual([`- ${INVITATIONS}`, '- Chuẩn bị các điều kiện cho hội nghị']);
    expect(htmlSection(html, 'Nhiệm vụ của đơn vị')).toContain(`<ul>\n<li>${INVITATIONS}</li>\n<li>Chuẩn bị các điều kiện cho hội nghị</li>\n</ul>`);
  });

  it('gives the date, days left, place and participants, the contact and the footer', () => {
    const view = event();
    const { text, html } = renderEventReminder(view);
    expect(text.startsWith(`Kính gửi ${DEPUTY},\n`)).toBe(true);
    expect(text).toContain('- Thời gian: ngày 28/12/2021\n');
    expect(text).toContain('- Thời gian còn lại: còn 3 ngày\n');
    expect(text).toContain(`- Địa điểm: ${view.place}\n`);
    expect(text).toContain(`- Thành phần tham dự: ${view.participants}\n`);
    expect(text).toContain('- Họ tên: Đ/c Nguyễn Thanh Tâm\n');
    const footer = `Bạn nhận email này vì địa chỉ của bạn là email liên hệ của ${DEPUTY} trong ${CLUSTER}, và vì đơn vị của bạn tham gia ${EVENT}.`;
    expect(text.endsWith(`\n--\n${footer}`)).toBe(true);
    const b = bare(html);
    expect(b).toContain('<tr><th>Thời gian</th><td>ngày 28/12/2021</td></tr>');
    expect(b).toContain('<tr><th>Thời gian còn lại</th><td>còn 3 ngày</td></tr>');
    expect(b).toContain(`<tr><th>Địa điểm</th><td>${view.place}</td></tr>`);
    expect(b).toContain(`<p>${footer}</p>`);
  });

  it('skips blank tasks, and the whole list when every task is blank', () => {
    const some = renderEventReminder(event({ tasks: [' \n ', INVITATIONS, ''] }));
    expect(textSection(some.text, 'Nhiệm vụ của đơn vị:')).toEqual([`- ${INVITATIONS}`]);
    expect(count(some.html, '<li>')).toBe(1);
    const none = renderEventReminder(event({ tasks: ['  '] }));
    expect(none.text).not.toContain('Nhiệm vụ của đơn vị');
    expect(none.html).not.toContain('<ul>');
  });

  it('says "diễn ra hôm nay" on the day, and leaves out a task list the unit does not have', () => {
    const { text, html } = renderEventReminder(event({ unitName: UNIT, tasks: [], daysLeft: 0, place: undefined }));
    expect(text).toContain('- Thời gian còn lại: diễn ra hôm nay\n');
    expect(text).not.toContain('còn 0 ngày');
    expect(text).not.toContain('Nhiệm vụ của đơn vị');
    expect(html).not.toContain('<ul>');
    expect(text).not.toContain('Địa điểm');
  });
});

describe('digest to the cluster head', () => {
  it('has the subject with missing/total', () => {
    expect(renderDigest(digest()).subject).toBe(`[${CLUSTER}] Tổng hợp: ${DOCUMENT} – 2/6 đơn vị chưa nộp`);
    expect(renderDigest(digest({ missing: [] })).subject).toBe(`[${CLUSTER}] Tổng hợp: ${DOCUMENT} – 0/6 đơn vị chưa nộp`);
  });

  it('gives the deadline and the counts', () => {
    const { text, html } = renderDigest(digest());
    expect(text).toContain(
      [`- Thời hạn: ${DUE}`, '- Tổng số đơn vị: 6', '- Nộp đúng hạn: 3', '- Nộp muộn: 1', '- Chưa nộp: 2'].join('\n'),
    );
    const b = bare(html);
    for (const [k, val] of [['Thời hạn', DUE], ['Tổng số đơn vị', '6'], ['Nộp đúng hạn', '3'], ['Nộp muộn', '1'], ['Chưa nộp', '2']]) {
      expect(b).toContain(`<tr><th>${k}</th><td>${val}</td></tr>`);
    }
  });

  it('lists each unit in its own list, with receipt times and extension notes (text)', () => {
    const { text } = renderDigest(digest());
    const at = 'Thời điểm nhận (giờ Việt Nam)';
    expect(textSection(text, 'Nộp đúng hạn (3):')).toEqual([
      `1. ${SAMPLE('A')} – ${at}: 08:15 01/12/2021`,
      `2. ${SAMPLE('B')} – ${at}: 16:40 08/12/2021`,
      `3. ${SAMPLE('C')} – ${at}: 23:58 09/12/2021`,
    ]);
    expect(textSection(text, 'Nộp muộn (1):')).toEqual([`1. ${SAMPLE('D')} – ${at}: 07:05 10/12/2021`]);
    expect(textSection(text, 'Chưa nộp (2):')).toEqual([
      `1. ${SAMPLE('E')} – Ghi chú: Đơn vị được gia hạn đến hết ngày 15/12/2021`,
      `2. ${SAMPLE('G')}`,
    ]);
  });

  it('lists each unit in its own table, with receipt times and extension notes (HTML)', () => {
    const { html } = renderDigest(digest());
    const row = (...cells: string[]) => `<tr>${cells.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`;
    const onTime = htmlSection(html, 'Nộp đúng hạn (3)');
    expect(onTime).toContain(row('1', SAMPLE('A'), '08:15 01/12/2021'));
    expect(onTime).toContain(row('3', SAMPLE('C'), '23:58 09/12/2021'));
    expect(onTime).not.toContain(SAMPLE('D'));
    expect(htmlSection(html, 'Nộp muộn (1)')).toContain(row('1', SAMPLE('D'), '07:05 10/12/2021'));
    const missing = htmlSection(html, 'Chưa nộp (2)');
    expect(missing).toContain(row('1', SAMPLE('E'), 'Đơn vị được gia hạn đến hết ngày 15/12/2021'));
    expect(missing).toContain(row('2', SAMPLE('G'), ''));
    expect(missing).not.toContain(SAMPLE('A'));
  });

  it('has a section of undeliverable addresses with unit and reason, only when there are some', () => {
    const heading = 'Địa chỉ email không nhận được thư';
    const withThem = renderDigest(digest());
    expect(textSection(withThem.text, `${heading}:`)).toEqual([
      `1. ${SAMPLE('G')} – Địa chỉ email: vanthu.truongg@example.vn; Lý do: Hộp thư không tồn tại (bounce)`,
    ]);
    expect(htmlSection(withThem.html, heading)).toContain(
      `<tr><td>1</td><td>${SAMPLE('G')}</td><td>vanthu.truongg@example.vn</td><td>Hộp thư không tồn tại (bounce)</td></tr>`,
    );
    const without = renderDigest(digest({ undeliverable: [] }));
    expect(without.text).not.toContain(heading);
    expect(without.html).not.toContain(heading);
  });

  it('says "Tất cả các đơn vị đã nộp" when nobody is missing, and only then', () => {
    const all = renderDigest(digest({ missing: [] }));
    expect(textSection(all.text, 'Chưa nộp (0):')).toEqual(['Tất cả các đơn vị đã nộp.']);
    expect(htmlSection(all.html, 'Chưa nộp (0)')).toContain('<p>Tất cả các đơn vị đã nộp.</p>');
    expect(renderDigest(digest()).text).not.toContain('Tất cả các đơn vị đã nộp');
    expect(renderDigest(digest()).html).not.toContain('Tất cả các đơn vị đã nộp');
  });

  it('ends with why the head receives it', () => {
    const footer = `Bạn nhận email này vì địa chỉ của bạn là email của đơn vị Cụm trưởng ${CLUSTER}.`;
    const { text, html } = renderDigest(digest());
    expect(text.endsWith(`\n--\n${footer}`)).toBe(true);
    expect(bare(html)).toContain(`<p>${footer}</p>`);
  });
});

describe('hostile text', () => {
  const SCRIPT = 'Trường <script>alert("x")</script>';
  const ATTR = `Báo cáo" onmouseover="alert(1)' x='`;

  const emails = (): Array<[string, RenderedEmail]> => [
    ['reminder', renderDocumentReminder(reminder({ unitName: SCRIPT, documentTitle: ATTR, clusterName: ATTR }))],
    ['overdue', renderDocumentReminder(overdue({ unitName: SCRIPT, documentTitle: ATTR, lateUploadsLabel: SCRIPT }))],
    ['event', renderEventReminder(event({ unitName: SCRIPT, milestoneTitle: ATTR, tasks: [SCRIPT, ATTR] }))],
    [
      'digest',
      renderDigest(
        digest({
          documentTitle: ATTR,
          onTime: [{ unitName: SCRIPT, receivedAtLabel: ATTR }],
          missing: [{ unitName: ATTR, extensionLabel: SCRIPT }],
          undeliverable: [{ unitName: SCRIPT, email: `"><img src=x onerror=alert(1)>@x.vn`, reason: ATTR }],
        }),
      ),
    ],
  ];

  it.each(emails())('%s: names and titles are escaped in HTML, the raw strings absent', (_name, { html }) => {
    expect(html).not.toContain('<script');
    expect(html).not.toContain('<img');
    expect(html).not.toContain(SCRIPT);
    expect(html).not.toContain(ATTR);
    expect(html).not.toContain('" onmouseover="');
    expect(html).toContain('Trường &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(html).toContain('Báo cáo&quot; onmouseover=&quot;alert(1)&#39; x=&#39;');
  });

  it('keeps the hostile names readable, as they are, in the plain text', () => {
    const { text } = renderDocumentReminder(reminder({ unitName: SCRIPT }));
    expect(text.startsWith(`Kính gửi ${SCRIPT},`)).toBe(true);
  });

  it('keeps each name on one line: no fake paragraph, link or header from a line break', () => {
    const unitName = 'Trường A\r\n\r\n--\r\nhttps://evil.example/phish\nBcc: x@evil.example';
    const email = renderDocumentReminder(reminder({ unitName }));
    expect(email.subject).not.toMatch(/[\r\n]/);
    expect(email.text.split('\n')).not.toContain('https://evil.example/phish');
    expect(email.text).toContain('Kính gửi Trường A -- https://evil.example/phish Bcc: x@evil.example,');
    expect(hrefs(email.html)).toEqual([LINK, LINK]);
  });

  it('turns decomposed Vietnamese (NFD) into NFC, and shows a leading combining mark on its own', () => {
    const email = renderDocumentReminder(reminder({ unitName: UNIT.normalize('NFD'), documentTitle: '\u0338<b>' }));
    for (const part of [email.subject, email.text, email.html]) expect(isNfc(part)).toBe(true);
    expect(email.text).toContain(`Kính gửi ${UNIT},`);
    expect(bare(email.html)).toContain(`<td>\u25CC\u0338&lt;b&gt;</td>`);
    expect(email.html).not.toContain('\u226F'); // ">" + U+0338 composes to "≯" under NFC
  });
});

describe('properties', () => {
  const nasty = fc.string({
    unit: fc.constantFrom('<', '>', '"', "'", '&', '/', '=', ' ', '\n', 's', 'c', 'r', 'i', 'p', 't', 'ệ', 'e\u0302\u0323', '\u0338', '\u0301', '\u202E', '\u2028'),
    maxLength: 30,
  });
  const text = fc.oneof(nasty, fc.string({ unit: 'binary', maxLength: 30 }), fc.constantFrom('<script>alert(1)</script>', '"><img src=x>', '<!--'));
  /** Never blank after trimming, so optional rows stay present and the structure comparable. */
  const filled = fc.tuple(text, text).map(([a, b]) => `${a}x${b}`);
  const structure = (page: string) => ({ lt: count(page, '<'), gt: count(page, '>'), quot: count(page, '"'), href: count(page, 'href=') });
  const checkNfc = (email: RenderedEmail) => {
    expect(isNfc(email.subject)).toBe(true);
    expect(isNfc(email.text)).toBe(true);
    expect(isNfc(email.html)).toBe(true);
    expect(email.subject).not.toMatch(/[\r\n]/);
  };

  it('document reminder: text fields add no markup and the output is NFC', () => {
    const build = (kind: DocumentReminderView['kind'], s: string[]) =>
      renderDocumentReminder(
        reminder({
          kind,
          clusterName: s[0]!,
          unitName: s[1]!,
          milestoneTitle: s[2]!,
          documentTitle: s[3]!,
          recipientsLabel: s[4]!,
          dueLabel: s[5]!,
          dueShort: s[6]!,
          extensionLabel: s[7]!,
          lateUploadsLabel: s[8]!,
          contact: { name: s[9]!, position: s[10]!, email: s[11]!, phone: s[12]!, address: s[13]! },
        }),
      );
    const baseline = {
      reminder: structure(build('reminder', Array(14).fill('a')).html),
      overdue: structure(build('overdue', Array(14).fill('a')).html),
    };
    fc.assert(
      fc.property(fc.constantFrom('reminder', 'overdue'), fc.tuple(text, text), fc.array(filled, { minLength: 12, maxLength: 12 }), (kind, [cluster, unit], rest) => {
        const email = build(kind, [cluster, unit, ...rest]);
        expect(structure(email.html)).toEqual(baseline[kind]);
        checkNfc(email);
      }),
    );
  });

  it('document reminder: any link is either an http(s) href or plain text, never markup', () => {
    const withHref = structure(renderDocumentReminder(reminder()).html);
    const asText = structure(renderDocumentReminder(reminder({ link: 'javascript:x' })).html);
    expect(withHref).not.toEqual(asText);
    const link = fc.oneof(text, text.map((s) => `https://thidua.example.vn/u/${s}`), fc.webUrl(), fc.constantFrom('javascript:alert(1)', 'data:,x'));
    fc.assert(
      fc.property(link, (l) => {
        const email = renderDocumentReminder(reminder({ link: l }));
        expect([withHref, asText]).toContainEqual(structure(email.html));
        for (const href of hrefs(email.html)) expect(href).toMatch(/^https?:\/\/[^\s/?#]/i);
        checkNfc(email);
      }),
    );
  });

  it('event reminder: text fields add no markup and the output is NFC', () => {
    const build = (s: string[]) =>
      renderEventReminder(
        event({
          clusterName: s[0]!,
          unitName: s[1]!,
          milestoneTitle: s[2]!,
          dateLabel: s[3]!,
          place: s[4]!,
          participants: s[5]!,
          tasks: [s[6]!, s[7]!],
          contact: { name: s[8]!, position: s[9]! },
        }),
      );
    const baseline = structure(build(Array(10).fill('a')).html);
    fc.assert(
      fc.property(fc.tuple(text, text), fc.array(filled, { minLength: 8, maxLength: 8 }), ([cluster, unit], rest) => {
        const email = build([cluster, unit, ...rest]);
        expect(structure(email.html)).toEqual(baseline);
        checkNfc(email);
      }),
    );
  });

  it('digest: text fields add no markup and the output is NFC', () => {
    const build = (s: string[]) =>
      renderDigest(
        digest({
          clusterName: s[0]!,
          milestoneTitle: s[1]!,
          documentTitle: s[2]!,
          dueLabel: s[3]!,
          onTime: [{ unitName: s[4]!, receivedAtLabel: s[5]! }],
          late: [{ unitName: s[6]!, receivedAtLabel: s[7]! }],
          missing: [{ unitName: s[8]!, extensionLabel: s[9]! }],
          undeliverable: [{ unitName: s[10]!, email: s[11]!, reason: s[12]! }],
        }),
      );
    const baseline = structure(build(Array(13).fill('a')).html);
    fc.assert(
      fc.property(text, fc.array(filled, { minLength: 12, maxLength: 12 }), (cluster, rest) => {
        const email = build([cluster, ...rest]);
        expect(structure(email.html)).toEqual(baseline);
        checkNfc(email);
      }),
    );
  });
});
