/**
 * A process-wide tap on the AWS SDK calls the adapters make: every client they build passes through
 * {@link observeClient}, which adds one middleware. Nobody listens in AWS, and then the middleware only forwards the
 * call. The benches and tests listen ({@link listenToSdkCalls}) to count calls per service and command, and the
 * DynamoDB capacity they consume, through the same clients the handlers use.
 *
 * The listeners live on `globalThis`, so handlers imported by the local stack and a bench in the same process share
 * them even if two copies of this module were loaded.
 */

export type SdkService = 'dynamodb' | 's3' | 'ses' | 'scheduler' | 'sqs' | 'secretsmanager';

/** The capacity a DynamoDB call consumed, as DynamoDB reports it (read and write units). */
export interface ConsumedUnits {
  read: number;
  write: number;
}

export interface SdkCall {
  service: SdkService;
  /** The command's name without "Command": "GetItem", "SendEmail". */
  command: string;
  /** For DynamoDB calls when a listener asked for capacity (ReturnConsumedCapacity TOTAL). */
  consumed?: ConsumedUnits;
  /** Set when the call failed (after the SDK's own retries): the error's name. */
  error?: string;
}

export interface SdkCallListener {
  (call: SdkCall): void;
}

interface Registry {
  listeners: Set<SdkCallListener>;
  /** How many listeners want DynamoDB's consumed capacity. */
  capacity: number;
}

const REGISTRY_KEY = Symbol.for('cum-thi-dua.sdk-calls');

function registry(): Registry {
  const holder = globalThis as unknown as Record<symbol, Registry | undefined>;
  return (holder[REGISTRY_KEY] ??= { listeners: new Set(), capacity: 0 });
}

/**
 * Calls `listener` after every SDK call of an observed client in this process, until the returned function is
 * called. With `capacity`, DynamoDB calls ask for their consumed capacity (a field of the response only: the call
 * is otherwise the same).
 */
export function listenToSdkCalls(listener: SdkCallListener, options: { capacity?: boolean } = {}): () => void {
  const reg = registry();
  const wrapped: SdkCallListener = (call) => listener(call);
  reg.listeners.add(wrapped);
  if (options.capacity) reg.capacity += 1;
  let active = true;
  return () => {
    if (!active) return;
    active = false;
    reg.listeners.delete(wrapped);
    if (options.capacity) reg.capacity -= 1;
  };
}

/** DynamoDB commands that accept ReturnConsumedCapacity. */
const CAPACITY_COMMANDS = new Set([
  'GetItem', 'PutItem', 'UpdateItem', 'DeleteItem', 'Query', 'Scan',
  'BatchGetItem', 'BatchWriteItem', 'TransactGetItems', 'TransactWriteItems',
]);

interface CapacityEntry {
  CapacityUnits?: number;
  ReadCapacityUnits?: number;
  WriteCapacityUnits?: number;
}

/** Read and write units from a response's ConsumedCapacity (one entry, or one per table for batches). */
export function consumedUnits(command: string, consumed: CapacityEntry | CapacityEntry[] | undefined): ConsumedUnits {
  const entries = consumed === undefined ? [] : Array.isArray(consumed) ? consumed : [consumed];
  const isWrite = /^(Put|Update|Delete|BatchWrite|TransactWrite)/.test(command);
  let read = 0;
  let write = 0;
  for (const e of entries) {
    if (e.ReadCapacityUnits !== undefined || e.WriteCapacityUnits !== undefined) {
      read += e.ReadCapacityUnits ?? 0;
      write += e.WriteCapacityUnits ?? 0;
    } else if (isWrite) write += e.CapacityUnits ?? 0;
    else read += e.CapacityUnits ?? 0;
  }
  return { read, write };
}

interface ObservableClient {
  middlewareStack: {
    add(
      middleware: (next: (args: { input: object }) => Promise<{ output: unknown }>, context: { commandName?: string }) =>
        (args: { input: object }) => Promise<{ output: unknown }>,
      options: { step: 'initialize'; name: string },
    ): void;
  };
}

/** Adds the tap to a client (once per client) and returns it. */
export function observeClient<C>(client: C, service: SdkService): C {
  (client as unknown as ObservableClient).middlewareStack.add(
    (next, context) => async (args) => {
      const reg = registry();
      if (reg.listeners.size === 0) return next(args);
      const command = String(context.commandName ?? 'Unknown').replace(/Command$/, '');
      const withCapacity = service === 'dynamodb' && reg.capacity > 0 && CAPACITY_COMMANDS.has(command);
      const input = args.input as { ReturnConsumedCapacity?: string };
      const asked = withCapacity && input.ReturnConsumedCapacity === undefined;
      if (asked) input.ReturnConsumedCapacity = 'TOTAL';
      const emit = (call: SdkCall) => {
        for (const listener of reg.listeners) listener(call);
      };
      try {
        const result = await next(args);
        const output = result.output as { ConsumedCapacity?: CapacityEntry | CapacityEntry[]; presigned?: unknown };
        // getSignedUrl runs the command's middleware but stops before sending: a signature, not a call.
        if ('presigned' in output) return result;
        const consumed = withCapacity ? consumedUnits(command, output.ConsumedCapacity) : undefined;
        // Callers that did not ask for the capacity get the response they would have had.
        if (asked) delete output.ConsumedCapacity;
        emit({ service, command, ...(consumed ? { consumed } : {}) });
        return result;
      } catch (error) {
        emit({ service, command, error: (error as { name?: string }).name ?? 'Error' });
        throw error;
      }
    },
    { step: 'initialize', name: 'cumThiDuaSdkCalls' },
  );
  return client;
}
