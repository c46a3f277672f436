/**
 * The OpenAPI 3.1 description of the admin API (served at /api/openapi.json), generated from the contract in
 * shared/http/admin-api.ts with zod's own JSON Schema output, so the document cannot drift from what the router
 * validates. Request schemas describe what a caller may send (`io: 'input'`: defaults make fields optional),
 * response schemas what the API returns (`io: 'output'`).
 */
import * as z from 'zod';
import { CSRF_HEADER, SESSION_COOKIE } from '../domain/admin';
import { ErrorBodySchema, adminEndpoints, type AdminEndpoint, type EndpointAccess, type EndpointId } from './admin-api';

/** Same as package.json's version (a unit test keeps them equal); hardcoded so the bundle does not embed package.json. */
export const API_VERSION = '0.1.0';

export const API_TAGS = ['Đăng nhập', 'Cụm và đơn vị', 'Kế hoạch', 'Bảng theo dõi', 'Nhắc việc', 'Chấm điểm', 'Nhật ký', 'Khóa API', 'Trang'] as const;
type Tag = (typeof API_TAGS)[number];

/** The page area of each endpoint (a Record over every id: a new endpoint without a tag does not compile). */
const TAG_OF: Record<EndpointId, Tag> = {
  RequestSignIn: 'Đăng nhập',
  OpenSession: 'Đăng nhập',
  GetSession: 'Đăng nhập',
  SignOut: 'Đăng nhập',
  ListClusters: 'Cụm và đơn vị',
  ListUnits: 'Cụm và đơn vị',
  CreateUnit: 'Cụm và đơn vị',
  UpdateUnit: 'Cụm và đơn vị',
  IssueUnitLink: 'Cụm và đơn vị',
  EmailUnitLink: 'Cụm và đơn vị',
  RevokeUnitLinks: 'Cụm và đơn vị',
  ListPlans: 'Kế hoạch',
  GetPlan: 'Kế hoạch',
  ClonePlan: 'Kế hoạch',
  SaveMilestone: 'Kế hoạch',
  DeleteMilestone: 'Kế hoạch',
  PreviewPlanImport: 'Kế hoạch',
  ConfirmPlanImport: 'Kế hoạch',
  IssueCalendarFeed: 'Kế hoạch',
  RevokeCalendarFeed: 'Kế hoạch',
  GetBoard: 'Bảng theo dõi',
  ListSubmissions: 'Bảng theo dõi',
  DownloadSubmission: 'Bảng theo dõi',
  GrantExtension: 'Bảng theo dõi',
  GetScoring: 'Chấm điểm',
  SaveScoringScheme: 'Chấm điểm',
  OpenSelfScoring: 'Chấm điểm',
  SaveVerification: 'Chấm điểm',
  RecordRegistration: 'Chấm điểm',
  RecordBallots: 'Chấm điểm',
  FreezeScores: 'Chấm điểm',
  UnlockScores: 'Chấm điểm',
  ExportScores: 'Chấm điểm',
  ListReminders: 'Nhắc việc',
  ReconcileReminders: 'Nhắc việc',
  ListReminderSends: 'Nhắc việc',
  SendReminderNow: 'Nhắc việc',
  ListAudit: 'Nhật ký',
  ListApiKeys: 'Khóa API',
  CreateApiKey: 'Khóa API',
  RevokeApiKey: 'Khóa API',
  AdminPage: 'Trang',
  SignInPage: 'Trang',
  AdminAsset: 'Trang',
  OpenApi: 'Trang',
};

type JsonSchema = Record<string, unknown>;
type Io = 'input' | 'output';

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

