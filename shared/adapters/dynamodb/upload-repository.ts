/**
 * DynamoDB adapter for uploads. A unit's items for a plan share one partition (member page: one Query); submissions
 * and extensions are also indexed per plan on GSI1 (status board: one Query whatever the number of units).
 *
 * A submission's receipt is claimed before it is emailed: `receiptClaimedAt` is set by one conditional UpdateItem
 * while the receipt is pending, dropped when the claim is released or the receipt marked sent. It is bookkeeping of
 * the recorder, not part of the domain's Submission (read back, the schema leaves it out).
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { z } from 'zod';
import { ClusterSchema, MilestoneSchema, PlanSchema, UnitSchema } from '../../domain/model';
import { ExtensionSchema, SubmissionSchema, UploadIntentSchema, type Extension, type Submission, type UploadIntent } from '../../domain/submission';
import type { Clock } from '../../ports/clock';
import type { CreateOutcome } from '../../ports/repositories';
import type { LinkContext, LinkRef, SubmissionRef, UnitPlanItems, UploadRepository } from '../../ports/uploads';
import { fromItem, getItem, newItem, putIfAbsent, queryAll, type TableContext } from './items';
import { TABLE_KEYS, keys } from './table';

type Key = { PK: string; SK: string };
const keyOf = (item: Record<string, unknown>): string => `${String(item.PK)}|${String(item.SK)}`;

export class DynamoUploadRepository implements UploadRepository {
  constructor(private readonly ctx: TableContext, private readonly clock: Clock) {}

  /** One BatchGetItem for the unit, plan, cluster and whatever the request names (milestone, upload). */
  async getLinkContext(ref: LinkRef): Promise<LinkContext> {
    const wanted: Record<string, Key> = {
      cluster: keys.cluster(ref.clusterId),
      unit: keys.unit(ref.clusterId, ref.unitId),
      plan: keys.plan(ref.clusterId, ref.planId),
    };
    if (ref.milestoneId) {
      wanted.milestone = keys.milestone(ref.clusterId, ref.planId, ref.milestoneId);
      wanted.extension = keys.extension(ref.clusterId, ref.planId, ref.unitId, ref.milestoneId);
    }
    if (ref.uploadId) {
      wanted.intent = keys.intent(ref.clusterId, ref.planId, ref.unitId, ref.uploadId);
      wanted.submission = keys.submission(ref.clusterId, ref.planId, ref.unitId, ref.uploadId);
    }
    const found = new Map<string, Record<string, unknown>>();
    let pending: Key[] = Object.values(wanted);
    // BatchGetItem may leave keys unprocessed under load; ask again for those only.
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, 25 * 2 ** Math.min(attempt, 6)));
      const out = await this.ctx.doc.send(new BatchGetCommand({ RequestItems: { [this.ctx.tableName]: { Keys: pending } } }));
      for (const item of out.Responses?.[this.ctx.tableName] ?? []) found.set(keyOf(item), item);
      pending = (out.UnprocessedKeys?.[this.ctx.tableName]?.Keys as Key[] | undefined) ?? [];
    }
    const pick = (name: string): Record<string, unknown> | undefined => {
      const key = wanted[name];
      return key && found.get(keyOf(key));
    };
    const intent = pick('intent');
    return {
      cluster: parseOptional(ClusterSchema, pick('cluster')),
      unit: parseOptional(UnitSchema, pick('unit')),
      plan: parseOptional(PlanSchema, pick('plan')),
      milestone: parseOptional(MilestoneSchema, pick('milestone')),
      extension: parseOptional(ExtensionSchema, pick('extension')),
      intent: intent && !this.isExpired(intent) ? fromItem(UploadIntentSchema, intent) : undefined,
      submission: parseOptional(SubmissionSchema, pick('submission')),
    };
  }

  async putIntent(intent: UploadIntent, ttlSeconds: number): Promise<void> {
    const now = this.clock.now();
    const item = newItem('UploadIntent', keys.intent(intent.clusterId, intent.planId, intent.unitId, intent.uploadId), intent, now);
    item[TABLE_KEYS.ttlAttribute] = Math.floor(now.getTime() / 1000) + ttlSeconds;
    await this.ctx.doc.send(new PutCommand({ TableName: this.ctx.tableName, Item: item, ConditionExpression: 'attribute_not_exists(PK)' }));
  }

  recordSubmission(s: Submission): Promise<CreateOutcome> {
    const item = newItem(
      'Submission',
      {
        ...keys.submission(s.clusterId, s.planId, s.unitId, s.uploadId),
        ...keys.submissionIndex(s.clusterId, s.planId, s.milestoneId, s.unitId, s.receivedAt),
      },
      s,
      this.clock.now(),
    );
    return putIfAbsent(this.ctx, item);
  }

  async claimReceipt(s: SubmissionRef, now: Date, staleMs: number): Promise<boolean> {
    try {
      await this.ctx.doc.send(
        new UpdateCommand({
          TableName: this.ctx.tableName,
          Key: keys.submission(s.clusterId, s.planId, s.unitId, s.uploadId),
          UpdateExpression: 'SET receiptClaimedAt = :now',
          ConditionExpression: 'receipt = :pending AND (attribute_not_exists(receiptClaimedAt) OR receiptClaimedAt <= :stale)',
          ExpressionAttributeValues: { ':pending': 'pending', ':now': now.toISOString(), ':stale': new Date(now.getTime() - staleMs).toISOString() },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async releaseReceipt(s: SubmissionRef): Promise<void> {
    await this.updateIgnoringCondition({
      Key: keys.submission(s.clusterId, s.planId, s.unitId, s.uploadId),
      UpdateExpression: 'REMOVE receiptClaimedAt',
      ConditionExpression: 'receipt = :pending',
      ExpressionAttributeValues: { ':pending': 'pending' },
    });
  }

  async markReceiptSent(s: SubmissionRef): Promise<void> {
    await this.updateIgnoringCondition({
      Key: keys.submission(s.clusterId, s.planId, s.unitId, s.uploadId),
      UpdateExpression: 'SET receipt = :sent, updatedAt = :now REMOVE receiptClaimedAt ADD version :one',
      ConditionExpression: 'attribute_exists(PK)',
      ExpressionAttributeValues: { ':sent': 'sent', ':now': this.clock.now().toISOString(), ':one': 1 },
    });
  }

  async listUnitItems(clusterId: string, planId: string, unitId: string): Promise<UnitPlanItems> {
    const items = await queryAll(this.ctx, {
      KeyConditionExpression: 'PK = :pk',
      ExpressionAttributeValues: { ':pk': keys.unitPlanPartition(clusterId, planId, unitId) },
    });
    const result: UnitPlanItems = { submissions: [], extensions: [], intents: [] };
    for (const item of items) {
      if (item.entity === 'Submission') result.submissions.push(fromItem(SubmissionSchema, item));
      else if (item.entity === 'Extension') result.extensions.push(fromItem(ExtensionSchema, item));
      else if (item.entity === 'UploadIntent' && !this.isExpired(item)) result.intents.push(fromItem(UploadIntentSchema, item));
    }
    return result;
  }

  async listPlanSubmissions(clusterId: string, planId: string): Promise<Submission[]> {
    const items = await queryAll(this.ctx, {
      IndexName: TABLE_KEYS.gsi1.indexName,
      KeyConditionExpression: 'GSI1PK = :pk',
      ExpressionAttributeValues: { ':pk': keys.planSubmissionsPartition(clusterId, planId) },
    });
    return items.map((item) => fromItem(SubmissionSchema, item));
  }

  async listPlanExtensions(clusterId: string, planId: string): Promise<Extension[]> {
    const items = await queryAll(this.ctx, {
      IndexName: TABLE_KEYS.gsi1.indexName,
      KeyConditionExpression: 'GSI1PK = :pk',
      ExpressionAttributeValues: { ':pk': keys.planExtensionsPartition(clusterId, planId) },
    });
    return items.map((item) => fromItem(ExtensionSchema, item));
  }

  async listMilestoneItems(clusterId: string, planId: string, milestoneId: string): Promise<{ submissions: Submission[]; extensions: Extension[] }> {
    const byIndex = (pk: string) =>
      queryAll(this.ctx, {
        IndexName: TABLE_KEYS.gsi1.indexName,
        KeyConditionExpression: 'GSI1PK = :pk AND begins_with(GSI1SK, :m)',
        ExpressionAttributeValues: { ':pk': pk, ':m': `${milestoneId}#` },
      });
    const [submissions, extensions] = await Promise.all([
      byIndex(keys.planSubmissionsPartition(clusterId, planId)),
      byIndex(keys.planExtensionsPartition(clusterId, planId)),
    ]);
    return {
      submissions: submissions.map((i) => fromItem(SubmissionSchema, i)),
      extensions: extensions.map((i) => fromItem(ExtensionSchema, i)),
    };
  }

  async getSubmission(clusterId: string, planId: string, unitId: string, uploadId: string): Promise<Submission | undefined> {
    return parseOptional(SubmissionSchema, await getItem(this.ctx, keys.submission(clusterId, planId, unitId, uploadId)));
  }

  async putExtension(e: Extension): Promise<void> {
    const item = newItem(
      'Extension',
      {
        ...keys.extension(e.clusterId, e.planId, e.unitId, e.milestoneId),
        ...keys.extensionIndex(e.clusterId, e.planId, e.milestoneId, e.unitId),
      },
      e,
      this.clock.now(),
    );
    await this.ctx.doc.send(new PutCommand({ TableName: this.ctx.tableName, Item: item }));
  }

  /** An UpdateItem whose failed condition means there is nothing to do (no such submission, or no longer pending). */
  private async updateIgnoringCondition(input: Omit<ConstructorParameters<typeof UpdateCommand>[0], 'TableName'>): Promise<void> {
    try {
      await this.ctx.doc.send(new UpdateCommand({ TableName: this.ctx.tableName, ...input }));
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  /** DynamoDB Local never deletes expired items, and AWS may take a while: expired means gone. */
  private isExpired(item: Record<string, unknown>): boolean {
    const at = item[TABLE_KEYS.ttlAttribute];
    return typeof at === 'number' && at * 1000 <= this.clock.now().getTime();
  }
}

function parseOptional<S extends z.ZodType>(schema: S, item: Record<string, unknown> | undefined): z.infer<S> | undefined {
  return item === undefined ? undefined : fromItem(schema, item);
}
