/**
 * Starts the same local stack as `npm start`, in memory and on free ports, once for the whole test run.
 * Tests read its description with `inject('stack')`.
 */
import type { TestProject } from 'vitest/node';
import { offsetClock } from '../../shared/ports/clock';
import { startLocalStack, type StackInfo } from '../../local/stack';

declare module 'vitest' {
  export interface ProvidedContext {
    stack: StackInfo;
  }
}

/**
 * The harness's "now": inside the 2021-2022 reference year, so seeding adds no clone, links to the reference plan
 * are valid and its 6-month report is not yet due. The clock runs forward from there, as with NOW=... npm start.
 */
export const HARNESS_NOW = '2021-11-25T09:00:00+07:00';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  // Every test file's requests come from 127.0.0.1: the per-address limit would make them depend on each other.
  // The limit itself is tested per email address (test/integration/admin-sign-in.test.ts) and in unit tests.
  process.env.SIGN_IN_LIMIT_PER_IP = '10000';
  const simulatedStart = { start: new Date(HARNESS_NOW).toISOString(), startedAt: Date.now() };
  const stack = await startLocalStack({ clock: offsetClock(simulatedStart.start, simulatedStart.startedAt), simulatedStart });
  project.provide('stack', stack.info);
  return () => stack.close();
}
