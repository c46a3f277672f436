/**
 * Self-scoring through a unit's signed link, over HTTP (local gateway, real handlers, DynamoDB Local), on clusters of
 * this file's own and the harness's clock (25/11/2021 09:00 ICT, running forward): the form before and after the
 * cluster opens self-scoring, drafts and their versions, the checks (maximum, every criterion, evidence, scope),
 * submitting once, the audit entry, late and closed submissions, the freeze, the printable copy; then the DynamoDB
 * cost of the form and of a save, on a fresh table.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createDynamoRepositories } from '../../shared/adapters/dynamodb/repositories';
import { fileLinkKeys } from '../../shared/adapters/secrets/link-keys';
import { MilestoneSchema, PlanSchema, UnitSchema, type Milestone, type Unit } from '../../shared/domain/model';
import type { Submission } from '../../shared/domain/submission';
import type { Clock } from '../../shared/ports/clock';
import type { Repositories } from '../../shared/ports/repositories';
import { defaultScoringScheme } from '../../shared/reference/scoring-template';
import { issueLink, revokeLinks, type LinkDeps } from '../../shared/use-cases/links';
import { changeLock, openSelfScoring, saveScheme, type ScoringDeps } from '../../shared/use-cases/scoring';
import { getSelfScoreForm, saveSelfScore, type SaveSelfScoreBody } from '../../shared/use-cases/self-score';
import { stackRepos } from '../support/admin';
import { CallCounter, freshTable } from '../support/aws';
import { submissionRecord } from '../support/records';

const stack = inject('stack');
const PLAN = '2021-2022';
const REGISTRATION = 'dang-ky';
const SELF_SCORE = 'tu-cham-diem';
const scheme = defaultScoringScheme(REGISTRATION);
/** Every criterion of the sample scheme at its maximum but the first (4,5 of 5): 99,5 points. */
const ALL_CRITERIA = scheme.groups.flatMap((g) => g.criteria).map((c, i) => ({ criterionId: c.id, points: i === 0 ? c.maximum - 0.5 : c.maximum }));

const unitOf = (clusterId: string, unitId: string, name: string): Unit =>
  UnitSchema.parse({ clusterId, unitId, name, role: 'thanh-vien', emails: [`${unitId}.${clusterId}@example.com`] });
const everyone = (title: string) => ({ title, from: { type: 'all' }, recipients: ['cum-truong'] });
const milestonesOf = (clusterId: string, selfScore: Record<string, unknown>): Milestone[] =>
  [
    { milestoneId: REGISTRATION, order: 0, kind: 'registration', title: 'Đăng ký thi đua', due: { type: 'date', date: '2021-10-15', rule: 'by' }, document: everyone('Bản đăng ký thi đua') },
    { milestoneId: SELF_SCORE, order: 1, kind: 'self-score', title: 'Bảng tự chấm điểm thi đua', document: everyone('Bảng tự chấm điểm'), ...selfScore },
  ].map((m) => MilestoneSchema.parse({ clusterId, planId: PLAN, ...m }));

const submissionOf = (clusterId: string, unitId: string, fileName: string, outcome: Submission['outcome'] = 'accepted'): Submission =>
  submissionRecord({ clusterId, planId: PLAN, milestoneId: REGISTRATION, unitId, fileName, outcome, receivedAt: '2021-10-10T08:00:00+07:00' });

let repos: Repositories;
let clock: Clock;
let close: () => void;
let scoring: ScoringDeps;
let links: LinkDeps;

/** A cluster with units A, B and C, the plan, its scheme (saved, not opened). */
async function seedCluster(deps: ScoringDeps, clusterId: string, selfScore: Record<string, unknown>): Promise<void> {
  const { repos } = deps;
  await repos.clusters.createIfAbsent({ clusterId, name: `Cụm thử tự chấm ${clusterId}`, province: { id: `tinh-${clusterId}`, name: 'Tỉnh thử' } });
  for (const [id, name] of [['don-vi-a', 'Công đoàn Trường A'], ['don-vi-b', 'Công đoàn Trường B'], ['don-vi-c', 'Công đoàn Trường C']] as const) {
    await repos.units.createIfAbsent(unitOf(clusterId, id, name));
  }
  const plan = PlanSchema.parse({ clusterId, planId: PLAN, schoolYear: { startYear: 2021, endYear: 2022 }, title: 'Kế hoạch thi đua năm học 2021 - 2022' });
  await repos.plans.createPlanIfAbsent(plan, milestonesOf(clusterId, selfScore));
  await saveScheme(deps, { clusterId, planId: PLAN, scheme, by: 'test' });
}

