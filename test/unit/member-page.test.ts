import fc from 'fast-check';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { UNIT_STATUSES, UNIT_STATUS_LABELS, type UnitMilestoneStatus } from '../../shared/domain/submission';
import { renderLinkErrorPage, renderMemberPage } from '../../shared/views/member-page';
import type { MemberFileView, MemberMilestoneView, MemberPageView } from '../../shared/views/member-page-model';
import { FakeElement, markupOf, respond, scriptOf, settle, type FakeResponse } from '../support/fake-dom';

const NONCE = 'bm9uY2UtMTIzNDU2Nzg5MA';
const TOKEN = 'eyJrIjoxLCJjIjoiY3VtLTUiLCJwIjoiMjAyMS0yMDIyIiwidSI6InRydW9uZy1hIn0.c2lnbmF0dXJlLWhtYWMtc2hhMjU2';
const PDF = 'application/pdf';
const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
const HASH_A = 'a3f1c9e07b5d42e8916c0f2ab7d3e5c4918f6a2b0c7d8e9f1a2b3c4d5e6f7081';
const HASH_B = '0be2d4f6a8c0e2f4a6b8c0d2e4f6a8b0c2d4e6f8a0b2c4d6e8f0a2b4c6d8e0f2';

function file(p: Partial<MemberFileView> & Pick<MemberFileView, 'versionNumber'>): MemberFileView {
  return {
    uploadId: `9b2f6c1e-4d3a-4f5b-8c7d-00000000000${p.versionNumber}`,
    fileName: 'Báo cáo sơ kết HK I.pdf',
    sizeLabel: '1,5 MB',
    receivedAtLabel: '08:15 09/12/2021',
    late: false,
    outcome: 'accepted',
    sha256: HASH_A,
    ...p,
  };
}

function milestone(p: Partial<MemberMilestoneView> & Pick<MemberMilestoneView, 'milestoneId' | 'status'>): MemberMilestoneView {
  return {
    title: 'Báo cáo sơ kết 06 tháng',
    kindLabel: 'Báo cáo',
    documentTitle: 'Báo cáo sơ kết 06 tháng đầu năm học',
    recipientsLabel: 'Đơn vị Cụm trưởng',
    dueLabel: 'trước ngày 10/12/2021 (nhận đến hết ngày 09/12/2021)',
    statusLabel: UNIT_STATUS_LABELS[p.status],
    canUpload: true,
    uploadWouldBeLate: false,
    files: [],
    ...p,
  };
}

