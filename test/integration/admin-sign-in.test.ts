/**
 * Signing in through HTTP against the harness stack, as a person does: ask for a link, read it in the (emulated)
 * inbox, open a session with it; and everything that must fail: a reused or expired link, an unknown address (same
 * answer, no mail), too many requests, a closed session. Addresses are of this file's own cluster, so the rate
 * limits it exhausts starve no other test. Last, the handlers run in-process to check that no secret reaches a log.
 */
import { randomBytes } from 'node:crypto';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { SESSION_COOKIE, rateWindow, sha256Hex, SIGN_IN_RATE_LIMITS } from '../../shared/domain/admin';
import { ClusterSchema, UnitSchema } from '../../shared/domain/model';
import type { Clock } from '../../shared/ports/clock';
import type { Repositories } from '../../shared/ports/repositories';
import { logger } from '../../shared/runtime/logger';
import { SIGN_IN_REQUESTED_MESSAGE } from '../../shared/use-cases/admin-auth';
import { LOCAL_CREDENTIALS } from '../../local/emulators';
import { stackRepos } from '../support/admin';
import { mailTo as mailboxTo, type StoredEmail } from '../support/mailbox';

const stack = inject('stack');
const tag = randomBytes(4).toString('hex');
const CLUSTER = `t-signin-${tag}`;
const CLUSTER_NAME = `Cụm đăng nhập ${tag}`;
const HEAD = `head-${tag}@example.com`;
/** The deputy unit's addresses: one per attempt at the rate-limit test (an attempt may straddle a window). */
const RATE = [`rate-1-${tag}@example.com`, `rate-2-${tag}@example.com`];
const LOG_CHECK = `log-${tag}@example.com`;
const UNKNOWN = `nobody-${tag}@example.com`;

let repos: Repositories;
let clock: Clock;
let close: () => void;

type Mail = StoredEmail;
/** Mail to `address` stored since `since` (epoch seconds, as the emulator stamps it). */
const mailTo = (address: string, since: number) => mailboxTo(stack, address, since);
const nowSeconds = () => Math.floor(Date.now() / 1000);

const LINK = new RegExp(`${stack.apiUrl.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/admin/dang-nhap#t=([A-Za-z0-9_-]{43})`);

async function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${stack.apiUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined, text, cookies: response.headers.getSetCookie() };
}
const requestLink = (email: string) => post('/api/auth/sign-in-links', { email });
const openSession = (token: string) => post('/api/auth/sessions', { token });

/** Asks for a link for `email` and returns the token from the email that arrives. */
async function linkByEmail(email: string): Promise<{ token: string; mail: Mail }> {
  const since = nowSeconds();
  const reply = await requestLink(email);
  expect(reply.status, reply.text).toBe(202);
  const mails = await mailTo(email, since);
  expect(mails).toHaveLength(1);
  const mail = mails[0] as Mail;
  const token = LINK.exec(mail.body.text)?.[1];
  expect(token, mail.body.text).toBeDefined();
  return { token: token as string, mail };
}

beforeAll(async () => {
  ({ repos, clock, close } = stackRepos(stack));
  await repos.clusters.createIfAbsent(ClusterSchema.parse({ clusterId: CLUSTER, name: CLUSTER_NAME, province: { id: `tinh-signin-${tag}`, name: 'Tỉnh kiểm thử' } }));
  const units = [
    UnitSchema.parse({ clusterId: CLUSTER, unitId: 'cum-truong', name: 'Cụm trưởng kiểm thử', role: 'cum-truong', emails: [HEAD] }),
    UnitSchema.parse({ clusterId: CLUSTER, unitId: 'cum-pho', name: 'Cụm phó kiểm thử', role: 'cum-pho', emails: [...RATE, LOG_CHECK] }),
  ];
  for (const u of units) {
    await repos.units.createIfAbsent(u);
    await repos.auth.syncUnitGrants(CLUSTER, u.unitId, u.emails);
  }
});

