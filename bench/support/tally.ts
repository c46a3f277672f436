/**
 * What a bench counts while the handlers run: AWS SDK calls per service and command (through the adapters' SDK
 * tap), the DynamoDB capacity they consumed, and handler invocations with their durations (through the local
 * stack's invocation listener).
 */
import { listenToSdkCalls, type SdkCall, type SdkService } from '../../shared/adapters/sdk-calls';

/** DynamoDB bills at least this much per read request (an eventually consistent read of up to 4 KB, or nothing found). */
const MIN_READ_UNITS = 0.5;

export interface Totals {
  /** Calls per service, then per command ("dynamodb" → "Query" → 12). Failed calls included. */
  calls: Partial<Record<SdkService, Record<string, number>>>;
  failedCalls: number;
  /** DynamoDB units as DynamoDB Local reports them, and as billed (each read request at least 0.5 unit). */
  readUnits: number;
  writeUnits: number;
  billedReadUnits: number;
  /** Handler invocations per function id, with the sum of their durations (ms). */
  invocations: Record<string, { count: number; ms: number; failed: number }>;
}

export function emptyTotals(): Totals {
  return { calls: {}, failedCalls: 0, readUnits: 0, writeUnits: 0, billedReadUnits: 0, invocations: {} };
}

export class Tally {
  totals: Totals = emptyTotals();
  private readonly stop: () => void;

  constructor() {
    this.stop = listenToSdkCalls((call) => this.onCall(call), { capacity: true });
  }

  private onCall(call: SdkCall): void {
    const byCommand = (this.totals.calls[call.service] ??= {});
    byCommand[call.command] = (byCommand[call.command] ?? 0) + 1;
    if (call.error) this.totals.failedCalls += 1;
    if (call.consumed) {
      this.totals.readUnits += call.consumed.read;
      this.totals.writeUnits += call.consumed.write;
      const isRead = call.consumed.write === 0;
      this.totals.billedReadUnits += isRead ? Math.max(call.consumed.read, MIN_READ_UNITS) : call.consumed.read;
    }
  }

  /** The local stack's `onInvocation`. */
  readonly onInvocation = (invocation: { functionId: string; ms: number; failed: boolean }): void => {
    const entry = (this.totals.invocations[invocation.functionId] ??= { count: 0, ms: 0, failed: 0 });
    entry.count += 1;
    entry.ms += invocation.ms;
    if (invocation.failed) entry.failed += 1;
  };

  /** Starts a new count; returns the one that ended. */
  reset(): Totals {
    const ended = this.totals;
    this.totals = emptyTotals();
    return ended;
  }

  close(): void {
    this.stop();
  }
}

/** Calls of one service in all, or of one command. */
export function callCount(totals: Totals, service: SdkService, command?: string): number {
  const byCommand = totals.calls[service] ?? {};
  return command ? (byCommand[command] ?? 0) : Object.values(byCommand).reduce((a, b) => a + b, 0);
}

/** "7: GetItem 3, Query 4" for a service (total, then commands in name order), or "–" for none. */
export function describeCalls(calls: Totals['calls'], service: SdkService): string {
  const entries = Object.entries(calls[service] ?? {}).sort(([a], [b]) => a.localeCompare(b));
  if (entries.length === 0) return '–';
  const total = entries.reduce((n, [, v]) => n + v, 0);
  return `${total}: ${entries.map(([command, n]) => `${command} ${n}`).join(', ')}`;
}