const linkOf = async (clusterId: string, unitId: string, milestoneId?: string): Promise<string> =>
  (await issueLink(links, { clusterId, unitId, planId: PLAN, ...(milestoneId ? { milestoneId } : {}) }, stack.apiUrl)).token;

const page = async (token: string, print = false) => {
  const response = await fetch(`${stack.apiUrl}/u/${token}/self-score${print ? '/print' : ''}`);
  return { status: response.status, body: await response.text(), csp: response.headers.get('content-security-policy') ?? '' };
};
const put = async (token: string, body: Partial<SaveSelfScoreBody> & Record<string, unknown>) => {
  const response = await fetch(`${stack.apiUrl}/u/${token}/self-score`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as Record<string, any> };
};

const MAIN = `x-${randomUUID().slice(0, 8)}`;
const LATE = `x-${randomUUID().slice(0, 8)}`;
const CLOSED = `x-${randomUUID().slice(0, 8)}`;
const accepted = submissionOf(MAIN, 'don-vi-a', 'Đăng ký thi đua - Trường A.pdf');
const quarantined = submissionOf(MAIN, 'don-vi-a', 'Tệp hỏng.pdf', 'quarantined');
const othersFile = submissionOf(MAIN, 'don-vi-b', 'Đăng ký thi đua - Trường B.pdf');

beforeAll(async () => {
  ({ repos, clock, close } = stackRepos(stack));
  scoring = { repos, clock };
  links = { repos, clock, linkKeys: fileLinkKeys(stack.linkSecretFile) };
  // Due 15/12/2021: open on the harness's day.
  await seedCluster(scoring, MAIN, { due: { type: 'date', date: '2021-12-15', rule: 'before' } });
  for (const s of [accepted, quarantined, othersFile]) await repos.uploads.recordSubmission(s);
  // Accepted through 20/11/2021, late after; no cut-off.
  await seedCluster(scoring, LATE, { due: { type: 'date', date: '2021-11-20', rule: 'by' } });
  // The same, with late sheets refused after 22/11/2021.
  await seedCluster(scoring, CLOSED, { due: { type: 'date', date: '2021-11-20', rule: 'by' }, cutoffDate: '2021-11-22' });
  for (const c of [LATE, CLOSED]) await openSelfScoring(scoring, { clusterId: c, planId: PLAN });
});
afterAll(() => close());

describe('before the cluster opens self-scoring', () => {
  it('shows the criteria read-only with the state "not open", and refuses a save with 409 in Vietnamese', async () => {
    const token = await linkOf(MAIN, 'don-vi-a');
    const form = await page(token);
    expect(form.status).toBe(200);
    expect(form.body).toContain('<p class="state state--not-open" data-testid="state">Cụm chưa mở tự chấm điểm.</p>');
    expect(form.body).toContain('Phát động phong trào thi đua, đăng ký thi đua và ký kết giao ước thi đua đầy đủ, đúng thời gian');
    expect(form.body).not.toContain('<form');
    const refused = await put(token, { action: 'save', expectedVersion: 0, criteria: [ALL_CRITERIA[0]!] });
    expect(refused).toEqual({ status: 409, body: { error: { code: 'CONFLICT', message: 'Cụm chưa mở tự chấm điểm.' } } });
  });
});

