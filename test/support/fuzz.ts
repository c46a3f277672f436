/**
 * Arbitraries, a raw HTTP client and response checks for the abuse drills (test/integration/abuse-drills.test.ts):
 * what a careless or hostile client could send to any route of functions/routes.ts, and what every answer must be
 * (below 500, errors as JSON with a code and a Vietnamese message, no stack trace, no secret echoed).
 */
import { Agent, request, type IncomingHttpHeaders } from 'node:http';
import { crc32, deflateRawSync } from 'node:zlib';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import fc from 'fast-check';
import type { HttpRoute } from '../../functions/routes';

// ---- Paths ---------------------------------------------------------------------------------------------------------

/** Printable ASCII but space, less the query and fragment marks: what a request target may hold unencoded. */
const RAW_CHARS = Array.from({ length: 0x7e - 0x20 }, (_, i) => String.fromCharCode(0x21 + i)).filter((c) => c !== '?' && c !== '#');
/** The same within one path segment (no slash). */
const SEGMENT_CHARS = RAW_CHARS.filter((c) => c !== '/');
/** What Node sends in a header value: printable ASCII, space, tab and Latin-1 (not DEL, CR, LF or NUL). */
const HEADER_CHARS = [...RAW_CHARS, '?', '#', ' ', '\t', ...Array.from({ length: 0x80 }, (_, i) => String.fromCharCode(0x80 + i))];

const percentBytes = (bytes: Uint8Array): string => [...bytes].map((b) => `%${b.toString(16).padStart(2, '0').toUpperCase()}`).join('');

/** Segments that have broken routers: traversal, encoded slashes and NULs, malformed escapes, prototype names. */
const NASTY_SEGMENTS = [
  '..',
  '.',
  '%2e%2e',
  '%2E%2E%2F%2E%2E',
  '%2F',
  '%5C',
  '%00',
  '%',
  '%zz',
  '%E0%A4%A',
  '%C0%AF',
  '%FF%FE',
  '%ED%A0%80',
  '..%2F..%2Fetc%2Fpasswd',
  '%252e%252e',
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
  'null',
  'undefined',
  '%0D%0ASet-Cookie:%20x=1',
  '{token}',
  '{clusterId}',
  '$default',
  '*',
  '~',
];

/** One path segment, already encoded for the request target: plain, unicode, raw bytes, very long or nasty. */
const segmentArb: fc.Arbitrary<string> = fc.oneof(
  fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,40}$/),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 24 }).map(encodeURIComponent),
  fc.uint8Array({ minLength: 1, maxLength: 24 }).map(percentBytes),
  fc.string({ unit: fc.constantFrom(...SEGMENT_CHARS), minLength: 1, maxLength: 24 }),
  fc.constantFrom(...NASTY_SEGMENTS),
  fc.integer({ min: 200, max: 2000 }).map((n) => 'a'.repeat(n)),
);

/** Plausible values for each `{param}` a route template names; the fuzz mixes them with arbitrary segments. */
export type KnownValues = Readonly<Record<string, readonly string[]>>;

const paramArb = (name: string, known: KnownValues): fc.Arbitrary<string> => {
  const values = known[name] ?? [];
  const realistic = values.length > 0 ? [{ arbitrary: fc.constantFrom(...values).map(encodeURIComponent), weight: 3 }] : [];
  return fc.oneof(...realistic, { arbitrary: segmentArb, weight: 1 });
};

/** Nothing most of the time; else a trailing slash, extra segments or a doubled slash. */
const suffixArb: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.constant(''), weight: 20 },
  { arbitrary: fc.constant('/'), weight: 1 },
  { arbitrary: fc.array(segmentArb, { minLength: 1, maxLength: 3 }).map((s) => `/${s.join('/')}`), weight: 1 },
  { arbitrary: fc.constantFrom('//', '/.', '/..', '/%2e%2e/%2e%2e'), weight: 1 },
);

/** The route's template with each `{param}` filled (known value or arbitrary segment), and maybe a suffix. */
export function routePathArb(route: Pick<HttpRoute, 'path'>, known: KnownValues): fc.Arbitrary<string> {
  const parts = route.path.split('/').slice(1);
  const filled = parts.map((part) => {
    const param = /^\{(\w+)\}$/.exec(part);
    return param ? paramArb(param[1] ?? '', known) : fc.constant(part);
  });
  return fc.tuple(fc.tuple(...filled), suffixArb).map(([segments, suffix]) => `/${segments.join('/')}${suffix}`);
}

