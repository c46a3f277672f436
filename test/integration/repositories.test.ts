import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { queryAll, StoredItemError } from '../../shared/adapters/dynamodb/items';
import { createDynamoRepositories } from '../../shared/adapters/dynamodb/repositories';
import { keys } from '../../shared/adapters/dynamodb/table';
import { fixedClock } from '../../shared/ports/clock';
import type { Repositories } from '../../shared/ports/repositories';
import { referenceCluster, referenceMilestones, referencePlan, referenceUnits } from '../../shared/reference/thanh-hoa-cum-5';
import { getPlan, listClusters, listPlans, listUnits } from '../../shared/use-cases/read-cluster';
import { seedReferenceData } from '../../shared/use-cases/seed-reference';
import { CallCounter, freshTable } from '../support/aws';
import { submissionRecord } from '../support/records';

const counter = new CallCounter();
let repos: Repositories;
let table: Awaited<ReturnType<typeof freshTable>>;

beforeAll(async () => {
  table = await freshTable(counter);
  repos = createDynamoRepositories(table.doc, table.tableName, fixedClock('2026-11-25T10:00:00+07:00'));
});

describe('seeding the reference cluster', () => {
  it('creates the cluster, its units, the 2021-2022 plan and its clone into the current school year', async () => {
    const report = await seedReferenceData(repos, fixedClock('2026-11-25T10:00:00+07:00'));
    expect(report.cluster).toBe('created');
    expect(Object.values(report.units).every((o) => o === 'created')).toBe(true);
    expect(report.plans).toEqual({ '2021-2022': 'created', '2026-2027': 'created' });
  });

  it('is idempotent: a second run creates nothing and overwrites nothing', async () => {
    const report = await seedReferenceData(repos, fixedClock('2026-11-25T10:00:00+07:00'));
    expect(report.cluster).toBe('exists');
    expect(new Set(Object.values(report.units))).toEqual(new Set(['exists']));
    expect(report.plans).toEqual({ '2021-2022': 'exists', '2026-2027': 'exists' });
  });

  it('reads back exactly what was written', async () => {
    const view = await getPlan(repos, referenceCluster.clusterId, referencePlan.planId);
    expect(view.plan).toEqual(referencePlan);
    expect(view.milestones.map(({ dueLabel: _, ...m }) => m)).toEqual(referenceMilestones);
    expect(view.milestones.find((m) => m.milestoneId === 'bao-cao-so-ket-6-thang')?.dueLabel).toBe(
      'trước ngày 10/12/2021 (nhận đến hết ngày 09/12/2021)',
    );
  });
});

describe('read use cases cost a fixed number of calls, none of them a Scan', () => {
  it('plan with milestones: one GetItem and one Query', async () => {
    counter.reset();
    await getPlan(repos, referenceCluster.clusterId, '2026-2027');
    expect([...counter.calls].sort()).toEqual(['GetItemCommand', 'QueryCommand']);
  });

  it('units: one GetItem (cluster) and one Query, head first', async () => {
    counter.reset();
    const { units } = await listUnits(repos, referenceCluster.clusterId);
    expect([...counter.calls].sort()).toEqual(['GetItemCommand', 'QueryCommand']);
    expect(units.map((u) => u.role).slice(0, 2)).toEqual(['cum-truong', 'cum-pho']);
    expect(units).toHaveLength(referenceUnits.length);
  });

  it('plans: newest school year first; clusters: one Query on the index', async () => {
    const { plans } = await listPlans(repos, referenceCluster.clusterId);
    expect(plans.map((p) => p.planId)).toEqual(['2026-2027', '2021-2022']);
    counter.reset();
    expect(await listClusters(repos)).toEqual([referenceCluster]);
    expect(counter.calls).toEqual(['QueryCommand']);
  });

  it('never scans', () => {
    expect(counter.calls.some((c) => c.startsWith('Scan'))).toBe(false);
  });
});