/** A sample unit mid-year: one milestone per status, the 6-month report sent twice (late, first try quarantined). */
function fixture(overrides: Partial<MemberPageView> = {}): MemberPageView {
  return {
    clusterName: 'Cụm Thi đua số 5',
    provinceName: 'Công đoàn Viên chức tỉnh Thanh Hóa',
    unitName: 'Công đoàn Trường mẫu A (đơn vị mẫu)',
    unitRoleLabel: 'Đơn vị thành viên',
    unitIsSample: true,
    planTitle: 'Kế hoạch hoạt động Cụm Thi đua số 5 năm học 2021 - 2022',
    contact: {
      name: 'Nguyễn Thanh Tâm',
      position: 'Phó Chủ tịch Công đoàn Trường Đại học Văn hóa, Thể thao và Du lịch Thanh Hóa',
      email: 'congdoan@dvtdt.edu.vn',
      phone: '0912 345 678',
    },
    scopedToMilestone: false,
    milestones: [
      milestone({
        milestoneId: 'dang-ky-thi-dua',
        status: 'on-time',
        title: 'Đăng ký thi đua',
        kindLabel: 'Đăng ký',
        documentTitle: 'Bản đăng ký thi đua năm học 2021 - 2022',
        recipientsLabel: 'Đơn vị Cụm trưởng, Công đoàn Viên chức tỉnh',
        dueLabel: 'đến hết ngày 30/09/2021',
        files: [file({ versionNumber: 1, fileName: 'Đăng ký thi đua 2021-2022.docx', sizeLabel: '320 KB', receivedAtLabel: '14:02 20/09/2021', sha256: HASH_B })],
      }),
      milestone({
        milestoneId: 'bao-cao-so-ket',
        status: 'late',
        extensionLabel: 'Được gia hạn đến hết ngày 15/12/2021',
        cutoffLabel: 'Khóa nhận sau ngày 20/12/2021',
        uploadWouldBeLate: true,
        files: [
          file({ versionNumber: 2, late: true, receivedAtLabel: '09:30 16/12/2021', fileName: 'Báo cáo sơ kết HK I (bản sửa).pdf' }),
          file({
            versionNumber: 1,
            receivedAtLabel: '21:47 08/12/2021',
            outcome: 'quarantined',
            rejectReason: 'Nội dung tệp không phải PDF như tên tệp.',
            sha256: HASH_B,
          }),
        ],
      }),
      milestone({
        milestoneId: 'bao-cao-tong-ket',
        status: 'not-due',
        title: 'Báo cáo tổng kết năm học',
        documentTitle: 'Báo cáo tổng kết năm học và bảng tự chấm điểm thi đua',
        dueLabel: 'trước ngày 31/05/2022 (nhận đến hết ngày 30/05/2022)',
      }),
      milestone({
        milestoneId: 'giao-uoc-thi-dua',
        status: 'locked',
        title: 'Ký kết Giao ước thi đua',
        kindLabel: 'Giao ước',
        documentTitle: 'Bản giao ước thi đua đã ký',
        dueLabel: 'trong tháng 08/2021',
        cutoffLabel: 'Khóa nhận sau ngày 15/09/2021',
        canUpload: false,
        closedReason: 'Đã quá thời hạn khóa nhận (sau ngày 15/09/2021). Vui lòng liên hệ đơn vị Cụm trưởng nếu cần gia hạn.',
      }),
      milestone({
        milestoneId: 'bang-tu-cham-diem',
        status: 'missing',
        title: 'Bảng tự chấm điểm thi đua',
        kindLabel: 'Chấm điểm',
        documentTitle: 'Bảng tự chấm điểm thi đua (mẫu của Cụm)',
        dueLabel: 'trước ngày 10/12/2021 (nhận đến hết ngày 09/12/2021)',
        uploadWouldBeLate: true,
      }),
      milestone({
        milestoneId: 'ho-so-khen-thuong',
        status: 'open',
        title: 'Hồ sơ đề nghị khen thưởng',
        kindLabel: 'Hồ sơ',
        documentTitle: 'Hồ sơ đề nghị khen thưởng theo Hướng dẫn 40/HD-CĐVC',
        dueLabel: 'dự kiến tháng 06/2022 (chưa định ngày)',
      }),
    ],
    generatedAtLabel: 'Cập nhật lúc 08:15 17/12/2021',
    maxUploadLabel: '25 MB',
    maxUploadBytes: 25 * 1024 * 1024,
    acceptedTypes: [PDF, 'application/msword', DOCX, 'image/jpeg', 'image/png'],
    acceptAttribute: '.pdf,.doc,.docx,.jpg,.jpeg,.png,application/pdf,application/msword,image/jpeg,image/png',
    acceptedTypesLabel: 'PDF, Word, JPG, PNG',
    ...overrides,
  };
}

const render = (view: MemberPageView = fixture(), opts: { token?: string; basePath?: string } = {}): string =>
  renderMemberPage(view, { token: opts.token ?? TOKEN, nonce: NONCE, basePath: opts.basePath });

/** The markup of one milestone card (cards hold no nested <section>). */
function card(page: string, milestoneId: string): string {
  const start = page.indexOf(`data-testid="milestone-${milestoneId}"`);
  expect(start, `card ${milestoneId}`).toBeGreaterThan(-1);
  return page.slice(start, page.indexOf('</section>', start));
}

/** The text content of the element carrying `data-testid`, tags stripped. */
function textOf(markup: string, testId: string): string {
  const m = new RegExp(`<(\\w+)[^>]*data-testid="${testId}"[^>]*>([\\s\\S]*?)</\\1>`).exec(markup);
  expect(m, testId).not.toBeNull();
  return m![2]!.replace(/<[^>]+>/g, '');
}

const count = (haystack: string, needle: string): number => haystack.split(needle).length - 1;

