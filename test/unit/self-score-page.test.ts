/**
 * The self-score form and its printable copy as HTML (escaping, what each state offers, CSP shape, the token), and the
 * form's script run in a VM against a small fake of the DOM it uses (decimal comma, checks naming the criterion, the
 * PUT body, confirm, the server's message, reload).
 */
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { SELF_SCORE_FORM_STATES, type SelfScoreFormState, type SelfScoreFormView } from '../../shared/use-cases/self-score';
import { renderMemberPage } from '../../shared/views/member-page';
import type { MemberMilestoneView, MemberPageView } from '../../shared/views/member-page-model';
import { renderSelfScorePage, renderSelfScorePrint, renderSelfScoreRefused } from '../../shared/views/self-score-page';
import { FakeElement, markupOf, respond, scriptOf, settle, type FakeResponse } from '../support/fake-dom';

const NONCE = 'bm9uY2Utc2VsZi1zY29yZQ';
const TOKEN = 'eyJrIjoxLCJjIjoiY3VtLTUiLCJwIjoiMjAyMS0yMDIyIiwidSI6InRydW9uZy1hIn0.c2VsZi1zY29yZS1zaWduYXR1cmU';
const FILE_A = '1b4e28ba-2fa1-41d2-883f-0016d3cca427';
const FILE_B = '6fa459ea-ee8a-4ca4-894e-db77e160355e';

/** A unit with the sample's first two groups (cut down) and two bonus items, a draft stored at version 3. */
function fixture(overrides: Partial<SelfScoreFormView> = {}): SelfScoreFormView {
  return {
    clusterName: 'Cụm Thi đua số 5',
    provinceName: 'Công đoàn Viên chức tỉnh Thanh Hóa',
    unitName: 'Công đoàn Trường mẫu A (đơn vị mẫu)',
    unitRoleLabel: 'Đơn vị thành viên',
    planTitle: 'Kế hoạch hoạt động Cụm Thi đua số 5 năm học 2021 - 2022',
    schoolYearLabel: '2021 - 2022',
    state: 'open',
    stateMessage: 'Nhập điểm tự chấm từng tiêu chí (không vượt điểm tối đa), giải trình ngắn gọn; có thể lưu nháp và nộp sau.',
    editable: true,
    milestone: {
      milestoneId: 'bang-tu-cham-diem',
      title: 'Bảng tự chấm điểm thi đua năm học 2021 – 2022',
      dueLabel: 'trước ngày 31/05/2022 (nhận đến hết ngày 30/05/2022)',
      wouldBeLate: false,
    },
    scheme: {
      version: 1,
      base: 30,
      sampleNote: 'Mẫu, cần đối chiếu Hướng dẫn 40/HD-CĐVC ngày 17/3/2021 của Công đoàn Viên chức tỉnh trước khi áp dụng',
      groups: [
        {
          groupId: 'phong-trao-thi-dua',
          code: 'I',
          title: 'Tổ chức phong trào thi đua',
          maximum: 15,
          criteria: [
            { criterionId: 'phat-dong-dang-ky', code: '1.1', title: 'Phát động phong trào thi đua, đăng ký thi đua', maximum: 5 },
            {
              criterionId: 'phong-trao-chuyen-mon',
              code: '1.2',
              title: 'Tổ chức các phong trào thi đua gắn với chuyên môn',
              maximum: 10,
              guidance: 'Có kế hoạch và kết quả cụ thể: tối đa 10 điểm',
            },
          ],
        },
        {
          groupId: 'cham-lo-bao-ve',
          code: 'II',
          title: 'Chăm lo đời sống đoàn viên',
          maximum: 15,
          criteria: [
            { criterionId: 'dan-chu-co-so', code: '2.1', title: 'Quy chế dân chủ ở cơ sở', maximum: 10 },
            { criterionId: 'cham-lo-doi-song', code: '2.2', title: 'Chăm lo việc làm, thu nhập', maximum: 5 },
          ],
        },
      ],
      bonus: {
        cap: 3,
        items: [
          { itemId: 'mo-hinh-sang-kien', title: 'Mô hình, sáng kiến được công nhận', maximum: 2 },
          { itemId: 'khen-thuong-cap-tren', title: 'Được cấp trên khen thưởng', maximum: 2 },
        ],
      },
    },
    sheet: {
      status: 'draft',
      version: 3,
      schemeVersion: 1,
      criteria: {
        'phat-dong-dang-ky': { points: 4.5, justification: 'Đã phát động ngày 15/9/2021', evidenceUploadId: FILE_B },
        'dan-chu-co-so': { points: 9.25 },
      },
      bonus: { 'mo-hinh-sang-kien': { points: 2 } },
      updatedAtLabel: '10:05 25/11/2021',
      selfTotal: 15.75,
      selfTotalLabel: '15,75 điểm',
    },
    evidence: [
      { uploadId: FILE_A, fileName: 'Đăng ký thi đua.pdf', milestoneTitle: 'Đăng ký thi đua', receivedAtLabel: '08:00 20/09/2021' },
      { uploadId: FILE_B, fileName: 'Kế hoạch phát động.docx', milestoneTitle: 'Bảng tự chấm điểm thi đua', receivedAtLabel: '09:30 24/11/2021' },
    ],
    contact: { name: 'Nguyễn Thanh Tâm', email: 'congdoan@dvtdt.edu.vn', phone: '0912 345 678' },
    generatedAtLabel: 'Cập nhật lúc 10:06 25/11/2021',
    ...overrides,
  };
}

