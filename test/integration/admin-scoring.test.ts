/**
 * Chấm điểm thi đua through HTTP (local gateway, real handlers, DynamoDB Local), on a cluster of this file's own, on
 * the harness's day (25/11/2021 09:00 ICT, running forward): the scheme and its versions, opening self-scoring,
 * verification with deduction overrides, registration records, ballots, the freeze, the exports and a province
 * viewer. Then the DynamoDB cost of the scoring view and of the export on a fresh table, for 4 and for 30 units.
 *
 * The story: two units, both registered by upload. Đơn vị Trưởng sent the report on time and scores itself 100;
 * Đơn vị An never sent it (−3) and scores itself 100 plus 2 bonus points: 99. Verification lowers one criterion of
 * Đơn vị Trưởng (10 → 4: 94) and waives An's deduction with a reason (102): the ranking flips.
 */
import { randomUUID } from 'node:crypto';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createDynamoRepositories } from '../../shared/adapters/dynamodb/repositories';
import { MilestoneSchema, PlanSchema, UnitSchema, type Milestone, type Unit, type UnitRole } from '../../shared/domain/model';
import { SelfScoreSheetSchema, VerificationSchema, type ScoringScheme, type SelfScoreSheet } from '../../shared/domain/scoring';
import type { Submission } from '../../shared/domain/submission';
import { formatInstantVi } from '../../shared/domain/time';
import { attachmentDisposition } from '../../shared/http/content-disposition';
import type { Clock } from '../../shared/ports/clock';
import type { Repositories } from '../../shared/ports/repositories';
import { defaultScoringScheme } from '../../shared/reference/scoring-template';
import { exportScores } from '../../shared/use-cases/score-export';
import { getScoring } from '../../shared/use-cases/scoring';
import { adminEmailsOf } from '../../shared/use-cases/units';
import { signIn, stackRepos, type AdminSession } from '../support/admin';
import { CallCounter, freshTable } from '../support/aws';
import { submissionRecord } from '../support/records';

const stack = inject('stack');
const CLUSTER = `cham-${randomUUID().slice(0, 8)}`;
const CLUSTER_NAME = 'Cụm thử chấm điểm';
const PLAN = '2021-2022';
const HEAD = `truong.${CLUSTER}@example.com`;
const VIEWER = `van-phong.${CLUSTER}@example.com`;
const PROVINCE = `tinh-${CLUSTER}`;
const base = `/api/clusters/${CLUSTER}/plans/${PLAN}/scoring`;

const READ_ONLY = 'Tài khoản của bạn chỉ được xem cụm này, không được thay đổi.';
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

const unitOf = (clusterId: string, unitId: string, name: string, role: UnitRole, emails = [`${unitId}.${clusterId}@example.com`]): Unit =>
  UnitSchema.parse({ clusterId, unitId, name, role, emails });
const planOf = (clusterId: string) => PlanSchema.parse({ clusterId, planId: PLAN, schoolYear: { startYear: 2021, endYear: 2022 }, title: 'Kế hoạch thi đua năm học 2021 - 2022' });
const everyone = (title: string) => ({ title, from: { type: 'all' }, recipients: ['cum-truong'] });
/** Registration (past), a report due 20/11/2021 (past on 25/11) and the self-score table due 20/12/2021. */
const milestonesOf = (clusterId: string): Milestone[] =>
  [
    { milestoneId: 'dang-ky', kind: 'registration', title: 'Đăng ký thi đua', due: { type: 'date', date: '2021-10-15', rule: 'by' }, document: everyone('Bản đăng ký thi đua') },
    { milestoneId: 'bao-cao', kind: 'report', title: 'Báo cáo sơ kết', due: { type: 'date', date: '2021-11-20', rule: 'by' }, document: everyone('Báo cáo sơ kết') },
    { milestoneId: 'tu-cham', kind: 'self-score', title: 'Bảng tự chấm điểm', due: { type: 'date', date: '2021-12-20', rule: 'by' }, document: everyone('Bảng tự chấm điểm') },
  ].map((m, order) => MilestoneSchema.parse({ clusterId, planId: PLAN, order, ...m }));

const submissionOf = (clusterId: string, milestoneId: string, unitId: string, receivedAt: string, late = false): Submission =>
  submissionRecord({ clusterId, planId: PLAN, milestoneId, unitId, receivedAt, late });

const TEMPLATE = defaultScoringScheme('dang-ky');
/** A submitted sheet under `scheme`: every criterion at its maximum, plus the bonus points given. */
const fullSheet = (clusterId: string, unitId: string, scheme: ScoringScheme, bonus: Record<string, number>, submittedAt: string): SelfScoreSheet =>
  SelfScoreSheetSchema.parse({
    clusterId,
    planId: PLAN,
    unitId,
    schemeVersion: scheme.version,
    criteria: scheme.groups.flatMap((g) => g.criteria).map((c) => ({ criterionId: c.id, points: c.maximum, justification: 'Theo báo cáo của đơn vị' })),
    bonus: Object.entries(bonus).map(([itemId, points]) => ({ itemId, points })),
    status: 'submitted',
    submittedAt,
  });

