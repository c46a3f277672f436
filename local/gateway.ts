/**
 * Local stand-in for the API Gateway HTTP API: turns node:http requests into payload format 2.0 events and runs the
 * very handlers that deploy, so local behaviour differs from AWS only where this file says so.
 */
import { randomUUID } from 'node:crypto';
import { createServer, validateHeaderName, validateHeaderValue, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from 'aws-lambda';
import type { HttpRoute } from '../functions/routes';

/** The shape every HTTP Lambda handler exports as `handler`. */
export type LambdaHttpHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyResultV2>;

/** Options for {@link startGateway}. */
export interface GatewayOptions {
  routes: readonly HttpRoute[];
  /** Default 3000; 0 picks a free port (tests). */
  port?: number;
  /** Default 127.0.0.1, so the local stack is never reachable from the network. */
  host?: string;
  /** Called on every request; memoise here if loading is costly. Default: import `root/entry` and take `handler`. */
  loadHandler?: (route: HttpRoute) => Promise<LambdaHttpHandler>;
  /** One line per request, plus handler errors. Default console.log. */
  log?: (line: string) => void;
  /** Where route entries are resolved from by the default loader. Default process.cwd(). */
  root?: string;
}

/** A route chosen for a request, with its decoded path parameters. */
export interface RouteMatch {
  route: HttpRoute;
  pathParameters: Record<string, string>;
}

/** What {@link toEvent} needs from a request; plain data so the conversion stays pure. */
export interface RawRequest {
  method: string;
  /** Request target as received: raw path plus optional `?query`. */
  url: string;
  /** Node's flat `[name, value, name, value…]` list, which keeps repeated headers that `req.headers` drops. */
  rawHeaders: readonly string[];
  body: Buffer;
  sourceIp: string;
  /** e.g. 'HTTP/1.1'. */
  protocol: string;
}

/** Lambda's synchronous payload limit; API Gateway would accept more, but the invocation would then fail. */
const MAX_BODY_BYTES = 6 * 1024 * 1024;
/** API Gateway HTTP API gives up on an integration after 30 s; the handler sees a little less. */
const HANDLER_BUDGET_MS = 29_000;
const TEXT_TYPE = /^(text\/|application\/(json|xml|javascript|x-www-form-urlencoded|graphql|(x-)?yaml)\b|application\/[^;]*\+(json|xml)\b)/i;

type SegmentKind = 0 | 1 | 2; // literal, {param}, {greedy+}: lower is more specific, as API Gateway ranks them

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment; // malformed escapes: hand the handler what arrived rather than guess
  }
}

/**
 * Picks the route for `method` and raw (still percent-encoded) `path` the way API Gateway HTTP API does: exact
 * method, `{param}` = one non-empty segment, trailing `{name+}` = one or more segments. When several match, the
 * one whose first differing segment is more specific wins (literal over `{param}` over `{name+}`).
 */
export function matchRoute(routes: readonly HttpRoute[], method: string, path: string): RouteMatch | undefined {
  const segments = path.split('/').slice(1);
  let best: { match: RouteMatch; kinds: SegmentKind[] } | undefined;
  for (const route of routes) {
    if (route.method !== method) continue;
    const template = route.path.split('/').slice(1);
    const pathParameters: Record<string, string> = {};
    const kinds: SegmentKind[] = [];
    let ok = true;
    for (const [i, part] of template.entries()) {
      const param = /^\{(\w+)(\+?)\}$/.exec(part);
      const segment = segments[i];
      if (param?.[2] && i === template.length - 1) {
        const rest = segments.slice(i).join('/');
        ok = rest !== '';
        pathParameters[param[1] ?? ''] = decode(rest);
        kinds.push(2);
      } else if (param) {
        ok = segment !== undefined && segment !== '';
        pathParameters[param[1] ?? ''] = decode(segment ?? '');
        kinds.push(1);
      } else {
        ok = segment !== undefined && decode(segment) === part;
        kinds.push(0);
      }
      if (!ok) break;
    }
    if (!ok || (kinds.at(-1) !== 2 && segments.length !== template.length)) continue;
    if (!best || isMoreSpecific(kinds, best.kinds)) best = { match: { route, pathParameters }, kinds };
  }
  return best?.match;
}

