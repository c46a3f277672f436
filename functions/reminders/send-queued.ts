/**
 * The reminder queue's consumer (at most SENDER_CONCURRENCY copies, each at MAX_SEND_RATE / SENDER_CONCURRENCY): the
 * SES rate holds for a whole province whatever the number of reminder runs feeding the queue. Reports partial batch failures: after a
 * throttle, only the unsent messages come back.
 */
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { QueuedEmailSchema, type QueuedEmail } from '../../shared/ports/reminder-queue';
import { logger } from '../../shared/runtime/logger';
import { senderDeps } from '../../shared/runtime/sender-deps';
import { sendEmails } from '../../shared/use-cases/reminders';

export const handler = async (event: SQSEvent): Promise<SQSBatchResponse> => {
  const valid: Array<{ messageId: string; item: QueuedEmail }> = [];
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
  const result = await sendEmails(senderDeps, valid.map((v) => v.item));
  const done = result.sent.length + result.alreadySent.length;
  if (result.error) logger.warn('reminder sending paused', { unsent: valid.length - done, error: result.error instanceof Error ? result.error.name : 'unknown' });
  return { batchItemFailures: valid.slice(done).map((v) => ({ itemIdentifier: v.messageId })) };
};
