/**
 * Properties of the admin domain's small pure pieces: finding the session cookie, constant-time comparison, rate
 * windows, access from grants, API key shape, and the audit filter.
 */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ApiKeyInfoSchema,
  SESSION_COOKIE,
  accessFromGrants,
  looksLikeApiKey,
  newApiKey,
  newSecret,
  rateWindow,
  safeEqual,
  sessionIdFromCookies,
  type AdminGrant,
} from '../../shared/domain/admin';
import { ACTOR_TYPES, matchesAuditFilter, type AuditEntry, type AuditFilter } from '../../shared/domain/audit';

const URL_SAFE = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-';
/** A well-formed session id: 43 URL-safe characters (256 bits in base64url). */
const sessionId = fc.string({ unit: fc.constantFrom(...URL_SAFE), minLength: 43, maxLength: 43 });
const cookieName = fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-'), minLength: 1, maxLength: 20 }).filter((n) => n !== SESSION_COOKIE);
const cookieValue = fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789=%._-~'), maxLength: 60 });
const otherCookies = fc.array(fc.tuple(cookieName, cookieValue).map(([n, v]) => `${n}=${v}`), { maxLength: 8 });

/** Random bytes from a seeded stream, so newApiKey is exercised on arbitrary inputs reproducibly. */
const randomFrom = (seed: number) => {
  let counter = 0;
  return (bytes: number): Buffer => {
    const out = Buffer.alloc(bytes);
    for (let filled = 0; filled < bytes; filled += 32) {
      createHash('sha256').update(`${seed}:${counter++}`).digest().copy(out, filled);
    }
    return out;
  };
};

describe('sessionIdFromCookies', () => {
  it('finds the session id among any other cookies, wherever it is, with spaces around', () => {
    fc.assert(
      fc.property(otherCookies, otherCookies, sessionId, fc.constantFrom('', ' '), (before, after, id, pad) => {
        expect(sessionIdFromCookies([...before, `${pad}${SESSION_COOKIE}=${id}${pad}`, ...after])).toBe(id);
      }),
    );
  });

  it('gives nothing without the cookie, or for a cookie of a similar name', () => {
    fc.assert(fc.property(otherCookies, (cookies) => sessionIdFromCookies(cookies) === undefined));
    expect(sessionIdFromCookies(undefined)).toBeUndefined();
    const id = newSecret(randomFrom(1));
    expect(sessionIdFromCookies([`ctd_admin=${id}`, `__Host-ctd_admin2=${id}`, `x__Host-ctd_admin=${id}`])).toBeUndefined();
  });

  it('rejects malformed values: wrong length, characters outside base64url, empty', () => {
    const badLength = fc.string({ unit: fc.constantFrom(...URL_SAFE), maxLength: 80 }).filter((v) => v.length !== 43);
    const badChar = fc
      .tuple(sessionId, fc.nat(42), fc.constantFrom(...'=+/.%;,"<>\\ é'))
      .map(([id, i, c]) => id.slice(0, i) + c + id.slice(i + 1));
    fc.assert(
      fc.property(fc.oneof(badLength, badChar), otherCookies, (value, others) => {
        expect(sessionIdFromCookies([...others, `${SESSION_COOKIE}=${value}`])).toBeUndefined();
      }),
    );
  });

  it('reads a real session id (newSecret)', () => {
    fc.assert(fc.property(fc.integer(), (seed) => {
      const id = newSecret(randomFrom(seed));
      return sessionIdFromCookies([`${SESSION_COOKIE}=${id}`]) === id;
    }));
  });
});

describe('safeEqual', () => {
  it('agrees with === on any strings, including non-ASCII and different lengths', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme' }), fc.string({ unit: 'grapheme' }), (a, b) => safeEqual(a, b) === (a === b) && safeEqual(a, b) === safeEqual(b, a)));
    fc.assert(fc.property(fc.string({ unit: 'grapheme' }), (a) => safeEqual(a, a)));
  });

  it('a token differing in one character, or a prefix of it, is not equal', () => {
    fc.assert(
      fc.property(sessionId, fc.nat(42), fc.constantFrom(...URL_SAFE), (token, i, c) => {
        const changed = token.slice(0, i) + c + token.slice(i + 1);
        expect(safeEqual(token, changed)).toBe(changed === token);
        expect(safeEqual(token, token.slice(0, i))).toBe(false);
      }),
    );
  });

  it('tells apart strings with the same UTF-16 length but different bytes', () => {
    expect(safeEqual('Hòa', 'Hoa')).toBe(false);
    expect(safeEqual('Hòa'.normalize('NFC'), 'Hòa'.normalize('NFD'))).toBe(false);
  });
});