function isMoreSpecific(a: SegmentKind[], b: SegmentKind[]): boolean {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (a[i] !== b[i]) return (a[i] ?? 0) < (b[i] ?? 0);
  }
  return a.length > b.length; // '/files/a/{p+}' is narrower than '/files/{p+}'; ties keep list order
}

/** API Gateway's `requestContext.time` format, e.g. "12/Mar/2020:19:03:58 +0000". */
function formatTime(d: Date): string {
  const [, day, month, year, clock] = d.toUTCString().split(' '); // "Thu, 12 Mar 2020 19:03:58 GMT"
  return `${day}/${month}/${year}:${clock} +0000`;
}

/** Joins repeated keys with commas, as format 2.0 does. A Map, because on a plain object `in` would also see
 * inherited names (`?toString=1`) and assigning `__proto__` would be silently dropped. */
function joinRepeats(pairs: Iterable<[string, string]>): Record<string, string> {
  const joined = new Map<string, string>();
  for (const [key, value] of pairs) {
    const seen = joined.get(key);
    joined.set(key, seen === undefined ? value : `${seen},${value}`);
  }
  return Object.fromEntries(joined);
}

/** Builds the payload format 2.0 event API Gateway would send for `req` matched to `match`. Pure. */
export function toEvent(req: RawRequest, match: RouteMatch, requestId: string, now: Date): APIGatewayProxyEventV2 {
  const q = req.url.indexOf('?');
  const rawPath = q < 0 ? req.url : req.url.slice(0, q);
  const rawQueryString = q < 0 ? '' : req.url.slice(q + 1);

  const headerPairs: [string, string][] = [];
  const cookies: string[] = [];
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    const name = (req.rawHeaders[i] ?? '').toLowerCase();
    const value = req.rawHeaders[i + 1] ?? '';
    // Format 2.0 moves cookies out of the headers into their own array.
    if (name === 'cookie') cookies.push(...value.split(';').map((c) => c.trim()).filter(Boolean));
    else headerPairs.push([name, value]);
  }
  const headers = joinRepeats(headerPairs);
  const query = joinRepeats(new URLSearchParams(rawQueryString));

  const domainName = headers.host ?? 'localhost';
  const hasBody = req.body.length > 0;
  const isText = TEXT_TYPE.test(headers['content-type'] ?? '');
  return {
    version: '2.0',
    routeKey: `${match.route.method} ${match.route.path}`,
    rawPath,
    rawQueryString,
    ...(cookies.length > 0 && { cookies }),
    headers,
    ...(Object.keys(query).length > 0 && { queryStringParameters: query }),
    ...(Object.keys(match.pathParameters).length > 0 && { pathParameters: match.pathParameters }),
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName,
      domainPrefix: domainName.replace(/:\d+$/, '').split('.')[0] ?? domainName,
      http: {
        method: req.method,
        path: rawPath,
        protocol: req.protocol,
        sourceIp: req.sourceIp,
        userAgent: headers['user-agent'] ?? '',
      },
      requestId,
      routeKey: `${match.route.method} ${match.route.path}`,
      stage: '$default',
      time: formatTime(now),
      timeEpoch: now.getTime(),
    },
    ...(hasBody && { body: req.body.toString(isText ? 'utf8' : 'base64') }),
    isBase64Encoded: hasBody && !isText,
  };
}

interface HttpReply {
  status: number;
  headers: Record<string, string | string[]>;
  body: Buffer;
}

function json(status: number, message: string): HttpReply {
  return { status, headers: { 'content-type': 'application/json' }, body: Buffer.from(JSON.stringify({ message })) };
}