describe('once open', () => {
  let token: string;
  beforeAll(async () => {
    await openSelfScoring(scoring, { clusterId: MAIN, planId: PLAN });
    token = await linkOf(MAIN, 'don-vi-a');
  });

  it('serves the form: 200, nonce CSP, every criterion, the unit’s accepted files as evidence only', async () => {
    const form = await page(token);
    expect(form.status).toBe(200);
    const nonce = /script-src 'nonce-([^']+)'/.exec(form.csp)?.[1];
    expect(nonce).toBeTruthy();
    expect(form.csp).toContain("connect-src 'self';");
    expect(form.body).toContain(`<script nonce="${nonce}">`);
    expect(form.body).toContain('<p class="state state--open" data-testid="state">');
    expect(form.body).toContain('<h1 class="top__unit">Công đoàn Trường A</h1>');
    expect(form.body.match(/data-line="criterion"/g)).toHaveLength(ALL_CRITERIA.length);
    expect(form.body).toContain('data-code="5.2"');
    expect(form.body).toContain(`<option value="${accepted.uploadId}">Đăng ký thi đua - Trường A.pdf (Đăng ký thi đua, 08:00 10/10/2021)</option>`);
    expect(form.body).not.toContain(quarantined.uploadId);
    expect(form.body).not.toContain(othersFile.uploadId);
    expect(form.body).toContain('trước ngày 15/12/2021 (nhận đến hết ngày 14/12/2021)');
    expect(form.body).not.toContain('data-testid="late-warning"');
  });

  it('saves a draft (version 1), then refuses a save from a stale page with 409', async () => {
    const saved = await put(token, { action: 'save', expectedVersion: 0, criteria: [{ criterionId: 'phat-dong-dang-ky', points: 4.5, justification: 'Đã phát động' }] });
    expect(saved.status).toBe(200);
    expect(saved.body).toMatchObject({ status: 'draft', version: 1, late: false, selfTotal: 4.5 });
    expect(saved.body.message).toMatch(/^Đã lưu nháp lúc \d{2}:\d{2} \d{2}\/\d{2}\/2021\.$/);
    const stale = await put(token, { action: 'save', expectedVersion: 0, criteria: [] });
    expect(stale.status).toBe(409);
    expect(stale.body.error).toEqual({
      code: 'CONFLICT',
      message: 'Bảng tự chấm điểm vừa được lưu ở một cửa sổ khác. Vui lòng tải lại trang để xem bản mới nhất trước khi sửa.',
    });
    const form = await page(token);
    expect(form.body).toContain('value="4,5"');
    expect(form.body).toContain('"expectedVersion":1');
  });

  it('refuses points over the maximum with 400 naming the criterion’s code', async () => {
    const response = await put(token, { action: 'save', expectedVersion: 1, criteria: [{ criterionId: 'phat-dong-dang-ky', points: 5.5 }] });
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('VALIDATION_FAILED');
    expect(response.body.error.message).toContain('Tiêu chí 1.1');
    expect(response.body.error.message).toContain('5,5 điểm vượt quá điểm tối đa 5');
  });

  it('refuses evidence that is not one of the unit’s accepted files', async () => {
    for (const uploadId of [othersFile.uploadId, quarantined.uploadId, randomUUID()]) {
      const response = await put(token, { action: 'save', expectedVersion: 1, criteria: [{ criterionId: 'phat-dong-dang-ky', points: 4, evidenceUploadId: uploadId }] });
      expect(response.status).toBe(400);
      expect(response.body.error.message).toContain('Tệp minh chứng không có trong các tệp đơn vị đã nộp');
    }
    const ok = await put(token, { action: 'save', expectedVersion: 1, criteria: [{ criterionId: 'phat-dong-dang-ky', points: 4.5, evidenceUploadId: accepted.uploadId }] });
    expect(ok.status).toBe(200);
    expect(ok.body.version).toBe(2);
  });

  it('refuses a submission with a criterion left out (400), the draft untouched', async () => {
    const response = await put(token, { action: 'submit', expectedVersion: 2, criteria: ALL_CRITERIA.filter((c) => c.criterionId !== 'dan-chu-co-so') });
    expect(response.status).toBe(400);
    expect(response.body.error.message).toContain('Chưa chấm Tiêu chí 2.1');
    const stored = await repos.scoring.getUnitScoring(MAIN, PLAN, 'don-vi-a');
    expect(stored.sheet).toMatchObject({ version: 2, value: { status: 'draft' } });
  });

  it('submits a complete sheet: 200, stored as submitted with its time, audited; a second submission is refused', async () => {
    const before = clock.now();
    const response = await put(token, {
      action: 'submit',
      expectedVersion: 2,
      criteria: ALL_CRITERIA.map((c, i) => (i === 0 ? { ...c, justification: 'Đã phát động, có kế hoạch', evidenceUploadId: accepted.uploadId } : c)),
      bonus: [{ itemId: 'mo-hinh-sang-kien', points: 1.5 }],
    });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ status: 'submitted', version: 3, late: false, selfTotal: 101 });
    expect(response.body.message).toBe('Đã nộp bảng tự chấm điểm (101 điểm). Hãy in bản để ký, đóng dấu và gửi bản scan ở trang nộp tài liệu.');

    const stored = await repos.scoring.getUnitScoring(MAIN, PLAN, 'don-vi-a');
    expect(stored.sheet?.version).toBe(3);
    const sheet = stored.sheet!.value;
    expect(sheet).toMatchObject({ status: 'submitted', schemeVersion: 1, unitId: 'don-vi-a' });
    expect(sheet.criteria).toHaveLength(ALL_CRITERIA.length);
    expect(sheet.criteria[0]).toEqual({ criterionId: 'phat-dong-dang-ky', points: 4.5, justification: 'Đã phát động, có kế hoạch', evidenceUploadId: accepted.uploadId });
    expect(sheet.bonus).toEqual([{ itemId: 'mo-hinh-sang-kien', points: 1.5 }]);
    const submittedAt = new Date(sheet.submittedAt!).getTime();
    expect(submittedAt).toBeGreaterThanOrEqual(before.getTime() - 1000);
    expect(submittedAt).toBeLessThanOrEqual(clock.now().getTime());

    const audit = await repos.audit.list(MAIN, { action: 'self-score.submit' }, { limit: 10 });
    expect(audit.entries).toHaveLength(1);
    expect(audit.entries[0]).toMatchObject({
      action: 'self-score.submit',
      actor: { type: 'unit', id: 'don-vi-a' },
      target: 'unit:don-vi-a',
      summary: 'Công đoàn Trường A nộp bảng tự chấm điểm năm học 2021-2022: 101 điểm tự chấm (đúng hạn).',
    });

    const again = await put(token, { action: 'submit', expectedVersion: 3, criteria: ALL_CRITERIA });
    expect(again.status).toBe(409);
    expect(again.body.error.message).toMatch(/^Đơn vị đã nộp bảng tự chấm điểm lúc .+ Muốn sửa, vui lòng liên hệ đơn vị Cụm trưởng\.$/);
  });

  it('then shows the sheet read-only, submitted, with the print link', async () => {
    const form = await page(token);
    expect(form.status).toBe(200);
    expect(form.body).toContain('state--submitted');
    expect(form.body).not.toContain('<form');
    expect(form.body).toContain('<strong data-testid="total">101 điểm</strong> / 100 điểm');
    expect(form.body).toContain('href="self-score/print"');
  });

  it('prints the unit’s points with subtotals, the total and the submission time', async () => {
    const printed = await page(token, true);
    expect(printed.status).toBe(200);
    expect(printed.csp).toContain("script-src 'nonce-");
    expect(printed.body).toContain('BẢNG TỰ CHẤM ĐIỂM THI ĐUA NĂM HỌC 2021 - 2022');
    expect(printed.body).toMatch(/data-testid="print-line-phat-dong-dang-ky">\s*<td class="num">1\.1<\/td>\s*<td>[^<]+<\/td>\s*<td class="num">5<\/td>\s*<td class="num pts">4,5<\/td>/);
    expect(printed.body).toMatch(/data-testid="print-group-phong-trao-thi-dua">\s*<td class="num">I<\/td>\s*<td>Tổ chức phong trào thi đua<\/td>\s*<td class="num">20<\/td>\s*<td class="num pts">19,5<\/td>/);
    expect(printed.body).toContain('Minh chứng: Đăng ký thi đua - Trường A.pdf');
    expect(printed.body).toContain('<td class="num pts" data-testid="print-total">101</td>');
    expect(printed.body).toMatch(/data-testid="print-status">Đã nộp lúc \d{2}:\d{2} \d{2}\/\d{2}\/2021<\/p>/);
    expect(printed.body).toContain('TM. BAN CHẤP HÀNH');
  });

  it('refuses a link narrowed to another milestone: 403 JSON for a save, a 403 page for the form', async () => {
    const scoped = await linkOf(MAIN, 'don-vi-b', REGISTRATION);
    const response = await put(scoped, { action: 'save', expectedVersion: 0, criteria: [] });
    expect(response).toEqual({
      status: 403,
      body: { error: { code: 'FORBIDDEN', message: 'Đường link này chỉ dùng để nộp tài liệu cho một mốc khác, không dùng để tự chấm điểm.' } },
    });
    const form = await page(scoped);
    expect(form.status).toBe(403);
    expect(form.body).toContain('Không mở được bảng tự chấm điểm');
    expect(form.body).toContain('Đường link này chỉ dùng để nộp tài liệu cho một mốc khác');
    // A link narrowed to the self-score milestone itself works.
    expect((await page(await linkOf(MAIN, 'don-vi-b', SELF_SCORE))).status).toBe(200);
  });

  it('answers forged and replaced links with the member page’s 404 and 410 pages', async () => {
    const old = await linkOf(MAIN, 'don-vi-c');
    await revokeLinks(links, MAIN, 'don-vi-c');
    for (const print of [false, true]) {
      const replaced = await page(old, print);
      expect(replaced.status).toBe(410);
      expect(replaced.body).toContain('data-testid="link-error-replaced"');
      const forged = await page(`${old.slice(0, -2)}AA`, print);
      expect(forged.status).toBe(404);
      expect(forged.body).toContain('Không tìm thấy trang');
    }
    expect((await put(old, { action: 'save', expectedVersion: 0 })).body.error.code).toBe('LINK_REPLACED');
  });

  it('once the results are frozen, refuses saves with 409 and shows the state "frozen"', async () => {
    await changeLock(scoring, { clusterId: MAIN, planId: PLAN, by: 'test', type: 'freeze' });
    const token = await linkOf(MAIN, 'don-vi-b');
    const response = await put(token, { action: 'save', expectedVersion: 0, criteria: [ALL_CRITERIA[1]!] });
    expect(response).toEqual({ status: 409, body: { error: { code: 'CONFLICT', message: 'Cụm đã chốt kết quả chấm điểm thi đua năm học này.' } } });
    const form = await page(token);
    expect(form.body).toContain('state--frozen');
    expect(form.body).not.toContain('<form');
  });
});

