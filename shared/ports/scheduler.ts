/** One-time schedules (EventBridge Scheduler in AWS, the local stand-in on a developer's machine). */
import type { PlannedSchedule } from '../domain/reminders';

export interface ScheduleStore {
  /** Names of the live schedules starting with `prefix`, across pages. */
  listNames(prefix: string): Promise<string[]>;
  /** Creates the schedule; 'exists' if one with that name is already there (names are deterministic). */
  create(schedule: PlannedSchedule): Promise<'created' | 'exists'>;
  /** Deletes it; 'missing' if it was already gone (fired, or deleted by someone else). */
  delete(name: string): Promise<'deleted' | 'missing'>;
}
