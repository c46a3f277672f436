/**
 * Correlation ids at the HTTP edge: which id a request gets (a well-formed `x-correlation-id`, else the gateway's
 * request id, else Lambda's, else a new one), that every response and every log line of the request carries it, and
 * the SES tag made from it.
 */
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { CORRELATION_TAG, correlationTags, toCorrelationId } from '../../shared/domain/correlation';
import { NotFoundError } from '../../shared/domain/errors';
import { httpHandler } from '../../shared/http/handler';
import { CORRELATION_HEADER, correlationIdOf, jsonResponse } from '../../shared/http/middleware';
import { pageHandler } from '../../shared/http/page';
import { logger } from '../../shared/runtime/logger';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const GATEWAY_ID = 'JKJaXmPLvHcESHA='; // the shape of an HTTP API request id
const LAMBDA_ID = '3f7c2a1e-8b4d-4c6e-9f0a-1b2c3d4e5f60';

const event = (headers: Record<string, string> = {}, requestId?: string): APIGatewayProxyEventV2 =>
  ({ routeKey: 'GET /x', rawPath: '/x', headers, requestContext: requestId === undefined ? {} : { requestId } }) as unknown as APIGatewayProxyEventV2;
const context = { awsRequestId: LAMBDA_ID } as Context;

describe('correlationIdOf', () => {
  it('takes a well-formed x-correlation-id as it is', () => {
    for (const id of ['test-corr-123', 'abcdefgh', 'A_b-9'.repeat(13).slice(0, 64)]) {
      expect(correlationIdOf(event({ [CORRELATION_HEADER]: id }, GATEWAY_ID), context)).toBe(id);
    }
  });

  it('ignores a malformed one (length, characters, repeated header) and falls back to the gateway request id', () => {
    const malformed = ['short', 'x'.repeat(65), 'has space-123', 'semi;colon123', 'dots.are.out', 'ok-id-0001,ok-id-0002', 'ữ-vietnamese', ''];
    for (const bad of malformed) {
      expect(correlationIdOf(event({ [CORRELATION_HEADER]: bad }, GATEWAY_ID), context)).toBe('JKJaXmPLvHcESHA');
    }
  });

  it('refuses one taken from the request’s own credentials: link token, API key, cookie, CSRF token', () => {
    const secret = 'k9X2mQ7vR4tY8wZ1aB3cD5eF6gH0jL2n';
    const withSecret = (where: Partial<APIGatewayProxyEventV2>, headers: Record<string, string> = {}) =>
      ({ ...event({ [CORRELATION_HEADER]: secret.slice(4, 20), ...headers }, GATEWAY_ID), ...where }) as APIGatewayProxyEventV2;
    expect(correlationIdOf(withSecret({ pathParameters: { token: `payload.${secret}` } }), context)).toBe('JKJaXmPLvHcESHA');
    expect(correlationIdOf(withSecret({}, { authorization: `Bearer ctd_${secret}` }), context)).toBe('JKJaXmPLvHcESHA');
    expect(correlationIdOf(withSecret({}, { 'x-csrf-token': secret }), context)).toBe('JKJaXmPLvHcESHA');
    expect(correlationIdOf(withSecret({ cookies: [`__Host-ctd_admin=${secret}`] }), context)).toBe('JKJaXmPLvHcESHA');
    expect(correlationIdOf(withSecret({ pathParameters: { token: 'another.link-token' }, cookies: ['a=b'] }), context)).toBe(secret.slice(4, 20));
  });

  it('drops the characters a tag cannot hold from the gateway id, then falls back to Lambda’s id, then a new one', () => {
    expect(correlationIdOf(event({}, GATEWAY_ID), context)).toBe('JKJaXmPLvHcESHA');
    expect(correlationIdOf(event({}, 'ab='), context)).toBe(LAMBDA_ID);
    expect(correlationIdOf(event(), context)).toBe(LAMBDA_ID);
    const fresh = correlationIdOf(event(), { awsRequestId: 'req-1' });
    expect(fresh).toMatch(UUID);
    expect(correlationIdOf(event(), { awsRequestId: 'req-1' })).not.toBe(fresh);
  });
});