const submittedSheet = (): NonNullable<SelfScoreFormView['sheet']> => ({
  ...fixture().sheet!,
  status: 'submitted',
  version: 4,
  criteria: {
    'phat-dong-dang-ky': { points: 4.5, justification: 'Đã phát động ngày 15/9/2021', evidenceUploadId: FILE_B },
    'phong-trao-chuyen-mon': { points: 8 },
    'dan-chu-co-so': { points: 9.25 },
    'cham-lo-doi-song': { points: 5 },
  },
  submittedAtLabel: '10:30 25/11/2021',
  late: false,
  selfTotal: 28.75,
  selfTotalLabel: '28,75 điểm',
});

const render = (view: SelfScoreFormView = fixture(), opts: { token?: string; basePath?: string } = {}): string =>
  renderSelfScorePage(view, { token: opts.token ?? TOKEN, nonce: NONCE, ...(opts.basePath !== undefined ? { basePath: opts.basePath } : {}) });

const count = (haystack: string, needle: string): number => haystack.split(needle).length - 1;
/** The markup of one form line (lines hold no nested line). */
function lineOf(page: string, id: string): string {
  const start = page.indexOf(`data-testid="line-${id}"`);
  expect(start, id).toBeGreaterThan(-1);
  const next = page.indexOf('data-testid="line-', start + 1);
  const end = page.indexOf('</section>', start);
  return page.slice(start, next > -1 && next < end ? next : end);
}
const tagsOf = (page: string): string[] => markupOf(page).match(/<[a-z][^>]*>/gi) ?? [];