let repos: Repositories;
let close: () => void;
let head: AdminSession;
let viewer: AdminSession;

beforeAll(async () => {
  ({ repos, close } = stackRepos(stack));
  await repos.clusters.createIfAbsent({ clusterId: CLUSTER, name: CLUSTER_NAME, province: { id: PROVINCE, name: 'Tỉnh thử' } });
  for (const unit of [unitOf(CLUSTER, 'truong', 'Đơn vị Trưởng', 'cum-truong', [HEAD]), unitOf(CLUSTER, 'an', 'Đơn vị An', 'thanh-vien')]) {
    await repos.units.createIfAbsent(unit);
    await repos.auth.syncUnitGrants(CLUSTER, unit.unitId, adminEmailsOf(unit));
  }
  await repos.plans.createPlanIfAbsent(planOf(CLUSTER), milestonesOf(CLUSTER));
  for (const s of [
    submissionOf(CLUSTER, 'dang-ky', 'truong', '2021-10-10T09:00:00+07:00'),
    submissionOf(CLUSTER, 'dang-ky', 'an', '2021-10-12T09:00:00+07:00'),
    submissionOf(CLUSTER, 'bao-cao', 'truong', '2021-11-19T15:00:00+07:00'),
  ]) {
    await repos.uploads.recordSubmission(s);
  }
  // A viewer of this cluster's own province: read-only here, and the reference province's viewer list is unchanged.
  await repos.auth.putProvinceGrant({ scope: 'province', email: VIEWER, provinceId: PROVINCE });
  head = await signIn(stack, HEAD);
  viewer = await signIn(stack, VIEWER);
});
afterAll(() => close());

