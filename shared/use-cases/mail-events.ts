/** SES bounce and complaint events: each undeliverable address is recorded for the cluster that sent to it. */
import { SesEventSchema, undeliverableFrom, type Undeliverable } from '../domain/bounces';
import type { Clock } from '../ports/clock';
import type { Repositories } from '../ports/repositories';

export async function recordMailEvent(deps: { repos: Pick<Repositories, 'undeliverable'>; clock: Clock }, event: unknown): Promise<Undeliverable[]> {
  const entries = undeliverableFrom(SesEventSchema.parse(event), deps.clock.now());
  for (const entry of entries) await deps.repos.undeliverable.put(entry);
  return entries;
}