const ERROR_DESCRIPTIONS: Record<string, string> = {
  '400': 'Dữ liệu gửi lên không hợp lệ (chi tiết từng trường trong error.details).',
  '401': 'Chưa đăng nhập, phiên đã hết hạn, hoặc khóa API không đúng hay đã bị thu hồi.',
  '403': 'Không có quyền: cụm khác, chỉ được xem, thiếu mã CSRF, hoặc thao tác không dùng được khóa API.',
  '404': 'Không tìm thấy.',
  '409': 'Xung đột với dữ liệu hiện có (đã tồn tại, hoặc vừa bị thay đổi).',
  '410': 'Liên kết đăng nhập đã được dùng hoặc đã hết hạn.',
  '429': 'Quá nhiều yêu cầu; thử lại sau.',
  '500': 'Lỗi hệ thống; error.requestId giúp tìm nhật ký.',
};

/** Error statuses particular to one endpoint, beyond those its access level and inputs imply. */
const EXTRA_ERRORS: Partial<Record<EndpointId, string[]>> = {
  RequestSignIn: ['429'],
  OpenSession: ['404', '410'],
};

/**
 * zod -> JSON Schema 2020-12 (OpenAPI 3.1's dialect). Transforms have no JSON Schema: `unrepresentable: 'any'`
 * leaves them unconstrained. Named definitions ($defs, from `.meta({ id })` or recursion) move to
 * components.schemas, because a `#/$defs/...` reference inside the document would resolve against its root.
 */
function toSchema(schema: z.ZodType, io: Io, components: Record<string, JsonSchema>): JsonSchema {
  const { $schema: _ignored, $defs, ...rest } = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as JsonSchema & {
    $defs?: Record<string, JsonSchema>;
  };
  if (!$defs) return rest;
  const rename = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(rename);
    if (!value || typeof value !== 'object') return value;
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, k === '$ref' && typeof v === 'string' ? v.replace(/^#\/\$defs\//, '#/components/schemas/') : rename(v)]),
    );
  };
  for (const [name, def] of Object.entries($defs)) {
    const moved = rename(def) as JsonSchema;
    if (components[name] && JSON.stringify(components[name]) !== JSON.stringify(moved)) {
      throw new Error(`openapi: two different schemas are named ${name}`);
    }
    components[name] = moved;
  }
  return rename(rest) as JsonSchema;
}

function parameters(endpoint: AdminEndpoint, components: Record<string, JsonSchema>): JsonSchema[] {
  const out: JsonSchema[] = [];
  for (const [where, schema] of [
    ['path', 'params' in endpoint ? endpoint.params : undefined],
    ['query', 'query' in endpoint ? endpoint.query : undefined],
  ] as const) {
    if (!schema) continue;
    const object = toSchema(schema, 'input', components) as { properties?: Record<string, JsonSchema>; required?: string[] };
    for (const [name, property] of Object.entries(object.properties ?? {})) {
      const { description, ...rest } = property;
      out.push({
        name,
        in: where,
        required: where === 'path' || (object.required ?? []).includes(name),
        ...(typeof description === 'string' ? { description } : {}),
        schema: rest,
      });
    }
  }
  return out;
}

/**
 * Who may call, as OpenAPI security requirements (alternatives; schemes within one are all needed). A change made
 * with the session cookie also needs the CSRF header; managing sessions and API keys is not for API keys.
 */
function security(access: EndpointAccess, method: string): Array<Record<string, string[]>> {
  const session: Record<string, string[]> = WRITE_METHODS.has(method) ? { session: [], csrf: [] } : { session: [] };
  switch (access) {
    case 'public':
      return [];
    case 'session':
    case 'session-write':
      return [session];
    case 'any':
    case 'read':
    case 'write':
      return [session, { apiKey: [] }];
  }
}

function errorStatuses(endpoint: AdminEndpoint): string[] {
  const statuses = new Set<string>(EXTRA_ERRORS[endpoint.id] ?? []);
  if ('params' in endpoint || 'query' in endpoint || 'body' in endpoint) statuses.add('400');
  if (endpoint.access !== 'public') statuses.add('401');
  // 'any' alone cannot be refused: it filters what it returns. Everything else may be (cluster, CSRF, API key).
  if (endpoint.access !== 'public' && endpoint.access !== 'any') statuses.add('403');
  if (endpoint.path.includes('{')) statuses.add('404');
  if (endpoint.access === 'write' || endpoint.access === 'session-write') statuses.add('409');
  if (endpoint.fn !== 'page') statuses.add('500');
  return [...statuses].sort();
}

