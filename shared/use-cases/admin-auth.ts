/**
 * Signing in to the admin page without passwords, and deciding what a request may do.
 *
 * 1. `requestSignIn`: rate-limited; emails a one-time link (15 minutes) to an address that has a grant, and answers
 *    the same way whether it has one or not (no way to probe which addresses are admins).
 * 2. `openSession`: spends the link (one conditional write) and opens a 12-hour session with its CSRF token.
 * 3. `authenticate` + `clusterAccess`: per request, the principal (session cookie or API key) and its access to the
 *    cluster in the path, checked against the grants as they are now (a removed address loses access at once).
 */
import { randomBytes } from 'node:crypto';
import {
  ADMIN_PAGE_PATH,
  SESSION_TTL_SECONDS,
  SIGN_IN_PAGE_PATH,
  SIGN_IN_RATE_LIMITS,
  SIGN_IN_TTL_SECONDS,
  accessFromGrants,
  looksLikeApiKey,
  newApiKey,
  newSecret,
  rateWindow,
  sessionIdFromCookies,
  sha256Hex,
  type AdminGrant,
  type ApiKeyInfo,
  type ClusterAccess,
  type Principal,
  type Session,
} from '../domain/admin';
import { correlationTags } from '../domain/correlation';
import { ForbiddenError, NotFoundError, RateLimitedError, SignInLinkSpentError, UnauthorizedError } from '../domain/errors';
import { EmailSchema, type Cluster } from '../domain/model';
import { formatInstantVi } from '../domain/time';
import type { Clock } from '../ports/clock';
import type { Mailer } from '../ports/mailer';
import type { Repositories } from '../ports/repositories';
import { renderSignInEmail } from '../views/admin-emails';

export type Random = (bytes: number) => Buffer;

export interface AuthDeps {
  repos: Pick<Repositories, 'auth' | 'clusters' | 'audit'>;
  clock: Clock;
  random?: Random;
}

export interface SignInDeps extends AuthDeps {
  mailer: Mailer;
  /** The app's origin, for the link. */
  baseUrl: string;
  /** Sign-in requests allowed per client address per hour. @default SIGN_IN_RATE_LIMITS.perIp.limit */
  perIpLimit?: number;
}

const nowSeconds = (clock: Clock): number => Math.floor(clock.now().getTime() / 1000);

/** The sign-in link for a token (the token in the fragment: browsers never send it to a server or a Referer). */
export const signInUrl = (baseUrl: string, token: string): string => `${baseUrl.replace(/\/$/, '')}${SIGN_IN_PAGE_PATH}#t=${token}`;

/** The clusters a set of grants reaches, by name, with the access level (admin first, then by name). */
export async function clustersOfGrants(
  repos: Pick<Repositories, 'clusters'>,
  grants: readonly AdminGrant[],
): Promise<Array<{ cluster: Cluster; access: ClusterAccess }>> {
  const provinces = new Set(grants.flatMap((g) => (g.scope === 'province' ? [g.provinceId] : [])));
  const clusterIds = new Set(grants.flatMap((g) => (g.scope === 'cluster' ? [g.clusterId] : [])));
  const all = provinces.size > 0 ? await repos.clusters.list() : await Promise.all([...clusterIds].map((id) => repos.clusters.get(id)));
  return all
    .filter((c): c is Cluster => !!c)
    .flatMap((cluster) => {
      const access = accessFromGrants(grants, cluster.clusterId, cluster.province.id);
      return access ? [{ cluster, access }] : [];
    })
    .sort((a, b) => (a.access === b.access ? a.cluster.name.localeCompare(b.cluster.name, 'vi') : a.access === 'write' ? -1 : 1));
}

/** Creates a sign-in token for an address that has a grant (no rate limit: the CLI and `requestSignIn` use it). */
export async function createSignInLink(
  deps: AuthDeps & { baseUrl: string },
  email: string,
): Promise<{ url: string; expiresAt: Date; grants: AdminGrant[] } | undefined> {
  const grants = await deps.repos.auth.grantsOf(email);
  if (grants.length === 0) return undefined;
  const token = newSecret(deps.random ?? randomBytes);
  const now = deps.clock.now();
  const expiresAt = new Date(now.getTime() + SIGN_IN_TTL_SECONDS * 1000);
  await deps.repos.auth.putSignInToken(sha256Hex(token), {
    email,
    createdAt: now.toISOString(),
    expiresAt: Math.floor(expiresAt.getTime() / 1000),
  });
  return { url: signInUrl(deps.baseUrl, token), expiresAt, grants };
}