afterAll(() => close?.());

describe('signing in with the emailed link', () => {
  let token: string;
  let cookie: string;
  let csrfToken: string;

  it('asking for a link answers 202 and emails a one-time link to the address', async () => {
    const { token: t, mail } = await linkByEmail(HEAD);
    token = t;
    expect(mail.subject).toBe('Liên kết đăng nhập trang quản trị Cụm Thi đua');
    expect(mail.body.text).toContain(CLUSTER_NAME);
    expect(mail.body.text).toContain('dùng được một lần');
    expect(mail.body.html).toContain(`#t=${token}`);
  });

  it('the link opens a session: 200, a __Host- cookie for 12 hours, HttpOnly, Secure, SameSite=Strict', async () => {
    const before = clock.now().getTime();
    const reply = await openSession(token);
    expect(reply.status, reply.text).toBe(200);
    expect(reply.cookies).toHaveLength(1);
    const match = /^__Host-ctd_admin=([A-Za-z0-9_-]{43}); Path=\/; Max-Age=43200; HttpOnly; Secure; SameSite=Strict$/.exec(reply.cookies[0] ?? '');
    expect(match, reply.cookies[0]).not.toBeNull();
    const sessionId = match?.[1] as string;
    cookie = `${SESSION_COOKIE}=${sessionId}`;
    csrfToken = reply.body.csrfToken;
    expect(reply.body).toEqual({
      email: HEAD,
      csrfToken: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      expiresAt: expect.any(String),
      clusters: [{ clusterId: CLUSTER, name: CLUSTER_NAME, provinceName: 'Tỉnh kiểm thử', access: 'write' }],
      adminPath: '/admin',
    });
    expect(csrfToken).not.toBe(sessionId);
    // 12 hours on the stack's clock.
    const ttl = Date.parse(reply.body.expiresAt) - before;
    expect(ttl).toBeGreaterThan(12 * 3600_000 - 60_000);
    expect(ttl).toBeLessThanOrEqual(12 * 3600_000 + 1000);
    // Neither the link's token nor the session id is in the body.
    expect(reply.text).not.toContain(sessionId);
    expect(reply.text).not.toContain(token);
    // Stored as a hash only.
    expect(await repos.auth.getSession(sessionId, 0)).toBeUndefined();
    expect((await repos.auth.getSession(sha256Hex(sessionId), 0))?.email).toBe(HEAD);
  });

  it('the cookie works, and the sign-in is in the cluster log', async () => {
    const session = await fetch(`${stack.apiUrl}/api/auth/session`, { headers: { cookie } });
    expect(session.status).toBe(200);
    expect(await session.json()).toMatchObject({ email: HEAD, csrfToken });
    const units = await fetch(`${stack.apiUrl}/api/clusters/${CLUSTER}/units`, { headers: { cookie } });
    expect(units.status).toBe(200);
    const { entries } = await repos.audit.list(CLUSTER, { action: 'sign-in' }, { limit: 10 });
    expect(entries.map((e) => [e.actor, e.summary])).toEqual([[{ type: 'admin', id: HEAD }, `${HEAD} đăng nhập trang quản trị.`]]);
  });

  it('the same link again: 410 SIGN_IN_LINK_SPENT, "đã được dùng", and no cookie', async () => {
    const reply = await openSession(token);
    expect(reply.status).toBe(410);
    expect(reply.body.error.code).toBe('SIGN_IN_LINK_SPENT');
    expect(reply.body.error.message).toContain('đã được dùng');
    expect(reply.cookies).toEqual([]);
  });

  it('signing out ends the session: 204, the cookie cleared, and the old cookie is refused (401)', async () => {
    const reply = await fetch(`${stack.apiUrl}/api/auth/session`, { method: 'DELETE', headers: { cookie, 'x-csrf-token': csrfToken } });
    expect(reply.status).toBe(204);
    expect(reply.headers.getSetCookie()).toEqual(['__Host-ctd_admin=; Path=/; Max-Age=0; HttpOnly; Secure; SameSite=Strict']);
    for (const path of ['/api/auth/session', `/api/clusters/${CLUSTER}/units`]) {
      const after = await fetch(`${stack.apiUrl}${path}`, { headers: { cookie } });
      expect(after.status).toBe(401);
      expect(((await after.json()) as any).error).toEqual({ code: 'UNAUTHORIZED', message: 'Phiên đăng nhập đã hết hạn. Vui lòng đăng nhập lại.' });
    }
  });
});

