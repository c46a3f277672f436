/**
 * Cold-start wiring of the calendar feeds: the feed version store (the admin API issues and revokes feed links; the
 * member function serves the feeds) and the feeds' deps on top of a function's own repositories, keys and clock.
 */
import { DynamoCalendarFeedStore } from '../adapters/dynamodb/calendar-feed-store';
import { SendingEnvSchema, TableEnvSchema, parseEnv } from '../config';
import type { CalendarFeedStore } from '../ports/calendar-feeds';
import type { Clock } from '../ports/clock';
import type { ClusterCalendarDeps, UnitCalendarDeps } from '../use-cases/calendar-feeds';
import { createDocumentClient } from './aws-clients';

/** The feed version store on the function's table (its own document client: the repositories do not expose theirs). */
export function calendarFeedStoreFromEnv(clock: Clock): CalendarFeedStore {
  const env = parseEnv(TableEnvSchema);
  return new DynamoCalendarFeedStore({ doc: createDocumentClient(env), tableName: env.TABLE_NAME }, clock);
}

/** Both feeds' deps: the function's repositories, link keys and clock, plus the app's origin and the version store. */
export function calendarDepsFromEnv(base: Pick<UnitCalendarDeps, 'repos' | 'linkKeys' | 'clock'>): UnitCalendarDeps & ClusterCalendarDeps {
  const { PUBLIC_BASE_URL } = parseEnv(SendingEnvSchema.pick({ PUBLIC_BASE_URL: true }));
  return { repos: base.repos, linkKeys: base.linkKeys, clock: base.clock, baseUrl: PUBLIC_BASE_URL, feeds: calendarFeedStoreFromEnv(base.clock) };
}
