/**
 * DynamoScoringRepository against DynamoDB Local, on a fresh table: the scheme's versions, the settings' version as
 * the guard of every write that changes a total (a stale reader gets ConflictError and nothing is written), and the
 * cost of the two reads (the plan's whole scoring in one Query; one unit's in a Query and a BatchGetItem).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { queryAll } from '../../shared/adapters/dynamodb/items';
import { CONFLICT_MESSAGE, DynamoScoringRepository } from '../../shared/adapters/dynamodb/scoring-repository';
import { keys } from '../../shared/adapters/dynamodb/table';
import { ConflictError } from '../../shared/domain/errors';
import { RegistrationFlagSchema, SelfScoreSheetSchema, VerificationSchema, type ScoringScheme, type SelfScoreSheet, type Verification } from '../../shared/domain/scoring';
import { INITIAL_SCORING_STATE, type ScoringState } from '../../shared/domain/scoring-state';
import { fixedClock } from '../../shared/ports/clock';
import type { StoredScheme } from '../../shared/ports/scoring';
import { defaultScoringScheme } from '../../shared/reference/scoring-template';
import { CallCounter, freshTable } from '../support/aws';

const C = 'cum-cham-diem';
const P = '2021-2022';
const counter = new CallCounter();
let table: Awaited<ReturnType<typeof freshTable>>;
let repo: DynamoScoringRepository;

const v1: ScoringScheme = defaultScoringScheme('dang-ky');
const stored = (scheme: ScoringScheme, savedBy = 'truong@example.com'): StoredScheme => ({ scheme, savedAt: '2021-11-25T02:00:00.000Z', savedBy });
const sheetOf = (unitId: string, points: number, extra: Partial<SelfScoreSheet> = {}): SelfScoreSheet =>
  SelfScoreSheetSchema.parse({
    clusterId: C,
    planId: P,
    unitId,
    schemeVersion: 1,
    criteria: [{ criterionId: 'phat-dong-dang-ky', points }],
    status: 'draft',
    ...extra,
  });
const verificationOf = (unitId: string, points: number): Verification =>
  VerificationSchema.parse({ clusterId: C, planId: P, unitId, schemeVersion: 1, criteria: [{ criterionId: 'phat-dong-dang-ky', points }] });
const opened: ScoringState = { ...INITIAL_SCORING_STATE, selfScoreOpensAt: '2021-11-25T02:00:00.000Z' };

/** Every SK of the plan's scoring partition, as stored. */
async function storedKeys(clusterId = C, planId = P): Promise<string[]> {
  const items = await queryAll(table, { KeyConditionExpression: 'PK = :pk', ExpressionAttributeValues: { ':pk': keys.scoringPartition(clusterId, planId) } });
  return items.map((i) => String(i.SK));
}

beforeAll(async () => {
  table = await freshTable(counter);
  repo = new DynamoScoringRepository(table, fixedClock('2021-11-25T09:00:00+07:00'));
});

describe('an empty plan', () => {
  it('reads as no scheme, the initial settings at version 0, nothing else', async () => {
    expect(await repo.getPlanScoring(C, P)).toEqual({ schemes: [], state: { value: INITIAL_SCORING_STATE, version: 0 }, sheets: [], verifications: [], flags: [] });
    expect(await repo.getUnitScoring(C, P, 'an')).toEqual({ state: { value: INITIAL_SCORING_STATE, version: 0 } });
  });
});

