/**
 * Plan import through the admin API, on clusters of this file's own: the preview reads pasted text, a .md and a .docx
 * file into the seed's 9 proposed milestones and saves nothing (no plan, no audit entry; through the router on a table
 * of its own, its only DynamoDB calls are reads); bad input is refused in Vietnamese; the confirmation of a reviewed
 * proposal (one title edited, one row dropped, one added) creates the plan, its milestones, its reminder schedules and
 * exactly one `plan.import` audit entry by the signed-in admin; a second one is a 409; the province viewer and the
 * admin of another cluster are refused.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import JSZip from 'jszip';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { planImportPreviewEndpoints } from '../../functions/admin/endpoints/plan-import-preview';
import { createDynamoRepositories } from '../../shared/adapters/dynamodb/repositories';
import { SESSION_COOKIE, sha256Hex } from '../../shared/domain/admin';
import { ClusterSchema, UnitSchema } from '../../shared/domain/model';
import type { PlanImportProposal } from '../../shared/domain/plan-import';
import { adminEndpoints } from '../../shared/http/admin-api';
import { adminRouter } from '../../shared/http/admin-router';
import type { Repositories } from '../../shared/ports/repositories';
import type { AdminDeps } from '../../shared/use-cases/admin-deps';
import { adminEmailsOf } from '../../shared/use-cases/units';
import { signIn, stackRepos, type AdminSession } from '../support/admin';
import { CallCounter, freshTable } from '../support/aws';

const stack = inject('stack');
const tag = randomBytes(4).toString('hex');
const PROVINCE = `tinh-nhap-${tag}`;
const CLUSTER = `t-nhap-${tag}`;
const OTHER = `t-nhap-khac-${tag}`;
const HEAD = `nhap-truong-${tag}@example.com`;
const OTHER_HEAD = `nhap-khac-${tag}@example.com`;
const VIEWER = `nhap-tinh-${tag}@example.com`;
const PLAN = '2021-2022';
const SEED_PATH = 'test/fixtures/plan-import/ke-hoach-cum-thi-dua-so-5-2021-2022.md';
const SEED = readFileSync(SEED_PATH, 'utf8');
const SEED_IDS = [
  'phat-dong-phong-trao-thi-dua',
  'ky-ket-giao-uoc-thi-dua',
  'hoi-nghi-so-ket-hoat-dong',
  'to-chuc-giai-the-thao-chao',
  'hoi-nghi-tong-ket-hoat-dong',
  'bao-cao-so-ket-06-thang',
  'bao-cao-tong-ket-va-phuong',
  'bang-tu-cham-diem-thi-dua',
  'ho-so-de-nghi-khen-thuong',
];
const READ_ONLY = 'Tài khoản của bạn chỉ được xem cụm này, không được thay đổi.';
const NO_ACCESS = 'Bạn không có quyền truy cập cụm thi đua này.';

let repos: Repositories;
let close: () => void;
let head: AdminSession;
let otherHead: AdminSession;
let viewer: AdminSession;

beforeAll(async () => {
  ({ repos, close } = stackRepos(stack));
  for (const [clusterId, email] of [
    [CLUSTER, HEAD],
    [OTHER, OTHER_HEAD],
  ] as const) {
    await repos.clusters.createIfAbsent(ClusterSchema.parse({ clusterId, name: `Cụm thử nhập kế hoạch ${clusterId}`, province: { id: PROVINCE, name: 'Tỉnh thử' } }));
    const unit = UnitSchema.parse({ clusterId, unitId: 'cum-truong', name: 'Công đoàn Trường Cụm trưởng', role: 'cum-truong', emails: [email] });
    await repos.units.createIfAbsent(unit);
    await repos.auth.syncUnitGrants(clusterId, unit.unitId, adminEmailsOf(unit));
  }
  await repos.auth.putProvinceGrant({ scope: 'province', email: VIEWER, provinceId: PROVINCE });
  [head, otherHead, viewer] = await Promise.all([signIn(stack, HEAD), signIn(stack, OTHER_HEAD), signIn(stack, VIEWER)]);
});

afterAll(() => close?.());

interface Reply {
  status: number;
  body: any;
}

const previewPath = (clusterId = CLUSTER) => `/api/clusters/${clusterId}/plans/import/preview`;
const confirmPath = (clusterId = CLUSTER) => `/api/clusters/${clusterId}/plans/import`;

async function post(path: string, body: unknown, session: AdminSession = head): Promise<Reply> {
  const response = await fetch(`${stack.apiUrl}${path}`, { method: 'POST', headers: session.headers, body: JSON.stringify(body) });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

const fileBody = (fileName: string, bytes: Uint8Array) => ({ fileName, contentBase64: Buffer.from(bytes).toString('base64') });

/**
 * The seed as a Word file: the fixture's minimal package (test/fixtures/files/word-style.docx) with its body
 * replaced by one plain paragraph per line of the plan, markdown marks removed (as Word would hold it).
 */
