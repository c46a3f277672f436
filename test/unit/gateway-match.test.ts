import { describe, expect, it } from 'vitest';
import type { HttpRoute } from '../../functions/routes';
import { matchRoute, toEvent, type RawRequest } from '../../local/gateway';

function route(id: string, path: string, method: HttpRoute['method'] = 'GET'): HttpRoute {
  return { id, method, path, entry: `functions/api/${id}.ts`, tableAccess: 'read' };
}

const literal = route('Current', '/api/clusters/{clusterId}/plans/current');
const param = route('GetPlan', '/api/clusters/{clusterId}/plans/{planId}');
const greedy = route('PlanFiles', '/api/clusters/{clusterId}/plans/{proxy+}');

describe('matchRoute', () => {
  it('prefers a literal segment over a {param}, whatever the list order', () => {
    for (const routes of [[param, literal], [literal, param]]) {
      expect(matchRoute(routes, 'GET', '/api/clusters/c1/plans/current')?.route.id).toBe('Current');
      expect(matchRoute(routes, 'GET', '/api/clusters/c1/plans/2025')).toEqual({
        route: param,
        pathParameters: { clusterId: 'c1', planId: '2025' },
      });
    }
  });

  it('prefers a {param} over a greedy {proxy+}, whatever the list order', () => {
    for (const routes of [[greedy, param], [param, greedy]]) {
      expect(matchRoute(routes, 'GET', '/api/clusters/c1/plans/2025')?.route.id).toBe('GetPlan');
      expect(matchRoute(routes, 'GET', '/api/clusters/c1/plans/2025/files')).toEqual({
        route: greedy,
        pathParameters: { clusterId: 'c1', proxy: '2025/files' },
      });
    }
  });

  it('prefers the more specific segment earliest in the path', () => {
    const early = route('Early', '/a/x/{p}');
    const late = route('Late', '/a/{q}/y');
    expect(matchRoute([late, early], 'GET', '/a/x/y')?.route.id).toBe('Early');
  });

  it('requires the exact method', () => {
    expect(matchRoute([param], 'POST', '/api/clusters/c1/plans/2025')).toBeUndefined();
    expect(matchRoute([param], 'get', '/api/clusters/c1/plans/2025')).toBeUndefined();
  });

  it('matches {param} to exactly one non-empty segment', () => {
    expect(matchRoute([param], 'GET', '/api/clusters/c1/plans/')).toBeUndefined();
    expect(matchRoute([param], 'GET', '/api/clusters/c1/plans')).toBeUndefined();
    expect(matchRoute([param], 'GET', '/api/clusters/c1/plans/a/b')).toBeUndefined();
    expect(matchRoute([param], 'GET', '/api/clusters//plans/2025')).toBeUndefined();
  });

  it('needs at least one segment for a greedy {proxy+}', () => {
    expect(matchRoute([greedy], 'GET', '/api/clusters/c1/plans')).toBeUndefined();
    expect(matchRoute([greedy], 'GET', '/api/clusters/c1/plans/')).toBeUndefined();
    expect(matchRoute([greedy], 'GET', '/api/clusters/c1/plans/x')?.pathParameters).toEqual({ clusterId: 'c1', proxy: 'x' });
  });

  it('URL-decodes path parameters, keeping an encoded slash inside its segment', () => {
    const m = matchRoute([param], 'GET', '/api/clusters/c%E1%BB%A5m-5/plans/k%E1%BA%BF%20ho%E1%BA%A1ch%2F2025');
    expect(m?.pathParameters).toEqual({ clusterId: 'cụm-5', planId: 'kế hoạch/2025' });
  });

  it('keeps a malformed escape as received instead of throwing', () => {
    expect(matchRoute([param], 'GET', '/api/clusters/c1/plans/100%')?.pathParameters.planId).toBe('100%');
  });

  it('compares literal segments after decoding', () => {
    const vi = route('DonVi', '/api/đơn-vị');
    expect(matchRoute([vi], 'GET', '/api/%C4%91%C6%A1n-v%E1%BB%8B')?.route.id).toBe('DonVi');
    expect(matchRoute([vi], 'GET', '/api/don-vi')).toBeUndefined();
  });

  it('returns undefined when nothing matches', () => {
    expect(matchRoute([literal, param, greedy], 'GET', '/api/clusters')).toBeUndefined();
    expect(matchRoute([], 'GET', '/')).toBeUndefined();
  });
});

