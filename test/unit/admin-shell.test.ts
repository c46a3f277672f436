/**
 * The admin page function: the HTML shell (no inline code, strict CSP, never cached), the hashed assets (immutable,
 * precompressed by Accept-Encoding, 404 JSON for other names) and the OpenAPI document.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { handler, pickEncoding } from '../../functions/admin/page';
import { ADMIN_SCRIPT, ADMIN_STYLES } from '../../shared/views/admin-assets.generated';
import { ADMIN_CONTENT_SECURITY_POLICY, renderAdminShell } from '../../shared/views/admin-shell';

function event(routeKey: string, rawPath: string, opts: { pathParameters?: Record<string, string>; headers?: Record<string, string> } = {}): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey,
    rawPath,
    rawQueryString: '',
    headers: opts.headers ?? {},
    ...(opts.pathParameters ? { pathParameters: opts.pathParameters } : {}),
    requestContext: {
      accountId: '000000000000',
      apiId: 'test',
      domainName: 'example.test',
      domainPrefix: 'example',
      http: { method: 'GET', path: rawPath, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'test' },
      requestId: 'req-1',
      routeKey,
      stage: '$default',
      time: '25/Nov/2021:02:00:00 +0000',
      timeEpoch: 0,
    },
    isBase64Encoded: false,
  };
}
const context = { awsRequestId: 'req-1', functionName: 'AdminPage' } as Context;
const call = async (e: APIGatewayProxyEventV2) => (await handler(e, context)) as APIGatewayProxyStructuredResultV2;
const asset = (file: string, acceptEncoding?: string) =>
  call(event('GET /admin/assets/{file}', `/admin/assets/${file}`, { pathParameters: { file }, headers: acceptEncoding === undefined ? {} : { 'accept-encoding': acceptEncoding } }));

describe('the shell', () => {
  it.each([
    ['GET /admin', '/admin', 'admin', 'Quản trị Cụm thi đua'],
    ['GET /admin/dang-nhap', '/admin/dang-nhap', 'sign-in', 'Đăng nhập · Quản trị Cụm thi đua'],
  ])('%s: the document, pointing at the current assets, with a strict CSP and no caching', async (routeKey, path, page, title) => {
    const response = await call(event(routeKey, path));
    expect(response.statusCode).toBe(200);
    expect(response.headers).toEqual({
      'x-correlation-id': expect.any(String),
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy':
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
      'cache-control': 'no-store',
      'referrer-policy': 'no-referrer',
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'x-robots-tag': 'noindex, nofollow',
    });
    const body = String(response.body);
    expect(body).toBe(renderAdminShell(page as 'admin' | 'sign-in'));
    expect(body).toContain(`<title>${title}</title>`);
    expect(body).toContain(`<script defer src="/admin/assets/${ADMIN_SCRIPT.name}"></script>`);
    expect(body).toContain(`<link rel="stylesheet" href="/admin/assets/${ADMIN_STYLES.name}">`);
    expect(body).toContain(`<div id="app" data-page="${page}">`);
  });

  it('has no inline script, style or event handler: the CSP can stay without nonce or hash', () => {
    const body = renderAdminShell('admin');
    expect(body.match(/<script\b[^>]*>/g)).toEqual([`<script defer src="/admin/assets/${ADMIN_SCRIPT.name}">`]);
    expect(body).not.toMatch(/<style|\sstyle=|\son[a-z]+=|="javascript:/i);
    expect(body.startsWith('<!doctype html>\n<html lang="vi">')).toBe(true);
    expect(body).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
    expect(ADMIN_CONTENT_SECURITY_POLICY).not.toMatch(/unsafe|nonce|\*/);
  });

  it('escapes the asset names it is given', () => {
    expect(renderAdminShell('admin', { script: 'a"><script>x.js', styles: 's.css' })).toContain('src="/admin/assets/a&quot;&gt;&lt;script&gt;x.js"');
  });
});

describe('the assets', () => {
  it('brotli when accepted: immutable for a year, typed, base64 of the precomputed bytes', async () => {
    const response = await asset(ADMIN_SCRIPT.name, 'gzip, deflate, br, zstd');
    expect(response.statusCode).toBe(200);
    expect(response.headers).toEqual({
      'x-correlation-id': expect.any(String),
      'content-type': 'text/javascript; charset=utf-8',
      'cache-control': 'public, max-age=31536000, immutable',
      'x-content-type-options': 'nosniff',
      vary: 'accept-encoding',
      'content-encoding': 'br',
    });
    expect(response.isBase64Encoded).toBe(true);
    expect(brotliDecompressSync(Buffer.from(String(response.body), 'base64')).toString('utf8')).toBe(ADMIN_SCRIPT.body);
  });

  it('gzip when brotli is not accepted, plain text when nothing is', async () => {
    const gz = await asset(ADMIN_STYLES.name, 'gzip, deflate');
    expect(gz.headers).toMatchObject({ 'content-type': 'text/css; charset=utf-8', 'content-encoding': 'gzip' });
    expect(gunzipSync(Buffer.from(String(gz.body), 'base64')).toString('utf8')).toBe(ADMIN_STYLES.body);

    const plain = await asset(ADMIN_STYLES.name);
    expect(plain.headers?.['content-encoding']).toBeUndefined();
    expect(plain.isBase64Encoded).toBeUndefined();
    expect(plain.body).toBe(ADMIN_STYLES.body);
    expect(plain.headers?.['cache-control']).toBe('public, max-age=31536000, immutable');
  });

  it('any other name is a 404 in JSON, not cached', async () => {
    for (const file of ['app.000000000000.js', 'main.ts', '..%2F..%2Fpackage.json', ADMIN_SCRIPT.name.toUpperCase()]) {
      const response = await asset(file, 'br');
      expect(response.statusCode).toBe(404);
      expect(response.headers).toMatchObject({ 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
      expect(JSON.parse(String(response.body))).toEqual({ error: { code: 'NOT_FOUND', message: 'Không có tệp này.' } });
    }
  });

  it.each([
    ['br', 'br'],
    ['gzip, deflate, br', 'br'],
    ['br;q=0, gzip', 'gzip'],
    ['gzip;q=0.5, br;q=0', 'gzip'],
    ['x-gzip', 'gzip'],
    ['*', 'br'],
    ['*;q=0', undefined],
    ['identity', undefined],
    ['deflate', undefined],
    ['', undefined],
    ['BR', 'br'],
  ])('Accept-Encoding "%s" -> %s', (header, expected) => {
    expect(pickEncoding(header)).toBe(expected);
  });
});

describe('the OpenAPI document', () => {
  it('is JSON, cached for five minutes', async () => {
    const response = await call(event('GET /api/openapi.json', '/api/openapi.json'));
    expect(response.statusCode).toBe(200);
    expect(response.headers).toEqual({ 'content-type': 'application/json; charset=utf-8', 'cache-control': 'public, max-age=300', 'x-content-type-options': 'nosniff', 'x-correlation-id': expect.any(String) });
    const doc = JSON.parse(String(response.body));
    expect(doc.openapi).toMatch(/^3\.1/);
    expect(Object.keys(doc.paths)).toContain('/api/clusters/{clusterId}/plans/{planId}/board');
  });
});
