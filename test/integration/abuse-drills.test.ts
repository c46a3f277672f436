/**
 * Abuse drills (issue 8, item 7), against the harness stack, on clusters of this file's own:
 *
 * 1. Every route of functions/routes.ts fuzzed with fast-check, through the gateway with real HTTP (paths, queries,
 *    headers, bodies as a hostile client sends them) and in process (arbitrary API Gateway v2 events, logs on).
 *    Pass: never a 5xx; errors as JSON with a code and a Vietnamese message (or a Vietnamese page); no stack trace
 *    or secret in any answer or log line; no correlation id taken from the request's own secrets.
 * 2. Files through the real path (presign on the member route, POST to s3rver, the recorder, the upload state and
 *    the unit's email): oversize, empty, wrong type, polyglots, misleading names; plan files sent to the plan import
 *    (wrong type, broken, zip bomb, XXE); hostile text stored through the API, then quoted in emails and pages.
 * 3. Credentials: forged (every character, every byte), truncated, expired, revoked and cross-cluster member links;
 *    forged and expired session cookies and sign-in tokens; API keys and sessions of one cluster on another's paths.
 *
 * Runs per route: ABUSE_RUNS (default 40); fast-check prints the seed and path of any counterexample.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import fc from 'fast-check';
import * as z from 'zod';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { httpRoutes, type HttpRoute } from '../../functions/routes';
import { runCli } from '../../local/cli';
import { matchRoute } from '../../local/gateway';
import { fileLinkKeys } from '../../shared/adapters/secrets/link-keys';
import { SESSION_COOKIE, SESSION_TTL_SECONDS, SIGN_IN_TTL_SECONDS, sha256Hex } from '../../shared/domain/admin';
import { signLink, verifyLink, type LinkKey } from '../../shared/domain/link-token';
import { ClusterSchema, MilestoneSchema, PlanSchema, UnitSchema } from '../../shared/domain/model';
import { adminEndpoints } from '../../shared/http/admin-api';
import type { Clock } from '../../shared/ports/clock';
import type { Repositories } from '../../shared/ports/repositories';
import { logger } from '../../shared/runtime/logger';
import { CreateUploadBodySchema } from '../../shared/use-cases/member-uploads';
import { SaveSelfScoreBodySchema } from '../../shared/use-cases/self-score';
import { apiKeyFor, signIn, signInUrlFor, stackRepos, type AdminSession } from '../support/admin';
import { minimalPdf } from '../support/files';
import {
  apiEventArb,
  bodyArb,
  closeAgent,
  headBytes,
  headersArb,
  isVietnamese,
  problemsOf,
  queryArb,
  randomPathArb,
  routePathArb,
  sendRaw,
  stackTraceIn,
  type Answer,
  type BodySpec,
  type CredentialPool,
  type JsonSchema,
  type KnownValues,
  type RawReply,
  type RawRequest,
  EXE,
  HTML,
  JPEG_HEAD,
  zipOf,
} from '../support/fuzz';
import { waitForMail } from '../support/mailbox';
import { envScope, handlerEnv } from '../support/env';
import { setSimulatedNow } from '../../shared/config';

const stack = inject('stack');
const tag = randomBytes(4).toString('hex');
const PLAN = '2021-2022';
const MILESTONE = 'bao-cao';
/** The unit whose member link the drills use; admin fuzzing names only UNIT_ADMIN, so it never revokes this one. */
const UNIT_MEMBER = 'thanh-vien-2';
const UNIT_ADMIN = 'thanh-vien-1';
const PDF = 'application/pdf';
/** Runs per route and layer: enough for CI in well under 90 s; ABUSE_RUNS=1000 for a longer hunt. */
const RUNS_HTTP = Number(process.env.ABUSE_RUNS ?? 40);
const RUNS_EVENTS = RUNS_HTTP;

// ---- The clusters of this file ---------------------------------------------------------------------------------------

interface World {
  clusterId: string;
  name: string;
  headEmail: string;
  memberEmail: string;
  apiKey: string;
  /** A key the fuzz may revoke (RevokeApiKey names it). */
  spareKeyId: string;
  /** The member link of UNIT_MEMBER. */
  token: string;
}

let A: World;
let B: World;
/** The fuzz's cluster: whatever the fuzz manages to change there harms no drill. */
let F: World;
let repos: Repositories;
let clock: Clock;
let closeRepos: () => void;
let stackFile: string;
/** The harness's link-signing keys (to sign an expired link and read the payload of issued ones). */
let linkKeys: readonly LinkKey[] = [];

/** Every secret of the run: no answer may hold one it was not given, no log line any. */
const secrets = new Set<string>();
const keep = (secret: string): string => {
  secrets.add(secret);
  return secret;
};
/** The CSRF token of each session id: a session's own answers (GetSession) may show it. */
const csrfOfSession = new Map<string, string>();

const milestoneBody = {
  order: 1,
  kind: 'report',
  title: 'Báo cáo kiểm thử lạm dụng',
  due: { type: 'date', date: '2022-05-20', rule: 'by' },
  document: { title: 'Báo cáo kiểm thử', from: { type: 'all' }, recipients: ['cum-truong'] },
} as const;

const cli = (args: string[]) => runCli(args, { CTD_STACK_FILE: stackFile });

async function issueMemberLink(clusterId: string, unitId = UNIT_MEMBER): Promise<string> {
  const { url } = JSON.parse(await cli(['link', clusterId, unitId, '--plan', PLAN, '--json'])) as { url: string };
  return keep(url.split('/u/')[1] ?? '');
}

async function makeWorld(letter: string): Promise<World> {
  const clusterId = `t-abuse-${letter}-${tag}`;
  const w = { clusterId, name: `Cụm diễn tập ${letter.toUpperCase()} ${tag}`, headEmail: `head-${letter}-${tag}@example.com`, memberEmail: `member-${letter}-${tag}@example.com` };
  await repos.clusters.createIfAbsent(ClusterSchema.parse({ clusterId, name: w.name, province: { id: `tinh-abuse-${letter}-${tag}`, name: 'Tỉnh diễn tập' } }));
  const units = [
    { unitId: 'cum-truong', role: 'cum-truong', emails: [w.headEmail] },
    { unitId: UNIT_ADMIN, role: 'thanh-vien', emails: [`admin-fuzz-${letter}-${tag}@example.com`] },
    { unitId: UNIT_MEMBER, role: 'thanh-vien', emails: [w.memberEmail] },
  ] as const;
  for (const u of units) {
    await repos.units.createIfAbsent(UnitSchema.parse({ ...u, clusterId, name: `Công đoàn ${u.unitId} ${letter.toUpperCase()} ${tag}` }));
    await repos.auth.syncUnitGrants(clusterId, u.unitId, u.role === 'cum-truong' ? [...u.emails] : []);
  }
  await repos.plans.createPlanIfAbsent(PlanSchema.parse({ clusterId, planId: PLAN, schoolYear: { startYear: 2021, endYear: 2022 }, title: `Kế hoạch ${w.name}` }), [
    MilestoneSchema.parse({ ...milestoneBody, clusterId, planId: PLAN, milestoneId: MILESTONE }),
  ]);
  const apiKey = keep(await apiKeyFor(stack, clusterId, `Khóa ${letter}`));
  const spare = keep(await apiKeyFor(stack, clusterId, `Khóa dự phòng ${letter}`));
  return { ...w, apiKey, spareKeyId: spare.split('_')[1] ?? '', token: await issueMemberLink(clusterId) };
}

/** Signs in through the gateway and remembers the session's secrets. */
async function session(w: World): Promise<AdminSession> {
  const s = await signIn(stack, w.headEmail);
  const id = s.cookie.slice(SESSION_COOKIE.length + 1);
  keep(id);
  keep(s.csrfToken);
  csrfOfSession.set(id, s.csrfToken);
  return s;
}