describe('scheme versions', () => {
  it('saves version 1 under SCHEME#0001, the scheme under data (its own version field apart from the item’s)', async () => {
    await repo.saveScheme({ clusterId: C, planId: P, stored: stored(v1), replace: false, stateVersion: 0 });
    expect((await repo.getPlanScoring(C, P)).schemes).toEqual([stored(v1)]);
    const [item] = await queryAll(table, { KeyConditionExpression: 'PK = :pk', ExpressionAttributeValues: { ':pk': keys.scoringPartition(C, P) } });
    expect(item).toMatchObject({ PK: `CLUSTER#${C}#PLAN#${P}#SCORES`, SK: 'SCHEME#0001', entity: 'ScoringScheme', version: 1, savedBy: 'truong@example.com', data: { version: 1, isSample: true } });
  });

  it('replaces version 1 in place (before self-scoring opens)', async () => {
    const edited = { ...v1, isSample: false };
    await repo.saveScheme({ clusterId: C, planId: P, stored: stored(edited, 'pho@example.com'), replace: true, stateVersion: 0 });
    expect((await repo.getPlanScoring(C, P)).schemes).toEqual([stored(edited, 'pho@example.com')]);
    expect(await storedKeys()).toEqual(['SCHEME#0001']);
  });

  it('adds version 2 as a new item and keeps version 1; the last is current', async () => {
    const v2 = { ...v1, isSample: false, version: 2, changeReason: 'Điều chỉnh mức xếp loại theo hội nghị Cụm' };
    await repo.saveScheme({ clusterId: C, planId: P, stored: stored(v2), replace: false, stateVersion: 0 });
    const { schemes } = await repo.getPlanScoring(C, P);
    expect(schemes.map((s) => [s.scheme.version, s.savedBy, s.scheme.changeReason])).toEqual([
      [1, 'pho@example.com', undefined],
      [2, 'truong@example.com', 'Điều chỉnh mức xếp loại theo hội nghị Cụm'],
    ]);
    expect(await storedKeys()).toEqual(['SCHEME#0001', 'SCHEME#0002']);
  });

  it('refuses a second "new" version 2 (ConflictError) and leaves the stored one as it was', async () => {
    const again = { ...v1, version: 2, changeReason: 'Một lý do khác hẳn' };
    const attempt = repo.saveScheme({ clusterId: C, planId: P, stored: stored(again, 'khac@example.com'), replace: false, stateVersion: 0 });
    await expect(attempt).rejects.toThrow(ConflictError);
    await expect(attempt).rejects.toMatchObject({ code: 'CONFLICT', messageVi: CONFLICT_MESSAGE });
    const { schemes } = await repo.getPlanScoring(C, P);
    expect(schemes[1]).toMatchObject({ savedBy: 'truong@example.com', scheme: { changeReason: 'Điều chỉnh mức xếp loại theo hội nghị Cụm' } });
  });
});

describe('the settings (STATE) and their version', () => {
  it('writes version 1 from nothing, then refuses a writer that read an older version', async () => {
    expect(await repo.putState(C, P, opened, 0)).toBe(1);
    await expect(repo.putState(C, P, { ...opened, lock: { status: 'frozen', frozenAt: '2021-11-25T03:00:00.000Z', frozenBy: 'x@example.com', schemeVersion: 2 } }, 0)).rejects.toThrow(ConflictError);
    await expect(repo.putState(C, P, INITIAL_SCORING_STATE, 7)).rejects.toThrow(ConflictError);
    expect((await repo.getPlanScoring(C, P)).state).toEqual({ value: opened, version: 1 });
    expect(await repo.putState(C, P, opened, 1)).toBe(2);
  });

  it('a scheme saved against a stale settings version is refused and not written', async () => {
    const v3 = { ...v1, version: 3, changeReason: 'Phiên bản viết khi chưa biết đã mở tự chấm' };
    await expect(repo.saveScheme({ clusterId: C, planId: P, stored: stored(v3), replace: false, stateVersion: 0 })).rejects.toThrow(ConflictError);
    expect(await storedKeys()).toEqual(['SCHEME#0001', 'SCHEME#0002', 'STATE']);
  });
});

