/**
 * The whole system on one machine: the emulators, the table and bucket, the reference data, and the HTTP gateway
 * in front of the same Lambda handlers that deploy to AWS.
 */
import { randomBytes } from 'node:crypto';
import type { EventEmitter } from 'node:events';
import { mkdirSync, writeFileSync, existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { toDocumentClient } from '../shared/runtime/aws-clients';
import { CreateScheduleGroupCommand } from '@aws-sdk/client-scheduler';
import { httpRoutes, objectCreatedHandlers, reminderHandler, reminderSender, type HttpRoute, type ObjectCreatedHandler } from '../functions/routes';
import { EventBridgeScheduleStore, createSchedulerClient } from '../shared/adapters/scheduler/schedule-store';
import { reconcileSchedules } from '../shared/use-cases/reminders';
import { ensureTable } from '../shared/adapters/dynamodb/create-table';
import { createDynamoRepositories } from '../shared/adapters/dynamodb/repositories';
import type { Clock } from '../shared/ports/clock';
import { seedReferenceData, type SeedReport } from '../shared/use-cases/seed-reference';
import { LOCAL_CREDENTIALS, LOCAL_REGION, startEmulators, type EmulatorPorts, type Emulators } from './emulators';
import { startGateway, type LambdaHttpHandler } from './gateway';
import { assertPortFree } from './net';

export const LOCAL_TABLE_NAME = 'cum-thi-dua-local';
export const LOCAL_BUCKET_NAME = 'cum-thi-dua-uploads-local';

/** Handler entries in functions/routes.ts are relative to the repository root, wherever the stack is started from. */
const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** What `npm start` writes to .local/stack.json for the CLI, tests and people. */
export interface StackInfo {
  apiUrl: string;
  mailboxUrl: string;
  dynamodbEndpoint: string;
  s3Endpoint: string;
  sesEndpoint: string;
  schedulerEndpoint: string;
  sqsEndpoint: string;
  region: string;
  tableName: string;
  bucketName: string;
  /** The admin page: sign in with a Cụm trưởng or Cụm phó address (the link arrives in the local inbox). */
  adminUrl: string;
  /** Where the local link-signing secret is kept (0600). */
  linkSecretFile: string;
  /** The sender of local emails. */
  mailFrom: string;
  /** The local reminder schedules' group, target and role (what the CLI's reminder verbs need). */
  scheduler: typeof LOCAL_SCHEDULER;
  /** Set when the stack runs on a simulated clock (NOW=...). */
  clock?: { start: string; startedAt: number };
  pid: number;
}

export interface LocalStackOptions {
  /** Folder for persistent data (.local); absent: in memory, nothing kept. */
  dataDir?: string;
  /** Fixed ports for the gateway and emulators; absent: free ports. */
  ports?: Partial<EmulatorPorts> & { api?: number };
  clock: Clock;
  /** Emails per second a reminder run sends at most (default 10). */
  maxSendRate?: number;
  /** The simulated clock's start, recorded in stack.json so the CLI follows the same time. */
  simulatedStart?: { start: string; startedAt: number };
  log?: (line: string) => void;
  /** Told of every handler invocation (HTTP, object-created, schedule, queue): for the benches' compute figures. */
  onInvocation?: InvocationListener;
}

/** One handler invocation: the function it belongs to (as deployed), its duration, whether it threw. */
export type InvocationListener = (invocation: { functionId: string; ms: number; failed: boolean }) => void;

export interface LocalStack {
  info: StackInfo;
  seed: SeedReport;
  /** Reminder schedules made at start, per plan ("thanh-hoa-cum-5/2021-2022"). */
  schedules: Record<string, { planned: number; created: number; withoutDay: number }>;
  /** Resolves when every object-created event delivered so far has been handled. */
  drainEvents(): Promise<void>;
  /** The Scheduler stand-in (its schedules, firing now) and the SQS stand-in (queue depths, drain). */
  scheduler: Pick<Emulators['scheduler'], 'list' | 'fireNow' | 'deadLetters'>;
  sqs: Pick<Emulators['sqs'], 'depth' | 'drain' | 'deadLetters'>;
  close(): Promise<void>;
}

/** What the CDK app's outputs give in AWS: the schedule group, the reminder function, the scheduler role, the DLQ. */
export const LOCAL_SCHEDULER = {
  group: 'cum-thi-dua-local',
  targetArn: `arn:aws:lambda:${LOCAL_REGION}:000000000000:function:cum-thi-dua-local-SendReminders`,
  roleArn: 'arn:aws:iam::000000000000:role/cum-thi-dua-local-scheduler',
  deadLetterArn: `arn:aws:sqs:${LOCAL_REGION}:000000000000:cum-thi-dua-local-reminder-dlq`,
} as const;

/** The reminder queue (its consumer is the bounded sender). */
export const LOCAL_REMINDER_QUEUE = 'cum-thi-dua-local-reminders';

/** Makes every plan's reminder schedules match it (the stand-in keeps schedules in memory only). */
async function syncAllSchedules(
  endpoints: { dynamodb: string; scheduler: string },
  clock: Clock,
): Promise<Record<string, { planned: number; created: number; withoutDay: number }>> {
  const scheduler = createSchedulerClient({ endpoint: endpoints.scheduler });
  try {
    await scheduler.send(new CreateScheduleGroupCommand({ Name: LOCAL_SCHEDULER.group }));
  } catch (error) {
    if ((error as { name?: string }).name !== 'ConflictException') throw error;
  }
  const client = new DynamoDBClient({ endpoint: endpoints.dynamodb, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  const deps = {
    repos: createDynamoRepositories(toDocumentClient(client), LOCAL_TABLE_NAME, clock),
    schedules: new EventBridgeScheduleStore(scheduler, { ...LOCAL_SCHEDULER, endpoint: endpoints.scheduler }),
    clock,
  };
  const out: Record<string, { planned: number; created: number; withoutDay: number }> = {};
  for (const cluster of await deps.repos.clusters.list()) {
    for (const plan of await deps.repos.plans.listPlans(cluster.clusterId)) {
      const report = await reconcileSchedules(deps, cluster.clusterId, plan.planId);
      out[`${cluster.clusterId}/${plan.planId}`] = { planned: report.planned.length, created: report.created, withoutDay: report.withoutDay.length };
    }
  }
  client.destroy();
  return out;
}

/** Runs one invocation of `functionId`, telling `listener` (if any) how long it took and whether it threw. */
async function invoke<T>(listener: InvocationListener | undefined, functionId: string, run: () => Promise<T>): Promise<T> {
  if (!listener) return run();
  const started = performance.now();
  let failed = true;
  try {
    const result = await run();
    failed = false;
    return result;
  } finally {
    listener({ functionId, ms: performance.now() - started, failed });
  }
}

export const LOCAL_MAIL_FROM = 'Cụm Thi đua (máy cục bộ) <no-reply@cum-thi-dua.local>';

/** A random secret kept in `dir` (0600) so it survives restarts; links and keys stay valid across `npm start`s. */
function localSecret(dir: string, name: string, bytes: number): { value: string; file: string } {
  const file = join(dir, name);
  if (!existsSync(file)) writeFileSync(file, randomBytes(bytes).toString('base64url'), { mode: 0o600 });
  return { value: readFileSync(file, 'utf8').trim(), file };
}

/**
 * Plays S3 -> EventBridge -> Lambda: turns s3rver's object-created events into the EventBridge "Object Created"
 * events the rule delivers in AWS, and invokes the same handlers in the background, retried twice on error like an
 * asynchronous invocation. The event time is the stack's clock, which may be simulated (NOW=...).
 */
function deliverObjectEvents(
  emulators: Awaited<ReturnType<typeof startEmulators>>,
  clock: Clock,
  log: (line: string) => void,
  onInvocation?: InvocationListener,
): { drain(): Promise<void> } {
  const inFlight = new Set<Promise<void>>();
  const load = (h: ObjectCreatedHandler) =>
    import(pathToFileURL(join(REPO_ROOT, h.entry)).href) as Promise<{ handler: (event: unknown) => Promise<void> }>;
  type S3rverRecord = { eventName: string; s3: { bucket: { name: string }; object: { key: string; size?: number } } };
  // s3rver is an EventEmitter at run time; its published typings leave that out.
  (emulators.s3 as unknown as EventEmitter).on('event', (event: { Records: S3rverRecord[] }) => {
    for (const record of event.Records) {
      // Only the app's bucket has the EventBridge rule; tests may use other buckets on the same s3rver.
      if (!record.eventName.startsWith('ObjectCreated:') || record.s3.bucket.name !== LOCAL_BUCKET_NAME) continue;
      const key = decodeURIComponent(record.s3.object.key.replace(/\+/g, ' '));
      const bridged = {
        version: '0',
        'detail-type': 'Object Created',
        source: 'aws.s3',
        time: clock.now().toISOString(),
        resources: [`arn:aws:s3:::${record.s3.bucket.name}`],
        detail: { bucket: { name: record.s3.bucket.name }, object: { key, size: record.s3.object.size } },
      };
      for (const target of objectCreatedHandlers.filter((h) => key.startsWith(h.prefix))) {
        const run = (async () => {
          const { handler } = await load(target);
          for (let attempt = 1; attempt <= 3; attempt++) {
            try {
              await invoke(onInvocation, target.id, () => handler(bridged));
              log(`${target.id} ok`);
              return;
            } catch (error) {
              log(`${target.id} failed (attempt ${attempt}/3): ${error instanceof Error ? error.message : String(error)}`);
              await new Promise((r) => setTimeout(r, 200 * attempt));
            }
          }
        })();
        inFlight.add(run);
        void run.finally(() => inFlight.delete(run));
      }
    }
  });
  return { drain: async () => void (await Promise.allSettled([...inFlight])) };
}

/** The gateway's handler loader when invocations are observed: the same module, each call timed. */
function timedHandler(listener: InvocationListener): (route: HttpRoute) => Promise<LambdaHttpHandler> {
  return async (route) => {
    const { handler } = (await import(pathToFileURL(join(REPO_ROOT, route.entry)).href)) as { handler: LambdaHttpHandler };
    return (event, context) => invoke(listener, route.functionId ?? route.id, () => handler(event, context));
  };
}

export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const log = options.log ?? (() => undefined);
  const dataDir = options.dataDir && resolve(options.dataDir);
  const s3Path = dataDir ? join(dataDir, 's3') : join(process.env.TMPDIR ?? '/tmp', `ctd-s3-${process.pid}-${Date.now()}`);
  mkdirSync(s3Path, { recursive: true });
  if (dataDir) mkdirSync(join(dataDir, 'dynamodb'), { recursive: true });

  const ports = options.ports ?? {};
  const named: Array<[number | undefined, string]> = [
    [ports.api, 'HTTP gateway'],
    [ports.dynamodb, 'DynamoDB Local'],
    [ports.s3, 's3rver'],
    [ports.ses, 'SES emulator'],
    [ports.scheduler, 'Scheduler stand-in'],
    [ports.sqs, 'SQS stand-in'],
  ];
  for (const [port, what] of named) if (port) await assertPortFree(port, what);

  const apiOrigin = ports.api ? `http://127.0.0.1:${ports.api}` : undefined;
  const emulators = await startEmulators({
    ports,
    dynamodbPath: dataDir && join(dataDir, 'dynamodb'),
    s3Path,
    buckets: [LOCAL_BUCKET_NAME],
    corsOrigins: apiOrigin ? [apiOrigin, `http://localhost:${ports.api}`] : ['*'],
    clock: options.clock,
    // Plays SQS -> Lambda (event source mapping, one batch at a time): the reminder queue's bounded sender.
    sqsConsumers: {
      [LOCAL_REMINDER_QUEUE]: {
        batchSize: 10,
        handler: async (event) => {
          const { handler } = (await import(pathToFileURL(join(REPO_ROOT, reminderSender.entry)).href)) as {
            handler: (event: unknown) => Promise<{ batchItemFailures: Array<{ itemIdentifier: string }> }>;
          };
          return invoke(options.onInvocation, reminderSender.id, () => handler(event));
        },
      },
    },
    // Plays Scheduler -> Lambda: the reminder schedules' target is the same handler that deploys.
    invokeSchedule: async (target) => {
      if (target.arn !== LOCAL_SCHEDULER.targetArn) throw new Error(`No local function for ${target.arn}`);
      const { handler } = (await import(pathToFileURL(join(REPO_ROOT, reminderHandler.entry)).href)) as {
        handler: (event: unknown) => Promise<unknown>;
      };
      const summary = await invoke(options.onInvocation, reminderHandler.id, () => handler(JSON.parse(target.input ?? '{}')));
      log(`${reminderHandler.id} ${JSON.stringify(summary)}`);
    },
    log,
  });

  try {
    // The handlers run in this process and read their configuration from the environment at cold start, as in AWS.
    const secretsDir = dataDir ?? s3Path;
    const linkSecret = localSecret(secretsDir, 'link-secret', 48);
    Object.assign(process.env, {
      AWS_REGION: LOCAL_REGION,
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
      TABLE_NAME: LOCAL_TABLE_NAME,
      DYNAMODB_ENDPOINT: emulators.endpoints.dynamodb,
      BUCKET_NAME: LOCAL_BUCKET_NAME,
      S3_ENDPOINT: emulators.endpoints.s3,
      LINK_SECRET_FILE: linkSecret.file,
      MAIL_FROM: LOCAL_MAIL_FROM,
      SES_ENDPOINT: emulators.endpoints.ses,
      SCHEDULE_GROUP: LOCAL_SCHEDULER.group,
      REMINDER_TARGET_ARN: LOCAL_SCHEDULER.targetArn,
      SCHEDULER_ROLE_ARN: LOCAL_SCHEDULER.roleArn,
      REMINDER_DLQ_ARN: LOCAL_SCHEDULER.deadLetterArn,
      SCHEDULER_ENDPOINT: emulators.endpoints.scheduler,
      MAX_SEND_RATE: String(options.maxSendRate ?? 10),
      REMINDER_QUEUE_URL: emulators.sqs.queueUrl(LOCAL_REMINDER_QUEUE),
      SENDER_CONCURRENCY: '1',
      CHECK_RESPONSES: 'true',
      POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'WARN',
      ...(options.simulatedStart
        ? { CLOCK_START: options.simulatedStart.start, CLOCK_STARTED_AT: String(options.simulatedStart.startedAt) }
        : {}),
    });

    const client = new DynamoDBClient({
      endpoint: emulators.endpoints.dynamodb,
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
    });
    await ensureTable(client, LOCAL_TABLE_NAME);
    const repos = createDynamoRepositories(toDocumentClient(client), LOCAL_TABLE_NAME, options.clock);
    const seed = await seedReferenceData(repos, options.clock);
    client.destroy();

    const events = deliverObjectEvents(emulators, options.clock, log, options.onInvocation);
    const gateway = await startGateway({
      routes: httpRoutes,
      port: ports.api ?? 0,
      log,
      root: REPO_ROOT,
      ...(options.onInvocation ? { loadHandler: timedHandler(options.onInvocation) } : {}),
    });
    // Links inside emails point at this gateway; set before any schedule exists, so before any reminder runs.
    process.env.PUBLIC_BASE_URL = gateway.url;
    const schedules = await syncAllSchedules(emulators.endpoints, options.clock);
    const info: StackInfo = {
      apiUrl: gateway.url,
      mailboxUrl: emulators.endpoints.ses,
      dynamodbEndpoint: emulators.endpoints.dynamodb,
      s3Endpoint: emulators.endpoints.s3,
      sesEndpoint: emulators.endpoints.ses,
      schedulerEndpoint: emulators.endpoints.scheduler,
      sqsEndpoint: emulators.endpoints.sqs,
      region: LOCAL_REGION,
      tableName: LOCAL_TABLE_NAME,
      bucketName: LOCAL_BUCKET_NAME,
      adminUrl: `${gateway.url}/admin`,
      linkSecretFile: linkSecret.file,
      mailFrom: LOCAL_MAIL_FROM,
      scheduler: LOCAL_SCHEDULER,
      ...(options.simulatedStart ? { clock: options.simulatedStart } : {}),
      pid: process.pid,
    };
    return {
      info,
      seed,
      schedules,
      drainEvents: () => events.drain(),
      scheduler: emulators.scheduler,
      sqs: emulators.sqs,
      close: async () => {
        await gateway.close();
        await events.drain();
        await emulators.close();
      },
    };
  } catch (error) {
    await emulators.close();
    throw error;
  }
}
