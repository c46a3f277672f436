/**
 * DynamoDB adapter for the ScoringRepository: one partition per plan (`CLUSTER#<c>#PLAN#<p>#SCORES`).
 *
 * | SK | item |
 * |---|---|
 * | `SCHEME#<0001>` | one per scheme version (never overwritten once self-scoring has opened) |
 * | `STATE` | opening, freeze, ballots; its `version` guards every write that changes a total |
 * | `SHEET#<unitId>` | the unit's self-score sheet |
 * | `VERIF#<unitId>` | the verification of the unit's sheet |
 * | `REGFLAG#<unitId>#<recordedAt>` | an explicit registration record (append-only) |
 *
 * The domain value sits under `data` (a scheme has its own `version` field, which must not collide with the item's
 * storage version). Writes are TransactWriteItems of the item and a ConditionCheck on STATE's version.
 */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { ConflictError } from '../../domain/errors';
import { RegistrationFlagSchema, ScoringSchemeSchema, SelfScoreSheetSchema, VerificationSchema } from '../../domain/scoring';
import { INITIAL_SCORING_STATE, ScoringStateSchema, type ScoringState } from '../../domain/scoring-state';
import type { PlanScoring, ScoringRepository, StoredScheme, UnitScoring, Versioned } from '../../ports/scoring';
import type { Clock } from '../../ports/clock';
import { fromItem, queryAll, type TableContext } from './items';
import { keys } from './table';

const StoredSchemeSchema = z.object({ data: ScoringSchemeSchema, savedAt: z.string(), savedBy: z.string() });
const data = <S extends z.ZodType>(schema: S) => z.object({ data: schema });

const SCHEME_PREFIX = 'SCHEME#';
const schemeSk = (version: number): string => `${SCHEME_PREFIX}${String(version).padStart(4, '0')}`;
const STATE_SK = 'STATE';
const sheetSk = (unitId: string): string => `SHEET#${unitId}`;
const verificationSk = (unitId: string): string => `VERIF#${unitId}`;
const flagSk = (unitId: string, recordedAt: string): string => `REGFLAG#${unitId}#${recordedAt}`;

export const CONFLICT_MESSAGE =
  'Dữ liệu chấm điểm vừa được thay đổi ở nơi khác (hoặc kết quả vừa được chốt). Vui lòng tải lại trang rồi thử lại.';

type Item = Record<string, unknown>;

export class DynamoScoringRepository implements ScoringRepository {
  constructor(private readonly ctx: TableContext, private readonly clock: Clock) {}

  private pk(clusterId: string, planId: string): string {
    return keys.scoringPartition(clusterId, planId);
  }

  async getPlanScoring(clusterId: string, planId: string): Promise<PlanScoring> {
    const items = await queryAll(this.ctx, { KeyConditionExpression: 'PK = :pk', ExpressionAttributeValues: { ':pk': this.pk(clusterId, planId) } });
    const out: PlanScoring = { schemes: [], state: { value: INITIAL_SCORING_STATE, version: 0 }, sheets: [], verifications: [], flags: [] };
    for (const item of items) {
      const sk = String(item.SK);
      if (sk.startsWith(SCHEME_PREFIX)) out.schemes.push(storedScheme(item));
      else if (sk === STATE_SK) out.state = versioned(item, ScoringStateSchema);
      else if (sk.startsWith('SHEET#')) out.sheets.push(versioned(item, SelfScoreSheetSchema));
      else if (sk.startsWith('VERIF#')) out.verifications.push(versioned(item, VerificationSchema));
      else if (sk.startsWith('REGFLAG#')) out.flags.push(fromItem(data(RegistrationFlagSchema), item).data);
    }
    out.schemes.sort((a, b) => a.scheme.version - b.scheme.version);
    out.flags.sort((a, b) => a.recordedAt.localeCompare(b.recordedAt));
    return out;
  }

  async getUnitScoring(clusterId: string, planId: string, unitId: string): Promise<UnitScoring> {
    const pk = this.pk(clusterId, planId);
    const [latest, batch] = await Promise.all([
      this.ctx.doc.send(
        new QueryCommand({
          TableName: this.ctx.tableName,
          KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
          ExpressionAttributeValues: { ':pk': pk, ':prefix': SCHEME_PREFIX },
          ScanIndexForward: false,
          Limit: 1,
        }),
      ),
      this.batchGet([
        { PK: pk, SK: STATE_SK },
        { PK: pk, SK: sheetSk(unitId) },
      ]),
    ]);
    const schemeItem = latest.Items?.[0];
    const stateItem = batch.find((i) => i.SK === STATE_SK);
    const sheetItem = batch.find((i) => i.SK === sheetSk(unitId));
    return {
      ...(schemeItem ? { scheme: storedScheme(schemeItem) } : {}),
      state: stateItem ? versioned(stateItem, ScoringStateSchema) : { value: INITIAL_SCORING_STATE, version: 0 },
      ...(sheetItem ? { sheet: versioned(sheetItem, SelfScoreSheetSchema) } : {}),
    };
  }

