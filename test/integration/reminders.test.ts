/**
 * Reminders against the emulators: recipients chosen at fire time, exactly one email per unit whatever the retries,
 * schedules that follow the plan (through the Scheduler API of the stand-in), SES throttling mid-batch, and the
 * local Scheduler -> handler wiring.
 */
import { randomUUID } from 'node:crypto';
import { GetScheduleCommand, ListSchedulesCommand, CreateScheduleGroupCommand } from '@aws-sdk/client-scheduler';
import { SESClient, SendEmailCommand } from '@aws-sdk/client-ses';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { createDynamoRepositories } from '../../shared/adapters/dynamodb/repositories';
import { EventBridgeScheduleStore, createSchedulerClient } from '../../shared/adapters/scheduler/schedule-store';
import { SesMailer, createSesClient } from '../../shared/adapters/ses/mailer';
import { verifyLink, type LinkKey } from '../../shared/domain/link-token';
import { MilestoneSchema, UnitSchema, type Unit } from '../../shared/domain/model';
import { planSchedulePrefix, type ReminderEvent } from '../../shared/domain/reminders';
import type { Submission } from '../../shared/domain/submission';
import type { Clock } from '../../shared/ports/clock';
import type { Repositories } from '../../shared/ports/repositories';
import { referenceCluster, referenceMilestones, referencePlan } from '../../shared/reference/thanh-hoa-cum-5';
import { reconcileSchedules, runReminder, type ReminderDeps } from '../../shared/use-cases/reminders';
import { LOCAL_CREDENTIALS } from '../../local/emulators';
import { CallCounter, freshTable } from '../support/aws';
import { mailTo as mailboxTo } from '../support/mailbox';

const stack = inject('stack');
const CLUSTER = 'cum-nhac-viec';
const counter = new CallCounter();
let now = new Date('2021-12-09T08:00:00+07:00');
const clock: Clock = { now: () => new Date(now.getTime()) };
const key: LinkKey = { id: 1, secret: Buffer.from('reminder-test-secret-0123456789abcdefgh') };
let repos: Repositories;
let deps: ReminderDeps;
const run = Date.now().toString(36);
const email = (unit: string) => `${unit}.${run}@example.com`;

const units: Unit[] = ['truong', 'pho', 'a', 'b', 'c'].map((id, i) =>
  UnitSchema.parse({
    clusterId: CLUSTER,
    unitId: `dv-${id}`,
    name: `Công đoàn đơn vị ${id.toUpperCase()} (kiểm thử)`,
    role: i === 0 ? 'cum-truong' : i === 1 ? 'cum-pho' : 'thanh-vien',
    emails: [email(`dv-${id}`)],
  }),
);
const report = MilestoneSchema.parse({ ...referenceMilestones[2], clusterId: CLUSTER });

const mailTo = (address: string) => mailboxTo(stack, address);

const submitted = (unitId: string, late = false): Submission => ({
  clusterId: CLUSTER,
  planId: '2021-2022',
  milestoneId: report.milestoneId,
  unitId,
  uploadId: randomUUID(),
  objectKey: 'uploads/x',
  fileName: 'Báo cáo.pdf',
  contentType: 'application/pdf',
  size: 10,
  sha256: 'a'.repeat(64),
  receivedAt: new Date('2021-12-08T20:00:00+07:00').toISOString(),
  late,
  outcome: 'accepted',
  receipt: 'sent',
});

beforeAll(async () => {
  const table = await freshTable(counter);
  repos = createDynamoRepositories(table.doc, table.tableName, clock);
  await repos.clusters.createIfAbsent({ ...referenceCluster, clusterId: CLUSTER, name: 'Cụm kiểm thử nhắc việc' });
  for (const u of units) await repos.units.createIfAbsent(u);
  await repos.plans.createPlanIfAbsent({ ...referencePlan, clusterId: CLUSTER, contact: undefined }, [report]);
  // Two of five units uploaded the evening before the reminder.
  await repos.uploads.recordSubmission(submitted('dv-a'));
  await repos.uploads.recordSubmission(submitted('dv-truong'));
  deps = {
    repos,
    mailer: new SesMailer(createSesClient({ endpoint: stack.sesEndpoint }), { from: 'Cụm <no-reply@test.local>' }),
    linkKeys: { keys: async () => [key] },
    clock,
    baseUrl: 'https://thi-dua.example.org',
    maxSendRate: 1000,
    sleep: async () => undefined,
  };
});

const event: ReminderEvent = { clusterId: CLUSTER, planId: '2021-2022', milestoneId: report.milestoneId, kind: 'reminder', offset: 1 };

