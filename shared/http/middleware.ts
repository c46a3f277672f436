/**
 * Middy middlewares shared by every HTTP handler. Each is a small factory returning `{ before, after, onError }`.
 */
import type middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { isCorrelationId, toCorrelationId } from '../domain/correlation';
import { beginInvocationLogs, invocationCorrelationId, logger } from '../runtime/logger';
import { mapError } from './errors';

type HttpRequest = middy.Request<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Error, Context>;

/** Headers every response carries: no caching of private data, no sniffing, no referrer leaking a link. */
export const SECURITY_HEADERS: Record<string, string> = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

export function jsonResponse(statusCode: number, body: unknown): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode,
    headers: { 'content-type': 'application/json; charset=utf-8', ...SECURITY_HEADERS },
    body: JSON.stringify(body),
  };
}

/**
 * Turns any error into a JSON response via `mapError`, and logs it with the route template (never the raw path,
 * which may hold a token).
 */
export function httpErrorHandler(): middy.MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2> {
  return {
    onError: async (request: HttpRequest) => {
      const requestId = request.context?.awsRequestId;
      const mapped = mapError(request.error, requestId);
      const fields = { routeKey: request.event?.routeKey, status: mapped.statusCode, code: mapped.body.error.code };
      if (mapped.internal) logger.error('request failed', { ...fields, error: request.error ?? undefined });
      else logger.info('request refused', fields);
      request.response = jsonResponse(mapped.statusCode, mapped.body);
    },
  };
}

/** The header a caller may set to name its request (validated), and that every response carries back. */
export const CORRELATION_HEADER = 'x-correlation-id';

/** The body as text: a secret may travel there too (the sign-in token of POST /api/auth/sessions). */
const bodyText = (event: APIGatewayProxyEventV2): string | undefined =>
  event.body && event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;

/** Whether `value` is part of a secret the request carries (its link token, API key, cookies, CSRF token, body). */
function isPartOfCredential(event: APIGatewayProxyEventV2, value: string): boolean {
  const credentials = [event.pathParameters?.token, event.headers?.authorization, event.headers?.['x-csrf-token'], ...(event.cookies ?? []), bodyText(event)];
  return credentials.some((credential) => credential?.includes(value));
}

/**
 * A request's correlation id: the caller's `x-correlation-id` when well formed (8-64 characters of [A-Za-z0-9_-])
 * and not taken from the request's own credentials or body (a careless client must not put a secret into every log
 * line and email tag); anything else is ignored, never echoed. Else API Gateway's request id (locally, the gateway's),
 * else Lambda's, else a new one. Inside a handler wrapped by {@link requestLogging} it returns the id that request
 * was given.
 */
export function correlationIdOf(event: APIGatewayProxyEventV2, context?: Pick<Context, 'awsRequestId'>): string {
  const given = event.headers?.[CORRELATION_HEADER];
  if (isCorrelationId(given) && !isPartOfCredential(event, given)) return given;
  return toCorrelationId(event.requestContext?.requestId) ?? invocationCorrelationId(context);
}

function withCorrelationHeader(request: HttpRequest): void {
  const response = request.response;
  if (!response || typeof response !== 'object') return;
  response.headers = { ...response.headers, [CORRELATION_HEADER]: correlationIdOf(request.event) };
}

/**
 * Starts each request's log context: its correlation id and request-scoped keys (route template and Lambda request
 * id only), and returns the id in the `x-correlation-id` response header, errors included (this middleware is
 * registered first, so its `after` and `onError` run last). The chosen id is written back into the event's header,
 * so the route's logic reads the same one with {@link correlationIdOf} (e.g. to store it or tag an email).
 */
export function requestLogging(): middy.MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2> {
  return {
    before: async (request: HttpRequest) => {
      const correlationId = correlationIdOf(request.event, request.context);
      request.event.headers = { ...request.event.headers, [CORRELATION_HEADER]: correlationId };
      beginInvocationLogs(correlationId, { routeKey: request.event.routeKey, requestId: request.context.awsRequestId });
    },
    after: async (request: HttpRequest) => withCorrelationHeader(request),
    onError: async (request: HttpRequest) => withCorrelationHeader(request),
  };
}
