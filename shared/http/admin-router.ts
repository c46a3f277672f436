/**
 * One Lambda handler for many endpoints of shared/http/admin-api.ts. For each request, in this order:
 * find the endpoint by route key, authenticate, check CSRF on state changes made with a cookie, check access to the
 * `{clusterId}` of the path (tenant isolation in one place, for every route), validate path, query and body, run
 * the endpoint's implementation, append the audit entry of a write, and shape the JSON response.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type { z } from 'zod';
import { CSRF_HEADER, actorOf, safeEqual, type ClusterAccess, type Principal } from '../domain/admin';
import type { AuditRecord } from '../domain/audit';
import { CsrfError, ForbiddenError, NotFoundError } from '../domain/errors';
import { authenticate, clusterAccess, type AuthDeps } from '../use-cases/admin-auth';
import type { AdminEndpoint, Endpoint, EndpointId } from './admin-api';
import { parseJsonBody } from './body';
import { httpHandler } from './handler';
import { SECURITY_HEADERS, jsonResponse } from './middleware';

type Out<S> = S extends z.ZodType ? z.output<S> : Record<string, never>;
type In<S> = S extends z.ZodType ? z.input<S> : never;

export interface EndpointContext<E extends AdminEndpoint> {
  params: Out<E extends { params: infer P } ? P : undefined>;
  query: Out<E extends { query: infer Q } ? Q : undefined>;
  body: Out<E extends { body: infer B } ? B : undefined>;
  /** Absent only on public endpoints. */
  principal: E['access'] extends 'public' ? undefined : Principal;
  /** The principal's access to the path's cluster (read and write endpoints). */
  access?: ClusterAccess;
  event: APIGatewayProxyEventV2;
  requestId: string;
}

/** What an implementation returns: the JSON body (typed by the endpoint's response schema) and side details. */
export interface EndpointResult<E extends AdminEndpoint> {
  body?: In<E extends { response: infer R } ? R : undefined>;
  cookies?: string[];
  /** The audit entry of a write (cluster and actor are added). Writes without one get a generic entry. */
  audit?: Omit<AuditRecord, 'clusterId' | 'actor' | 'requestId'>;
  /** A complete response for non-JSON endpoints (pages, assets). */
  raw?: APIGatewayProxyStructuredResultV2;
}

export type EndpointImpl<E extends AdminEndpoint> = (ctx: EndpointContext<E>) => Promise<EndpointResult<E>>;

/** The implementations served by one function: exactly the endpoints of that function. */
export type Implementations<F extends AdminEndpoint['fn']> = {
  [E in Extract<AdminEndpoint, { fn: F }> as E['id']]: EndpointImpl<E>;
};

export interface RouterOptions {
  /** Needed unless every endpoint is public. */
  deps?: AuthDeps;
  /** Check every JSON response against its schema (local stack and tests; a mismatch is a 500). */
  checkResponses?: boolean;
}

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Lowercase headers as API Gateway v2 gives them. */
const header = (event: APIGatewayProxyEventV2, name: string): string | undefined => event.headers?.[name];

function checkCsrf(event: APIGatewayProxyEventV2, principal: Principal): void {
  if (principal.kind !== 'session' || !WRITE_METHODS.has(event.requestContext.http.method)) return;
  const presented = header(event, CSRF_HEADER);
  if (!presented || !safeEqual(presented, principal.csrfToken)) {
    throw new CsrfError('Yêu cầu thiếu mã bảo vệ (CSRF) hoặc mã đã cũ. Hãy tải lại trang rồi thử lại.');
  }
}

const kebab = (id: string): string => id.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase().replace(/-/, '.');

/** Builds the Lambda handler serving `endpoints` (all of one function) with `impls`. */
export function adminRouter<F extends AdminEndpoint['fn']>(
  endpoints: readonly AdminEndpoint[],
  impls: Implementations<F>,
  options: RouterOptions,
) {
  const byRouteKey = new Map<string, Endpoint>(endpoints.map((e) => [`${e.method} ${e.path}`, e]));
  const deps = (): AuthDeps => {
    if (!options.deps) throw new Error('adminRouter: deps are required for non-public endpoints');
    return options.deps;
  };
  const implOf = impls as unknown as Record<EndpointId, EndpointImpl<AdminEndpoint>>;

  return httpHandler(async (event: APIGatewayProxyEventV2, context: Context) => {
    const endpoint = byRouteKey.get(event.routeKey);
    if (!endpoint) throw new NotFoundError('Không có địa chỉ này.');
    const requestId = context.awsRequestId;

    let principal: Principal | undefined;
    let access: ClusterAccess | undefined;
    if (endpoint.access !== 'public') {
      principal = await authenticate(deps(), { cookies: event.cookies, authorization: header(event, 'authorization') });
      if ((endpoint.access === 'session' || endpoint.access === 'session-write') && principal.kind !== 'session') {
        throw new ForbiddenError('Thao tác này cần đăng nhập trên trang quản trị, không dùng được khóa API.');
      }
      checkCsrf(event, principal);
    }

    const params = endpoint.params ? endpoint.params.parse(event.pathParameters ?? {}) : {};
    if (principal && (endpoint.access === 'read' || endpoint.access === 'write' || endpoint.access === 'session-write')) {
      const clusterId = (params as { clusterId?: string }).clusterId;
      if (!clusterId) throw new Error(`${endpoint.id}: cluster endpoints need {clusterId} in the path`);
      access = await clusterAccess(deps(), principal, clusterId);
      if (endpoint.access !== 'read' && access !== 'write') {
        throw new ForbiddenError('Tài khoản của bạn chỉ được xem cụm này, không được thay đổi.');
      }
    }
    const query = endpoint.query ? endpoint.query.parse(event.queryStringParameters ?? {}) : {};
    const body = endpoint.body ? parseJsonBody(event, endpoint.body, endpoint.maxBodyBytes) : {};

    const impl = implOf[endpoint.id as EndpointId];
    const result = await impl({ params, query, body, principal, access, event, requestId } as never);
    if (result.raw) return result.raw;

    const clusterId = (params as { clusterId?: string }).clusterId;
    if (principal && clusterId && !endpoint.changesNothing && WRITE_METHODS.has(endpoint.method) && (endpoint.access === 'write' || endpoint.access === 'session-write')) {
      const audit = result.audit ?? { action: kebab(endpoint.id), summary: endpoint.summary };
      await deps().repos.audit.append({ ...audit, clusterId, actor: actorOf(principal), requestId });
    }

    const status = endpoint.status ?? 200;
    if (status === 204) {
      return { statusCode: 204, headers: { ...SECURITY_HEADERS }, ...(result.cookies ? { cookies: result.cookies } : {}) };
    }
    const payload = options.checkResponses && endpoint.response ? endpoint.response.parse(result.body) : result.body;
    const response = jsonResponse(status, payload);
    return result.cookies ? { ...response, cookies: result.cookies } : response;
  });
}
