/**
 * Wraps a route's logic into a Lambda handler with the shared middlewares, so each handler file stays a thin
 * adapter: parse the event, call one use case, shape the result.
 */
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { httpErrorHandler, requestLogging } from './middleware';

export type HttpLogic = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;

/** requestLogging comes first so that its `after`/`onError` run last and put the correlation header on any response. */
export function httpHandler(logic: HttpLogic) {
  return middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Error, Context>()
    .use(requestLogging())
    .use(httpErrorHandler())
    .handler(logic);
}
