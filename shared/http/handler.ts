/**
 * Wraps a route's logic into a Lambda handler with the shared middlewares, so each handler file stays a thin
 * adapter: parse the event, call one use case, shape the result.
 */
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { httpErrorHandler, requestLogging } from './middleware';

export type HttpLogic = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;

export function httpHandler(logic: HttpLogic) {
  return middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Error, Context>()
    .use(requestLogging())
    .use(httpErrorHandler())
    .handler(logic);
}
