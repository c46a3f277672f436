/**
 * The admin router on its own, with in-memory fakes of its ports: routing, who may call what, CSRF, tenant
 * isolation, validation in Vietnamese (body size caps included), and the audit entry of every write but a preview.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { beforeEach, describe, expect, it } from 'vitest';
import { SESSION_COOKIE, sha256Hex, type AdminGrant, type ApiKeyInfo, type Session } from '../../shared/domain/admin';
import type { AuditEntry, AuditRecord } from '../../shared/domain/audit';
import type { Cluster } from '../../shared/domain/model';
import { adminEndpoints, type AdminEndpoint } from '../../shared/http/admin-api';
import { adminRouter, type EndpointContext, type Implementations } from '../../shared/http/admin-router';
import { fixedClock } from '../../shared/ports/clock';
import type { AuthDeps } from '../../shared/use-cases/admin-auth';

const NOW = new Date('2021-11-25T02:00:00Z');
const HEAD = 'cum-truong@example.com';
const VIEWER = 'tinh@example.com';
const SESSION_ID = 'S'.repeat(43);
const VIEWER_SESSION_ID = 'V'.repeat(43);
const CSRF = 'c'.repeat(43);
const API_KEY = `ctd_k1a2b3c4d5_${'k'.repeat(43)}`;

const clusters: Cluster[] = [
  { clusterId: 'cum-a', name: 'Cụm A', province: { id: 'tinh-x', name: 'Tỉnh X' } },
  { clusterId: 'cum-b', name: 'Cụm B', province: { id: 'tinh-x', name: 'Tỉnh X' } },
  { clusterId: 'cum-c', name: 'Cụm C', province: { id: 'tinh-y', name: 'Tỉnh Y' } },
];
const grants: AdminGrant[] = [
  { scope: 'cluster', email: HEAD, clusterId: 'cum-a', unitId: 'don-vi-truong' },
  { scope: 'province', email: VIEWER, provinceId: 'tinh-x' },
];
const session = (email: string): Session => ({ email, csrfToken: CSRF, createdAt: NOW.toISOString(), expiresAt: NOW.getTime() / 1000 + 3600 });
const sessions = new Map<string, Session>([
  [sha256Hex(SESSION_ID), session(HEAD)],
  [sha256Hex(VIEWER_SESSION_ID), session(VIEWER)],
  // Expired an hour ago.
  [sha256Hex('E'.repeat(43)), { ...session(HEAD), expiresAt: NOW.getTime() / 1000 - 3600 }],
]);
const apiKeys = new Map<string, ApiKeyInfo>([
  [sha256Hex(API_KEY), { clusterId: 'cum-a', keyId: 'k1a2b3c4d5', name: 'Báo cáo', createdAt: NOW.toISOString(), createdBy: HEAD }],
]);

let audit: AuditEntry[];
const unused = (): never => {
  throw new Error('not used by the router');
};
const deps: AuthDeps = {
  clock: fixedClock(NOW),
  repos: {
    clusters: { get: async (id) => clusters.find((c) => c.clusterId === id), list: async () => clusters, createIfAbsent: unused },
    auth: {
      grantsOf: async (email) => grants.filter((g) => g.email === email),
      getSession: async (hash, nowSeconds) => {
        const found = sessions.get(hash);
        return found && found.expiresAt > nowSeconds ? found : undefined;
      },
      getApiKeyByHash: async (hash) => apiKeys.get(hash),
      syncUnitGrants: unused,
      putProvinceGrant: unused,
      putSignInToken: unused,
      consumeSignInToken: unused,
      putSession: unused,
      deleteSession: unused,
      putApiKey: unused,
      listApiKeys: unused,
      revokeApiKey: unused,
      hit: unused,
    },
    audit: {
      append: async (record: AuditRecord) => {
        const entry = { ...record, at: NOW.toISOString(), entryId: `e${audit.length}`.padEnd(6, '0') };
        audit.push(entry);
        return entry;
      },
      list: unused,
    },
  },
};

/** Every admin endpoint answers with what `answers` says (default: an empty body) and records its context. */
let calls: Array<{ id: string; ctx: EndpointContext<AdminEndpoint> }>;
let answers: Record<string, unknown>;
const impls = Object.fromEntries(
  adminEndpoints.map((e) => [
    e.id,
    async (ctx: EndpointContext<AdminEndpoint>) => {
      calls.push({ id: e.id, ctx });
      const answer = answers[e.id];
      if (answer instanceof Error) throw answer;
      return answer ?? { body: {} };
    },
  ]),
);
// The cluster head's endpoints, with the plan import preview (its own function in AWS, the same router).
const admin = adminRouter<'admin'>(
  adminEndpoints.filter((e) => e.fn === 'admin' || e.fn === 'import'),
  impls as unknown as Implementations<'admin'>,
  { deps },
);
const auth = adminRouter<'auth'>(
  adminEndpoints.filter((e) => e.fn === 'auth'),
  impls as unknown as Implementations<'auth'>,
  {}, // no deps at all: public endpoints must not need them
);

