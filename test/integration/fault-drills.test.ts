/**
 * Fault drills (issue 8, item 6): duplicate and out-of-order S3 events, the Scheduler invoking twice, SES throttling
 * and 5xx mid-batch, DynamoDB throttling, two uploads of one unit racing, and crashes between recording and emailing.
 *
 * Each drill runs one scenario fault-free and then with the fault, each run in a world of its own (a fresh table, a
 * bucket of its own, addresses tagged with the run so the shared SES mailbox tells runs apart), through the real
 * handlers, use cases, adapters and SDK clients against the emulators. Faults sit on those clients' middleware
 * stacks (test/support/faults.ts); the retries are AWS's: Lambda's asynchronous retry of the same event for the
 * recorder and the reminder run, SQS redelivery of what a batch reports failed for the queued sender.
 *
 * Compared between the runs: every item of the table, every object of the bucket (key, size, ETag), and the number
 * of emails each address got per subject. Normalised because they legitimately differ from run to run: the run's tag
 * in addresses, upload ids (random per upload form; replaced by their order of creation; an upload's audit entry is
 * keyed by it) and SES message ids (the emulator's). The clock is the test's and stands still while events are
 * delivered, so every timestamp compares as it is, except where a drill moves it as AWS would and says so: SQS
 * redelivering a dead consumer's batch 16 minutes later (4b), Lambda retrying a recorder that died holding the
 * receipt's claim a minute later (7).
 *
 * The pass condition is "the same final state, no duplicate email, nothing lost". Where the code leaves a window
 * open, the drill is named "known gap" and asserts the exact deviation from the fault-free run, so that closing the
 * window makes it fail and be tightened.
 *
 * The handlers' cold-start wiring (shared/runtime/*-deps.ts, built from the environment) is replaced by the world's:
 * the same adapters, on the world's clients.
 */
import { randomUUID } from 'node:crypto';
import { CreateBucketCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';

const wiring = vi.hoisted(() => ({ recorder: {} as Record<string, unknown>, reminder: {} as Record<string, unknown>, sender: {} as Record<string, unknown> }));
vi.mock('../../shared/runtime/recorder-deps', () => ({ recorderDeps: wiring.recorder }));
vi.mock('../../shared/runtime/reminder-deps', () => ({ reminderDeps: wiring.reminder }));
vi.mock('../../shared/runtime/sender-deps', () => ({ senderDeps: wiring.sender }));

import { handler as recordHandler } from '../../functions/uploads/record-upload';
import { handler as sendQueuedHandler } from '../../functions/reminders/send-queued';
import { handler as sendRemindersHandler } from '../../functions/reminders/send-reminders';
import { OBJECT_CREATED_HANDLER_SIZING } from '../../infra/constructs/uploads';
import { LOCAL_CREDENTIALS } from '../../local/emulators';
import { startSqsStandin } from '../../local/sqs-standin';
import { createDynamoRepositories } from '../../shared/adapters/dynamodb/repositories';
import { S3FileStore, createS3Client } from '../../shared/adapters/s3/file-store';
import { SesMailer, createSesClient } from '../../shared/adapters/ses/mailer';
import { SqsReminderQueue, createSqsClient } from '../../shared/adapters/sqs/reminder-queue';
import type { LinkKey } from '../../shared/domain/link-token';
import { MilestoneSchema, UnitSchema, type Unit } from '../../shared/domain/model';
import type { ReminderEvent } from '../../shared/domain/reminders';
import type { Clock } from '../../shared/ports/clock';
import type { Repositories } from '../../shared/ports/repositories';
import { referenceCluster, referenceMilestones, referencePlan } from '../../shared/reference/thanh-hoa-cum-5';
import { toDocumentClient } from '../../shared/runtime/aws-clients';
import { issueLink } from '../../shared/use-cases/links';
import { RECEIPT_STALE_CLAIM_MS } from '../../shared/use-cases/record-upload';
import { STALE_CLAIM_MS } from '../../shared/use-cases/reminders';
import { createUpload, getMemberPage, type MemberDeps } from '../../shared/use-cases/member-uploads';
import { dynamoClient, freshTable } from '../support/aws';
import {
  DYNAMODB_THROTTLE,
  LAMBDA_ASYNC_RETRY_DELAYS_MS,
  SES_THROTTLE,
  SES_UNAVAILABLE,
  barrier,
  injectFaults,
  invokeAsync,
  runInvocation,
  type FaultInjector,
} from '../support/faults';
import { minimalPdf } from '../support/files';
import { mailTo } from '../support/mailbox';
import { numberedUploadId, submissionRecord } from '../support/records';

const stack = inject('stack');
const CLUSTER = 'cum-dien-tap-su-co';
const PLAN = '2021-2022';
/** The 6-month report: every unit sends it, before 10/12/2021; reminders go to those that have not. */
const REPORT = MilestoneSchema.parse({ ...referenceMilestones[2], clusterId: CLUSTER });
const LINK_KEY: LinkKey = { id: 1, secret: Buffer.from('fault-drill-secret-0123456789abcdefghijkl') };
const HEAD = 'truong';
const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01]);

// The SDK's back-off is `random × base × 2^retry` (throttles: base 1 s). Its jitter is pinned to 0 so a throttle
// that escapes takes milliseconds, not seconds; attempts, classification and the errors themselves are unchanged.
beforeAll(() => void vi.spyOn(Math, 'random').mockReturnValue(0));
afterAll(() => vi.restoreAllMocks());

// ---------------------------------------------------------------------------------------------------------------
// A world per run