/** Reads a handler result as API Gateway does; throws on a malformed one, which API Gateway answers with a 500. */
function fromResult(result: APIGatewayProxyResultV2): HttpReply {
  // No statusCode: the whole result is a JSON body with status 200.
  if (typeof result !== 'object' || result === null || result.statusCode === undefined) {
    const body = typeof result === 'string' ? result : JSON.stringify(result ?? null);
    return { status: 200, headers: { 'content-type': 'application/json' }, body: Buffer.from(body) };
  }
  const status = result.statusCode;
  if (!Number.isInteger(status) || status < 100 || status > 599) {
    throw new Error(`handler returned an invalid statusCode: ${String(status)}`);
  }
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(result.headers ?? {})) {
    // Framing is ours to compute from the decoded body, as API Gateway does; a stale length would corrupt the reply.
    if (/^(content-length|transfer-encoding|connection)$/i.test(name)) continue;
    validateHeaderName(name); // node would throw later, mid-write; fail here so the caller answers 500
    validateHeaderValue(name, String(value));
    headers[name.toLowerCase()] = String(value);
  }
  if (result.cookies?.length) {
    for (const cookie of result.cookies) validateHeaderValue('set-cookie', cookie);
    const fromHeaders = headers['set-cookie'];
    headers['set-cookie'] = [...(fromHeaders ? [fromHeaders as string] : []), ...result.cookies];
  }
  const body = Buffer.from(result.body ?? '', result.isBase64Encoded ? 'base64' : 'utf8');
  return { status, headers, body };
}

/** Buffers the body up to the limit; past it, keeps draining so the client still gets to read our 413. */
async function readBody(req: IncomingMessage): Promise<Buffer | 'too-large'> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= MAX_BODY_BYTES) chunks.push(chunk);
  }
  return size > MAX_BODY_BYTES ? 'too-large' : Buffer.concat(chunks);
}

function fakeContext(route: HttpRoute, requestId: string, deadline: number): Context {
  const unsupported = () => {
    throw new Error('callback-style Context methods are not supported; return a promise');
  };
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: route.id,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${route.id}`,
    memoryLimitInMB: '1024',
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${route.id}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: unsupported,
    fail: unsupported,
    succeed: unsupported,
  };
}

/** Default loader: the same module the CDK bundles, imported in-process (the ESM cache makes it "warm"). */
function importHandler(root: string) {
  return async (route: HttpRoute): Promise<LambdaHttpHandler> => {
    const mod = (await import(pathToFileURL(resolve(root, route.entry)).href)) as { handler?: unknown };
    if (typeof mod.handler !== 'function') throw new Error(`${route.entry} does not export a handler function`);
    return mod.handler as LambdaHttpHandler;
  };
}

/**
 * Starts the gateway. Logs one line per request with the route *template* only: raw paths and query strings can
 * carry secret tokens and must never reach a log. Resolves once listening.
 */
export async function startGateway(opts: GatewayOptions): Promise<{ url: string; port: number; close(): Promise<void> }> {
  const log = opts.log ?? ((line: string) => console.log(line));
  const loadHandler = opts.loadHandler ?? importHandler(opts.root ?? process.cwd());

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = Date.now();
    const requestId = randomUUID();
    const method = req.method ?? 'GET';
    const match = matchRoute(opts.routes, method, (req.url ?? '/').split('?')[0] ?? '/');
    let reply: HttpReply;
    const body = await readBody(req);
    if (!match) reply = json(404, 'Not Found');
    else if (body === 'too-large') reply = json(413, 'Request Entity Too Large');
    else {
      try {
        const raw: RawRequest = {
          method,
          url: req.url ?? '/',
          rawHeaders: req.rawHeaders,
          body,
          sourceIp: (req.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, ''),
          protocol: `HTTP/${req.httpVersion}`,
        };
        const handler = await loadHandler(match.route);
        const context = fakeContext(match.route, requestId, started + HANDLER_BUDGET_MS);
        reply = fromResult(await handler(toEvent(raw, match, requestId, new Date(started)), context));
      } catch (err) {
        log(`${match.route.id} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
        reply = json(500, 'Internal Server Error');
      }
    }
    res.writeHead(reply.status, { ...reply.headers, 'apigw-requestid': requestId }).end(reply.body);
    log(`${method} ${match ? `${match.route.path} ${match.route.id}` : '(no route)'} ${reply.status} ${Date.now() - started}ms`);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      log(`gateway error: ${String(err)}`); // e.g. the client went away mid-body
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: 'Internal Server Error' }));
    });
  });
  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((done, fail) => {
    server.once('error', fail).listen(opts.port ?? 3000, host, () => done());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    close: () =>
      new Promise<void>((done, fail) => {
        server.close((err) => (err ? fail(err) : done()));
        server.closeAllConnections(); // fetch keeps sockets alive, which would otherwise hold close() open
      }),
  };
}