describe('sheets and verifications: guarded by their own version and by the settings’ version', () => {
  // The settings are at version 2 from here on.
  it('putSheet: version 1, then 2; a stale sheet version or a stale settings version writes nothing', async () => {
    expect(await repo.putSheet(sheetOf('an', 3), { sheetVersion: 0, stateVersion: 2 })).toBe(1);
    await expect(repo.putSheet(sheetOf('an', 1), { sheetVersion: 0, stateVersion: 2 })).rejects.toThrow(ConflictError);
    await expect(repo.putSheet(sheetOf('an', 1), { sheetVersion: 1, stateVersion: 1 })).rejects.toThrow(ConflictError);
    await expect(repo.putSheet(sheetOf('binh', 1), { sheetVersion: 0, stateVersion: 1 })).rejects.toThrow(ConflictError);
    const { sheets } = await repo.getPlanScoring(C, P);
    expect(sheets).toEqual([{ value: sheetOf('an', 3), version: 1 }]);

    const submitted = sheetOf('an', 5, { status: 'submitted', submittedAt: '2021-11-25T02:30:00.000Z' });
    expect(await repo.putSheet(submitted, { sheetVersion: 1, stateVersion: 2 })).toBe(2);
    expect((await repo.getPlanScoring(C, P)).sheets).toEqual([{ value: submitted, version: 2 }]);
  });

  it('putVerification: the same guards', async () => {
    expect(await repo.putVerification(verificationOf('an', 4), { verificationVersion: 0, stateVersion: 2 })).toBe(1);
    await expect(repo.putVerification(verificationOf('an', 2), { verificationVersion: 0, stateVersion: 2 })).rejects.toThrow(ConflictError);
    await expect(repo.putVerification(verificationOf('an', 2), { verificationVersion: 1, stateVersion: 1 })).rejects.toThrow(ConflictError);
    await expect(repo.putVerification(verificationOf('binh', 2), { verificationVersion: 0, stateVersion: 3 })).rejects.toThrow(ConflictError);
    expect((await repo.getPlanScoring(C, P)).verifications).toEqual([{ value: verificationOf('an', 4), version: 1 }]);
    expect(await repo.putVerification(verificationOf('an', 2), { verificationVersion: 1, stateVersion: 2 })).toBe(2);
  });

  it('a freeze (settings moved on) makes every later write from an old read fail', async () => {
    const frozen: ScoringState = { ...opened, lock: { status: 'frozen', frozenAt: '2021-11-25T04:00:00.000Z', frozenBy: 'truong@example.com', schemeVersion: 2 } };
    expect(await repo.putState(C, P, frozen, 2)).toBe(3);
    await expect(repo.putSheet(sheetOf('an', 1, { schemeVersion: 2 }), { sheetVersion: 2, stateVersion: 2 })).rejects.toThrow(ConflictError);
    await expect(repo.putVerification(verificationOf('an', 1), { verificationVersion: 2, stateVersion: 2 })).rejects.toThrow(ConflictError);
    const flag = RegistrationFlagSchema.parse({ unitId: 'an', registered: false, reason: 'Ghi sau khi đã chốt', recordedAt: '2021-11-25T05:00:00.000Z' });
    await expect(repo.addRegistrationFlag({ clusterId: C, planId: P, flag, stateVersion: 2 })).rejects.toThrow(ConflictError);
    const after = await repo.getPlanScoring(C, P);
    expect(after.state).toEqual({ value: frozen, version: 3 });
    expect(after.sheets.map((s) => s.version)).toEqual([2]);
    expect(after.verifications.map((v) => [v.version, v.value.criteria[0]?.points])).toEqual([[2, 2]]);
    expect(after.flags).toEqual([]);
    // Reopened for what follows.
    expect(await repo.putState(C, P, opened, 3)).toBe(4);
  });
});

describe('a freeze racing an edit (both from the same read, at once)', () => {
  const frozenBy = (by: string): ScoringState => ({ ...opened, lock: { status: 'frozen', frozenAt: '2021-11-25T04:00:00.000Z', frozenBy: by, schemeVersion: 1 } });
  /** Round `i` gets a cluster of its own, with the settings at version 1. */
  const round = async (i: number): Promise<string> => {
    const clusterId = `cum-dua-${i}`;
    expect(await repo.putState(clusterId, P, opened, 0)).toBe(1);
    return clusterId;
  };

  it('freeze vs verification: the freeze always lands; the edit lands before it or is refused, never after it', async () => {
    for (let i = 0; i < 10; i++) {
      const clusterId = await round(i);
      const [freeze, edit] = await Promise.allSettled([
        repo.putState(clusterId, P, frozenBy('truong@example.com'), 1),
        repo.putVerification({ ...verificationOf('an', 4), clusterId }, { verificationVersion: 0, stateVersion: 1 }),
      ]);
      expect(freeze).toEqual({ status: 'fulfilled', value: 2 });
      if (edit.status === 'rejected') expect(edit.reason).toBeInstanceOf(ConflictError);
      const after = await repo.getPlanScoring(clusterId, P);
      expect(after.state.value.lock.status).toBe('frozen');
      // Written only if it committed, i.e. before the freeze (which it does not move): part of what was frozen.
      expect(after.verifications).toHaveLength(edit.status === 'fulfilled' ? 1 : 0);
    }
  });

  it('freeze vs ballots (both write the settings): exactly one wins, the other is a ConflictError', async () => {
    for (let i = 10; i < 20; i++) {
      const clusterId = await round(i);
      const tally = { ballotsCast: 10, votes: [{ unitId: 'an', count: 6 }] };
      const results = await Promise.allSettled([repo.putState(clusterId, P, frozenBy('truong@example.com'), 1), repo.putState(clusterId, P, { ...opened, tally }, 1)]);
      expect(results.filter((r) => r.status === 'fulfilled')).toEqual([{ status: 'fulfilled', value: 2 }]);
      const refused = results.find((r) => r.status === 'rejected');
      expect(refused?.reason).toBeInstanceOf(ConflictError);
      const { state } = await repo.getPlanScoring(clusterId, P);
      expect(state.version).toBe(2);
      expect(state.value.lock.status === 'frozen').toBe(state.value.tally === undefined);
    }
  });
});