async function seedDocx(): Promise<Uint8Array> {
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const lines = SEED.split('\n')
    .map((l) => l.replace(/^#+\s*/, '').replace(/\*\*/g, ''))
    .filter((l) => l.trim() !== '');
  const zip = await JSZip.loadAsync(readFileSync('test/fixtures/files/word-style.docx'));
  const xml = await zip.file('word/document.xml')!.async('string');
  const body = lines.map((l) => `<w:p><w:r><w:t xml:space="preserve">${esc(l)}</w:t></w:r></w:p>`).join('');
  zip.file('word/document.xml', xml.replace(/<w:body>[\s\S]*<\/w:body>/, `<w:body>${body}</w:body>`));
  return zip.generateAsync({ type: 'uint8array' });
}

const dues = (proposal: PlanImportProposal) => proposal.milestones.map((m) => [m.milestoneId, m.due]);

/** The cluster's audit entries but the sign-ins (opening the sessions above writes one each). */
async function changes(clusterId = CLUSTER) {
  return (await repos.audit.list(clusterId, {}, { limit: 50 })).entries.filter((e) => e.action !== 'sign-in');
}

/** Nothing of the import in the cluster: no plan, no audit entry. */
async function expectNothingSaved(clusterId = CLUSTER): Promise<void> {
  expect(await repos.plans.listPlans(clusterId)).toEqual([]);
  expect(await changes(clusterId)).toEqual([]);
}

let textProposal: PlanImportProposal;

describe('POST …/plans/import/preview', () => {
  it('pasted text: the 9 milestones of the seed with their dues, places, documents, sources and confidences; nothing saved', async () => {
    const { status, body } = await post(previewPath(), { text: SEED });
    expect(status).toBe(200);
    textProposal = body.proposal;
    expect(textProposal.schoolYear).toEqual({ startYear: 2021, endYear: 2022 });
    expect(textProposal.title).toBe('Kế hoạch hoạt động của Cụm Thi đua số 5 năm học 2021 - 2022');
    expect(textProposal.milestones.map((m) => m.milestoneId)).toEqual(SEED_IDS);
    expect(dues(textProposal)).toEqual([
      [SEED_IDS[0], { type: 'none' }],
      [SEED_IDS[1], { type: 'month', month: '2021-08' }],
      [SEED_IDS[2], { type: 'month', month: '2021-12' }],
      [SEED_IDS[3], { type: 'none' }],
      [SEED_IDS[4], { type: 'month', month: '2022-06' }],
      [SEED_IDS[5], { type: 'date', date: '2021-12-10', rule: 'before' }],
      [SEED_IDS[6], { type: 'date', date: '2022-05-31', rule: 'before' }],
      [SEED_IDS[7], { type: 'date', date: '2022-05-31', rule: 'before' }],
      [SEED_IDS[8], { type: 'none' }],
    ]);
    expect(textProposal.milestones.map((m) => m.confidence)).toEqual([0.7, 1, 1, 0.4, 1, 0.85, 0.85, 0.85, 0.4]);
    expect(textProposal.milestones[5]).toMatchObject({
      title: 'Báo cáo Sơ kết 06 tháng đầu năm',
      kind: 'report',
      dueText: 'trước ngày 10/12/2021',
      documents: [{ title: 'Báo cáo Sơ kết 06 tháng đầu năm', from: 'all', to: ['cum-truong'] }],
      source: 'Báo cáo Sơ kết 06 tháng đầu năm gửi về đơn vị Cụm trưởng trước ngày 10/12/2021.',
      reasons: ['đọc được thời hạn', 'có ghi nơi nhận', 'người gửi không ghi: mặc định mọi đơn vị'],
    });
    expect(textProposal.milestones[2]).toMatchObject({
      place: 'Trường Cao đẳng Nghề Công nghiệp (đơn vị Cụm phó)',
      responsible: [{ who: 'cum-truong' }, { who: 'cum-pho', task: 'Triển khai giấy mời, chuẩn bị các điều kiện cho hội nghị' }],
    });
    await expectNothingSaved();
  });

  it('the same plan as a .md file gives the same proposal; as a .docx, the same milestones', async () => {
    const md = await post(previewPath(), fileBody('Kế hoạch cụm 5.md', readFileSync(SEED_PATH)));
    expect(md.status).toBe(200);
    expect(md.body.proposal).toEqual(textProposal);

    const docx = await post(previewPath(), fileBody('Kế hoạch cụm 5.docx', await seedDocx()));
    expect(docx.status, JSON.stringify(docx.body)).toBe(200);
    expect(docx.body.proposal.schoolYear).toEqual({ startYear: 2021, endYear: 2022 });
    expect(dues(docx.body.proposal)).toEqual(dues(textProposal));
    expect(docx.body.proposal.milestones.map((m: { title: string }) => m.title)).toEqual(textProposal.milestones.map((m) => m.title));
    await expectNothingSaved();
  });

  it('a school year given with text that has none places day-month dates in it', async () => {
    const text = 'Kế hoạch hoạt động\n1. Chế độ báo cáo\n- Các đơn vị gửi báo cáo sơ kết về Cụm trưởng trước 19.12.';
    const without = await post(previewPath(), { text });
    expect(without.body.proposal.milestones.map((m: { due: unknown }) => m.due)).toEqual([{ type: 'none' }]);
    const placed = await post(previewPath(), { text, planId: '2024-2025' });
    expect(placed.status).toBe(200);
    expect(placed.body.proposal.schoolYear).toEqual({ startYear: 2024, endYear: 2025 });
    expect(placed.body.proposal.milestones.map((m: { due: unknown }) => m.due)).toEqual([{ type: 'date', date: '2024-12-19', rule: 'before' }]);
  });

  it('refuses in Vietnamese: a file of another type, a file over 4 MB, text and file together, nothing at all, bad base64, too long a text', async () => {
    const pdf = await post(previewPath(), fileBody('ke-hoach.pdf', Buffer.from('%PDF-1.4')));
    expect(pdf.status).toBe(400);
    expect(pdf.body.error).toMatchObject({ code: 'VALIDATION_FAILED', details: [{ field: 'file', message: 'Chỉ nhận tệp .docx, .md hoặc .txt' }] });
    expect(pdf.body.error.message).toContain('Với tệp PDF: hãy mở tệp, chép toàn bộ nội dung và dán vào ô văn bản');

    // 4.2 MB: past the cap, still within what Lambda would receive (its base64 is 5.9 MB).
    const large = await post(previewPath(), fileBody('ke-hoach.txt', Buffer.alloc(Math.round(4.2 * 1024 * 1024), 'a')));
    expect(large.status).toBe(400);
    expect(large.body.error.message).toBe(
      'Tệp "ke-hoach.txt" quá lớn (4,2 MB): trang quản trị nhận tệp kế hoạch tối đa 4 MB (giới hạn dung lượng một yêu cầu của máy chủ). ' +
        'Tệp Word lớn thường do hình ảnh: hãy mở tệp, chép toàn bộ nội dung và dán vào ô văn bản.',
    );

    const cases: Array<[unknown, string, string]> = [
      [{ text: SEED, ...fileBody('a.md', Buffer.from(SEED)) }, 'text', 'Chỉ gửi một trong hai: văn bản dán vào hoặc tệp'],
      [{}, 'text', 'Hãy dán văn bản kế hoạch hoặc chọn tệp'],
      [{ fileName: 'a.md' }, 'contentBase64', 'Thiếu nội dung tệp'],
      [{ fileName: 'a.md', contentBase64: 'không phải base64!' }, 'contentBase64', 'Nội dung tệp phải được mã hóa base64'],
      [{ text: SEED, planId: '2021-2023' }, 'planId', 'Năm học phải gồm hai năm liền nhau'],
    ];
    for (const [body, field, message] of cases) {
      const reply = await post(previewPath(), body);
      expect(reply.status, JSON.stringify(body).slice(0, 80)).toBe(400);
      expect(reply.body.error).toEqual({ code: 'VALIDATION_FAILED', message: 'Dữ liệu gửi lên không hợp lệ.', details: [{ field, message }] });
    }

    const long = await post(previewPath(), { text: 'a'.repeat(300_001) });
    expect(long.status).toBe(400);
    expect(long.body.error.message).toBe('Văn bản quá dài (300.001 ký tự); một kế hoạch nhập vào tối đa 300.000 ký tự.');
    const empty = await post(previewPath(), { text: '  \n ' });
    expect(empty.body.error.message).toBe('Văn bản kế hoạch trống: không có nội dung để đọc.');
    await expectNothingSaved();
  });
});

describe('the preview writes nothing: its DynamoDB calls through the router', () => {
  it('session + grants + the cluster: three reads, no write of any kind', async () => {
    const counter = new CallCounter();
    const fresh = await freshTable(counter);
    const clock = { now: () => new Date('2021-11-25T09:00:00+07:00') };
    const tableRepos = createDynamoRepositories(fresh.doc, fresh.tableName, clock);
    await tableRepos.clusters.createIfAbsent({ clusterId: 'cum-dem', name: 'Cụm đếm', province: { id: 'tinh', name: 'Tỉnh' } });
    await tableRepos.auth.syncUnitGrants('cum-dem', 'truong', [HEAD]);
    const sessionId = 'P'.repeat(43);
    await tableRepos.auth.putSession(sha256Hex(sessionId), { email: HEAD, csrfToken: 'c'.repeat(43), createdAt: clock.now().toISOString(), expiresAt: Math.floor(clock.now().getTime() / 1000) + 3600 });
    const unused = new Proxy({}, { get: () => () => { throw new Error('not used by the preview'); } });
    const deps = { repos: tableRepos, clock, mailer: unused, files: unused, schedules: unused, linkKeys: unused, baseUrl: 'http://app', maxSendRate: 10 } as unknown as AdminDeps;
    const handler = adminRouter<'import'>(adminEndpoints.filter((e) => e.fn === 'import'), planImportPreviewEndpoints(deps), { deps, checkResponses: true });
    const event = {
      version: '2.0',
      routeKey: 'POST /api/clusters/{clusterId}/plans/import/preview',
      rawPath: '/api/clusters/cum-dem/plans/import/preview',
      rawQueryString: '',
      headers: { 'x-csrf-token': 'c'.repeat(43), 'content-type': 'application/json' },
      cookies: [`${SESSION_COOKIE}=${sessionId}`],
      pathParameters: { clusterId: 'cum-dem' },
      body: JSON.stringify(fileBody('ke-hoach.md', Buffer.from(SEED))),
      isBase64Encoded: false,
      requestContext: { http: { method: 'POST', path: '/', sourceIp: '203.0.113.9' }, requestId: 'req-1' },
    } as unknown as APIGatewayProxyEventV2;
    counter.reset();
    const response = (await handler(event, { awsRequestId: 'req-1' } as Context)) as APIGatewayProxyStructuredResultV2;
    expect(response.statusCode).toBe(200);
    expect((JSON.parse(String(response.body)) as { proposal: PlanImportProposal }).proposal.milestones).toHaveLength(9);
    expect(counter.calls.sort()).toEqual(['GetItemCommand', 'GetItemCommand', 'QueryCommand']);
    expect((await tableRepos.audit.list('cum-dem', {}, { limit: 10 })).entries).toEqual([]);
  });
});

describe('POST …/plans/import', () => {
  const reviewed = (): PlanImportProposal => {
    const kept = textProposal.milestones.filter((m) => m.milestoneId !== 'to-chuc-giai-the-thao-chao');
    kept[0] = { ...kept[0]!, title: 'Phát động phong trào thi đua năm học 2021 - 2022' };
    const added = {
      milestoneId: 'bao-cao-chuyen-de-nu-cong',
      order: 99,
      kind: 'report' as const,
      title: 'Báo cáo chuyên đề nữ công',
      due: { type: 'date' as const, date: '2022-03-05', rule: 'by' as const },
      content: [],
      responsible: [],
      documents: [{ title: 'Báo cáo chuyên đề nữ công', from: 'all' as const, to: ['cum-truong' as const] }],
      notes: [],
      recurring: true,
      source: '',
      line: 0,
      confidence: 1,
      reasons: [],
    };
    return { ...textProposal, milestones: [...kept, added].map((m, order) => ({ ...m, order })) };
  };

  it('the province viewer and the admin of another cluster are refused, and nothing is created', async () => {
    for (const path of [previewPath(), confirmPath()]) {
      const body = path === previewPath() ? { text: SEED } : reviewed();
      const byViewer = await post(path, body, viewer);
      expect(byViewer).toEqual({ status: 403, body: { error: { code: 'FORBIDDEN', message: READ_ONLY } } });
      const byOther = await post(path, body, otherHead);
      expect(byOther).toEqual({ status: 403, body: { error: { code: 'FORBIDDEN', message: NO_ACCESS } } });
    }
    await expectNothingSaved();
    await expectNothingSaved(OTHER);
  });

  it('validation errors in Vietnamese, field by field; nothing created', async () => {
    const proposal = reviewed();
    const bad = {
      ...proposal,
      milestones: [{ ...proposal.milestones[0], title: '  ' }, { ...proposal.milestones[1], due: { type: 'date', date: '10/12/2021' } }, ...proposal.milestones.slice(2)],
    };
    const fields = await post(confirmPath(), bad);
    expect(fields.status).toBe(400);
    expect(fields.body.error).toEqual({
      code: 'VALIDATION_FAILED',
      message: 'Dữ liệu gửi lên không hợp lệ.',
      details: [
        { field: 'milestones.0.title', message: 'Không được để trống' },
        { field: 'milestones.1.due.date', message: 'Ngày phải có dạng YYYY-MM-DD' },
        { field: 'milestones.1.due.date', message: 'Ngày không tồn tại' },
      ],
    });
    const noYear = await post(confirmPath(), { ...proposal, schoolYear: undefined });
    expect(noYear.status).toBe(400);
    expect(noYear.body.error).toEqual({
      code: 'VALIDATION_FAILED',
      message: 'Chưa xác định được năm học của kế hoạch. Hãy ghi năm học (ví dụ "năm học 2021 - 2022") hoặc chọn năm học khi nhập.',
      details: [{ field: 'schoolYear', message: 'Cần năm học' }],
    });
    const twice = await post(confirmPath(), { ...proposal, milestones: [...proposal.milestones, { ...proposal.milestones[0], order: 50 }] });
    expect(twice.status).toBe(400);
    expect(twice.body.error.message).toBe('Hai mốc cùng mã "phat-dong-phong-trao-thi-dua": mỗi mốc cần một mã riêng.');
    await expectNothingSaved();
  });

  it('creates the plan with the reviewed milestones and their schedules; one plan.import entry by the signed-in admin', async () => {
    const { status, body } = await post(confirmPath(), reviewed());
    expect(status).toBe(201);
    expect(body.plan).toMatchObject({ clusterId: CLUSTER, planId: PLAN, schoolYear: { startYear: 2021, endYear: 2022 }, title: textProposal.title });
    const expectedIds = [...SEED_IDS.filter((id) => id !== 'to-chuc-giai-the-thao-chao'), 'bao-cao-chuyen-de-nu-cong'];
    expect(body.milestones.map((m: { milestoneId: string }) => m.milestoneId)).toEqual(expectedIds);
    expect(body.milestones[0].title).toBe('Phát động phong trào thi đua năm học 2021 - 2022');
    expect(body.milestones.find((m: { milestoneId: string }) => m.milestoneId === 'bao-cao-so-ket-06-thang').dueLabel).toBe('trước ngày 10/12/2021 (nhận đến hết ngày 09/12/2021)');

    const saved = await repos.plans.listMilestones(CLUSTER, PLAN);
    expect(saved.map((m) => m.milestoneId).sort()).toEqual([...expectedIds].sort());
    expect(saved.find((m) => m.milestoneId === 'bao-cao-so-ket-06-thang')).toMatchObject({
      due: { type: 'date', date: '2021-12-10', rule: 'before' },
      dueText: 'trước ngày 10/12/2021',
      document: { title: 'Báo cáo Sơ kết 06 tháng đầu năm', from: { type: 'all' }, recipients: ['cum-truong'] },
    });
    expect(saved.find((m) => m.milestoneId === 'hoi-nghi-so-ket-hoat-dong')?.assignments.map((a) => a.who)).toEqual([
      { type: 'roles', roles: ['cum-truong'] },
      { type: 'roles', roles: ['cum-pho'] },
    ]);

    // The schedules of the four dated milestones exist, and nothing is missing.
    const reminders = await fetch(`${stack.apiUrl}/api/clusters/${CLUSTER}/plans/${PLAN}/reminders`, { headers: head.headers }).then((r) => r.json() as Promise<any>);
    expect(reminders.missing).toEqual([]);
    expect(new Set(reminders.planned.map((p: { milestoneId: string }) => p.milestoneId))).toEqual(
      new Set(['bao-cao-so-ket-06-thang', 'bao-cao-tong-ket-va-phuong', 'bang-tu-cham-diem-thi-dua', 'bao-cao-chuyen-de-nu-cong']),
    );
    expect(body.schedules.created).toBe(reminders.planned.length);

    const entries = await changes();
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      clusterId: CLUSTER,
      actor: { type: 'admin', id: HEAD },
      action: 'plan.import',
      target: `plan:${PLAN}`,
      summary: `Nhập kế hoạch năm học ${PLAN} từ văn bản: 9 mốc (4 có ngày, 3 chỉ có tháng, 2 chưa có thời gian); lịch nhắc: tạo ${body.schedules.created}.`,
      requestId: expect.any(String),
    });
  });

  it('a second import of the same school year is a 409: nothing overwritten, no second entry', async () => {
    const again = await post(confirmPath(), { ...reviewed(), milestones: reviewed().milestones.slice(0, 2) });
    expect(again.status).toBe(409);
    expect(again.body.error).toEqual({
      code: 'CONFLICT',
      message: 'Cụm đã có kế hoạch năm học 2021-2022; nhập kế hoạch không ghi đè kế hoạch đã có. Hãy sửa trực tiếp kế hoạch đó trên trang quản trị.',
    });
    expect(await repos.plans.listMilestones(CLUSTER, PLAN)).toHaveLength(9);
    expect((await changes()).map((e) => e.action)).toEqual(['plan.import']);
  });
});