/** A path that may be anything: a few segments of any kind, sometimes under a real prefix. */
export const randomPathArb: fc.Arbitrary<string> = fc
  .tuple(fc.constantFrom('', '/u', '/cal', '/api', '/api/clusters', '/admin', '/admin/assets', '/api/auth'), fc.array(segmentArb, { maxLength: 6 }))
  .map(([prefix, segments]) => `${prefix}/${segments.join('/')}`);

// ---- Query strings --------------------------------------------------------------------------------------------------

const queryKeyArb = fc.oneof(
  fc.constantFrom('format', 'limit', 'cursor', 'action', 'actorType', 'actor', 'from', 'to', 'token', '__proto__', 'toString', 'constructor', 'a[b]', ''),
  fc.string({ maxLength: 12 }).map(encodeURIComponent),
);
const queryValueArb = fc.oneof(
  fc.constantFrom('xlsx', 'csv', 'pdf', '-1', '0', '201', '1e309', 'NaN', 'true', '%', '%zz', '%00', '2022-13-45'),
  fc.string({ unit: 'grapheme', maxLength: 40 }).map(encodeURIComponent),
  fc.uint8Array({ maxLength: 16 }).map(percentBytes),
  fc.integer({ min: 500, max: 2000 }).map((n) => 'x'.repeat(n)),
);

/** `''` or `?k=v&…`, with repeated, empty and prototype-named keys. */
export const queryArb: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.constant(''), weight: 2 },
  {
    arbitrary: fc.array(fc.tuple(queryKeyArb, fc.option(queryValueArb, { nil: undefined })), { minLength: 1, maxLength: 5 }).map(
      (pairs) => `?${pairs.map(([k, v]) => (v === undefined ? k : `${k}=${v}`)).join('&')}`,
    ),
    weight: 3,
  },
);

// ---- Headers --------------------------------------------------------------------------------------------------------

/** A header value Node will send. */
const headerTextArb = (maxLength: number) => fc.string({ unit: fc.constantFrom(...HEADER_CHARS), maxLength }).map((s) => s.trim());

/**
 * The credentials a fuzzed request may carry, as header sets: `good` ones open the door (a session with its CSRF
 * token, the cluster's API key), `bad` ones must not (another cluster's key, a session without its CSRF token,
 * forgeries). Most runs carry one of them, so the fuzz gets past authentication into the routes' own checks.
 */
export interface CredentialPool {
  good: readonly Record<string, string>[];
  bad: readonly Record<string, string>[];
}

const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'application/JSON',
  'text/plain',
  'text/html',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=----x',
  'application/octet-stream',
  'application/vnd.api+json',
  'application/xml',
  'image/png',
  ';;;',
  'application/json; charset=latin1',
];

/** Credentials: mostly a good or bad set of the pool, else garbage in the credential headers, or nothing. */
function credentialsArb(pool: CredentialPool): fc.Arbitrary<Record<string, string>> {
  const garbage = fc.record(
    {
      cookie: fc.oneof(headerTextArb(200), fc.constantFrom('__Host-ctd_admin=', '__Host-ctd_admin', '=;=;', 'a=b; a=c')),
      authorization: fc.oneof(headerTextArb(120), fc.constantFrom('Bearer', 'Bearer ', 'Basic Og==', 'bearer ctd_', 'Bearer  x  y')),
      'x-csrf-token': headerTextArb(60),
    },
    { requiredKeys: [] },
  );
  return fc.oneof(
    { arbitrary: fc.constantFrom(...pool.good), weight: 6 },
    { arbitrary: fc.constantFrom(...pool.bad), weight: 3 },
    { arbitrary: garbage as fc.Arbitrary<Record<string, string>>, weight: 1 },
  );
}

