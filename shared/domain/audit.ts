/**
 * The audit log (Nhật ký): every admin action and every upload, who did what to what and when. Entries are only
 * ever appended (a conditional put that never overwrites); nothing updates or deletes them.
 */
import * as z from 'zod';
import { ClusterIdSchema } from './model';

import { ACTOR_TYPES } from './labels';

export { ACTOR_TYPES, ACTOR_TYPE_LABELS } from './labels';
export const ActorTypeSchema = z.enum(ACTOR_TYPES);

export const AuditEntrySchema = z.object({
  clusterId: ClusterIdSchema,
  /** ISO instant (UTC). */
  at: z.iso.datetime({ offset: true }),
  /** Unique within the instant; with `at` it orders the log. */
  entryId: z.string().min(6).max(40),
  actor: z.object({ type: ActorTypeSchema, id: z.string().min(1).max(300) }),
  /** Dotted machine name: `unit.update`, `milestone.save`, `upload.recorded`, `sign-in` … */
  action: z.string().regex(/^[a-z]+(?:[.-][a-z]+)*$/),
  /** What it was done to, e.g. `unit:don-vi-mau-a`, `milestone:bao-cao-6-thang`. */
  target: z.string().max(300).optional(),
  /** One sentence in Vietnamese for people. */
  summary: z.string().min(1).max(1000),
  /** Request id or event id that caused it, to find the matching log lines. */
  requestId: z.string().max(200).optional(),
});
export type AuditEntry = z.infer<typeof AuditEntrySchema>;

/** What a caller records; the log adds time and id. */
export type AuditRecord = Omit<AuditEntry, 'at' | 'entryId'>;

export const AuditFilterSchema = z.object({
  /** ICT dates, inclusive. */
  from: z.iso.date().optional(),
  to: z.iso.date().optional(),
  action: z.string().max(60).optional(),
  actorType: ActorTypeSchema.optional(),
  /** Substring of the actor id (an email, a key id, a unit id). */
  actor: z.string().max(300).optional(),
});
export type AuditFilter = z.infer<typeof AuditFilterSchema>;

/** Whether an entry passes the filter's non-key conditions (dates are the key range, applied by the store). */
export function matchesAuditFilter(entry: AuditEntry, filter: AuditFilter): boolean {
  if (filter.action && !entry.action.startsWith(filter.action)) return false;
  if (filter.actorType && entry.actor.type !== filter.actorType) return false;
  if (filter.actor && !entry.actor.id.toLowerCase().includes(filter.actor.toLowerCase())) return false;
  return true;
}
