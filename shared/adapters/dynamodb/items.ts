/**
 * Helpers shared by the DynamoDB repositories: paginated queries, item <-> domain mapping, create-if-absent.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, QueryCommand, type DynamoDBDocumentClient, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import type { z } from 'zod';
import type { CreateOutcome } from '../../ports/repositories';

/** Attributes that belong to storage, not to the domain object. */
export const STORAGE_ATTRIBUTES = ['PK', 'SK', 'GSI1PK', 'GSI1SK', 'entity', 'version', 'createdAt', 'updatedAt', 'expiresAt'];

export class StoredItemError extends Error {
  override name = 'StoredItemError';
}

/** Parses an item read back from the table; a malformed item is a system fault, reported with its key only. */
export function fromItem<S extends z.ZodType>(schema: S, item: Record<string, unknown>): z.infer<S> {
  const result = schema.safeParse(item);
  if (!result.success) {
    throw new StoredItemError(`Stored item ${String(item.PK)} / ${String(item.SK)} does not match its schema: ${result.error.message}`);
  }
  return result.data;
}

export interface TableContext {
  doc: DynamoDBDocumentClient;
  tableName: string;
}

/** Runs a Query to the end, following LastEvaluatedKey. */
export async function queryAll(ctx: TableContext, input: Omit<QueryCommandInput, 'TableName'>): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const page = await ctx.doc.send(new QueryCommand({ ...input, TableName: ctx.tableName, ExclusiveStartKey }));
    items.push(...(page.Items ?? []));
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return items;
}

/** Query of one partition for sort keys starting with `prefix`. */
export function queryPrefix(ctx: TableContext, pk: string, prefix: string): Promise<Record<string, unknown>[]> {
  return queryAll(ctx, {
    KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
    ExpressionAttributeValues: { ':pk': pk, ':prefix': prefix },
  });
}

export async function getItem(ctx: TableContext, key: { PK: string; SK: string }): Promise<Record<string, unknown> | undefined> {
  const out = await ctx.doc.send(new GetCommand({ TableName: ctx.tableName, Key: key }));
  return out.Item;
}

/** A new item with its storage attributes (entity type, version 1, timestamps). */
export function newItem(entity: string, keyAttributes: Record<string, string>, data: object, now: Date): Record<string, unknown> {
  const at = now.toISOString();
  return { ...data, ...keyAttributes, entity, version: 1, createdAt: at, updatedAt: at };
}

/** Puts an item unless one with the same key exists. */
export async function putIfAbsent(ctx: TableContext, item: Record<string, unknown>): Promise<CreateOutcome> {
  try {
    await ctx.doc.send(
      new PutCommand({ TableName: ctx.tableName, Item: item, ConditionExpression: 'attribute_not_exists(PK)' }),
    );
    return 'created';
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return 'exists';
    throw error;
  }
}