describe('the form page', () => {
  it('is a Vietnamese NFC document naming the cluster, unit, plan, year, state, deadline and sample note', () => {
    const page = render();
    expect(page.startsWith('<!doctype html>')).toBe(true);
    expect(page).toContain('<html lang="vi">');
    expect(page).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
    expect(page).toBe(page.normalize('NFC'));
    for (const text of [
      'Cụm Thi đua số 5 · Công đoàn Viên chức tỉnh Thanh Hóa',
      '<h1 class="top__unit">Công đoàn Trường mẫu A (đơn vị mẫu)</h1>',
      'Kế hoạch hoạt động Cụm Thi đua số 5 năm học 2021 - 2022',
      'Bảng tự chấm điểm thi đua năm học 2021 - 2022',
      'trước ngày 31/05/2022 (nhận đến hết ngày 30/05/2022)',
      'Thang điểm mẫu: Mẫu, cần đối chiếu Hướng dẫn 40/HD-CĐVC',
      'Bản nháp lưu lúc 10:05 25/11/2021, chưa nộp',
      'Cập nhật lúc 10:06 25/11/2021',
    ]) {
      expect(page).toContain(text);
    }
    expect(page).toContain(`<p class="state state--open" data-testid="state">${fixture().stateMessage}</p>`);
    expect(render(fixture({ scheme: { ...fixture().scheme!, sampleNote: undefined } }))).not.toContain('data-testid="sample-note"');
  });

  it('shows one section per group and one line per criterion with code, title, maximum and guidance', () => {
    const page = render();
    expect(page).toContain('<span class="group__code">I.</span> Tổ chức phong trào thi đua');
    expect(page).toContain('<span class="group__code">II.</span> Chăm lo đời sống đoàn viên');
    expect(page).toContain('Tối đa 15 điểm · Tự chấm: <strong data-group-total="phong-trao-thi-dua">4,5</strong> điểm');
    expect(page).toContain('Tối đa 15 điểm · Tự chấm: <strong data-group-total="cham-lo-bao-ve">9,25</strong> điểm');
    expect(count(page, 'data-line="criterion"')).toBe(4);
    expect(count(page, 'data-line="bonus"')).toBe(2);
    const line = lineOf(page, 'phong-trao-chuyen-mon');
    expect(page).toContain('<div class="line" data-line="criterion" data-id="phong-trao-chuyen-mon" data-code="1.2" data-name="Tiêu chí 1.2" data-max="10" data-group="phong-trao-thi-dua"');
    expect(page).toContain('<div class="line" data-line="bonus" data-id="mo-hinh-sang-kien" data-code="" data-name="Điểm thưởng «Mô hình, sáng kiến được công nhận»" data-max="2" data-testid');
    expect(line).toContain('<span class="line__code">1.2</span>');
    expect(line).toContain('Điểm tối đa: <strong>10</strong>');
    expect(line).toContain('Cách chấm: Có kế hoạch và kết quả cụ thể: tối đa 10 điểm');
    expect(page).toContain('Các mục cộng lại tính tối đa 3 điểm · Tự chấm: <strong data-bonus-total>2</strong> điểm');
    expect(page).toMatch(/<output class="totalbar__value" data-total data-testid="total">15,75<\/output> \/ 30 điểm/);
  });

  it('fills in what the unit stored: points with a decimal comma, justification, chosen evidence', () => {
    const page = render();
    const first = lineOf(page, 'phat-dong-dang-ky');
    expect(first).toContain('value="4,5"');
    expect(first).toContain('>Đã phát động ngày 15/9/2021</textarea>');
    expect(first).toContain(`<option value="${FILE_B}" selected>Kế hoạch phát động.docx (Bảng tự chấm điểm thi đua, 09:30 24/11/2021)</option>`);
    expect(first).toContain(`<option value="${FILE_A}">Đăng ký thi đua.pdf`);
    expect(first).toContain('<option value="">Không có</option>');
    expect(lineOf(page, 'dan-chu-co-so')).toContain('value="9,25"');
    expect(lineOf(page, 'cham-lo-doi-song')).toContain('value=""');
    expect(lineOf(page, 'cham-lo-doi-song')).not.toContain(' selected');
  });

  it('ties every field to a label, announces the status politely and offers both buttons', () => {
    const page = render();
    const ids = [...page.matchAll(/<(?:input|textarea|select) id="([^"]+)"/g)].map((m) => m[1]!);
    expect(ids).toHaveLength(6 * 3);
    for (const id of ids) expect(page).toContain(`<label for="${id}">`);
    expect(new Set(ids).size).toBe(ids.length);
    expect(page).toContain('<label for="points-c-phat-dong-dang-ky">Điểm tự chấm<span class="sr"> Tiêu chí 1.1</span></label>');
    expect(page).toMatch(/id="points-c-phong-trao-chuyen-mon" type="text" inputmode="decimal"[^>]*aria-describedby="title-c-phong-trao-chuyen-mon guide-c-phong-trao-chuyen-mon"/);
    expect(page).toContain('maxlength="1000"');
    expect(page).toMatch(/<p class="form-status" role="status" aria-live="polite"/);
    expect(page).toContain('data-action="save" data-testid="save">Lưu nháp</button>');
    expect(page).toContain('data-action="submit" data-testid="submit">Nộp bảng tự chấm điểm</button>');
    expect(page).toContain('Tệp minh chứng gửi ở trang nộp tài liệu của đơn vị, tại mốc «Bảng tự chấm điểm thi đua năm học 2021 – 2022»');
    expect(page).toContain('<a class="links__item" data-link="member" data-testid="member-link" hidden>Nộp tài liệu / tệp minh chứng</a>');
    expect(page).toContain('<a class="links__item" href="self-score/print" data-testid="print-link">In bản để ký</a>');
  });

  it('warns that a submission now would be late only while the form is editable', () => {
    const late = { ...fixture().milestone!, wouldBeLate: true };
    expect(render(fixture({ milestone: late }))).toContain('data-testid="late-warning"');
    expect(render(fixture({ milestone: late, state: 'closed', editable: false }))).not.toContain('data-testid="late-warning"');
    expect(render()).not.toContain('data-testid="late-warning"');
  });

  it.each(SELF_SCORE_FORM_STATES.filter((s) => s !== 'open'))('state %s: read-only, no inputs or buttons, the state styled', (state: SelfScoreFormState) => {
    const page = render(fixture({ state, editable: false, stateMessage: `Thông báo ${state}` }));
    const markup = markupOf(page);
    for (const tag of ['<form', '<input', '<textarea', '<select', '<button']) expect(markup).not.toContain(tag);
    expect(page).toContain(`<p class="state state--${state}" data-testid="state">Thông báo ${state}</p>`);
    expect(page).toContain('data-testid="self-score-readonly"');
    expect(page).toContain('data-testid="print-link"');
    expect(new RegExp(`\\.state--[a-z-,.]*${state}[,{]`).test(page), `a style for ${state}`).toBe(true);
  });

  it('submitted: shows the points, justification and evidence as text, the total, and keeps the print link', () => {
    const page = render(fixture({ state: 'submitted', editable: false, sheet: submittedSheet() }));
    expect(page).toContain('Đã nộp lúc 10:30 25/11/2021');
    expect(page).toContain('Tự chấm: <strong data-testid="points-phat-dong-dang-ky">4,5</strong>');
    expect(page).toContain('Tự chấm: <strong data-testid="points-dan-chu-co-so">9,25</strong>');
    expect(page).toContain('Tự chấm: <strong data-testid="points-khen-thuong-cap-tren">chưa chấm</strong>');
    expect(page).toContain('Giải trình: Đã phát động ngày 15/9/2021');
    expect(page).toContain('Minh chứng: Kế hoạch phát động.docx');
    expect(page).toContain('<strong data-testid="total">28,75 điểm</strong> / 30 điểm');
    expect(page).toContain('href="self-score/print"');
    const late = render(fixture({ state: 'submitted', editable: false, sheet: { ...submittedSheet(), late: true } }));
    expect(late).toContain('<span class="tag tag--late">nộp muộn</span>');
  });

  it('not open and no sheet yet: the criteria with their maxima, nothing to print', () => {
    const page = render(fixture({ state: 'not-open', editable: false, sheet: undefined }));
    expect(page).toContain('1.2</span> <span class="line__title">Tổ chức các phong trào thi đua gắn với chuyên môn');
    expect(page).not.toContain('data-testid="print-link"');
    expect(page).not.toContain('Tự chấm:');
    expect(page).not.toContain('data-testid="sheet-status"');
  });

  it('no scheme: the message only', () => {
    const page = render(fixture({ state: 'no-scheme', editable: false, scheme: undefined, sheet: undefined, stateMessage: 'Cụm chưa ban hành thang điểm thi đua năm học này.' }));
    expect(page).toContain('Cụm chưa ban hành thang điểm thi đua năm học này.');
    expect(page).not.toContain('class="group');
    expect(page).not.toContain('data-testid="evidence-hint"');
  });
});

