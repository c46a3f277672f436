/**
 * AWS SDK clients, built once per module from parsed config. Locally only the endpoint changes; the code path is
 * the one that runs in AWS.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { TableEnv } from '../config';
import { createDynamoRepositories } from '../adapters/dynamodb/repositories';
import type { Clock } from '../ports/clock';
import type { Repositories } from '../ports/repositories';
import { observeClient } from '../adapters/sdk-calls';

/** The document client every repository uses: optional fields absent rather than stored as NULL. */
export function toDocumentClient(client: DynamoDBClient): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertEmptyValues: false },
  });
}

/** The repositories of a handler, from its parsed table configuration. */
export function repositoriesFromEnv(env: TableEnv, clock: Clock): Repositories {
  return createDynamoRepositories(createDocumentClient(env), env.TABLE_NAME, clock);
}

export function createDocumentClient(env: Pick<TableEnv, 'DYNAMODB_ENDPOINT'>): DynamoDBDocumentClient {
  return toDocumentClient(observeClient(new DynamoDBClient(env.DYNAMODB_ENDPOINT ? { endpoint: env.DYNAMODB_ENDPOINT } : {}), 'dynamodb'));
}
