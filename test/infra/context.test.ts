/**
 * Context values the app reads (appOrigin, mailFrom, sesMaxSendRate): parsing, and buildApp refusing bad values
 * before anything is synthesized. No synth in this file. The stage configurations (`stages`) are in config.test.ts.
 */
import { Buffer } from 'node:buffer';
import { Stack } from 'aws-cdk-lib';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/build-app';
import { readCdkJsonContext } from '../../infra/config';
import { ConfigError, contextString, encodeDisplayName, parseAppOrigin, parseMailFrom, parseSesMaxSendRate } from '../../infra/context';
import { cdkJsonContext, newTestApp } from './support';

/** Decodes RFC 2047 "B" encoded words separated by spaces (enough for what encodeDisplayName writes). */
function decodeWords(text: string): string {
  return text
    .split(' ')
    .map((word) => {
      const match = /^=\?UTF-8\?B\?([A-Za-z0-9+/=]*)\?=$/.exec(word);
      if (!match) throw new Error(`not an encoded word: ${word}`);
      return Buffer.from(match[1]!, 'base64');
    })
    .reduce((all, part) => Buffer.concat([all, part]), Buffer.alloc(0))
    .toString('utf8');
}

/**
 * Runs buildApp on a fresh app with cdk.json's context plus `context`, without bundling any function (the CDK skips
 * bundling for stacks not listed in `aws:cdk:bundling-stacks`); returns what it threw.
 */
function buildError(context: Record<string, unknown>): Error | undefined {
  const { app, cleanup } = newTestApp({ 'aws:cdk:bundling-stacks': [], ...context });
  try {
    buildApp(app, { nag: false });
    return undefined;
  } catch (error) {
    return error as Error;
  } finally {
    cleanup();
  }
}

describe('appOrigin', () => {
  it.each(['https://thi-dua.example.org', 'https://abc123.execute-api.ap-southeast-1.amazonaws.com', 'https://localhost:8443'])(
    'accepts %s',
    (origin) => {
      expect(parseAppOrigin(origin)).toBe(origin);
    },
  );

  it.each([
    ['plain http', 'http://thi-dua.example.org'],
    ['a trailing slash', 'https://thi-dua.example.org/'],
    ['a path', 'https://thi-dua.example.org/app'],
    ['a query', 'https://thi-dua.example.org?x=1'],
    ['an uppercase host', 'https://Thi-Dua.example.org'],
    ['the default port written out', 'https://thi-dua.example.org:443'],
    ['no scheme', 'thi-dua.example.org'],
    ['a wildcard', 'https://*.example.org'],
  ])('refuses an origin with %s', (_what, origin) => {
    expect(() => parseAppOrigin(origin)).toThrow(/Invalid appOrigin/);
  });

  it('fails synth with a clear message on a bad context value', () => {
    const error = buildError({ appOrigin: 'https://thi-dua.example.org/member' });
    expect(error?.message).toMatch(/Invalid appOrigin "https:\/\/thi-dua\.example\.org\/member": expected an https origin/);
  });

  it('fails synth when appOrigin is missing', () => {
    expect(buildError({ appOrigin: '' })?.message).toMatch(/Context appOrigin is required/);
  });

  it('builds with the cdk.json default (the passing case of the two above)', () => {
    expect(buildError({})).toBeUndefined();
  });
});

describe('mailFrom', () => {
  it('parses a named sender with a Vietnamese name', () => {
    const sender = parseMailFrom('Cụm Thi đua số 5 <No-Reply@Thi-Dua.Example.org>');
    expect(sender).toMatchObject({
      displayName: 'Cụm Thi đua số 5',
      address: 'No-Reply@Thi-Dua.Example.org',
      domain: 'thi-dua.example.org',
    });
    expect(sender.sesSource).toMatch(/^=\?UTF-8\?B\?.*\?= <No-Reply@Thi-Dua\.Example\.org>$/);
    expect(decodeWords(sender.sesSource.replace(/ <.*>$/, ''))).toBe('Cụm Thi đua số 5');
  });

  it('parses a bare address and keeps a plain ASCII name as it is', () => {
    expect(parseMailFrom('no-reply@example.org')).toEqual({
      raw: 'no-reply@example.org',
      address: 'no-reply@example.org',
      domain: 'example.org',
      sesSource: 'no-reply@example.org',
    });
    expect(parseMailFrom('Cum Thi dua <no-reply@example.org>').sesSource).toBe('Cum Thi dua <no-reply@example.org>');
  });

  it.each([
    ['no @', 'no-reply.example.org'],
    ['a domain without a dot', 'Name <no-reply@localhost>'],
    ['an unclosed bracket', 'Name <no-reply@example.org'],
    ['empty brackets', 'Name <>'],
    ['brackets without a name', '<no-reply@example.org>'],
    ['two addresses', 'a@example.org, b@example.org'],
    ['a non-ASCII local part', 'tên@example.org'],
    ['a name in quotes', '"Name" <no-reply@example.org>'],
  ])('refuses a sender with %s', (_what, value) => {
    expect(() => parseMailFrom(value)).toThrow(/Invalid mailFrom/);
  });

  it('fails synth with a clear message on a bad context value', () => {
    expect(buildError({ mailFrom: 'Cụm Thi đua <no-reply>' })?.message).toMatch(
      /Invalid mailFrom "Cụm Thi đua <no-reply>": expected "Display Name <sender@example\.org>"/,
    );
  });

  it('fails synth when mailFrom is missing, since the recorder sends email', () => {
    expect(buildError({ mailFrom: '' })?.message).toMatch(/Context mailFrom is required/);
  });

  it('has a test sender (the per-key value the infra tests build with) that parses, on a reserved example domain', () => {
    const value = cdkJsonContext().mailFrom as string;
    expect(parseMailFrom(value).domain).toBe('example.org');
  });
});

