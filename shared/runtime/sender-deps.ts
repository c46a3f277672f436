/** Cold-start wiring for the bounded sender (the reminder queue's single consumer). */
import { setTimeout as sleep } from 'node:timers/promises';
import { createDynamoRepositories } from '../adapters/dynamodb/repositories';
import { SesMailer, createSesClient } from '../adapters/ses/mailer';
import { MailEnvSchema, SendingEnvSchema, TableEnvSchema, clockFromEnv, parseEnv } from '../config';
import type { SenderDeps } from '../use-cases/reminders';
import { createDocumentClient } from './aws-clients';

const env = parseEnv(TableEnvSchema.extend(MailEnvSchema.shape).extend(SendingEnvSchema.pick({ MAX_SEND_RATE: true, SENDER_CONCURRENCY: true }).shape));
const clock = clockFromEnv();

export const senderDeps: SenderDeps = {
  repos: createDynamoRepositories(createDocumentClient(env), env.TABLE_NAME, clock),
  mailer: new SesMailer(createSesClient({ endpoint: env.SES_ENDPOINT }), { from: env.MAIL_FROM, configurationSet: env.SES_CONFIGURATION_SET }),
  clock,
  // Several consumers may run at once (the event source's maximum concurrency): together they keep to the rate.
  maxSendRate: env.MAX_SEND_RATE / env.SENDER_CONCURRENCY,
  sleep: (ms) => sleep(ms),
};
