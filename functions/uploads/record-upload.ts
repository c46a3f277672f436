/**
 * EventBridge "Object Created" events from the uploads bucket (a rule keeps only keys under uploads/): records each
 * file once, checks it, emails the receipt. An error is thrown back so the asynchronous invocation is retried; the
 * use case makes a retry finish only what was unfinished.
 *
 * EventBridge rather than a direct S3 notification: the bucket lives in the stateful stack and the function in the
 * stateless one, and a notification would make the two stacks depend on each other.
 */
import type { Context } from 'aws-lambda';
import { beginInvocationLogs, invocationCorrelationId, logger } from '../../shared/runtime/logger';
import { recorderDeps } from '../../shared/runtime/recorder-deps';
import { recordUpload } from '../../shared/use-cases/record-upload';
import { ObjectCreatedEventSchema } from './object-created-event';

export const handler = async (event: unknown, context?: Pick<Context, 'awsRequestId'>): Promise<void> => {
  // Until the upload's intent is read (it holds the id of the request that asked for the form), this invocation's.
  const correlationId = invocationCorrelationId(context);
  beginInvocationLogs(correlationId);
  const parsed = ObjectCreatedEventSchema.parse(event);
  const result = await recordUpload(recorderDeps, { objectKey: parsed.detail.object.key, receivedAt: new Date(parsed.time), correlationId });
  if (result.outcome === 'ignored') logger.warn('object not recorded', { reason: result.reason });
};
