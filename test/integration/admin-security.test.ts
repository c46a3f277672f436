/**
 * Security of the admin API through HTTP against the harness stack, route by route, driven by the contract itself
 * (a new endpoint is covered without editing this file, or fails it until it has a sample body):
 * tenant isolation between two clusters of this file's own, the province viewer's read-only reach, CSRF on every
 * change made with a cookie, what API keys may not do, and 401 without credentials.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { SESSION_COOKIE } from '../../shared/domain/admin';
import { ClusterSchema, MilestoneSchema, PlanSchema, UnitSchema, type Unit } from '../../shared/domain/model';
import { adminEndpoints, type AdminEndpoint, type EndpointId } from '../../shared/http/admin-api';
import type { Repositories } from '../../shared/ports/repositories';
import { defaultScoringScheme } from '../../shared/reference/scoring-template';
import { REFERENCE_CLUSTER_ID, REFERENCE_PLAN_ID, referenceProvinceViewer } from '../../shared/reference/thanh-hoa-cum-5';
import { apiKeyFor, signIn, stackRepos, type AdminSession } from '../support/admin';

const stack = inject('stack');
const tag = randomBytes(4).toString('hex');
const PLAN = '2021-2022';

const NO_ACCESS = 'Bạn không có quyền truy cập cụm thi đua này.';
const READ_ONLY = 'Tài khoản của bạn chỉ được xem cụm này, không được thay đổi.';
const NOT_FOR_KEYS = 'Thao tác này cần đăng nhập trên trang quản trị, không dùng được khóa API.';
const SIGN_IN_FIRST = 'Bạn cần đăng nhập để dùng trang quản trị.';

/** One of this file's clusters: what a request needs to name its things. */
interface World {
  clusterId: string;
  name: string;
  headEmail: string;
  memberEmail: string;
  memberName: string;
  apiKey: string;
  keyId: string;
  /** An API key the own-cluster call of RevokeApiKey may revoke. */
  spareKeyId: string;
}

const world = (letter: 'a' | 'b'): Omit<World, 'apiKey' | 'keyId' | 'spareKeyId'> => ({
  clusterId: `t-sec-${letter}-${tag}`,
  name: `Cụm bảo mật ${letter.toUpperCase()} ${tag}`,
  headEmail: `head-${letter}-${tag}@example.com`,
  memberEmail: `member-${letter}-${tag}@example.com`,
  memberName: `Công đoàn Trường thành viên ${letter.toUpperCase()} ${tag}`,
});
let A: World;
let B: World;
let repos: Repositories;
let close: () => void;
let sessionA: AdminSession;
let viewer: AdminSession;

const MEMBER_UNIT = 'thanh-vien-1';
const MILESTONE = 'bao-cao';
/** A second milestone, so that deleting one (DeleteMilestone on the own cluster) leaves the other for the rest. */
const DOOMED_MILESTONE = 'moc-xoa';
const MILESTONE_BODY = {
  order: 5,
  kind: 'report',
  title: 'Báo cáo kiểm thử bảo mật',
  due: { type: 'date', date: '2022-05-20', rule: 'by' },
  document: { title: 'Báo cáo kiểm thử', from: { type: 'all' }, recipients: ['cum-truong'] },
  reminderOffsets: [3, 0],
} as const;

/**
 * A valid body for every endpoint that changes something (absent: the endpoint takes none). Valid, so that the
 * same call on the caller's own cluster gets past validation and shows the refusal comes from the access check.
 */
