/**
 * Which reminders a plan needs, as data: one-time schedules at a fixed ICT hour, derived from milestones alone.
 * Whom each reminder goes to is decided when it fires (see use-cases/reminders), not here.
 */
import { createHash } from 'node:crypto';
import * as z from 'zod';
import { deadlineOf } from './deadlines';
import { ClusterIdSchema, MilestoneIdSchema, PlanIdSchema, type Milestone, type Plan } from './model';
import { addDays, startOfIctDay, type LocalDate } from './time';

import { REMINDER_KINDS } from './labels';

export { REMINDER_KINDS, type ReminderKind } from './labels';

/** What a schedule carries to the reminder handler (the Scheduler target's Input). */
export const ReminderEventSchema = z.object({
  clusterId: ClusterIdSchema,
  planId: PlanIdSchema,
  milestoneId: MilestoneIdSchema,
  kind: z.enum(REMINDER_KINDS),
  /** Days before the due date (reminders); 0 for overdue notices and digests. */
  offset: z.number().int().min(0).max(60),
});
export type ReminderEvent = z.infer<typeof ReminderEventSchema>;

export interface PlannedSchedule {
  /** Deterministic: the same milestone, kind and offset always give the same name, so re-running changes nothing. */
  name: string;
  /** When it fires, in ICT: "2021-12-09T08:00:00" (for `at(...)` with ScheduleExpressionTimezone Asia/Ho_Chi_Minh). */
  localTime: string;
  /** The same instant, for comparisons. */
  fireAt: Date;
  event: ReminderEvent;
}

const shortHash = (text: string, length: number): string => createHash('sha256').update(text).digest('hex').slice(0, length);

/**
 * A schedule's name says everything about it: cluster, plan, (milestone, kind, offset) and the ICT fire time, e.g.
 * `c1f0e5a9b2c47-2021-2022-r1-5d41402abc-20211209T0800` (at most 64 characters of [0-9A-Za-z-_.]; hashes keep long
 * ids inside that). Moving a milestone changes the names of its schedules, so comparing the planned and the live
 * sets by name is the whole of drift detection: one List call, no Get per schedule.
 */
export function scheduleName(event: ReminderEvent, localTime: string): string {
  const what = shortHash(`${event.milestoneId}|${event.kind}|${event.offset}`, 10);
  const when = localTime.replace(/[-:]/g, '').slice(0, 13);
  return `${planSchedulePrefix(event.clusterId, event.planId)}${event.kind[0]}${event.offset}-${what}-${when}`;
}

/** Every schedule of a cluster starts with this. */
export function clusterSchedulePrefix(clusterId: string): string {
  return `c${shortHash(clusterId, 12)}-`;
}

/** Every schedule of one plan of a cluster starts with this, so reconciling a plan lists only its own. */
export function planSchedulePrefix(clusterId: string, planId: string): string {
  return `${clusterSchedulePrefix(clusterId)}${planId}-`;
}

const at = (day: LocalDate, hour: number): { localTime: string; fireAt: Date } => {
  const hh = String(hour).padStart(2, '0');
  return { localTime: `${day}T${hh}:00:00`, fireAt: new Date(startOfIctDay(day).getTime() + hour * 3_600_000) };
};

/** Milestones whose date is only a month (or unknown) get no reminders until a day is fixed. */
export function milestonesWithoutDay(milestones: readonly Milestone[]): Milestone[] {
  return milestones.filter((m) => m.due.type !== 'date' && (m.document || m.assignments.length > 0));
}

/**
 * The schedules a plan needs at `now`:
 * - a reminder `offset` days before the due date at the plan's hour, for each offset, while it is still before the
 *   deadline (under "trước ngày 10/12" the 10th is already late, so the due-day reminder becomes the overdue notice);
 * - for document milestones, an overdue notice and the cluster head's digest the day after the last accepted day;
 * - nothing in the past, nothing for month-only or undated milestones.
 */
export function planSchedules(plan: Plan, milestones: readonly Milestone[], now: Date): PlannedSchedule[] {
  const out: PlannedSchedule[] = [];
  for (const m of milestones) {
    if (m.due.type !== 'date') continue;
    const deadline = deadlineOf(m, plan);
    if (deadline.type !== 'exact') continue;
    const base = { clusterId: plan.clusterId, planId: plan.planId, milestoneId: m.milestoneId };
    const add = (event: ReminderEvent, day: LocalDate) => {
      const when = at(day, plan.reminderHour);
      if (when.fireAt.getTime() > now.getTime()) out.push({ name: scheduleName(event, when.localTime), ...when, event });
    };
    for (const offset of [...new Set(m.reminderOffsets)].sort((a, b) => b - a)) {
      const day = addDays(m.due.date, -offset);
      if (at(day, plan.reminderHour).fireAt.getTime() < deadline.dueAt.getTime()) add({ ...base, kind: 'reminder', offset }, day);
    }
    if (m.document) {
      const dayAfter = addDays(deadline.lastDay, 1);
      add({ ...base, kind: 'overdue', offset: 0 }, dayAfter);
      add({ ...base, kind: 'digest', offset: 0 }, dayAfter);
    }
  }
  return out.sort((a, b) => a.fireAt.getTime() - b.fireAt.getTime() || a.name.localeCompare(b.name));
}