describe('toEvent', () => {
  const match = { route: param, pathParameters: { clusterId: 'c1', planId: '2025' } };
  const base: RawRequest = {
    method: 'GET',
    url: '/api/clusters/c1/plans/2025',
    rawHeaders: ['Host', 'localhost:3000', 'User-Agent', 'vitest'],
    body: Buffer.alloc(0),
    sourceIp: '127.0.0.1',
    protocol: 'HTTP/1.1',
  };
  const now = new Date(Date.UTC(2025, 2, 5, 7, 8, 9));

  it('lower-cases headers, joins repeats with commas and moves cookies out', () => {
    const event = toEvent(
      {
        ...base,
        url: '/api/clusters/c1/plans/2025?tag=a&tag=b%20c&empty',
        rawHeaders: [...base.rawHeaders, 'X-Tag', 'one', 'x-tag', 'two', 'Cookie', 'a=1; b=2', 'cookie', 'c=3'],
      },
      match,
      'req-1',
      now,
    );
    expect(event.headers).toEqual({ host: 'localhost:3000', 'user-agent': 'vitest', 'x-tag': 'one,two' });
    expect(event.cookies).toEqual(['a=1', 'b=2', 'c=3']);
    expect(event.queryStringParameters).toEqual({ tag: 'a,b c', empty: '' });
    expect(event.rawQueryString).toBe('tag=a&tag=b%20c&empty');
    expect(event.rawPath).toBe('/api/clusters/c1/plans/2025');
  });

  it('keeps header and query names that shadow Object.prototype as plain data', () => {
    const event = toEvent(
      { ...base, url: '/p?toString=1&constructor=2&__proto__=3&__proto__=4', rawHeaders: ['Constructor', 'x', 'Hasownproperty', 'y'] },
      match,
      'req-1',
      now,
    );
    expect(Object.entries(event.queryStringParameters ?? {})).toEqual([
      ['toString', '1'],
      ['constructor', '2'],
      ['__proto__', '3,4'],
    ]);
    expect(Object.getPrototypeOf(event.queryStringParameters)).toBe(Object.prototype);
    expect(event.headers).toEqual({ constructor: 'x', hasownproperty: 'y' });
  });

  it('fills the request context like API Gateway', () => {
    const event = toEvent(base, match, 'req-1', now);
    expect(event.routeKey).toBe('GET /api/clusters/{clusterId}/plans/{planId}');
    expect(event.requestContext).toMatchObject({
      requestId: 'req-1',
      routeKey: 'GET /api/clusters/{clusterId}/plans/{planId}',
      stage: '$default',
      domainName: 'localhost:3000',
      domainPrefix: 'localhost',
      time: '05/Mar/2025:07:08:09 +0000',
      timeEpoch: now.getTime(),
      http: { method: 'GET', path: '/api/clusters/c1/plans/2025', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'vitest' },
    });
  });

  it('omits body, cookies and query parameters when there are none', () => {
    const event = toEvent(base, { route: literal, pathParameters: {} }, 'req-1', now);
    expect(event).not.toHaveProperty('body');
    expect(event).not.toHaveProperty('cookies');
    expect(event).not.toHaveProperty('queryStringParameters');
    expect(event).not.toHaveProperty('pathParameters');
    expect(event.isBase64Encoded).toBe(false);
  });

  it('passes text bodies as utf-8 and everything else as base64', () => {
    const text = Buffer.from('{"ten":"Cụm 5"}');
    for (const type of ['application/json; charset=utf-8', 'text/plain', 'application/x-www-form-urlencoded', 'application/problem+json']) {
      const event = toEvent({ ...base, rawHeaders: ['Content-Type', type], body: text }, match, 'r', now);
      expect([type, event.body, event.isBase64Encoded]).toEqual([type, '{"ten":"Cụm 5"}', false]);
    }
    for (const type of ['multipart/form-data; boundary=x', 'application/octet-stream', 'image/png', undefined]) {
      const rawHeaders = type ? ['Content-Type', type] : [];
      const event = toEvent({ ...base, rawHeaders, body: text }, match, 'r', now);
      expect([type, event.body, event.isBase64Encoded]).toEqual([type, text.toString('base64'), true]);
    }
  });
});