describe('rateWindow', () => {
  it('is the aligned window of the given length that contains now', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4_102_444_800_000 }), fc.integer({ min: 1, max: 86_400 }), (nowMs, windowSeconds) => {
        const { windowStart, expiresAt } = rateWindow(nowMs, windowSeconds);
        const nowSeconds = nowMs / 1000;
        expect(windowStart % windowSeconds).toBe(0);
        expect(expiresAt - windowStart).toBe(windowSeconds);
        expect(windowStart).toBeLessThanOrEqual(nowSeconds);
        expect(nowSeconds).toBeLessThan(expiresAt);
        expect(Number.isInteger(windowStart)).toBe(true);
      }),
    );
  });

  it('two instants share a window exactly when they are in the same aligned period', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4_102_444_800_000 }), fc.integer({ min: 0, max: 3_600_000 }), (a, delta) => {
        const w = 15 * 60;
        const same = rateWindow(a, w).windowStart === rateWindow(a + delta, w).windowStart;
        return same === (Math.floor(a / 1000 / w) === Math.floor((a + delta) / 1000 / w));
      }),
    );
  });

  it('a 15-minute window at 09:07:30 runs from 09:00 to 09:15', () => {
    const now = Date.parse('2021-11-25T02:07:30Z');
    expect(rateWindow(now, 900)).toEqual({ windowStart: Date.parse('2021-11-25T02:00:00Z') / 1000, expiresAt: Date.parse('2021-11-25T02:15:00Z') / 1000 });
  });
});

describe('accessFromGrants', () => {
  const ids = fc.constantFrom('cum-1', 'cum-2', 'cum-3');
  const provinces = fc.constantFrom('tinh-a', 'tinh-b');
  const grant: fc.Arbitrary<AdminGrant> = fc.oneof(
    fc.record({ scope: fc.constant('cluster' as const), email: fc.constant('a@example.com'), clusterId: ids, unitId: fc.constant('don-vi') }),
    fc.record({ scope: fc.constant('province' as const), email: fc.constant('a@example.com'), provinceId: provinces }),
  );

  it('write for a cluster grant, else read for the province, else nothing', () => {
    fc.assert(
      fc.property(fc.array(grant, { maxLength: 6 }), ids, fc.option(provinces, { nil: undefined }), (grants, clusterId, provinceId) => {
        const admin = grants.some((g) => g.scope === 'cluster' && g.clusterId === clusterId);
        const viewer = provinceId !== undefined && grants.some((g) => g.scope === 'province' && g.provinceId === provinceId);
        expect(accessFromGrants(grants, clusterId, provinceId)).toBe(admin ? 'write' : viewer ? 'read' : undefined);
      }),
    );
  });

  it('more grants never mean less access, and order does not matter', () => {
    const rank = { write: 2, read: 1 } as const;
    fc.assert(
      fc.property(fc.array(grant, { maxLength: 5 }), fc.array(grant, { maxLength: 5 }), ids, provinces, (some, more, clusterId, provinceId) => {
        const before = accessFromGrants(some, clusterId, provinceId);
        const after = accessFromGrants([...more, ...some], clusterId, provinceId);
        expect(after ? rank[after] : 0).toBeGreaterThanOrEqual(before ? rank[before] : 0);
        expect(accessFromGrants([...some].reverse(), clusterId, provinceId)).toBe(before);
      }),
    );
  });

  it('a province grant gives nothing when the province is unknown (the router looks it up only for viewers)', () => {
    expect(accessFromGrants([{ scope: 'province', email: 'a@example.com', provinceId: 'tinh-a' }], 'cum-1', undefined)).toBeUndefined();
  });
});