interface World {
  /** In every address of the run. */
  tag: string;
  /** Every address of the run (one per unit). */
  addresses: string[];
  clock: Clock & { set(localIct: string): void; advance(ms: number): void };
  /** The app's repositories, on the client the DynamoDB faults sit on. */
  repos: Repositories;
  /** Fault-free access to the same table (seeding, reading the final state). */
  seed: { doc: DynamoDBDocumentClient; tableName: string; repos: Repositories };
  dynamo: FaultInjector;
  ses: FaultInjector;
  s3: S3Client;
  bucket: string;
  files: S3FileStore;
  mailer: SesMailer;
  /** Upload ids in the order the forms were issued (normalised to that order). */
  uploads: string[];
  /** The recorder's warnings. */
  warnings: string[];
  /** Epoch seconds when the run began: the mailbox is read from then on. */
  since: number;
}

async function newWorld(members: readonly string[]): Promise<World> {
  const tag = randomUUID().slice(0, 8);
  const address = (unitId: string) => `${unitId}.${tag}@example.com`;
  let now = new Date('2021-11-25T09:00:00+07:00');
  const clock = {
    now: () => new Date(now.getTime()),
    set: (local: string) => void (now = new Date(`${local}+07:00`)),
    advance: (ms: number) => void (now = new Date(now.getTime() + ms)),
  };
  const table = await freshTable();
  const client = dynamoClient();
  const dynamo = injectFaults(client, 'dynamodb');
  const sesClient = createSesClient({ endpoint: stack.sesEndpoint, region: stack.region, credentials: LOCAL_CREDENTIALS });
  const ses = injectFaults(sesClient, 'ses');
  const s3 = createS3Client({ endpoint: stack.s3Endpoint, region: stack.region, credentials: LOCAL_CREDENTIALS });
  const bucket = `fault-drill-${tag}`;
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  const world: World = {
    tag,
    addresses: [HEAD, ...members].map(address),
    clock,
    repos: createDynamoRepositories(toDocumentClient(client), table.tableName, clock),
    seed: { ...table, repos: createDynamoRepositories(table.doc, table.tableName, clock) },
    dynamo,
    ses,
    s3,
    bucket,
    files: new S3FileStore(s3, { bucket, endpoint: stack.s3Endpoint }),
    mailer: new SesMailer(sesClient, { from: 'Cụm diễn tập <no-reply@test.local>' }),
    uploads: [],
    warnings: [],
    since: Math.floor(Date.now() / 1000) - 1,
  };
  const repos = world.seed.repos;
  await repos.clusters.createIfAbsent({ ...referenceCluster, clusterId: CLUSTER, name: 'Cụm diễn tập sự cố' });
  const units: Unit[] = [HEAD, ...members].map((unitId) =>
    UnitSchema.parse({ clusterId: CLUSTER, unitId, name: `Công đoàn đơn vị ${unitId}`, role: unitId === HEAD ? 'cum-truong' : 'thanh-vien', emails: [address(unitId)] }),
  );
  for (const unit of units) await repos.units.createIfAbsent(unit);
  // The SES emulator keeps only the first address of an email (its SendEmail schema declares `member.1` alone): a
  // contact address, copied on the head's notice, would never show in the mailbox. So every email has one address.
  await repos.plans.createPlanIfAbsent({ ...referencePlan, clusterId: CLUSTER, contact: { ...referencePlan.contact!, email: undefined } }, [REPORT]);
  wire(world);
  return world;
}

/** Points the handlers' deps at the world (what the runtime modules build from the environment in AWS). */
function wire(world: World, queue?: SqsReminderQueue): void {
  const rewire = (target: Record<string, unknown>, deps: object) => {
    for (const key of Object.keys(target)) delete target[key];
    Object.assign(target, deps);
  };
  const log = { warn: (message: string) => void world.warnings.push(message), info: () => undefined };
  rewire(wiring.recorder, { repos: world.repos, files: world.files, mailer: world.mailer, clock: world.clock, log });
  const sending = { repos: world.repos, mailer: world.mailer, clock: world.clock, maxSendRate: 1000, sleep: async () => undefined };
  rewire(wiring.sender, sending);
  rewire(wiring.reminder, {
    ...sending,
    linkKeys: { keys: async () => [LINK_KEY] },
    baseUrl: 'https://thi-dua.example.org',
    ...(queue ? { queue, fanOutThreshold: 0 } : {}),
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Final state

interface FinalState {
  /** Every item of the table, normalised, as sorted JSON. */
  items: string[];
  /** Every object of the bucket: "key size etag". */
  objects: string[];
  /** "address | subject" -> emails delivered. */
  mail: Record<string, number>;
}

async function finalState(world: World): Promise<FinalState> {
  const items: string[] = [];
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const page = await world.seed.doc.send(new ScanCommand({ TableName: world.seed.tableName, ExclusiveStartKey }));
    items.push(...(page.Items ?? []).map((item) => normalise(world, stableJson(withoutMessageIds(item)))));
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  const listed = await world.s3.send(new ListObjectsV2Command({ Bucket: world.bucket }));
  const objects = (listed.Contents ?? []).map((o) => normalise(world, `${o.Key} ${o.Size} ${o.ETag}`));
  const mail: Record<string, number> = {};
  for (const address of world.addresses) {
    for (const email of await mailTo(stack, address, world.since)) {
      const key = normalise(world, `${address} | ${email.subject}`);
      mail[key] = (mail[key] ?? 0) + 1;
    }
  }
  return { items: items.sort(), objects: objects.sort(), mail: sortedRecord(mail) };
}

/** SES message ids are the emulator's. */
function withoutMessageIds(item: Record<string, unknown>): Record<string, unknown> {
  return item.entity === 'ReminderSend' && item.messageId !== undefined ? { ...item, messageId: '<ses-message-id>' } : item;
}

/** The run's tag, and upload ids by their order of issue. */
function normalise(world: World, text: string): string {
  let out = text.split(world.tag).join('<run>');
  world.uploads.forEach((id, i) => (out = out.split(id).join(`<upload-${i + 1}>`)));
  return out;
}

function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? sortedRecord(v as Record<string, unknown>) : v,
  );
}

function sortedRecord<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));
}

