/** Cold-start wiring for the bounded sender (the reminder queue's single consumer). */
import { setTimeout as sleep } from 'node:timers/promises';
import { mailerFromEnv } from '../adapters/ses/mailer';
import { MailEnvSchema, SendingEnvSchema, TableEnvSchema, clockFromEnv, parseEnv } from '../config';
import type { SenderDeps } from '../use-cases/reminders';
import { repositoriesFromEnv } from './aws-clients';

const env = parseEnv(TableEnvSchema.extend(MailEnvSchema.shape).extend(SendingEnvSchema.pick({ MAX_SEND_RATE: true, SENDER_CONCURRENCY: true }).shape));
const clock = clockFromEnv();

export const senderDeps: SenderDeps = {
  repos: repositoriesFromEnv(env, clock),
  mailer: mailerFromEnv(env),
  clock,
  // Several consumers may run at once (the event source's maximum concurrency): together they keep to the rate.
  maxSendRate: env.MAX_SEND_RATE / env.SENDER_CONCURRENCY,
  sleep: (ms) => sleep(ms),
};
