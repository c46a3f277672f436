/**
 * The local stack the browser tests run against: the same `startLocalStack` as the harness and `npm start`, started
 * in this test file's own process (vitest's `forks` pool: one process per file, so its environment stays here), on
 * the harness's instant (HARNESS_NOW) through the stack's simulated clock, as `NOW=... npm start` does.
 *
 * Why not the harness's stack (`inject('stack')`): test/support/global-setup.ts starts it with
 * `clock: fixedClock(HARNESS_NOW)` but no `simulatedStart`, and local/stack.ts only hands a clock to the Lambda
 * handlers through CLOCK_START/CLOCK_STARTED_AT, which it sets from `simulatedStart` alone. The seed and the
 * object-created events follow HARNESS_NOW, but the member handlers (page, upload form, upload state) run on the
 * real clock, where every 2021-2022 link expired on 31/10/2022: each link opens "Đường link đã hết hạn" (410).
 * Once the harness passes `simulatedStart`, these tests can use `inject('stack')` instead.
 */
import { offsetClock, type Clock } from '../../shared/ports/clock';
import { startLocalStack, type LocalStack } from '../../local/stack';
import { HARNESS_NOW } from '../support/global-setup';

export interface E2eStack extends LocalStack {
  /** The stack's clock: HARNESS_NOW when the stack started, running forward in real time. */
  clock: Clock;
}

export async function startE2eStack(): Promise<E2eStack> {
  const startedAt = Date.now();
  const clock = offsetClock(HARNESS_NOW, startedAt);
  const stack = await startLocalStack({ clock, simulatedStart: { start: new Date(HARNESS_NOW).toISOString(), startedAt } });
  return { ...stack, clock };
}