/** Per "address | subject", how many more emails `a` has than `b`. */
function surplus(a: Record<string, number>, b: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(a).flatMap(([k, n]) => (n > (b[k] ?? 0) ? [[k, n - (b[k] ?? 0)]] : [])));
}

/**
 * The drill's pass condition: no duplicate email, nothing lost (no email, item or object of the fault-free run
 * missing or changed), and the same final state.
 */
function expectSameOutcome(faulty: FinalState, clean: FinalState): void {
  expect(surplus(faulty.mail, clean.mail), 'duplicate emails').toEqual({});
  expect(surplus(clean.mail, faulty.mail), 'lost emails').toEqual({});
  expect(clean.items.filter((i) => !faulty.items.includes(i)), 'items lost or changed').toEqual([]);
  expect(clean.objects.filter((o) => !faulty.objects.includes(o)), 'objects lost').toEqual([]);
  expect(faulty).toEqual(clean);
}

/**
 * The fault-free state with a known deviation applied: `items` changes (or, returning undefined, drops) the items
 * it is given, `extraMail` adds emails per "address | subject". For the windows the code does not close yet.
 */
function deviating(
  state: FinalState,
  deviation: { items?: (item: Record<string, any>) => Record<string, unknown> | undefined; extraMail?: Record<string, number> },
): FinalState {
  const items = state.items.flatMap((json) => {
    const item = JSON.parse(json) as Record<string, unknown>;
    const changed = deviation.items ? deviation.items(item) : item;
    return changed ? [stableJson(changed)] : [];
  });
  const mail = { ...state.mail };
  for (const [key, n] of Object.entries(deviation.extraMail ?? {})) mail[key] = (mail[key] ?? 0) + n;
  return { ...state, items: items.sort(), mail: sortedRecord(mail) };
}

const isUnitItem = (item: Record<string, any>, entity: string, unitId: string) =>
  item.entity === entity && (item.unitId === unitId || item.actor?.id === unitId || item.recipient === unitId);

/** Runs a scenario once per world and keeps its final state (the fault-free run several drills compare with). */
function cached<T>(make: () => Promise<T>): () => Promise<T> {
  let promise: Promise<T> | undefined;
  return () => (promise ??= make());
}

const where = {
  entity: (entity: string) => (input: any) => input?.Item?.entity === entity,
  receiptClaim: (input: any) => String(input?.Key?.SK ?? '').startsWith('SUB#') && String(input?.UpdateExpression).includes('receiptClaimedAt ='),
  receiptRelease: (input: any) => String(input?.Key?.SK ?? '').startsWith('SUB#') && String(input?.UpdateExpression).startsWith('REMOVE receiptClaimedAt'),
  receiptMark: (input: any) => String(input?.Key?.SK ?? '').startsWith('SUB#') && String(input?.UpdateExpression).includes('receipt = :sent'),
  sendClaim: (input: any) => String(input?.Item?.SK ?? '').startsWith('SEND#'),
  sendMark: (input: any) => String(input?.Key?.SK ?? '').startsWith('SEND#'),
};

// ---------------------------------------------------------------------------------------------------------------
// Uploads: forms issued, files sent to the bucket, object-created events delivered to the recorder

interface ObjectCreated {
  'detail-type': 'Object Created';
  time: string;
  detail: { bucket: { name: string }; object: { key: string; size: number } };
}

/** A unit's upload through the member use case and the presigned form; returns the event S3 would emit. */
async function upload(world: World, unitId: string, file: { name: string; bytes: Buffer }, atIct: string): Promise<ObjectCreated> {
  world.clock.set(atIct);
  const member: MemberDeps = { repos: world.seed.repos, files: world.files, linkKeys: { keys: async () => [LINK_KEY] }, clock: world.clock, maxUploadBytes: 1024 * 1024 };
  const { token } = await issueLink(member, { clusterId: CLUSTER, unitId, planId: PLAN }, 'https://thi-dua.example.org');
  const form = await createUpload(member, token, { milestoneId: REPORT.milestoneId, fileName: file.name, contentType: 'application/pdf', size: file.bytes.length });
  world.uploads.push(form.uploadId);
  const body = new FormData();
  for (const [k, v] of Object.entries(form.fields)) body.append(k, v);
  body.append('file', new Blob([new Uint8Array(file.bytes)], { type: 'application/pdf' }), file.name);
  expect((await fetch(form.url, { method: 'POST', body })).status).toBe(204);
  const key = form.fields.key ?? '';
  return {
    'detail-type': 'Object Created',
    time: new Date(`${atIct}+07:00`).toISOString(),
    detail: { bucket: { name: world.bucket }, object: { key, size: file.bytes.length } },
  };
}

/**
 * EventBridge's asynchronous invocation of the recorder, with Lambda's retries; given the world, its clock moves on
 * by Lambda's retry delays (for a retry that must find a dead delivery's receipt claim stale).
 */
