/**
 * Storage of the admin's credentials and grants. Every secret arrives here already hashed (SHA-256 hex): the store
 * never sees a usable link, session id or API key.
 */
import type { AdminGrant, ApiKeyInfo, Session, SignInToken } from '../domain/admin';

export type ConsumeOutcome =
  | { ok: true; token: SignInToken }
  | { ok: false; reason: 'unknown' | 'used' | 'expired' };

export interface AdminAuthStore {
  /** Every grant of an address (a handful at most): one Query. */
  grantsOf(email: string): Promise<AdminGrant[]>;
  /** Replaces the cluster grants that come from one unit's addresses (called whenever the unit is written). */
  syncUnitGrants(clusterId: string, unitId: string, emails: readonly string[]): Promise<void>;
  putProvinceGrant(grant: Extract<AdminGrant, { scope: 'province' }>): Promise<void>;

  putSignInToken(tokenHash: string, token: SignInToken): Promise<void>;
  /** Marks the token used if it is unused and unexpired at `nowSeconds`, in one conditional write. */
  consumeSignInToken(tokenHash: string, nowSeconds: number, usedAt: string): Promise<ConsumeOutcome>;

  putSession(sessionHash: string, session: Session): Promise<void>;
  /** The session, if it exists and has not expired at `nowSeconds`. */
  getSession(sessionHash: string, nowSeconds: number): Promise<Session | undefined>;
  deleteSession(sessionHash: string): Promise<void>;

  /** Stores a new key's hash and its listing entry together. */
  putApiKey(keyHash: string, info: ApiKeyInfo): Promise<void>;
  getApiKeyByHash(keyHash: string): Promise<ApiKeyInfo | undefined>;
  listApiKeys(clusterId: string): Promise<ApiKeyInfo[]>;
  /** Deletes the key's hash (it stops working at once) and marks the listing entry revoked. */
  revokeApiKey(clusterId: string, keyId: string, revokedAt: string, revokedBy: string): Promise<ApiKeyInfo | undefined>;

  /**
   * Counts one hit in the fixed window `bucket`; false (and nothing counted) when `limit` hits are already there.
   */
  hit(bucket: string, windowStart: number, expiresAt: number, limit: number): Promise<boolean>;
}
