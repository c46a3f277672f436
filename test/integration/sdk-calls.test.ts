/**
 * The SDK tap the benches count with, on a real client against DynamoDB Local: what a listener hears, the
 * capacity it can ask for, and that callers see the response they would have had without it.
 */
import { randomUUID } from 'node:crypto';
import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { createS3Client } from '../../shared/adapters/s3/file-store';
import { LOCAL_CREDENTIALS } from '../../local/emulators';
import { consumedUnits, listenToSdkCalls, observeClient, type SdkCall } from '../../shared/adapters/sdk-calls';
import { ensureTable } from '../../shared/adapters/dynamodb/create-table';
import { toDocumentClient } from '../../shared/runtime/aws-clients';
import { dynamoClient } from '../support/aws';

const stops: Array<() => void> = [];
afterEach(() => stops.splice(0).forEach((stop) => stop()));

async function table() {
  const client = observeClient(dynamoClient(), 'dynamodb');
  const tableName = `test-sdk-calls-${randomUUID()}`;
  await ensureTable(client, tableName);
  return { doc: toDocumentClient(client), tableName };
}

describe('listenToSdkCalls', () => {
  it('hears each call by service and command, with capacity only when asked, and stops when told', async () => {
    const { doc, tableName } = await table();
    const heard: SdkCall[] = [];
    const stop = listenToSdkCalls((call) => heard.push(call), { capacity: true });
    stops.push(stop);
    await doc.send(new PutCommand({ TableName: tableName, Item: { PK: 'a', SK: 'b', text: 'x'.repeat(3000) } }));
    const got = await doc.send(new GetCommand({ TableName: tableName, Key: { PK: 'a', SK: 'b' } }));
    await doc.send(new GetCommand({ TableName: tableName, Key: { PK: 'a', SK: 'b' }, ConsistentRead: true }));
    expect(got.Item?.text).toHaveLength(3000);
    // The caller did not ask for the capacity: it does not get it.
    expect(got.ConsumedCapacity).toBeUndefined();
    expect(heard).toEqual([
      { service: 'dynamodb', command: 'PutItem', consumed: { read: 0, write: 3 } },
      { service: 'dynamodb', command: 'GetItem', consumed: { read: 0.5, write: 0 } },
      { service: 'dynamodb', command: 'GetItem', consumed: { read: 1, write: 0 } },
    ]);
    stop();
    await doc.send(new GetCommand({ TableName: tableName, Key: { PK: 'a', SK: 'b' } }));
    expect(heard).toHaveLength(3);
  });

  it('leaves a caller that asked for the capacity its answer, and reports failed calls by error name', async () => {
    const { doc, tableName } = await table();
    const heard: SdkCall[] = [];
    await doc.send(new PutCommand({ TableName: tableName, Item: { PK: 'a', SK: 'b' } }));
    stops.push(listenToSdkCalls((call) => heard.push(call)));
    const queried = await doc.send(
      new QueryCommand({ TableName: tableName, KeyConditionExpression: 'PK = :p', ExpressionAttributeValues: { ':p': 'a' }, ReturnConsumedCapacity: 'TOTAL' }),
    );
    expect(queried.ConsumedCapacity?.CapacityUnits).toBeGreaterThan(0);
    await expect(doc.send(new GetCommand({ TableName: `${tableName}-missing`, Key: { PK: 'a', SK: 'b' } }))).rejects.toThrow();
    expect(heard).toEqual([
      { service: 'dynamodb', command: 'Query' },
      { service: 'dynamodb', command: 'GetItem', error: 'ResourceNotFoundException' },
    ]);
  });
});

describe('the S3 client the adapters build', () => {
  it('reports requests it sends, and not the signing of a download link (no request leaves)', async () => {
    const stack = inject('stack');
    const s3 = createS3Client({ endpoint: stack.s3Endpoint, region: stack.region, credentials: LOCAL_CREDENTIALS });
    const heard: SdkCall[] = [];
    stops.push(listenToSdkCalls((call) => heard.push(call)));
    const url = await getSignedUrl(s3, new GetObjectCommand({ Bucket: stack.bucketName, Key: 'uploads/none' }), { expiresIn: 60 });
    expect(url).toContain('X-Amz-Signature=');
    expect(heard).toEqual([]);
    await expect(s3.send(new GetObjectCommand({ Bucket: stack.bucketName, Key: 'uploads/none' }))).rejects.toThrow();
    expect(heard).toEqual([{ service: 's3', command: 'GetObject', error: 'NoSuchKey' }]);
  });
});

describe('consumedUnits', () => {
  it('reads one entry or one per table, split into read and write units', () => {
    expect(consumedUnits('Query', undefined)).toEqual({ read: 0, write: 0 });
    expect(consumedUnits('Query', { CapacityUnits: 2.5 })).toEqual({ read: 2.5, write: 0 });
    expect(consumedUnits('UpdateItem', { CapacityUnits: 1 })).toEqual({ read: 0, write: 1 });
    expect(consumedUnits('BatchGetItem', [{ CapacityUnits: 1 }, { CapacityUnits: 0.5 }])).toEqual({ read: 1.5, write: 0 });
    // Transactions report read and write units separately when both happen (a ConditionCheck is a read).
    expect(consumedUnits('TransactWriteItems', [{ CapacityUnits: 5, ReadCapacityUnits: 1, WriteCapacityUnits: 4 }])).toEqual({ read: 1, write: 4 });
  });
});