/** Headers, lower-case names: credentials, content type, correlation id, origin, and sometimes a huge one. */
export function headersArb(pool: CredentialPool): fc.Arbitrary<Record<string, string>> {
  const optional = (arb: fc.Arbitrary<string>) => fc.option(arb, { nil: undefined, freq: 2 });
  const others = fc.record({
    'content-type': optional(fc.oneof(fc.constantFrom(...CONTENT_TYPES), headerTextArb(80))),
    'x-api-key': optional(headerTextArb(80)),
    'x-correlation-id': optional(fc.oneof(fc.stringMatching(/^[A-Za-z0-9_-]{1,70}$/), headerTextArb(80))),
    origin: optional(fc.oneof(fc.constantFrom('null', 'https://evil.example', 'http://127.0.0.1'), headerTextArb(60))),
    'accept-encoding': optional(fc.oneof(fc.constantFrom('br', 'gzip;q=0, *;q=0', '*', 'identity;q=0'), headerTextArb(40))),
    'x-huge': fc.option(fc.integer({ min: 1000, max: 12_000 }).map((n) => 'h'.repeat(n)), { nil: undefined, freq: 8 }),
  });
  return fc.tuple(credentialsArb(pool), others).map(([credentials, rest]) => ({
    ...Object.fromEntries(Object.entries(rest).filter((e): e is [string, string] => e[1] !== undefined)),
    ...credentials,
  }));
}

// ---- Bodies ---------------------------------------------------------------------------------------------------------

/** The part of JSON Schema that `z.toJSONSchema` writes for the contract's bodies. */
export interface JsonSchema {
  type?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  enum?: unknown[];
  const?: unknown;
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  pattern?: string;
  format?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
}

/** fast-check integers are 32-bit: bounds are clamped, and the schema's own bounds are tried as such. */
const INT32 = 2 ** 31 - 1;
const clamp = (n: number) => Math.max(-INT32, Math.min(INT32, n));

function generatedStringArb(schema: JsonSchema): fc.Arbitrary<string> {
  if (schema.format === 'email') return fc.stringMatching(/^[a-z0-9][a-z0-9.]{0,12}@[a-z0-9]{1,10}\.(com|vn|edu\.vn)$/);
  if (schema.format === 'date-time') return fc.date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }).map((d) => d.toISOString());
  if (schema.format === 'uuid') return fc.uuid();
  if (schema.pattern) return fc.stringMatching(new RegExp(schema.pattern));
  const minLength = schema.minLength ?? 0;
  const longest = Math.max(minLength, Math.min(schema.maxLength ?? 2000, 5000));
  return fc.oneof(
    { arbitrary: fc.string({ unit: 'grapheme', minLength, maxLength: Math.max(minLength, Math.min(schema.maxLength ?? 60, 60)) }), weight: 6 },
    // As long as allowed, in letters that take 3 bytes in UTF-8: limits further down (audit, email, DynamoDB).
    { arbitrary: fc.constantFrom('ệ', 'Ặ ', '\u{1F600}').map((c) => c.repeat(Math.ceil(longest / c.length)).slice(0, longest)), weight: 1 },
    // Lone surrogates, NUL, bidi overrides: valid JSON strings that not every store or mailer takes.
    { arbitrary: fc.constantFrom('a\ud800b', '\udfff', 'x\u0000y', '\u202eabc', 'Tên\r\nBcc: x@evil.example').map((v) => v.padEnd(minLength, 'x')), weight: 1 },
  );
}

/** A string the schema accepts: mostly one of the known values that fits it (ids, dates, emails), else generated. */
function stringArb(schema: JsonSchema, known: readonly unknown[]): fc.Arbitrary<string> {
  const fits = (v: unknown): v is string =>
    typeof v === 'string' &&
    v.length >= (schema.minLength ?? 0) &&
    v.length <= (schema.maxLength ?? Infinity) &&
    (!schema.pattern || new RegExp(schema.pattern).test(v)) &&
    (schema.format !== 'email' || v.includes('@'));
  const candidates = known.filter(fits);
  const generated = generatedStringArb(schema);
  return candidates.length > 0 ? fc.oneof({ arbitrary: fc.constantFrom(...candidates), weight: 3 }, { arbitrary: generated, weight: 1 }) : generated;
}

