/**
 * One correlation id from a request to its emails, against the emulators, on a cluster of this file's own.
 *
 * The harness's gateway shows the id coming back on real responses. For the asynchronous hops the handlers run in
 * this worker (where their log lines and SDK calls can be watched), behind the same gateway code the local stack
 * uses, with a bucket of their own (the harness's bucket has its recorder listening in another process): the upload
 * form request names the id -> the intent keeps it -> the recorder, fed the event EventBridge would deliver, logs
 * with it and tags the receipt and the head's notice; a reminder run tags each queued message, the sender logs with
 * it and tags the email; the bounce handler logs with the id tagged on the bounced mail.
 */
import { randomUUID } from 'node:crypto';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { SESClient, SendEmailCommand, type SendEmailCommandInput } from '@aws-sdk/client-ses';
import { CreateQueueCommand, SQSClient, SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import type { Context, SNSEvent, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it, vi } from 'vitest';
import { createS3Client } from '../../shared/adapters/s3/file-store';
import { fileLinkKeys } from '../../shared/adapters/secrets/link-keys';
import { createSqsClient } from '../../shared/adapters/sqs/reminder-queue';
import { MilestoneSchema, PlanSchema, UnitSchema, type Unit, type UnitRole } from '../../shared/domain/model';
import type { ReminderEvent } from '../../shared/domain/reminders';
import type { Clock } from '../../shared/ports/clock';
import type { Repositories } from '../../shared/ports/repositories';
import { logger } from '../../shared/runtime/logger';
import { issueLink } from '../../shared/use-cases/links';
import { adminEmailsOf } from '../../shared/use-cases/units';
import { httpRoutes } from '../../functions/routes';
import { startGateway, type LambdaHttpHandler } from '../../local/gateway';
import { LOCAL_CREDENTIALS } from '../../local/emulators';
import { stackRepos } from '../support/admin';
import { minimalPdf } from '../support/files';
import { waitForMail } from '../support/mailbox';
import { envScope, handlerEnv } from '../support/env';

const stack = inject('stack');
const CLUSTER = `corr-${randomUUID().slice(0, 8)}`;
const PLAN = '2021-2022';
const MILESTONE = 'bao-cao-so-ket';
const CORRELATION_ID = 'test-corr-123';
const email = (unitId: string) => `${unitId}.${CLUSTER}@example.com`;
const unitOf = (unitId: string, role: UnitRole): Unit => UnitSchema.parse({ clusterId: CLUSTER, unitId, name: `Đơn vị ${unitId}`, role, emails: [email(unitId)] });
const units = [unitOf('truong', 'cum-truong'), unitOf('nop-bai', 'thanh-vien'), unitOf('chua-nop', 'thanh-vien')];

const bucket = `test-corr-${randomUUID().slice(0, 8)}`;
const queueName = `test-corr-${randomUUID().slice(0, 8)}`;
let repos: Repositories;
let clock: Clock;
let closeRepos: () => void;
let gateway: { url: string; close(): Promise<void> };

type Handler<E, R> = (event: E, context?: Pick<Context, 'awsRequestId'>) => Promise<R>;
let recordUpload: Handler<unknown, void>;
let sendReminders: Handler<ReminderEvent, unknown>;
let sendQueued: Handler<SQSEvent, SQSBatchResponse>;
let recordMailEvent: Handler<SNSEvent, void>;

/** Every JSON log line written by the handlers in this worker (Powertools: errors on stderr, the rest on stdout). */
const lines: Array<Record<string, unknown>> = [];
type SendSpy = { mock: { calls: unknown[][] }; mockClear(): void };
let sesSpy: SendSpy;
let sqsSpy: SendSpy;
/** The commands of type `type` a spied client sent. */
const commands = <C>(spy: SendSpy, type: abstract new (...args: never[]) => C): C[] => spy.mock.calls.map((call) => call[0]).filter((c): c is C => c instanceof type);
const sentEmails = (): SendEmailCommandInput[] => commands(sesSpy, SendEmailCommand).map((c) => c.input);
const tagsOf = (input: SendEmailCommandInput | undefined) => Object.fromEntries((input?.Tags ?? []).map((t) => [t.Name, t.Value]));

const env = envScope();

beforeAll(async () => {
  ({ repos, clock, close: closeRepos } = stackRepos(stack));
  await repos.clusters.createIfAbsent({ clusterId: CLUSTER, name: 'Cụm thử mã tương quan', province: { id: `tinh-${CLUSTER}`, name: 'Tỉnh thử' } });
  for (const unit of units) {
    await repos.units.createIfAbsent(unit);
    await repos.auth.syncUnitGrants(CLUSTER, unit.unitId, adminEmailsOf(unit));
  }
  await repos.plans.createPlanIfAbsent(
    PlanSchema.parse({ clusterId: CLUSTER, planId: PLAN, schoolYear: { startYear: 2021, endYear: 2022 }, title: 'Kế hoạch 2021 - 2022' }),
    [
      MilestoneSchema.parse({
        clusterId: CLUSTER,
        planId: PLAN,
        milestoneId: MILESTONE,
        order: 0,
        kind: 'report',
        title: 'Báo cáo sơ kết',
        due: { type: 'date', date: '2021-12-10', rule: 'before' },
        document: { title: 'Báo cáo sơ kết 6 tháng', from: { type: 'all' }, recipients: ['cum-truong'] },
      }),
    ],
  );
  const s3 = createS3Client({ endpoint: stack.s3Endpoint, region: stack.region, credentials: LOCAL_CREDENTIALS });
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  const sqs = createSqsClient({ endpoint: stack.sqsEndpoint });
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: queueName }));

  // What the handlers read at cold start: the harness's table, emulators and link secret; this file's bucket and queue.
  env.set({
    ...handlerEnv(stack),
    BUCKET_NAME: bucket,
    REMINDER_QUEUE_URL: QueueUrl,
    FAN_OUT_THRESHOLD: '0',
    MAX_SEND_RATE: '1000',
    AWS_REGION: stack.region,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    ...(stack.clock ? { CLOCK_START: stack.clock.start, CLOCK_STARTED_AT: String(stack.clock.startedAt) } : {}),
  });
  logger.setLogLevel('INFO');
  const capture = (chunk: string | Uint8Array) => {
    for (const line of String(chunk).split('\n').filter((l) => l.startsWith('{'))) lines.push(JSON.parse(line) as Record<string, unknown>);
    return true;
  };
  vi.spyOn(process.stdout, 'write').mockImplementation(capture);
  vi.spyOn(process.stderr, 'write').mockImplementation(capture);
  // Spies that call through: the emails still reach the SES emulator, the messages the SQS stand-in.
  sesSpy = vi.spyOn(SESClient.prototype, 'send');
  sqsSpy = vi.spyOn(SQSClient.prototype, 'send');

  const http: Record<string, LambdaHttpHandler> = {
    'functions/member/create-upload.ts': ((await import('../../functions/member/create-upload')) as { handler: LambdaHttpHandler }).handler,
    'functions/admin/auth.ts': ((await import('../../functions/admin/auth')) as { handler: LambdaHttpHandler }).handler,
  };
  gateway = await startGateway({
    routes: httpRoutes.filter((r) => r.entry in http),
    port: 0,
    log: () => undefined,
    loadHandler: async (route) => http[route.entry] as LambdaHttpHandler,
  });
  ({ handler: recordUpload } = (await import('../../functions/uploads/record-upload')) as { handler: typeof recordUpload });
  ({ handler: sendReminders } = (await import('../../functions/reminders/send-reminders')) as { handler: typeof sendReminders });
  ({ handler: sendQueued } = (await import('../../functions/reminders/send-queued')) as { handler: typeof sendQueued });
  ({ handler: recordMailEvent } = (await import('../../functions/mail/record-mail-event')) as { handler: typeof recordMailEvent });
});

