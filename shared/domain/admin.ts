/**
 * Who may run a cluster from the admin page, and the secrets that prove it: one-time sign-in links, sessions, CSRF
 * tokens and per-cluster API keys. Pure: random bytes come in as an argument, storage and email are ports.
 *
 * - A cluster admin is an address registered on the cluster's Cụm trưởng or Cụm phó unit; they can do everything in
 *   that cluster. A provincial-union admin sees every cluster of the province, read-only.
 * - Secrets are stored only as SHA-256 hashes: a leaked table gives no working link, session or key.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import * as z from 'zod';
import { ClusterIdSchema, EmailSchema, SlugSchema, TextSchema, UnitIdSchema } from './model';

/** A sign-in link works once, for 15 minutes. */
export const SIGN_IN_TTL_SECONDS = 15 * 60;
/** A session lasts 12 hours from sign-in (no sliding renewal: a stolen cookie dies the same day). */
export const SESSION_TTL_SECONDS = 12 * 60 * 60;
/** The session cookie. `__Host-`: Secure, Path=/, no Domain, so no sibling subdomain can set or read it. */
export const SESSION_COOKIE = '__Host-ctd_admin';
/** The header that carries the session's CSRF token on every state change. */
export const CSRF_HEADER = 'x-csrf-token';
/** Path of the page that opens a sign-in link (the token travels in the fragment, never to a server log). */
export const SIGN_IN_PAGE_PATH = '/admin/dang-nhap';
export const ADMIN_PAGE_PATH = '/admin';

/** Sign-in requests allowed per address and per client address, per window. */
export const SIGN_IN_RATE_LIMITS = {
  perEmail: { limit: 5, windowSeconds: 15 * 60 },
  perIp: { limit: 30, windowSeconds: 60 * 60 },
} as const;

export const sha256Hex = (value: string): string => createHash('sha256').update(value, 'utf8').digest('hex');

/** Constant-time string comparison (different lengths are simply unequal). */
export function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}

/** A 256-bit secret, URL-safe. */
export const newSecret = (random: (bytes: number) => Buffer): string => random(32).toString('base64url');

export const SecretTokenSchema = z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'Mã không hợp lệ');

/** What an address may do: admin of a cluster, or read-only viewer of a province's clusters. */
export const AdminGrantSchema = z.discriminatedUnion('scope', [
  z.object({
    scope: z.literal('cluster'),
    email: EmailSchema,
    clusterId: ClusterIdSchema,
    /** The unit whose registered address this is (Cụm trưởng or Cụm phó). */
    unitId: UnitIdSchema,
  }),
  z.object({ scope: z.literal('province'), email: EmailSchema, provinceId: SlugSchema }),
]);
export type AdminGrant = z.infer<typeof AdminGrantSchema>;

/** The access level a principal has on one cluster. */
export type ClusterAccess = 'write' | 'read';

/**
 * The access `grants` give on a cluster of `provinceId`: write for its admins, read for its province's viewers,
 * nothing otherwise.
 */
export function accessFromGrants(grants: readonly AdminGrant[], clusterId: string, provinceId: string | undefined): ClusterAccess | undefined {
  if (grants.some((g) => g.scope === 'cluster' && g.clusterId === clusterId)) return 'write';
  if (provinceId && grants.some((g) => g.scope === 'province' && g.provinceId === provinceId)) return 'read';
  return undefined;
}

export const SignInTokenSchema = z.object({
  email: EmailSchema,
  createdAt: z.iso.datetime({ offset: true }),
  /** Epoch seconds. */
  expiresAt: z.number().int(),
  usedAt: z.iso.datetime({ offset: true }).optional(),
});
export type SignInToken = z.infer<typeof SignInTokenSchema>;

export const SessionSchema = z.object({
  email: EmailSchema,
  csrfToken: z.string().min(20),
  createdAt: z.iso.datetime({ offset: true }),
  /** Epoch seconds. */
  expiresAt: z.number().int(),
});
export type Session = z.infer<typeof SessionSchema>;

/** An API key's public part, shown in lists; the secret is shown once at creation and stored as a hash. */
export const ApiKeyInfoSchema = z.object({
  clusterId: ClusterIdSchema,
  keyId: z.string().regex(/^[a-z0-9]{10}$/),
  name: TextSchema.pipe(z.string().max(80, 'Tên khóa tối đa 80 ký tự')),
  createdAt: z.iso.datetime({ offset: true }),
  createdBy: z.string(),
  revokedAt: z.iso.datetime({ offset: true }).optional(),
  revokedBy: z.string().optional(),
});
export type ApiKeyInfo = z.infer<typeof ApiKeyInfoSchema>;

const API_KEY_PATTERN = /^ctd_([a-z0-9]{10})_([A-Za-z0-9_-]{43})$/;

/** A new key `ctd_<keyId>_<secret>`: the key id is public (lists, audit), the whole string is the secret. */
export function newApiKey(random: (bytes: number) => Buffer): { keyId: string; key: string } {
  const keyId = [...random(10)].map((b) => 'abcdefghijklmnopqrstuvwxyz0123456789'[b % 36]).join('');
  return { keyId, key: `ctd_${keyId}_${newSecret(random)}` };
}

/** Whether a presented bearer credential has the shape of an API key (cheap check before any lookup). */
export const looksLikeApiKey = (value: string): boolean => API_KEY_PATTERN.test(value);

/** The principal behind a request: a signed-in person, or a script holding a cluster's API key. */
export type Principal =
  | { kind: 'session'; email: string; sessionHash: string; csrfToken: string; expiresAt: number }
  | { kind: 'api-key'; keyId: string; clusterId: string; name: string };

/** How the audit log names a principal. */
export function actorOf(principal: Principal): { type: 'admin' | 'api-key'; id: string } {
  return principal.kind === 'session' ? { type: 'admin', id: principal.email } : { type: 'api-key', id: principal.keyId };
}

/** `Set-Cookie` value opening a session. */
export function sessionCookie(sessionId: string, maxAgeSeconds: number = SESSION_TTL_SECONDS): string {
  return `${SESSION_COOKIE}=${sessionId}; Path=/; Max-Age=${maxAgeSeconds}; HttpOnly; Secure; SameSite=Strict`;
}

/** `Set-Cookie` value that deletes the session cookie. */
export const clearedSessionCookie = (): string => `${SESSION_COOKIE}=; Path=/; Max-Age=0; HttpOnly; Secure; SameSite=Strict`;

/** The session id from a request's cookies (API Gateway v2 gives them as `name=value` strings). */
export function sessionIdFromCookies(cookies: readonly string[] | undefined): string | undefined {
  for (const cookie of cookies ?? []) {
    const eq = cookie.indexOf('=');
    if (eq > 0 && cookie.slice(0, eq).trim() === SESSION_COOKIE) {
      const value = cookie.slice(eq + 1).trim();
      return SecretTokenSchema.safeParse(value).success ? value : undefined;
    }
  }
  return undefined;
}

/** Fixed-window bucket a rate-limited request counts in: `[windowStart, expiresAt]` in epoch seconds. */
export function rateWindow(nowMs: number, windowSeconds: number): { windowStart: number; expiresAt: number } {
  const now = Math.floor(nowMs / 1000);
  const windowStart = now - (now % windowSeconds);
  return { windowStart, expiresAt: windowStart + windowSeconds };
}
