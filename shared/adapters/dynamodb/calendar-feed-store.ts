/**
 * DynamoDB adapter of the calendar feed versions: one item per plan, in the plan's partition
 * (`CLUSTER#<c>#PLAN#<p>` / `CALFEED`), read with one GetItem and bumped with one UpdateItem (an atomic counter that
 * starts at 1, so the first revocation makes it 2).
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Clock } from '../../ports/clock';
import type { CalendarFeedStore } from '../../ports/calendar-feeds';
import { getItem, type TableContext } from './items';
import { keys } from './table';

const FIRST_VERSION = 1;

const feedKey = (clusterId: string, planId: string) => ({ PK: keys.planPartition(clusterId, planId), SK: 'CALFEED' });

export class DynamoCalendarFeedStore implements CalendarFeedStore {
  constructor(private readonly ctx: TableContext, private readonly clock: Clock) {}

  async currentVersion(clusterId: string, planId: string): Promise<number> {
    const item = await getItem(this.ctx, feedKey(clusterId, planId));
    const version = Number(item?.feedVersion ?? FIRST_VERSION);
    return Number.isInteger(version) && version >= FIRST_VERSION ? version : FIRST_VERSION;
  }

  async bumpVersion(clusterId: string, planId: string): Promise<number> {
    const out = await this.ctx.doc.send(
      new UpdateCommand({
        TableName: this.ctx.tableName,
        Key: feedKey(clusterId, planId),
        UpdateExpression: 'SET feedVersion = if_not_exists(feedVersion, :first) + :one, entity = :entity, updatedAt = :now',
        ExpressionAttributeValues: { ':first': FIRST_VERSION, ':one': 1, ':entity': 'CalendarFeed', ':now': this.clock.now().toISOString() },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    return Number(out.Attributes?.feedVersion);
  }
}