afterAll(async () => {
  vi.restoreAllMocks();
  logger.setLogLevel('SILENT');
  await gateway?.close();
  closeRepos?.();
  env.restore();
});

beforeEach(() => {
  lines.length = 0;
  sesSpy.mockClear();
  sqsSpy.mockClear();
});

describe('the harness gateway answers with the id', () => {
  const post = (headers: Record<string, string>) =>
    fetch(`${stack.apiUrl}/u/not-a-link/uploads`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: '{}' });

  it('echoes a well-formed x-correlation-id, errors included', async () => {
    const response = await post({ 'x-correlation-id': CORRELATION_ID });
    expect(response.status).toBe(400); // the empty body is refused
    expect(response.headers.get('x-correlation-id')).toBe(CORRELATION_ID);
  });

  it('replaces a malformed one (or none) with the gateway request id', async () => {
    const variants: Array<Record<string, string>> = [{}, { 'x-correlation-id': 'has space' }, { 'x-correlation-id': 'short' }, { 'x-correlation-id': 'x'.repeat(65) }];
    for (const headers of variants) {
      const response = await post(headers);
      const requestId = response.headers.get('apigw-requestid');
      expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
      expect(response.headers.get('x-correlation-id')).toBe(requestId);
    }
  });
});

describe('an upload: form request -> intent -> recorder -> receipt', () => {
  let form: { uploadId: string; url: string; fields: Record<string, string> };

  it('the form request names the id, gets it back, and the intent keeps it', async () => {
    const { token } = await issueLink({ repos, linkKeys: fileLinkKeys(stack.linkSecretFile), clock }, { clusterId: CLUSTER, unitId: 'nop-bai', planId: PLAN }, stack.apiUrl);
    const pdf = minimalPdf(CLUSTER);
    const response = await fetch(`${gateway.url}/u/${token}/uploads`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-correlation-id': CORRELATION_ID },
      body: JSON.stringify({ milestoneId: MILESTONE, fileName: 'Báo cáo sơ kết.pdf', contentType: 'application/pdf', size: pdf.length }),
    });
    expect(response.status).toBe(201);
    expect(response.headers.get('x-correlation-id')).toBe(CORRELATION_ID);
    form = (await response.json()) as typeof form;
    const ctx = await repos.uploads.getLinkContext({ clusterId: CLUSTER, planId: PLAN, unitId: 'nop-bai', milestoneId: MILESTONE, uploadId: form.uploadId });
    expect(ctx.intent?.correlationId).toBe(CORRELATION_ID);

    // The browser's part: the file straight to S3 with the form.
    const body = new FormData();
    for (const [k, v] of Object.entries(form.fields)) body.append(k, v);
    body.append('file', new Blob([pdf], { type: 'application/pdf' }), 'Báo cáo sơ kết.pdf');
    expect((await fetch(form.url, { method: 'POST', body })).status).toBe(204);
  });

  it('the recorder logs every line with it and tags the receipt and the head’s notice with it', async () => {
    const since = Math.floor(Date.now() / 1000) - 1;
    const objectKey = form.fields.key ?? '';
    // The event EventBridge delivers for the object (the local stack's bridge builds the same).
    await recordUpload(
      {
        version: '0',
        'detail-type': 'Object Created',
        source: 'aws.s3',
        time: clock.now().toISOString(),
        resources: [`arn:aws:s3:::${bucket}`],
        detail: { bucket: { name: bucket }, object: { key: objectKey } },
      },
      { awsRequestId: randomUUID() },
    );
    expect(lines.map((l) => l.message)).toContain('upload recorded');
    for (const line of lines) expect(line.correlation_id).toBe(CORRELATION_ID);

    const sent = sentEmails();
    expect(sent.map((s) => s.Destination?.ToAddresses)).toEqual([[email('nop-bai')], [email('truong')]]);
    for (const input of sent) expect(tagsOf(input)).toEqual({ cluster: CLUSTER, 'correlation-id': CORRELATION_ID });
    const [receipt] = await waitForMail(stack, email('nop-bai'), { since, matches: (m) => m.subject.includes('Biên nhận') });
    expect(receipt?.body.text).toContain('Báo cáo sơ kết.pdf');
  });
});