describe('toCorrelationId and correlationTags', () => {
  it('keep only [A-Za-z0-9_-] and 8 to 64 of them', () => {
    expect(toCorrelationId('a/b+c=d.e:f-g_h12')).toBe('abcdef-g_h12');
    expect(toCorrelationId('a=b=c=')).toBeUndefined();
    expect(toCorrelationId('y'.repeat(70))).toBeUndefined();
    expect(toCorrelationId(undefined)).toBeUndefined();
  });

  it('tag a mail only with a well-formed id (SES refuses the whole email for a bad tag value)', () => {
    expect(correlationTags('test-corr-123')).toEqual({ [CORRELATION_TAG]: 'test-corr-123' });
    expect(CORRELATION_TAG).toBe('correlation-id');
    expect(correlationTags('bad value!')).toEqual({});
    expect(correlationTags(undefined)).toEqual({});
  });
});

describe('requestLogging (through httpHandler and pageHandler)', () => {
  const lines: Array<Record<string, unknown>> = [];
  beforeAll(() => {
    logger.setLogLevel('INFO');
    const capture = (chunk: string | Uint8Array) => {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
      return true;
    };
    // Powertools writes errors to stderr, the rest to stdout.
    vi.spyOn(process.stdout, 'write').mockImplementation(capture);
    vi.spyOn(process.stderr, 'write').mockImplementation(capture);
  });
  afterAll(() => {
    vi.restoreAllMocks();
    logger.setLogLevel('SILENT');
  });
  beforeEach(() => {
    lines.length = 0;
  });

  it('returns the id in x-correlation-id, stamps every log line with it, and lets the logic read the same one', async () => {
    let seen: string | undefined;
    const handler = httpHandler(async (e) => {
      seen = correlationIdOf(e);
      logger.info('inside the route');
      return jsonResponse(200, { ok: true });
    });
    const response = await handler(event({ [CORRELATION_HEADER]: 'test-corr-123' }, GATEWAY_ID), context);
    expect(response.headers?.[CORRELATION_HEADER]).toBe('test-corr-123');
    expect(response.headers?.['cache-control']).toBe('no-store');
    expect(seen).toBe('test-corr-123');
    expect(lines).toEqual([expect.objectContaining({ message: 'inside the route', correlation_id: 'test-corr-123', routeKey: 'GET /x', requestId: LAMBDA_ID })]);
  });

  it('a new id is the same in the route, the logs and the header, even when made up on the spot', async () => {
    let seen: string | undefined;
    const handler = httpHandler(async (e) => {
      seen = correlationIdOf(e);
      logger.info('made up');
      return jsonResponse(200, {});
    });
    const response = await handler(event({ [CORRELATION_HEADER]: 'no' }), { awsRequestId: 'r' } as Context);
    expect(seen).toMatch(UUID);
    expect(response.headers?.[CORRELATION_HEADER]).toBe(seen);
    expect(lines[0]?.correlation_id).toBe(seen);
  });

  it('puts it on error responses too, and on the line that logs the refusal', async () => {
    const handler = httpHandler(async () => {
      throw new NotFoundError('Không tìm thấy.');
    });
    const response = await handler(event({}, GATEWAY_ID), context);
    expect(response.statusCode).toBe(404);
    expect(response.headers?.[CORRELATION_HEADER]).toBe('JKJaXmPLvHcESHA');
    expect(lines).toEqual([expect.objectContaining({ message: 'request refused', correlation_id: 'JKJaXmPLvHcESHA', code: 'NOT_FOUND' })]);
  });

  it('does not carry one request’s id into the next', async () => {
    const handler = httpHandler(async () => {
      logger.info('hello');
      return jsonResponse(200, {});
    });
    await handler(event({ [CORRELATION_HEADER]: 'first-request' }), context);
    await handler(event({}, 'second-gateway-id'), context);
    expect(lines.map((l) => l.correlation_id)).toEqual(['first-request', 'second-gateway-id']);
  });

  it('server-rendered pages answer with it as well, errors included', async () => {
    const ok = await pageHandler(async () => ({ body: '<p>ok</p>' }))(event({ [CORRELATION_HEADER]: 'page-corr-1' }), context);
    expect(ok.headers?.[CORRELATION_HEADER]).toBe('page-corr-1');
    const failed = await pageHandler(async () => {
      throw new Error('boom');
    })(event({ [CORRELATION_HEADER]: 'page-corr-2' }), context);
    expect(failed.statusCode).toBe(500);
    expect(failed.headers?.[CORRELATION_HEADER]).toBe('page-corr-2');
    expect(lines.at(-1)).toEqual(expect.objectContaining({ message: 'page failed', correlation_id: 'page-corr-2' }));
  });
});