describe('escaping what people wrote', () => {
  const SCRIPT = '<script>alert(1)</script>';
  const ATTR = '" onfocus="alert(1)';

  it('renders a hostile unit name, justification, file name and guidance inert', () => {
    const view = fixture({ unitName: `Trường ${SCRIPT}` });
    view.sheet!.criteria['phat-dong-dang-ky'] = { points: 4.5, justification: `</textarea>${SCRIPT}${ATTR}`, evidenceUploadId: FILE_A };
    view.evidence[0]!.fileName = `tệp${ATTR}.pdf`;
    view.scheme!.groups[0]!.criteria[1]!.guidance = `<img src=x onerror=alert(1)>`;
    for (const page of [render(view), renderSelfScorePrint(view, { nonce: NONCE })]) {
      expect(page).not.toContain(SCRIPT);
      expect(page).not.toContain(ATTR);
      expect(page).not.toContain('<img');
      expect(page).toContain('Trường &lt;script&gt;alert(1)&lt;/script&gt;');
      expect(count(page, '<script')).toBe(1);
      for (const tag of tagsOf(page)) expect(tag).not.toMatch(/\son[a-z]+\s*=/i);
    }
    const form = render(view);
    expect(form).toContain('&lt;/textarea&gt;&lt;script&gt;alert(1)&lt;/script&gt;&quot; onfocus=&quot;alert(1)</textarea>');
    expect(count(form, '</textarea>')).toBe(6);
    expect(form).toContain(`tệp&quot; onfocus=&quot;alert(1).pdf`);
  });
});

describe('content security policy and the token', () => {
  const pages: Array<[string, string]> = [
    ['open form', render()],
    ['submitted form', render(fixture({ state: 'submitted', editable: false, sheet: submittedSheet() }))],
    ['not-open form', render(fixture({ state: 'not-open', editable: false, sheet: undefined }))],
    ['print (draft)', renderSelfScorePrint(fixture(), { nonce: NONCE })],
    ['print (submitted)', renderSelfScorePrint(fixture({ state: 'submitted', editable: false, sheet: submittedSheet() }), { nonce: NONCE })],
    ['print (no sheet)', renderSelfScorePrint(fixture({ sheet: undefined }), { nonce: NONCE })],
  ];

  it.each(pages)('%s: exactly one style and one script, both with the nonce', (_name, page) => {
    expect(page.match(/<style\b[^>]*>/g)).toEqual([`<style nonce="${NONCE}">`]);
    expect(page.match(/<script\b[^>]*>/g)).toEqual([`<script nonce="${NONCE}">`]);
  });

  it.each(pages)('%s: no inline handlers, style attributes, other origins; links only relative to the page', (_name, page) => {
    const tags = tagsOf(page);
    expect(tags.length).toBeGreaterThan(10);
    for (const tag of tags) {
      expect(tag).not.toMatch(/\son[a-z]+\s*=/i);
      expect(tag).not.toMatch(/\sstyle\s*=/i);
      expect(tag).not.toMatch(/javascript:/i);
      const href = /\s(?:href|src|action)="([^"]*)"/.exec(tag)?.[1];
      if (href !== undefined) expect(['self-score/print', '../self-score', 'data:,', 'mailto:congdoan@dvtdt.edu.vn', 'tel:0912345678']).toContain(href);
    }
    expect(page).not.toMatch(/https?:\/\//i);
  });

  it.each(pages)('%s: the token is nowhere but the form script’s CONFIG', (name, page) => {
    expect(markupOf(page)).not.toContain(TOKEN);
    expect(count(page, TOKEN)).toBe(name.endsWith('form') ? 1 : 0);
  });

  it('embeds the config safely, with the version to save against', () => {
    const hostile = 'abc</script><script>alert(1)</script>\u2028';
    const page = render(fixture(), { token: hostile, basePath: '/prod/' });
    expect(count(page, '</script>')).toBe(1);
    expect(page).not.toMatch(/\u2028/);
    const config = JSON.parse(/var CONFIG = (.*);\n/.exec(scriptOf(page))![1]!);
    expect(config).toEqual({ token: hostile, basePath: '/prod', expectedVersion: 3, bonusCap: 3 });
    expect(JSON.parse(/var CONFIG = (.*);\n/.exec(scriptOf(render(fixture({ sheet: undefined }))))![1]!).expectedVersion).toBe(0);
  });

  it('the refused page says why, without script', () => {
    const page = renderSelfScoreRefused({ message: 'Đường link này chỉ dùng để nộp tài liệu cho một mốc khác.', nonce: NONCE });
    expect(page).toContain('Không mở được bảng tự chấm điểm');
    expect(page).toContain('Đường link này chỉ dùng để nộp tài liệu cho một mốc khác.');
    expect(page).not.toContain('<script');
    expect(page.match(/<style\b[^>]*>/g)).toEqual([`<style nonce="${NONCE}">`]);
  });
});