describe('a reminder run: schedule -> queue -> sender -> email', () => {
  const runId = randomUUID(); // Lambda's request id for the Scheduler's invocation
  const event: ReminderEvent = { clusterId: CLUSTER, planId: PLAN, milestoneId: MILESTONE, kind: 'reminder', offset: 7 };
  let bodies: string[] = [];

  it('the run logs with the invocation’s id and puts it on every queued message', async () => {
    expect(await sendReminders(event, { awsRequestId: runId })).toMatchObject({ queued: 2 });
    expect(lines).toEqual([expect.objectContaining({ message: 'reminder run', correlation_id: runId })]);
    bodies = commands(sqsSpy, SendMessageBatchCommand).flatMap((b) => b.input.Entries?.map((e) => e.MessageBody ?? '') ?? []);
    expect(bodies).toHaveLength(2);
    for (const body of bodies) expect(JSON.parse(body).email.tags).toEqual({ cluster: CLUSTER, 'correlation-id': runId });
  });

  it('a run without a Lambda context (local) gets an id of its own', async () => {
    await sendReminders(event);
    const id = lines[0]?.correlation_id;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(id).not.toBe(runId);
  });

  it('the sender logs with the run’s id, not its own, and tags each email with it', async () => {
    const records = bodies.map((body, i) => ({ messageId: `m-${i}`, body }));
    const result = await sendQueued({ Records: records } as unknown as SQSEvent, { awsRequestId: randomUUID() });
    expect(result.batchItemFailures).toEqual([]);
    expect(lines).toEqual([expect.objectContaining({ message: 'queued reminders sent', sent: 2, correlation_id: runId })]);
    const sent = sentEmails();
    expect(sent.map((s) => s.Destination?.ToAddresses?.[0]).sort()).toEqual([email('chua-nop'), email('truong')]);
    for (const input of sent) expect(tagsOf(input)).toEqual({ cluster: CLUSTER, 'correlation-id': runId });
  });
});