describe('a reminder that fires when 2 of 5 units have uploaded', () => {
  it('emails exactly the 3 others, each with its own link, in a fixed number of DynamoDB calls', async () => {
    counter.reset();
    const result = await runReminder(deps, event);
    expect(result.recipients.sort()).toEqual(['dv-b', 'dv-c', 'dv-pho']);
    // 7 reads whatever the unit count (cluster, plan, milestone, units, submissions and extensions by index,
    // undeliverable addresses) + a claim and a mark per email.
    const reads = counter.calls.filter((c) => c === 'GetItemCommand' || c === 'QueryCommand').length;
    expect(reads).toBe(7);
    expect(counter.count('PutItemCommand')).toBe(3);
    expect(counter.count('UpdateItemCommand')).toBe(3);
    for (const unit of ['dv-b', 'dv-c', 'dv-pho']) {
      const mails = await mailTo(email(unit));
      expect(mails).toHaveLength(1);
      expect(mails[0]?.subject).toBe('[Cụm kiểm thử nhắc việc] Nhắc hạn nộp: Báo cáo sơ kết 06 tháng đầu năm học – hôm nay là ngày cuối (trước ngày 10/12/2021)');
      const token = /https:\/\/thi-dua\.example\.org\/u\/(\S+)/.exec(mails[0]?.body.text ?? '')?.[1] ?? '';
      const verified = verifyLink(token, [key]);
      expect(verified.ok && verified.payload).toMatchObject({ c: CLUSTER, p: '2021-2022', u: unit });
    }
    for (const unit of ['dv-a', 'dv-truong']) expect(await mailTo(email(unit))).toEqual([]);
  });

  it('invoked three more times with the same event, still 3 emails in all', async () => {
    const again = await Promise.all([1, 2, 3].map(() => runReminder(deps, event)));
    expect(again.flatMap((r) => r.sent)).toEqual([]);
    for (const unit of ['dv-b', 'dv-c', 'dv-pho']) expect(await mailTo(email(unit))).toHaveLength(1);
  });

  it('an upload after scheduling but before firing removes the unit from the next reminder', async () => {
    await repos.uploads.recordSubmission(submitted('dv-b'));
    const next = await runReminder(deps, { ...event, offset: 0 });
    expect(next.recipients.sort()).toEqual(['dv-c', 'dv-pho']);
  });

  it('the digest tells the head who is missing and who was late', async () => {
    await repos.uploads.recordSubmission(submitted('dv-c', true));
    now = new Date('2021-12-10T08:00:00+07:00');
    const digest = await runReminder(deps, { ...event, kind: 'digest', offset: 0 });
    expect(digest.sent).toEqual(['digest']);
    const [mail] = await mailTo(email('dv-truong'));
    expect(mail?.subject).toBe('[Cụm kiểm thử nhắc việc] Tổng hợp: Báo cáo sơ kết 06 tháng đầu năm học – 1/5 đơn vị chưa nộp');
    expect(mail?.body.text).toContain('Công đoàn đơn vị PHO (kiểm thử)');
    now = new Date('2021-12-09T08:00:00+07:00');
  });
});

describe('bounces and complaints', () => {
  it('an address that bounced is skipped by later reminders and listed in the digest', async () => {
    const { recordMailEvent } = await import('../../shared/use-cases/mail-events');
    const bounceOf = (address: string) => ({
      eventType: 'Bounce',
      mail: { tags: { cluster: [CLUSTER] } },
      bounce: { bounceType: 'Permanent', bouncedRecipients: [{ emailAddress: address, diagnosticCode: '550 user unknown' }] },
    });
    expect(await recordMailEvent({ repos, clock }, bounceOf(email('dv-pho')))).toHaveLength(1);
    now = new Date('2021-12-10T08:00:00+07:00');
    const next = await runReminder(deps, { ...event, kind: 'overdue', offset: 0 });
    expect(next.unreachable).toEqual(['dv-pho']);
    expect(next.recipients).not.toContain('dv-pho');
    now = new Date('2021-12-11T08:00:00+07:00');
    const digest = await runReminder(deps, { ...event, kind: 'digest', offset: 1 });
    expect(digest.sent).toEqual(['digest']);
    const mails = await mailTo(email('dv-truong'));
    const latest = mails[mails.length - 1];
    expect(latest?.body.text).toContain(email('dv-pho'));
    expect(latest?.body.text).toContain('Địa chỉ không nhận được thư (bị trả lại vĩnh viễn)');
    now = new Date('2021-12-09T08:00:00+07:00');
  });
});

