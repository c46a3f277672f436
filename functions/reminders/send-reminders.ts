/**
 * Target of every reminder schedule (EventBridge Scheduler invokes it asynchronously with the ReminderEvent as
 * input). Whom to email is decided now. A run that throws is retried by Lambda (twice, then the reminder DLQ);
 * the send log keeps each email to one whatever the retries.
 *
 * The run's correlation id is the invocation's Lambda request id, which Lambda keeps for the retries of one
 * asynchronous invocation (locally, with no context, a new one): its log lines, its queued messages and its emails
 * carry it.
 */
import type { Context } from 'aws-lambda';
import { ReminderEventSchema } from '../../shared/domain/reminders';
import { beginInvocationLogs, invocationCorrelationId, logger } from '../../shared/runtime/logger';
import { reminderDeps } from '../../shared/runtime/reminder-deps';
import { runReminder } from '../../shared/use-cases/reminders';

export const handler = async (
  event: unknown,
  context?: Pick<Context, 'awsRequestId'>,
): Promise<{ recipients: number; queued: number; sent: number; alreadySent: number; unreachable: number }> => {
  const correlationId = invocationCorrelationId(context);
  beginInvocationLogs(correlationId);
  const reminder = ReminderEventSchema.parse(event);
  const run = await runReminder(reminderDeps, reminder, { correlationId });
  const summary = {
    recipients: run.recipients.length,
    queued: run.queued,
    sent: run.sent.length,
    alreadySent: run.alreadySent.length,
    unreachable: run.unreachable.length,
  };
  logger.info('reminder run', { ...reminder, ...summary });
  return summary;
};