const deliver = (event: ObjectCreated, world?: World) => invokeAsync(recordHandler, { version: '0', source: 'aws.s3', ...event }, { clock: world?.clock });

/** Two units upload: A a PDF (accepted: receipt, head's notice), B a JPEG named .pdf (quarantined: notice to B). */
async function twoUploads(): Promise<{ world: World; a: ObjectCreated; b: ObjectCreated }> {
  const world = await newWorld(['dv-a', 'dv-b']);
  const a = await upload(world, 'dv-a', { name: 'Báo cáo sơ kết 6 tháng.pdf', bytes: minimalPdf('dv-a') }, '2021-12-08T10:00:00');
  const b = await upload(world, 'dv-b', { name: 'Báo cáo đơn vị B.pdf', bytes: JPEG }, '2021-12-08T10:05:00');
  world.clock.set('2021-12-08T10:06:00');
  return { world, a, b };
}

/** How the mail of the two-upload scenario is counted ("address | subject"). */
const RECEIPT_A = 'dv-a.<run>@example.com | [Cụm diễn tập sự cố] Biên nhận: Báo cáo sơ kết 06 tháng đầu năm học – Công đoàn đơn vị dv-a';
const REFUSED_B = 'dv-b.<run>@example.com | [Cụm diễn tập sự cố] Tệp chưa được chấp nhận: Báo cáo sơ kết 06 tháng đầu năm học – Công đoàn đơn vị dv-b';
const NOTICE_A = 'truong.<run>@example.com | [Cụm diễn tập sự cố] Công đoàn đơn vị dv-a đã nộp: Báo cáo sơ kết 06 tháng đầu năm học';

/**
 * For a drill whose retry comes a minute later on the moved clock (delivering B first, so that only A's retry sees
 * it): A's receipt is marked sent then, the one time that differs.
 */
const markedByTheRetry = (item: Record<string, any>) =>
  isUnitItem(item, 'Submission', 'dv-a') ? { ...item, updatedAt: '2021-12-08T03:07:00.000Z' } : item;

const twoUploadsClean = cached(async () => {
  const { world, a, b } = await twoUploads();
  for (const event of [a, b]) expect((await deliver(event)).attempts).toBe(1);
  const state = await finalState(world);
  // The fault-free run itself: one receipt to A, A's notice to the head, B told its file was refused.
  expect(state.mail).toEqual({ [RECEIPT_A]: 1, [REFUSED_B]: 1, [NOTICE_A]: 1 });
  expect(state.objects.map((o) => o.split(' ')[0])).toEqual([
    `quarantine/${CLUSTER}/${PLAN}/${REPORT.milestoneId}/dv-b/<upload-2>`,
    `uploads/${CLUSTER}/${PLAN}/${REPORT.milestoneId}/dv-a/<upload-1>`,
  ]);
  expect(state.items.filter((i) => i.includes('"entity":"Submission"')).map((i) => JSON.parse(i).receipt)).toEqual(['sent', 'sent']);
  expect(state.items.filter((i) => i.includes('"entity":"AuditEntry"'))).toHaveLength(2);
  return state;
});

// ---------------------------------------------------------------------------------------------------------------
// Reminders: a run picks the units that have not sent the report and emails each once

const REMINDER: ReminderEvent = { clusterId: CLUSTER, planId: PLAN, milestoneId: REPORT.milestoneId, kind: 'reminder', offset: 1 };

/** A cluster whose `uploaded` units sent the report the evening before the reminder fires (08:00 on 9/12). */
async function reminderWorld(members: readonly string[], uploaded: readonly string[]): Promise<World> {
  const world = await newWorld(members);
  for (const [i, unitId] of uploaded.entries()) {
    const record = submissionRecord({ clusterId: CLUSTER, planId: PLAN, milestoneId: REPORT.milestoneId, unitId, receivedAt: '2021-12-08T20:00:00+07:00', uploadId: numberedUploadId(i + 1) });
    await world.seed.repos.uploads.recordSubmission(record);
  }
  world.clock.set('2021-12-09T08:00:00');
  return world;
}

/** Scheduler's asynchronous invocation of the reminder function, with Lambda's retries. */
const fire = (event: ReminderEvent = REMINDER) => invokeAsync(sendRemindersHandler, event);

const FIVE = ['pho', 'a', 'b', 'c'];
const fiveUnitsClean = cached(async () => {
  const world = await reminderWorld(FIVE, ['a', HEAD]);
  expect((await fire()).result).toMatchObject({ recipients: 3, sent: 3 });
  const state = await finalState(world);
  expect(Object.keys(state.mail).map((k) => k.split(' | ')[0])).toEqual(['b.<run>@example.com', 'c.<run>@example.com', 'pho.<run>@example.com']);
  expect(Object.values(state.mail)).toEqual([1, 1, 1]);
  return state;
});

/** What one delivery of a batch to the sender came to. */
interface Batch {
  size: number;
  /** Messages given back (batchItemFailures), or all of them when the consumer died. */
  failed: number;
  died?: true;
}

/**
 * SQS gives a dead consumer's batch back after the queue's visibility timeout; in AWS that is more than a claim
 * takes to go stale (REMINDER_QUEUE_VISIBILITY_TIMEOUT, held above STALE_CLAIM_MS by test/infra/reminders.test.ts).
 */
const REDELIVERY_AFTER_DEATH_MS = STALE_CLAIM_MS + 60_000;

/**
 * The SQS stand-in with the real queued sender as the queue's consumer (Lambda's event source mapping), for the
 * time `body` runs and until the queue is drained.
 */