describe('SES throttling on the 2nd of 5 sends, then a retry', () => {
  it('ends with exactly one email per unit', async () => {
    const table = await freshTable();
    const local = createDynamoRepositories(table.doc, table.tableName, clock);
    await local.clusters.createIfAbsent({ ...referenceCluster, clusterId: CLUSTER });
    for (const u of units) await local.units.createIfAbsent(u);
    await local.plans.createPlanIfAbsent({ ...referencePlan, clusterId: CLUSTER }, [report]);

    const ses = new SESClient({ region: 'ap-southeast-1', credentials: LOCAL_CREDENTIALS });
    const mock = mockClient(ses);
    const delivered: string[] = [];
    let call = 0;
    mock.on(SendEmailCommand).callsFake((input: { Destination: { ToAddresses: string[] } }) => {
      call += 1;
      if (call === 2) throw Object.assign(new Error('Maximum sending rate exceeded.'), { name: 'Throttling', $metadata: { httpStatusCode: 400 } });
      delivered.push(input.Destination.ToAddresses[0] ?? '');
      return { MessageId: `m-${call}` };
    });
    const faulty = { ...deps, repos: local, mailer: new SesMailer(ses, { from: 'x@test.local' }) };
    await expect(runReminder(faulty, event)).rejects.toThrow('Maximum sending rate exceeded.');
    expect(delivered).toHaveLength(1);
    const retry = await runReminder(faulty, event);
    expect(retry.alreadySent).toHaveLength(1);
    expect(delivered.sort()).toEqual(units.map((u) => u.emails[0]).sort());
    mock.restore();
  });
});