describe('member page document', () => {
  it('is a Vietnamese UTF-8 document, readable on a phone, in NFC', () => {
    const page = render();
    expect(page.startsWith('<!doctype html>')).toBe(true);
    expect(page).toContain('<html lang="vi">');
    expect(page).toContain('<meta charset="utf-8">');
    expect(page).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
    expect(page).toBe(page.normalize('NFC'));
  });

  it('names the cluster, province, unit, role and plan, and explains the link', () => {
    const page = render();
    for (const text of [
      'Cụm Thi đua số 5',
      'Công đoàn Viên chức tỉnh Thanh Hóa',
      'Công đoàn Trường mẫu A (đơn vị mẫu)',
      'Đơn vị thành viên',
      'Kế hoạch hoạt động Cụm Thi đua số 5 năm học 2021 - 2022',
      'Đường link này dành riêng cho đơn vị của bạn, không cần tài khoản. Không chia sẻ cho người ngoài.',
      'Cập nhật lúc 08:15 17/12/2021',
    ]) {
      expect(page).toContain(text);
    }
  });

  it('shows the "Dữ liệu mẫu" badge only for sample units', () => {
    expect(render()).toContain('Dữ liệu mẫu');
    expect(render(fixture({ unitIsSample: false }))).not.toContain('Dữ liệu mẫu');
  });

  it('says when the link is narrowed to one milestone', () => {
    expect(render(fixture({ scopedToMilestone: true }))).toContain('chỉ dùng để nộp tài liệu cho mốc dưới đây');
    expect(render()).not.toContain('chỉ dùng để nộp tài liệu cho mốc dưới đây');
  });

  it('gives the contact person with a mailto link and a dialable phone link', () => {
    const page = render();
    expect(page).toContain('Nguyễn Thanh Tâm');
    expect(page).toContain('<a href="mailto:congdoan@dvtdt.edu.vn">congdoan@dvtdt.edu.vn</a>');
    expect(page).toContain('<a href="tel:0912345678">0912 345 678</a>');
    expect(render(fixture({ contact: undefined }))).not.toContain('mailto:');
  });
});

describe('milestone cards', () => {
  it('renders one card per milestone with its facts, status badge and label', () => {
    const view = fixture();
    const page = render(view);
    expect(count(page, 'data-testid="milestone-')).toBe(view.milestones.length);
    for (const m of view.milestones) {
      const c = card(page, m.milestoneId);
      expect(textOf(c, `status-${m.milestoneId}`)).toContain(m.statusLabel);
      expect(c).toMatch(new RegExp(`class="badge badge--${m.status}" data-testid="status-${m.milestoneId}"`));
      for (const text of [m.title, m.kindLabel, m.documentTitle, m.recipientsLabel, m.dueLabel]) expect(c).toContain(text);
    }
    const soKet = card(page, 'bao-cao-so-ket');
    expect(soKet).toContain('Được gia hạn đến hết ngày 15/12/2021');
    expect(soKet).toContain('Khóa nhận sau ngày 20/12/2021');
    expect(card(page, 'bao-cao-tong-ket')).not.toContain('Gia hạn');
  });

  it('gives every status a badge colour of its own', () => {
    const page = render();
    const backgrounds = UNIT_STATUSES.map((s: UnitMilestoneStatus) => {
      const rule = new RegExp(`\\.badge--${s}\\{color:(#[0-9a-f]{6});background:(#[0-9a-f]{6})`).exec(page);
      expect(rule, s).not.toBeNull();
      return rule![2];
    });
    expect(new Set(backgrounds).size).toBe(UNIT_STATUSES.length);
  });

  it('offers the upload form only when the milestone accepts uploads, and the closed reason otherwise', () => {
    const view = fixture();
    const page = render(view);
    for (const m of view.milestones) {
      const c = card(page, m.milestoneId);
      if (m.canUpload) {
        expect(c).toContain('<form class="upload"');
        expect(c).toContain(`type="file" id="file-${m.milestoneId}" name="file" accept="${view.acceptAttribute}"`);
        expect(c).toContain(`data-testid="file-${m.milestoneId}"`);
        expect(textOf(c, `submit-${m.milestoneId}`)).toBe('Gửi tệp');
        expect(c).toMatch(new RegExp(`aria-live="polite"[^>]*data-testid="upload-status-${m.milestoneId}"`));
        expect(c).toContain('<progress max="100" value="0"');
        expect(c).toContain('Tối đa 25 MB; nhận PDF, Word, JPG, PNG.');
      } else {
        expect(c).not.toContain('<form');
        expect(c).not.toContain(`data-testid="submit-${m.milestoneId}"`);
        expect(c).toContain(m.closedReason!);
      }
    }
    expect(count(page, '<form ')).toBe(view.milestones.filter((m) => m.canUpload).length);
  });

  it('warns before sending only when an upload now would be late', () => {
    const page = render();
    const warning = 'Hạn đã qua: tệp gửi bây giờ sẽ được ghi nhận là nộp muộn.';
    expect(card(page, 'bao-cao-so-ket')).toContain(warning);
    expect(card(page, 'bang-tu-cham-diem')).toContain(warning);
    expect(card(page, 'bao-cao-tong-ket')).not.toContain(warning);
    expect(card(page, 'ho-so-khen-thuong')).not.toContain(warning);
    expect(count(page, warning)).toBe(2);
  });
});

