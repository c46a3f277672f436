/**
 * Test helpers for talking to the emulators with the real SDK: clients, a fresh table per test file, and a
 * counter of the calls each use case makes.
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { toDocumentClient } from '../../shared/runtime/aws-clients';
import { inject } from 'vitest';
import { ensureTable } from '../../shared/adapters/dynamodb/create-table';
import { LOCAL_CREDENTIALS } from '../../local/emulators';

/** Counts SDK commands by name, through the client's middleware stack. */
export class CallCounter {
  readonly calls: string[] = [];
  count(command?: string): number {
    return command ? this.calls.filter((c) => c === command).length : this.calls.length;
  }
  reset(): void {
    this.calls.length = 0;
  }
}

export function dynamoClient(counter?: CallCounter): DynamoDBClient {
  const stack = inject('stack');
  const client = new DynamoDBClient({ endpoint: stack.dynamodbEndpoint, region: stack.region, credentials: LOCAL_CREDENTIALS });
  if (counter) {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        counter.calls.push(String(context.commandName));
        return next(args);
      },
      { step: 'initialize', name: 'callCounter' },
    );
  }
  return client;
}

/** A new, empty table with the project's key schema; each test file gets its own, so files run in parallel. */
export async function freshTable(counter?: CallCounter): Promise<{ doc: DynamoDBDocumentClient; tableName: string }> {
  const client = dynamoClient(counter);
  const tableName = `test-${randomUUID()}`;
  await ensureTable(client, tableName);
  counter?.reset();
  return { doc: toDocumentClient(client), tableName };
}
