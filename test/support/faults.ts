/**
 * Fault injectors for the fault drills (test/integration/fault-drills.test.ts): service-shaped errors and crashes on
 * a real SDK client's middleware stack, and the retry AWS runs around an asynchronously invoked Lambda.
 *
 * Where a fault sits decides who sees it:
 * - a service fault (`fault`, `failAttempts`) answers an attempt with the service's own error response (status,
 *   protocol body), below the SDK's retry middleware: the SDK parses it into the real exception and retries it as
 *   it would in AWS. Fewer failed attempts than the client's maxAttempts are absorbed by the SDK; failing every
 *   attempt escapes to the caller, after the SDK's own back-off.
 * - a crash (`crash`) stops the invocation above the retry middleware, before the request is sent or after the
 *   service carried it out, as a Lambda that dies there (timeout, out of memory): nothing after that point runs,
 *   not even the handler's catch blocks; the attempt fails and Lambda's retry, if any, starts afresh. Outside an
 *   invocation ({@link runInvocation}) it is a plain thrown error.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

export type FaultService = 'dynamodb' | 'ses';

/** An error response as the service sends it. */
export interface ServiceFault {
  status: number;
  code: string;
  message: string;
}

export const DYNAMODB_THROTTLE: ServiceFault = {
  status: 400,
  code: 'ProvisionedThroughputExceededException',
  message: 'The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.',
};
export const SES_THROTTLE: ServiceFault = { status: 400, code: 'Throttling', message: 'Maximum sending rate exceeded.' };
export const SES_UNAVAILABLE: ServiceFault = { status: 503, code: 'ServiceUnavailable', message: 'Service Unavailable' };

export interface FaultRule {
  /** The command without "Command": "PutItem", "SendEmail". */
  command: string;
  /** Narrows the calls it applies to, on the input as the app passed it (document-client input for DynamoDB). */
  where?: (input: any) => boolean;
  /** Which of the matching calls it hits (1-based, counted from the injection on); all when absent. */
  calls?: number[];
  /**
   * A service fault for the first `failAttempts` attempts of each call hit, or for all of them ('every'): fewer
   * than the client's maxAttempts (SES 3, DynamoDB 4 in this SDK) are absorbed by the SDK, 'every' escapes.
   */
  fault?: ServiceFault;
  failAttempts?: number | 'every';
  /** A crash: the invocation dies before the request is sent, or after the service carried it out. */
  crash?: 'before' | 'after';
  /** Holds each call hit before it is sent until this resolves (another delivery overtakes it meanwhile). */
  hold?: () => Promise<void>;
}

/** What a fault did, for asserting that the drill's faults really fired. */
export interface FiredFault {
  command: string;
  call: number;
  kind: 'attempt-failed' | 'escaped' | 'crash';
  code: string;
}

export interface FaultInjector {
  readonly fired: FiredFault[];
  /** Faults that reached the caller (escaped the SDK's retries, or crashes). */
  escaped(): FiredFault[];
  /** Replaces the rules (matching calls are counted again from 1). */
  set(rules: FaultRule[]): void;
}

/** The part of a client's middleware stack used here (typed loosely: every SDK client's stack fits). */
interface MiddlewareAdder {
  add(middleware: any, options: { step: string; name: string; priority?: string }): void;
}

interface Hit {
  rule: FaultRule;
  call: number;
  attempt: number;
}

const HIT = Symbol('fault-drill hit');

/** The invocation a call belongs to: how to end it when it crashes. */
const invocation = new AsyncLocalStorage<{ die(error: Error): void }>();

/**
 * Runs one attempt of a Lambda invocation: resolves or rejects with the handler, or rejects at once when the
 * handler crashes (the handler's own promise is then left pending forever, as the dead process's would be).
 */
export function runInvocation<R>(attempt: () => Promise<R>): Promise<R> {
  let die!: (error: Error) => void;
  const died = new Promise<never>((_resolve, reject) => (die = reject));
  return Promise.race([invocation.run({ die }, attempt), died]);
}