describe('files already sent', () => {
  it('lists them newest first, with version, size, receipt time, late and quarantine markers', () => {
    const c = card(render(), 'bao-cao-so-ket');
    const rows = c.split('data-testid="file-row"').slice(1).map((row) => row.slice(0, row.indexOf('</li>')));
    expect(rows).toHaveLength(2);
    const [newest, oldest] = rows as [string, string];
    expect(newest).toContain('Lần 2');
    expect(newest).toContain('Báo cáo sơ kết HK I (bản sửa).pdf');
    expect(newest).toContain('1,5 MB');
    expect(newest).toContain('09:30 16/12/2021');
    expect(newest).toContain('nộp muộn');
    expect(newest).not.toContain('đã cách ly');
    expect(oldest).toContain('Lần 1');
    expect(oldest).not.toContain('nộp muộn');
    expect(oldest).toContain('đã cách ly');
    expect(oldest).toContain('Nội dung tệp không phải PDF như tên tệp.');
  });

  it('keeps newest first even when given oldest first', () => {
    const view = fixture();
    const soKet = view.milestones[1]!;
    soKet.files = [...soKet.files].reverse();
    const c = card(render(view), 'bao-cao-so-ket');
    expect(c.indexOf('Lần 2')).toBeGreaterThan(-1);
    expect(c.indexOf('Lần 2')).toBeLessThan(c.indexOf('Lần 1'));
  });

  it('shows the SHA-256 shortened, with the full value in a title', () => {
    const c = card(render(), 'bao-cao-so-ket');
    expect(c).toContain(`<code title="${HASH_A}">${HASH_A.slice(0, 12)}…</code>`);
    expect(c).not.toContain(`>${HASH_A}<`);
  });

  it('says so when nothing was sent yet', () => {
    const c = card(render(), 'bao-cao-tong-ket');
    expect(c).not.toContain('data-testid="file-row"');
    expect(c).toContain('Chưa gửi tệp nào.');
  });
});