describe('links that do not open a session', () => {
  it('an expired link: 410 SIGN_IN_LINK_SPENT, "hết hạn"', async () => {
    const token = randomBytes(32).toString('base64url');
    const now = clock.now();
    await repos.auth.putSignInToken(sha256Hex(token), {
      email: HEAD,
      createdAt: new Date(now.getTime() - 16 * 60_000).toISOString(),
      expiresAt: Math.floor(now.getTime() / 1000) - 60,
    });
    const reply = await openSession(token);
    expect(reply.status).toBe(410);
    expect(reply.body.error).toEqual({ code: 'SIGN_IN_LINK_SPENT', message: 'Liên kết đăng nhập đã hết hạn (chỉ có hiệu lực 15 phút). Hãy xin liên kết mới.' });
    expect(reply.cookies).toEqual([]);
  });

  it('a link that was never issued: 404; a malformed one: 400', async () => {
    const unknown = await openSession(randomBytes(32).toString('base64url'));
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('NOT_FOUND');
    const malformed = await openSession('abc');
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.code).toBe('VALIDATION_FAILED');
  });
});

describe('asking for a link', () => {
  it('for an address that is no admin: the same 202 and message, and no email', async () => {
    const since = nowSeconds();
    const unknown = await requestLink(UNKNOWN);
    expect(unknown.status).toBe(202);
    expect(unknown.body).toEqual({ message: SIGN_IN_REQUESTED_MESSAGE });
    expect(await mailTo(UNKNOWN, since)).toEqual([]);
  });

  it('a malformed address: 400 in Vietnamese', async () => {
    const reply = await requestLink('khong-phai-email');
    expect(reply.status).toBe(400);
    expect(reply.body.error.details).toEqual([{ field: 'email', message: 'Địa chỉ email không hợp lệ' }]);
  });

  it('the 6th request for one address within 15 minutes: 429 RATE_LIMITED in Vietnamese, and no 6th email', async () => {
    const { limit, windowSeconds } = SIGN_IN_RATE_LIMITS.perEmail;
    expect([limit, windowSeconds]).toEqual([5, 15 * 60]);
    for (const address of RATE) {
      const window = rateWindow(clock.now().getTime(), windowSeconds).windowStart;
      const since = nowSeconds();
      const replies = [];
      for (let i = 0; i < limit + 1; i++) replies.push(await requestLink(address));
      // Requests that straddled a window boundary count in two windows: try again with the next address.
      if (rateWindow(clock.now().getTime(), windowSeconds).windowStart !== window) continue;
      expect(replies.map((r) => r.status)).toEqual([202, 202, 202, 202, 202, 429]);
      const refused = replies[5]?.body.error;
      expect(refused.code).toBe('RATE_LIMITED');
      expect(refused.message).toMatch(/^Đã có quá nhiều yêu cầu đăng nhập\. Vui lòng thử lại sau khoảng \d+ phút\.$/);
      expect(refused.details.retryAfterSeconds % 60).toBe(0);
      expect(refused.details.retryAfterSeconds).toBeGreaterThan(0);
      expect(refused.details.retryAfterSeconds).toBeLessThanOrEqual(windowSeconds);
      expect(await mailTo(address, since)).toHaveLength(5);
      // The limit is per address: the head can still ask.
      expect((await requestLink(HEAD)).status).toBe(202);
      return;
    }
    throw new Error('every attempt straddled a rate window');
  });
});

