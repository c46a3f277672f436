/** DynamoDB adapter for the SendLog: one item per (milestone, kind, offset, recipient) in the plan's partition. */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import * as z from 'zod';
import { DeleteCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ReminderEventSchema, type ReminderEvent } from '../../domain/reminders';
import type { SendLog, SendRecord, SendRef } from '../../ports/send-log';
import { fromItem, queryPrefix, type TableContext } from './items';
import { keys } from './table';

/** The stored send: the reminder it belongs to, the recipient, and where it stands. */
/** Every send's sort key starts with this (keys.sendPrefix narrows it to one reminder). */
const SEND_PREFIX = 'SEND#';

const SendItemSchema = ReminderEventSchema.extend({
  recipient: z.string().min(1),
  status: z.enum(['claimed', 'sent']),
  claimedAt: z.string(),
  sentAt: z.string().optional(),
});

export class DynamoSendLog implements SendLog {
  constructor(private readonly ctx: TableContext) {}

  async claim(ref: SendRef, now: Date, staleAfterMs: number): Promise<boolean> {
    try {
      await this.ctx.doc.send(
        new PutCommand({
          TableName: this.ctx.tableName,
          Item: { ...keys.send(ref), entity: 'ReminderSend', ...ref, status: 'claimed', claimedAt: now.toISOString() },
          ConditionExpression: 'attribute_not_exists(PK) OR (#status = :claimed AND claimedAt < :stale)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':claimed': 'claimed', ':stale': new Date(now.getTime() - staleAfterMs).toISOString() },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async markSent(ref: SendRef, messageId: string, now: Date): Promise<void> {
    await this.ctx.doc.send(
      new UpdateCommand({
        TableName: this.ctx.tableName,
        Key: keys.send(ref),
        UpdateExpression: 'SET #status = :sent, sentAt = :now, messageId = :id',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':sent': 'sent', ':now': now.toISOString(), ':id': messageId },
      }),
    );
  }

  async release(ref: SendRef): Promise<void> {
    await this.ctx.doc.send(
      new DeleteCommand({
        TableName: this.ctx.tableName,
        Key: keys.send(ref),
        ConditionExpression: '#status = :claimed',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':claimed': 'claimed' },
      }),
    ).catch((error: unknown) => {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    });
  }

  async listSent(event: ReminderEvent): Promise<string[]> {
    const items = await queryPrefix(this.ctx, keys.planPartition(event.clusterId, event.planId), keys.sendPrefix(event));
    return items.filter((i) => i.status === 'sent').map((i) => String(i.recipient));
  }

  async listPlanSends(clusterId: string, planId: string): Promise<SendRecord[]> {
    const items = await queryPrefix(this.ctx, keys.planPartition(clusterId, planId), SEND_PREFIX);
    return items.map((item) => {
      const { recipient, status, claimedAt, sentAt, ...event } = fromItem(SendItemSchema, item);
      return { ref: { ...event, recipient }, status, claimedAt, ...(sentAt ? { sentAt } : {}) };
    });
  }
}
