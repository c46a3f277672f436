/**
 * DynamoDB adapter of the AdminAuthStore. Partitions (docs/data-model.md):
 * - `ADMIN#<email>`: the address's grants (`CLUSTER#<c>#UNIT#<u>`, `PROVINCE#<p>`), one Query per check;
 * - `SIGNIN#<hash>`, `SESSION#<hash>`, `APIKEY#<hash>`: one item each, found by the hash of the presented secret;
 * - `CLUSTER#<c>` / `APIKEY#<keyId>`: the key's listing entry;
 * - `RATE#<bucket>` / `<windowStart>`: fixed-window counters.
 * Short-lived items carry `expiresAt` (TTL); reads check it too, as TTL deletion lags.
 */
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, PutCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { AdminGrantSchema, ApiKeyInfoSchema, SessionSchema, SignInTokenSchema, type AdminGrant, type ApiKeyInfo, type Session, type SignInToken } from '../../domain/admin';
import type { AdminAuthStore, ConsumeOutcome } from '../../ports/admin-auth';
import { fromItem, getItem, queryAll, queryPrefix, type TableContext } from './items';
import { keys } from './table';

const grantSortKey = (g: AdminGrant): string =>
  g.scope === 'cluster' ? `CLUSTER#${g.clusterId}#UNIT#${g.unitId}` : `PROVINCE#${g.provinceId}`;

export class DynamoAdminAuthStore implements AdminAuthStore {
  constructor(private readonly ctx: TableContext) {}

  async grantsOf(email: string): Promise<AdminGrant[]> {
    const items = await queryAll(this.ctx, {
      KeyConditionExpression: 'PK = :pk',
      ExpressionAttributeValues: { ':pk': keys.adminPartition(email) },
    });
    return items.map((item) => fromItem(AdminGrantSchema, item));
  }

  async syncUnitGrants(clusterId: string, unitId: string, emails: readonly string[]): Promise<void> {
    // The unit's grants are found through the unit's own index entries (GSI1 `UNITGRANTS#<c>#<u>`), so the old
    // addresses are known even after the unit's emails changed.
    const existing = await queryAll(this.ctx, {
      IndexName: 'GSI1',
      KeyConditionExpression: 'GSI1PK = :pk',
      ExpressionAttributeValues: { ':pk': keys.unitGrantsIndex(clusterId, unitId) },
    });
    const wanted = new Set(emails);
    const have = new Set(existing.map((i) => String(i.email)));
    const puts = [...wanted].filter((e) => !have.has(e)).map((email) => {
      const grant: AdminGrant = { scope: 'cluster', email, clusterId, unitId };
      return {
        Put: {
          TableName: this.ctx.tableName,
          Item: {
            ...grant,
            PK: keys.adminPartition(email),
            SK: grantSortKey(grant),
            GSI1PK: keys.unitGrantsIndex(clusterId, unitId),
            GSI1SK: email,
            entity: 'AdminGrant',
          },
        },
      };
    });
    const deletes = existing
      .filter((i) => !wanted.has(String(i.email)))
      .map((i) => ({ Delete: { TableName: this.ctx.tableName, Key: { PK: String(i.PK), SK: String(i.SK) } } }));
    const writes = [...puts, ...deletes];
    if (writes.length > 0) await this.ctx.doc.send(new TransactWriteCommand({ TransactItems: writes }));
  }

  async putProvinceGrant(grant: Extract<AdminGrant, { scope: 'province' }>): Promise<void> {
    await this.ctx.doc.send(
      new PutCommand({
        TableName: this.ctx.tableName,
        Item: { ...grant, PK: keys.adminPartition(grant.email), SK: grantSortKey(grant), entity: 'AdminGrant' },
      }),
    );
  }

  async putSignInToken(tokenHash: string, token: SignInToken): Promise<void> {
    await this.ctx.doc.send(
      new PutCommand({
        TableName: this.ctx.tableName,
        Item: { ...token, ...keys.signIn(tokenHash), entity: 'SignInToken' },
        ConditionExpression: 'attribute_not_exists(PK)',
      }),
    );
  }