type Json = Record<string, any>;
const api = async (method: string, path: string, body?: unknown, session: AdminSession = head): Promise<{ status: number; body: Json }> => {
  const response = await fetch(`${stack.apiUrl}${path}`, { method, headers: session.headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  return { status: response.status, body: (await response.json()) as Json };
};
const scoring = async (): Promise<Json> => {
  const { status, body } = await api('GET', base);
  expect(status).toBe(200);
  return body;
};
const rowOf = (view: Json, unitId: string): Json => (view.results.rows as Json[]).find((r) => r.unitId === unitId)!;
const criterionOf = (row: Json, criterionId: string): Json => (row.groups as Json[]).flatMap((g) => g.criteria as Json[]).find((c) => c.criterionId === criterionId)!;
const standings = (view: Json) => (view.results.rows as Json[]).map((r) => [r.unitId, r.total, r.rank]);
const auditOf = async (action: string): Promise<Json[]> => {
  const { status, body } = await api('GET', `/api/clusters/${CLUSTER}/audit?action=${action}`);
  expect(status).toBe(200);
  return body.entries as Json[];
};

/** Version 2 of the scheme: the Tốt band from 80 instead of 85 (totals do not move). */
const bandsV2 = TEMPLATE.bands.map((b) => (b.id === 'tot' ? { ...b, minimum: 80 } : b));

describe('the scheme', () => {
  it('before any scheme: scheme null, no versions, the sample template on the plan’s registration milestone, no results', async () => {
    const view = await scoring();
    expect(view.scheme).toBeNull();
    expect(view.schemeVersions).toEqual([]);
    expect(view.results).toBeNull();
    expect(view.template).toMatchObject({ version: 1, isSample: true, base: 100, registrationMilestoneId: 'dang-ky' });
    expect(view.template.sampleNote).toContain('Hướng dẫn 40/HD-CĐVC');
    expect(view.state).toEqual({ lock: { status: 'open' }, selfScoringOpen: false, version: 0 });
    expect(view.selfScoreMilestone).toEqual({ milestoneId: 'tu-cham', title: 'Bảng tự chấm điểm', dueLabel: 'đến hết ngày 20/12/2021' });
    expect(view.units.map((u: Json) => [u.unitId, u.name, u.role, u.sheet, u.verification])).toEqual([
      ['an', 'Đơn vị An', 'thanh-vien', null, null],
      ['truong', 'Đơn vị Trưởng', 'cum-truong', null, null],
    ]);
  });

  it('refuses a scheme whose groups do not add up to the base (400, in Vietnamese), and nothing is saved', async () => {
    expect(await api('PUT', `${base}/scheme`, { ...TEMPLATE, base: 90 })).toEqual({
      status: 400,
      body: {
        error: {
          code: 'VALIDATION_FAILED',
          message: 'Dữ liệu gửi lên không hợp lệ.',
          details: [{ field: 'groups', message: 'Tổng điểm tối đa của các nhóm tiêu chí (100) phải bằng điểm chuẩn (90)' }],
        },
      },
    });
    expect((await scoring()).scheme).toBeNull();
  });

  it('refuses a scheme whose registration milestone is not in the plan, or is not a registration', async () => {
    expect(await api('PUT', `${base}/scheme`, { ...TEMPLATE, registrationMilestoneId: 'khong-co' })).toEqual({
      status: 400,
      body: {
        error: {
          code: 'VALIDATION_FAILED',
          message: 'Thang điểm chưa khớp với kế hoạch: Kế hoạch không có mốc «khong-co» dùng để xét điều kiện đăng ký thi đua.',
          details: { issues: ['Kế hoạch không có mốc «khong-co» dùng để xét điều kiện đăng ký thi đua'] },
        },
      },
    });
    const report = await api('PUT', `${base}/scheme`, { ...TEMPLATE, registrationMilestoneId: 'bao-cao' });
    expect(report.status).toBe(400);
    expect(report.body.error.message).toBe('Thang điểm chưa khớp với kế hoạch: Mốc «Báo cáo sơ kết» dùng để xét đăng ký thi đua nhưng không phải loại «Đăng ký thi đua».');
  });

  it('saves the template as version 1 (created), then edits it in place while self-scoring is not open', async () => {
    const created = await api('PUT', `${base}/scheme`, TEMPLATE);
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({ created: true, asNewVersion: false, changes: [], scheme: { version: 1, isSample: true } });

    const edited = await api('PUT', `${base}/scheme`, { ...TEMPLATE, isSample: false });
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({ created: false, asNewVersion: false, changes: ['Nhãn mẫu: có → không'], message: 'Lưu thay đổi thang điểm (chưa mở tự chấm điểm).' });

    const view = await scoring();
    expect(view.scheme).toMatchObject({ version: 1, isSample: false });
    expect(view.schemeVersions).toEqual([{ version: 1, savedAt: expect.stringMatching(/^2021-11-25T/), savedBy: HEAD }]);
    // Nothing is scored yet: 0 each (An's missing report, −3, is not carried below zero); fewer deductions ranks first.
    expect(standings(view)).toEqual([
      ['truong', 0, 1],
      ['an', 0, 2],
    ]);
    expect(rowOf(view, 'an')).toMatchObject({ floored: true, deductions: { automatic: 3, total: 3, lines: [{ milestoneId: 'bao-cao', reason: 'missing', points: 3 }] } });
    expect(view.results.ties).toEqual([{ total: 0, unitIds: ['truong', 'an'], steps: [{ above: 'truong', below: 'an', by: 'fewer-deductions' }], needsVote: false }]);
    const audit = await auditOf('scoring.scheme');
    expect(audit.map((e) => e.summary)).toEqual([
      `Sửa thang điểm kế hoạch ${PLAN} (phiên bản 1, chưa mở tự chấm điểm). Thay đổi: Nhãn mẫu: có → không.`,
      `Tạo thang điểm kế hoạch ${PLAN} (phiên bản 1, thang điểm mẫu).`,
    ]);
  });
});

describe('opening self-scoring and versions after it', () => {
  let opensAt: string;

  it('opens from now; a second opening is refused', async () => {
    const reply = await api('POST', `${base}/open`, {});
    expect(reply.status).toBe(200);
    opensAt = reply.body.opensAt;
    expect(new Date(opensAt).getTime()).toBeGreaterThanOrEqual(new Date('2021-11-25T09:00:00+07:00').getTime());
    expect(new Date(opensAt).getTime()).toBeLessThan(new Date('2021-11-25T12:00:00+07:00').getTime());
    const view = await scoring();
    expect(view.state).toMatchObject({ selfScoreOpensAt: opensAt, selfScoringOpen: true, version: 1 });
    expect(await api('POST', `${base}/open`, {})).toEqual({
      status: 409,
      body: { error: { code: 'CONFLICT', message: `Các đơn vị đã được tự chấm điểm từ ${formatInstantVi(new Date(opensAt))}.` } },
    });
  });

  it('refuses a change to the same version once open (409, "phiên bản mới")', async () => {
    const reply = await api('PUT', `${base}/scheme`, { ...TEMPLATE, isSample: false, bands: bandsV2 });
    expect(reply.status).toBe(409);
    expect(reply.body.error.code).toBe('CONFLICT');
    expect(reply.body.error.message).toBe(
      `Các đơn vị đã được tự chấm điểm từ ${formatInstantVi(new Date(opensAt))}: thay đổi thang điểm phải lưu thành phiên bản mới (phiên bản 2) kèm lý do thay đổi.`,
    );
    expect(reply.body.error.details).toEqual({ changes: ['Mức xếp loại «Tốt»: điểm tối thiểu 85 → 80'], needsNewVersion: true });
  });

  it('refuses version 2 without a reason (409), saves it with one (asNewVersion); both versions are listed', async () => {
    const v2 = { ...TEMPLATE, isSample: false, bands: bandsV2, version: 2 };
    const noReason = await api('PUT', `${base}/scheme`, v2);
    expect(noReason.status).toBe(409);
    expect(noReason.body.error.message).toBe(`Các đơn vị đã được tự chấm điểm từ ${formatInstantVi(new Date(opensAt))}: cần ghi lý do thay đổi của phiên bản 2.`);

    const saved = await api('PUT', `${base}/scheme`, { ...v2, changeReason: 'Hội nghị Cụm thống nhất hạ mức Tốt xuống 80 điểm' });
    expect(saved.status).toBe(200);
    expect(saved.body).toMatchObject({ created: false, asNewVersion: true, changes: ['Mức xếp loại «Tốt»: điểm tối thiểu 85 → 80'] });
    const view = await scoring();
    expect(view.scheme.version).toBe(2);
    expect(view.schemeVersions.map((v: Json) => v.version)).toEqual([1, 2]);
    expect(view.schemeVersions[1].changeReason).toBe('Hội nghị Cụm thống nhất hạ mức Tốt xuống 80 điểm');
    expect(view.results.schemeVersion).toBe(2);
  });

  it('refuses skipping a version', async () => {
    const reply = await api('PUT', `${base}/scheme`, { ...TEMPLATE, version: 4, changeReason: 'Bỏ qua phiên bản 3' });
    expect(reply.status).toBe(409);
    expect(reply.body.error.message).toBe('Phiên bản thang điểm không hợp lệ: đang là 2, phiên bản mới phải là 3.');
  });
});

describe('sheets, verification and the ranking', () => {
  let scheme: ScoringScheme;

  beforeAll(async () => {
    scheme = (await scoring()).scheme as ScoringScheme;
    const { state } = await repos.scoring.getPlanScoring(CLUSTER, PLAN);
    await repos.scoring.putSheet(fullSheet(CLUSTER, 'truong', scheme, {}, '2021-11-25T02:30:00.000Z'), { sheetVersion: 0, stateVersion: state.version });
    await repos.scoring.putSheet(fullSheet(CLUSTER, 'an', scheme, { 'mo-hinh-sang-kien': 2 }, '2021-11-25T02:40:00.000Z'), { sheetVersion: 0, stateVersion: state.version });
  });

  it('with the submitted sheets: Trưởng 100, An 100 + 2 − 3 = 99', async () => {
    const view = await scoring();
    expect(standings(view)).toEqual([
      ['truong', 100, 1],
      ['an', 99, 2],
    ]);
    expect(view.units.map((u: Json) => [u.unitId, u.sheet.status, u.sheet.schemeVersion, u.sheet.late])).toEqual([
      ['an', 'submitted', 2, false],
      ['truong', 'submitted', 2, false],
    ]);
    // Both Xuất sắc: the Cờ to the first, a Bằng khen to the second, both waiting for the suy tôn vote.
    expect(rowOf(view, 'truong').proposal).toMatchObject({ status: 'proposed', award: { award: 'co-thi-dua' }, pendingVote: true });
    expect(rowOf(view, 'an').proposal).toMatchObject({ status: 'proposed', award: { award: 'bang-khen' }, pendingVote: true });
  });

  it('lowering one criterion of Trưởng (10 → 4) flips the ranking: An 99 first, Trưởng 94 second', async () => {
    const reply = await api('PUT', `${base}/units/truong/verification`, {
      criteria: [{ criterionId: 'phong-trao-chuyen-mon', points: 4, comment: 'Chưa có kết quả cụ thể' }],
      expectedVersion: 0,
    });
    expect(reply).toEqual({ status: 200, body: { version: 1, changes: ['tiêu chí 1.2: 4 điểm (tự chấm 10)'] } });
    const view = await scoring();
    expect(standings(view)).toEqual([
      ['an', 99, 1],
      ['truong', 94, 2],
    ]);
    expect(criterionOf(rowOf(view, 'truong'), 'phong-trao-chuyen-mon')).toMatchObject({ self: 10, verified: 4, final: 4, source: 'verified', difference: -6, comment: 'Chưa có kết quả cụ thể' });
    expect(criterionOf(rowOf(view, 'truong'), 'phat-dong-dang-ky')).toMatchObject({ self: 5, final: 5, source: 'self' });
    expect(rowOf(view, 'truong').band).toMatchObject({ id: 'tot' });
    expect(rowOf(view, 'an').proposal).toMatchObject({ status: 'proposed', award: { award: 'co-thi-dua' } });
    expect(rowOf(view, 'truong').proposal).toMatchObject({ status: 'proposed', award: { award: 'bang-khen' } });
    expect(view.units.find((u: Json) => u.unitId === 'truong').verification).toMatchObject({ version: 1, schemeVersion: 2, updatedBy: HEAD, deductionOverrides: [] });
  });

  it('an override of an automatic deduction needs a reason (400); with one it counts (200) and the log says why', async () => {
    const noReason = await api('PUT', `${base}/units/an/verification`, { deductionOverrides: [{ milestoneId: 'bao-cao', points: 0, reason: '' }], expectedVersion: 0 });
    expect(noReason).toEqual({
      status: 400,
      body: { error: { code: 'VALIDATION_FAILED', message: 'Dữ liệu gửi lên không hợp lệ.', details: [{ field: 'deductionOverrides.0.reason', message: 'Cần ghi rõ lý do (ít nhất 5 ký tự)' }] } },
    });

    const reason = 'Đơn vị gửi báo cáo bằng giấy đúng hạn, có sổ công văn đến';
    const saved = await api('PUT', `${base}/units/an/verification`, { deductionOverrides: [{ milestoneId: 'bao-cao', points: 0, reason }], expectedVersion: 0 });
    expect(saved).toEqual({ status: 200, body: { version: 1, changes: [`điều chỉnh điểm trừ mốc «Báo cáo sơ kết» từ 3 còn 0, lý do: ${reason}`] } });
    const view = await scoring();
    expect(standings(view)).toEqual([
      ['an', 102, 1],
      ['truong', 94, 2],
    ]);
    expect(rowOf(view, 'an').deductions).toMatchObject({ automatic: 3, total: 0, lines: [{ milestoneId: 'bao-cao', points: 3, applied: 0, override: { points: 0, reason } }] });

    const audit = await auditOf('scoring.verify');
    expect(audit).toHaveLength(2);
    expect(audit[0]).toMatchObject({ actor: { type: 'admin', id: HEAD }, target: 'unit:an' });
    expect(audit[0]!.summary).toBe(`Thẩm định bảng tự chấm của Đơn vị An: điều chỉnh điểm trừ mốc «Báo cáo sơ kết» từ 3 còn 0, lý do: ${reason}.`);
    expect(audit[1]!.summary).toBe('Thẩm định bảng tự chấm của Đơn vị Trưởng: tiêu chí 1.2: 4 điểm (tự chấm 10).');
  });

  it('refuses an override on a milestone the unit has no deduction for (400)', async () => {
    const reply = await api('PUT', `${base}/units/truong/verification`, {
      criteria: [{ criterionId: 'phong-trao-chuyen-mon', points: 4 }],
      deductionOverrides: [{ milestoneId: 'bao-cao', points: 0, reason: 'Không có gì để điều chỉnh' }],
      expectedVersion: 1,
    });
    expect(reply.status).toBe(400);
    expect(reply.body.error.message).toBe('Kết quả thẩm định chưa hợp lệ: Mốc «bao-cao» không có điểm trừ tự động để điều chỉnh.');
  });

  it('refuses a save from a stale read (expectedVersion) with 409, and keeps the stored verification', async () => {
    const reply = await api('PUT', `${base}/units/truong/verification`, { criteria: [{ criterionId: 'phong-trao-chuyen-mon', points: 9 }], expectedVersion: 0 });
    expect(reply).toEqual({
      status: 409,
      body: { error: { code: 'CONFLICT', message: 'Kết quả thẩm định của đơn vị này vừa được người khác lưu. Vui lòng tải lại trang để xem trước khi sửa.' } },
    });
    expect(rowOf(await scoring(), 'truong').total).toBe(94);
  });

  it('refuses points over a criterion’s maximum and an unknown unit', async () => {
    const over = await api('PUT', `${base}/units/truong/verification`, { criteria: [{ criterionId: 'phong-trao-chuyen-mon', points: 11 }], expectedVersion: 1 });
    expect(over.status).toBe(400);
    expect(over.body.error.message).toContain('vượt quá điểm tối đa 10');
    const unknown = await api('PUT', `${base}/units/khong-co/verification`, { criteria: [], expectedVersion: 0 });
    expect(unknown).toEqual({ status: 404, body: { error: { code: 'NOT_FOUND', message: 'Không tìm thấy đơn vị "khong-co" trong cụm.' } } });
  });
});

describe('registration records and ballots', () => {
  it('a "not registered" record takes An out of the proposals (ineligible), and is audited', async () => {
    const reason = 'Tệp gửi lên mốc đăng ký là kế hoạch năm học, không phải bản đăng ký thi đua';
    const reply = await api('POST', `${base}/units/an/registration`, { registered: false, reason });
    expect(reply.status).toBe(201);
    expect(reply.body.flag).toMatchObject({ unitId: 'an', registered: false, reason, recordedBy: HEAD });
    const view = await scoring();
    expect(view.registrationFlags).toHaveLength(1);
    expect(rowOf(view, 'an').registration).toMatchObject({ registered: false, source: 'flag' });
    expect(rowOf(view, 'an').proposal).toMatchObject({ status: 'ineligible', reason: 'Không đủ điều kiện: chưa đăng ký thi đua' });
    // Trưởng is Tốt, not Xuất sắc: passed over for the Cờ, proposed for a Bằng khen.
    expect(rowOf(view, 'truong').proposal).toMatchObject({ status: 'proposed', award: { award: 'bang-khen', label: 'Bằng khen' } });
    const [entry] = await auditOf('scoring.registration');
    expect(entry!.summary).toBe(`Ghi nhận Đơn vị An chưa đăng ký thi đua (trước đó: đã đăng ký). Lý do: ${reason}`);

    const short = await api('POST', `${base}/units/an/registration`, { registered: true, reason: 'ok' });
    expect(short.status).toBe(400);
    expect(short.body.error.message).toBe('Cần ghi rõ lý do (ít nhất 5 ký tự).');
  });

  it('ballots naming a unit that is not in the cluster: 400; a valid count is recorded and shown', async () => {
    expect(await api('PUT', `${base}/ballots`, { ballotsCast: 10, votes: [{ unitId: 'khong-co', count: 3 }] })).toEqual({
      status: 400,
      body: { error: { code: 'VALIDATION_FAILED', message: 'Không có đơn vị "khong-co" trong cụm.' } },
    });
    const reply = await api('PUT', `${base}/ballots`, { ballotsCast: 10, votes: [{ unitId: 'an', count: 8 }, { unitId: 'truong', count: 6 }] });
    expect(reply.status).toBe(200);
    const view = await scoring();
    expect(view.state.tally).toEqual({ ballotsCast: 10, votes: [{ unitId: 'an', count: 8 }, { unitId: 'truong', count: 6 }], recordedAt: expect.stringMatching(/^2021-11-25T/) });
    expect(rowOf(view, 'truong').proposal).toMatchObject({ status: 'proposed', pendingVote: false, votes: { count: 6, ballotsCast: 10 } });
    expect(rowOf(view, 'truong').proposal.reason).toContain('suy tôn 6/10 phiếu');
    const [entry] = await auditOf('scoring.ballots');
    expect(entry!.summary).toBe('Ghi kết quả bỏ phiếu suy tôn: 10 phiếu hợp lệ; đồng ý: Đơn vị An 8, Đơn vị Trưởng 6.');
  });
});

describe('the freeze (chốt) and unlock', () => {
  it('freezes; then every write that changes a total is refused with 409 naming the freeze', async () => {
    const frozen = await api('POST', `${base}/freeze`, { note: 'Theo biên bản hội nghị tổng kết Cụm' });
    expect(frozen.status).toBe(200);
    expect(frozen.body.lock).toMatchObject({ status: 'frozen', frozenBy: HEAD, schemeVersion: 2, note: 'Theo biên bản hội nghị tổng kết Cụm' });
    const at = formatInstantVi(new Date(frozen.body.lock.frozenAt));
    const locked = `Đã chốt kết quả lúc ${at}: cần mở khóa (ghi rõ lý do) trước khi sửa.`;

    const writes: Array<[string, string, unknown, string]> = [
      ['PUT', `${base}/units/truong/verification`, { criteria: [{ criterionId: 'phong-trao-chuyen-mon', points: 9 }], expectedVersion: 1 }, locked],
      ['PUT', `${base}/scheme`, { ...TEMPLATE, isSample: false, bands: bandsV2, version: 3, changeReason: 'Sửa sau khi chốt' }, 'Kết quả chấm điểm đã chốt: cần mở khóa (ghi rõ lý do) trước khi sửa thang điểm.'],
      ['PUT', `${base}/ballots`, { ballotsCast: 10, votes: [{ unitId: 'truong', count: 9 }] }, locked],
      ['POST', `${base}/units/an/registration`, { registered: true, reason: 'Đổi ý sau khi chốt' }, locked],
      ['POST', `${base}/freeze`, {}, `Kết quả đã được chốt lúc ${at}.`],
    ];
    for (const [method, path, body, message] of writes) {
      const reply = await api(method, path, body);
      expect(reply, `${method} ${path}`).toEqual({ status: 409, body: { error: { code: 'CONFLICT', message } } });
      expect(message).toContain('chốt');
    }
    const view = await scoring();
    expect(view.state.lock.status).toBe('frozen');
    expect(standings(view)).toEqual([
      ['an', 102, 1],
      ['truong', 94, 2],
    ]);
    expect(view.schemeVersions.map((v: Json) => v.version)).toEqual([1, 2]);
    expect(view.registrationFlags).toHaveLength(1);
    expect(view.state.tally.votes).toEqual([{ unitId: 'an', count: 8 }, { unitId: 'truong', count: 6 }]);
  });

  it('unlock needs a reason: a short one is refused, a real one reopens; both transitions are audited', async () => {
    const short = await api('POST', `${base}/unlock`, { reason: 'sửa' });
    expect(short).toEqual({ status: 409, body: { error: { code: 'CONFLICT', message: 'Cần ghi rõ lý do mở khóa (ít nhất 5 ký tự).' } } });
    const reason = 'Hội nghị phát hiện nhầm điểm tiêu chí 1.2 của Đơn vị Trưởng';
    const opened = await api('POST', `${base}/unlock`, { reason });
    expect(opened.status).toBe(200);
    expect(opened.body.lock).toMatchObject({ status: 'open', unlockedBy: HEAD, unlockReason: reason });
    expect((await scoring()).state.lock.status).toBe('open');
    // Open again: the verification can be corrected.
    expect((await api('PUT', `${base}/units/truong/verification`, { criteria: [{ criterionId: 'phong-trao-chuyen-mon', points: 8 }], expectedVersion: 1 })).status).toBe(200);
    expect(rowOf(await scoring(), 'truong').total).toBe(98);

    const [freeze] = await auditOf('scores.freeze');
    expect(freeze!.summary).toBe(`Chốt kết quả chấm điểm thi đua (thang điểm phiên bản 2). Ghi chú: Theo biên bản hội nghị tổng kết Cụm (kế hoạch ${PLAN}).`);
    const [unlock] = await auditOf('scores.unlock');
    expect(unlock).toMatchObject({ actor: { type: 'admin', id: HEAD }, target: `plan:${PLAN}` });
    expect(unlock!.summary).toContain(`Lý do: ${reason}`);
  });
});

describe('GET …/scoring/export', () => {
  const fileName = `Bảng tổng hợp chấm điểm thi đua ${CLUSTER_NAME} năm học 2021-2022`;
  const download = (format: string, session: AdminSession = head) => fetch(`${stack.apiUrl}${base}/export?format=${format}`, { headers: session.headers });

  it('xlsx: the workbook with a UTF-8 file name, holding each unit and its total', async () => {
    const response = await download('xlsx');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe(XLSX);
    expect(response.headers.get('content-disposition')).toBe(attachmentDisposition(`${fileName}.xlsx`));
    expect(response.headers.get('content-disposition')).toContain(`filename*=UTF-8''${encodeURIComponent('Bảng')}`);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load((await response.arrayBuffer()) as ArrayBuffer);
    const sheet = workbook.worksheets[0]!;
    const rows: unknown[][] = [];
    sheet.eachRow((row) => rows.push((row.values as unknown[]).slice(1)));
    const rowNamed = (name: string) => rows.find((r) => r.includes(name));
    expect(rowNamed('Đơn vị An')).toContain(102);
    expect(rowNamed('Đơn vị Trưởng')).toContain(98);
  });

  it('csv: text/csv with a BOM and the units', async () => {
    const response = await download('csv');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(response.headers.get('content-disposition')).toBe(attachmentDisposition(`${fileName}.csv`));
    const bytes = Buffer.from(await response.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = bytes.toString('utf8');
    expect(text).toContain('Đơn vị An');
    expect(text).toContain('Đơn vị Trưởng');
  });

  it('any other format: 400 in Vietnamese', async () => {
    const response = await download('pdf');
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      error: { code: 'VALIDATION_FAILED', message: 'Dữ liệu gửi lên không hợp lệ.', details: [{ field: 'format', message: 'Định dạng phải là xlsx hoặc csv' }] },
    });
  });
});

describe('a province viewer', () => {
  it('reads the scoring and the export', async () => {
    expect((await api('GET', base, undefined, viewer)).status).toBe(200);
    expect((await fetch(`${stack.apiUrl}${base}/export?format=csv`, { headers: viewer.headers })).status).toBe(200);
  });

  it('is refused every scoring write (403, read-only) and nothing changes', async () => {
    const before = await scoring();
    const writes: Array<[string, string, unknown]> = [
      ['PUT', `${base}/scheme`, { ...TEMPLATE, version: 3, changeReason: 'Người xem thử sửa' }],
      ['POST', `${base}/open`, {}],
      ['PUT', `${base}/units/an/verification`, { criteria: [], expectedVersion: 1 }],
      ['POST', `${base}/units/an/registration`, { registered: true, reason: 'Người xem thử ghi' }],
      ['PUT', `${base}/ballots`, { ballotsCast: 5, votes: [] }],
      ['POST', `${base}/freeze`, {}],
      ['POST', `${base}/unlock`, { reason: 'Người xem thử mở' }],
    ];
    for (const [method, path, body] of writes) {
      expect(await api(method, path, body, viewer), `${method} ${path}`).toEqual({ status: 403, body: { error: { code: 'FORBIDDEN', message: READ_ONLY } } });
    }
    const after = await scoring();
    expect(after.state).toEqual(before.state);
    expect(after.schemeVersions).toEqual(before.schemeVersions);
  });
});

// ---- Cost ----------------------------------------------------------------------------------------------------------

describe('the scoring view and the export cost a fixed number of DynamoDB calls whatever the number of units', () => {
  const counter = new CallCounter();
  const clock: Clock = { now: () => new Date('2021-11-25T10:00:00+07:00') };
  let deps: { repos: Repositories; clock: Clock };

  /** A cluster with `unitCount` units, the scheme, self-scoring open, every sheet, some verifications, uploads, extensions and flags. */
  async function seed(clusterId: string, unitCount: number): Promise<void> {
    const { repos } = deps;
    await repos.clusters.createIfAbsent({ clusterId, name: `Cụm ${unitCount} đơn vị`, province: { id: 'tinh', name: 'Tỉnh' } });
    const units = Array.from({ length: unitCount }, (_, i) => unitOf(clusterId, `don-vi-${i}`, `Đơn vị ${i}`, i === 0 ? 'cum-truong' : 'thanh-vien'));
    for (const unit of units) await repos.units.createIfAbsent(unit);
    await repos.plans.createPlanIfAbsent(planOf(clusterId), milestonesOf(clusterId));
    await repos.scoring.saveScheme({ clusterId, planId: PLAN, stored: { scheme: TEMPLATE, savedAt: clock.now().toISOString(), savedBy: 'test' }, replace: false, stateVersion: 0 });
    await repos.scoring.putState(clusterId, PLAN, { lock: { status: 'open' }, selfScoreOpensAt: '2021-11-25T01:00:00.000Z' }, 0);
    for (const [i, unit] of units.entries()) {
      if (i % 5 !== 4) await repos.uploads.recordSubmission(submissionOf(clusterId, 'dang-ky', unit.unitId, '2021-10-10T09:00:00+07:00'));
      if (i % 3 === 0) await repos.uploads.recordSubmission(submissionOf(clusterId, 'bao-cao', unit.unitId, '2021-11-22T09:00:00+07:00', true));
      if (i % 7 === 1) await repos.uploads.putExtension({ clusterId, planId: PLAN, milestoneId: 'bao-cao', unitId: unit.unitId, until: '2021-11-30', grantedAt: '2021-11-19T01:00:00.000Z' });
      await repos.scoring.putSheet(fullSheet(clusterId, unit.unitId, TEMPLATE, { 'mo-hinh-sang-kien': i % 3 }, '2021-11-25T02:00:00.000Z'), { sheetVersion: 0, stateVersion: 1 });
      if (i % 2 === 0) {
        const verification = VerificationSchema.parse({ clusterId, planId: PLAN, unitId: unit.unitId, schemeVersion: 1, criteria: [{ criterionId: 'hoat-dong-bch', points: 10 - (i % 4) }] });
        await repos.scoring.putVerification(verification, { verificationVersion: 0, stateVersion: 1 });
      }
      if (i % 10 === 9) {
        await repos.scoring.addRegistrationFlag({ clusterId, planId: PLAN, flag: { unitId: unit.unitId, registered: true, reason: 'Đăng ký bằng giấy', recordedAt: '2021-10-20T01:00:00.000Z' }, stateVersion: 1 });
      }
    }
  }

  beforeAll(async () => {
    const fresh = await freshTable(counter);
    deps = { repos: createDynamoRepositories(fresh.doc, fresh.tableName, clock), clock };
    await seed('cum-30', 30);
    await seed('cum-4', 4);
  }, 120_000);

  /** GetItem cluster, GetItem plan, Query milestones, units, the scoring partition, submissions (GSI1), extensions (GSI1). */
  const SEVEN = ['GetItemCommand', 'GetItemCommand', 'QueryCommand', 'QueryCommand', 'QueryCommand', 'QueryCommand', 'QueryCommand'];

  it.each([
    ['cum-30', 30],
    ['cum-4', 4],
  ])('%s (%i units): the scoring view is seven calls, no Scan', async (clusterId, unitCount) => {
    counter.reset();
    const view = await getScoring(deps, clusterId, PLAN);
    expect([...counter.calls].sort()).toEqual(SEVEN);
    expect(view.results?.rows).toHaveLength(unitCount);
    expect(view.units.filter((u) => u.sheet?.status === 'submitted')).toHaveLength(unitCount);
    expect(view.units.filter((u) => u.verification)).toHaveLength(Math.ceil(unitCount / 2));
  });

  it.each([
    ['cum-30', 30, 'xlsx'],
    ['cum-30', 30, 'csv'],
    ['cum-4', 4, 'xlsx'],
  ] as const)('%s (%i units): the %s export is the same seven calls', async (clusterId, unitCount, format) => {
    counter.reset();
    const file = await exportScores(deps, { clusterId, planId: PLAN, format });
    expect([...counter.calls].sort()).toEqual(SEVEN);
    expect(file.body.length).toBeGreaterThan(1000);
    if (format === 'csv') expect(file.body.toString('utf8')).toContain(`Đơn vị ${unitCount - 1}`);
  });
});