describe('the printable copy', () => {
  const draft = renderSelfScorePrint(fixture(), { nonce: NONCE });
  const submitted = renderSelfScorePrint(fixture({ state: 'submitted', editable: false, sheet: submittedSheet() }), { nonce: NONCE });
  const row = (page: string, testId: string): string[] => {
    const start = page.indexOf(`data-testid="${testId}"`);
    expect(start, testId).toBeGreaterThan(-1);
    const tr = page.slice(start, page.indexOf('</tr>', start));
    return [...tr.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((m) => m[1]!.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim());
  };

  it('is an A4 portrait document with print styles and an "In" button the print hides', () => {
    expect(draft).toContain('@page{size:A4 portrait;');
    expect(draft).toContain('@media print{');
    expect(draft).toMatch(/\.no-print\{display:none!important\}/);
    expect(draft).toContain('<div class="toolbar no-print">');
    expect(draft).toContain('<button class="toolbar__print" type="button" data-print data-testid="print-button">In</button>');
    expect(scriptOf(draft)).toContain('window.print()');
    expect(draft).toContain('<a class="toolbar__back" href="../self-score">');
  });

  it('has the header, the title with the school year, and the table columns', () => {
    expect(draft).toContain('<p class="upper">Cụm Thi đua số 5</p>');
    expect(draft).toContain('<p class="upper strong underline">Công đoàn Trường mẫu A (đơn vị mẫu)</p>');
    expect(draft).toContain('Cộng hòa xã hội chủ nghĩa Việt Nam');
    expect(draft).toContain('Độc lập - Tự do - Hạnh phúc');
    expect(draft).toContain('<h1 class="doc-title">BẢNG TỰ CHẤM ĐIỂM THI ĐUA NĂM HỌC 2021 - 2022</h1>');
    const headers = [...draft.matchAll(/<th scope="col">([^<]+)<\/th>/g)].map((m) => m[1]);
    expect(headers).toEqual(['STT/Mã', 'Nội dung tiêu chí', 'Điểm tối đa', 'Điểm tự chấm', 'Giải trình']);
  });

  it('lists groups with subtotals, criteria with points and justification, the bonus capped, and the total', () => {
    expect(row(submitted, 'print-group-phong-trao-thi-dua')).toEqual(['I', 'Tổ chức phong trào thi đua', '15', '12,5', '']);
    expect(row(submitted, 'print-line-phat-dong-dang-ky')).toEqual([
      '1.1',
      'Phát động phong trào thi đua, đăng ký thi đua',
      '5',
      '4,5',
      'Đã phát động ngày 15/9/2021 Minh chứng: Kế hoạch phát động.docx',
    ]);
    expect(row(submitted, 'print-group-cham-lo-bao-ve')).toEqual(['II', 'Chăm lo đời sống đoàn viên', '15', '14,25', '']);
    expect(row(submitted, 'print-group-bonus')).toEqual(['+', 'Điểm thưởng (các mục cộng lại tính tối đa 3 điểm)', '3', '2', '']);
    expect(row(submitted, 'print-line-mo-hinh-sang-kien')).toEqual(['-', 'Mô hình, sáng kiến được công nhận', '2', '2', '']);
    expect(row(submitted, 'print-line-khen-thuong-cap-tren')).toEqual(['-', 'Được cấp trên khen thưởng', '2', '', '']);
    expect(submitted).toContain('<td class="num pts" data-testid="print-total">28,75</td>');
    expect(submitted).toContain('Tổng số điểm đơn vị tự chấm: <strong>28,75 điểm</strong>');
    // The draft leaves unscored criteria blank.
    expect(row(draft, 'print-line-phong-trao-chuyen-mon')[3]).toBe('');
  });

  it('says draft or submitted, and has the signature block with the date line to fill by hand', () => {
    expect(draft).toContain('<p class="status status--draft" data-testid="print-status">Bản nháp — chưa nộp</p>');
    expect(draft).not.toContain('Đã nộp lúc');
    expect(submitted).toContain('<p class="status status--submitted" data-testid="print-status">Đã nộp lúc 10:30 25/11/2021</p>');
    expect(renderSelfScorePrint(fixture({ sheet: { ...submittedSheet(), late: true } }), { nonce: NONCE })).toContain('Đã nộp lúc 10:30 25/11/2021 (nộp muộn)');
    for (const page of [draft, submitted]) {
      expect(page).toContain('……………, ngày …… tháng …… năm ………');
      expect(page).toContain('<p class="strong">NGƯỜI LẬP BẢNG</p>');
      expect(page).toContain('<p class="strong">TM. BAN CHẤP HÀNH</p>');
      expect(page).toContain('<p class="strong">CHỦ TỊCH</p>');
      expect(page.indexOf('NGƯỜI LẬP BẢNG')).toBeLessThan(page.indexOf('TM. BAN CHẤP HÀNH'));
    }
  });

  it('without a sheet: a short message, no table, no print button', () => {
    const page = renderSelfScorePrint(fixture({ sheet: undefined }), { nonce: NONCE });
    expect(page).toContain('Đơn vị chưa lưu bảng tự chấm điểm nào cho năm học 2021 - 2022.');
    expect(page).not.toContain('<table');
    expect(markupOf(page)).not.toContain('<button');
    expect(page).not.toContain('NGƯỜI LẬP BẢNG');
  });
});

// ---------------------------------------------------------------------------------------------------------------
// The form's script in a VM, against fake elements built from the rendered lines.

class FakeLine extends FakeElement {
  readonly points = new FakeElement();
  readonly justification = new FakeElement();
  readonly evidence = new FakeElement();
  querySelector(selector: string): FakeElement | null {
    return ({ '[data-role="points"]': this.points, '[data-role="justification"]': this.justification, '[data-role="evidence"]': this.evidence } as Record<string, FakeElement>)[selector] ?? null;
  }
}

const decode = (s: string) => s.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

function boot(page: string, answer: (url: string, init: { method?: string; body?: string }) => FakeResponse, confirmAnswer = true) {
  const lines = new Map<string, FakeLine>();
  for (const m of page.matchAll(/<div class="line" ((?:data-[a-z]+="[^"]*" ?)+)/g)) {
    const line = new FakeLine();
    for (const a of m[1]!.matchAll(/(data-[a-z]+)="([^"]*)"/g)) line.setAttribute(a[1]!, decode(a[2]!));
    const id = line.getAttribute('data-id')!;
    const stored = new RegExp(`id="points-[cb]-${id}"[^>]*value="([^"]*)"`).exec(page)?.[1] ?? '';
    line.points.value = decode(stored);
    line.justification.value = decode(new RegExp(`id="justification-[cb]-${id}"[^>]*>([^<]*)</textarea>`).exec(page)?.[1] ?? '');
    const select = page.slice(page.indexOf(`id="evidence-`, page.indexOf(`data-id="${id}"`)), page.indexOf('</select>', page.indexOf(`data-id="${id}"`)));
    line.evidence.value = /<option value="([^"]*)" selected>/.exec(select)?.[1] ?? '';
    line.points.setAttribute('data-role', 'points');
    lines.set(id, line);
  }
  const status = new FakeElement();
  const total = new FakeElement();
  const bonusTotal = new FakeElement();
  const groupTotals = new Map<string, FakeElement>();
  const save = new FakeElement();
  save.setAttribute('data-action', 'save');
  const submit = new FakeElement();
  submit.setAttribute('data-action', 'submit');
  const memberLink = new FakeElement();
  const form = Object.assign(new FakeElement(), {
    querySelector(selector: string): FakeElement | null {
      if (selector === '[data-role="status"]') return status;
      if (selector === '[data-total]') return total;
      if (selector === '[data-bonus-total]') return bonusTotal;
      const group = /^\[data-group-total="([^"]+)"\]$/.exec(selector);
      if (group) {
        if (!groupTotals.has(group[1]!)) groupTotals.set(group[1]!, new FakeElement());
        return groupTotals.get(group[1]!)!;
      }
      return null;
    },
    querySelectorAll(selector: string): FakeElement[] {
      if (selector === 'button[data-action]') return [save, submit];
      if (selector === '[data-line]') return [...lines.values()];
      return [];
    },
  });
  const fetchCalls: Array<{ url: string; init: { method?: string; body?: string; headers?: Record<string, string> } }> = [];
  const timers: Array<{ run: () => void; ms: number }> = [];
  const reloads: number[] = [];
  const confirms: string[] = [];
  vm.runInNewContext(scriptOf(page), {
    document: {
      querySelector: (selector: string) => (selector === 'form[data-self-score]' ? form : null),
      querySelectorAll: (selector: string) => (selector === 'a[data-link="member"]' ? [memberLink] : []),
    },
    window: {
      confirm: (message: string) => {
        confirms.push(message);
        return confirmAnswer;
      },
    },
    fetch: (url: string, init: { method?: string; body?: string }) => {
      fetchCalls.push({ url, init });
      return Promise.resolve(answer(url, init));
    },
    setTimeout: (run: () => void, ms: number) => timers.push({ run, ms }),
    location: { reload: () => reloads.push(1) },
  });
  return {
    line: (id: string) => lines.get(id)!,
    type(id: string, text: string) {
      const l = lines.get(id)!;
      l.points.value = text;
      form.dispatch('input', { target: l.points });
    },
    status,
    total,
    bonusTotal,
    groupTotals,
    save,
    submit,
    memberLink,
    fetchCalls,
    timers,
    reloads,
    confirms,
    settle: () => settle(10),
  };
}

