/**
 * DynamoDB adapters for the repository ports, on the single table (docs/data-model.md).
 */
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, PutCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ConflictError, NotFoundError } from '../../domain/errors';
import { ClusterSchema, MilestoneSchema, PlanSchema, UnitSchema, byOrder, type Cluster, type Milestone, type Plan, type Unit } from '../../domain/model';
import type { Clock } from '../../ports/clock';
import type { ClusterRepository, CreateOutcome, PlanRepository, Repositories, UndeliverableRepository, UnitRepository, VersionedUnit } from '../../ports/repositories';
import { UndeliverableSchema, type Undeliverable } from '../../domain/bounces';
import { fromItem, getItem, newItem, putIfAbsent, queryAll, queryPrefix, type TableContext } from './items';
import { TABLE_KEYS, keys } from './table';
import { DynamoSendLog } from './send-log';
import { DynamoAdminAuthStore } from './admin-auth-store';
import { DynamoAuditLog } from './audit-log';
import { DynamoUploadRepository } from './upload-repository';
import { DynamoScoringRepository } from './scoring-repository';
import { DynamoCalendarFeedStore } from './calendar-feed-store';

/** DynamoDB's limit on items per transaction. */
const MAX_TRANSACTION_ITEMS = 100;

class DynamoClusterRepository implements ClusterRepository {
  constructor(private readonly ctx: TableContext, private readonly clock: Clock) {}

  async get(clusterId: string): Promise<Cluster | undefined> {
    const item = await getItem(this.ctx, keys.cluster(clusterId));
    return item && fromItem(ClusterSchema, item);
  }

  async list(): Promise<Cluster[]> {
    const items = await queryAll(this.ctx, {
      IndexName: TABLE_KEYS.gsi1.indexName,
      KeyConditionExpression: 'GSI1PK = :pk',
      ExpressionAttributeValues: { ':pk': keys.clustersPartition },
    });
    return items.map((item) => fromItem(ClusterSchema, item));
  }

  createIfAbsent(cluster: Cluster): Promise<CreateOutcome> {
    const keyAttributes = { ...keys.cluster(cluster.clusterId), ...keys.clusterIndex(cluster.province.id, cluster.clusterId) };
    return putIfAbsent(this.ctx, newItem('Cluster', keyAttributes, cluster, this.clock.now()));
  }
}

class DynamoUnitRepository implements UnitRepository {
  constructor(private readonly ctx: TableContext, private readonly clock: Clock) {}

  async list(clusterId: string): Promise<Unit[]> {
    return (await this.listVersioned(clusterId)).map((v) => v.unit);
  }

  async listVersioned(clusterId: string): Promise<VersionedUnit[]> {
    const items = await queryPrefix(this.ctx, keys.cluster(clusterId).PK, keys.unitsPrefix);
    return items.map((item) => ({ unit: fromItem(UnitSchema, item), version: Number(item.version ?? 0) }));
  }

  async get(clusterId: string, unitId: string): Promise<Unit | undefined> {
    const item = await getItem(this.ctx, keys.unit(clusterId, unitId));
    return item && fromItem(UnitSchema, item);
  }

  createIfAbsent(unit: Unit): Promise<CreateOutcome> {
    return putIfAbsent(this.ctx, newItem('Unit', keys.unit(unit.clusterId, unit.unitId), unit, this.clock.now()));
  }

  async update(unit: Unit, expectedVersion: number): Promise<Unit> {
    // Only the editable fields are set, so a link version bumped meanwhile is never written back; the version
    // condition makes an edit based on a stale read fail instead of silently winning.
    const values: Record<string, unknown> = {
      ':name': unit.name,
      ':role': unit.role,
      ':emails': unit.emails,
      ':active': unit.active,
      ':now': this.clock.now().toISOString(),
      ':one': 1,
    };
    let set = '#name = :name, #role = :role, emails = :emails, active = :active, updatedAt = :now';
    if (unit.contactName !== undefined) {
      set += ', contactName = :contact';
      values[':contact'] = unit.contactName;
    }
    const versionCondition = expectedVersion > 0 ? 'version = :expected' : 'attribute_not_exists(version)';
    if (expectedVersion > 0) values[':expected'] = expectedVersion;
    try {
      const out = await this.ctx.doc.send(
        new UpdateCommand({
          TableName: this.ctx.tableName,
          Key: keys.unit(unit.clusterId, unit.unitId),
          UpdateExpression: `SET ${set} ADD version :one${unit.contactName === undefined ? ' REMOVE contactName' : ''}`,
          ConditionExpression: `attribute_exists(PK) AND ${versionCondition}`,
          ExpressionAttributeNames: { '#name': 'name', '#role': 'role' },
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
        }),
      );
      return fromItem(UnitSchema, out.Attributes ?? {});
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) {
        throw new ConflictError(`Đơn vị "${unit.unitId}" vừa được thay đổi ở nơi khác. Hãy tải lại trang rồi sửa lại.`);
      }
      throw error;
    }
  }

  async bumpLinkVersion(clusterId: string, unitId: string): Promise<number> {
    try {
      const out = await this.ctx.doc.send(
        new UpdateCommand({
          TableName: this.ctx.tableName,
          Key: keys.unit(clusterId, unitId),
          UpdateExpression: 'ADD linkVersion :one, version :one SET updatedAt = :now',
          ConditionExpression: 'attribute_exists(PK)',
          ExpressionAttributeValues: { ':one': 1, ':now': this.clock.now().toISOString() },
          ReturnValues: 'UPDATED_NEW',
        }),
      );
      return Number(out.Attributes?.linkVersion);
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) throw new NotFoundError(`Không tìm thấy đơn vị "${unitId}".`);
      throw error;
    }
  }
}