export const SIGN_IN_REQUESTED_MESSAGE =
  'Nếu địa chỉ này là email quản trị của một cụm thi đua, liên kết đăng nhập đã được gửi tới hộp thư. Liên kết có hiệu lực 15 phút và chỉ dùng được một lần.';

/**
 * Emails a sign-in link if the address has a grant. Counts against two limits first (per address, per client
 * address), so neither a script nor a person can flood an inbox or probe addresses quickly. The email is tagged with
 * the request's `correlationId`.
 */
export async function requestSignIn(
  deps: SignInDeps,
  request: { email: string; clientIp?: string; correlationId?: string },
): Promise<{ message: string }> {
  const email = EmailSchema.parse(request.email);
  const now = deps.clock.now().getTime();
  const limits: Array<[string, { limit: number; windowSeconds: number }]> = [
    [`signin-email#${sha256Hex(email)}`, SIGN_IN_RATE_LIMITS.perEmail],
    ...(request.clientIp
      ? ([[`signin-ip#${request.clientIp}`, { ...SIGN_IN_RATE_LIMITS.perIp, limit: deps.perIpLimit ?? SIGN_IN_RATE_LIMITS.perIp.limit }]] as Array<
          [string, { limit: number; windowSeconds: number }]
        >)
      : []),
  ];
  for (const [bucket, { limit, windowSeconds }] of limits) {
    const window = rateWindow(now, windowSeconds);
    if (!(await deps.repos.auth.hit(bucket, window.windowStart, window.expiresAt, limit))) {
      const minutes = Math.max(1, Math.ceil((window.expiresAt * 1000 - now) / 60_000));
      throw new RateLimitedError(`Đã có quá nhiều yêu cầu đăng nhập. Vui lòng thử lại sau khoảng ${minutes} phút.`, {
        retryAfterSeconds: minutes * 60,
      });
    }
  }
  const link = await createSignInLink(deps, email);
  if (link) {
    const clusters = await clustersOfGrants(deps.repos, link.grants);
    const rendered = renderSignInEmail({
      url: link.url,
      validUntilLabel: formatInstantVi(link.expiresAt),
      clusterNames: clusters.map((c) => (c.access === 'write' ? c.cluster.name : `${c.cluster.name} (chỉ xem)`)),
    });
    await deps.mailer.send({ to: [email], ...rendered, tags: { kind: 'sign-in', ...correlationTags(request.correlationId) } });
  }
  return { message: SIGN_IN_REQUESTED_MESSAGE };
}

export interface OpenedSession {
  /** The cookie value (shown to no one else, stored only as a hash). */
  sessionId: string;
  session: Session;
  /** The address's grants as read to open the session. */
  grants: AdminGrant[];
}

/** Spends a sign-in link and opens a session. Used, expired and unknown links are told apart for the person. */
export async function openSession(deps: AuthDeps, token: string, requestId?: string): Promise<OpenedSession> {
  const now = deps.clock.now();
  const outcome = await deps.repos.auth.consumeSignInToken(sha256Hex(token), nowSeconds(deps.clock), now.toISOString());
  if (!outcome.ok) {
    if (outcome.reason === 'used') {
      throw new SignInLinkSpentError('Liên kết đăng nhập này đã được dùng. Mỗi liên kết chỉ dùng được một lần: hãy xin liên kết mới.');
    }
    if (outcome.reason === 'expired') {
      throw new SignInLinkSpentError('Liên kết đăng nhập đã hết hạn (chỉ có hiệu lực 15 phút). Hãy xin liên kết mới.');
    }
    throw new NotFoundError('Liên kết đăng nhập không đúng. Hãy mở đúng liên kết trong email, hoặc xin liên kết mới.');
  }
  const email = outcome.token.email;
  const grants = await deps.repos.auth.grantsOf(email);
  if (grants.length === 0) throw new ForbiddenError('Địa chỉ email này không còn quyền quản trị cụm thi đua nào.');
  const random = deps.random ?? randomBytes;
  const sessionId = newSecret(random);
  const session: Session = {
    email,
    csrfToken: newSecret(random),
    createdAt: now.toISOString(),
    expiresAt: nowSeconds(deps.clock) + SESSION_TTL_SECONDS,
  };
  await deps.repos.auth.putSession(sha256Hex(sessionId), session);
  for (const grant of grants) {
    if (grant.scope !== 'cluster') continue;
    await deps.repos.audit.append({
      clusterId: grant.clusterId,
      actor: { type: 'admin', id: email },
      action: 'sign-in',
      summary: `${email} đăng nhập trang quản trị.`,
      ...(requestId ? { requestId } : {}),
    });
  }
  return { sessionId, session, grants };
}