describe('schedules follow the plan (Scheduler API of the stand-in)', () => {
  const group = `test-${run}`;
  const scheduler = createSchedulerClient({ endpoint: stack.schedulerEndpoint, region: stack.region, credentials: LOCAL_CREDENTIALS });
  const store = () => new EventBridgeScheduleStore(scheduler, { group, targetArn: stack.scheduler.targetArn, roleArn: stack.scheduler.roleArn, deadLetterArn: stack.scheduler.deadLetterArn });
  const live = async () =>
    ((await scheduler.send(new ListSchedulesCommand({ GroupName: group, NamePrefix: planSchedulePrefix(CLUSTER, '2021-2022') }))).Schedules ?? [])
      .map((s) => s.Name ?? '')
      .sort();

  it('creates them once (re-running changes nothing), as at() in Asia/Ho_Chi_Minh, deleted after completion', async () => {
    await scheduler.send(new CreateScheduleGroupCommand({ Name: group }));
    now = new Date('2021-11-25T09:00:00+07:00');
    const first = await reconcileSchedules({ repos, schedules: store(), clock }, CLUSTER, '2021-2022');
    expect(first.created).toBe(5);
    const again = await reconcileSchedules({ repos, schedules: store(), clock }, CLUSTER, '2021-2022');
    expect([again.created, again.deleted, again.missing.length, again.extra.length]).toEqual([0, 0, 0, 0]);
    const names = await live();
    expect(names).toHaveLength(5);
    const oneDayBefore = first.planned.find((p) => p.event.kind === 'reminder' && p.event.offset === 1)!;
    const got = await scheduler.send(new GetScheduleCommand({ GroupName: group, Name: oneDayBefore.name }));
    expect(got).toMatchObject({
      ScheduleExpression: 'at(2021-12-09T08:00:00)',
      ScheduleExpressionTimezone: 'Asia/Ho_Chi_Minh',
      ActionAfterCompletion: 'DELETE',
      Target: { Arn: stack.scheduler.targetArn, RetryPolicy: { MaximumRetryAttempts: 5 }, DeadLetterConfig: { Arn: stack.scheduler.deadLetterArn } },
    });
    expect(JSON.parse(got.Target?.Input ?? '{}')).toEqual(oneDayBefore.event);
  });

  it('moving the milestone replaces its schedules; deleting it removes them', async () => {
    const { saveMilestone, deleteMilestone } = await import('../../shared/use-cases/milestones');
    const moved = (await saveMilestone({ repos, schedules: store(), clock }, { ...report, due: { type: 'date', date: '2021-12-15', rule: 'before' } })).schedules;
    expect([moved.created, moved.deleted]).toEqual([5, 5]);
    const oneDayBefore = moved.planned.find((p) => p.event.kind === 'reminder' && p.event.offset === 1)!;
    expect((await scheduler.send(new GetScheduleCommand({ GroupName: group, Name: oneDayBefore.name }))).ScheduleExpression).toBe('at(2021-12-14T08:00:00)');
    const dry = await reconcileSchedules({ repos, schedules: store(), clock }, CLUSTER, '2021-2022', { dryRun: true });
    expect(dry.missing).toEqual([]);

    const removed = await deleteMilestone({ repos, schedules: store(), clock }, CLUSTER, '2021-2022', report.milestoneId);
    expect(removed.deleted).toBe(5);
    await expect(deleteMilestone({ repos, schedules: store(), clock }, CLUSTER, '2021-2022', report.milestoneId)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(await live()).toEqual([]);
    await repos.plans.saveMilestone(report);
    now = new Date('2021-12-09T08:00:00+07:00');
  });
});

describe('the local Scheduler stand-in invokes the reminder handler when a schedule comes due', () => {
  it('a digest scheduled a moment from now reaches the cluster head of the reference cluster', async () => {
    const scheduler = createSchedulerClient({ endpoint: stack.schedulerEndpoint, region: stack.region, credentials: LOCAL_CREDENTIALS });
    const harnessNow = new Date(stack.clock!.start).getTime() + (Date.now() - stack.clock!.startedAt);
    const fireAt = new Date(harnessNow + 1500 + 7 * 3_600_000).toISOString().slice(0, 19);
    const name = `test-digest-${run}`;
    const before = (await mailTo('congdoan.dvtdt@gmail.com')).filter((m) => m.subject.includes('Tổng hợp')).length;
    const store = new EventBridgeScheduleStore(scheduler, { ...stack.scheduler });
    await store.create({
      name,
      localTime: fireAt,
      fireAt: new Date(`${fireAt}+07:00`),
      event: { clusterId: 'thanh-hoa-cum-5', planId: '2021-2022', milestoneId: 'bao-cao-so-ket-6-thang', kind: 'digest', offset: 0 },
    });
    await expect
      .poll(async () => (await mailTo('congdoan.dvtdt@gmail.com')).filter((m) => m.subject.includes('Tổng hợp')).length, { timeout: 10_000, interval: 250 })
      .toBe(before + 1);
    // Deleted after completion.
    await expect.poll(() => store.listNames(name), { timeout: 5_000, interval: 100 }).toEqual([]);
  });
});

describe('fan-out through the queue to one bounded sender', () => {
  it('a run hands every email to the queue; the sender sends each once, even with a throttle mid-batch', async () => {
    const { startSqsStandin } = await import('../../local/sqs-standin');
    const { SqsReminderQueue, createSqsClient } = await import('../../shared/adapters/sqs/reminder-queue');
    const { sendEmails } = await import('../../shared/use-cases/reminders');
    const { QueuedEmailSchema } = await import('../../shared/ports/reminder-queue');
    const table = await freshTable();
    const local = createDynamoRepositories(table.doc, table.tableName, clock);
    await local.clusters.createIfAbsent({ ...referenceCluster, clusterId: CLUSTER });
    for (const u of units) await local.units.createIfAbsent(u);
    await local.plans.createPlanIfAbsent({ ...referencePlan, clusterId: CLUSTER }, [report]);

    const delivered: string[] = [];
    let call = 0;
    const mailer = {
      send: async (mail: { to: readonly string[] }) => {
        call += 1;
        if (call === 3) throw Object.assign(new Error('Maximum sending rate exceeded.'), { name: 'Throttling' });
        delivered.push(mail.to[0] ?? '');
        return { messageId: `m-${call}` };
      },
    };
    const sender = { repos: local, mailer, clock, maxSendRate: 1000, sleep: async () => undefined };
    const batches: number[] = [];
    const sqs = await startSqsStandin({
      consumers: {
        reminders: {
          visibilityTimeoutMs: 100,
          handler: async (event) => {
            batches.push(event.Records.length);
            const items = event.Records.map((r) => QueuedEmailSchema.parse(JSON.parse(r.body)));
            const result = await sendEmails(sender, items);
            const done = result.sent.length + result.alreadySent.length;
            return { batchItemFailures: event.Records.slice(done).map((r) => ({ itemIdentifier: r.messageId })) };
          },
        },
      },
    });
    try {
      const queue = new SqsReminderQueue(createSqsClient({ endpoint: sqs.url, region: 'ap-southeast-1', credentials: LOCAL_CREDENTIALS }), sqs.queueUrl('reminders'));
      const result = await runReminder({ ...deps, repos: local, queue, fanOutThreshold: 0 }, event);
      expect(result).toMatchObject({ queued: 5, sent: [] });
      // A retried run enqueues again: harmless.
      await runReminder({ ...deps, repos: local, queue, fanOutThreshold: 0 }, event);
      await sqs.drain(10_000);
      expect(delivered.sort()).toEqual(units.map((u) => u.emails[0]).sort());
      expect(Math.max(...batches)).toBeLessThanOrEqual(10);
      expect(batches.length).toBeGreaterThan(1);
    } finally {
      await sqs.close();
    }
  });
});