const SAMPLE_BODIES: Partial<Record<EndpointId, unknown>> & Record<string, unknown> = {
  SignOut: undefined,
  CreateUnit: { unitId: `don-vi-moi-${tag}`, name: 'Công đoàn Trường Mới', role: 'thanh-vien', emails: [`moi-${tag}@example.com`] },
  UpdateUnit: { name: 'Công đoàn Trường thành viên (đã sửa)', role: 'thanh-vien', emails: [`sua-${tag}@example.com`] },
  IssueUnitLink: { planId: PLAN },
  EmailUnitLink: { planId: PLAN },
  RevokeUnitLinks: { planId: PLAN },
  ClonePlan: { targetPlanId: '2022-2023' },
  SaveMilestone: MILESTONE_BODY,
  DeleteMilestone: undefined,
  PreviewPlanImport: { text: 'Kế hoạch hoạt động năm học 2021 - 2022\n1. Hội nghị sơ kết\nThời gian: tháng 12/2021' },
  // On the own cluster: 409, the cluster has this school year's plan already (past the access check, nothing written).
  ConfirmPlanImport: {
    schoolYear: { startYear: 2021, endYear: 2022 },
    milestones: [{ milestoneId: 'moc-nhap', order: 0, kind: 'report', title: 'Báo cáo nhập', due: { type: 'none' }, source: '', line: 0, confidence: 1 }],
  },
  GrantExtension: { milestoneId: MILESTONE, until: '2022-05-31', reason: 'Kiểm thử' },
  IssueCalendarFeed: undefined,
  RevokeCalendarFeed: undefined,
  ReconcileReminders: undefined,
  SendReminderNow: { unitId: MEMBER_UNIT, milestoneId: MILESTONE },
  CreateApiKey: { name: 'Khóa kiểm thử' },
  RevokeApiKey: undefined,
  // Scoring: on the own cluster the scheme is refused (its registration milestone is a report), which is past the
  // access check all the same; the other writes then answer 409 (no scheme yet), also past it.
  SaveScoringScheme: defaultScoringScheme(MILESTONE),
  OpenSelfScoring: {},
  SaveVerification: { criteria: [{ criterionId: 'phat-dong-dang-ky', points: 4 }], bonus: [], deductionOverrides: [], expectedVersion: 0 },
  RecordRegistration: { registered: true, reason: 'Bản đăng ký gửi bằng giấy (kiểm thử)' },
  RecordBallots: { ballotsCast: 10, votes: [{ unitId: MEMBER_UNIT, count: 6 }] },
  FreezeScores: { note: 'Kiểm thử bảo mật' },
  UnlockScores: { reason: 'Kiểm thử bảo mật' },
};

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const isWrite = (e: AdminEndpoint) => WRITE_METHODS.has(e.method) && e.access !== 'public';
const clusterEndpoints = adminEndpoints.filter((e) => e.path.includes('{clusterId}'));
const writeEndpoints = adminEndpoints.filter(isWrite);
const byId = (id: EndpointId) => adminEndpoints.find((e) => e.id === id) as AdminEndpoint;

/** The endpoint's path with every parameter filled with a valid value of `w`. */
function pathOf(e: AdminEndpoint, w: Pick<World, 'clusterId' | 'spareKeyId'>, overrides: Record<string, string> = {}): string {
  const values: Record<string, string> = {
    clusterId: w.clusterId,
    planId: PLAN,
    unitId: MEMBER_UNIT,
    milestoneId: e.id === 'DeleteMilestone' ? DOOMED_MILESTONE : MILESTONE,
    uploadId: '3b241101-e2bb-4255-8caf-4136c566a962',
    keyId: w.spareKeyId,
    ...overrides,
  };
  return e.path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`no value for {${name}} in ${e.path}`);
    return encodeURIComponent(value);
  });
}

interface Reply {
  status: number;
  text: string;
  body: any;
}