/** Values the schema accepts (mostly: refinements such as "two consecutive years" are left to chance). */
function schemaValueArb(schema: JsonSchema, known: readonly unknown[] = [], depth = 0): fc.Arbitrary<unknown> {
  if ('const' in schema) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const union = schema.oneOf ?? schema.anyOf;
  if (union) return fc.oneof(...union.map((s) => schemaValueArb(s, known, depth)));
  switch (schema.type) {
    case 'object': {
      const properties = Object.entries(schema.properties ?? {});
      const required = new Set(schema.required ?? []);
      return fc.record(Object.fromEntries(properties.map(([k, v]) => [k, schemaValueArb(v, known, depth + 1)])), {
        requiredKeys: properties.map(([k]) => k).filter((k) => required.has(k)),
      });
    }
    case 'array': {
      const minLength = schema.minItems ?? 0;
      const maxLength = Math.max(minLength, Math.min(schema.maxItems ?? 4, depth > 2 ? 1 : 4));
      return fc.array(schema.items ? schemaValueArb(schema.items, known, depth + 1) : fc.jsonValue({ maxDepth: 1 }), { minLength, maxLength });
    }
    case 'string':
      return stringArb(schema, known);
    case 'integer': {
      const min = schema.minimum ?? -1000;
      const max = schema.maximum ?? 1000;
      return fc.oneof(fc.integer({ min: clamp(min), max: clamp(max) }), fc.constantFrom(min, max));
    }
    case 'number':
      return fc.double({ min: schema.minimum ?? -1e6, max: schema.maximum ?? 1e6, noNaN: true, noDefaultInfinity: true });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

/** Values for a body's fields: valid-looking ones (to get past the first check) and hostile ones. */
function fieldValueArb(known: readonly unknown[]): fc.Arbitrary<unknown> {
  return fc.oneof(
    ...(known.length > 0 ? [fc.constantFrom(...known)] : []),
    fc.jsonValue({ maxDepth: 3 }),
    fc.constantFrom(0, -1, 1.5, 1e308, Number.MAX_SAFE_INTEGER + 2, true, null, '', ' ', '<script>alert(1)</script>', '\u0000', 'a\u0301', '\ud800'),
    fc.integer({ min: 2000, max: 70_000 }).map((n) => 'x'.repeat(n)),
    fc.string({ unit: 'grapheme', maxLength: 60 }),
  );
}

/** A body the contract accepts, with one field (at the top) replaced by a hostile value. */
const mutatedArb = (valid: fc.Arbitrary<unknown>, known: readonly unknown[]) =>
  fc.tuple(valid, fc.nat(), fieldValueArb(known)).map(([body, pick, value]) => {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return value;
    const keys = Object.keys(body);
    return keys.length === 0 ? { extra: value } : { ...body, [keys[pick % keys.length] ?? 'extra']: value };
  });

/** An object shaped like a body of the contract (its field names), with arbitrary values, plus stray keys. */
function shapedBodyArb(fields: readonly string[], known: readonly unknown[]): fc.Arbitrary<unknown> {
  const names = [...fields, '__proto__', 'constructor', 'extra'];
  return fc
    .array(fc.tuple(fc.constantFrom(...names), fieldValueArb(known)), { maxLength: 8 })
    .map((entries) => Object.fromEntries(entries));
}

/** Deeply nested JSON text: arrays or objects, deeper than any schema expects (and than JSON.stringify can handle). */
const deepJsonArb: fc.Arbitrary<string> = fc
  .tuple(fc.integer({ min: 100, max: 12_000 }), fc.constantFrom('array', 'object', 'field'))
  .map(([depth, kind]) => {
    if (kind === 'array') return `${'['.repeat(depth)}${']'.repeat(depth)}`;
    if (kind === 'object') return `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
    return `{"email":${'['.repeat(depth)}${']'.repeat(depth)},"token":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}}`;
  });

/** What a route's body may be made from: its schema (as JSON Schema) and values that pass the first checks. */
export interface BodySpec {
  schema?: JsonSchema;
  known: readonly unknown[];
}

/**
 * A raw request body: none, JSON the contract accepts (as is or with one field made hostile), JSON of the right
 * field names with any values, any JSON, text, deep nesting, huge arrays, invalid UTF-8.
 */
export function bodyArb(spec: BodySpec): fc.Arbitrary<Buffer | undefined> {
  const text = (s: string) => Buffer.from(s, 'utf8');
  const fields = Object.keys(spec.schema?.properties ?? {});
  const valid = spec.schema ? schemaValueArb(spec.schema, spec.known) : undefined;
  const contract = valid
    ? [
        { arbitrary: valid.map((v) => text(JSON.stringify(v))), weight: 6 },
        { arbitrary: mutatedArb(valid, spec.known).map((v) => text(JSON.stringify(v))), weight: 4 },
      ]
    : [];
  return fc.oneof(
    { arbitrary: fc.constant(undefined), weight: 2 },
    ...contract,
    { arbitrary: shapedBodyArb(fields, spec.known).map((v) => text(JSON.stringify(v))), weight: 3 },
    { arbitrary: fc.jsonValue().map((v) => text(JSON.stringify(v))), weight: 1 },
    { arbitrary: fc.string({ unit: 'grapheme', maxLength: 200 }).map(text), weight: 1 },
    { arbitrary: deepJsonArb.map(text), weight: 1 },
    { arbitrary: fc.integer({ min: 1000, max: 40_000 }).map((n) => text(JSON.stringify(new Array(n).fill(0)))), weight: 1 },
    { arbitrary: fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)), weight: 1 },
    {
      // Invalid UTF-8 inside otherwise plausible JSON.
      arbitrary: fc
        .tuple(fc.constantFrom(...(fields.length > 0 ? fields : ['email'])), fc.uint8Array({ minLength: 1, maxLength: 8 }))
        .map(([field, bytes]) => Buffer.concat([text(`{"${field}":"`), Buffer.from([0xff, 0xc0, ...bytes]), text('"}')])),
      weight: 1,
    },
  );
}

