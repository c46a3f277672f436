/**
 * Bảng theo dõi and Gia hạn through HTTP (local gateway, real handlers, DynamoDB Local), on a cluster of this file's
 * own, on the harness's day (25/11/2021 09:00 ICT, running forward); then the board's DynamoDB cost on a fresh table,
 * for 40 and for 4 units, through the use case and through the router.
 */
import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { boardEndpoints } from '../../functions/admin/endpoints/board';
import { createDynamoRepositories } from '../../shared/adapters/dynamodb/repositories';
import { SESSION_COOKIE, sha256Hex } from '../../shared/domain/admin';
import { MilestoneSchema, PlanSchema, UnitSchema, type Milestone, type Unit, type UnitRole } from '../../shared/domain/model';
import type { Submission } from '../../shared/domain/submission';
import { BOARD_CELL_STATUSES, adminEndpoints } from '../../shared/http/admin-api';
import { adminRouter, type Implementations } from '../../shared/http/admin-router';
import type { Clock } from '../../shared/ports/clock';
import type { Repositories } from '../../shared/ports/repositories';
import type { AdminDeps } from '../../shared/use-cases/admin-deps';
import { getBoard } from '../../shared/use-cases/board';
import { adminEmailsOf } from '../../shared/use-cases/units';
import { signIn, stackRepos, type AdminSession } from '../support/admin';
import { CallCounter, freshTable } from '../support/aws';
import { submissionRecord } from '../support/records';

const stack = inject('stack');
const CLUSTER = `bang-${randomUUID().slice(0, 8)}`;
const PLAN = '2021-2022';
const HEAD = `truong.${CLUSTER}@example.com`;
const ZERO = Object.fromEntries(BOARD_CELL_STATUSES.map((s) => [s, 0]));

const unitOf = (clusterId: string, unitId: string, name: string, role: UnitRole, extra: Partial<Unit> = {}): Unit =>
  UnitSchema.parse({ clusterId, unitId, name, role, emails: [`${unitId}.${clusterId}@example.com`], ...extra });
const planOf = (clusterId: string) => PlanSchema.parse({ clusterId, planId: PLAN, schoolYear: { startYear: 2021, endYear: 2022 }, title: 'Kế hoạch thi đua năm học 2021 - 2022' });
const milestoneOf = (clusterId: string, milestoneId: string, order: number, fields: Record<string, unknown>): Milestone =>
  MilestoneSchema.parse({ clusterId, planId: PLAN, milestoneId, order, kind: 'report', title: `Mốc ${milestoneId}`, ...fields });
const everyone = (title: string) => ({ title, from: { type: 'all' }, recipients: ['cum-truong'] });

const submissionOf = (clusterId: string, milestoneId: string, unitId: string, receivedAt: string, late: boolean, outcome: Submission['outcome'] = 'accepted'): Submission =>
  submissionRecord({ clusterId, planId: PLAN, milestoneId, unitId, receivedAt, late, outcome, fileName: `Tài liệu ${unitId}.pdf` });

