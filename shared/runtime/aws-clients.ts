/**
 * AWS SDK clients, built once per module from parsed config. Locally only the endpoint changes; the code path is
 * the one that runs in AWS.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { TableEnv } from '../config';

/** The document client every repository uses: optional fields absent rather than stored as NULL. */
export function toDocumentClient(client: DynamoDBClient): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertEmptyValues: false },
  });
}

export function createDocumentClient(env: Pick<TableEnv, 'DYNAMODB_ENDPOINT'>): DynamoDBDocumentClient {
  return toDocumentClient(new DynamoDBClient(env.DYNAMODB_ENDPOINT ? { endpoint: env.DYNAMODB_ENDPOINT } : {}));
}
