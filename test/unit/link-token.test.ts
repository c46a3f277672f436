import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defaultLinkExpiry, signLink, verifyLink, type LinkKey, type LinkPayload } from '../../shared/domain/link-token';

const key: LinkKey = { id: 1, secret: Buffer.from('a-test-secret-that-is-long-enough-0123456789') };
const payload: LinkPayload = { k: 1, c: 'thanh-hoa-cum-5', p: '2021-2022', u: 'don-vi-mau-a', e: 1_700_000_000, v: 1 };
const token = signLink(payload, key);

describe('signed link tokens', () => {
  it('verify with the key that signed them, and give the payload back', () => {
    expect(verifyLink(token, [key])).toEqual({ ok: true, payload });
    expect(signLink({ ...payload, m: 'bao-cao-so-ket-6-thang' }, key)).not.toBe(token);
  });

  it('are refused under another secret or an unknown key id', () => {
    expect(verifyLink(token, [{ id: 1, secret: Buffer.from('another-secret-another-secret-another') }]).ok).toBe(false);
    expect(verifyLink(token, [{ ...key, id: 2 }]).ok).toBe(false);
  });

  it('stay valid through a rotation: a new signing key first, the old one still verifying', () => {
    const next: LinkKey = { id: 2, secret: Buffer.from('the-next-secret-the-next-secret-0123') };
    expect(verifyLink(token, [next, key]).ok).toBe(true);
    expect(verifyLink(signLink(payload, next), [next, key]).ok).toBe(true);
  });

  it('refuse a payload changed under a kept signature (another unit, a later expiry, an older version)', () => {
    const [, signature] = token.split('.');
    for (const changed of [{ ...payload, u: 'don-vi-mau-b' }, { ...payload, e: payload.e + 1 }, { ...payload, v: 0 }]) {
      const segment = Buffer.from(JSON.stringify(changed)).toString('base64url');
      expect(verifyLink(`${segment}.${signature}`, [key]).ok).toBe(false);
    }
  });

  it('refuse every single-character mutation, truncation or extension (property)', () => {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ ';
    fc.assert(
      fc.property(fc.nat(token.length - 1), fc.constantFrom(...alphabet), (index, char) => {
        fc.pre(token[index] !== char);
        const mutated = token.slice(0, index) + char + token.slice(index + 1);
        return !verifyLink(mutated, [key]).ok;
      }),
      { numRuns: 2000 },
    );
    fc.assert(fc.property(fc.nat(token.length - 1), (cut) => !verifyLink(token.slice(0, cut), [key]).ok));
    fc.assert(fc.property(fc.string({ minLength: 1, maxLength: 8 }), (tail) => !verifyLink(token + tail, [key]).ok));
  });

  it('refuse arbitrary garbage without throwing', () => {
    fc.assert(fc.property(fc.string({ maxLength: 600 }), (text) => verifyLink(text, [key]).ok === false));
    expect(verifyLink('x'.repeat(5000), [key]).ok).toBe(false);
  });
});

describe('default expiry', () => {
  it('is the end of the school year (31/07) plus the grace period, at ICT midnight', () => {
    expect(defaultLinkExpiry({ schoolYear: { startYear: 2021, endYear: 2022 } }).toISOString()).toBe('2022-10-31T17:00:00.000Z');
  });
});
