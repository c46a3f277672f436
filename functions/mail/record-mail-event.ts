/**
 * SNS notifications from the SES configuration set's event destination (bounces and complaints). Each message is
 * an SES event; permanent bounces and complaints mark the address undeliverable for the cluster tagged on the mail.
 * Its lines carry the correlation id tagged on the mail, so a bounce leads back to the request or run that sent it.
 */
import type { Context, SNSEvent } from 'aws-lambda';
import * as z from 'zod';
import { SesEventSchema } from '../../shared/domain/bounces';
import { CORRELATION_TAG, isCorrelationId } from '../../shared/domain/correlation';
import { TableEnvSchema, clockFromEnv, parseEnv } from '../../shared/config';
import { repositoriesFromEnv } from '../../shared/runtime/aws-clients';
import { beginInvocationLogs, invocationCorrelationId, logger } from '../../shared/runtime/logger';
import { recordMailEvent } from '../../shared/use-cases/mail-events';

const env = parseEnv(TableEnvSchema);
const clock = clockFromEnv();
const deps = { repos: repositoriesFromEnv(env, clock), clock };

const SnsEventSchema = z.object({ Records: z.array(z.object({ Sns: z.object({ Message: z.string() }) })) });

/** The correlation id tagged on the mail an SES event is about, if any. */
function taggedCorrelationId(message: unknown): string | undefined {
  const parsed = SesEventSchema.safeParse(message);
  const tagged = parsed.success ? parsed.data.mail.tags?.[CORRELATION_TAG]?.[0] : undefined;
  return isCorrelationId(tagged) ? tagged : undefined;
}

export const handler = async (event: SNSEvent, context?: Pick<Context, 'awsRequestId'>): Promise<void> => {
  const invocationId = invocationCorrelationId(context);
  beginInvocationLogs(invocationId);
  for (const record of SnsEventSchema.parse(event).Records) {
    const message: unknown = JSON.parse(record.Sns.Message);
    logger.setCorrelationId(taggedCorrelationId(message) ?? invocationId);
    const entries = await recordMailEvent(deps, message);
    // Counts only: addresses are personal data and stay out of the logs.
    logger.info('mail event recorded', { undeliverable: entries.length });
  }
};