describe('what the handlers log', () => {
  type Handler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;
  const logged: string[] = [];
  let handler: Handler;
  const saved = new Map<string, string | undefined>();

  beforeAll(async () => {
    const env: Record<string, string> = {
      TABLE_NAME: stack.tableName,
      DYNAMODB_ENDPOINT: stack.dynamodbEndpoint,
      MAIL_FROM: stack.mailFrom,
      SES_ENDPOINT: stack.sesEndpoint,
      PUBLIC_BASE_URL: stack.apiUrl,
      AWS_REGION: stack.region,
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
      ...(stack.clock ? { CLOCK_START: stack.clock.start, CLOCK_STARTED_AT: String(stack.clock.startedAt) } : {}),
    };
    for (const [name, value] of Object.entries(env)) {
      saved.set(name, process.env[name]);
      process.env[name] = value;
    }
    logger.setLogLevel('DEBUG');
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      logged.push(String(chunk));
      return true;
    });
    ({ handler } = (await import('../../functions/admin/auth')) as { handler: Handler });
  });

  afterAll(() => {
    vi.restoreAllMocks();
    logger.setLogLevel('SILENT');
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  const event = (routeKey: string, options: { body?: unknown; cookies?: string[]; headers?: Record<string, string> } = {}) =>
    ({
      version: '2.0',
      routeKey,
      rawPath: routeKey.split(' ')[1],
      rawQueryString: '',
      headers: options.headers ?? {},
      ...(options.cookies ? { cookies: options.cookies } : {}),
      ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
      isBase64Encoded: false,
      requestContext: { http: { method: routeKey.split(' ')[0], sourceIp: '198.51.100.7' }, requestId: 'req-log' },
    }) as unknown as APIGatewayProxyEventV2;
  const context = { awsRequestId: 'req-log' } as Context;

  it('no link token, session id, CSRF token or address in any log line, accepted or refused', async () => {
    const since = nowSeconds();
    expect((await handler(event('POST /api/auth/sign-in-links', { body: { email: LOG_CHECK } }), context)).statusCode).toBe(202);
    const token = LINK.exec((await mailTo(LOG_CHECK, since))[0]?.body.text ?? '')?.[1] ?? '';
    expect(token).toHaveLength(43);
    const opened = await handler(event('POST /api/auth/sessions', { body: { token } }), context);
    expect(opened.statusCode).toBe(200);
    const sessionId = /^__Host-ctd_admin=([^;]+)/.exec(opened.cookies?.[0] ?? '')?.[1] ?? '';
    const csrf = JSON.parse(opened.body ?? '{}').csrfToken as string;
    expect(sessionId).toHaveLength(43);
    // Refused requests are logged: a reused link, a wrong CSRF token, a dead session.
    expect((await handler(event('POST /api/auth/sessions', { body: { token } }), context)).statusCode).toBe(410);
    expect((await handler(event('DELETE /api/auth/session', { cookies: [`${SESSION_COOKIE}=${sessionId}`], headers: { 'x-csrf-token': `${csrf}x` } }), context)).statusCode).toBe(403);
    expect((await handler(event('GET /api/auth/session', { cookies: [`${SESSION_COOKIE}=${sessionId}`] }), context)).statusCode).toBe(200);
    expect((await handler(event('DELETE /api/auth/session', { cookies: [`${SESSION_COOKIE}=${sessionId}`], headers: { 'x-csrf-token': csrf } }), context)).statusCode).toBe(204);
    expect((await handler(event('GET /api/auth/session', { cookies: [`${SESSION_COOKIE}=${sessionId}`] }), context)).statusCode).toBe(401);

    const output = logged.join('');
    // The capture works: the refusals were logged, by route template and code.
    expect(output).toContain('SIGN_IN_LINK_SPENT');
    expect(output).toContain('CSRF_FAILED');
    for (const secret of [token, sha256Hex(token), sessionId, sha256Hex(sessionId), csrf, LOG_CHECK]) {
      expect(output).not.toContain(secret);
    }
  });
});