  async consumeSignInToken(tokenHash: string, nowSeconds: number, usedAt: string): Promise<ConsumeOutcome> {
    try {
      const out = await this.ctx.doc.send(
        new UpdateCommand({
          TableName: this.ctx.tableName,
          Key: keys.signIn(tokenHash),
          UpdateExpression: 'SET usedAt = :usedAt',
          ConditionExpression: 'attribute_exists(PK) AND attribute_not_exists(usedAt) AND expiresAt > :now',
          ExpressionAttributeValues: { ':usedAt': usedAt, ':now': nowSeconds },
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { ok: true, token: fromItem(SignInTokenSchema, out.Attributes ?? {}) };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const old = error.Item;
      if (!old) return { ok: false, reason: 'unknown' };
      return { ok: false, reason: old.usedAt ? 'used' : 'expired' };
    }
  }

  async putSession(sessionHash: string, session: Session): Promise<void> {
    await this.ctx.doc.send(
      new PutCommand({
        TableName: this.ctx.tableName,
        Item: { ...session, ...keys.session(sessionHash), entity: 'Session' },
        ConditionExpression: 'attribute_not_exists(PK)',
      }),
    );
  }

  async getSession(sessionHash: string, nowSeconds: number): Promise<Session | undefined> {
    const item = await getItem(this.ctx, keys.session(sessionHash));
    if (!item) return undefined;
    const session = fromItem(SessionSchema, item);
    return session.expiresAt > nowSeconds ? session : undefined;
  }

  async deleteSession(sessionHash: string): Promise<void> {
    await this.ctx.doc.send(new DeleteCommand({ TableName: this.ctx.tableName, Key: keys.session(sessionHash) }));
  }

  async putApiKey(keyHash: string, info: ApiKeyInfo): Promise<void> {
    await this.ctx.doc.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: this.ctx.tableName,
              Item: { ...info, ...keys.apiKeyByHash(keyHash), entity: 'ApiKeySecret' },
              ConditionExpression: 'attribute_not_exists(PK)',
            },
          },
          {
            Put: {
              TableName: this.ctx.tableName,
              Item: { ...info, ...keys.apiKey(info.clusterId, info.keyId), keyHash, entity: 'ApiKey' },
              ConditionExpression: 'attribute_not_exists(PK)',
            },
          },
        ],
      }),
    );
  }

  async getApiKeyByHash(keyHash: string): Promise<ApiKeyInfo | undefined> {
    const item = await getItem(this.ctx, keys.apiKeyByHash(keyHash));
    return item && fromItem(ApiKeyInfoSchema, item);
  }

  async listApiKeys(clusterId: string): Promise<ApiKeyInfo[]> {
    const items = await queryPrefix(this.ctx, keys.cluster(clusterId).PK, keys.apiKeysPrefix);
    return items.map((item) => fromItem(ApiKeyInfoSchema, item));
  }

  async revokeApiKey(clusterId: string, keyId: string, revokedAt: string, revokedBy: string): Promise<ApiKeyInfo | undefined> {
    const listing = await getItem(this.ctx, keys.apiKey(clusterId, keyId));
    if (!listing) return undefined;
    const info = fromItem(ApiKeyInfoSchema, listing);
    if (info.revokedAt) return info;
    try {
      await this.ctx.doc.send(
        new TransactWriteCommand({
          TransactItems: [
            { Delete: { TableName: this.ctx.tableName, Key: keys.apiKeyByHash(String(listing.keyHash)) } },
            {
              Update: {
                TableName: this.ctx.tableName,
                Key: keys.apiKey(clusterId, keyId),
                UpdateExpression: 'SET revokedAt = :at, revokedBy = :by',
                ConditionExpression: 'attribute_exists(PK) AND attribute_not_exists(revokedAt)',
                ExpressionAttributeValues: { ':at': revokedAt, ':by': revokedBy },
              },
            },
          ],
        }),
      );
    } catch (error) {
      // Revoked by a concurrent request: the outcome is the same.
      if (!(error instanceof TransactionCanceledException)) throw error;
    }
    return { ...info, revokedAt, revokedBy };
  }

  async hit(bucket: string, windowStart: number, expiresAt: number, limit: number): Promise<boolean> {
    try {
      await this.ctx.doc.send(
        new UpdateCommand({
          TableName: this.ctx.tableName,
          Key: keys.rate(bucket, windowStart),
          UpdateExpression: 'ADD hits :one SET expiresAt = :exp, entity = :entity',
          ConditionExpression: 'attribute_not_exists(hits) OR hits < :limit',
          ExpressionAttributeValues: { ':one': 1, ':exp': expiresAt, ':limit': limit, ':entity': 'RateCounter' },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }
}
