/** Cold-start wiring of the calendar feeds, on top of the member function's repositories, keys and clock. */
import { SendingEnvSchema, parseEnv } from '../config';
import type { ClusterCalendarDeps, UnitCalendarDeps } from '../use-cases/calendar-feeds';

/** Both feeds' deps: the function's repositories (with the feed version store), link keys and clock, and the app's origin. */
export function calendarDepsFromEnv(base: Pick<ClusterCalendarDeps, 'repos' | 'linkKeys' | 'clock'>): UnitCalendarDeps & ClusterCalendarDeps {
  const { PUBLIC_BASE_URL } = parseEnv(SendingEnvSchema.pick({ PUBLIC_BASE_URL: true }));
  return { repos: base.repos, linkKeys: base.linkKeys, clock: base.clock, baseUrl: PUBLIC_BASE_URL };
}