async function withQueue<T>(world: World, body: (batches: Batch[]) => Promise<T>): Promise<T> {
  const batches: Batch[] = [];
  const sqs = await startSqsStandin({
    pollMs: 10,
    consumers: {
      reminders: {
        visibilityTimeoutMs: 30,
        maxReceiveCount: 10,
        handler: async (event: SQSEvent) => {
          try {
            const response = await runInvocation(() => sendQueuedHandler(event, { awsRequestId: randomUUID() }));
            batches.push({ size: event.Records.length, failed: response.batchItemFailures.length });
            return response;
          } catch (error) {
            batches.push({ size: event.Records.length, failed: event.Records.length, died: true });
            world.clock.advance(REDELIVERY_AFTER_DEATH_MS);
            throw error;
          }
        },
      },
    },
  });
  try {
    const client = createSqsClient({ endpoint: sqs.url, region: stack.region, credentials: LOCAL_CREDENTIALS });
    wire(world, new SqsReminderQueue(client, sqs.queueUrl('reminders')));
    const result = await body(batches);
    await sqs.drain(10_000);
    // Nothing lost on the queue side either: no message gave up after maxReceiveCount.
    expect(sqs.deadLetters).toEqual([]);
    return result;
  } finally {
    await sqs.close();
  }
}

const TWELVE = Array.from({ length: 12 }, (_, i) => `dv-${String(i + 1).padStart(2, '0')}`);
const queuedClean = cached(async () => {
  const world = await reminderWorld(TWELVE, []);
  const batches = await withQueue(world, async (seen) => {
    expect((await fire()).result).toMatchObject({ recipients: 13, queued: 13 });
    return seen;
  });
  expect(batches.every((b) => b.failed === 0)).toBe(true);
  const state = await finalState(world);
  expect(Object.keys(state.mail)).toHaveLength(13);
  expect(Object.values(state.mail).every((n) => n === 1)).toBe(true);
  return state;
});

// ---------------------------------------------------------------------------------------------------------------
// The drills

describe('1. a duplicate S3 event', () => {
  it('delivered twice, one after the other: the same final state, no second receipt', async () => {
    const { world, a, b } = await twoUploads();
    const runs = [await deliver(a), await deliver(a), await deliver(b), await deliver(b)];
    expect(runs.map((r) => r.attempts)).toEqual([1, 1, 1, 1]);
    expectSameOutcome(await finalState(world), await twoUploadsClean());
  });

  it('delivered twice at the same moment: the same final state, no second receipt', async () => {
    const { world, a, b } = await twoUploads();
    // Every delivery reads before any writes: the conditional write of the record decides who sends the receipt.
    world.dynamo.set([{ command: 'BatchGetItem', calls: [1, 2, 3, 4], hold: barrier(4) }]);
    const runs = await Promise.all([a, a, b, b].map((event) => deliver(event)));
    expect(runs.map((r) => r.attempts)).toEqual([1, 1, 1, 1]);
    expectSameOutcome(await finalState(world), await twoUploadsClean());
  });

  it('a second delivery overtaking the first while it emails: leaves the receipt and the notice to it', async () => {
    // Both deliveries find the record with its receipt pending; the first claimed the receipt before emailing, so
    // the second cannot, and does nothing more (the head's notice goes with the receipt).
    const { world, a, b } = await twoUploads();
    let reached!: () => void;
    const atReceipt = new Promise<void>((resolve) => (reached = resolve));
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    world.ses.set([{ command: 'SendEmail', calls: [1], hold: async () => (reached(), await released) }]);
    const first = deliver(a);
    await atReceipt;
    const second = await deliver(a);
    release();
    expect([(await first).attempts, second.attempts]).toEqual([1, 1]);
    await deliver(b);
    expectSameOutcome(await finalState(world), await twoUploadsClean());
  });
});

describe('2. out-of-order S3 events: two versions of one unit’s report', () => {
  // "Latest" is by S3's event time (receivedAt), never by the order of recording: the member page numbers versions
  // by it, the board lists the newest by it, scoring takes the first accepted by it.
  async function twoVersions(order: 'in order' | 'reversed') {
    const world = await newWorld(['dv-a']);
    const v1 = await upload(world, 'dv-a', { name: 'Báo cáo (bản 1).pdf', bytes: minimalPdf('v1') }, '2021-12-09T20:00:00');
    const v2 = await upload(world, 'dv-a', { name: 'Báo cáo (bản 2).pdf', bytes: minimalPdf('v2') }, '2021-12-10T08:00:00');
    world.clock.set('2021-12-10T08:05:00');
    for (const event of order === 'in order' ? [v1, v2] : [v2, v1]) expect((await deliver(event)).attempts).toBe(1);
    const member: MemberDeps = { repos: world.seed.repos, files: world.files, linkKeys: { keys: async () => [LINK_KEY] }, clock: world.clock, maxUploadBytes: 1024 * 1024 };
    const { token } = await issueLink(member, { clusterId: CLUSTER, unitId: 'dv-a', planId: PLAN }, 'https://thi-dua.example.org');
    const card = (await getMemberPage(member, token)).milestones.find((m) => m.milestoneId === REPORT.milestoneId);
    return { state: await finalState(world), card: card && { status: card.status, files: card.files.map((f) => [f.versionNumber, f.fileName, f.late]) } };
  }

  it('delivered newest first: the same final state and the same versions as in order', async () => {
    const inOrder = await twoVersions('in order');
    const reversed = await twoVersions('reversed');
    expect(inOrder.card).toEqual({ status: 'on-time', files: [[2, 'Báo cáo (bản 2).pdf', true], [1, 'Báo cáo (bản 1).pdf', false]] });
    expect(reversed.card).toEqual(inOrder.card);
    expect(Object.values(inOrder.state.mail)).toEqual([2, 1, 1]);
    expectSameOutcome(reversed.state, inOrder.state);
  });
});

