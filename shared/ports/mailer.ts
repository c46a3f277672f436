/** Outgoing email (SES in AWS, aws-ses-v2-local locally). */
export interface OutgoingEmail {
  to: readonly string[];
  cc?: readonly string[];
  replyTo?: readonly string[];
  subject: string;
  text: string;
  html: string;
}

export interface Mailer {
  send(email: OutgoingEmail): Promise<{ messageId: string }>;
}