describe('after the self-score deadline', () => {
  it('without a cut-off: warns on the form, accepts the submission and marks it late', async () => {
    const token = await linkOf(LATE, 'don-vi-a');
    const form = await page(token);
    expect(form.body).toContain('data-testid="late-warning"');
    expect(form.body).toContain('đến hết ngày 20/11/2021');
    const response = await put(token, { action: 'submit', expectedVersion: 0, criteria: ALL_CRITERIA });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ status: 'submitted', late: true, selfTotal: 99.5 });
    expect(response.body.message).toContain('(99,5 điểm), nộp muộn.');
    expect((await page(token, true)).body).toMatch(/Đã nộp lúc [^<]+ \(nộp muộn\)/);
    const audit = await repos.audit.list(LATE, { action: 'self-score.submit' }, { limit: 10 });
    expect(audit.entries[0]?.summary).toContain('(nộp muộn)');
  });

  it('after the cut-off: the form says it is closed and a save is refused with UPLOAD_CLOSED', async () => {
    const token = await linkOf(CLOSED, 'don-vi-a');
    const form = await page(token);
    expect(form.body).toContain('state--closed');
    expect(form.body).not.toContain('<form');
    const response = await put(token, { action: 'submit', expectedVersion: 0, criteria: ALL_CRITERIA });
    expect(response.status).toBe(403);
    expect(response.body.error).toEqual({
      code: 'UPLOAD_CLOSED',
      message: 'Đã hết thời hạn nộp bảng tự chấm điểm. Vui lòng liên hệ đơn vị Cụm trưởng nếu cần gia hạn.',
    });
  });
});

