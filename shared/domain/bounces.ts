/**
 * Undeliverable addresses, from SES bounce and complaint events: a permanent bounce or a complaint marks an address
 * undeliverable for the cluster that sent the mail; later reminders skip it and the digest lists it.
 */
import * as z from 'zod';
import { ClusterIdSchema, EmailSchema } from './model';

export const UndeliverableSchema = z.object({
  clusterId: ClusterIdSchema,
  email: EmailSchema,
  /** 'bounce' (permanent) or 'complaint' (marked as spam). */
  cause: z.enum(['bounce', 'complaint']),
  /** Vietnamese, for the head: "Địa chỉ không tồn tại (bounce vĩnh viễn)". */
  reason: z.string(),
  /** The mail server's words, for the operator. */
  diagnostic: z.string().max(1000).optional(),
  at: z.iso.datetime(),
});
export type Undeliverable = z.infer<typeof UndeliverableSchema>;

/** The SES event (as SES publishes it to SNS or EventBridge) fields this system reads. */
export const SesEventSchema = z.object({
  eventType: z.string().optional(),
  notificationType: z.string().optional(),
  mail: z.object({
    timestamp: z.string().optional(),
    /** Message tags set when sending: the cluster the mail was for. */
    tags: z.record(z.string(), z.array(z.string())).optional(),
  }),
  bounce: z
    .object({
      bounceType: z.string(),
      bouncedRecipients: z.array(z.object({ emailAddress: z.string(), diagnosticCode: z.string().optional() })),
      timestamp: z.string().optional(),
    })
    .optional(),
  complaint: z
    .object({ complainedRecipients: z.array(z.object({ emailAddress: z.string() })), timestamp: z.string().optional() })
    .optional(),
});
export type SesEvent = z.infer<typeof SesEventSchema>;

/** The tag every email carries so that its bounce can be filed under its cluster. */
export const CLUSTER_TAG = 'cluster';

/**
 * The undeliverable addresses an SES event reports: permanent bounces and complaints only (a transient bounce, a
 * full mailbox, may pass). Nothing when the mail carried no cluster tag.
 */
export function undeliverableFrom(event: SesEvent, now: Date): Undeliverable[] {
  const clusterId = event.mail.tags?.[CLUSTER_TAG]?.[0];
  if (!clusterId || !ClusterIdSchema.safeParse(clusterId).success) return [];
  const type = event.eventType ?? event.notificationType;
  const at = now.toISOString();
  const valid = (address: string) => EmailSchema.safeParse(address);
  if (type === 'Bounce' && event.bounce?.bounceType === 'Permanent') {
    return event.bounce.bouncedRecipients.flatMap((r) => {
      const email = valid(r.emailAddress);
      return email.success
        ? [{ clusterId, email: email.data, cause: 'bounce' as const, reason: 'Địa chỉ không nhận được thư (bị trả lại vĩnh viễn)', ...(r.diagnosticCode ? { diagnostic: r.diagnosticCode.slice(0, 1000) } : {}), at }]
        : [];
    });
  }
  if (type === 'Complaint' && event.complaint) {
    return event.complaint.complainedRecipients.flatMap((r) => {
      const email = valid(r.emailAddress);
      return email.success ? [{ clusterId, email: email.data, cause: 'complaint' as const, reason: 'Người nhận đánh dấu thư là thư rác', at }] : [];
    });
  }
  return [];
}