/** A fresh sign-in token (what the link in the email carries), remembered as a secret. */
async function signInToken(w: World): Promise<string> {
  const url = await signInUrlFor(stack, w.headEmail);
  return keep(new URL(url ?? 'http://x/#t=').hash.replace(/^#t=/, ''));
}

beforeAll(async () => {
  ({ repos, clock, close: closeRepos } = stackRepos(stack));
  stackFile = join(mkdtempSync(join(tmpdir(), 'ctd-abuse-')), 'stack.json');
  writeFileSync(stackFile, JSON.stringify(stack));
  [A, B, F] = (await Promise.all(['a', 'b', 'f'].map((letter) => makeWorld(letter)))) as [World, World, World];
  linkKeys = await fileLinkKeys(stack.linkSecretFile).keys();
});

afterAll(() => {
  closeRepos?.();
  closeAgent();
});

// ---- Shared helpers ----------------------------------------------------------------------------------------------

/** Plausible path values: F's own things (so the fuzz gets past the first checks), and A's (cross-cluster). */
function knownValues(uploadIds: readonly string[]): KnownValues {
  return {
    // Not B's: the pool holds B's key, which must only ever be tried on clusters other than B.
    clusterId: [F.clusterId, A.clusterId, 'thanh-hoa-cum-5'],
    planId: [PLAN, '2022-2023'],
    unitId: [UNIT_ADMIN, 'cum-truong'],
    milestoneId: [MILESTONE, 'moc-moi'],
    uploadId: [...uploadIds, '00000000-0000-4000-8000-000000000000'],
    keyId: [F.spareKeyId],
    file: ['admin.js', 'admin.css'],
    token: [F.token, B.token],
  };
}

/** Field values that pass the first checks of most bodies. */
const knownFieldValues = (): unknown[] => [
  F.headEmail,
  `fuzz-${tag}@example.com`,
  UNIT_ADMIN,
  'cum-truong',
  PLAN,
  '2022-2023',
  MILESTONE,
  '2022-05-31',
  'Công đoàn thử',
  'Lý do diễn tập lạm dụng',
  PDF,
  'bao-cao.pdf',
  10,
  0,
  'save',
  'submit',
  true,
  [],
  [F.headEmail],
  { type: 'all' },
];

/** A route's body schema from the contract (the member routes' from their use cases), as JSON Schema. */
function bodySchema(route: HttpRoute): JsonSchema | undefined {
  const memberBodies: Record<string, z.ZodType> = { CreateUpload: CreateUploadBodySchema, SaveSelfScore: SaveSelfScoreBodySchema };
  const endpoint = adminEndpoints.find((e) => e.id === route.id);
  const schema = memberBodies[route.id] ?? (endpoint && 'body' in endpoint ? (endpoint.body as z.ZodType) : undefined);
  return schema && (z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema);
}

/**
 * What the fuzz builds a route's bodies from. OpenSession alone gets a live sign-in token of F's head: elsewhere a
 * secret sent as data (a unit's name) is stored and shown back on purpose, which would blur the checks.
 */
async function bodySpec(route: HttpRoute | undefined): Promise<BodySpec> {
  const signIn = route?.id === 'OpenSession' ? [await signInToken(F)] : [];
  return { schema: route && bodySchema(route), known: [...signIn, ...knownFieldValues()] };
}

/**
 * The credentials a fuzzed request may carry. Good: F's session (fresh per route) with its CSRF token, F's API key.
 * Bad: B's key (on F's and A's paths), the session without or with a wrong CSRF token, forgeries.
 */
function credentialPool(s: AdminSession): CredentialPool {
  const randomSecret = () => randomBytes(32).toString('base64url');
  return {
    good: [{ cookie: s.cookie, 'x-csrf-token': s.csrfToken }, { authorization: `Bearer ${F.apiKey}` }, { authorization: `bearer  ${F.apiKey}`, cookie: 'theme=dark' }],
    bad: [
      { authorization: `Bearer ${B.apiKey}` },
      { cookie: s.cookie },
      { cookie: `${s.cookie}; theme=dark`, 'x-csrf-token': randomSecret() },
      { cookie: s.cookie, 'x-csrf-token': s.csrfToken, authorization: 'Bearer garbage' },
      { cookie: `${SESSION_COOKIE}=${randomSecret()}`, 'x-csrf-token': s.csrfToken },
      { cookie: `${SESSION_COOKIE}=${s.csrfToken}` },
      { authorization: `Bearer ctd_${F.spareKeyId}_${randomSecret()}` },
      { authorization: `Bearer ${F.apiKey.slice(0, -1)}` },
    ],
  };
}

/** The run's secrets that a request carries (in its path, headers or body). */
const carriedIn = (text: string): string[] => [...secrets].filter((s) => text.includes(s));

/** What a success may show: the secrets the request carries, and the CSRF token of the session it carries. */
function presentedIn(text: string): string[] {
  const carried = carriedIn(text);
  return [...carried, ...carried.flatMap((s) => (csrfOfSession.has(s) ? [csrfOfSession.get(s) ?? ''] : []))];
}

/**
 * Puts a piece of one of the secrets the request carries where a request's own secrets travel into x-correlation-id:
 * the middleware must refuse it (never echo it, never log it).
 */
function withBait<H extends Record<string, string | undefined>>(headers: H, carried: readonly string[], bait: { pick: number; start: number; length: number } | undefined) {
  if (!bait || carried.length === 0) return { headers, bait: undefined };
  const secret = carried[bait.pick % carried.length] ?? '';
  const piece = secret.slice(bait.start % secret.length).slice(0, bait.length);
  return /^[A-Za-z0-9_-]{8,64}$/.test(piece) ? { headers: { ...headers, 'x-correlation-id': piece }, bait: piece } : { headers, bait: undefined };
}

const baitArb = fc.option(fc.record({ pick: fc.nat(), start: fc.nat(), length: fc.integer({ min: 8, max: 64 }) }), { nil: undefined, freq: 3 });

function answerOf(reply: RawReply): Answer {
  return {
    status: reply.status,
    contentType: String(reply.headers['content-type'] ?? ''),
    body: reply.body.toString('utf8'),
    headerText: Object.values(reply.headers).flat().join('\n'),
  };
}

/** Statuses per route, so the test shows the fuzz reached the handlers and not only the gateway's 404. */
const reached = new Map<string, number[]>();
const note = (id: string, status: number) => reached.set(id, [...(reached.get(id) ?? []), status]);

/** Routes opened by a secret in the path (a unit's link, a feed link), and the admin API and page. */
const tokenRoutes = httpRoutes.filter((r) => r.path.includes('{token}'));
const adminRoutes = httpRoutes.filter((r) => r.path.startsWith('/api/') || r.path.startsWith('/admin'));
const clusterRoutes = httpRoutes.filter((r) => r.path.includes('{clusterId}'));
/** The routes of a unit's link (`/u/{token}...`): what a member link's expiry and revocation must close. */
const linkRoutes = httpRoutes.filter((r) => r.path.startsWith('/u/{token}'));

/** The cluster routes where some run of the fuzz (statuses noted under `prefix` + id) got past 401 and 403. */
const passedTheDoor = (prefix: string): HttpRoute[] =>
  clusterRoutes.filter((r) => (reached.get(`${prefix}${r.id}`) ?? []).some((s) => s > 0 && s !== 401 && s !== 403));

describe('the routes under drill', () => {
  it('are every route of functions/routes.ts: the links of units and the admin API and page, nothing else', () => {
    expect(linkRoutes.map((r) => r.id)).toEqual(expect.arrayContaining(['CreateUpload', 'GetUploadState', 'MemberPage', 'SaveSelfScore', 'SelfScorePage', 'SelfScorePrint']));
    expect(adminRoutes.length).toBe(adminEndpoints.length);
    expect(tokenRoutes.length + adminRoutes.length).toBe(httpRoutes.length);
    expect(clusterRoutes.length).toBeGreaterThan(25);
  });
});

// ---- 1a. Fuzzing through the gateway -------------------------------------------------------------------------------

describe('fuzzing every route through the gateway (real HTTP)', () => {
  let uploadIds: string[] = [];

  beforeAll(async () => {
    // A pending upload of F's member unit, so GetUploadState has a real id to find.
    const reply = await sendRaw(stack.apiUrl, {
      method: 'POST',
      target: `/u/${F.token}/uploads`,
      headers: { 'content-type': 'application/json' },
      body: Buffer.from(JSON.stringify({ milestoneId: MILESTONE, fileName: 'a.pdf', contentType: PDF, size: 10 })),
    });
    expect(reply.status).toBe(201);
    uploadIds = [JSON.parse(reply.body.toString()).uploadId];
  });

  async function drill(route: HttpRoute | undefined, id: string, numRuns: number): Promise<void> {
    const s = await session(F);
    const pool = credentialPool(s);
    const known = knownValues(uploadIds);
    const body = await bodySpec(route);
    const requestArb = fc.record({
      method: route
        ? fc.oneof({ arbitrary: fc.constant(route.method), weight: 9 }, { arbitrary: fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'), weight: 1 })
        : fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'),
      path: route ? routePathArb(route, known) : randomPathArb,
      query: queryArb,
      headers: headersArb(pool),
      body: bodyArb(body),
      bait: baitArb,
    });
    await fc.assert(
      fc.asyncProperty(requestArb, async (r) => {
        const text = [r.path, r.headers.cookie, r.headers.authorization, r.headers['x-csrf-token'], r.body?.toString('utf8')].join('\n');
        const { headers, bait } = withBait(r.headers, carriedIn(text), r.bait);
        const request: RawRequest = { method: r.method, target: `${r.path}${r.query}`, headers, ...(r.body ? { body: r.body } : {}) };
        const reply = await sendRaw(stack.apiUrl, request);
        // Node itself refuses a request head over 16 KB (431, or a reset when a body was still being sent).
        if (reply.status === 0 || reply.status === 431) {
          expect(headBytes(request), 'a reset for a request of ordinary size').toBeGreaterThan(15 * 1024);
          note(id, -431);
          return;
        }
        const answer = answerOf(reply);
        const routed = !!matchRoute(httpRoutes, r.method, r.path);
        note(id, routed ? reply.status : -reply.status);
        const problems = problemsOf(answer, {
          routed,
          secrets: [...secrets],
          presented: presentedIn(`${text}\n${headers['x-correlation-id'] ?? ''}`),
          quotable: carriedIn(r.body?.toString('utf8') ?? ''),
        });
        if (bait && reply.headers['x-correlation-id'] === bait) problems.push(`a piece of a secret became the correlation id: ${bait}`);
        expect(problems, `${r.method} ${r.path.slice(0, 200)}`).toEqual([]);
      }),
      { numRuns },
    );
  }

  it.each(httpRoutes.map((r) => [r.id, r] as const))('%s', async (id, route) => {
    await drill(route, id, RUNS_HTTP);
    const statuses = reached.get(id) ?? [];
    expect(statuses).toHaveLength(RUNS_HTTP);
    // Most runs reach the route's function (the rest are the gateway's 404 for a wrong method or an extra segment).
    expect(statuses.filter((s) => s > 0).length, `${id}: ${statuses.join(' ')}`).toBeGreaterThanOrEqual(RUNS_HTTP / 4);
  });

  it('random paths under every prefix', async () => {
    await drill(undefined, 'random', 60);
    expect(reached.get('random')).toHaveLength(60);
  });

  it('got past authentication and the cluster check on most cluster routes (the fuzz is not stuck at the door)', () => {
    expect(passedTheDoor('').length).toBeGreaterThanOrEqual(clusterRoutes.length / 2);
  });
});

// ---- 1b. Fuzzing the handlers in process ---------------------------------------------------------------------------

type Handler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;

/** Every line the handlers log in this worker (Powertools writes JSON lines to stdout and stderr). */
const logLines: string[] = [];
const env = envScope();

/** Moves the in-process handlers' clock to `at` (they follow CLOCK_START, see shared/config.ts clockFromEnv). */
function setHandlerClock(at: Date | undefined): void {
  setSimulatedNow(at ?? clock.now());
}

const handlers = new Map<string, Handler>();
const handlerOf = (route: HttpRoute): Handler => {
  const handler = handlers.get(route.entry);
  if (!handler) throw new Error(`no handler loaded for ${route.entry}`);
  return handler;
};

/** The repository root: route entries in functions/routes.ts are relative to it. */
const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Imports a route's handler module by its entry, as the gateway does (so a new route needs no edit here). */
async function loadHandler(entry: string): Promise<Handler> {
  const mod = (await import(/* @vite-ignore */ pathToFileURL(resolve(REPO_ROOT, entry)).href)) as { handler?: unknown };
  if (typeof mod.handler !== 'function') throw new Error(`${entry} does not export a handler`);
  return mod.handler as Handler;
}

function answerOfResult(result: APIGatewayProxyStructuredResultV2): Answer {
  const headers = result.headers ?? {};
  const body = result.isBase64Encoded ? Buffer.from(result.body ?? '', 'base64').toString('utf8') : (result.body ?? '');
  return {
    status: result.statusCode ?? 200,
    contentType: String(headers['content-type'] ?? ''),
    body,
    headerText: [...Object.values(headers).map(String), ...(result.cookies ?? [])].join('\n'),
  };
}

/** Invokes a handler as Lambda would and returns its answer and the log lines it wrote. */
async function invoke(route: HttpRoute, event: APIGatewayProxyEventV2): Promise<{ answer: Answer; lines: string[] }> {
  const before = logLines.length;
  const result = await handlerOf(route)(event, { awsRequestId: `req-${randomBytes(6).toString('hex')}` } as Context);
  return { answer: answerOfResult(result), lines: logLines.slice(before) };
}

describe('fuzzing every handler in process (API Gateway v2 events, logs on)', () => {
  beforeAll(async () => {
    env.set({
      ...handlerEnv(stack),
      SCHEDULE_GROUP: stack.scheduler.group,
      REMINDER_TARGET_ARN: stack.scheduler.targetArn,
      SCHEDULER_ROLE_ARN: stack.scheduler.roleArn,
      REMINDER_DLQ_ARN: stack.scheduler.deadLetterArn,
      SCHEDULER_ENDPOINT: stack.schedulerEndpoint,
      REMINDER_QUEUE_URL: undefined,
      CHECK_RESPONSES: 'true',
      SIGN_IN_LIMIT_PER_IP: '100000',
      AWS_REGION: stack.region,
      AWS_ACCESS_KEY_ID: 'S3RVER',
      AWS_SECRET_ACCESS_KEY: 'S3RVER',
      POWERTOOLS_LOG_LEVEL: 'DEBUG',
      CLOCK_START: undefined,
      CLOCK_STARTED_AT: undefined,
    });
    setHandlerClock(undefined);
    logger.setLogLevel('DEBUG');
    const capture = (chunk: string | Uint8Array) => {
      logLines.push(...String(chunk).split('\n').filter(Boolean));
      return true;
    };
    vi.spyOn(process.stdout, 'write').mockImplementation(capture);
    vi.spyOn(process.stderr, 'write').mockImplementation(capture);
    for (const entry of new Set(httpRoutes.map((r) => r.entry))) handlers.set(entry, await loadHandler(entry));
  });

  afterAll(() => {
    vi.restoreAllMocks();
    logger.setLogLevel('SILENT');
    env.restore();
  });

  it('has a handler for every route', () => {
    expect(httpRoutes.every((r) => handlers.has(r.entry))).toBe(true);
  });

  it.each(httpRoutes.map((r) => [r.id, r] as const))('%s', async (_id, route) => {
    const s = await session(F);
    const spec = { route, known: knownValues([]), pool: credentialPool(s), body: await bodySpec(route) };
    await fc.assert(
      fc.asyncProperty(apiEventArb(spec), baitArb, async (generated, baitChoice) => {
        const text = [...Object.values(generated.pathParameters ?? {}), ...(generated.cookies ?? []), generated.headers.authorization, generated.headers['x-csrf-token'], generated.body].join('\n');
        const { headers, bait } = withBait(generated.headers, carriedIn(text), baitChoice);
        const event = { ...generated, headers };
        const { answer, lines } = await invoke(route, event);
        note(`event:${route.id}`, answer.status);
        const body = generated.isBase64Encoded ? Buffer.from(generated.body ?? '', 'base64').toString('utf8') : (generated.body ?? '');
        const problems = problemsOf(answer, {
          routed: true,
          secrets: [...secrets],
          presented: presentedIn(`${text}\n${body}\n${headers['x-correlation-id'] ?? ''}`),
          quotable: carriedIn(body),
        });
        if (bait && answer.headerText.includes(bait)) problems.push(`a piece of a secret became the correlation id: ${bait}`);
        for (const line of lines) {
          const trace = stackTraceIn(line);
          if (trace) problems.push(`stack trace (${trace}) in log: ${line.slice(0, 300)}`);
          for (const secret of secrets) if (line.includes(secret)) problems.push(`secret ${secret.slice(0, 6)}… in log`);
          if (bait && line.includes(bait)) problems.push(`a piece of a secret in log: ${bait}`);
        }
        expect(problems).toEqual([]);
      }),
      { numRuns: RUNS_EVENTS },
    );
  });

  it('got past authentication and the cluster check on most cluster routes', () => {
    expect(passedTheDoor('event:').length).toBeGreaterThanOrEqual(clusterRoutes.length / 2);
  });

  it('logged (logging was on), and no line of the whole run holds a secret or a stack trace', () => {
    expect(logLines.length).toBeGreaterThan(httpRoutes.length);
    const all = logLines.join('\n');
    expect([...secrets].filter((s) => all.includes(s))).toEqual([]);
    expect(stackTraceIn(all)).toBeUndefined();
  });

  // ---- 3, in process: the clock moved past each expiry -------------------------------------------------------------

  const routeById = (id: string) => httpRoutes.find((r) => r.id === id) as HttpRoute;
  const plainEvent = (route: HttpRoute, options: { params?: Record<string, string>; cookies?: string[]; headers?: Record<string, string>; body?: unknown } = {}) =>
    ({
      version: '2.0',
      routeKey: `${route.method} ${route.path}`,
      rawPath: route.path,
      rawQueryString: '',
      headers: options.headers ?? {},
      ...(options.cookies ? { cookies: options.cookies } : {}),
      ...(options.params ? { pathParameters: options.params } : {}),
      ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
      isBase64Encoded: false,
      requestContext: { http: { method: route.method, path: route.path, sourceIp: '198.51.100.9' }, requestId: 'req-clock', routeKey: `${route.method} ${route.path}` },
    }) as unknown as APIGatewayProxyEventV2;
  const json = (answer: Answer) => JSON.parse(answer.body) as { error: { code: string; message: string } };

  it('a member link with the clock past its expiry: 410 on every route of the link, and not a minute before', async () => {
    const token = await issueMemberLink(A.clusterId);
    const expiry = new Date((verifyLinkPayload(token).e - 60) * 1000);
    const bodies: Record<string, unknown> = {
      CreateUpload: { milestoneId: MILESTONE, fileName: 'a.pdf', contentType: PDF, size: 10 },
      SaveSelfScore: { action: 'save', expectedVersion: 0 },
    };
    try {
      for (const [at, expired] of [[expiry, false], [new Date(expiry.getTime() + 120_000), true]] as const) {
        setHandlerClock(at);
        for (const route of linkRoutes) {
          const params = { token, ...(route.id === 'GetUploadState' ? { uploadId: '00000000-0000-4000-8000-000000000000' } : {}) };
          const { answer } = await invoke(route, plainEvent(route, { params, body: bodies[route.id] }));
          if (expired) {
            expect([route.id, answer.status]).toEqual([route.id, 410]);
            if (answer.contentType.includes('json')) expect(json(answer).error).toEqual({ code: 'LINK_EXPIRED', message: 'Đường link đã hết hạn.' });
            else if (answer.contentType.includes('html')) expect(answer.body).toContain('lang="vi"');
            else expect(answer.body.trim()).toBe('Đường link đã hết hạn.');
          } else {
            expect([route.id, answer.status]).not.toEqual([route.id, 410]);
          }
        }
      }
    } finally {
      setHandlerClock(undefined);
    }
  });

  it('a session cookie with the clock past its 12 hours: 401 "expired"; the same cookie still works at the gateway', async () => {
    const s = await session(A);
    const getSession = routeById('GetSession');
    setHandlerClock(new Date(clock.now().getTime() + (SESSION_TTL_SECONDS + 60) * 1000));
    try {
      const { answer } = await invoke(getSession, plainEvent(getSession, { cookies: [s.cookie] }));
      expect(answer.status).toBe(401);
      expect(json(answer).error).toEqual({ code: 'UNAUTHORIZED', message: 'Phiên đăng nhập đã hết hạn. Vui lòng đăng nhập lại.' });
    } finally {
      setHandlerClock(undefined);
    }
    expect((await fetch(`${stack.apiUrl}/api/auth/session`, { headers: { cookie: s.cookie } })).status).toBe(200);
  });

  it('a sign-in token with the clock past its 15 minutes: 410, and the token is not spent by the refusal', async () => {
    const token = await signInToken(A);
    const openSession = routeById('OpenSession');
    setHandlerClock(new Date(clock.now().getTime() + (SIGN_IN_TTL_SECONDS + 60) * 1000));
    try {
      const { answer } = await invoke(openSession, plainEvent(openSession, { body: { token } }));
      expect(answer.status).toBe(410);
      expect(json(answer).error).toEqual({ code: 'SIGN_IN_LINK_SPENT', message: 'Liên kết đăng nhập đã hết hạn (chỉ có hiệu lực 15 phút). Hãy xin liên kết mới.' });
    } finally {
      setHandlerClock(undefined);
    }
    const opened = await fetch(`${stack.apiUrl}/api/auth/sessions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token }) });
    expect(opened.status).toBe(200);
    keep(opened.headers.getSetCookie()[0]?.split(';')[0]?.slice(SESSION_COOKIE.length + 1) ?? '');
  });
});

/** The payload of a link this file issued (its signature checked with the harness's secret). */
function verifyLinkPayload(token: string) {
  const verified = verifyLink(token, linkKeys);
  if (!verified.ok) throw new Error('a link of this file does not verify');
  return verified.payload;
}

// ---- 2. Files through the real path ------------------------------------------------------------------------------

interface Presigned {
  uploadId: string;
  url: string;
  fields: Record<string, string>;
}

async function presign(token: string, body: unknown): Promise<{ status: number; json: any }> {
  const response = await fetch(`${stack.apiUrl}/u/${token}/uploads`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: response.status, json: await response.json() };
}

/** Posts the bytes with the presigned form, as the page's script does. */
async function post(form: Presigned, bytes: Buffer, type: string): Promise<void> {
  const body = new FormData();
  for (const [k, v] of Object.entries(form.fields)) body.append(k, v);
  body.append('file', new Blob([new Uint8Array(bytes)], { type }), 'file');
  const response = await fetch(form.url, { method: 'POST', body });
  expect(response.status).toBe(204);
}

/** Polls the member route until the recorder (in the harness's process) has checked the upload. */
async function settledState(token: string, uploadId: string): Promise<{ state: string; rejectReason?: string }> {
  for (let i = 0; i < 100; i++) {
    const response = await fetch(`${stack.apiUrl}/u/${token}/uploads/${uploadId}`);
    expect(response.status).toBe(200);
    const state = (await response.json()) as { state: string; rejectReason?: string };
    if (state.state !== 'pending') return state;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`upload ${uploadId} still pending`);
}

const MiB = 1024 * 1024;
const pdfBytes = (note: string) => minimalPdf(note);
const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';

interface FileCase {
  name: string;
  fileName: string;
  declared: string;
  declaredSize?: number;
  bytes: () => Buffer;
  /** What the recorder decides, and the reason the unit is given. */
  outcome: 'accepted' | 'quarantined';
  reason?: RegExp;
  /** What the receipt quotes of the name, when it is not the name as sent (cleaned of controls). */
  quoted?: string;
}

const FILE_CASES: FileCase[] = [
  { name: 'empty (0 bytes sent, 10 declared)', fileName: 'rong.pdf', declared: PDF, declaredSize: 10, bytes: () => Buffer.alloc(0), outcome: 'quarantined', reason: /^Tệp rỗng \(0 byte\)\.$/ },
  {
    name: 'over the limit (25 MB + 1 byte sent, 1 KB declared)',
    fileName: 'qua-lon.pdf',
    declared: PDF,
    declaredSize: 1024,
    bytes: () => Buffer.concat([pdfBytes('lon'), Buffer.alloc(25 * MiB + 1 - pdfBytes('lon').length)]),
    outcome: 'quarantined',
    reason: /^Tệp quá lớn \(25 MB\); giới hạn là 25 MB\.$/,
  },
  {
    // In AWS, S3 refuses it: the form's policy bounds the file by its declared size (asserted in uploads.test.ts).
    // s3rver does not enforce policies, so locally it lands, and the recorder records its real size.
    name: 'over the declared size but under the limit (refused by S3 in AWS; locally recorded at its real size)',
    fileName: 'lon-hon-khai-bao.pdf',
    declared: PDF,
    declaredSize: 100,
    bytes: () => Buffer.concat([pdfBytes('khai-bao'), Buffer.alloc(50_000, 0x20)]),
    outcome: 'accepted',
  },
  { name: 'a Windows program declared as PDF', fileName: 'bao-cao.pdf', declared: PDF, bytes: () => EXE, outcome: 'quarantined', reason: /^Nội dung tệp không phải PDF như đã khai báo \(phát hiện: tệp chương trình \(\.exe\)\)\.$/ },
  { name: 'an HTML page with a script declared as PDF', fileName: 'trang.pdf', declared: PDF, bytes: () => Buffer.from(HTML), outcome: 'quarantined', reason: /^Không nhận dạng được nội dung tệp; chỉ nhận PDF, Word, Excel, OpenDocument, JPG, PNG\.$/ },
  { name: 'HTML that carries a PDF after it, declared as PDF', fileName: 'html-roi-pdf.pdf', declared: PDF, bytes: () => Buffer.concat([Buffer.from(HTML), pdfBytes('sau')]), outcome: 'quarantined', reason: /^Không nhận dạng được nội dung tệp/ },
  {
    // Judged by its leading signature (shared/domain/file-check.ts): it opens as a PDF; downloads are attachments.
    name: 'polyglot: a PDF carrying HTML/JS and a ZIP after its end, declared as PDF',
    fileName: 'pdf-da-hinh.pdf',
    declared: PDF,
    bytes: () => Buffer.concat([pdfBytes('da-hinh'), Buffer.from(HTML), zipOf([['index.html', Buffer.from(HTML)]])]),
    outcome: 'accepted',
  },
  {
    name: 'polyglot: a PDF with a ZIP after it, declared as Word (.docx)',
    fileName: 'pdf-zip.docx',
    declared: DOCX,
    bytes: () => Buffer.concat([pdfBytes('zip'), zipOf([['word/document.xml', Buffer.from('<w:document/>')]])]),
    outcome: 'quarantined',
    reason: /^Nội dung tệp không phải Word \(\.docx\) như đã khai báo \(phát hiện: PDF\)\.$/,
  },
  {
    name: 'polyglot: a JPEG with a ZIP (word/ entries) after it, declared as Word (.docx)',
    fileName: 'jpeg-zip.docx',
    declared: DOCX,
    bytes: () => Buffer.concat([JPEG_HEAD, Buffer.alloc(200), Buffer.from([0xff, 0xd9]), zipOf([['word/document.xml', Buffer.from('<w:document/>')]])]),
    outcome: 'quarantined',
    reason: /^Nội dung tệp không phải Word \(\.docx\) như đã khai báo \(phát hiện: ảnh JPG\)\.$/,
  },
  {
    name: 'a PDF under a name made to mislead (CR/LF and a Bcc header, markup, a right-to-left override)',
    fileName: 'Báo cáo\r\nBcc: x@evil.example <img src=x onerror=alert(1)> \u202efdp.exe',
    declared: PDF,
    bytes: () => pdfBytes('ten-la'),
    outcome: 'accepted',
    // Control characters are dropped from stored names (shared/domain/submission.ts cleanFileName): no fake line.
    quoted: '- Tên tệp: Báo cáoBcc: x@evil.example <img src=x onerror=alert(1)>',
  },
  {
    name: 'a plain ZIP holding an HTML page, declared as Word (.docx)',
    fileName: 'nen.docx',
    declared: DOCX,
    bytes: () => zipOf([['index.html', Buffer.from(HTML)]]),
    outcome: 'quarantined',
    reason: /^Nội dung tệp không phải Word \(\.docx\) như đã khai báo \(phát hiện: tệp nén ZIP, không phải tài liệu Word, Excel hay OpenDocument\)\.$/,
  },
];

describe('files through the real path: presign, s3rver, the recorder, the state and the email', () => {
  it('refuses at presign, with a Vietnamese 400 naming the field: empty, over the limit, wrong or missing type, bad sizes and names', async () => {
    const cases: Array<[Record<string, unknown>, string, RegExp]> = [
      [{ size: 0 }, 'size', /^Tệp rỗng \(0 byte\), vui lòng chọn tệp khác$/],
      [{ size: -5 }, 'size', /Tệp rỗng/],
      [{ size: 1.5 }, 'size', /.+/],
      [{ size: '10' }, 'size', /.+/],
      [{ size: undefined }, 'size', /^Thiếu kích thước tệp$/],
      [{ contentType: 'text/html' }, 'contentType', /^Loại tệp không được chấp nhận \(chỉ nhận PDF, Word, Excel, OpenDocument, JPG, PNG\)$/],
      [{ contentType: 'application/x-msdownload', fileName: 'setup.exe' }, 'contentType', /^Loại tệp không được chấp nhận/],
      [{ contentType: 'application/zip' }, 'contentType', /^Loại tệp không được chấp nhận/],
      [{ fileName: '' }, 'fileName', /^Tên tệp không được để trống$/],
      [{ fileName: 'a'.repeat(300) }, 'fileName', /^Tên tệp quá dài/],
    ];
    for (const [change, field, message] of cases) {
      const reply = await presign(A.token, { milestoneId: MILESTONE, fileName: 'a.pdf', contentType: PDF, size: 10, ...change });
      expect([JSON.stringify(change), reply.status, reply.json.error.code, reply.json.error.message]).toEqual([JSON.stringify(change), 400, 'VALIDATION_FAILED', 'Dữ liệu gửi lên không hợp lệ.']);
      const detail = (reply.json.error.details as Array<{ field: string; message: string }>).find((d) => d.field === field);
      expect(detail?.message, JSON.stringify(change)).toMatch(message);
    }
    const tooBig = await presign(A.token, { milestoneId: MILESTONE, fileName: 'a.pdf', contentType: PDF, size: 25 * MiB + 1 });
    expect([tooBig.status, tooBig.json.error]).toEqual([400, { code: 'VALIDATION_FAILED', message: 'Tệp quá lớn (25 MB); giới hạn là 25 MB.' }]);
  });

  it.each(FILE_CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const since = Math.floor(Date.now() / 1000) - 1;
    const bytes = c.bytes();
    const reply = await presign(A.token, { milestoneId: MILESTONE, fileName: c.fileName, contentType: c.declared, size: c.declaredSize ?? bytes.length });
    expect(reply.status, JSON.stringify(reply.json)).toBe(201);
    const form = reply.json as Presigned;
    await post(form, bytes, c.declared);
    const state = await settledState(A.token, form.uploadId);
    expect(state.state).toBe(c.outcome);
    const mails = await waitForMail(stack, A.memberEmail, { since, matches: (m) => m.body.text.includes(c.quoted ?? c.fileName) });
    expect(mails).toHaveLength(1);
    expect([mails[0]?.destination.to, mails[0]?.destination.bcc ?? []]).toEqual([[A.memberEmail], []]);
    expect(mails[0]?.body.html).not.toMatch(/<img|<script/);
    const sizes = (await repos.uploads.listUnitItems(A.clusterId, PLAN, UNIT_MEMBER)).submissions.filter((s) => s.uploadId === form.uploadId).map((s) => s.size);
    expect(sizes).toEqual([bytes.length]);
    if (c.outcome === 'quarantined') {
      expect(state.rejectReason).toMatch(c.reason ?? /^$/);
      expect(mails[0]?.subject).toContain('Tệp chưa được chấp nhận');
      expect(mails[0]?.body.text).toContain(state.rejectReason);
    } else {
      expect(state.rejectReason).toBeUndefined();
      expect(mails[0]?.subject).not.toContain('chưa được chấp nhận');
      await expectServedAsAttachment(form.uploadId, c.declared);
    }
  });
});

/** A Word body that asks its XML parser to read a local file (XXE) and to expand entities a billion times. */
const HOSTILE_WORD_XML = Buffer.from(
  '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd"><!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">' +
    '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>' +
    '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>&e;&d;</w:t></w:r></w:p></w:body></w:document>',
);
const wordFile = (documentXml: Buffer, deflate = false) => zipOf([['[Content_Types].xml', Buffer.from('<Types/>')], ['word/document.xml', documentXml, deflate]]);
const previewRoute = httpRoutes.find((r) => r.id === 'PreviewPlanImport');

describe('plan files sent to the plan import', () => {
  it.runIf(previewRoute)('wrong type, empty, broken, polyglot, a zip bomb, XXE: a Vietnamese 400, never a 5xx, nothing read from disk', async () => {
    const files: Array<[string, Buffer]> = [
      ['ke-hoach.docx', minimalPdf('ke-hoach')],
      ['ke-hoach.docx', Buffer.from(HTML)],
      ['ke-hoach.docx', EXE],
      ['ke-hoach.docx', Buffer.alloc(0)],
      ['ke-hoach.docx', zipOf([['index.html', Buffer.from(HTML)]])],
      ['ke-hoach.docx', Buffer.concat([JPEG_HEAD, wordFile(Buffer.from('<w:document/>'))])],
      // 100 MB of spaces in about 100 KB.
      ['ke-hoach.docx', wordFile(Buffer.alloc(100 * MiB, 0x20), true)],
      ['ke-hoach.docx', wordFile(HOSTILE_WORD_XML)],
      ['ke-hoach.txt', randomBytes(3000)],
      ['ke-hoach.exe', EXE],
    ];
    const target = (previewRoute as HttpRoute).path.replace('{clusterId}', A.clusterId);
    for (const [fileName, bytes] of files) {
      const body = Buffer.from(JSON.stringify({ fileName, contentBase64: bytes.toString('base64'), planId: PLAN }));
      const reply = await sendRaw(stack.apiUrl, { method: 'POST', target, headers: { authorization: `Bearer ${A.apiKey}`, 'content-type': 'application/json' }, body });
      const text = reply.body.toString();
      expect([fileName, bytes.length, reply.status], text.slice(0, 200)).toEqual([fileName, bytes.length, 400]);
      const error = JSON.parse(text).error as { code: string; message: string };
      expect(error.code).toBe('VALIDATION_FAILED');
      expect(isVietnamese(error.message), error.message).toBe(true);
      expect(text).not.toMatch(/root:|daemon:/);
    }
  });
});

/** An accepted file is downloaded as an attachment of its declared type: a polyglot never renders as a page. */
async function expectServedAsAttachment(uploadId: string, declared: string): Promise<void> {
  const path = `/api/clusters/${A.clusterId}/plans/${PLAN}/units/${UNIT_MEMBER}/submissions/${uploadId}/download`;
  const link = await fetch(`${stack.apiUrl}${path}`, { headers: { authorization: `Bearer ${A.apiKey}` } });
  expect(link.status).toBe(200);
  const file = await fetch(((await link.json()) as { url: string }).url);
  expect(file.status).toBe(200);
  expect(file.headers.get('content-type')).toBe(declared);
  expect(file.headers.get('content-disposition')).toMatch(/^attachment; /);
}

/** Text a hostile or careless admin may type: broken Unicode, controls, header injection, markup, the longest. */
const HOSTILE_TEXT = [
  'a\ud800b',
  '\udfff',
  'x\u0000y',
  '\u202eabc.pdf',
  'Tên\r\nBcc: x@evil.example',
  '<img src=x onerror=alert(1)>',
  '=HYPERLINK("http://evil.example")',
  '\u0301Đơn vị',
  'ệ'.repeat(2000),
];

describe('text stored through the API, then quoted in emails and pages', () => {
  const call = (method: string, path: string, body?: unknown) =>
    sendRaw(stack.apiUrl, {
      method,
      target: `/api/clusters/${A.clusterId}${path}`,
      headers: { authorization: `Bearer ${A.apiKey}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: Buffer.from(JSON.stringify(body)) }),
    });
  const errorOf = (reply: RawReply) => JSON.parse(reply.body.toString()).error as { code: string; message: string };

  it('broken Unicode (half a surrogate pair) is refused at the door with a Vietnamese 400, on every JSON route', async () => {
    const created = await call('POST', '/units', { unitId: 'nua-cap', name: 'a\ud800b', role: 'thanh-vien', emails: [`nua-cap-${tag}@example.com`] });
    expect([created.status, errorOf(created)]).toEqual([400, { code: 'VALIDATION_FAILED', message: 'Dữ liệu gửi lên có ký tự không hợp lệ (mã Unicode bị cắt dở).' }]);
    const upload = await presign(A.token, { milestoneId: MILESTONE, fileName: '\udc00.pdf', contentType: PDF, size: 10 });
    expect([upload.status, upload.json.error.code]).toEqual([400, 'VALIDATION_FAILED']);
  });

  it('any name a unit is given: created or refused (never a 5xx), then its link email, a reminder and its page work', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.constantFrom(...HOSTILE_TEXT), fc.string({ unit: 'binary', minLength: 1, maxLength: 40 })), async (name) => {
        const unitId = `chu-${++n}`;
        const email = `chu-${n}-${tag}@example.com`;
        const created = await call('POST', '/units', { unitId, name, contactName: name, role: 'thanh-vien', emails: [email] });
        expect(created.status, created.body.toString().slice(0, 200)).toBeLessThan(500);
        if (created.status !== 201) {
          expect([created.status, errorOf(created).code]).toEqual([400, 'VALIDATION_FAILED']);
          return;
        }
        const emailed = await call('POST', `/units/${unitId}/link/email`, { planId: PLAN });
        expect(emailed.status, emailed.body.toString().slice(0, 200)).toBe(202);
        const reminded = await call('POST', `/plans/${PLAN}/reminders/send-now`, { unitId, milestoneId: MILESTONE });
        expect(reminded.status, reminded.body.toString().slice(0, 200)).toBe(202);
        const link = await call('POST', `/units/${unitId}/link`, { planId: PLAN });
        const token = keep(JSON.parse(link.body.toString()).url.split('/u/')[1]);
        expect((await member(token)).status).toBe(200);
        // The next, ordinary email still goes out (a failed send must not spoil the mail client for the next one).
        expect((await call('POST', `/units/${UNIT_ADMIN}/link/email`, { planId: PLAN })).status).toBe(202);
      }),
      { numRuns: 12 },
    );
  });
});