const units = [
  unitOf(CLUSTER, 'cuong', 'Đơn vị Cường', 'thanh-vien'),
  unitOf(CLUSTER, 'an', 'Đơn vị An', 'thanh-vien'),
  unitOf(CLUSTER, 'pho', 'Đơn vị Phó', 'cum-pho'),
  { ...unitOf(CLUSTER, 'truong', 'Đơn vị Trưởng', 'cum-truong'), emails: [HEAD] },
  unitOf(CLUSTER, 'binh', 'Đơn vị Bình', 'thanh-vien'),
  unitOf(CLUSTER, 'cu', 'Đơn vị Cũ', 'thanh-vien', { active: false }),
];
const milestones = [
  // Past due on 25/11 (accepted through 20/11), late uploads accepted until 31/12.
  milestoneOf(CLUSTER, 'dang-ky', 0, { kind: 'registration', title: 'Đăng ký thi đua', due: { type: 'date', date: '2021-11-20', rule: 'by' }, cutoffDate: '2021-12-31', document: everyone('Bản đăng ký') }),
  // Not yet due.
  milestoneOf(CLUSTER, 'bao-cao', 1, { title: 'Báo cáo sơ kết', due: { type: 'date', date: '2021-12-10', rule: 'before' }, document: everyone('Báo cáo') }),
  // Only the head sends it; past due.
  milestoneOf(CLUSTER, 'rieng', 2, { title: 'Tổng hợp của Cụm trưởng', due: { type: 'date', date: '2021-11-24', rule: 'by' }, document: { title: 'Bản tổng hợp', from: { type: 'roles', roles: ['cum-truong'] }, recipients: ['cdvc-tinh'] } }),
  // Asks for no document: not a column.
  milestoneOf(CLUSTER, 'hoi-nghi', 3, { kind: 'conference', title: 'Hội nghị', due: { type: 'date', date: '2021-12-28', rule: 'by' }, assignments: [{ who: { type: 'all' }, task: 'Dự hội nghị' }] }),
];

let repos: Repositories;
let close: () => void;
let head: AdminSession;
const onTime = submissionOf(CLUSTER, 'dang-ky', 'truong', '2021-11-19T10:00:00+07:00', false);
const reupload = submissionOf(CLUSTER, 'dang-ky', 'truong', '2021-11-23T10:00:00+07:00', true);
const late = submissionOf(CLUSTER, 'dang-ky', 'pho', '2021-11-22T15:30:00+07:00', true);

beforeAll(async () => {
  ({ repos, close } = stackRepos(stack));
  await repos.clusters.createIfAbsent({ clusterId: CLUSTER, name: 'Cụm thử Bảng theo dõi', province: { id: `tinh-${CLUSTER}`, name: 'Tỉnh thử' } });
  for (const unit of units) {
    await repos.units.createIfAbsent(unit);
    await repos.auth.syncUnitGrants(CLUSTER, unit.unitId, adminEmailsOf(unit));
  }
  await repos.plans.createPlanIfAbsent(planOf(CLUSTER), milestones);
  for (const s of [
    onTime,
    reupload,
    late,
    submissionOf(CLUSTER, 'bao-cao', 'an', '2021-11-24T08:00:00+07:00', false),
    submissionOf(CLUSTER, 'bao-cao', 'cuong', '2021-11-24T08:00:00+07:00', false, 'quarantined'),
  ]) {
    await repos.uploads.recordSubmission(s);
  }
  await repos.uploads.putExtension({ clusterId: CLUSTER, planId: PLAN, milestoneId: 'dang-ky', unitId: 'binh', until: '2021-11-30', grantedAt: '2021-11-21T01:00:00.000Z' });
  head = await signIn(stack, HEAD);
});
afterAll(() => close());