class DynamoPlanRepository implements PlanRepository {
  constructor(private readonly ctx: TableContext, private readonly clock: Clock) {}

  async listPlans(clusterId: string): Promise<Plan[]> {
    const items = await queryPrefix(this.ctx, keys.cluster(clusterId).PK, keys.plansPrefix);
    return items.map((item) => fromItem(PlanSchema, item));
  }

  async getPlan(clusterId: string, planId: string): Promise<Plan | undefined> {
    const item = await getItem(this.ctx, keys.plan(clusterId, planId));
    return item && fromItem(PlanSchema, item);
  }

  async listMilestones(clusterId: string, planId: string): Promise<Milestone[]> {
    const items = await queryPrefix(this.ctx, keys.planPartition(clusterId, planId), keys.milestonesPrefix);
    return items.map((item) => fromItem(MilestoneSchema, item)).sort(byOrder);
  }

  async getMilestone(clusterId: string, planId: string, milestoneId: string): Promise<Milestone | undefined> {
    const item = await getItem(this.ctx, keys.milestone(clusterId, planId, milestoneId));
    return item && fromItem(MilestoneSchema, item);
  }

  async saveMilestone(m: Milestone): Promise<void> {
    // A whole-item Put: fields dropped from the milestone (a cut-off removed) are gone too.
    const item = newItem('Milestone', keys.milestone(m.clusterId, m.planId, m.milestoneId), m, this.clock.now());
    await this.ctx.doc.send(new PutCommand({ TableName: this.ctx.tableName, Item: item }));
  }

  async deleteMilestone(clusterId: string, planId: string, milestoneId: string): Promise<void> {
    await this.ctx.doc.send(new DeleteCommand({ TableName: this.ctx.tableName, Key: keys.milestone(clusterId, planId, milestoneId) }));
  }

  async createPlanIfAbsent(plan: Plan, milestones: readonly Milestone[]): Promise<CreateOutcome> {
    if (milestones.length + 1 > MAX_TRANSACTION_ITEMS) {
      throw new RangeError(`A plan holds at most ${MAX_TRANSACTION_ITEMS - 1} milestones`);
    }
    const now = this.clock.now();
    const put = (Item: Record<string, unknown>) => ({
      Put: { TableName: this.ctx.tableName, Item, ConditionExpression: 'attribute_not_exists(PK)' },
    });
    try {
      await this.ctx.doc.send(
        new TransactWriteCommand({
          TransactItems: [
            put(newItem('Plan', keys.plan(plan.clusterId, plan.planId), plan, now)),
            ...milestones.map((m) => put(newItem('Milestone', keys.milestone(m.clusterId, m.planId, m.milestoneId), m, now))),
          ],
        }),
      );
      return 'created';
    } catch (error) {
      // The plan's own condition is first: if it failed, the plan exists and nothing was written.
      if (error instanceof TransactionCanceledException && error.CancellationReasons?.[0]?.Code === 'ConditionalCheckFailed') {
        return 'exists';
      }
      throw error;
    }
  }
}

class DynamoUndeliverableRepository implements UndeliverableRepository {
  constructor(private readonly ctx: TableContext, private readonly clock: Clock) {}

  async put(entry: Undeliverable): Promise<void> {
    // Last report wins: a later bounce of the same address refreshes the reason and time.
    await this.ctx.doc.send(
      new PutCommand({ TableName: this.ctx.tableName, Item: newItem('Undeliverable', keys.undeliverable(entry.clusterId, entry.email), entry, this.clock.now()) }),
    );
  }

  async list(clusterId: string): Promise<Undeliverable[]> {
    const items = await queryPrefix(this.ctx, keys.cluster(clusterId).PK, keys.undeliverablePrefix);
    return items.map((item) => fromItem(UndeliverableSchema, item));
  }
}

export function createDynamoRepositories(doc: DynamoDBDocumentClient, tableName: string, clock: Clock): Repositories {
  const ctx: TableContext = { doc, tableName };
  return {
    clusters: new DynamoClusterRepository(ctx, clock),
    units: new DynamoUnitRepository(ctx, clock),
    plans: new DynamoPlanRepository(ctx, clock),
    uploads: new DynamoUploadRepository(ctx, clock),
    sends: new DynamoSendLog(ctx),
    undeliverable: new DynamoUndeliverableRepository(ctx, clock),
    auth: new DynamoAdminAuthStore(ctx),
    audit: new DynamoAuditLog(ctx, clock),
    scoring: new DynamoScoringRepository(ctx, clock),
    calendarFeeds: new DynamoCalendarFeedStore(ctx, clock),
  };
}
