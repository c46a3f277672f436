/**
 * The queue between a reminder run and the one bounded sender: a province-wide morning of reminders (many clusters'
 * schedules at 08:00) goes out through a single consumer, so the SES rate holds whatever the number of runs.
 */
import * as z from 'zod';
import { ReminderEventSchema } from '../domain/reminders';
import type { OutgoingEmail } from './mailer';
import type { SendRef } from './send-log';

/** A queued email read back from a message body (checked: the queue is an edge). */
export const QueuedEmailSchema = z.object({
  ref: ReminderEventSchema.extend({ recipient: z.string().min(1) }),
  email: z.object({
    to: z.array(z.string()).min(1),
    cc: z.array(z.string()).optional(),
    replyTo: z.array(z.string()).optional(),
    subject: z.string(),
    text: z.string(),
    html: z.string(),
    tags: z.record(z.string(), z.string()).optional(),
  }),
});
/** One email waiting for the sender: what to claim in the send log, and what to send. */
export interface QueuedEmail {
  ref: SendRef;
  email: OutgoingEmail;
}

export interface ReminderQueue {
  enqueue(items: readonly QueuedEmail[]): Promise<void>;
}