// ---- Hostile files ---------------------------------------------------------------------------------------------------

/** A page whose script would read the API with the viewer's cookies, were it ever served as HTML. */
export const HTML = '<!doctype html><html><body><script>fetch("/api/clusters").then(r=>r.text()).then(alert)</script></body></html>';
/** The first bytes of a JPEG (SOI, APP0/JFIF). */
export const JPEG_HEAD = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00]);
/** A Windows program's headers (MZ, then PE at the offset the DOS header names). */
export const EXE = Buffer.concat([Buffer.from('MZ'), Buffer.alloc(58), Buffer.from([0x80, 0, 0, 0]), Buffer.alloc(64), Buffer.from('PE\0\0'), Buffer.alloc(200)]);

/**
 * A zip of `entries` (name, bytes, deflated or stored), with local headers, central directory and end record: enough
 * for any reader, and small even when an entry inflates to hundreds of megabytes (a zip bomb).
 */
export function zipOf(entries: ReadonlyArray<readonly [name: string, data: Buffer, deflate?: boolean]>): Buffer {
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const [name, data, deflate] of entries) {
    const body = deflate ? deflateRawSync(data) : data;
    const nameBytes = Buffer.from(name);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(deflate ? 8 : 0, 8);
    local.writeUInt32LE(crc32(data), 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    const entry = Buffer.alloc(46);
    entry.writeUInt32LE(0x02014b50, 0);
    entry.writeUInt16LE(20, 4);
    entry.writeUInt16LE(20, 6);
    entry.writeUInt16LE(deflate ? 8 : 0, 10);
    entry.writeUInt32LE(crc32(data), 16);
    entry.writeUInt32LE(body.length, 20);
    entry.writeUInt32LE(data.length, 24);
    entry.writeUInt16LE(nameBytes.length, 28);
    entry.writeUInt32LE(offset, 42);
    parts.push(local, nameBytes, body);
    central.push(entry, nameBytes);
    offset += local.length + nameBytes.length + body.length;
  }
  const directory = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...parts, directory, end]);
}

// ---- Sending --------------------------------------------------------------------------------------------------------

export interface RawRequest {
  method: string;
  /** The request target exactly as sent: path and query, not normalised (`..` and `%2e` reach the server). */
  target: string;
  headers: Record<string, string>;
  body?: Buffer;
}

export interface RawReply {
  /** 0 when the server closed the connection without an answer (Node does so past its 16 KB header limit). */
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

const agent = new Agent({ keepAlive: true, maxSockets: 4 });

/** Sends one request with node:http, which (unlike fetch) sends the target as given. */
export function sendRaw(baseUrl: string, req: RawRequest): Promise<RawReply> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    // Node frames a GET or DELETE body only when told its length (else the body reads as a second request).
    const headers = req.body ? { ...req.headers, 'content-length': String(req.body.length) } : req.headers;
    const outgoing = request(
      { host: hostname, port, method: req.method, path: req.target, headers, agent, timeout: 25_000 },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      },
    );
    outgoing.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ECONNRESET' || error.code === 'EPIPE') resolve({ status: 0, headers: {}, body: Buffer.alloc(0) });
      else reject(error);
    });
    outgoing.end(req.body);
  });
}