describe('registration flags', () => {
  it('are append-only and read back oldest first, across units (not in key order)', async () => {
    const flag = (unitId: string, registered: boolean, recordedAt: string) =>
      RegistrationFlagSchema.parse({ unitId, registered, reason: `Ghi nhận ${unitId} lúc ${recordedAt}`, recordedAt, recordedBy: 'truong@example.com' });
    const flags = [flag('an', true, '2021-11-25T06:00:00.000Z'), flag('binh', false, '2021-11-25T04:00:00.000Z'), flag('an', false, '2021-11-25T05:00:00.000Z')];
    for (const f of flags) await repo.addRegistrationFlag({ clusterId: C, planId: P, flag: f, stateVersion: 4 });
    // The same instant for the same unit is the same item: refused, not overwritten.
    await expect(repo.addRegistrationFlag({ clusterId: C, planId: P, flag: { ...flags[0]!, registered: false }, stateVersion: 4 })).rejects.toThrow(ConflictError);
    const { flags: read } = await repo.getPlanScoring(C, P);
    expect(read.map((f) => [f.unitId, f.registered, f.recordedAt])).toEqual([
      ['binh', false, '2021-11-25T04:00:00.000Z'],
      ['an', false, '2021-11-25T05:00:00.000Z'],
      ['an', true, '2021-11-25T06:00:00.000Z'],
    ]);
    expect(await storedKeys()).toEqual([
      'REGFLAG#an#2021-11-25T05:00:00.000Z',
      'REGFLAG#an#2021-11-25T06:00:00.000Z',
      'REGFLAG#binh#2021-11-25T04:00:00.000Z',
      'SCHEME#0001',
      'SCHEME#0002',
      'SHEET#an',
      'STATE',
      'VERIF#an',
    ]);
  });
});

describe('reads and their cost', () => {
  it('getPlanScoring: everything of the plan in one Query', async () => {
    counter.reset();
    const all = await repo.getPlanScoring(C, P);
    expect(counter.calls).toEqual(['QueryCommand']);
    expect(all.schemes.map((s) => s.scheme.version)).toEqual([1, 2]);
    expect(all.state).toEqual({ value: opened, version: 4 });
    expect(all.sheets.map((s) => [s.value.unitId, s.version])).toEqual([['an', 2]]);
    expect(all.verifications.map((v) => [v.value.unitId, v.version])).toEqual([['an', 2]]);
    expect(all.flags).toHaveLength(3);
  });

  it('getUnitScoring: a Query (latest scheme) and a BatchGetItem (settings, sheet), the latest scheme version', async () => {
    counter.reset();
    const an = await repo.getUnitScoring(C, P, 'an');
    expect([...counter.calls].sort()).toEqual(['BatchGetItemCommand', 'QueryCommand']);
    expect(an.scheme?.scheme.version).toBe(2);
    expect(an.state).toEqual({ value: opened, version: 4 });
    expect(an.sheet).toMatchObject({ version: 2, value: { unitId: 'an', status: 'submitted' } });

    counter.reset();
    const binh = await repo.getUnitScoring(C, P, 'binh');
    expect(counter.calls).toHaveLength(2);
    expect(binh.sheet).toBeUndefined();
    expect(binh.scheme?.scheme.version).toBe(2);
  });

  it('another plan of the cluster shares nothing', async () => {
    expect(await repo.getPlanScoring(C, '2022-2023')).toEqual({ schemes: [], state: { value: INITIAL_SCORING_STATE, version: 0 }, sheets: [], verifications: [], flags: [] });
  });
});