describe('a bounce leads back to the request', () => {
  it('the mail-event handler logs with the correlation-id tag of the bounced mail', async () => {
    const bounce = {
      eventType: 'Bounce',
      mail: { tags: { cluster: [CLUSTER], 'correlation-id': [CORRELATION_ID] } },
      bounce: { bounceType: 'Permanent', bouncedRecipients: [{ emailAddress: email('chua-nop') }] },
    };
    await recordMailEvent({ Records: [{ Sns: { Message: JSON.stringify(bounce) } }] } as unknown as SNSEvent, { awsRequestId: randomUUID() });
    expect(lines).toEqual([expect.objectContaining({ message: 'mail event recorded', undeliverable: 1, correlation_id: CORRELATION_ID })]);
  });
});

describe('sign-in emails', () => {
  it('are tagged with the request’s id', async () => {
    const response = await fetch(`${gateway.url}/api/auth/sign-in-links`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-correlation-id': 'signin-corr-1' },
      body: JSON.stringify({ email: email('truong') }),
    });
    expect(response.status).toBe(202);
    expect(response.headers.get('x-correlation-id')).toBe('signin-corr-1');
    const [input] = sentEmails();
    expect(input?.Destination?.ToAddresses).toEqual([email('truong')]);
    expect(tagsOf(input)).toEqual({ kind: 'sign-in', 'correlation-id': 'signin-corr-1' });
  });
});