interface Call {
  cookies?: string[];
  headers?: Record<string, string>;
  body?: unknown;
  query?: Record<string, string>;
}
type Handler = typeof admin;

async function call(handler: Handler, routeKey: string, pathParameters: Record<string, string>, options: Call = {}) {
  const method = routeKey.split(' ')[0] ?? 'GET';
  const event = {
    version: '2.0',
    routeKey,
    rawPath: '/',
    rawQueryString: '',
    headers: options.headers ?? {},
    ...(options.cookies ? { cookies: options.cookies } : {}),
    pathParameters,
    ...(options.query ? { queryStringParameters: options.query } : {}),
    ...(options.body !== undefined ? { body: typeof options.body === 'string' ? options.body : JSON.stringify(options.body) } : {}),
    isBase64Encoded: false,
    requestContext: { http: { method, path: '/', sourceIp: '203.0.113.9' }, requestId: 'req-1' },
  } as unknown as APIGatewayProxyEventV2;
  const response = (await handler(event, { awsRequestId: 'req-1' } as Context)) as APIGatewayProxyStructuredResultV2;
  return { status: response.statusCode, body: response.body ? JSON.parse(response.body) : undefined, response };
}

const asHead: Call = { cookies: ['theme=dark', `${SESSION_COOKIE}=${SESSION_ID}`], headers: { 'x-csrf-token': CSRF } };
const asViewer: Call = { cookies: [`${SESSION_COOKIE}=${VIEWER_SESSION_ID}`], headers: { 'x-csrf-token': CSRF } };
const asKey: Call = { headers: { authorization: `Bearer ${API_KEY}` } };
const UNIT_BODY = { name: 'Công đoàn Trường A', role: 'thanh-vien', emails: ['a@example.com'] };
const UPDATE_UNIT = 'PUT /api/clusters/{clusterId}/units/{unitId}';

beforeEach(() => {
  audit = [];
  calls = [];
  answers = {};
});

describe('routing', () => {
  it('an unknown route is a 404 in Vietnamese, before any authentication', async () => {
    const { status, body } = await call(admin, 'GET /api/nothing', {});
    expect(status).toBe(404);
    expect(body).toEqual({ error: { code: 'NOT_FOUND', message: 'Không có địa chỉ này.' } });
    // A route of another function is unknown here too.
    expect((await call(admin, 'POST /api/auth/sign-in-links', {}, { body: { email: HEAD } })).status).toBe(404);
    expect(calls).toEqual([]);
  });

  it('a public endpoint needs no credentials (and no deps), and gets no principal', async () => {
    answers.RequestSignIn = { body: { message: 'Đã gửi.' } };
    const { status, body } = await call(auth, 'POST /api/auth/sign-in-links', {}, { body: { email: ' Cum-Truong@Example.com ' } });
    expect(status).toBe(202);
    expect(body).toEqual({ message: 'Đã gửi.' });
    expect(calls).toHaveLength(1);
    expect(calls[0]?.ctx.principal).toBeUndefined();
    // The body arrives parsed by the contract's schema (trimmed, lower-cased).
    expect(calls[0]?.ctx.body).toEqual({ email: HEAD });
  });

  it('a 204 has no body and passes the cookies on', async () => {
    const signOut = adminRouter<'auth'>(adminEndpoints.filter((e) => e.fn === 'auth'), impls as unknown as Implementations<'auth'>, { deps });
    answers.SignOut = { cookies: [`${SESSION_COOKIE}=; Max-Age=0`] };
    const { status, response } = await call(signOut, 'DELETE /api/auth/session', {}, asHead);
    expect(status).toBe(204);
    expect(response.body).toBeUndefined();
    expect(response.cookies).toEqual([`${SESSION_COOKIE}=; Max-Age=0`]);
  });
});