async function send(e: AdminEndpoint, path: string, headers: Record<string, string>): Promise<Reply> {
  const body = SAMPLE_BODIES[e.id];
  const response = await fetch(`${stack.apiUrl}${path}`, {
    method: e.method,
    headers: { ...headers, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  return { status: response.status, text, body: parsed };
}

const keyHeaders = (key: string) => ({ authorization: `Bearer ${key}` });
const keyIdOf = (key: string) => key.split('_')[1] ?? '';

/** Nothing that names cluster B or its people appears in a refusal. */
function expectNothingOf(w: World, reply: Reply): void {
  for (const secret of [w.clusterId, w.name, w.headEmail, w.memberEmail, w.memberName, w.keyId, w.apiKey]) {
    expect(reply.text).not.toContain(secret);
  }
}

beforeAll(async () => {
  ({ repos, close } = stackRepos(stack));
  const worlds: World[] = [];
  for (const letter of ['a', 'b'] as const) {
    const w = world(letter);
    // A province of its own: the reference province viewer must not reach these clusters.
    await repos.clusters.createIfAbsent(ClusterSchema.parse({ clusterId: w.clusterId, name: w.name, province: { id: `tinh-sec-${tag}`, name: 'Tỉnh kiểm thử' } }));
    const units: Unit[] = [
      UnitSchema.parse({ clusterId: w.clusterId, unitId: 'cum-truong', name: `Cụm trưởng ${letter.toUpperCase()} ${tag}`, role: 'cum-truong', emails: [w.headEmail] }),
      UnitSchema.parse({ clusterId: w.clusterId, unitId: MEMBER_UNIT, name: w.memberName, role: 'thanh-vien', emails: [w.memberEmail] }),
    ];
    for (const u of units) {
      await repos.units.createIfAbsent(u);
      await repos.auth.syncUnitGrants(u.clusterId, u.unitId, u.role === 'cum-truong' ? u.emails : []);
    }
    await repos.plans.createPlanIfAbsent(
      PlanSchema.parse({ clusterId: w.clusterId, planId: PLAN, schoolYear: { startYear: 2021, endYear: 2022 }, title: `Kế hoạch ${w.name}` }),
      [MILESTONE, DOOMED_MILESTONE].map((milestoneId, i) => MilestoneSchema.parse({ ...MILESTONE_BODY, clusterId: w.clusterId, planId: PLAN, milestoneId, order: i + 1 })),
    );
    const apiKey = await apiKeyFor(stack, w.clusterId, `Khóa ${letter}`);
    const spare = await apiKeyFor(stack, w.clusterId, `Khóa dự phòng ${letter}`);
    worlds.push({ ...w, apiKey, keyId: keyIdOf(apiKey), spareKeyId: keyIdOf(spare) });
  }
  [A, B] = worlds as [World, World];
  sessionA = await signIn(stack, A.headEmail);
  viewer = await signIn(stack, referenceProvinceViewer.email);
});

afterAll(() => close?.());

describe('the table of sample bodies', () => {
  it('has a case for every endpoint that changes something, and nothing else', () => {
    expect(Object.keys(SAMPLE_BODIES).sort()).toEqual(writeEndpoints.map((e) => e.id).sort());
  });

  it('holds bodies the contract accepts, exactly for the endpoints that take one', () => {
    for (const e of writeEndpoints) {
      const sample = SAMPLE_BODIES[e.id];
      expect(sample !== undefined, e.id).toBe('body' in e);
      if ('body' in e) expect(e.body.safeParse(sample).success, e.id).toBe(true);
    }
  });

  it('covers the endpoints whose path has {clusterId}: all but sign-in, session and the list of clusters and pages', () => {
    // The admin function's endpoints but ListClusters, plus the export function's (its own Lambda, same router).
    expect(clusterEndpoints.length).toBe(adminEndpoints.filter((e) => e.fn === 'admin' || e.fn === 'export' || e.fn === 'import').length - 1);
    expect(clusterEndpoints.filter((e) => e.fn === 'export').map((e) => e.id)).toEqual(['ExportScores']);
    expect(clusterEndpoints.filter((e) => e.fn === 'import').map((e) => e.id)).toEqual(['PreviewPlanImport']);
  });
});

describe('tenant isolation, route by route', () => {
  describe.each(clusterEndpoints.map((e) => [e.id, e] as const))('%s', (_id, e) => {
    it("cluster A's session on cluster B: 403 FORBIDDEN, nothing of B; on A itself: not refused", async () => {
      const refused = await send(e, pathOf(e, B), sessionA.headers);
      expect(refused.status, refused.text).toBe(403);
      expect(refused.body).toEqual({ error: { code: 'FORBIDDEN', message: NO_ACCESS } });
      expectNothingOf(B, refused);

      const own = await send(e, pathOf(e, A), sessionA.headers);
      expect(own.status, own.text).not.toBe(403);
      expect(own.status, own.text).not.toBe(401);
    });

    it("cluster A's API key on cluster B: 403 FORBIDDEN, nothing of B; on A itself: not refused (but for key management)", async () => {
      const refused = await send(e, pathOf(e, B), keyHeaders(A.apiKey));
      expect(refused.status, refused.text).toBe(403);
      expect(refused.body.error.code).toBe('FORBIDDEN');
      expectNothingOf(B, refused);

      const own = await send(e, pathOf(e, A, e.id === 'RevokeApiKey' ? { keyId: 'zzzzzzzzzz' } : {}), keyHeaders(A.apiKey));
      if (e.access === 'session-write') {
        expect(own.body).toEqual({ error: { code: 'FORBIDDEN', message: NOT_FOR_KEYS } });
      } else {
        expect(own.status, own.text).not.toBe(403);
        expect(own.status, own.text).not.toBe(401);
      }
    });
  });

  it('B is untouched: its units, milestones, keys and audit log are as created', async () => {
    expect((await repos.units.get(B.clusterId, MEMBER_UNIT))?.name).toBe(B.memberName);
    expect((await repos.units.get(B.clusterId, MEMBER_UNIT))?.linkVersion).toBe(1);
    expect((await repos.units.list(B.clusterId)).map((u) => u.unitId).sort()).toEqual(['cum-truong', MEMBER_UNIT]);
    expect((await repos.plans.listMilestones(B.clusterId, PLAN)).map((m) => [m.milestoneId, m.title])).toEqual([
      [MILESTONE, MILESTONE_BODY.title],
      [DOOMED_MILESTONE, MILESTONE_BODY.title],
    ]);
    expect((await repos.plans.listPlans(B.clusterId)).map((p) => p.planId)).toEqual([PLAN]);
    expect((await repos.auth.listApiKeys(B.clusterId)).filter((k) => k.revokedAt)).toEqual([]);
    expect((await repos.audit.list(B.clusterId, {}, { limit: 50 })).entries).toEqual([]);
    const scoring = await repos.scoring.getPlanScoring(B.clusterId, PLAN);
    expect(scoring).toEqual({ schemes: [], state: { value: { lock: { status: 'open' } }, version: 0 }, sheets: [], verifications: [], flags: [] });
    // B's key still works on B.
    const own = await send(byId('ListUnits'), pathOf(byId('ListUnits'), B), keyHeaders(B.apiKey));
    expect(own.status).toBe(200);
  });

  it("A's changes were recorded in A's log with A's actors", async () => {
    const { entries } = await repos.audit.list(A.clusterId, {}, { limit: 200 });
    const actors = new Set(entries.map((e) => `${e.actor.type}:${e.actor.id}`));
    expect(actors).toContain(`admin:${A.headEmail}`);
    expect(actors).toContain(`api-key:${A.keyId}`);
    expect(entries.every((e) => e.clusterId === A.clusterId)).toBe(true);
  });
});

describe('the province viewer', () => {
  const REF = { clusterId: REFERENCE_CLUSTER_ID, spareKeyId: 'zzzzzzzzzz' };
  // Ids that name nothing: if a refusal ever failed, no reference data would change.
  const NOWHERE = { planId: '2030-2031', unitId: 'khong-co-don-vi', milestoneId: 'khong-co-moc' };

  it('reads every read endpoint of the reference cluster', async () => {
    const reads = clusterEndpoints.filter((e) => e.access === 'read');
    expect(reads.length).toBeGreaterThanOrEqual(9);
    for (const e of reads) {
      const reply = await send(e, pathOf(e, REF, { planId: REFERENCE_PLAN_ID, unitId: 'don-vi-mau-a' }), viewer.headers);
      if (e.id === 'DownloadSubmission') {
        // Past the access check: the made-up upload does not exist.
        expect(reply.body?.error?.code, reply.text).toBe('NOT_FOUND');
      } else {
        expect(reply.status, `${e.id}: ${reply.text}`).toBe(200);
      }
    }
  });

  it('is refused every write endpoint of the reference cluster (403, read-only), CSRF token or not', async () => {
    for (const e of clusterEndpoints.filter((x) => x.access !== 'read')) {
      const reply = await send(e, pathOf(e, REF, NOWHERE), viewer.headers);
      expect(reply.status, `${e.id}: ${reply.text}`).toBe(403);
      expect(reply.body.error, e.id).toEqual({ code: 'FORBIDDEN', message: READ_ONLY });
    }
  });

  it('is refused every endpoint of a cluster of another province', async () => {
    for (const e of clusterEndpoints) {
      const reply = await send(e, pathOf(e, A), viewer.headers);
      expect(reply.status, `${e.id}: ${reply.text}`).toBe(403);
      expect(reply.body.error).toEqual({ code: 'FORBIDDEN', message: NO_ACCESS });
      expectNothingOf(A, reply);
    }
  });

  it('sees the reference cluster, read-only, and not the clusters of other provinces', async () => {
    const reply = await send(byId('ListClusters'), '/api/clusters', viewer.headers);
    expect(reply.status).toBe(200);
    const clusters = reply.body.clusters as Array<{ clusterId: string; access: string }>;
    expect(clusters).toContainEqual(expect.objectContaining({ clusterId: REFERENCE_CLUSTER_ID, access: 'read' }));
    expect(clusters.map((c) => c.clusterId)).not.toContain(A.clusterId);
    expect(clusters.every((c) => c.access === 'read')).toBe(true);
  });
});

describe('CSRF', () => {
  let session: AdminSession;
  beforeAll(async () => {
    session = await signIn(stack, A.headEmail);
  });

  it('every change made with the session cookie and no token, a wrong token or the token of another session: 403 CSRF_FAILED', async () => {
    const variants: Array<Record<string, string>> = [
      { cookie: session.cookie },
      { cookie: session.cookie, 'x-csrf-token': randomBytes(32).toString('base64url') },
      { cookie: session.cookie, 'x-csrf-token': '' },
      { cookie: session.cookie, 'x-csrf-token': sessionA.csrfToken },
    ];
    expect(sessionA.csrfToken).not.toBe(session.csrfToken);
    for (const e of writeEndpoints) {
      for (const headers of variants) {
        const reply = await send(e, pathOf(e, A), headers);
        expect(reply.status, `${e.id}: ${reply.text}`).toBe(403);
        expect(reply.body.error.code, e.id).toBe('CSRF_FAILED');
        expect(reply.body.error.message).toBe('Yêu cầu thiếu mã bảo vệ (CSRF) hoặc mã đã cũ. Hãy tải lại trang rồi thử lại.');
      }
    }
    // Nothing happened: the session is still open (SignOut was refused too).
    const still = await fetch(`${stack.apiUrl}/api/auth/session`, { headers: { cookie: session.cookie } });
    expect(still.status).toBe(200);
  });

  it('with its token, the same session may change things', async () => {
    const e = byId('ReconcileReminders');
    const reply = await send(e, pathOf(e, A), session.headers);
    expect(reply.status, reply.text).toBe(200);
  });

  it('API keys need no CSRF token', async () => {
    const e = byId('ReconcileReminders');
    const reply = await send(e, pathOf(e, A), keyHeaders(A.apiKey));
    expect(reply.status, reply.text).toBe(200);
    const { entries } = await repos.audit.list(A.clusterId, { action: 'reminders.reconcile', actorType: 'api-key' }, { limit: 50 });
    expect(entries.map((x) => x.actor)).toContainEqual({ type: 'api-key', id: A.keyId });
  });
});

describe('API keys', () => {
  it('cannot create or revoke API keys, even of their own cluster', async () => {
    const create = await send(byId('CreateApiKey'), pathOf(byId('CreateApiKey'), A), keyHeaders(A.apiKey));
    expect(create.status).toBe(403);
    expect(create.body.error).toEqual({ code: 'FORBIDDEN', message: NOT_FOR_KEYS });
    const revoke = await send(byId('RevokeApiKey'), pathOf(byId('RevokeApiKey'), A, { keyId: A.keyId }), keyHeaders(A.apiKey));
    expect(revoke.status).toBe(403);
    expect((await repos.auth.listApiKeys(A.clusterId)).find((k) => k.keyId === A.keyId)?.revokedAt).toBeUndefined();
    // Nor read the session endpoints.
    const session = await fetch(`${stack.apiUrl}/api/auth/session`, { headers: keyHeaders(A.apiKey) });
    expect(session.status).toBe(403);
  });

  it('a revoked key gets 401 at once', async () => {
    const key = await apiKeyFor(stack, A.clusterId, 'Khóa sẽ thu hồi');
    const list = byId('ListUnits');
    expect((await send(list, pathOf(list, A), keyHeaders(key))).status).toBe(200);
    const revoke = byId('RevokeApiKey');
    const revoked = await send(revoke, pathOf(revoke, A, { keyId: keyIdOf(key) }), sessionA.headers);
    expect(revoked.status, revoked.text).toBe(200);
    expect(revoked.body.apiKey).toMatchObject({ keyId: keyIdOf(key), revokedBy: A.headEmail, revokedAt: expect.any(String) });
    expect(revoked.text).not.toContain(key);
    const after = await send(list, pathOf(list, A), keyHeaders(key));
    expect(after.status).toBe(401);
    expect(after.body.error).toEqual({ code: 'UNAUTHORIZED', message: 'Khóa API không đúng hoặc đã bị thu hồi.' });
  });
});

describe('without credentials', () => {
  const guarded = adminEndpoints.filter((e) => e.access !== 'public');

  it('every non-public endpoint is 401 with a Vietnamese message', async () => {
    expect(guarded.length).toBeGreaterThan(20);
    for (const e of guarded) {
      const reply = await send(e, pathOf(e, A), {});
      expect(reply.status, `${e.id}: ${reply.text}`).toBe(401);
      expect(reply.body.error).toEqual({ code: 'UNAUTHORIZED', message: SIGN_IN_FIRST });
    }
  });

  it('a garbage cookie, an unknown session, a garbage bearer: 401', async () => {
    const unknownSession = randomBytes(32).toString('base64url');
    const cases: Array<[Record<string, string>, string]> = [
      [{ cookie: `${SESSION_COOKIE}=garbage` }, SIGN_IN_FIRST],
      [{ cookie: `${SESSION_COOKIE}=${'<script>'.repeat(6)}` }, SIGN_IN_FIRST],
      [{ cookie: `ctd_admin=${unknownSession}` }, SIGN_IN_FIRST],
      [{ cookie: `${SESSION_COOKIE}=${unknownSession}` }, 'Phiên đăng nhập đã hết hạn. Vui lòng đăng nhập lại.'],
      [{ authorization: 'Bearer garbage' }, 'Khóa API không đúng hoặc đã bị thu hồi.'],
      [{ authorization: `Bearer ctd_${'a'.repeat(10)}_${randomBytes(32).toString('base64url')}` }, 'Khóa API không đúng hoặc đã bị thu hồi.'],
    ];
    for (const e of [byId('ListUnits'), byId('UpdateUnit'), byId('GetSession'), byId('ListClusters')]) {
      for (const [headers, message] of cases) {
        const reply = await send(e, pathOf(e, A), { ...headers, 'x-csrf-token': sessionA.csrfToken });
        expect(reply.status, `${e.id} ${JSON.stringify(headers)}`).toBe(401);
        expect(reply.body.error).toEqual({ code: 'UNAUTHORIZED', message });
      }
    }
  });
});