/** The bytes of a request's target and headers: past Node's 16 KB limit the server refuses it (431 or a reset). */
export const headBytes = (req: RawRequest): number =>
  Buffer.byteLength(req.target) + Object.entries(req.headers).reduce((n, [k, v]) => n + k.length + Buffer.byteLength(v, 'latin1') + 4, 0);

/** Closes the keep-alive sockets (end of the file). */
export const closeAgent = (): void => agent.destroy();

// ---- Checks ---------------------------------------------------------------------------------------------------------

/** Vietnamese text: NFC, with at least one letter only Vietnamese spelling uses. */
export function isVietnamese(text: unknown): boolean {
  return typeof text === 'string' && text === text.normalize('NFC') && /[àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ]/i.test(text);
}

/** What gives away the code behind an answer: stack frames, source paths, error class names. */
const STACK_TRACE = [/\n\s+at\s/, /\bat [\w.<>$]+ \(/, /\.(ts|js|mjs):\d+/, /\/work\//, /node_modules/, /file:\/\//, /\b\w*Error: /, /"stack"\s*:/];

export function stackTraceIn(text: string): string | undefined {
  return STACK_TRACE.find((pattern) => pattern.test(text))?.source;
}

/** An answer as the checks need it, from HTTP or from a direct invocation. */
export interface Answer {
  status: number;
  contentType: string;
  body: string;
  /** Every response header value, joined (set-cookie and the correlation id included). */
  headerText: string;
}

export interface AnswerExpectations {
  /** Whether a route of the app answered (else it is the gateway's own `{ message }`, as API Gateway's). */
  routed: boolean;
  /** Secrets that must not appear in the answer. */
  secrets: readonly string[];
  /** Secrets the request presented itself: a success may hold them (a member page carries its own link). */
  presented: readonly string[];
  /** Secrets the request sent as data in its body: any answer may quote them back (a refused title, say). */
  quotable?: readonly string[];
}

/** Everything wrong with an answer; empty when it passes every rule of the drills. */
export function problemsOf(answer: Answer, expect: AnswerExpectations): string[] {
  const problems: string[] = [];
  if (answer.status >= 500) problems.push(`status ${answer.status}`);
  const trace = stackTraceIn(answer.body);
  if (trace) problems.push(`stack trace (${trace}) in body`);
  const allowed = new Set([...(answer.status < 400 ? expect.presented : []), ...(expect.quotable ?? [])]);
  for (const secret of expect.secrets) {
    if (allowed.has(secret)) continue;
    if (answer.body.includes(secret)) problems.push(`secret ${secret.slice(0, 6)}… in body`);
    if (answer.headerText.includes(secret)) problems.push(`secret ${secret.slice(0, 6)}… in headers`);
  }
  if (answer.status >= 400 && /json/i.test(answer.contentType)) {
    let parsed: any;
    try {
      parsed = JSON.parse(answer.body);
    } catch {
      problems.push('JSON error body does not parse');
    }
    if (parsed !== undefined) {
      if (expect.routed) {
        if (typeof parsed?.error?.code !== 'string' || !/^[A-Z_]+$/.test(parsed.error.code)) problems.push(`no error code: ${answer.body.slice(0, 120)}`);
        if (!isVietnamese(parsed?.error?.message)) problems.push(`message not Vietnamese: ${answer.body.slice(0, 120)}`);
      } else if (!(answer.status === 404 && parsed?.message === 'Not Found') && !(answer.status === 413 && parsed?.message === 'Request Entity Too Large')) {
        problems.push(`unrouted answer is not the gateway's: ${answer.status} ${answer.body.slice(0, 120)}`);
      }
    }
  }
  if (answer.status >= 400 && /html/i.test(answer.contentType) && !answer.body.includes('lang="vi"')) problems.push('error page not in Vietnamese');
  if (answer.status >= 400 && /^text\/plain/i.test(answer.contentType) && !isVietnamese(answer.body.trim())) problems.push(`plain-text error not in Vietnamese: ${answer.body.slice(0, 120)}`);
  return problems;
}

/** The `{param}` names of a route template. */
const paramsOf = (path: string): string[] => [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1] ?? '');

// ---- Direct invocation (API Gateway v2 events) --------------------------------------------------------------------

/** What an event arbitrary needs: the route, plausible values, the credentials, the body's field names. */
export interface EventSpec {
  route: HttpRoute;
  known: KnownValues;
  pool: CredentialPool;
  body: BodySpec;
}

/** A decoded path parameter as API Gateway gives it: never empty, anything else goes (`%2F` decodes to '/'). */
const decodedParamArb = (name: string, known: KnownValues): fc.Arbitrary<string> =>
  fc.oneof(
    ...((known[name] ?? []).length > 0 ? [{ arbitrary: fc.constantFrom(...(known[name] ?? [])), weight: 3 }] : []),
    { arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }), weight: 1 },
    { arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }), weight: 1 },
    { arbitrary: fc.constantFrom('..', '../..', 'a/b', '__proto__', 'x'.repeat(5000), '\u0000', ' '), weight: 1 },
  );

