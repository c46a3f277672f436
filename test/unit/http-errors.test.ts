import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConflictError, NotFoundError, UnauthorizedError } from '../../shared/domain/errors';
import { PlanIdSchema } from '../../shared/domain/model';
import { httpHandler } from '../../shared/http/handler';
import { mapError } from '../../shared/http/errors';

const event = { routeKey: 'GET /x', rawPath: '/x', headers: {}, requestContext: {} } as unknown as APIGatewayProxyEventV2;
const context = { awsRequestId: 'req-123' } as Context;

describe('mapError', () => {
  it('maps each domain error to its status with the Vietnamese message and code', () => {
    expect(mapError(new NotFoundError('Không tìm thấy.'))).toMatchObject({ statusCode: 404, body: { error: { code: 'NOT_FOUND', message: 'Không tìm thấy.' } } });
    expect(mapError(new ConflictError('Trùng.')).statusCode).toBe(409);
    expect(mapError(new UnauthorizedError('Cần khóa.')).statusCode).toBe(401);
  });

  it('turns a zod error into a 400 listing the fields, in Vietnamese', () => {
    const result = z.object({ planId: PlanIdSchema, n: z.number() }).safeParse({ planId: '2021-2023' });
    const mapped = mapError(result.error);
    expect(mapped.statusCode).toBe(400);
    expect(mapped.body.error.details).toEqual([
      { field: 'planId', message: 'Năm học phải gồm hai năm liền nhau' },
      { field: 'n', message: expect.stringMatching(/không hợp lệ/) },
    ]);
  });

  it('hides everything about an unexpected error', () => {
    const mapped = mapError(new Error('secret table name and token abc'), 'req-1');
    expect(mapped).toMatchObject({ statusCode: 500, internal: true, body: { error: { code: 'INTERNAL', requestId: 'req-1' } } });
    expect(JSON.stringify(mapped.body)).not.toMatch(/secret|token|at /);
  });
});

describe('httpHandler', () => {
  it('returns the whole 4xx response for a domain error', async () => {
    const handler = httpHandler(async () => {
      throw new NotFoundError('Không tìm thấy cụm thi đua "x".');
    });
    const response = await handler(event, context);
    expect(response).toEqual({
      statusCode: 404,
      headers: {
        'content-type': 'application/json; charset=utf-8',
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
        'referrer-policy': 'no-referrer',
        'x-correlation-id': expect.any(String),
      },
      body: JSON.stringify({ error: { code: 'NOT_FOUND', message: 'Không tìm thấy cụm thi đua "x".' } }),
    });
  });

  it('returns a generic 500 with the request id and no stack for anything else', async () => {
    const handler = httpHandler(async () => {
      throw new TypeError('Cannot read properties of undefined');
    });
    const response = await handler(event, context);
    expect(response.statusCode).toBe(500);
    expect(JSON.parse(response.body ?? '{}').error).toMatchObject({ code: 'INTERNAL', requestId: 'req-123' });
    expect(response.body).not.toMatch(/Cannot read|TypeError/);
  });
});