describe('tenant isolation by key', () => {
  it('another cluster sees none of the reference data', async () => {
    await repos.clusters.createIfAbsent({ ...referenceCluster, clusterId: 'thanh-hoa-cum-1', name: 'Cụm Thi đua số 1' });
    const { units } = await listUnits(repos, 'thanh-hoa-cum-1');
    expect(units).toEqual([]);
    await expect(getPlan(repos, 'thanh-hoa-cum-1', '2021-2022')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(listUnits(repos, 'khong-ton-tai')).rejects.toMatchObject({
      code: 'NOT_FOUND',
      messageVi: 'Không tìm thấy cụm thi đua "khong-ton-tai".',
    });
  });
});

describe('writes that could race', () => {
  it('two concurrent creations of the same plan: exactly one wins, the plan is whole', async () => {
    const plan = { ...referencePlan, clusterId: 'race-cluster' };
    const milestones = referenceMilestones.map((m) => ({ ...m, clusterId: 'race-cluster' }));
    const outcomes = await Promise.all([1, 2, 3].map(() => repos.plans.createPlanIfAbsent(plan, milestones)));
    expect(outcomes.filter((o) => o === 'created')).toHaveLength(1);
    expect(await repos.plans.listMilestones('race-cluster', plan.planId)).toHaveLength(milestones.length);
  });

  it('a plan whose milestone already exists is not half-written', async () => {
    const clusterId = 'partial-cluster';
    const [first] = referenceMilestones;
    if (!first) throw new Error('no milestone');
    await table.doc.send(
      new PutCommand({ TableName: table.tableName, Item: { ...keys.milestone(clusterId, '2021-2022', first.milestoneId), ...first, clusterId } }),
    );
    await expect(
      repos.plans.createPlanIfAbsent({ ...referencePlan, clusterId }, referenceMilestones.map((m) => ({ ...m, clusterId }))),
    ).rejects.toThrow();
    expect(await repos.plans.getPlan(clusterId, '2021-2022')).toBeUndefined();
    expect(await repos.plans.listMilestones(clusterId, '2021-2022')).toHaveLength(1);
  });

  it('a receipt is claimed by one delivery at a time: one UpdateItem per claim, stale after the window', async () => {
    const at = (iso: string) => new Date(iso);
    const record = { ...submissionRecord({ clusterId: 'receipt-cluster', planId: '2021-2022', milestoneId: 'bao-cao', unitId: 'dv-a', receivedAt: '2021-12-08T10:00:00+07:00' }), receipt: 'pending' as const };
    await repos.uploads.recordSubmission(record);
    const stored = async () => (await table.doc.send(new GetCommand({ TableName: table.tableName, Key: keys.submission(record.clusterId, record.planId, record.unitId, record.uploadId) }))).Item ?? {};
    const claim = (iso: string) => repos.uploads.claimReceipt(record, at(iso), 60_000);

    counter.reset();
    const racing = await Promise.all([1, 2, 3].map(() => claim('2021-12-08T03:00:00.000Z')));
    expect(racing.filter(Boolean)).toHaveLength(1);
    expect(counter.calls).toEqual(['UpdateItemCommand', 'UpdateItemCommand', 'UpdateItemCommand']);
    expect(await claim('2021-12-08T03:00:59.999Z')).toBe(false);
    expect(await claim('2021-12-08T03:01:00.000Z')).toBe(true);
    expect((await stored()).receiptClaimedAt).toBe('2021-12-08T03:01:00.000Z');
    // Released (SES refused the email): claimable again at once.
    await repos.uploads.releaseReceipt(record);
    expect((await stored()).receiptClaimedAt).toBeUndefined();
    expect(await claim('2021-12-08T03:01:00.000Z')).toBe(true);
    // Marked sent: the claim is dropped, and nobody claims it again, stale or not; a release changes nothing.
    await repos.uploads.markReceiptSent(record);
    expect(await stored()).toMatchObject({ receipt: 'sent', version: 2 });
    expect((await stored()).receiptClaimedAt).toBeUndefined();
    expect(await claim('2021-12-09T03:00:00.000Z')).toBe(false);
    await repos.uploads.releaseReceipt(record);
    expect(await repos.uploads.getSubmission(record.clusterId, record.planId, record.unitId, record.uploadId)).toEqual({ ...record, receipt: 'sent' });
  });

  it('an audit entry given its key is written once, however often and concurrently it is appended', async () => {
    const record = { clusterId: 'audit-key-cluster', actor: { type: 'unit' as const, id: 'dv-a' }, action: 'upload.recorded', summary: 'Đơn vị A nộp báo cáo.' };
    const key = { entryId: '6f1c2b9e-0d4a-4c1e-9a43-2f0b5d7c8e11', at: new Date('2021-12-08T03:00:00.000Z') };
    const entries = await Promise.all([1, 2, 3].map(() => repos.audit.append(record, key)));
    expect(entries).toEqual([1, 2, 3].map(() => ({ ...record, entryId: key.entryId, at: '2021-12-08T03:00:00.000Z' })));
    const listed = async () => (await repos.audit.list(record.clusterId, {}, { limit: 10 })).entries;
    expect(await listed()).toEqual([entries[0]]);
    // Without a key, each append is an entry of its own.
    await repos.audit.append(record);
    await repos.audit.append(record);
    expect(await listed()).toHaveLength(3);
  });

  it('a unit is never overwritten by a second create', async () => {
    const [unit] = referenceUnits;
    if (!unit) throw new Error('no unit');
    expect(await repos.units.createIfAbsent({ ...unit, name: 'Tên khác' })).toBe('exists');
    expect((await repos.units.get(unit.clusterId, unit.unitId))?.name).toBe(unit.name);
  });
});

describe('reading stored items', () => {
  it('follows pagination to the end', async () => {
    counter.reset();
    const items = await queryAll(table, {
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :p)',
      ExpressionAttributeValues: { ':pk': keys.cluster(referenceCluster.clusterId).PK, ':p': keys.unitsPrefix },
      Limit: 2,
    });
    expect(items).toHaveLength(referenceUnits.length);
    expect(counter.count('QueryCommand')).toBe(Math.ceil(referenceUnits.length / 2) + (referenceUnits.length % 2 === 0 ? 1 : 0));
  });

  it('reports a malformed item as a storage fault naming its key, not as user data', async () => {
    await table.doc.send(
      new PutCommand({ TableName: table.tableName, Item: { ...keys.unit('broken', 'x'), name: 'Thiếu vai trò' } }),
    );
    await expect(repos.units.get('broken', 'x')).rejects.toThrow(StoredItemError);
    await expect(repos.units.get('broken', 'x')).rejects.toThrow(/CLUSTER#broken \/ UNIT#x/);
  });
});
