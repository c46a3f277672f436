/** Cold-start wiring for the bounded sender (the reminder queue's single consumer). */
import { setTimeout as sleep } from 'node:timers/promises';
import { createDynamoRepositories } from '../adapters/dynamodb/repositories';
import { SesMailer, createSesClient } from '../adapters/ses/mailer';
import { MailEnvSchema, SendingEnvSchema, TableEnvSchema, clockFromEnv, parseEnv } from '../config';
import type { SenderDeps } from '../use-cases/reminders';
import { createDocumentClient } from './aws-clients';

const env = parseEnv(TableEnvSchema.extend(MailEnvSchema.shape).extend(SendingEnvSchema.pick({ MAX_SEND_RATE: true }).shape));
const clock = clockFromEnv();

export const senderDeps: SenderDeps = {
  repos: createDynamoRepositories(createDocumentClient(env), env.TABLE_NAME, clock),
  mailer: new SesMailer(createSesClient({ endpoint: env.SES_ENDPOINT }), { from: env.MAIL_FROM, configurationSet: env.SES_CONFIGURATION_SET }),
  clock,
  maxSendRate: env.MAX_SEND_RATE,
  sleep: (ms) => sleep(ms),
};
