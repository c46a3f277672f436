/** Outgoing email (SES in AWS, aws-ses-v2-local locally). */
export interface OutgoingEmail {
  to: readonly string[];
  cc?: readonly string[];
  replyTo?: readonly string[];
  subject: string;
  text: string;
  html: string;
  /**
   * SES message tags, echoed in bounce and complaint events: the cluster (CLUSTER_TAG) and the correlation id of the
   * work that sent the mail (CORRELATION_TAG). Values may hold only [A-Za-z0-9_-], or SES refuses the whole email.
   */
  tags?: Record<string, string>;
}

export interface Mailer {
  send(email: OutgoingEmail): Promise<{ messageId: string }>;
}