describe('3. the Scheduler invoking the same reminder twice', () => {
  it('one invocation after the other: exactly one email per unit', async () => {
    const world = await reminderWorld(FIVE, ['a', HEAD]);
    const [first, second] = [await fire(), await fire()];
    expect(first.result).toMatchObject({ sent: 3, alreadySent: 0 });
    expect(second.result).toMatchObject({ sent: 0, alreadySent: 3 });
    expectSameOutcome(await finalState(world), await fiveUnitsClean());
  });

  it('two invocations at once: exactly one email per unit', async () => {
    const world = await reminderWorld(FIVE, ['a', HEAD]);
    // Both runs reach their first claim together, so they race for the same emails.
    world.dynamo.set([{ command: 'PutItem', where: where.sendClaim, calls: [1, 2], hold: barrier(2) }]);
    const runs = await Promise.all([fire(), fire()]);
    expect(runs.map((r) => r.attempts)).toEqual([1, 1]);
    expect(runs.reduce((n, r) => n + (r.result?.sent ?? 0), 0)).toBe(3);
    expectSameOutcome(await finalState(world), await fiveUnitsClean());
  });

  it('two invocations at once, each queueing its emails for the sender: exactly one email per unit', async () => {
    const world = await reminderWorld(FIVE, ['a', HEAD]);
    await withQueue(world, async () => {
      const runs = await Promise.all([fire(), fire()]);
      expect(runs.map((r) => r.result?.queued)).toEqual([3, 3]);
    });
    expectSameOutcome(await finalState(world), await fiveUnitsClean());
  });
});

describe('4. SES throttling and 5xx in the middle of a batch of queued reminders', () => {
  it('absorbed by the SDK’s retries: the same final state, no batch fails', async () => {
    const world = await reminderWorld(TWELVE, []);
    world.ses.set([
      { command: 'SendEmail', calls: [3], fault: SES_THROTTLE, failAttempts: 2 },
      { command: 'SendEmail', calls: [7], fault: SES_UNAVAILABLE, failAttempts: 1 },
    ]);
    const batches = await withQueue(world, async (seen) => (await fire(), seen));
    expect(world.ses.fired.map((f) => [f.call, f.kind, f.code])).toEqual([
      [3, 'attempt-failed', 'Throttling'],
      [3, 'attempt-failed', 'Throttling'],
      [7, 'attempt-failed', 'ServiceUnavailable'],
    ]);
    expect(batches.every((b) => b.failed === 0)).toBe(true);
    expectSameOutcome(await finalState(world), await queuedClean());
  });

  it('escaping the SDK: the batch reports the unsent messages, SQS redelivers them, every unit gets one email', async () => {
    const world = await reminderWorld(TWELVE, []);
    world.ses.set([
      { command: 'SendEmail', calls: [3], fault: SES_THROTTLE, failAttempts: 'every' },
      { command: 'SendEmail', calls: [9], fault: SES_UNAVAILABLE, failAttempts: 'every' },
    ]);
    const batches = await withQueue(world, async (seen) => (await fire(), seen));
    expect(world.ses.escaped().map((f) => [f.call, f.code])).toEqual([
      [3, 'Throttling'],
      [9, 'ServiceUnavailable'],
    ]);
    // The first batch sent 2 and gave back its other 8; a later one gave back what followed the 5xx.
    expect(batches[0]).toEqual({ size: 10, failed: 8 });
    expect(batches.filter((b) => b.failed > 0)).toHaveLength(2);
    expectSameOutcome(await finalState(world), await queuedClean());
  });
});

describe('4b. the queued sender dying after claiming an email, before SES took it', () => {
  it('SQS gives the batch back after the visibility timeout, the stale claim is taken over, every unit gets one email', async () => {
    const world = await reminderWorld(TWELVE, []);
    world.ses.set([{ command: 'SendEmail', calls: [4], crash: 'before' }]);
    const batches = await withQueue(world, async (seen) => (await fire(), seen));
    expect(batches[0]).toEqual({ size: 10, failed: 10, died: true });
    // The sends after the death carry the later time of the redelivery: times are the one documented difference.
    const untimed = (state: FinalState) =>
      deviating(state, { items: (item) => (item.entity === 'ReminderSend' ? { ...item, claimedAt: '<time>', sentAt: '<time>' } : item) });
    const faulty = await finalState(world);
    expect(faulty.items.filter((i) => i.includes('"status":"claimed"'))).toEqual([]);
    expectSameOutcome(untimed(faulty), untimed(await queuedClean()));
  });
});

