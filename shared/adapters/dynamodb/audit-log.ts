/**
 * DynamoDB adapter of the audit log: partition `CLUSTER#<c>#AUDIT`, sort key `<ISO instant>#<id>`, so a date range
 * is a key range and newest-first is a backward Query. Puts are conditional: an entry is never overwritten, and an
 * entry whose key the caller gave is written once however often it is appended.
 */
import { randomBytes } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ValidationError } from '../../domain/errors';
import { AuditEntrySchema, matchesAuditFilter, type AuditEntry, type AuditFilter, type AuditRecord } from '../../domain/audit';
import { addDays, startOfIctDay } from '../../domain/time';
import type { Clock } from '../../ports/clock';
import type { AuditEntryKey, AuditLog, AuditPage } from '../../ports/audit-log';
import { fromItem, type TableContext } from './items';
import { keys } from './table';

/** Most Query pages read to fill one page of a filtered listing (bounds the cost of a filter that matches little). */
const MAX_PAGES_PER_LISTING = 5;
const MAX_SUMMARY = 1000;

const encodeCursor = (key: Record<string, unknown>): string => Buffer.from(JSON.stringify([key.SK]), 'utf8').toString('base64url');

function decodeCursor(clusterId: string, cursor: string): Record<string, unknown> {
  try {
    const [sk] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    if (typeof sk === 'string' && sk.length < 100) return { PK: keys.auditPartition(clusterId), SK: sk };
  } catch {
    // fall through
  }
  throw new ValidationError('Tham số trang (cursor) không hợp lệ.');
}

export class DynamoAuditLog implements AuditLog {
  constructor(private readonly ctx: TableContext, private readonly clock: Clock) {}

  async append(record: AuditRecord, key?: AuditEntryKey): Promise<AuditEntry> {
    // Summaries quote user text (titles up to 2000 characters): shorten rather than lose the entry.
    const summary = record.summary.length > MAX_SUMMARY ? `${record.summary.slice(0, MAX_SUMMARY - 1)}…` : record.summary;
    const target = record.target && record.target.length > 300 ? record.target.slice(0, 300) : record.target;
    const entry = AuditEntrySchema.parse({
      ...record,
      summary,
      ...(target ? { target } : {}),
      at: (key?.at ?? this.clock.now()).toISOString(),
      entryId: key?.entryId ?? randomBytes(6).toString('hex'),
    });
    try {
      await this.ctx.doc.send(
        new PutCommand({
          TableName: this.ctx.tableName,
          Item: { ...entry, ...keys.audit(entry.clusterId, entry.at, entry.entryId), entity: 'AuditEntry' },
          ConditionExpression: 'attribute_not_exists(PK)',
        }),
      );
    } catch (error) {
      // The caller's key names the entry: finding it means an earlier attempt of this append wrote it.
      if (!(key && error instanceof ConditionalCheckFailedException)) throw error;
    }
    return entry;
  }

  async list(clusterId: string, filter: AuditFilter, page: { limit: number; cursor?: string }): Promise<AuditPage> {
    const low = filter.from ? startOfIctDay(filter.from).toISOString() : '0';
    const high = filter.to ? startOfIctDay(addDays(filter.to, 1)).toISOString() : '~';
    const entries: AuditEntry[] = [];
    let startKey = page.cursor ? decodeCursor(clusterId, page.cursor) : undefined;
    for (let pages = 0; pages < MAX_PAGES_PER_LISTING && entries.length < page.limit; pages++) {
      const out = await this.ctx.doc.send(
        new QueryCommand({
          TableName: this.ctx.tableName,
          KeyConditionExpression: 'PK = :pk AND SK BETWEEN :low AND :high',
          ExpressionAttributeValues: { ':pk': keys.auditPartition(clusterId), ':low': low, ':high': high },
          ScanIndexForward: false,
          Limit: page.limit - entries.length,
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of out.Items ?? []) {
        const entry = fromItem(AuditEntrySchema, item);
        if (matchesAuditFilter(entry, filter)) entries.push(entry);
      }
      startKey = out.LastEvaluatedKey;
      if (!startKey) break;
    }
    return { entries, ...(startKey ? { nextCursor: encodeCursor(startKey) } : {}) };
  }
}