describe('escaping what users wrote', () => {
  const SCRIPT = '<script>alert(1)</script>';
  const ATTR = '" onmouseover="x';

  it('renders unit names, file names, reasons and contact details inert', () => {
    const view = fixture({
      unitName: `Trường ${SCRIPT}`,
      contact: { name: `Bà ${SCRIPT}`, email: `a@b.vn${ATTR}`, phone: `0912${ATTR}` },
    });
    const soKet = view.milestones[1]!;
    soKet.files = [file({ versionNumber: 1, fileName: `báo cáo${ATTR}.pdf`, outcome: 'quarantined', rejectReason: SCRIPT })];
    soKet.title = `Mốc <img src=x onerror=alert(1)> & 'trích'`;
    const page = render(view);

    expect(page).not.toContain(SCRIPT);
    expect(page).not.toContain(ATTR);
    expect(page).not.toContain('<img');
    expect(page).toContain('Trường &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page).toContain('báo cáo&quot; onmouseover=&quot;x.pdf');
    expect(page).toContain('href="mailto:a@b.vn&quot; onmouseover=&quot;x"');
    expect(page).toContain('Mốc &lt;img src=x onerror=alert(1)&gt; &amp; &#39;trích&#39;');
    expect(count(page, '<script')).toBe(1);
  });

  it('for arbitrary text in names and titles, adds no markup of its own', () => {
    const nasty = fc.string({
      unit: fc.constantFrom('<', '>', '"', "'", '&', '/', '=', ' ', 's', 'c', 'r', 'i', 'p', 't', 'ệ', '\u0338', '\u2028'),
      maxLength: 40,
    });
    const text = fc.oneof(nasty, fc.string({ unit: 'binary' }), fc.constantFrom(SCRIPT, ATTR, '</style>', '<!--'));
    const structure = (page: string) => ({ lt: count(page, '<'), gt: count(page, '>'), quot: count(page, '"'), script: count(page, '<script') });
    const withText = (unitName: string, fileName: string, title: string) => {
      const view = fixture({ unitName });
      view.milestones[0]!.title = title;
      view.milestones[0]!.files = [file({ versionNumber: 1, fileName })];
      return render(view);
    };
    const baseline = structure(withText('a', 'b', 'c'));
    fc.assert(
      fc.property(text, text, text, (unitName, fileName, title) => {
        expect(structure(withText(unitName, fileName, title))).toEqual(baseline);
      }),
    );
    expect(baseline.script).toBe(1);
  });
});

describe('the token', () => {
  it('appears once, inside the script config, and nowhere in markup', () => {
    const page = render();
    expect(count(page, TOKEN)).toBe(1);
    expect(scriptOf(page)).toContain(`"token":"${TOKEN}"`);
    expect(markupOf(page)).not.toContain(TOKEN);
  });

  it('is embedded safely even when it contains </script> and line separators', () => {
    const hostile = 'abc</script><script>alert(1)</script><!--\u2028\u2029&x';
    const page = render(fixture(), { token: hostile });
    expect(page).not.toContain('</script><script>alert(1)');
    expect(count(page, '<script')).toBe(1);
    expect(count(page, '</script>')).toBe(1);
    expect(page).not.toMatch(/[\u2028\u2029]/);
    const config = /var CONFIG = (.*);\n/.exec(scriptOf(page));
    expect(config).not.toBeNull();
    expect(config![1]).toContain('abc\\u003c/script\\u003e');
    expect(JSON.parse(config![1]!).token).toBe(hostile);
  });
});

describe('content security policy', () => {
  const pages: Array<[string, string]> = [
    ['member page', render()],
    ...(['not-found', 'replaced', 'expired'] as const).map((kind): [string, string] => [`error page ${kind}`, renderLinkErrorPage({ kind, nonce: NONCE })]),
  ];

  it.each(pages)('%s: every script and style carries the nonce', (_name, page) => {
    const tags = page.match(/<(script|style)\b[^>]*>/g) ?? [];
    expect(tags.length).toBeGreaterThan(0);
    for (const tag of tags) expect(tag).toContain(`nonce="${NONCE}"`);
    expect(count(page, '<style')).toBe(1);
    expect(count(page, '<script')).toBeLessThanOrEqual(1);
  });

  it.each(pages)('%s: no inline handlers, style attributes, javascript: URLs or other origins', (_name, page) => {
    const tags = markupOf(page).match(/<[a-z][^>]*>/gi) ?? [];
    expect(tags.length).toBeGreaterThan(10);
    for (const tag of tags) {
      expect(tag).not.toMatch(/\son[a-z]+\s*=/i);
      expect(tag).not.toMatch(/\sstyle\s*=/i);
      expect(tag).not.toMatch(/\s(src|href|action)\s*=\s*"(?!mailto:|tel:|data:,")/i);
      expect(tag).not.toMatch(/javascript:/i);
    }
    expect(page).not.toMatch(/https?:\/\//i);
  });
});

describe('link error pages', () => {
  it.each([
    ['not-found', 'Không tìm thấy trang', 'Đường link không đúng hoặc không còn tồn tại.'],
    ['replaced', 'Đường link đã được thay thế', 'Đơn vị Cụm trưởng đã cấp đường link mới cho đơn vị của bạn.'],
    ['expired', 'Đường link đã hết hạn', 'liên hệ đơn vị Cụm trưởng'],
  ] as const)('%s says "%s"', (kind, title, message) => {
    const page = renderLinkErrorPage({ kind, nonce: NONCE });
    expect(page).toContain('<html lang="vi">');
    expect(page).toContain(`<title>${title}</title>`);
    expect(page).toContain(`<h1 class="card__title">${title}</h1>`);
    expect(page).toContain(message);
    expect(page).toBe(page.normalize('NFC'));
    expect(page).not.toContain('<script');
  });
});

// ---------------------------------------------------------------------------------------------------------------
// The client script, run in a VM against a minimal fake of the DOM and network APIs it uses.

class FakeForm extends FakeElement {
  readonly parts: Record<string, FakeElement> = {};
  constructor(milestoneId: string, roles: string[]) {
    super();
    this.setAttribute('data-milestone-id', milestoneId);
    for (const role of roles) this.parts[role] = new FakeElement();
  }
  querySelector(selector: string): FakeElement | null {
    const m = /^\[data-role="([a-z-]+)"\]$/.exec(selector);
    return (m && this.parts[m[1]!]) ?? null;
  }
  part(role: string): FakeElement {
    return this.parts[role]!;
  }
  submit(): { defaultPrevented: boolean } {
    const event = { defaultPrevented: false, preventDefault: () => (event.defaultPrevented = true) };
    this.dispatch('submit', event);
    return event;
  }
}

class FakeFormData {
  readonly entries: Array<[string, unknown]> = [];
  append(name: string, value: unknown): void {
    this.entries.push([name, value]);
  }
}

class FakeXhr {
  static sent: FakeXhr[] = [];
  method = '';
  url = '';
  body: FakeFormData | undefined;
  status = 0;
  upload: { onprogress: ((e: { lengthComputable: boolean; loaded: number; total: number }) => void) | null } = { onprogress: null };
  onload: (() => void) | null = null;
  onerror: (() => void) | null = null;
  onabort: (() => void) | null = null;
  ontimeout: (() => void) | null = null;
  open(method: string, url: string): void {
    this.method = method;
    this.url = url;
  }
  send(body: FakeFormData): void {
    this.body = body;
    FakeXhr.sent.push(this);
  }
}

type Route = (url: string, init: { method?: string; body?: string } | undefined) => FakeResponse | Promise<FakeResponse>;

/** Runs the page's script with fake forms built from the page's own upload forms. */
function boot(page: string, route: Route) {
  const formIds = [...page.matchAll(/<form class="upload" data-upload data-milestone-id="([^"]+)"/g)].map((m) => m[1]!);
  const script = scriptOf(page);
  const roles = [...new Set([...script.matchAll(/\[data-role="([a-z-]+)"\]/g)].map((m) => m[1]!))];
  const forms = formIds.map((id) => new FakeForm(id, roles));
  const fetchCalls: Array<{ url: string; init: { method?: string; body?: string; headers?: Record<string, string> } | undefined }> = [];
  const timers: Array<{ run: () => void; ms: number }> = [];
  const reloads: number[] = [];
  FakeXhr.sent = [];
  vm.runInNewContext(script, {
    document: { querySelectorAll: (selector: string) => (selector === 'form[data-upload]' ? forms : []) },
    fetch: (url: string, init?: { method?: string; body?: string }) => {
      fetchCalls.push({ url, init });
      return Promise.resolve(route(url, init));
    },
    XMLHttpRequest: FakeXhr,
    FormData: FakeFormData,
    setTimeout: (run: () => void, ms: number) => timers.push({ run, ms }),
    location: { reload: () => reloads.push(Date.now()) },
  });
  const form = (id: string) => forms.find((f) => f.getAttribute('data-milestone-id') === id)!;
  return {
    forms,
    form,
    fetchCalls,
    reloads,
    timers,
    /** Runs the timers due so far (not those they schedule). */
    tick: () => timers.splice(0).forEach((t) => t.run()),
    settle: () => settle(20),
  };
}

const chosen = (form: FakeForm, f: { name: string; type: string; size: number }) => {
  form.part('file').files = [f];
};

const INTENT = {
  uploadId: '3f0c2a4e-5b6d-4e7f-8a9b-0c1d2e3f4a5b',
  url: 'https://cum-thi-dua-uploads.s3.ap-southeast-1.amazonaws.com/',
  fields: { key: 'uploads/cum-5/2021-2022/bao-cao-so-ket/truong-a/3f0c2a4e', 'Content-Type': DOCX, Policy: 'cG9saWN5', 'X-Amz-Signature': 'c2ln' },
  expiresAt: '2021-12-17T01:25:00.000Z',
  late: true,
};

describe('upload script', () => {
  it('finds every element it uses in each upload form', () => {
    const page = render();
    const script = scriptOf(page);
    const roles = [...new Set([...script.matchAll(/\[data-role="([a-z-]+)"\]/g)].map((m) => m[1]!))];
    expect(roles).toEqual(expect.arrayContaining(['file', 'submit', 'progress', 'percent', 'status']));
    const forms = page.split('<form class="upload"').slice(1).map((f) => f.slice(0, f.indexOf('</form>')));
    expect(forms).toHaveLength(fixture().milestones.filter((m) => m.canUpload).length);
    expect(forms.length).toBeGreaterThan(0);
    for (const form of forms) for (const role of roles) expect(form).toContain(`data-role="${role}"`);
  });

  it('asks for a presigned form, posts fields then the file, shows progress, then reports the check', async () => {
    const page = render(fixture(), { token: 'abc.def', basePath: '/prod/' });
    let polls = 0;
    const env = boot(page, (url, init) => {
      if (url === '/prod/u/abc.def/uploads' && init?.method === 'POST') return respond(201, INTENT);
      if (url === `/prod/u/abc.def/uploads/${INTENT.uploadId}`) return respond(200, ++polls < 2 ? { state: 'pending' } : { state: 'accepted', late: true });
      return respond(404, { error: { code: 'NOT_FOUND', message: 'không có' } });
    });
    const form = env.form('bao-cao-so-ket');
    const docx = { name: 'Báo cáo sơ kết.docx', type: '', size: 1234 };
    chosen(form, docx);

    expect(form.submit().defaultPrevented).toBe(true);
    expect(form.part('submit').disabled).toBe(true);
    await env.settle();

    expect(env.fetchCalls[0]!.url).toBe('/prod/u/abc.def/uploads');
    expect(env.fetchCalls[0]!.init?.headers).toEqual({ 'content-type': 'application/json' });
    expect(JSON.parse(env.fetchCalls[0]!.init!.body!)).toEqual({ milestoneId: 'bao-cao-so-ket', fileName: docx.name, contentType: DOCX, size: 1234 });

    const xhr = FakeXhr.sent[0]!;
    expect(xhr.method).toBe('POST');
    expect(xhr.url).toBe(INTENT.url);
    expect(xhr.body!.entries).toEqual([...Object.entries(INTENT.fields), ['file', docx]]);
    xhr.upload.onprogress!({ lengthComputable: true, loaded: 617, total: 1234 });
    expect(form.part('progress').value).toBe(50);
    expect(form.part('percent').textContent).toBe('50%');
    expect(form.part('progress-row').hidden).toBe(false);

    xhr.status = 204;
    xhr.onload!();
    await env.settle();
    expect(form.part('status').textContent).toBe('Đã tải lên, đang kiểm tra tệp…');
    expect(form.part('progress').value).toBe(100);

    env.tick(); // first poll: pending
    await env.settle();
    expect(form.part('status').textContent).toBe('Đã tải lên, đang kiểm tra tệp…');
    env.tick(); // second poll: accepted, late
    await env.settle();
    expect(env.timers.map((t) => t.ms)).toEqual([1500]);
    expect(form.part('status').textContent).toBe('Đã nộp (nộp muộn)');
    expect(form.part('status').getAttribute('data-state')).toBe('ok');
    expect(env.reloads).toHaveLength(0);
    env.tick();
    expect(env.reloads).toHaveLength(1);
    expect(polls).toBe(2);
  });

  it.each([
    ['no file', null, 'Vui lòng chọn một tệp để gửi.'],
    ['an empty file', { name: 'bao-cao.pdf', type: PDF, size: 0 }, 'Tệp rỗng, vui lòng chọn tệp khác.'],
    ['a file over the limit', { name: 'bao-cao.pdf', type: PDF, size: 25 * 1024 * 1024 + 1 }, 'Tệp quá lớn: tối đa 25 MB.'],
    ['a program', { name: 'setup.exe', type: 'application/x-msdownload', size: 10 }, 'Loại tệp không được chấp nhận. Chỉ nhận PDF, Word, JPG, PNG.'],
    ['an unlisted type with an accepted extension', { name: 'bang-diem.pdf', type: 'text/html', size: 10 }, 'Loại tệp không được chấp nhận.'],
    ['a spreadsheet this plan does not accept', { name: 'bang-diem.xlsx', type: '', size: 10 }, 'Loại tệp không được chấp nhận.'],
  ])('refuses %s before calling the server', async (_name, picked, message) => {
    const env = boot(render(), () => respond(201, INTENT));
    const form = env.form('bao-cao-tong-ket');
    form.part('file').files = picked ? [picked] : [];
    form.submit();
    await env.settle();
    expect(form.part('status').textContent).toContain(message);
    expect(form.part('status').getAttribute('data-state')).toBe('error');
    expect(env.fetchCalls).toHaveLength(0);
    expect(form.part('submit').disabled).toBe(false);
  });

  it('accepts a file of exactly the maximum size, typed by the browser', async () => {
    const env = boot(render(), () => respond(201, INTENT));
    const form = env.form('bao-cao-tong-ket');
    chosen(form, { name: 'anh-chup.JPG', type: 'image/jpeg', size: 25 * 1024 * 1024 });
    form.submit();
    await env.settle();
    expect(JSON.parse(env.fetchCalls[0]!.init!.body!).contentType).toBe('image/jpeg');
  });

  it("shows the server's Vietnamese message when it refuses the upload, and lets the unit retry", async () => {
    const message = 'Mốc này đã khóa nhận tệp sau ngày 20/12/2021.';
    const env = boot(render(), () => respond(409, { error: { code: 'CONFLICT', message } }));
    const form = env.form('bao-cao-so-ket');
    chosen(form, { name: 'bao-cao.pdf', type: PDF, size: 100 });
    form.submit();
    await env.settle();
    expect(form.part('status').textContent).toBe(message);
    expect(form.part('submit').disabled).toBe(false);
    expect(form.part('file').disabled).toBe(false);
    expect(FakeXhr.sent).toHaveLength(0);
  });

  it.each([
    ['the bucket refuses the file', (xhr: FakeXhr) => ((xhr.status = 403), xhr.onload!())],
    ['the network fails', (xhr: FakeXhr) => xhr.onerror!()],
  ])('says the upload failed when %s', async (_name, fail) => {
    const env = boot(render(), (url) => (url.endsWith('/uploads') ? respond(201, INTENT) : respond(200, { state: 'accepted' })));
    const form = env.form('bao-cao-so-ket');
    chosen(form, { name: 'bao-cao.pdf', type: PDF, size: 100 });
    form.submit();
    await env.settle();
    fail(FakeXhr.sent[0]!);
    await env.settle();
    expect(form.part('status').textContent).toBe('Tải lên thất bại, vui lòng thử lại.');
    expect(form.part('submit').disabled).toBe(false);
    expect(env.fetchCalls).toHaveLength(1);
  });

  it('shows why a file was quarantined, then reloads', async () => {
    const reason = 'Tệp có dấu hiệu chứa mã độc.';
    const env = boot(render(), (url) =>
      url.endsWith('/uploads') ? respond(201, INTENT) : respond(200, { state: 'quarantined', rejectReason: reason }),
    );
    const form = env.form('bao-cao-so-ket');
    chosen(form, { name: 'bao-cao.pdf', type: PDF, size: 100 });
    form.submit();
    await env.settle();
    FakeXhr.sent[0]!.status = 204;
    FakeXhr.sent[0]!.onload!();
    await env.settle();
    env.tick();
    await env.settle();
    expect(form.part('status').textContent).toBe(`Tệp không được chấp nhận: ${reason}`);
    env.tick();
    expect(env.reloads).toHaveLength(1);
  });

  it('gives up polling after about 30 s and tells the unit to reload later', async () => {
    const env = boot(render(), (url) => (url.endsWith('/uploads') ? respond(201, INTENT) : respond(200, { state: 'pending' })));
    const form = env.form('bao-cao-so-ket');
    chosen(form, { name: 'bao-cao.pdf', type: PDF, size: 100 });
    form.submit();
    await env.settle();
    FakeXhr.sent[0]!.status = 201;
    FakeXhr.sent[0]!.onload!();
    await env.settle();
    for (let i = 0; i < 40 && env.timers.length > 0; i++) {
      env.tick();
      await env.settle();
    }
    expect(env.fetchCalls).toHaveLength(1 + 30);
    expect(form.part('status').textContent).toBe('Tệp đã được gửi; hệ thống đang xử lý, vui lòng tải lại trang sau ít phút.');
    expect(env.reloads).toHaveLength(0);
    expect(form.part('submit').disabled).toBe(false);
  });
});
