/**
 * The reminder queue's consumer (at most SENDER_CONCURRENCY copies, each at MAX_SEND_RATE / SENDER_CONCURRENCY): the
 * SES rate holds for a whole province whatever the number of reminder runs feeding the queue. Reports partial batch failures: after a
 * throttle, only the unsent messages come back.
 *
 * Each message's email carries its run's correlation id as a tag (set by the run): the lines about a run's emails
 * carry that id, the lines about the batch as a whole this invocation's.
 */
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { CORRELATION_TAG, isCorrelationId } from '../../shared/domain/correlation';
import { QueuedEmailSchema, type QueuedEmail } from '../../shared/ports/reminder-queue';
import { beginInvocationLogs, invocationCorrelationId, logger } from '../../shared/runtime/logger';
import { senderDeps } from '../../shared/runtime/sender-deps';
import { sendEmails } from '../../shared/use-cases/reminders';

interface Valid {
  messageId: string;
  item: QueuedEmail;
}

/** Consecutive messages of the same run, in order (a batch usually holds one run's). */
function byRun(valid: readonly Valid[], fallback: string): Array<{ correlationId: string; items: Valid[] }> {
  const groups: Array<{ correlationId: string; items: Valid[] }> = [];
  for (const v of valid) {
    const tagged = v.item.email.tags?.[CORRELATION_TAG];
    const correlationId = isCorrelationId(tagged) ? tagged : fallback;
    const last = groups.at(-1);
    if (last?.correlationId === correlationId) last.items.push(v);
    else groups.push({ correlationId, items: [v] });
  }
  return groups;
}

export const handler = async (event: SQSEvent, context?: Pick<Context, 'awsRequestId'>): Promise<SQSBatchResponse> => {
  const batchId = invocationCorrelationId(context);
  beginInvocationLogs(batchId);
  const valid: Valid[] = [];
  for (const record of event.Records) {
    const parsed = (() => {
      try {
        return QueuedEmailSchema.safeParse(JSON.parse(record.body));
      } catch {
        return undefined;
      }
    })();
    // A malformed message cannot get better by retrying: log it (without its content) and let it go.
    if (parsed?.success) valid.push({ messageId: record.messageId, item: parsed.data });
    else logger.error('malformed reminder message dropped', { messageId: record.messageId });
  }
  // Messages before `done` were sent or found sent; from the first SES error on, they come back to the queue.
  let done = 0;
  for (const run of byRun(valid, batchId)) {
    logger.setCorrelationId(run.correlationId);
    const result = await sendEmails(senderDeps, run.items.map((v) => v.item));
    done += result.sent.length + result.alreadySent.length;
    logger.info('queued reminders sent', { sent: result.sent.length, alreadySent: result.alreadySent.length });
    if (result.error) {
      logger.warn('reminder sending paused', { unsent: valid.length - done, error: result.error instanceof Error ? result.error.name : 'unknown' });
      break;
    }
  }
  return { batchItemFailures: valid.slice(done).map((v) => ({ itemIdentifier: v.messageId })) };
};