/** Adds the injector to `client` (once per client); no rule means no effect. */
export function injectFaults(client: { middlewareStack: object }, service: FaultService, rules: FaultRule[] = []): FaultInjector {
  const stack = client.middlewareStack as MiddlewareAdder;
  let active = rules;
  let counts = new Map<FaultRule, number>();
  const fired: FiredFault[] = [];

  // Above the retry middleware: sees each call once, with the caller's input; crashes here are not retried.
  stack.add(
    (next: (args: any) => Promise<any>, context: any) => async (args: any) => {
      const command = String(context.commandName ?? '').replace(/Command$/, '');
      let hit: { rule: FaultRule; call: number } | undefined;
      for (const rule of active.filter((r) => r.command === command && (!r.where || r.where(args.input)))) {
        const call = (counts.get(rule) ?? 0) + 1;
        counts.set(rule, call);
        if (!hit && (!rule.calls || rule.calls.includes(call))) hit = { rule, call };
      }
      if (!hit) return next(args);
      const { rule, call } = hit;
      const crash = (): Promise<never> => {
        fired.push({ command, call, kind: 'crash', code: `crash-${rule.crash}` });
        const error = new Error(`Simulated crash ${rule.crash} ${command} (call ${call})`);
        const current = invocation.getStore();
        if (!current) throw error;
        current.die(error);
        return new Promise<never>(() => undefined);
      };
      if (rule.crash === 'before') return crash();
      await rule.hold?.();
      context[HIT] = { rule, call, attempt: 0 } satisfies Hit;
      let result: unknown;
      try {
        result = await next(args);
      } catch (error) {
        const name = (error as { name?: string }).name ?? 'Error';
        if (rule.fault && name === rule.fault.code) fired.push({ command, call, kind: 'escaped', code: name });
        throw error;
      }
      return rule.crash === 'after' ? crash() : result;
    },
    { step: 'initialize', name: 'faultDrillCalls' },
  );

  // Below the retry middleware and the deserializer: answers an attempt as the service would.
  stack.add(
    (next: (args: any) => Promise<any>, context: any) => async (args: any) => {
      const hit = context[HIT] as Hit | undefined;
      if (!hit?.rule.fault) return next(args);
      hit.attempt += 1;
      const failing = hit.rule.failAttempts ?? 'every';
      if (failing !== 'every' && hit.attempt > failing) return next(args);
      fired.push({ command: String(context.commandName ?? '').replace(/Command$/, ''), call: hit.call, kind: 'attempt-failed', code: hit.rule.fault.code });
      return { response: errorResponse(service, hit.rule.fault) };
    },
    { step: 'deserialize', name: 'faultDrillAttempts', priority: 'low' },
  );

  return {
    fired,
    escaped: () => fired.filter((f) => f.kind !== 'attempt-failed'),
    set(next) {
      active = next;
      counts = new Map();
    },
  };
}

/** The HTTP answer of a failed call in the service's protocol (what the SDK's deserializer expects). */
function errorResponse(service: FaultService, fault: ServiceFault): { statusCode: number; headers: Record<string, string>; body: Uint8Array } {
  const requestId = randomUUID();
  const type = fault.status >= 500 ? 'Receiver' : 'Sender';
  const answer = (contentType: string, body: string) => ({
    statusCode: fault.status,
    headers: { 'content-type': contentType, 'x-amzn-requestid': requestId },
    body: new Uint8Array(Buffer.from(body, 'utf8')),
  });
  switch (service) {
    case 'dynamodb':
      return answer('application/x-amz-json-1.0', JSON.stringify({ __type: `com.amazonaws.dynamodb.v20120810#${fault.code}`, message: fault.message }));
    case 'ses':
      return answer(
        'text/xml',
        `<ErrorResponse xmlns="http://ses.amazonaws.com/doc/2010-12-01/"><Error><Type>${type}</Type><Code>${fault.code}</Code><Message>${fault.message}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
      );
  }
}

/** A `hold` for `n` calls: each waits until all `n` have arrived, so that they go on at the same moment. */
export function barrier(n: number): () => Promise<void> {
  let arrived = 0;
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return async () => {
    arrived += 1;
    if (arrived >= n) open();
    await opened;
  };
}

/** How long Lambda waits before its two retries of a failed asynchronous invocation (after the failed attempt). */
export const LAMBDA_ASYNC_RETRY_DELAYS_MS = [60_000, 120_000] as const;

/** One asynchronous invocation as Lambda runs it: the same event and request id, retried twice after an error. */
export interface AsyncInvocation<R> {
  /** Attempts made (1 to 3). */
  attempts: number;
  /** The error of each failed attempt (its name and message). */
  errors: string[];
  /** The last attempt's result; absent when all three failed (the event went to the failure destination). */
  result?: R;
}

/**
 * Invokes `handler` as Lambda does an asynchronous invocation: on error, the same event with the same request id
 * again, twice at most, after LAMBDA_ASYNC_RETRY_DELAYS_MS. The retry follows at once; given `clock` (the app's),
 * that clock is first moved on by the delay, for a drill whose retry must find a claim gone stale as in AWS. Without
 * it the clock stands still, and the retry's writes carry the times of the fault-free run.
 */
export async function invokeAsync<E, R>(
  handler: (event: E, context: { awsRequestId: string }) => Promise<R>,
  event: E,
  options: { clock?: { advance(ms: number): void } } = {},
): Promise<AsyncInvocation<R>> {
  const context = { awsRequestId: randomUUID() };
  const errors: string[] = [];
  for (let attempt = 1; attempt <= 3; attempt++) {
    if (attempt > 1) options.clock?.advance(LAMBDA_ASYNC_RETRY_DELAYS_MS[attempt - 2] ?? 0);
    try {
      return { attempts: attempt, errors, result: await runInvocation(() => handler(event, context)) };
    } catch (error) {
      errors.push(error instanceof Error ? `${error.name}: ${error.message}` : String(error));
    }
  }
  return { attempts: 3, errors };
}
