import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { HttpRoute } from '../../functions/routes';
import { startGateway, type LambdaHttpHandler } from '../../local/gateway';

function route(id: string, method: HttpRoute['method'], path: string): HttpRoute {
  return { id, method, path, entry: `test/fake/${id}.ts`, tableAccess: 'read' };
}

const routes: HttpRoute[] = [
  route('GetUnit', 'GET', '/api/clusters/{clusterId}/units/{unitId}'),
  route('Echo', 'POST', '/api/echo'),
  route('Cookies', 'GET', '/api/cookies'),
  route('Binary', 'GET', '/api/binary'),
  route('Plain', 'GET', '/api/plain'),
  route('Boom', 'GET', '/api/boom'),
  route('Portal', 'GET', '/u/{token}'),
  route('Files', 'GET', '/files/{proxy+}'),
];

/** What the echo handlers saw, returned as JSON so the test reads it through real HTTP. */
function echo(event: APIGatewayProxyEventV2, context: Context) {
  return {
    statusCode: 200,
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      event,
      context: { functionName: context.functionName, awsRequestId: context.awsRequestId, remaining: context.getRemainingTimeInMillis() },
    }),
  };
}

const handlers: Record<string, LambdaHttpHandler> = {
  GetUnit: async (event, context) => echo(event, context),
  Echo: async (event, context) => echo(event, context),
  Files: async (event, context) => echo(event, context),
  Portal: async () => ({ statusCode: 200, body: 'ok' }),
  Cookies: async () => ({
    statusCode: 204,
    headers: { 'X-Count': 2 },
    cookies: ['sid=abc; Path=/; HttpOnly', 'theme=dark; Max-Age=60'],
  }),
  Binary: async () => ({
    statusCode: 200,
    headers: { 'content-type': 'application/octet-stream' },
    body: Buffer.from([0, 255, 1, 128, 10]).toString('base64'),
    isBase64Encoded: true,
  }),
  Plain: async () => 'xin chào',
  Boom: async () => {
    throw new Error('kaboom: db password wrong');
  },
};

let gateway: Awaited<ReturnType<typeof startGateway>>;
const lines: string[] = [];
const loaded: string[] = [];

beforeAll(async () => {
  gateway = await startGateway({
    routes,
    port: 0,
    log: (line) => lines.push(line),
    loadHandler: async (r) => {
      loaded.push(r.id);
      const handler = handlers[r.id];
      if (!handler) throw new Error(`no fake handler for ${r.id}`);
      return handler;
    },
  });
});

afterAll(async () => {
  await gateway?.close();
});

beforeEach(() => {
  lines.length = 0;
  loaded.length = 0;
});

interface Echoed {
  event: APIGatewayProxyEventV2;
  context: { functionName: string; awsRequestId: string; remaining: number };
}

