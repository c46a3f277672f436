/**
 * SNS notifications from the SES configuration set's event destination (bounces and complaints). Each message is
 * an SES event; permanent bounces and complaints mark the address undeliverable for the cluster tagged on the mail.
 */
import type { SNSEvent } from 'aws-lambda';
import { z } from 'zod';
import { TableEnvSchema, clockFromEnv, parseEnv } from '../../shared/config';
import { repositoriesFromEnv } from '../../shared/runtime/aws-clients';
import { logger } from '../../shared/runtime/logger';
import { recordMailEvent } from '../../shared/use-cases/mail-events';

const env = parseEnv(TableEnvSchema);
const clock = clockFromEnv();
const deps = { repos: repositoriesFromEnv(env, clock), clock };

const SnsEventSchema = z.object({ Records: z.array(z.object({ Sns: z.object({ Message: z.string() }) })) });

export const handler = async (event: SNSEvent): Promise<void> => {
  for (const record of SnsEventSchema.parse(event).Records) {
    const entries = await recordMailEvent(deps, JSON.parse(record.Sns.Message));
    // Counts only: addresses are personal data and stay out of the logs.
    logger.info('mail event recorded', { undeliverable: entries.length });
  }
};