// ---- 3. Credentials ----------------------------------------------------------------------------------------------

const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
/** `text` with the character at `index` replaced by another one (never itself). */
const flip = (text: string, index: number, shift: number): string => {
  const at = BASE64URL.indexOf(text[index] ?? '');
  const other = at < 0 ? BASE64URL[shift % 64] : BASE64URL[(at + 1 + (shift % 63)) % 64];
  return text.slice(0, index) + other + text.slice(index + 1);
};

/** GET a member route with `token`; the answer's status and text. */
async function member(token: string, route = '') {
  const reply = await sendRaw(stack.apiUrl, { method: 'GET', target: `/u/${token}${route}`, headers: {} });
  return { status: reply.status, text: reply.body.toString('utf8') };
}

describe('member links', () => {
  it('the drills links work before they are tampered with', async () => {
    for (const route of ['', '/self-score', '/self-score/print']) expect((await member(B.token, route)).status).toBe(200);
  });

  it('forged: every position of the token changed (fast-check picks the new character) is never a 200, never a 5xx', async () => {
    const token = B.token;
    const statuses = new Set<number>();
    await fc.assert(
      fc.asyncProperty(fc.nat(), fc.constantFrom('', '/self-score', '/self-score/print'), async (shift, route) => {
        for (let index = 0; index < token.length; index++) {
          const forged = flip(token, index, shift);
          const reply = await member(forged, route);
          statuses.add(reply.status);
          expect([index, reply.status]).toEqual([index, 404]);
          expect(reply.text).not.toContain(token);
        }
      }),
      { numRuns: 3 },
    );
    expect([...statuses]).toEqual([404]);
  });

  it('forged: every byte of the payload and of the signature flipped (fast-check picks the bits) is never a 200', async () => {
    const token = B.token;
    const [payload, signature] = token.split('.').map((part) => Buffer.from(part, 'base64url')) as [Buffer, Buffer];
    const withByteFlipped = (part: Buffer, index: number, mask: number) => Buffer.from(part.map((b, i) => (i === index ? b ^ mask : b))).toString('base64url');
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 255 }), fc.constantFrom('', '/self-score', '/self-score/print'), async (mask, route) => {
        for (let index = 0; index < payload.length; index++) {
          const reply = await member(`${withByteFlipped(payload, index, mask)}.${signature.toString('base64url')}`, route);
          expect(['payload', index, reply.status]).toEqual(['payload', index, 404]);
        }
        for (let index = 0; index < signature.length; index++) {
          const reply = await member(`${payload.toString('base64url')}.${withByteFlipped(signature, index, mask)}`, route);
          expect(['signature', index, reply.status]).toEqual(['signature', index, 404]);
        }
      }),
      { numRuns: 2 },
    );
  });

  it('truncated at every length: never a 200', async () => {
    for (let cut = 1; cut < B.token.length; cut++) {
      const reply = await member(B.token.slice(0, cut));
      expect([cut, reply.status]).toEqual([cut, 404]);
    }
  });

  it('expired (signed with the harness key, expiry one minute ago): 410 on the page (Vietnamese) and the upload form (JSON)', async () => {
    const payload = verifyLinkPayload(B.token);
    const expired = keep(signLink({ ...payload, e: Math.floor(clock.now().getTime() / 1000) - 60 }, linkKeys[0] as LinkKey));
    expect((await member(expired)).status).toBe(410);
    expect((await member(expired)).text).toContain('lang="vi"');
    const upload = await presign(expired, { milestoneId: MILESTONE, fileName: 'a.pdf', contentType: PDF, size: 10 });
    expect([upload.status, upload.json.error]).toEqual([410, { code: 'LINK_EXPIRED', message: 'Đường link đã hết hạn.' }]);
  });

  it('revoked with the CLI (revoke-link) and with the admin API: the old link is 410 everywhere, the new one works', async () => {
    const old = await issueMemberLink(B.clusterId);
    expect((await member(old)).status).toBe(200);
    await cli(['revoke-link', B.clusterId, UNIT_MEMBER]);
    const replaced = { code: 'LINK_REPLACED', message: 'Đường link đã được thay thế bằng một đường link mới.' };
    for (const route of ['', '/self-score', '/self-score/print']) expect((await member(old, route)).status).toBe(410);
    const upload = await presign(old, { milestoneId: MILESTONE, fileName: 'a.pdf', contentType: PDF, size: 10 });
    expect([upload.status, upload.json.error]).toEqual([410, replaced]);

    const second = await issueMemberLink(B.clusterId);
    expect((await member(second)).status).toBe(200);
    const revoke = await fetch(`${stack.apiUrl}/api/clusters/${B.clusterId}/units/${UNIT_MEMBER}/link/revoke`, {
      method: 'POST',
      headers: { authorization: `Bearer ${B.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ planId: PLAN }),
    });
    expect(revoke.status).toBe(200);
    const fresh = keep(((await revoke.json()) as { url: string }).url.split('/u/')[1] ?? '');
    expect((await member(second)).status).toBe(410);
    expect((await member(fresh)).status).toBe(200);
    B.token = fresh;
  });

  it("another cluster's link on this cluster's things: A's upload is not found with B's link, and no payload edit helps", async () => {
    const created = await presign(A.token, { milestoneId: MILESTONE, fileName: 'a.pdf', contentType: PDF, size: 10 });
    expect(created.status).toBe(201);
    const uploadId = created.json.uploadId as string;
    expect((await sendRaw(stack.apiUrl, { method: 'GET', target: `/u/${A.token}/uploads/${uploadId}`, headers: {} })).status).toBe(200);
    const crossed = await sendRaw(stack.apiUrl, { method: 'GET', target: `/u/${B.token}/uploads/${uploadId}`, headers: {} });
    expect(crossed.status).toBe(400);
    expect(JSON.parse(crossed.body.toString()).error).toEqual({ code: 'VALIDATION_FAILED', message: 'Không tìm thấy lượt tải lên này.' });
    // B's payload pointed at A's cluster, under B's signature: refused before anything is read.
    const [segment, signature] = B.token.split('.');
    const edited = { ...JSON.parse(Buffer.from(segment ?? '', 'base64url').toString()), c: A.clusterId };
    const forged = `${Buffer.from(JSON.stringify(edited)).toString('base64url')}.${signature}`;
    expect((await member(forged)).status).toBe(404);
    const forgedUpload = await sendRaw(stack.apiUrl, { method: 'GET', target: `/u/${forged}/uploads/${uploadId}`, headers: {} });
    expect([forgedUpload.status, JSON.parse(forgedUpload.body.toString()).error.code]).toEqual([404, 'LINK_INVALID']);
  });
});

describe('admin credentials', () => {
  const api = (path: string, headers: Record<string, string>, init: RequestInit = {}) => fetch(`${stack.apiUrl}${path}`, { ...init, headers });
  const errorOf = async (response: Response) => ((await response.json()) as { error: { code: string; message: string } }).error;

  it('forged session cookie: every position changed (fast-check picks the character) is 401, the real one 200', async () => {
    const s = await session(A);
    const id = s.cookie.slice(SESSION_COOKIE.length + 1);
    expect((await api('/api/auth/session', { cookie: s.cookie })).status).toBe(200);
    await fc.assert(
      fc.asyncProperty(fc.nat(), async (shift) => {
        for (let index = 0; index < id.length; index++) {
          const reply = await api(`/api/clusters/${A.clusterId}/units`, { cookie: `${SESSION_COOKIE}=${flip(id, index, shift)}` });
          expect([index, reply.status]).toEqual([index, 401]);
          expect((await errorOf(reply)).code).toBe('UNAUTHORIZED');
        }
      }),
      { numRuns: 2 },
    );
  });

  it('expired session (stored with its expiry passed) and truncated cookies: 401 with a Vietnamese message', async () => {
    const id = keep(randomBytes(32).toString('base64url'));
    const now = Math.floor(clock.now().getTime() / 1000);
    await repos.auth.putSession(sha256Hex(id), { email: A.headEmail, csrfToken: keep(randomBytes(32).toString('base64url')), createdAt: new Date((now - SESSION_TTL_SECONDS - 1) * 1000).toISOString(), expiresAt: now - 1 });
    const expired = await api(`/api/clusters/${A.clusterId}/units`, { cookie: `${SESSION_COOKIE}=${id}` });
    expect([expired.status, await errorOf(expired)]).toEqual([401, { code: 'UNAUTHORIZED', message: 'Phiên đăng nhập đã hết hạn. Vui lòng đăng nhập lại.' }]);
    for (const cut of [0, 1, 20, 42]) {
      const reply = await api(`/api/clusters/${A.clusterId}/units`, { cookie: `${SESSION_COOKIE}=${id.slice(0, cut)}` });
      expect([cut, reply.status, (await errorOf(reply)).message]).toEqual([cut, 401, 'Bạn cần đăng nhập để dùng trang quản trị.']);
    }
  });

  it('sign-in tokens: forged at every position 404, truncated 400, expired (stored so) and spent 410; none opens a session', async () => {
    const open = (token: string) => api('/api/auth/sessions', { 'content-type': 'application/json' }, { method: 'POST', body: JSON.stringify({ token }) });
    const token = await signInToken(A);
    await fc.assert(
      fc.asyncProperty(fc.nat(), async (shift) => {
        for (let index = 0; index < token.length; index++) {
          const reply = await open(flip(token, index, shift));
          expect([index, reply.status, (await errorOf(reply)).code]).toEqual([index, 404, 'NOT_FOUND']);
          expect(reply.headers.getSetCookie()).toEqual([]);
        }
      }),
      { numRuns: 1 },
    );
    const truncated = await open(token.slice(0, 42));
    expect([truncated.status, (await errorOf(truncated)).code]).toEqual([400, 'VALIDATION_FAILED']);

    const stale = keep(randomBytes(32).toString('base64url'));
    const now = Math.floor(clock.now().getTime() / 1000);
    await repos.auth.putSignInToken(sha256Hex(stale), { email: A.headEmail, createdAt: new Date((now - SIGN_IN_TTL_SECONDS - 1) * 1000).toISOString(), expiresAt: now - 1 });
    const expired = await open(stale);
    expect([expired.status, await errorOf(expired)]).toEqual([410, { code: 'SIGN_IN_LINK_SPENT', message: 'Liên kết đăng nhập đã hết hạn (chỉ có hiệu lực 15 phút). Hãy xin liên kết mới.' }]);

    expect((await open(token)).status).toBe(200);
    const spent = await open(token);
    expect([spent.status, (await errorOf(spent)).code]).toEqual([410, 'SIGN_IN_LINK_SPENT']);
    expect(spent.headers.getSetCookie()).toEqual([]);
  });

  it("forged API keys (A's id with another secret, B's id with A's secret, one character changed): 401", async () => {
    const [, idA, secretA] = /^ctd_([a-z0-9]{10})_(.+)$/.exec(A.apiKey) ?? [];
    const idB = B.apiKey.split('_')[1] ?? '';
    const forgeries = [`ctd_${idA}_${randomBytes(32).toString('base64url')}`, `ctd_${idB}_${secretA}`, flip(A.apiKey, A.apiKey.length - 5, 7), `${A.apiKey}x`, A.apiKey.slice(0, -1)];
    for (const key of forgeries) {
      const reply = await api(`/api/clusters/${A.clusterId}/units`, { authorization: `Bearer ${key}` });
      expect([key.slice(0, 20), reply.status, await errorOf(reply)]).toEqual([key.slice(0, 20), 401, { code: 'UNAUTHORIZED', message: 'Khóa API không đúng hoặc đã bị thu hồi.' }]);
    }
  });

  /** Spellings of B's cluster id in a path that a lax router might not see as B (or might see as A). */
  const disguises = (b: string, a: string) => [
    [...b].map((c) => `%${c.charCodeAt(0).toString(16)}`).join(''),
    b.toUpperCase(),
    `${b}%20`,
    `%20${b}`,
    `${b}%00`,
    `${a}%2F..%2F${b}`,
    `${b}%2F..%2F${a}`,
    `${b.slice(0, -1)}%${b.charCodeAt(b.length - 1).toString(16)}`,
  ];

  it("A's API key and A's session on every {clusterId} route of B, B's id disguised: never a success, nothing of B", async () => {
    const s = await session(A);
    const fill = (path: string, clusterId: string) =>
      path.replace(/\{(\w+)\}/g, (_, name: string) => (name === 'clusterId' ? clusterId : ({ planId: PLAN, unitId: UNIT_MEMBER, milestoneId: MILESTONE, uploadId: '00000000-0000-4000-8000-000000000000', keyId: B.spareKeyId, file: 'x' } as Record<string, string>)[name] ?? 'x'));
    let refusals = 0;
    for (const route of clusterRoutes) {
      for (const clusterId of [B.clusterId, ...disguises(B.clusterId, A.clusterId)]) {
        for (const headers of [{ authorization: `Bearer ${A.apiKey}` }, s.headers]) {
          const reply = await sendRaw(stack.apiUrl, { method: route.method, target: fill(route.path, clusterId), headers: { ...headers, 'content-type': 'application/json' }, body: Buffer.from('{}') });
          const text = reply.body.toString('utf8');
          expect([route.id, clusterId, reply.status < 300 || reply.status >= 500]).toEqual([route.id, clusterId, false]);
          expect(text).not.toContain(B.name);
          expect(text).not.toContain(B.memberEmail);
          if (reply.status === 403) refusals++;
        }
      }
    }
    // B's own id, undisguised, is refused by the cluster check on every route, by key and by session.
    expect(refusals).toBeGreaterThanOrEqual(clusterRoutes.length * 2);
    expect((await repos.auth.listApiKeys(B.clusterId)).filter((k) => k.revokedAt)).toEqual([]);
    const keyIdA = A.apiKey.split('_')[1];
    expect((await repos.audit.list(B.clusterId, {}, { limit: 200 })).entries.filter((e) => e.actor.id === A.headEmail || e.actor.id === keyIdA)).toEqual([]);
  });
});

