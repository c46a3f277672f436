/**
 * Middy middlewares shared by every HTTP handler. Each is a small factory returning `{ before, after, onError }`.
 */
import type middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { logger } from '../runtime/logger';
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

/** Appends request-scoped keys to the logger (route template and request id only). */
export function requestLogging(): middy.MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2> {
  return {
    before: async (request: HttpRequest) => {
      logger.resetKeys();
      logger.appendKeys({ routeKey: request.event.routeKey, requestId: request.context.awsRequestId });
    },
  };
}
