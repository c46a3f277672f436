/** Outgoing email (SES in AWS, aws-ses-v2-local locally). */
export interface OutgoingEmail {
  to: readonly string[];
  cc?: readonly string[];
  replyTo?: readonly string[];
  subject: string;
  text: string;
  html: string;
  /** SES message tags, echoed in bounce and complaint events (e.g. the cluster). */
  tags?: Record<string, string>;
}

export interface Mailer {
  send(email: OutgoingEmail): Promise<{ messageId: string }>;
}
