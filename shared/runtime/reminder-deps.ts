/** Cold-start wiring for the reminder function (the target of every reminder schedule). */
import { setTimeout as sleep } from 'node:timers/promises';
import { SqsReminderQueue, createSqsClient, sqsEndpoint } from '../adapters/sqs/reminder-queue';
import { mailerFromEnv } from '../adapters/ses/mailer';
import { LinkSecretEnvSchema, MailEnvSchema, SendingEnvSchema, TableEnvSchema, clockFromEnv, parseEnv } from '../config';
import type { ReminderDeps } from '../use-cases/reminders';
import { repositoriesFromEnv } from './aws-clients';
import { linkKeysFromEnv } from './link-keys';

const env = parseEnv(TableEnvSchema.extend(MailEnvSchema.shape).extend(SendingEnvSchema.shape));
const clock = clockFromEnv();

export const reminderDeps: ReminderDeps = {
  repos: repositoriesFromEnv(env, clock),
  mailer: mailerFromEnv(env),
  linkKeys: linkKeysFromEnv(parseEnv(LinkSecretEnvSchema)),
  clock,
  baseUrl: env.PUBLIC_BASE_URL,
  maxSendRate: env.MAX_SEND_RATE,
  sleep: (ms) => sleep(ms),
  ...(env.REMINDER_QUEUE_URL
    ? { queue: new SqsReminderQueue(createSqsClient({ endpoint: sqsEndpoint(env.REMINDER_QUEUE_URL) }), env.REMINDER_QUEUE_URL), fanOutThreshold: env.FAN_OUT_THRESHOLD }
    : {}),
};
