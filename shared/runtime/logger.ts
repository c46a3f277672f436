/**
 * The one logger (Powertools, structured JSON). Secrets never reach it: callers log route templates, not raw
 * paths, and `redact` masks what may carry a token or an address.
 *
 * Every line of an invocation carries its correlation id (Powertools' `correlation_id` key, set with
 * `logger.setCorrelationId`): see {@link beginInvocationLogs}.
 */
import { randomUUID } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import { toCorrelationId } from '../domain/correlation';

export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'cum-thi-dua' });

/** Masks email addresses and long opaque tokens in a string meant for a log line. */
export function redact(text: string): string {
  return text
    .replace(/[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g, '[email]')
    .replace(/[A-Za-z0-9_-]{32,}(?:\.[A-Za-z0-9_-]{16,})*/g, '[token]');
}

/**
 * The correlation id of an invocation that arrives without one: Lambda's request id (the same for every retry of
 * an asynchronous invocation), or a new one where there is no Lambda context (the local stack).
 */
export function invocationCorrelationId(context?: { awsRequestId?: string }): string {
  return toCorrelationId(context?.awsRequestId) ?? randomUUID();
}

/**
 * Starts an invocation's log context: drops the keys of the previous invocation of this container, then sets the
 * correlation id and the other keys every following line carries.
 */
export function beginInvocationLogs(correlationId: string, keys: Record<string, unknown> = {}): void {
  logger.resetKeys();
  logger.setCorrelationId(correlationId);
  if (Object.keys(keys).length > 0) logger.appendKeys(keys);
}