describe('authentication', () => {
  it('no credentials, an expired session or a wrong key: 401 in Vietnamese, nothing runs', async () => {
    const none = await call(admin, 'GET /api/clusters/{clusterId}/units', { clusterId: 'cum-a' });
    expect(none).toMatchObject({ status: 401, body: { error: { code: 'UNAUTHORIZED', message: 'Bạn cần đăng nhập để dùng trang quản trị.' } } });
    const expired = await call(admin, 'GET /api/clusters/{clusterId}/units', { clusterId: 'cum-a' }, { cookies: [`${SESSION_COOKIE}=${'E'.repeat(43)}`] });
    expect(expired).toMatchObject({ status: 401, body: { error: { message: 'Phiên đăng nhập đã hết hạn. Vui lòng đăng nhập lại.' } } });
    const badKey = await call(admin, 'GET /api/clusters/{clusterId}/units', { clusterId: 'cum-a' }, { headers: { authorization: `Bearer ${API_KEY.slice(0, -1)}x` } });
    expect(badKey).toMatchObject({ status: 401, body: { error: { message: 'Khóa API không đúng hoặc đã bị thu hồi.' } } });
    const notAKey = await call(admin, 'GET /api/clusters/{clusterId}/units', { clusterId: 'cum-a' }, { headers: { authorization: 'Bearer abc' } });
    expect(notAKey.status).toBe(401);
    expect(calls).toEqual([]);
  });

  it('the session and the API key reach the implementation as principals with the access level', async () => {
    await call(admin, 'GET /api/clusters/{clusterId}/units', { clusterId: 'cum-a' }, asHead);
    await call(admin, 'GET /api/clusters/{clusterId}/units', { clusterId: 'cum-a' }, asKey);
    await call(admin, 'GET /api/clusters/{clusterId}/units', { clusterId: 'cum-b' }, asViewer);
    expect(calls.map((c) => [c.ctx.principal?.kind, c.ctx.access])).toEqual([
      ['session', 'write'],
      ['api-key', 'write'],
      ['session', 'read'],
    ]);
    expect(calls[0]?.ctx.principal).toMatchObject({ kind: 'session', email: HEAD, sessionHash: sha256Hex(SESSION_ID) });
    expect(calls[1]?.ctx.principal).toEqual({ kind: 'api-key', keyId: 'k1a2b3c4d5', clusterId: 'cum-a', name: 'Báo cáo' });
  });
});

describe('authorization', () => {
  it('session-write endpoints refuse API keys, even on their own cluster', async () => {
    const created = await call(admin, 'POST /api/clusters/{clusterId}/api-keys', { clusterId: 'cum-a' }, { ...asKey, body: { name: 'Khóa mới' } });
    expect(created).toMatchObject({ status: 403, body: { error: { code: 'FORBIDDEN', message: 'Thao tác này cần đăng nhập trên trang quản trị, không dùng được khóa API.' } } });
    const revoked = await call(admin, 'DELETE /api/clusters/{clusterId}/api-keys/{keyId}', { clusterId: 'cum-a', keyId: 'k1a2b3c4d5' }, asKey);
    expect(revoked.status).toBe(403);
    expect(calls).toEqual([]);
    expect(audit).toEqual([]);
    // The same with the session works.
    expect((await call(admin, 'POST /api/clusters/{clusterId}/api-keys', { clusterId: 'cum-a' }, { ...asHead, body: { name: 'Khóa mới' } })).status).toBe(201);
  });

  it('a write with the session cookie needs the CSRF token; an API key does not', async () => {
    for (const headers of [{}, { 'x-csrf-token': 'wrong' }, { 'x-csrf-token': `${CSRF}x` }] as Array<Record<string, string>>) {
      const { status, body } = await call(admin, UPDATE_UNIT, { clusterId: 'cum-a', unitId: 'don-vi' }, { cookies: asHead.cookies, headers, body: UNIT_BODY });
      expect(status).toBe(403);
      expect(body.error.code).toBe('CSRF_FAILED');
    }
    expect(calls).toEqual([]);
    expect((await call(admin, UPDATE_UNIT, { clusterId: 'cum-a', unitId: 'don-vi' }, { ...asKey, body: UNIT_BODY })).status).toBe(200);
    // Reads need no token.
    expect((await call(admin, 'GET /api/clusters/{clusterId}/units', { clusterId: 'cum-a' }, { cookies: asHead.cookies })).status).toBe(200);
  });

  it('another cluster is refused for admins and keys; viewers read their province only and never write', async () => {
    const refused = [
      await call(admin, 'GET /api/clusters/{clusterId}/units', { clusterId: 'cum-b' }, asHead),
      await call(admin, 'GET /api/clusters/{clusterId}/units', { clusterId: 'cum-b' }, asKey),
      await call(admin, UPDATE_UNIT, { clusterId: 'cum-b', unitId: 'don-vi' }, { ...asKey, body: UNIT_BODY }),
      await call(admin, 'GET /api/clusters/{clusterId}/units', { clusterId: 'cum-c' }, asViewer),
      await call(admin, 'GET /api/clusters/{clusterId}/units', { clusterId: 'khong-co' }, asViewer),
    ];
    for (const r of refused) expect(r).toMatchObject({ status: 403, body: { error: { code: 'FORBIDDEN', message: 'Bạn không có quyền truy cập cụm thi đua này.' } } });
    const viewerWrite = await call(admin, UPDATE_UNIT, { clusterId: 'cum-b', unitId: 'don-vi' }, { ...asViewer, body: UNIT_BODY });
    expect(viewerWrite).toMatchObject({ status: 403, body: { error: { code: 'FORBIDDEN', message: 'Tài khoản của bạn chỉ được xem cụm này, không được thay đổi.' } } });
    expect(calls).toEqual([]);
  });
});