describe('sesMaxSendRate', () => {
  /**
   * MAX_SEND_RATE of the reminder function and of the reminder sender, built with cdk.json's context plus `context`
   * (resolved, no synth). Both must be the same: the sender's copies share the rate the reminder function paces at.
   */
  function maxSendRate(context: Record<string, unknown>): unknown {
    const { app, cleanup } = newTestApp({ 'aws:cdk:bundling-stacks': [], ...context });
    try {
      const { stateless } = buildApp(app, { nag: false });
      const rates = [stateless.reminderFunction, stateless.reminderSenderFunction].map((fn) => {
        expect(fn).toBeDefined();
        const cfn = fn!.node.defaultChild as CfnFunction;
        return (Stack.of(fn!).resolve(cfn.environment) as { variables: Record<string, unknown> }).variables.MAX_SEND_RATE;
      });
      expect(rates[1]).toBe(rates[0]);
      return rates[0];
    } finally {
      cleanup();
    }
  }

  it.each([
    [1, 1],
    [14, 14],
    [1000, 1000],
    ['14', 14],
    ['2.5', 2.5],
  ])('accepts %j as %s emails per second', (value, expected) => {
    expect(parseSesMaxSendRate(value)).toBe(expected);
  });

  it.each([[undefined], [null], ['']])('defaults %j to 10', (value) => {
    expect(parseSesMaxSendRate(value)).toBe(10);
  });

  it.each([[0], [0.5], [1001], [-3], ['abc'], ['14/s'], [' 14'], [true], [Number.NaN], [Number.POSITIVE_INFINITY], [[14]]])(
    'refuses %j',
    (value) => {
      expect(() => parseSesMaxSendRate(value)).toThrow(/Invalid sesMaxSendRate .*: expected .* from 1 to 1000/);
    },
  );

  it('gives the reminder function and the reminder sender MAX_SEND_RATE from context, as --context passes it (a string)', () => {
    expect(maxSendRate({ sesMaxSendRate: '14' })).toBe('14');
  });

  it('gives the reminder function and the reminder sender MAX_SEND_RATE 10 without the context key', () => {
    expect(cdkJsonContext().sesMaxSendRate).toBeUndefined();
    expect(maxSendRate({})).toBe('10');
  });

  it('fails synth with a clear message on a bad context value', () => {
    expect(buildError({ sesMaxSendRate: '5000' })?.message).toMatch(/Invalid sesMaxSendRate "5000": expected/);
  });
});

describe('encodeDisplayName', () => {
  it('splits a long Vietnamese name into encoded words of at most 75 characters that decode to the name', () => {
    const name = 'Cụm Thi đua các Công đoàn ngành Trung ương số 5 – Khối Kinh tế Tổng hợp';
    const encoded = encodeDisplayName(name);
    const words = encoded.split(' ');
    expect(words.length).toBeGreaterThan(1);
    for (const word of words) expect(word.length).toBeLessThanOrEqual(75);
    expect(decodeWords(encoded)).toBe(name);
  });

  it('encodes an ASCII name that has characters with a meaning in an address header', () => {
    expect(encodeDisplayName('Cum 5, Ha Noi')).toMatch(/^=\?UTF-8\?B\?/);
    expect(decodeWords(encodeDisplayName('Cum 5, Ha Noi'))).toBe('Cum 5, Ha Noi');
  });
});

describe('errors', () => {
  it.each([
    ['appOrigin', () => parseAppOrigin('http://x.example.org')],
    ['mailFrom', () => parseMailFrom('x')],
    ['sesMaxSendRate', () => parseSesMaxSendRate(0)],
    ['a context value that is not a string', () => contextString({ tryGetContext: () => 3 }, 'appOrigin')],
  ])('%s: a ConfigError (what infra/app.ts prints without a stack trace)', (_what, parse) => {
    expect(parse).toThrow(ConfigError);
  });

  it('buildApp throws ConfigErrors for the values it checks itself', () => {
    expect(buildError({ appOrigin: '' })).toBeInstanceOf(ConfigError);
    expect(buildError({ stage: 'Prod/1' })).toBeInstanceOf(ConfigError);
  });
});

describe('per-key context with stages', () => {
  const stages = readCdkJsonContext().stages;

  it('an empty per-key value falls back to the stage (no "required" error)', () => {
    expect(buildError({ stages, appOrigin: '', mailFrom: '', sesMaxSendRate: '' })).toBeUndefined();
  });

  it('a bad per-key value is refused even though the stage has a good one', () => {
    expect(buildError({ stages, sesMaxSendRate: '0' })?.message).toMatch(/^Invalid sesMaxSendRate "0": expected/);
    expect(buildError({ stages, mailFrom: 'nobody' })?.message).toMatch(/^Invalid mailFrom "nobody"/);
  });
});