export interface Credentials {
  /** API Gateway v2 `cookies`. */
  cookies?: readonly string[];
  /** The Authorization header. */
  authorization?: string;
}

/** The principal behind a request: an API key (Authorization: Bearer) or a session cookie; 401 without either. */
export async function authenticate(deps: AuthDeps, credentials: Credentials): Promise<Principal> {
  const bearer = credentials.authorization?.match(/^Bearer\s+(\S+)$/i)?.[1];
  if (bearer) {
    const info = looksLikeApiKey(bearer) ? await deps.repos.auth.getApiKeyByHash(sha256Hex(bearer)) : undefined;
    if (!info) throw new UnauthorizedError('Khóa API không đúng hoặc đã bị thu hồi.');
    return { kind: 'api-key', keyId: info.keyId, clusterId: info.clusterId, name: info.name };
  }
  const sessionId = sessionIdFromCookies(credentials.cookies);
  const sessionHash = sessionId && sha256Hex(sessionId);
  const session = sessionHash ? await deps.repos.auth.getSession(sessionHash, nowSeconds(deps.clock)) : undefined;
  if (!session || !sessionHash) {
    throw new UnauthorizedError(
      sessionId ? 'Phiên đăng nhập đã hết hạn. Vui lòng đăng nhập lại.' : 'Bạn cần đăng nhập để dùng trang quản trị.',
    );
  }
  return { kind: 'session', email: session.email, sessionHash, csrfToken: session.csrfToken, expiresAt: session.expiresAt };
}

const NO_ACCESS = 'Bạn không có quyền truy cập cụm thi đua này.';

/**
 * What the principal may do in `clusterId`: 'write' for the cluster's admins and its API keys, 'read' for viewers
 * of its province. Refuses (403) everything else, including clusters that do not exist (no probing).
 */
export async function clusterAccess(deps: AuthDeps, principal: Principal, clusterId: string): Promise<ClusterAccess> {
  if (principal.kind === 'api-key') {
    if (principal.clusterId === clusterId) return 'write';
    throw new ForbiddenError(NO_ACCESS);
  }
  const grants = await deps.repos.auth.grantsOf(principal.email);
  const direct = accessFromGrants(grants, clusterId, undefined);
  if (direct) return direct;
  if (grants.some((g) => g.scope === 'province')) {
    const cluster = await deps.repos.clusters.get(clusterId);
    const viaProvince = cluster && accessFromGrants(grants, clusterId, cluster.province.id);
    if (viaProvince) return viaProvince;
  }
  throw new ForbiddenError(NO_ACCESS);
}

/** Who is signed in, with the CSRF token the page sends back on every change and the clusters they reach. */
export async function describeSession(
  deps: AuthDeps,
  principal: Pick<Session, 'email' | 'csrfToken' | 'expiresAt'>,
  /** Already read by the caller (opening a session); read here otherwise. */
  grants?: readonly AdminGrant[],
) {
  const clusters = await clustersOfGrants(deps.repos, grants ?? (await deps.repos.auth.grantsOf(principal.email)));
  return {
    email: principal.email,
    csrfToken: principal.csrfToken,
    expiresAt: new Date(principal.expiresAt * 1000).toISOString(),
    clusters: clusters.map(({ cluster, access }) => ({ clusterId: cluster.clusterId, name: cluster.name, provinceName: cluster.province.name, access })),
    adminPath: ADMIN_PAGE_PATH,
  };
}

export async function signOut(deps: AuthDeps, principal: Extract<Principal, { kind: 'session' }>): Promise<void> {
  await deps.repos.auth.deleteSession(principal.sessionHash);
}

/** A new API key for scripts: the full key is returned once; only its hash is kept. */
export async function createApiKey(
  deps: AuthDeps,
  request: { clusterId: string; name: string; createdBy: string },
): Promise<{ key: string; info: ApiKeyInfo }> {
  const { keyId, key } = newApiKey(deps.random ?? randomBytes);
  const info: ApiKeyInfo = {
    clusterId: request.clusterId,
    keyId,
    name: request.name,
    createdAt: deps.clock.now().toISOString(),
    createdBy: request.createdBy,
  };
  await deps.repos.auth.putApiKey(sha256Hex(key), info);
  return { key, info };
}

export async function revokeApiKey(deps: AuthDeps, request: { clusterId: string; keyId: string; revokedBy: string }): Promise<ApiKeyInfo> {
  const info = await deps.repos.auth.revokeApiKey(request.clusterId, request.keyId, deps.clock.now().toISOString(), request.revokedBy);
  if (!info) throw new NotFoundError(`Không tìm thấy khóa API "${request.keyId}".`);
  return info;
}