/** Payload format 2.0 events API Gateway could deliver to the route's function: its shape, arbitrary contents. */
export function apiEventArb(spec: EventSpec): fc.Arbitrary<APIGatewayProxyEventV2> {
  const { route } = spec;
  const params = Object.fromEntries(paramsOf(route.path).map((name) => [name, decodedParamArb(name, spec.known)]));
  const extraCookies = fc.array(fc.string({ maxLength: 80 }), { maxLength: 2 });
  // Format 2.0 moves cookies out of the headers into their own array.
  const headersAndCookies = fc
    .tuple(headersArb(spec.pool), fc.dictionary(fc.string({ maxLength: 20 }).map((s) => s.toLowerCase()), fc.string({ maxLength: 100 }), { maxKeys: 3 }), extraCookies)
    .map(([known, extra, more]) => {
      const { cookie, ...rest } = { ...extra, ...known };
      const cookies = [...(cookie ? cookie.split(';').map((c) => c.trim()).filter(Boolean) : []), ...more];
      return { headers: rest as Record<string, string>, cookies: cookies.length > 0 ? cookies : undefined };
    });
  const query = fc.option(fc.dictionary(fc.string({ maxLength: 12 }), fc.string({ maxLength: 60 }), { maxKeys: 4 }), { nil: undefined });
  const body = fc.oneof(
    { arbitrary: bodyArb(spec.body).map((b) => (b === undefined ? undefined : { body: b.toString('utf8'), isBase64Encoded: false })), weight: 6 },
    { arbitrary: bodyArb(spec.body).map((b) => (b === undefined ? undefined : { body: b.toString('base64'), isBase64Encoded: true })), weight: 2 },
    { arbitrary: fc.string({ maxLength: 60 }).map((s) => ({ body: s, isBase64Encoded: true })), weight: 1 }, // not base64 at all
  );
  return fc
    .record({ params: fc.record(params), hc: headersAndCookies, query, body, sourceIp: fc.oneof(fc.ipV4(), fc.ipV6()), requestId: fc.oneof(fc.uuid(), fc.string({ maxLength: 80 })) })
    .map(({ params: pathParameters, hc: { headers: h, cookies: c }, query: q, body: b, sourceIp, requestId }) => {
      const rawPath = route.path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(pathParameters[name] ?? ''));
      const routeKey = `${route.method} ${route.path}`;
      return {
        version: '2.0',
        routeKey,
        rawPath,
        rawQueryString: q ? new URLSearchParams(q).toString() : '',
        ...(c ? { cookies: c } : {}),
        headers: h,
        ...(q && Object.keys(q).length > 0 ? { queryStringParameters: q } : {}),
        ...(Object.keys(pathParameters).length > 0 ? { pathParameters } : {}),
        requestContext: {
          accountId: '000000000000',
          apiId: 'fuzz',
          domainName: 'fuzz.local',
          domainPrefix: 'fuzz',
          http: { method: route.method, path: rawPath, protocol: 'HTTP/1.1', sourceIp, userAgent: h['user-agent'] ?? '' },
          requestId,
          routeKey,
          stage: '$default',
          time: '25/Nov/2021:02:00:00 +0000',
          timeEpoch: 1_637_805_600_000,
        },
        ...(b ?? { isBase64Encoded: false }),
      } as APIGatewayProxyEventV2;
    });
}