describe('validation', () => {
  it('a bad body is a 400 with each field and a Vietnamese message, and nothing runs', async () => {
    const { status, body } = await call(admin, UPDATE_UNIT, { clusterId: 'cum-a', unitId: 'don-vi' }, { ...asHead, body: { role: 'chu-tich', emails: ['khong-phai-email'] } });
    expect(status).toBe(400);
    expect(body).toEqual({
      error: {
        code: 'VALIDATION_FAILED',
        message: 'Dữ liệu gửi lên không hợp lệ.',
        details: [
          { field: 'name', message: 'Đầu vào không hợp lệ: mong đợi string, nhận được undefined' },
          { field: 'role', message: 'Tùy chọn không hợp lệ: mong đợi một trong các giá trị "cum-truong"|"cum-pho"|"thanh-vien"' },
          { field: 'emails.0', message: 'Địa chỉ email không hợp lệ' },
        ],
      },
    });
    expect(calls).toEqual([]);
    expect(audit).toEqual([]);
  });

  it('bad path parameters, bad query and broken JSON are 400s too', async () => {
    const path = await call(admin, UPDATE_UNIT, { clusterId: 'cum-a', unitId: 'Đơn Vị' }, { ...asHead, body: UNIT_BODY });
    expect(path).toMatchObject({ status: 400, body: { error: { details: [{ field: 'unitId', message: 'Mã chỉ gồm chữ thường không dấu, số và dấu gạch ngang' }] } } });
    const query = await call(admin, 'GET /api/clusters/{clusterId}/audit', { clusterId: 'cum-a' }, { ...asHead, query: { limit: '1000' } });
    expect(query.status).toBe(400);
    expect(query.body.error.details[0].field).toBe('limit');
    const json = await call(admin, UPDATE_UNIT, { clusterId: 'cum-a', unitId: 'don-vi' }, { ...asHead, body: '{"name":' });
    expect(json).toMatchObject({ status: 400, body: { error: { code: 'VALIDATION_FAILED', message: 'Dữ liệu gửi lên phải là JSON hợp lệ.' } } });
    expect(calls).toEqual([]);
  });

  it('a body over 64 KiB is refused in Vietnamese, but where the endpoint declares more (a plan file, a whole plan)', async () => {
    const big = { name: 'x'.repeat(70 * 1024), role: 'thanh-vien', emails: ['a@example.com'] };
    expect(await call(admin, UPDATE_UNIT, { clusterId: 'cum-a', unitId: 'don-vi' }, { ...asHead, body: big })).toMatchObject({
      status: 400,
      body: { error: { code: 'VALIDATION_FAILED', message: 'Dữ liệu gửi lên quá lớn.' } },
    });
    const PREVIEW = 'POST /api/clusters/{clusterId}/plans/import/preview';
    const file = (bytes: number) => ({ fileName: 'ke-hoach.docx', contentBase64: Buffer.alloc(bytes).toString('base64') });
    expect((await call(admin, PREVIEW, { clusterId: 'cum-a' }, { ...asHead, body: file(4 * 1024 * 1024) })).status).toBe(200);
    expect(await call(admin, PREVIEW, { clusterId: 'cum-a' }, { ...asHead, body: file(4.6 * 1024 * 1024) })).toMatchObject({ status: 400, body: { error: { message: 'Dữ liệu gửi lên quá lớn.' } } });
    const CONFIRM = 'POST /api/clusters/{clusterId}/plans/import';
    expect((await call(admin, CONFIRM, { clusterId: 'cum-a' }, { ...asHead, body: { title: 'x'.repeat(1500), milestones: [], warnings: ['x'.repeat(500 * 1024)] } })).status).toBe(201);
    expect((await call(admin, CONFIRM, { clusterId: 'cum-a' }, { ...asHead, body: { milestones: [], warnings: ['x'.repeat(1025 * 1024)] } })).status).toBe(400);
    expect(calls.map((c) => c.id)).toEqual(['PreviewPlanImport', 'ConfirmPlanImport']);
  });

  it('the implementation gets parsed values (defaults, coercion)', async () => {
    answers.ListAudit = { body: { entries: [] } };
    await call(admin, 'GET /api/clusters/{clusterId}/audit', { clusterId: 'cum-a' }, { ...asHead, query: { limit: '20', actorType: 'admin' } });
    await call(admin, UPDATE_UNIT, { clusterId: 'cum-a', unitId: 'don-vi' }, { ...asHead, body: UNIT_BODY });
    expect(calls[0]?.ctx.query).toEqual({ limit: 20, actorType: 'admin' });
    expect(calls[1]?.ctx.body).toEqual({ ...UNIT_BODY, active: true });
    expect(calls[1]?.ctx.params).toEqual({ clusterId: 'cum-a', unitId: 'don-vi' });
  });
});

