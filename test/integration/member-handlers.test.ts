/**
 * The member handlers as Lambda runs them (direct invocation, logging on): page headers, error pages, JSON errors,
 * and no token in any log line.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { runCli } from '../../local/cli';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const stack = inject('stack');
type Handler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;
let page: Handler;
let createUpload: Handler;
let token: string;
const logged: string[] = [];

const event = (routeKey: string, pathParameters: Record<string, string>, body?: string): APIGatewayProxyEventV2 =>
  ({ routeKey, rawPath: '/u/x', headers: {}, pathParameters, body, isBase64Encoded: false, requestContext: {} }) as unknown as APIGatewayProxyEventV2;
const context = { awsRequestId: 'req-1' } as Context;

beforeAll(async () => {
  Object.assign(process.env, {
    TABLE_NAME: stack.tableName,
    DYNAMODB_ENDPOINT: stack.dynamodbEndpoint,
    BUCKET_NAME: stack.bucketName,
    S3_ENDPOINT: stack.s3Endpoint,
    LINK_SECRET_FILE: stack.linkSecretFile,
    AWS_REGION: stack.region,
    AWS_ACCESS_KEY_ID: 'S3RVER',
    AWS_SECRET_ACCESS_KEY: 'S3RVER',
    POWERTOOLS_LOG_LEVEL: 'DEBUG',
    // The harness's year: a 2021-2022 link has expired in real time.
    CLOCK_START: '2021-11-25T02:00:00.000Z',
    CLOCK_STARTED_AT: String(Date.now()),
  });
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    logged.push(String(chunk));
    return true;
  });
  ({ handler: page } = (await import('../../functions/member/get-page')) as { handler: Handler });
  ({ handler: createUpload } = (await import('../../functions/member/create-upload')) as { handler: Handler });
  const stackFile = join(mkdtempSync(join(tmpdir(), 'ctd-mh-')), 'stack.json');
  writeFileSync(stackFile, JSON.stringify(stack));
  token = JSON.parse(await runCli(['link', 'thanh-hoa-cum-5', 'dh-vhttdl-thanh-hoa', '--plan', '2021-2022', '--json'], { CTD_STACK_FILE: stackFile })).url.split('/u/')[1];
});

afterAll(() => vi.restoreAllMocks());

describe('GET /u/{token}', () => {
  it('serves the page with a nonce CSP that allows the bucket, no referrer, no indexing, no caching', async () => {
    const response = await page(event('GET /u/{token}', { token }), context);
    expect(response.statusCode).toBe(200);
    const headers = response.headers ?? {};
    const nonce = /script-src 'nonce-([^']+)'/.exec(String(headers['content-security-policy']))?.[1];
    expect(nonce).toBeTruthy();
    expect(headers['content-security-policy']).toContain(`connect-src 'self' ${new URL(stack.s3Endpoint).origin}`);
    expect(headers).toMatchObject({ 'referrer-policy': 'no-referrer', 'x-robots-tag': 'noindex, nofollow', 'cache-control': 'no-store', 'content-type': 'text/html; charset=utf-8' });
    expect(response.body).toContain(`nonce="${nonce}"`);
    expect(response.body).toContain('Công đoàn Trường Đại học Văn hóa, Thể thao và Du lịch Thanh Hóa');
  });

  it('answers a forged or malformed token with a 404 page that says nothing more', async () => {
    // The first character changed (never to itself; not the last, whose low bits base64url may ignore).
    for (const bad of [`${token.startsWith('A') ? 'B' : 'A'}${token.slice(1)}`, 'abc', '']) {
      const response = await page(event('GET /u/{token}', { token: bad }), context);
      expect(response.statusCode).toBe(404);
      expect(response.body).toContain('Không tìm thấy trang');
      expect(response.headers?.['content-type']).toBe('text/html; charset=utf-8');
    }
  });
});

describe('POST /u/{token}/uploads', () => {
  it('refuses bad bodies with a 400 in Vietnamese, never a 500', async () => {
    const cases: Array<[string | undefined, RegExp]> = [
      [undefined, /JSON hợp lệ/],
      ['{not json', /JSON hợp lệ/],
      [JSON.stringify({ milestoneId: 'bao-cao-so-ket-6-thang', fileName: 'a.exe', contentType: 'application/x-msdownload', size: 10 }), /không hợp lệ/],
      [JSON.stringify({ milestoneId: 'bao-cao-so-ket-6-thang', fileName: 'a.pdf', contentType: 'application/pdf', size: 0 }), /không hợp lệ/],
    ];
    for (const [body, message] of cases) {
      const response = await createUpload(event('POST /u/{token}/uploads', { token }, body), context);
      expect(response.statusCode).toBe(400);
      expect(JSON.parse(response.body ?? '{}').error.message).toMatch(message);
    }
    const typeError = await createUpload(
      event('POST /u/{token}/uploads', { token }, JSON.stringify({ milestoneId: 'bao-cao-so-ket-6-thang', fileName: 'a.exe', contentType: 'application/x-msdownload', size: 10 })),
      context,
    );
    expect(JSON.parse(typeError.body ?? '{}').error.details).toEqual([
      { field: 'contentType', message: 'Loại tệp không được chấp nhận (chỉ nhận PDF, Word, Excel, OpenDocument, JPG, PNG)' },
    ]);
  });

  it('answers a forged token with 404 JSON', async () => {
    const body = JSON.stringify({ milestoneId: 'bao-cao-so-ket-6-thang', fileName: 'a.pdf', contentType: 'application/pdf', size: 10 });
    const response = await createUpload(event('POST /u/{token}/uploads', { token: 'x.y' }, body), context);
    expect(response.statusCode).toBe(404);
    expect(JSON.parse(response.body ?? '{}').error.code).toBe('LINK_INVALID');
  });
});

describe('logs', () => {
  it('were written (logging is on) and never contain a token or its signature', () => {
    expect(logged.length).toBeGreaterThan(0);
    const all = logged.join('\n');
    expect(all).not.toContain(token);
    expect(all).not.toContain(token.split('.')[1]);
    expect(all).not.toContain(token.split('.')[0]);
  });
});