describe('newApiKey and looksLikeApiKey', () => {
  it('every new key has the API key shape, carries its key id, and the key id is a valid listing id', () => {
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        const { keyId, key } = newApiKey(randomFrom(seed));
        expect(looksLikeApiKey(key)).toBe(true);
        expect(key.startsWith(`ctd_${keyId}_`)).toBe(true);
        expect(key).toHaveLength(4 + 10 + 1 + 43);
        expect(ApiKeyInfoSchema.shape.keyId.safeParse(keyId).success).toBe(true);
      }),
    );
  });

  it('different random bytes give different keys', () => {
    const keys = new Set(Array.from({ length: 200 }, (_, i) => newApiKey(randomFrom(i)).key));
    expect(keys.size).toBe(200);
  });

  it('refuses anything that is not exactly ctd_<10 lowercase/digits>_<43 base64url>', () => {
    const { key } = newApiKey(randomFrom(7));
    fc.assert(
      fc.property(fc.nat(key.length - 1), fc.constantFrom(...'ABC=+/ .é'), (i, c) => {
        const changed = key.slice(0, i) + c + key.slice(i + 1);
        // Upper case is valid in the secret part only.
        const expected = i >= 15 && /[A-C]/.test(c);
        expect(looksLikeApiKey(changed)).toBe(expected);
      }),
    );
    fc.assert(fc.property(fc.nat(key.length - 1), (cut) => !looksLikeApiKey(key.slice(0, cut))));
    expect(looksLikeApiKey(`${key}x`)).toBe(false);
    expect(looksLikeApiKey(` ${key}`)).toBe(false);
  });
});

describe('matchesAuditFilter', () => {
  const entry: fc.Arbitrary<AuditEntry> = fc.record({
    clusterId: fc.constant('cum-1'),
    at: fc.constant('2021-11-25T02:00:00.000Z'),
    entryId: fc.constant('abcdef012345'),
    actor: fc.record({ type: fc.constantFrom(...ACTOR_TYPES), id: fc.constantFrom('Cum.Truong@Example.com', 'k1a2b3c4d5', 'don-vi-mau-a', 'scheduler') }),
    action: fc.constantFrom('unit.update', 'unit.create', 'milestone.save', 'upload.recorded', 'sign-in', 'api-key.create'),
    summary: fc.constant('Một thao tác.'),
  });
  const filter: fc.Arbitrary<AuditFilter> = fc.record(
    {
      action: fc.constantFrom('unit', 'unit.update', 'milestone', 'sign', 'api-key', 'x'),
      actorType: fc.constantFrom(...ACTOR_TYPES),
      actor: fc.constantFrom('cum.truong', 'EXAMPLE', 'k1a2', 'mau', 'nobody'),
    },
    { requiredKeys: [] },
  );

  it('an empty filter lets everything through', () => {
    fc.assert(fc.property(entry, (e) => matchesAuditFilter(e, {})));
  });

  it('is the conjunction of action prefix, actor type and case-insensitive actor substring', () => {
    fc.assert(
      fc.property(entry, filter, (e, f) => {
        const expected =
          (f.action === undefined || e.action.startsWith(f.action)) &&
          (f.actorType === undefined || e.actor.type === f.actorType) &&
          (f.actor === undefined || e.actor.id.toLowerCase().includes(f.actor.toLowerCase()));
        expect(matchesAuditFilter(e, f)).toBe(expected);
      }),
    );
  });

  it('narrowing a filter never lets more through', () => {
    fc.assert(
      fc.property(entry, filter, filter, (e, f, g) => {
        // f's conditions plus those of g that f does not have.
        if (matchesAuditFilter(e, { ...g, ...f })) expect(matchesAuditFilter(e, f)).toBe(true);
      }),
    );
  });

  it('examples', () => {
    const e: AuditEntry = {
      clusterId: 'cum-1',
      at: '2021-11-25T02:00:00.000Z',
      entryId: 'abcdef012345',
      actor: { type: 'admin', id: 'congdoan.dvtdt@gmail.com' },
      action: 'milestone.save',
      summary: 'Lưu mốc.',
    };
    expect(matchesAuditFilter(e, { action: 'milestone' })).toBe(true);
    expect(matchesAuditFilter(e, { action: 'milestone.delete' })).toBe(false);
    expect(matchesAuditFilter(e, { actor: 'DVTDT' })).toBe(true);
    expect(matchesAuditFilter(e, { actorType: 'api-key' })).toBe(false);
  });
});