  async saveScheme(p: { clusterId: string; planId: string; stored: StoredScheme; replace: boolean; stateVersion: number }): Promise<void> {
    const item = this.item('ScoringScheme', p.clusterId, p.planId, schemeSk(p.stored.scheme.version), p.stored.scheme, 1, { savedAt: p.stored.savedAt, savedBy: p.stored.savedBy });
    await this.write([
      this.stateCheck(p.clusterId, p.planId, p.stateVersion),
      { Put: { TableName: this.ctx.tableName, Item: item, ...(p.replace ? {} : { ConditionExpression: 'attribute_not_exists(PK)' }) } },
    ]);
  }

  async putState(clusterId: string, planId: string, state: ScoringState, expectedVersion: number): Promise<number> {
    const next = expectedVersion + 1;
    await this.write([{ Put: this.guardedPut(this.item('ScoringState', clusterId, planId, STATE_SK, state, next), expectedVersion) }]);
    return next;
  }

  putSheet(sheet: z.infer<typeof SelfScoreSheetSchema>, expected: { sheetVersion: number; stateVersion: number }): Promise<number> {
    return this.putUnitItem('SelfScoreSheet', sheetSk(sheet.unitId), sheet, expected.sheetVersion, expected.stateVersion);
  }

  putVerification(v: z.infer<typeof VerificationSchema>, expected: { verificationVersion: number; stateVersion: number }): Promise<number> {
    return this.putUnitItem('Verification', verificationSk(v.unitId), v, expected.verificationVersion, expected.stateVersion);
  }

  /** A unit's sheet or verification: conditional on its own version and on the settings' version. */
  private async putUnitItem(entity: string, sk: string, value: { clusterId: string; planId: string }, version: number, stateVersion: number): Promise<number> {
    const next = version + 1;
    await this.write([
      this.stateCheck(value.clusterId, value.planId, stateVersion),
      { Put: this.guardedPut(this.item(entity, value.clusterId, value.planId, sk, value, next), version) },
    ]);
    return next;
  }

  async addRegistrationFlag(p: { clusterId: string; planId: string; flag: z.infer<typeof RegistrationFlagSchema>; stateVersion: number }): Promise<void> {
    const item = this.item('RegistrationFlag', p.clusterId, p.planId, flagSk(p.flag.unitId, p.flag.recordedAt), p.flag, 1);
    await this.write([
      this.stateCheck(p.clusterId, p.planId, p.stateVersion),
      { Put: { TableName: this.ctx.tableName, Item: item, ConditionExpression: 'attribute_not_exists(PK)' } },
    ]);
  }

  private item(entity: string, clusterId: string, planId: string, sk: string, value: unknown, version: number, extra: Item = {}): Item {
    const at = this.clock.now().toISOString();
    return { PK: this.pk(clusterId, planId), SK: sk, entity, version, updatedAt: at, data: value, ...extra };
  }

  /** A Put conditional on the item's stored version (0: the item must not exist). */
  private guardedPut(item: Item, expectedVersion: number) {
    return {
      TableName: this.ctx.tableName,
      Item: item,
      ...(expectedVersion === 0
        ? { ConditionExpression: 'attribute_not_exists(PK)' }
        : { ConditionExpression: 'version = :expected', ExpressionAttributeValues: { ':expected': expectedVersion } }),
    };
  }

  private stateCheck(clusterId: string, planId: string, stateVersion: number) {
    return {
      ConditionCheck: {
        TableName: this.ctx.tableName,
        Key: { PK: this.pk(clusterId, planId), SK: STATE_SK },
        ...(stateVersion === 0
          ? { ConditionExpression: 'attribute_not_exists(PK)' }
          : { ConditionExpression: 'version = :state', ExpressionAttributeValues: { ':state': stateVersion } }),
      },
    };
  }

  private async write(TransactItems: NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>): Promise<void> {
    try {
      await this.ctx.doc.send(new TransactWriteCommand({ TransactItems }));
    } catch (error) {
      // TransactionConflict: another transaction on the same item was in flight (real DynamoDB under contention).
      if (error instanceof TransactionCanceledException && error.CancellationReasons?.some((r) => r.Code === 'ConditionalCheckFailed' || r.Code === 'TransactionConflict')) {
        throw new ConflictError(CONFLICT_MESSAGE);
      }
      throw error;
    }
  }

  private async batchGet(wanted: { PK: string; SK: string }[]): Promise<Item[]> {
    const found: Item[] = [];
    let pending = wanted;
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, 25 * 2 ** Math.min(attempt, 6)));
      const out = await this.ctx.doc.send(new BatchGetCommand({ RequestItems: { [this.ctx.tableName]: { Keys: pending } } }));
      found.push(...(out.Responses?.[this.ctx.tableName] ?? []));
      pending = (out.UnprocessedKeys?.[this.ctx.tableName]?.Keys as { PK: string; SK: string }[] | undefined) ?? [];
    }
    return found;
  }
}

function storedScheme(item: Item): StoredScheme {
  const parsed = fromItem(StoredSchemeSchema, item);
  return { scheme: parsed.data, savedAt: parsed.savedAt, savedBy: parsed.savedBy };
}

function versioned<S extends z.ZodType>(item: Item, schema: S): Versioned<z.infer<S>> {
  const parsed = fromItem(z.object({ data: schema }), item) as { data: z.infer<S> };
  return { value: parsed.data, version: Number(item.version ?? 0) };
}
