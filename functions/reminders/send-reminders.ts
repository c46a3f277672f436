/**
 * Target of every reminder schedule (EventBridge Scheduler passes the ReminderEvent as input). Whom to email is
 * decided now; an error is thrown back so Scheduler retries, and the send log keeps each email to one.
 */
import { ReminderEventSchema } from '../../shared/domain/reminders';
import { logger } from '../../shared/runtime/logger';
import { reminderDeps } from '../../shared/runtime/reminder-deps';
import { runReminder } from '../../shared/use-cases/reminders';

export const handler = async (event: unknown): Promise<{ recipients: number; sent: number; alreadySent: number }> => {
  const reminder = ReminderEventSchema.parse(event);
  const run = await runReminder(reminderDeps, reminder);
  const summary = { recipients: run.recipients.length, sent: run.sent.length, alreadySent: run.alreadySent.length };
  logger.info('reminder run', { ...reminder, ...summary });
  return summary;
};
