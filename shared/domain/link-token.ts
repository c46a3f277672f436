/**
 * Signed links (capability URLs): a unit's own link to its plan, optionally narrowed to one milestone.
 *
 * Token = base64url(JSON payload) "." base64url(HMAC-SHA256(secret, payload segment)). The payload is readable by
 * whoever holds the link, which is fine: it names the unit and plan the holder may already see; what matters is
 * that it cannot be forged or altered. Revocation bumps the unit's `linkVersion`, so older links stop working.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import * as z from 'zod';
import { ClusterIdSchema, MilestoneIdSchema, PlanIdSchema, UnitIdSchema, type Plan } from './model';
import { addDays, startOfIctDay } from './time';

export const LinkPayloadSchema = z.strictObject({
  /** Key id, so the secret can be rotated without breaking the format. */
  k: z.number().int().min(1),
  c: ClusterIdSchema,
  p: PlanIdSchema,
  u: UnitIdSchema,
  /** Scope: one milestone only; absent = every milestone of the plan. */
  m: MilestoneIdSchema.optional(),
  /** Expiry, epoch seconds. */
  e: z.number().int().positive(),
  /** The unit's link version when issued. */
  v: z.number().int().min(1),
});
export type LinkPayload = z.infer<typeof LinkPayloadSchema>;

/** A signing key: its id and secret bytes. */
export interface LinkKey {
  id: number;
  secret: Buffer;
}

const MAX_TOKEN_LENGTH = 512;

function mac(secret: Buffer, payloadSegment: string): Buffer {
  return createHmac('sha256', secret).update(payloadSegment, 'utf8').digest();
}

export function signLink(payload: LinkPayload, key: LinkKey): string {
  const segment = Buffer.from(JSON.stringify(LinkPayloadSchema.parse({ ...payload, k: key.id })), 'utf8').toString('base64url');
  return `${segment}.${mac(key.secret, segment).toString('base64url')}`;
}

/**
 * Checks a token's form and signature (not expiry or version, which need the clock and the unit). Any failure is
 * reported as `invalid` without saying which part failed.
 */
export function verifyLink(token: string, keys: readonly LinkKey[]): { ok: true; payload: LinkPayload } | { ok: false } {
  if (token.length > MAX_TOKEN_LENGTH) return { ok: false };
  const parts = token.split('.');
  if (parts.length !== 2) return { ok: false };
  const [segment, signature] = parts as [string, string];
  if (!/^[A-Za-z0-9_-]+$/.test(segment) || !/^[A-Za-z0-9_-]{43}$/.test(signature)) return { ok: false };
  let parsed: LinkPayload;
  try {
    const result = LinkPayloadSchema.safeParse(JSON.parse(Buffer.from(segment, 'base64url').toString('utf8')));
    if (!result.success) return { ok: false };
    parsed = result.data;
  } catch {
    return { ok: false };
  }
  const key = keys.find((k) => k.id === parsed.k);
  if (!key) return { ok: false };
  const given = Buffer.from(signature, 'base64url');
  const expected = mac(key.secret, segment);
  // Re-encoding must give the same text, or two spellings of one signature would both be accepted.
  if (given.length !== expected.length || given.toString('base64url') !== signature) return { ok: false };
  return timingSafeEqual(given, expected) ? { ok: true, payload: parsed } : { ok: false };
}

/** How long after the school year a link keeps working, for late year-end paperwork. */
export const LINK_GRACE_DAYS = 92;

/**
 * Default expiry: the end of the school year (31 July of its second year, ICT) plus a grace period, so one link
 * serves the whole year and the award paperwork after it.
 */
export function defaultLinkExpiry(plan: Pick<Plan, 'schoolYear'>): Date {
  return startOfIctDay(addDays(`${plan.schoolYear.endYear}-08-01`, LINK_GRACE_DAYS));
}