describe('audit', () => {
  it("a write appends the implementation's entry with the cluster, the actor and the request id", async () => {
    answers.UpdateUnit = { body: {}, audit: { action: 'unit.update', target: 'unit:don-vi', summary: 'Sửa đơn vị Công đoàn Trường A.' } };
    await call(admin, UPDATE_UNIT, { clusterId: 'cum-a', unitId: 'don-vi' }, { ...asHead, body: UNIT_BODY });
    await call(admin, UPDATE_UNIT, { clusterId: 'cum-a', unitId: 'don-vi' }, { ...asKey, body: UNIT_BODY });
    expect(audit.map(({ at: _a, entryId: _e, ...rest }) => rest)).toEqual([
      { clusterId: 'cum-a', actor: { type: 'admin', id: HEAD }, action: 'unit.update', target: 'unit:don-vi', summary: 'Sửa đơn vị Công đoàn Trường A.', requestId: 'req-1' },
      { clusterId: 'cum-a', actor: { type: 'api-key', id: 'k1a2b3c4d5' }, action: 'unit.update', target: 'unit:don-vi', summary: 'Sửa đơn vị Công đoàn Trường A.', requestId: 'req-1' },
    ]);
  });

  it('a write without its own entry gets a generic one named after the endpoint', async () => {
    await call(admin, 'DELETE /api/clusters/{clusterId}/plans/{planId}/milestones/{milestoneId}', { clusterId: 'cum-a', planId: '2021-2022', milestoneId: 'moc-1' }, asHead);
    expect(audit).toEqual([
      expect.objectContaining({ clusterId: 'cum-a', actor: { type: 'admin', id: HEAD }, action: 'delete.milestone', summary: 'Xóa một mốc và lịch nhắc của nó' }),
    ]);
  });

  it('a POST that changes nothing (the plan import preview) appends nothing', async () => {
    const preview = await call(admin, 'POST /api/clusters/{clusterId}/plans/import/preview', { clusterId: 'cum-a' }, { ...asHead, body: { text: 'Kế hoạch' } });
    expect(preview.status).toBe(200);
    expect(calls.map((c) => c.id)).toEqual(['PreviewPlanImport']);
    expect(audit).toEqual([]);
    // Its sibling that creates the plan is audited like any write.
    await call(admin, 'POST /api/clusters/{clusterId}/plans/import', { clusterId: 'cum-a' }, { ...asHead, body: { milestones: [] } });
    expect(audit.map((e) => e.action)).toEqual(['confirm.plan-import']);
  });

  it('reads, refused writes and failed writes append nothing', async () => {
    await call(admin, 'GET /api/clusters/{clusterId}/units', { clusterId: 'cum-a' }, asHead);
    await call(admin, UPDATE_UNIT, { clusterId: 'cum-a', unitId: 'don-vi' }, { cookies: asHead.cookies, body: UNIT_BODY });
    answers.UpdateUnit = new Error('boom');
    const failed = await call(admin, UPDATE_UNIT, { clusterId: 'cum-a', unitId: 'don-vi' }, { ...asHead, body: UNIT_BODY });
    expect(failed).toMatchObject({ status: 500, body: { error: { code: 'INTERNAL', requestId: 'req-1' } } });
    expect(audit).toEqual([]);
  });
});