function successResponse(endpoint: AdminEndpoint, components: Record<string, JsonSchema>): [string, JsonSchema] {
  const status = String(('status' in endpoint ? endpoint.status : undefined) ?? 200);
  if (status === '204') return [status, { description: 'Thành công, không có nội dung.' }];
  if ('produces' in endpoint) {
    const schema = endpoint.produces === 'application/json' ? { type: 'object' } : { type: 'string' };
    return [status, { description: 'Thành công.', content: { [endpoint.produces]: { schema } } }];
  }
  const content = 'response' in endpoint ? { 'application/json': { schema: toSchema(endpoint.response, 'output', components) } } : undefined;
  return [status, { description: 'Thành công.', ...(content ? { content } : {}) }];
}

function operation(endpoint: AdminEndpoint, components: Record<string, JsonSchema>): JsonSchema {
  const params = parameters(endpoint, components);
  const [successStatus, success] = successResponse(endpoint, components);
  const errorRef = { 'application/json': { schema: { $ref: '#/components/schemas/ErrorBody' } } };
  return {
    operationId: endpoint.id,
    summary: endpoint.summary,
    tags: [TAG_OF[endpoint.id]],
    security: security(endpoint.access, endpoint.method),
    ...(params.length > 0 ? { parameters: params } : {}),
    ...('body' in endpoint
      ? { requestBody: { required: true, content: { 'application/json': { schema: toSchema(endpoint.body, 'input', components) } } } }
      : {}),
    responses: {
      [successStatus]: success,
      ...Object.fromEntries(errorStatuses(endpoint).map((s) => [s, { description: ERROR_DESCRIPTIONS[s] ?? 'Lỗi.', content: errorRef }])),
    },
  };
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

function build(): Record<string, unknown> {
  const components: Record<string, JsonSchema> = { ErrorBody: toSchema(ErrorBodySchema, 'output', {}) };
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const endpoint of adminEndpoints) {
    const item = (paths[endpoint.path] ??= {});
    item[endpoint.method.toLowerCase()] = operation(endpoint, components);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'API quản trị Cụm Thi đua',
      version: API_VERSION,
      description:
        'API của trang quản trị Cụm Thi đua: đơn vị, kế hoạch và các mốc, bảng theo dõi nộp tài liệu, nhắc việc, nhật ký. ' +
        'Đăng nhập bằng liên kết gửi qua email (cookie phiên, kèm mã CSRF ở tiêu đề x-csrf-token khi thay đổi dữ liệu), ' +
        'hoặc dùng khóa API của cụm (Authorization: Bearer ctd_...). Mọi lỗi có mã ổn định và thông báo tiếng Việt.',
    },
    tags: API_TAGS.map((name) => ({ name })),
    paths,
    components: {
      schemas: components,
      securitySchemes: {
        session: {
          type: 'apiKey',
          in: 'cookie',
          name: SESSION_COOKIE,
          description: 'Phiên đăng nhập 12 giờ (HttpOnly, Secure, SameSite=Strict), mở bằng POST /api/auth/sessions. Khi thay đổi dữ liệu cần kèm mã CSRF (csrf).',
        },
        csrf: {
          type: 'apiKey',
          in: 'header',
          name: CSRF_HEADER,
          description: 'Mã CSRF của phiên (csrfToken trong GET /api/auth/session), bắt buộc ở mọi yêu cầu thay đổi dữ liệu bằng cookie phiên.',
        },
        apiKey: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'ctd_<mã khóa>_<bí mật>',
          description: 'Khóa API của một cụm, tạo trên trang quản trị; chỉ dùng được cho cụm đó. Không cần mã CSRF.',
        },
      },
    },
  };
}

let cached: Record<string, unknown> | undefined;

/** The document, built once per cold start (frozen: callers share it). */
export function openApiDocument(): Record<string, unknown> {
  cached ??= deepFreeze(build());
  return cached;
}