// ---- Cost ----------------------------------------------------------------------------------------------------------

describe('DynamoDB calls, on a fresh table', () => {
  const counter = new CallCounter();
  const fixed: Clock = { now: () => new Date('2021-11-25T09:00:00+07:00') };
  const key = { id: 1, secret: Buffer.from('khoa-thu-tu-cham-diem-0123456789') };
  let deps: { repos: Repositories; clock: Clock; linkKeys: LinkDeps['linkKeys'] };
  let token: string;
  const FORM_CALLS = ['BatchGetItemCommand', 'BatchGetItemCommand', 'QueryCommand', 'QueryCommand', 'QueryCommand'];

  beforeAll(async () => {
    const fresh = await freshTable(counter);
    deps = { repos: createDynamoRepositories(fresh.doc, fresh.tableName, fixed), clock: fixed, linkKeys: { keys: async () => [key] } };
    await seedCluster(deps, 'cum-dem', { due: { type: 'date', date: '2021-12-15', rule: 'before' } });
    await openSelfScoring(deps, { clusterId: 'cum-dem', planId: PLAN });
    token = (await issueLink(deps, { clusterId: 'cum-dem', unitId: 'don-vi-a', planId: PLAN }, 'http://app')).token;
  });

  it('the form: link context, milestones, the unit’s items, the scheme, settings + sheet = 5', async () => {
    counter.reset();
    const view = await getSelfScoreForm(deps, token);
    expect(counter.calls.sort()).toEqual(FORM_CALLS);
    expect(view.state).toBe('open');
  });

  it('a draft: the same 5 reads and one TransactWriteItems', async () => {
    counter.reset();
    await saveSelfScore(deps, token, { action: 'save', expectedVersion: 0, criteria: [ALL_CRITERIA[0]!], bonus: [] });
    expect(counter.calls.sort()).toEqual([...FORM_CALLS, 'TransactWriteItemsCommand'].sort());
  });

  it('a submission: the same, plus the audit entry’s PutItem', async () => {
    counter.reset();
    const saved = await saveSelfScore(deps, token, { action: 'submit', expectedVersion: 1, criteria: ALL_CRITERIA, bonus: [] });
    expect(saved.status).toBe('submitted');
    expect(counter.calls.sort()).toEqual([...FORM_CALLS, 'PutItemCommand', 'TransactWriteItemsCommand'].sort());
  });
});