describe('5. DynamoDB throttling', () => {
  describe('while recording an upload', () => {
    it('absorbed by the SDK’s retries: the same final state, each event handled at the first attempt', async () => {
      const { world, a, b } = await twoUploads();
      world.dynamo.set([
        { command: 'BatchGetItem', calls: [1], fault: DYNAMODB_THROTTLE, failAttempts: 3 },
        { command: 'PutItem', where: where.entity('Submission'), calls: [1], fault: DYNAMODB_THROTTLE, failAttempts: 2 },
        { command: 'UpdateItem', where: where.receiptClaim, calls: [1], fault: DYNAMODB_THROTTLE, failAttempts: 3 },
        { command: 'UpdateItem', where: where.receiptMark, calls: [1], fault: DYNAMODB_THROTTLE, failAttempts: 1 },
      ]);
      for (const event of [a, b]) expect((await deliver(event)).attempts).toBe(1);
      expect(world.dynamo.fired).toHaveLength(9);
      expect(world.dynamo.escaped()).toEqual([]);
      expectSameOutcome(await finalState(world), await twoUploadsClean());
    });

    it('escaping on the submission’s write: Lambda’s retry records it, the same final state', async () => {
      const { world, a, b } = await twoUploads();
      world.dynamo.set([{ command: 'PutItem', where: where.entity('Submission'), calls: [1], fault: DYNAMODB_THROTTLE }]);
      const first = await deliver(a);
      expect(first).toMatchObject({ attempts: 2, errors: [expect.stringContaining('ProvisionedThroughputExceededException')] });
      await deliver(b);
      expectSameOutcome(await finalState(world), await twoUploadsClean());
    });

    it('escaping on marking the receipt sent, after SES took it: no second receipt; the record stays pending', async () => {
      const { world, a, b } = await twoUploads();
      world.dynamo.set([{ command: 'UpdateItem', where: where.receiptMark, calls: [1], fault: DYNAMODB_THROTTLE }]);
      expect((await deliver(a)).attempts).toBe(1);
      await deliver(b);
      expect(world.warnings).toEqual(['receipt sent but not marked']);
      // Failing the invocation would have Lambda's retry send the receipt again; the mark is what is given up. The
      // claim stays (taken at the clock's 10:06), so a duplicate event within the stale window does not resend.
      const expected = deviating(await twoUploadsClean(), {
        items: (item) =>
          isUnitItem(item, 'Submission', 'dv-a') ? { ...item, receipt: 'pending', version: 1, receiptClaimedAt: '2021-12-08T03:06:00.000Z' } : item,
      });
      expectSameOutcome(await finalState(world), expected);
    });

    it('escaping on claiming the receipt: Lambda’s retry claims it and sends it once, the same final state', async () => {
      const { world, a, b } = await twoUploads();
      world.dynamo.set([{ command: 'UpdateItem', where: where.receiptClaim, calls: [1], fault: DYNAMODB_THROTTLE }]);
      expect(await deliver(a)).toMatchObject({ attempts: 2, errors: [expect.stringContaining('ProvisionedThroughputExceededException')] });
      await deliver(b);
      expectSameOutcome(await finalState(world), await twoUploadsClean());
    });

    it('escaping on the audit entry: Lambda’s retry appends it once, then the receipt goes out, the same final state', async () => {
      // The entry is keyed by the upload, appended before the receipt is claimed, and its failure fails the attempt.
      const { world, a, b } = await twoUploads();
      world.dynamo.set([{ command: 'PutItem', where: where.entity('AuditEntry'), calls: [1], fault: DYNAMODB_THROTTLE }]);
      expect(await deliver(a)).toMatchObject({ attempts: 2, errors: [expect.stringContaining('ProvisionedThroughputExceededException')] });
      await deliver(b);
      expect(world.warnings).toEqual([]);
      expectSameOutcome(await finalState(world), await twoUploadsClean());
    });
  });

  describe('during a reminder run', () => {
    it('absorbed by the SDK’s retries: the same final state, the run succeeds at the first attempt', async () => {
      const world = await reminderWorld(FIVE, ['a', HEAD]);
      world.dynamo.set([
        { command: 'Query', calls: [1, 2], fault: DYNAMODB_THROTTLE, failAttempts: 3 },
        { command: 'PutItem', where: where.sendClaim, calls: [2], fault: DYNAMODB_THROTTLE, failAttempts: 3 },
        { command: 'UpdateItem', where: where.sendMark, calls: [1], fault: DYNAMODB_THROTTLE, failAttempts: 2 },
      ]);
      expect((await fire()).attempts).toBe(1);
      expect(world.dynamo.fired).toHaveLength(11);
      expect(world.dynamo.escaped()).toEqual([]);
      expectSameOutcome(await finalState(world), await fiveUnitsClean());
    });

    it('escaping on a claim: Lambda’s retry sends the rest, the same final state', async () => {
      const world = await reminderWorld(FIVE, ['a', HEAD]);
      world.dynamo.set([{ command: 'PutItem', where: where.sendClaim, calls: [2], fault: DYNAMODB_THROTTLE }]);
      const run = await fire();
      expect(run).toMatchObject({ attempts: 2, result: { sent: 2, alreadySent: 1 } });
      expectSameOutcome(await finalState(world), await fiveUnitsClean());
    });

    it('escaping on marking an email sent, after SES took it: no second email; that send stays claimed', async () => {
      const world = await reminderWorld(FIVE, ['a', HEAD]);
      world.dynamo.set([{ command: 'UpdateItem', where: where.sendMark, calls: [2], fault: DYNAMODB_THROTTLE }]);
      const run = await fire();
      expect(run).toMatchObject({ attempts: 2, result: { sent: 1, alreadySent: 2 } });
      // The claim is kept (a release would let the retry send it again), so the send log shows it claimed.
      const expected = deviating(await fiveUnitsClean(), {
        items: (item) => (isUnitItem(item, 'ReminderSend', 'c') ? { ...item, status: 'claimed', sentAt: undefined, messageId: undefined } : item),
      });
      expectSameOutcome(await finalState(world), expected);
    });
  });
});