describe('local gateway', () => {
  it('listens on 127.0.0.1 with the port it was given by the OS', () => {
    expect(gateway.port).toBeGreaterThan(0);
    expect(gateway.url).toBe(`http://127.0.0.1:${gateway.port}`);
  });

  it('builds a payload 2.0 event: decoded path params, query, lower-cased headers, cookies', async () => {
    const path = '/api/clusters/c%E1%BB%A5m-5/units/%C4%91%C6%A1n%20v%E1%BB%8B%2F1';
    const res = await fetch(`${gateway.url}${path}?year=2025&tag=a&tag=b`, {
      headers: { 'X-Custom-Header': 'Hello', Cookie: 'sid=abc; theme=dark' },
    });
    expect(res.status).toBe(200);
    const { event, context } = (await res.json()) as Echoed;

    expect(event.version).toBe('2.0');
    expect(event.routeKey).toBe('GET /api/clusters/{clusterId}/units/{unitId}');
    expect(event.pathParameters).toEqual({ clusterId: 'cụm-5', unitId: 'đơn vị/1' });
    expect(event.rawPath).toBe(path);
    expect(event.rawQueryString).toBe('year=2025&tag=a&tag=b');
    expect(event.queryStringParameters).toEqual({ year: '2025', tag: 'a,b' });
    expect(event.headers['x-custom-header']).toBe('Hello');
    expect(Object.keys(event.headers).filter((k) => k !== k.toLowerCase())).toEqual([]);
    expect(event.cookies).toEqual(['sid=abc', 'theme=dark']);
    expect(event.headers.cookie).toBeUndefined();
    expect(event.body).toBeUndefined();
    expect(event.isBase64Encoded).toBe(false);

    const ctx = event.requestContext;
    expect(ctx.http).toMatchObject({ method: 'GET', path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1' });
    expect(ctx.http.userAgent).toBe(event.headers['user-agent']);
    expect(ctx.stage).toBe('$default');
    expect(ctx.domainName).toBe(`127.0.0.1:${gateway.port}`);
    expect(ctx.requestId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(Math.abs(ctx.timeEpoch - Date.now())).toBeLessThan(5_000);
    expect(ctx.time).toMatch(/^\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/);

    expect(context.functionName).toBe('GetUnit');
    expect(context.awsRequestId).toBe(ctx.requestId);
    expect(context.remaining).toBeGreaterThan(20_000);
    expect(context.remaining).toBeLessThanOrEqual(29_000);
    expect(res.headers.get('apigw-requestid')).toBe(ctx.requestId);
  });

  it('passes a JSON body through as text and gets a JSON body back', async () => {
    const payload = { ten: 'Cụm thi đua số 5', thanhVien: [1, 2, 3] };
    const res = await fetch(`${gateway.url}/api/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(payload),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    const { event } = (await res.json()) as Echoed;
    expect(event.isBase64Encoded).toBe(false);
    expect(JSON.parse(event.body ?? '')).toEqual(payload);
  });

  it('passes a binary body as base64', async () => {
    const bytes = Buffer.from([0, 1, 2, 253, 254, 255]);
    const res = await fetch(`${gateway.url}/api/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: bytes,
    });
    const { event } = (await res.json()) as Echoed;
    expect(event.isBase64Encoded).toBe(true);
    expect(Buffer.from(event.body ?? '', 'base64')).toEqual(bytes);
  });

  it('turns result cookies into one Set-Cookie header each', async () => {
    const res = await fetch(`${gateway.url}/api/cookies`);
    expect(res.status).toBe(204);
    expect(res.headers.getSetCookie()).toEqual(['sid=abc; Path=/; HttpOnly', 'theme=dark; Max-Age=60']);
    expect(res.headers.get('x-count')).toBe('2');
  });

  it('decodes a base64 result body to bytes', async () => {
    const res = await fetch(`${gateway.url}/api/binary`);
    expect(res.headers.get('content-type')).toBe('application/octet-stream');
    expect(Buffer.from(await res.arrayBuffer())).toEqual(Buffer.from([0, 255, 1, 128, 10]));
  });

  it('answers a bare string result as a 200 application/json body, like API Gateway', async () => {
    const res = await fetch(`${gateway.url}/api/plain`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(await res.text()).toBe('xin chào');
  });

  it('captures the rest of the path in a greedy {proxy+}', async () => {
    const res = await fetch(`${gateway.url}/files/2025/b%C3%A1o%20c%C3%A1o.pdf`);
    const { event } = (await res.json()) as Echoed;
    expect(event.pathParameters).toEqual({ proxy: '2025/báo cáo.pdf' });
  });

  it('answers 404 Not Found for an unknown path and for a known path with the wrong method', async () => {
    for (const [method, path] of [
      ['GET', '/api/nope'],
      ['DELETE', '/api/echo'],
      ['GET', '/api/echo'],
      ['GET', '/files/'],
    ] as const) {
      const res = await fetch(`${gateway.url}${path}`, { method });
      expect([method, path, res.status]).toEqual([method, path, 404]);
      expect(await res.json()).toEqual({ message: 'Not Found' });
    }
    expect(loaded).toEqual([]);
  });

  it('answers 500 without the error details when the handler throws, and logs the error', async () => {
    const res = await fetch(`${gateway.url}/api/boom`);
    expect(res.status).toBe(500);
    expect(res.headers.get('content-type')).toBe('application/json');
    const text = await res.text();
    expect(JSON.parse(text)).toEqual({ message: 'Internal Server Error' });
    expect(text).not.toMatch(/kaboom|\bat\b/);
    expect(lines.join('\n')).toContain('kaboom: db password wrong');
    expect(lines.at(-1)).toMatch(/^GET \/api\/boom Boom 500 \d+ms$/);
  });

  it('answers 500 when the default loader cannot find a handler', async () => {
    const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
    const broken = await startGateway({
      routes: [route('Missing', 'GET', '/missing'), { ...route('NoExport', 'GET', '/no-export'), entry: 'functions/routes.ts' }],
      port: 0,
      log: (line) => lines.push(line),
      root: repoRoot,
    });
    try {
      for (const path of ['/missing', '/no-export']) {
        const res = await fetch(`${broken.url}${path}`);
        expect([path, res.status, await res.json()]).toEqual([path, 500, { message: 'Internal Server Error' }]);
      }
      expect(lines.join('\n')).toContain('functions/routes.ts does not export a handler function');
    } finally {
      await broken.close();
    }
  });

  it('rejects a body over 6 MB with 413 without calling the handler', async () => {
    const res = await fetch(`${gateway.url}/api/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: Buffer.alloc(6 * 1024 * 1024 + 1),
    });
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({ message: 'Request Entity Too Large' });
    expect(loaded).toEqual([]);
  });

  it('logs one line per request with the route template, never the token or query', async () => {
    const token = 'tok_S3CR3T-9f8e7d';
    const ok = await fetch(`${gateway.url}/u/${token}?next=${token}-q`);
    expect(ok.status).toBe(200);
    const missing = await fetch(`${gateway.url}/u/${token}/extra?next=${token}-q`);
    expect(missing.status).toBe(404);

    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^GET \/u\/\{token\} Portal 200 \d+ms$/);
    expect(lines[1]).toMatch(/^GET \(no route\) 404 \d+ms$/);
    expect(lines.join('\n')).not.toContain('S3CR3T');
  });
});