const ok = (message: string) => respond(200, { status: 'draft', version: 4, late: false, selfTotal: 1, message });

describe('the form script', () => {
  it('points the member page link at the unit’s page, with the token, and shows it', () => {
    const env = boot(render(fixture(), { token: 'abc.def', basePath: '/prod' }), () => ok(''));
    expect(env.memberLink.href).toBe('/prod/u/abc.def');
    expect(env.memberLink.hidden).toBe(false);
  });

  it('keeps the live total as the unit types, reading a decimal comma, capping the bonus', () => {
    const env = boot(render(), () => ok(''));
    expect(env.total.textContent).toBe('15,75');
    env.type('phong-trao-chuyen-mon', '8,5');
    expect(env.groupTotals.get('phong-trao-thi-dua')!.textContent).toBe('13');
    expect(env.total.textContent).toBe('24,25');
    env.type('khen-thuong-cap-tren', '2');
    expect(env.bonusTotal.textContent).toBe('3');
    expect(env.total.textContent).toBe('25,25');
    env.type('cham-lo-doi-song', '4.75');
    expect(env.total.textContent).toBe('30');
    env.type('cham-lo-doi-song', '4,');
    expect(env.line('cham-lo-doi-song').points.getAttribute('aria-invalid')).toBe('true');
    expect(env.total.textContent).toBe('25,25');
  });

  it('saves a draft: PUT with the version, only the lines with points, numbers from "8,5"', async () => {
    const env = boot(render(fixture(), { token: 'abc.def' }), () => ok('Đã lưu nháp lúc 10:10 25/11/2021.'));
    env.type('phong-trao-chuyen-mon', ' 8,5 ');
    env.line('phong-trao-chuyen-mon').justification.value = '  Có kế hoạch, có kết quả  ';
    env.save.dispatch('click');
    expect(env.save.disabled).toBe(true);
    await env.settle();
    expect(env.confirms).toEqual([]);
    expect(env.fetchCalls).toHaveLength(1);
    const call = env.fetchCalls[0]!;
    expect(call.url).toBe('/u/abc.def/self-score');
    expect(call.init.method).toBe('PUT');
    expect(call.init.headers).toEqual({ 'content-type': 'application/json' });
    expect(JSON.parse(call.init.body!)).toEqual({
      action: 'save',
      expectedVersion: 3,
      criteria: [
        { criterionId: 'phat-dong-dang-ky', points: 4.5, justification: 'Đã phát động ngày 15/9/2021', evidenceUploadId: FILE_B },
        { criterionId: 'phong-trao-chuyen-mon', points: 8.5, justification: 'Có kế hoạch, có kết quả' },
        { criterionId: 'dan-chu-co-so', points: 9.25 },
      ],
      bonus: [{ itemId: 'mo-hinh-sang-kien', points: 2 }],
    });
    expect(env.status.textContent).toBe('Đã lưu nháp lúc 10:10 25/11/2021.');
    expect(env.status.getAttribute('data-state')).toBe('ok');
    expect(env.timers.map((t) => t.ms)).toEqual([1200]);
    env.timers[0]!.run();
    expect(env.reloads).toHaveLength(1);
  });

  it.each([
    ['over the maximum', 'phat-dong-dang-ky', '5,5', 'Tiêu chí 1.1: 5,5 điểm vượt quá điểm tối đa 5.'],
    ['negative', 'dan-chu-co-so', '-1', 'Tiêu chí 2.1: điểm không được âm.'],
    ['not a number', 'phong-trao-chuyen-mon', 'tám', 'Tiêu chí 1.2: điểm phải là một số, ví dụ 8 hoặc 8,5.'],
    ['three decimals', 'phong-trao-chuyen-mon', '8,125', 'Tiêu chí 1.2: điểm chỉ được có tối đa hai chữ số thập phân.'],
    ['a bonus item over its maximum', 'khen-thuong-cap-tren', '2,5', 'Điểm thưởng «Được cấp trên khen thưởng»: 2,5 điểm vượt quá điểm tối đa 2.'],
  ])('refuses points %s before calling the server, naming the line', async (_name, id, text, message) => {
    const env = boot(render(), () => ok(''));
    env.type(id, text);
    env.save.dispatch('click');
    await env.settle();
    expect(env.fetchCalls).toHaveLength(0);
    expect(env.status.textContent).toBe(message);
    expect(env.status.getAttribute('data-state')).toBe('error');
    expect(env.line(id).points.focused).toBe(1);
    expect(env.save.disabled).toBe(false);
  });

  it('refuses a justification without points, and bonus points over the cap together', async () => {
    const env = boot(render(), () => ok(''));
    env.line('cham-lo-doi-song').justification.value = 'Có thăm hỏi';
    env.type('mo-hinh-sang-kien', '2');
    env.type('khen-thuong-cap-tren', '1,5');
    env.save.dispatch('click');
    await env.settle();
    expect(env.fetchCalls).toHaveLength(0);
    expect(env.status.textContent).toBe(
      'Tiêu chí 2.2: đã có giải trình hoặc minh chứng nhưng chưa nhập điểm. Tổng điểm thưởng (3,5) vượt quá mức tối đa 3 điểm.',
    );
  });

  it('will not submit with a criterion left empty, and says which', async () => {
    const env = boot(render(), () => ok(''));
    env.submit.dispatch('click');
    await env.settle();
    expect(env.confirms).toEqual([]);
    expect(env.fetchCalls).toHaveLength(0);
    expect(env.status.textContent).toBe('Chưa chấm tiêu chí 1.2, 2.2: cần nhập điểm cho mọi tiêu chí trước khi nộp.');
    expect(env.line('phong-trao-chuyen-mon').points.focused).toBe(1);
  });

  it('asks before submitting, saying it is final, and sends nothing when the unit cancels', async () => {
    const env = boot(render(), () => ok(''), false);
    env.type('phong-trao-chuyen-mon', '10');
    env.type('cham-lo-doi-song', '5');
    env.submit.dispatch('click');
    await env.settle();
    expect(env.confirms).toHaveLength(1);
    expect(env.confirms[0]).toContain('Nộp bảng tự chấm điểm với tổng 30,75 điểm?');
    expect(env.confirms[0]).toContain('bản nộp chính thức');
    expect(env.fetchCalls).toHaveLength(0);
    expect(env.submit.disabled).toBe(false);
  });

  it('submits once confirmed, shows the server’s message, then reloads', async () => {
    const message = 'Đã nộp bảng tự chấm điểm (30 điểm). Hãy in bản để ký, đóng dấu và gửi bản scan ở trang nộp tài liệu.';
    const env = boot(render(), () => respond(200, { status: 'submitted', version: 4, late: false, selfTotal: 30, message }));
    env.type('phong-trao-chuyen-mon', '10');
    env.type('cham-lo-doi-song', '5');
    env.submit.dispatch('click');
    await env.settle();
    const body = JSON.parse(env.fetchCalls[0]!.init.body!);
    expect(body.action).toBe('submit');
    expect(body.criteria.map((c: { criterionId: string }) => c.criterionId)).toEqual(['phat-dong-dang-ky', 'phong-trao-chuyen-mon', 'dan-chu-co-so', 'cham-lo-doi-song']);
    expect(env.status.textContent).toBe(message);
    expect(env.timers.map((t) => t.ms)).toEqual([2500]);
  });

  it.each([
    ['409', respond(409, { error: { code: 'CONFLICT', message: 'Bảng tự chấm điểm vừa được lưu ở một cửa sổ khác.' } }), 'Bảng tự chấm điểm vừa được lưu ở một cửa sổ khác.'],
    ['a 500 without a body', respond(500), 'Chưa lưu được, vui lòng thử lại.'],
  ])('on %s shows the message and lets the unit try again', async (_name, response, message) => {
    const env = boot(render(), () => response);
    env.save.dispatch('click');
    await env.settle();
    expect(env.status.textContent).toBe(message);
    expect(env.status.getAttribute('data-state')).toBe('error');
    expect(env.save.disabled).toBe(false);
    expect(env.timers).toHaveLength(0);
  });
});

