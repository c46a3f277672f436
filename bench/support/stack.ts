/**
 * The local stack a bench runs on: in its own process, on a simulated clock the bench may move (`setSimulatedNow`),
 * with every SDK call and handler invocation counted, and repositories for setting up (their calls are not counted:
 * their client is not observed).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createDynamoRepositories } from '../../shared/adapters/dynamodb/repositories';
import { clockFromEnv, setSimulatedNow } from '../../shared/config';
import type { Clock } from '../../shared/ports/clock';
import type { Repositories } from '../../shared/ports/repositories';
import { toDocumentClient } from '../../shared/runtime/aws-clients';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../local/emulators';
import { startLocalStack, type LocalStack } from '../../local/stack';
import { Tally } from './tally';

export interface BenchStack {
  stack: LocalStack;
  tally: Tally;
  clock: Clock;
  repos: Repositories;
  close(): Promise<void>;
}

export async function startBenchStack(options: { at: Date; maxSendRate: number }): Promise<BenchStack> {
  const simulatedStart = setSimulatedNow(options.at);
  const clock = clockFromEnv(process.env);
  const tally = new Tally();
  const stack = await startLocalStack({ clock, simulatedStart, maxSendRate: options.maxSendRate, onInvocation: tally.onInvocation });
  const dynamo = new DynamoDBClient({ endpoint: stack.info.dynamodbEndpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  return {
    stack,
    tally,
    clock,
    repos: createDynamoRepositories(toDocumentClient(dynamo), stack.info.tableName, clock),
    close: async () => {
      dynamo.destroy();
      tally.close();
      await stack.close();
    },
  };
}
