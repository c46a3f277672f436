/** SES (v1 API) adapter for the Mailer port; locally the same calls reach aws-ses-v2-local. */
import { SESClient, SendEmailCommand } from '@aws-sdk/client-ses';
import type { Mailer, OutgoingEmail } from '../../ports/mailer';
import { wellFormed } from '../../domain/unicode';
import { localClientConfig, type LocalClientSettings } from '../local-client';
import { observeClient } from '../sdk-calls';

export interface SesSettings {
  /** The verified sender, e.g. "Cụm Thi đua số 5 <no-reply@example.org>". */
  from: string;
  configurationSet?: string;
  endpoint?: string;
}

export function createSesClient(settings: Pick<SesSettings, 'endpoint'> & LocalClientSettings): SESClient {
  return observeClient(new SESClient({ ...localClientConfig(settings) }), 'ses');
}

/** The mailer of a handler, from its parsed configuration (MAIL_FROM, SES_CONFIGURATION_SET, SES_ENDPOINT locally). */
export function mailerFromEnv(env: { MAIL_FROM: string; SES_CONFIGURATION_SET?: string; SES_ENDPOINT?: string }): SesMailer {
  return new SesMailer(createSesClient({ endpoint: env.SES_ENDPOINT }), { from: env.MAIL_FROM, configurationSet: env.SES_CONFIGURATION_SET });
}

export class SesMailer implements Mailer {
  constructor(private readonly client: SESClient, private readonly settings: SesSettings) {}

  async send(email: OutgoingEmail): Promise<{ messageId: string }> {
    const out = await this.client.send(
      new SendEmailCommand({
        Source: this.settings.from,
        Destination: { ToAddresses: [...email.to], ...(email.cc?.length ? { CcAddresses: [...email.cc] } : {}) },
        ...(email.replyTo?.length ? { ReplyToAddresses: [...email.replyTo] } : {}),
        Message: {
          Subject: { Data: wellFormed(email.subject), Charset: 'UTF-8' },
          Body: { Text: { Data: wellFormed(email.text), Charset: 'UTF-8' }, Html: { Data: wellFormed(email.html), Charset: 'UTF-8' } },
        },
        ...(this.settings.configurationSet ? { ConfigurationSetName: this.settings.configurationSet } : {}),
        ...(email.tags ? { Tags: Object.entries(email.tags).map(([Name, Value]) => ({ Name, Value })) } : {}),
      }),
    );
    return { messageId: out.MessageId ?? '' };
  }
}