describe('the way in from the member page', () => {
  const card = (milestoneId: string, opensSelfScore: boolean): MemberMilestoneView => ({
    milestoneId,
    title: `Mốc ${milestoneId}`,
    kindLabel: 'Chấm điểm',
    documentTitle: 'Bảng tự chấm điểm thi đua',
    recipientsLabel: 'Đơn vị Cụm trưởng',
    dueLabel: 'trước ngày 31/05/2022 (nhận đến hết ngày 30/05/2022)',
    status: 'not-due',
    statusLabel: 'Chưa đến hạn',
    canUpload: true,
    uploadWouldBeLate: false,
    files: [],
    ...(opensSelfScore ? { opensSelfScore } : {}),
  });
  const memberView: MemberPageView = {
    clusterName: 'Cụm Thi đua số 5',
    provinceName: 'Công đoàn Viên chức tỉnh Thanh Hóa',
    unitName: 'Công đoàn Trường mẫu A',
    unitRoleLabel: 'Đơn vị thành viên',
    unitIsSample: false,
    planTitle: 'Kế hoạch 2021 - 2022',
    scopedToMilestone: false,
    milestones: [card('bang-tu-cham-diem', true), card('bao-cao-tong-ket', false)],
    generatedAtLabel: 'Cập nhật lúc 10:06 25/11/2021',
    maxUploadLabel: '25 MB',
    maxUploadBytes: 25 * 1024 * 1024,
    acceptedTypes: ['application/pdf'],
    acceptAttribute: '.pdf,application/pdf',
    acceptedTypesLabel: 'PDF',
  };

  it('puts a "Mở bảng tự chấm điểm" link on the self-score card only, with no address in the markup', () => {
    const page = renderMemberPage(memberView, { token: TOKEN, nonce: NONCE });
    const link = '<a class="cta__link" data-self-score-link data-testid="self-score-link-bang-tu-cham-diem" hidden>Mở bảng tự chấm điểm</a>';
    expect(page).toContain(link);
    expect(count(markupOf(page), 'data-self-score-link')).toBe(1);
    expect(page.indexOf(link)).toBeGreaterThan(page.indexOf('data-testid="milestone-bang-tu-cham-diem"'));
    expect(page.indexOf(link)).toBeLessThan(page.indexOf('data-testid="milestone-bao-cao-tong-ket"'));
    expect(page).toContain('.cta__link[hidden]{display:none}');
    expect(markupOf(page)).not.toContain(TOKEN);
  });

  it('its script sets the address from CONFIG and shows the link', () => {
    const page = renderMemberPage(memberView, { token: 'abc.def', nonce: NONCE, basePath: '/prod' });
    const link = new FakeElement();
    vm.runInNewContext(scriptOf(page), {
      document: { querySelectorAll: (selector: string) => (selector === 'a[data-self-score-link]' ? [link] : []) },
    });
    expect(link.href).toBe('/prod/u/abc.def/self-score');
    expect(link.hidden).toBe(false);
  });
});