describe('6. two different uploads of the same unit and milestone, recorded concurrently', () => {
  async function twoOfOneUnit() {
    const world = await newWorld(['dv-a']);
    const v1 = await upload(world, 'dv-a', { name: 'Báo cáo.pdf', bytes: minimalPdf('v1') }, '2021-12-08T10:00:00');
    const v2 = await upload(world, 'dv-a', { name: 'Báo cáo (sửa).pdf', bytes: minimalPdf('v2') }, '2021-12-08T10:00:00');
    world.clock.set('2021-12-08T10:01:00');
    return { world, v1, v2 };
  }
  const oneAfterTheOther = cached(async () => {
    const { world, v1, v2 } = await twoOfOneUnit();
    for (const event of [v1, v2]) await deliver(event);
    const state = await finalState(world);
    expect(state.items.filter((i) => i.includes('"entity":"Submission"'))).toHaveLength(2);
    return state;
  });

  it('both recorded, each with its receipt and notice, as when recorded one after the other', async () => {
    const { world, v1, v2 } = await twoOfOneUnit();
    world.dynamo.set([{ command: 'BatchGetItem', calls: [1, 2], hold: barrier(2) }]);
    const runs = await Promise.all([deliver(v1), deliver(v2)]);
    expect(runs.map((r) => r.attempts)).toEqual([1, 1]);
    expectSameOutcome(await finalState(world), await oneAfterTheOther());
  });

  it('and each of them delivered twice, all at once', async () => {
    const { world, v1, v2 } = await twoOfOneUnit();
    world.dynamo.set([{ command: 'BatchGetItem', calls: [1, 2, 3, 4], hold: barrier(4) }]);
    const runs = await Promise.all([v1, v2, v2, v1].map((event) => deliver(event)));
    expect(runs.map((r) => r.attempts)).toEqual([1, 1, 1, 1]);
    expectSameOutcome(await finalState(world), await oneAfterTheOther());
  });
});

describe('7. a crash between recording the submission and emailing the receipt', () => {
  it('the receipt’s claim goes stale before Lambda’s first retry, and not before the recorder’s timeout', () => {
    expect(OBJECT_CREATED_HANDLER_SIZING.timeout.toMilliseconds()).toBeLessThanOrEqual(RECEIPT_STALE_CLAIM_MS);
    expect(RECEIPT_STALE_CLAIM_MS).toBeLessThanOrEqual(LAMBDA_ASYNC_RETRY_DELAYS_MS[0]);
  });

  it('before the receipt is sent, holding its claim: the retry takes the stale claim over, sends it once, and the head’s notice once', async () => {
    const { world, a, b } = await twoUploads();
    await deliver(b);
    world.ses.set([{ command: 'SendEmail', calls: [1], crash: 'before' }]);
    expect(await deliver(a, world)).toMatchObject({ attempts: 2, errors: [expect.stringContaining('Simulated crash')] });
    expectSameOutcome(await finalState(world), deviating(await twoUploadsClean(), { items: markedByTheRetry }));
  });

  it('right after the submission is written: the retry appends the audit entry and emails once', async () => {
    const { world, a, b } = await twoUploads();
    world.dynamo.set([{ command: 'PutItem', where: where.entity('Submission'), calls: [1], crash: 'after' }]);
    expect(await deliver(a)).toMatchObject({ attempts: 2, errors: [expect.stringContaining('Simulated crash')] });
    await deliver(b);
    expectSameOutcome(await finalState(world), await twoUploadsClean());
  });

  it('known gap: after SES took the receipt, before it is marked, the retry sends the receipt again', async () => {
    // No retry can tell this crash from one just before SES, where sending is right; reminders have the same window
    // (shared/use-cases/reminders.ts). The receipt's claim does not close it: the retry takes it over once stale.
    // The head's notice, which the dead delivery never reached, goes out once.
    const { world, a, b } = await twoUploads();
    await deliver(b);
    world.ses.set([{ command: 'SendEmail', calls: [1], crash: 'after' }]);
    expect(await deliver(a, world)).toMatchObject({ attempts: 2 });
    expectSameOutcome(await finalState(world), deviating(await twoUploadsClean(), { items: markedByTheRetry, extraMail: { [RECEIPT_A]: 1 } }));
  });
});

describe('8. SES refusing a receipt beyond the SDK’s retries', () => {
  it('the claim is released, Lambda’s retry (on a standing clock) claims it and sends the receipt once', async () => {
    const { world, a, b } = await twoUploads();
    world.ses.set([{ command: 'SendEmail', calls: [1], fault: SES_THROTTLE }]);
    expect(await deliver(a)).toMatchObject({ attempts: 2, errors: [expect.stringContaining('Throttling')] });
    expect(world.ses.escaped()).toEqual([{ command: 'SendEmail', call: 1, kind: 'escaped', code: 'Throttling' }]);
    await deliver(b);
    expect(world.warnings).toEqual([]);
    expectSameOutcome(await finalState(world), await twoUploadsClean());
  });

  it('and the release throttled too: the claim goes stale by Lambda’s retry, which sends the receipt once', async () => {
    const { world, a, b } = await twoUploads();
    await deliver(b);
    world.ses.set([{ command: 'SendEmail', calls: [1], fault: SES_THROTTLE }]);
    world.dynamo.set([{ command: 'UpdateItem', where: where.receiptRelease, calls: [1], fault: DYNAMODB_THROTTLE }]);
    expect(await deliver(a, world)).toMatchObject({ attempts: 2, errors: [expect.stringContaining('Throttling')] });
    expect(world.warnings).toEqual(['receipt claim not released']);
    expectSameOutcome(await finalState(world), deviating(await twoUploadsClean(), { items: markedByTheRetry }));
  });
});