const api = async (method: string, path: string, session: AdminSession | undefined, body?: unknown) => {
  const response = await fetch(`${stack.apiUrl}${path}`, {
    method,
    headers: session ? session.headers : { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, any> };
};
const boardPath = `/api/clusters/${CLUSTER}/plans/${PLAN}/board`;
type Cell = { unitId: string; milestoneId: string; status: string; statusLabel: string; extendedUntil?: string; versions: Array<Record<string, unknown>> };
const cellOf = (board: Record<string, any>, unitId: string, milestoneId: string): Cell | undefined =>
  (board.cells as Cell[]).find((c) => c.unitId === unitId && c.milestoneId === milestoneId);

describe('GET …/plans/{planId}/board', () => {
  it('lays out the document milestones in plan order and the active units head, deputy, then members by name', async () => {
    const { status, body } = await api('GET', boardPath, head);
    expect(status).toBe(200);
    expect(body.plan).toMatchObject({ clusterId: CLUSTER, planId: PLAN });
    expect(new Date(body.asOf).getTime()).toBeGreaterThanOrEqual(new Date('2021-11-25T09:00:00+07:00').getTime());
    expect(body.milestones.map((m: { milestoneId: string }) => m.milestoneId)).toEqual(['dang-ky', 'bao-cao', 'rieng']);
    expect(body.milestones[1]).toMatchObject({
      title: 'Báo cáo sơ kết',
      kind: 'report',
      documentTitle: 'Báo cáo',
      dueLabel: 'trước ngày 10/12/2021 (nhận đến hết ngày 09/12/2021)',
    });
    expect(body.units.map((u: { unitId: string }) => u.unitId)).toEqual(['truong', 'pho', 'an', 'binh', 'cuong']);
    expect(body.units[0]).toMatchObject({ name: 'Đơn vị Trưởng', role: 'cum-truong', isSample: false });
    expect(body.cells).toHaveLength(15);
  });

  it('shows each status on 25/11/2021: on time, late, missing, extended, not due, not required', async () => {
    const { body } = await api('GET', boardPath, head);
    const statuses = Object.fromEntries((body.cells as Cell[]).map((c) => [`${c.unitId}/${c.milestoneId}`, c.status]));
    expect(statuses).toEqual({
      'truong/dang-ky': 'on-time',
      'truong/bao-cao': 'not-due',
      'truong/rieng': 'missing',
      'pho/dang-ky': 'late',
      'pho/bao-cao': 'not-due',
      'pho/rieng': 'not-required',
      'an/dang-ky': 'missing',
      'an/bao-cao': 'on-time',
      'an/rieng': 'not-required',
      'binh/dang-ky': 'extended',
      'binh/bao-cao': 'not-due',
      'binh/rieng': 'not-required',
      'cuong/dang-ky': 'missing',
      // Its only file was quarantined: not sent.
      'cuong/bao-cao': 'not-due',
      'cuong/rieng': 'not-required',
    });
    expect(cellOf(body, 'binh', 'dang-ky')).toEqual({ unitId: 'binh', milestoneId: 'dang-ky', status: 'extended', statusLabel: 'Được gia hạn', extendedUntil: '2021-11-30', versions: [] });
    expect(cellOf(body, 'pho', 'dang-ky')?.statusLabel).toBe('Nộp muộn');
    expect(cellOf(body, 'an', 'dang-ky')?.statusLabel).toBe('Chưa nộp');
    expect(cellOf(body, 'pho', 'rieng')?.statusLabel).toBe('Không yêu cầu');
    expect(cellOf(body, 'cuong', 'bao-cao')?.versions).toEqual([]);
  });

  it('gives every version of a cell, newest first, each downloadable', async () => {
    const { body } = await api('GET', boardPath, head);
    expect(cellOf(body, 'truong', 'dang-ky')?.versions).toEqual([
      { uploadId: reupload.uploadId, fileName: 'Tài liệu truong.pdf', sizeBytes: 2048, receivedAt: '2021-11-23T03:00:00.000Z', late: true },
      { uploadId: onTime.uploadId, fileName: 'Tài liệu truong.pdf', sizeBytes: 2048, receivedAt: '2021-11-19T03:00:00.000Z', late: false },
    ]);
    const download = await api('GET', `/api/clusters/${CLUSTER}/plans/${PLAN}/units/truong/submissions/${onTime.uploadId}/download`, head);
    expect(download.status).toBe(200);
    expect(download.body.fileName).toBe('Tài liệu truong.pdf');
  });

  it('counts per milestone and per unit, keyed by status', async () => {
    const { body } = await api('GET', boardPath, head);
    const counts = (list: Array<{ counts: Record<string, number> }>, key: string, id: string) =>
      (list as Array<Record<string, any>>).find((x) => x[key] === id)?.counts;
    expect(counts(body.milestones, 'milestoneId', 'dang-ky')).toEqual({ ...ZERO, 'on-time': 1, late: 1, missing: 2, extended: 1 });
    expect(counts(body.milestones, 'milestoneId', 'bao-cao')).toEqual({ ...ZERO, 'on-time': 1, 'not-due': 4 });
    expect(counts(body.milestones, 'milestoneId', 'rieng')).toEqual({ ...ZERO, missing: 1, 'not-required': 4 });
    expect(counts(body.units, 'unitId', 'truong')).toEqual({ ...ZERO, 'on-time': 1, 'not-due': 1, missing: 1 });
    expect(counts(body.units, 'unitId', 'binh')).toEqual({ ...ZERO, extended: 1, 'not-due': 1, 'not-required': 1 });
  });

  it('answers 404 for a plan the cluster does not have, 401 without a session, 403 for another cluster’s admin', async () => {
    const missing = await api('GET', `/api/clusters/${CLUSTER}/plans/2030-2031/board`, head);
    expect(missing).toEqual({ status: 404, body: { error: { code: 'NOT_FOUND', message: `Không tìm thấy kế hoạch năm học 2030-2031 của cụm "${CLUSTER}".` } } });
    expect((await api('GET', boardPath, undefined)).status).toBe(401);
    const other = await signIn(stack, 'congdoan.dvtdt@gmail.com');
    const refused = await api('GET', boardPath, other);
    expect(refused).toEqual({ status: 403, body: { error: { code: 'FORBIDDEN', message: 'Bạn không có quyền truy cập cụm thi đua này.' } } });
  });
});

describe('POST …/units/{unitId}/extensions', () => {
  const path = (unitId: string) => `/api/clusters/${CLUSTER}/plans/${PLAN}/units/${unitId}/extensions`;

  it('grants an extension: the cell turns "extended" and the audit log says so in Vietnamese', async () => {
    const { status, body } = await api('POST', path('cuong'), head, { milestoneId: 'dang-ky', until: '2021-12-05', reason: '  Đơn vị xin gia hạn vì đổi người phụ trách  ' });
    expect(status).toBe(201);
    expect(body.extension).toEqual({
      clusterId: CLUSTER,
      planId: PLAN,
      milestoneId: 'dang-ky',
      unitId: 'cuong',
      until: '2021-12-05',
      reason: 'Đơn vị xin gia hạn vì đổi người phụ trách',
      grantedAt: expect.stringMatching(/^2021-11-25T/),
    });
    const board = (await api('GET', boardPath, head)).body;
    expect(cellOf(board, 'cuong', 'dang-ky')).toMatchObject({ status: 'extended', extendedUntil: '2021-12-05' });

    // A second extension replaces the first; the log keeps both.
    expect((await api('POST', path('cuong'), head, { milestoneId: 'dang-ky', until: '2021-12-07' })).status).toBe(201);
    const { entries } = (await repos.audit.list(CLUSTER, { action: 'extension.grant' }, { limit: 10 }));
    expect(entries.map((e) => [e.actor, e.target, e.summary])).toEqual([
      [{ type: 'admin', id: HEAD }, 'unit:cuong', 'Gia hạn cho Đơn vị Cường nộp "Bản đăng ký" (mốc "Đăng ký thi đua") đến hết ngày 07/12/2021 (trước đó: đến hết ngày 05/12/2021).'],
      [{ type: 'admin', id: HEAD }, 'unit:cuong', 'Gia hạn cho Đơn vị Cường nộp "Bản đăng ký" (mốc "Đăng ký thi đua") đến hết ngày 05/12/2021. Lý do: Đơn vị xin gia hạn vì đổi người phụ trách.'],
    ]);
  });

  it('refuses a day before the milestone’s due day, a milestone that asks nothing of the unit, unknown ids', async () => {
    expect(await api('POST', path('an'), head, { milestoneId: 'dang-ky', until: '2021-11-19' })).toEqual({
      status: 400,
      body: {
        error: {
          code: 'VALIDATION_FAILED',
          message: 'Ngày gia hạn (19/11/2021) không được trước ngày hạn của mốc (20/11/2021).',
          details: [{ field: 'until', message: 'Chọn từ ngày 20/11/2021 trở đi' }],
        },
      },
    });
    // The due day itself is allowed.
    expect((await api('POST', path('an'), head, { milestoneId: 'dang-ky', until: '2021-11-20' })).status).toBe(201);
    expect(await api('POST', path('an'), head, { milestoneId: 'rieng', until: '2021-12-01' })).toEqual({
      status: 400,
      body: { error: { code: 'VALIDATION_FAILED', message: 'Mốc này không yêu cầu đơn vị nộp tài liệu, không cần gia hạn.' } },
    });
    expect(await api('POST', path('an'), head, { milestoneId: 'hoi-nghi-2', until: '2021-12-01' })).toEqual({
      status: 404,
      body: { error: { code: 'NOT_FOUND', message: `Không tìm thấy mốc "hoi-nghi-2" trong kế hoạch ${PLAN}.` } },
    });
    expect(await api('POST', path('khong-co'), head, { milestoneId: 'dang-ky', until: '2021-12-01' })).toEqual({
      status: 404,
      body: { error: { code: 'NOT_FOUND', message: `Không tìm thấy đơn vị "khong-co" trong cụm "${CLUSTER}".` } },
    });
    const badDate = await api('POST', path('an'), head, { milestoneId: 'dang-ky', until: '2021-11-31' });
    expect(badDate.status).toBe(400);
    expect(badDate.body.error.details).toEqual([{ field: 'until', message: 'Ngày không tồn tại' }]);
  });

  it('refuses a write without the CSRF token', async () => {
    const { 'x-csrf-token': _, ...headers } = head.headers;
    const response = await fetch(`${stack.apiUrl}${path('an')}`, { method: 'POST', headers, body: JSON.stringify({ milestoneId: 'dang-ky', until: '2021-12-01' }) });
    expect(response.status).toBe(403);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('CSRF_FAILED');
  });
});

// ---- Cost ----------------------------------------------------------------------------------------------------------

describe('the board costs a fixed number of DynamoDB calls whatever the number of units', () => {
  const counter = new CallCounter();
  let table: { repos: Repositories; clock: Clock };
  const clock: Clock = { now: () => new Date('2021-11-25T09:00:00+07:00') };

  /** A cluster with `unitCount` units and 12 document milestones, some uploads and extensions. */
  async function seed(clusterId: string, unitCount: number): Promise<void> {
    const { repos } = table;
    await repos.clusters.createIfAbsent({ clusterId, name: `Cụm ${unitCount}`, province: { id: 'tinh', name: 'Tỉnh' } });
    const all = Array.from({ length: unitCount }, (_, i) => unitOf(clusterId, `don-vi-${i}`, `Đơn vị ${i}`, i === 0 ? 'cum-truong' : 'thanh-vien'));
    for (const unit of all) await repos.units.createIfAbsent(unit);
    const twelve = Array.from({ length: 12 }, (_, i) =>
      milestoneOf(clusterId, `moc-${i}`, i, { due: { type: 'date', date: `2021-${String(9 + Math.floor(i / 4)).padStart(2, '0')}-${String(5 + (i % 4) * 5).padStart(2, '0')}`, rule: 'by' }, document: everyone(`Tài liệu ${i}`) }),
    );
    await repos.plans.createPlanIfAbsent(planOf(clusterId), twelve);
    for (let i = 0; i < unitCount; i++) {
      for (let m = 0; m < 12; m += 1 + (i % 3)) await repos.uploads.recordSubmission(submissionOf(clusterId, `moc-${m}`, `don-vi-${i}`, '2021-10-01T08:00:00+07:00', m < 4));
      if (i % 7 === 0) await repos.uploads.putExtension({ clusterId, planId: PLAN, milestoneId: 'moc-11', unitId: `don-vi-${i}`, until: '2021-12-20', grantedAt: '2021-11-01T00:00:00.000Z' });
    }
  }

  beforeAll(async () => {
    const fresh = await freshTable(counter);
    table = { repos: createDynamoRepositories(fresh.doc, fresh.tableName, clock), clock };
    await seed('cum-40', 40);
    await seed('cum-4', 4);
  }, 120_000);

  const BOARD_CALLS = ['GetItemCommand', 'QueryCommand', 'QueryCommand', 'QueryCommand', 'QueryCommand'];

  it('40 units x 12 milestones: GetItem (plan) + 4 Queries (milestones, units, submissions, extensions), no Scan', async () => {
    counter.reset();
    const board = await getBoard(table, 'cum-40', PLAN);
    expect(counter.calls.sort()).toEqual(BOARD_CALLS);
    expect(board.cells).toHaveLength(480);
    // Units 7, 14, 28 and 35 have an extension on moc-11 and did not send it (0 and 21 did).
    expect(board.cells.filter((c) => c.status === 'extended').map((c) => c.unitId)).toEqual(['don-vi-14', 'don-vi-28', 'don-vi-35', 'don-vi-7']);
    expect(board.cells.filter((c) => c.versions.length > 0)).toHaveLength(
      Array.from({ length: 40 }, (_, i) => Math.ceil(12 / (1 + (i % 3)))).reduce((a, b) => a + b, 0),
    );
  });

  it('4 units x 12 milestones: the same five calls', async () => {
    counter.reset();
    const board = await getBoard(table, 'cum-4', PLAN);
    expect(counter.calls.sort()).toEqual(BOARD_CALLS);
    expect(board.cells).toHaveLength(48);
  });

  it('a page load through the router: session GetItem + grants Query + the five board calls = 7', async () => {
    const { repos } = table;
    const email = 'truong.cum-40@example.com';
    await repos.auth.syncUnitGrants('cum-40', 'don-vi-0', [email]);
    const sessionId = 'B'.repeat(43);
    await repos.auth.putSession(sha256Hex(sessionId), { email, csrfToken: 'c'.repeat(43), createdAt: clock.now().toISOString(), expiresAt: Math.floor(clock.now().getTime() / 1000) + 3600 });
    const unused = new Proxy({}, { get: () => () => { throw new Error('not used by the board'); } });
    const deps = { repos, clock, mailer: unused, files: unused, schedules: unused, linkKeys: unused, baseUrl: 'http://app', maxSendRate: 10 } as unknown as AdminDeps;
    const handler = adminRouter<'admin'>(adminEndpoints.filter((e) => e.fn === 'admin'), boardEndpoints(deps) as unknown as Implementations<'admin'>, { deps, checkResponses: true });
    const event = {
      version: '2.0',
      routeKey: 'GET /api/clusters/{clusterId}/plans/{planId}/board',
      rawPath: `/api/clusters/cum-40/plans/${PLAN}/board`,
      rawQueryString: '',
      headers: {},
      cookies: [`${SESSION_COOKIE}=${sessionId}`],
      pathParameters: { clusterId: 'cum-40', planId: PLAN },
      isBase64Encoded: false,
      requestContext: { http: { method: 'GET', path: '/', sourceIp: '203.0.113.9' }, requestId: 'req-1' },
    } as unknown as APIGatewayProxyEventV2;
    counter.reset();
    const response = (await handler(event, { awsRequestId: 'req-1' } as Context)) as APIGatewayProxyStructuredResultV2;
    expect(response.statusCode).toBe(200);
    expect(counter.calls.sort()).toEqual(['GetItemCommand', 'GetItemCommand', 'QueryCommand', 'QueryCommand', 'QueryCommand', 'QueryCommand', 'QueryCommand']);
    expect((JSON.parse(String(response.body)) as { cells: unknown[] }).cells).toHaveLength(480);
  });
});
