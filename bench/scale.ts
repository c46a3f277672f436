/**
 * A simulated province living through a whole school year on the local stack, through the real handlers:
 * `npm run bench -- scale [--clusters 10] [--units-per-cluster 30] [--milestones 12] [--concurrency 8] [--json]`.
 *
 * The year (clock moved from August 2021 to July 2022; schedules fire as the clock passes them):
 * - August: each head syncs the reminder schedules and emails every unit its link (the unit takes its token from
 *   that email, in the SES emulator's mailbox).
 * - For every milestone, every unit opens its page, uploads the document straight to S3 and its page polls the
 *   upload's state: most before the first reminder or between reminders, one in ten 1 to 4 days late. Reminders,
 *   overdue notices and digests fire on their own schedules, to whoever still owes the document then.
 * - Heads open the status board twice a week, and download every document a week after its deadline.
 * - May-June: self-scoring opens, every unit saves and submits its sheet, the head verifies every sheet, freezes
 *   the results and exports them (xlsx and csv).
 *
 * Counted: every SDK call the handlers make (service, command, DynamoDB capacity), every handler invocation and its
 * duration, the requests browsers make straight to S3, the handlers' log bytes at the deployed log level; priced in
 * `support/prices.ts`. Setting up clusters, units and plans is not counted.
 */
import { parseArgs } from 'node:util';
import { DeleteScheduleCommand } from '@aws-sdk/client-scheduler';
import { createSchedulerClient } from '../shared/adapters/scheduler/schedule-store';
import { setSimulatedNow } from '../shared/config';
import { addDays } from '../shared/domain/time';
import { httpRoutes } from '../functions/routes';
import type { LocalStack } from '../local/stack';
import { defaultScoringScheme } from '../shared/reference/scoring-template';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../local/emulators';
import { minimalPdf } from '../test/support/files';
import { OBJECT_CREATED_HANDLER_SIZING } from '../infra/constructs/uploads';
import { REMINDER_HANDLER_SIZING, REMINDER_SENDER_SIZING } from '../infra/constructs/reminders';
import { HeadActor, UnitActor, type Browser } from './support/actors';
import { PRICES, totalUsd, usageCost, type CostLine } from './support/prices';
import { startBenchStack } from './support/stack';
import { callCount, describeCalls, type Totals } from './support/tally';
import { SIM_PLAN_ID, createSimCluster, ict, type SimCluster } from './support/world';

export interface ScaleOptions {
  clusters: number;
  units: number;
  milestones: number;
  /** Actions run at once at one instant of the simulated year. */
  concurrency: number;
}

export interface ScaleResult {
  options: ScaleOptions;
  seconds: number;
  uploads: number;
  lateUploads: number;
  boardViews: number;
  downloads: number;
  scheduleInvocations: number;
  emails: number;
  totals: Totals;
  s3Direct: { put: number; get: number };
  httpRequests: number;
  logBytes: number;
  /** Average stored file size assumed for storage (the simulation uploads tiny PDFs). */
  storage: { files: number; assumedMb: number; gbMonthsPerYear: number; usdPerYear: number };
  cost: { warm: CostLine[]; coldEveryInvocation: CostLine[]; perClusterWarm: number; perClusterCold: number };
}

/** A small deterministic generator (mulberry32), so every run simulates the same year. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Days from the due day at which a unit sends a document: before any reminder, between them, or late. */
function uploadDay(r: number): number {
  if (r < 0.1) return -10; // before the 7-day reminder
  if (r < 0.45) return -5; // after it
  if (r < 0.7) return -2; // after the 3-day one
  if (r < 0.9) return -1; // the last day ("trước ngày D": D - 1 is the last day accepted)
  return 1 + Math.floor((r - 0.9) * 40); // 1 to 4 days late
}

interface Action {
  at: Date;
  run: () => Promise<void>;
}

/** Runs `tasks` at most `limit` at a time. */
async function pool(limit: number, tasks: ReadonlyArray<() => Promise<void>>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) await tasks[next++]!();
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until every schedule due by now has fired, the reminder queue is empty and every upload is recorded. */
async function settle(stack: LocalStack, now: () => Date): Promise<void> {
  for (;;) {
    const due = stack.scheduler.list().filter((s) => s.State === 'ENABLED' && !s.firedAt && s.fireAt && s.fireAt.getTime() <= now().getTime());
    if (due.length === 0) {
      await stack.sqs.drain(300_000);
      await stack.drainEvents();
      const stillDue = stack.scheduler.list().some((s) => s.State === 'ENABLED' && !s.firedAt && s.fireAt && s.fireAt.getTime() <= now().getTime());
      if (!stillDue) return;
    }
    await sleep(20);
  }
}

/** The unit links each unit received by email, from the SES emulator's mailbox. */
async function linksFromMailbox(mailboxUrl: string, clusters: readonly SimCluster[]): Promise<Map<string, string>> {
  const { emails } = (await (await fetch(`${mailboxUrl}/store`)).json()) as { emails: Array<{ destination: { to: string[] }; body: { text: string } }> };
  const tokens = new Map<string, string>();
  for (const cluster of clusters) {
    for (const unit of cluster.units) {
      const mail = emails.find((e) => e.destination.to.includes(unit.emails[0]!) && /\/u\/[A-Za-z0-9_.-]+/.test(e.body.text));
      const token = mail && /\/u\/([A-Za-z0-9_.-]+)/.exec(mail.body.text)?.[1];
      if (!token) throw new Error(`no link email for ${cluster.clusterId}/${unit.unitId}`);
      tokens.set(`${cluster.clusterId}/${unit.unitId}`, token);
    }
  }
  return tokens;
}

/** Memory of each deployed function (infra): the object-created and reminder functions are sized apart, the rest 256 MB. */
function memoryMb(functionId: string): number {
  if (functionId === 'RecordUpload') return OBJECT_CREATED_HANDLER_SIZING.memorySize;
  if (functionId === 'SendReminders') return REMINDER_HANDLER_SIZING.memorySize;
  if (functionId === 'SendQueuedReminders') return REMINDER_SENDER_SIZING.memorySize;
  return 256; // ProjectFunction's default
}

/** Cold start added per invocation in the pessimistic figure: the bundles' cold import on this machine, doubled. */
const COLD_START_MS = 250;
/**
 * What Lambda itself writes to CloudWatch Logs per invocation: the START, END and REPORT lines (about 100, 60 and
 * 200 bytes), which no handler prints.
 */
const PLATFORM_LOG_BYTES = 360;
/** A report, a signed covenant: about 1.25 MB (the README's 10 GB for 8,000 files). */
const ASSUMED_FILE_MB = 1.25;

export async function benchScale(options: ScaleOptions): Promise<ScaleResult> {
  process.env.POWERTOOLS_LOG_LEVEL = 'INFO'; // as deployed (Powertools' default)
  // The handlers' log lines, counted and kept off the terminal (the bench prints after restoring stdout).
  let logBytes = 0;
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array) => {
    logBytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.byteLength;
    return true;
  }) as typeof process.stdout.write;
  const progress = (line: string) => process.stderr.write(`${line}\n`);

  const bench = await startBenchStack({ at: ict('2021-08-16', '07:00'), maxSendRate: 1000 });
  const { stack, tally, clock, repos } = bench;
  try {
    // The reference cluster seeded at start is not part of the province: its schedules go.
    const scheduler = createSchedulerClient({ endpoint: stack.info.schedulerEndpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
    for (const s of stack.scheduler.list()) await scheduler.send(new DeleteScheduleCommand({ Name: s.Name, GroupName: s.GroupName }));
    scheduler.destroy();

    const clusters: SimCluster[] = [];
    for (let c = 0; c < options.clusters; c++) clusters.push(await createSimCluster({ repos, clock }, c, options.units, options.milestones));
    tally.reset();
    logBytes = 0;
    const began = performance.now();

    const browser: Browser = { apiUrl: stack.info.apiUrl, s3Requests: { put: 0, get: 0 } };
    const heads = new Map(clusters.map((c) => [c.clusterId, new HeadActor(browser, c.clusterId, SIM_PLAN_ID, c.apiKey)]));
    const head = (c: SimCluster) => heads.get(c.clusterId)!;

    // August: schedules and links.
    setSimulatedNow(ict('2021-08-16', '09:00'));
    await settle(stack, () => clock.now());
    await pool(options.concurrency, clusters.map((c) => () => head(c).reconcileReminders()));
    await pool(options.concurrency, clusters.flatMap((c) => c.units.map((u) => () => head(c).emailLink(u.unitId))));
    const tokens = await linksFromMailbox(stack.info.mailboxUrl, clusters);
    const unitActor = (c: SimCluster, unitId: string) => new UnitActor(browser, tokens.get(`${c.clusterId}/${unitId}`)!);
    progress(`scale: ${clusters.length} clusters x ${options.units} units x ${options.milestones} milestones; schedules: ${stack.scheduler.list().length}`);

    const rand = random(20212022);
    const actions: Action[] = [];
    const uploads = new Map<string, Array<{ unitId: string; uploadId: string }>>(); // by cluster/milestone
    const pending: Array<{ actor: UnitActor; uploadId: string }> = [];
    let lateUploads = 0;
    let uploadCount = 0;
    const pdf = minimalPdf('Tài liệu mô phỏng');
    for (const c of clusters) {
      for (const m of c.milestones) {
        if (m.due.type !== 'date') continue;
        const due = m.due.date;
        for (const unit of c.units) {
          const day = uploadDay(rand());
          if (day > 0) lateUploads += 1;
          const hour = 10 + Math.floor(rand() * 7);
          actions.push({
            at: ict(addDays(due, day), `${String(hour).padStart(2, '0')}:00`),
            run: async () => {
              const actor = unitActor(c, unit.unitId);
              await actor.openPage();
              const uploadId = await actor.upload(m.milestoneId, `${m.milestoneId}.pdf`, pdf);
              uploadCount += 1;
              pending.push({ actor, uploadId });
              const key = `${c.clusterId}/${m.milestoneId}`;
              uploads.set(key, [...(uploads.get(key) ?? []), { unitId: unit.unitId, uploadId }]);
            },
          });
        }
        // A week after the deadline, the head downloads every document received.
        actions.push({
          at: ict(addDays(due, 7), '14:00'),
          run: async () => {
            for (const u of uploads.get(`${c.clusterId}/${m.milestoneId}`) ?? []) await head(c).download(u.unitId, u.uploadId);
          },
        });
      }
    }
    // The board, Mondays and Thursdays at 09:00.
    let boardViews = 0;
    for (let day = '2021-08-19'; day <= '2022-06-30'; day = addDays(day, 1)) {
      const weekday = new Date(`${day}T00:00:00Z`).getUTCDay();
      if (weekday !== 1 && weekday !== 4) continue;
      for (const c of clusters) {
        actions.push({
          at: ict(day, '09:00'),
          run: async () => {
            await head(c).board();
            boardViews += 1;
          },
        });
      }
    }
    // Scoring.
    const scheme = defaultScoringScheme('dang-ky-thi-dua');
    for (const c of clusters) {
      actions.push({ at: ict('2022-05-16', '09:00'), run: () => head(c).openSelfScoring() });
      c.units.forEach((unit, i) => {
        actions.push({
          at: ict(addDays('2022-05-18', i % 8), '15:00'),
          run: async () => {
            const actor = unitActor(c, unit.unitId);
            await actor.openSelfScore();
            await actor.selfScore(scheme, (k) => (k + i) % 3);
          },
        });
      });
      actions.push({
        at: ict('2022-06-13', '09:00'),
        run: async () => {
          await head(c).scoring();
          for (const [i, unit] of c.units.entries()) await head(c).verify(unit.unitId, scheme, (max, k) => Math.max(0, max - ((k + i) % 4)));
          await head(c).scoring();
        },
      });
      actions.push({
        at: ict('2022-06-17', '10:00'),
        run: async () => {
          await head(c).freeze();
          await head(c).exportScores('xlsx');
          await head(c).exportScores('csv');
        },
      });
    }

    // Live through the year, one instant at a time.
    const instants = [...new Set(actions.map((a) => a.at.getTime()))].sort((a, b) => a - b);
    let done = 0;
    for (const instant of instants) {
      setSimulatedNow(new Date(instant));
      await settle(stack, () => clock.now());
      await pool(options.concurrency, actions.filter((a) => a.at.getTime() === instant).map((a) => a.run));
      await stack.drainEvents();
      // Each page polls its upload once the recorder has run.
      const polls = pending.splice(0);
      await pool(options.concurrency, polls.map((p) => async () => {
        const state = await p.actor.uploadState(p.uploadId);
        if (state !== 'accepted') throw new Error(`upload ${p.uploadId} is ${state}`);
      }));
      done += 1;
      if (done % 50 === 0) progress(`scale: ${done}/${instants.length} instants, ${new Date(instant).toISOString().slice(0, 10)}, ${uploadCount} uploads`);
    }
    setSimulatedNow(ict('2022-07-31', '09:00'));
    await settle(stack, () => clock.now());

    const seconds = (performance.now() - began) / 1000;
    const totals = tally.reset();
    const failures = Object.entries(totals.invocations).filter(([, i]) => i.failed > 0);
    if (failures.length > 0) throw new Error(`failed invocations: ${failures.map(([id, i]) => `${id} ${i.failed}`).join(', ')}`);
    if (stack.scheduler.deadLetters.length > 0 || stack.sqs.deadLetters.length > 0) throw new Error('dead letters after the year');
    const httpFunctions = new Set(httpRoutes.map((r) => r.functionId ?? r.id));
    const httpRequests = Object.entries(totals.invocations)
      .filter(([id]) => httpFunctions.has(id))
      .reduce((n, [, i]) => n + i.count, 0);
    const scheduleInvocations = totals.invocations.SendReminders?.count ?? 0;
    const invocations = Object.values(totals.invocations).reduce((n, i) => n + i.count, 0);
    logBytes += invocations * PLATFORM_LOG_BYTES;
    const base = { totals, s3Direct: browser.s3Requests, httpRequests, scheduleInvocations, logBytes, memoryMb };
    const warm = usageCost(base);
    const coldEveryInvocation = usageCost({ ...base, coldStartMs: COLD_START_MS });
    const gbMonthsPerYear = ((uploadCount * ASSUMED_FILE_MB) / 1024) * 6; // filled over the year: half a year on average
    return {
      options,
      seconds,
      uploads: uploadCount,
      lateUploads,
      boardViews,
      downloads: browser.s3Requests.get,
      scheduleInvocations,
      emails: callCount(totals, 'ses', 'SendEmail'),
      totals,
      s3Direct: browser.s3Requests,
      httpRequests,
      logBytes,
      storage: { files: uploadCount, assumedMb: ASSUMED_FILE_MB, gbMonthsPerYear, usdPerYear: gbMonthsPerYear * PRICES.s3GbMonth },
      cost: {
        warm,
        coldEveryInvocation,
        perClusterWarm: totalUsd(warm) / options.clusters,
        perClusterCold: totalUsd(coldEveryInvocation) / options.clusters,
      },
    };
  } finally {
    await bench.close();
    process.stdout.write = write;
  }
}

export function printScale(r: ScaleResult): void {
  const { totals } = r;
  const o = r.options;
  const target = 0.5;
  console.log(`Scale: ${o.clusters} clusters x ${o.units} units x ${o.milestones} milestones, a whole school year, ${r.seconds.toFixed(0)} s`);
  console.log(`  uploads          ${r.uploads} (${r.lateUploads} late), ${r.downloads} downloads, ${r.boardViews} board views`);
  console.log(`  schedules fired  ${r.scheduleInvocations}; emails ${r.emails}`);
  console.log(`  invocations      ${Object.entries(totals.invocations).sort(([a], [b]) => a.localeCompare(b)).map(([id, i]) => `${id} ${i.count} (${(i.ms / i.count).toFixed(1)} ms avg)`).join(', ')}`);
  for (const service of ['dynamodb', 's3', 'ses', 'scheduler', 'sqs', 'secretsmanager'] as const) {
    console.log(`  ${service.padEnd(16)} ${describeCalls(totals.calls, service)}`);
  }
  console.log(`  S3 from browsers ${r.s3Direct.put} POST, ${r.s3Direct.get} GET`);
  console.log(`  DynamoDB units   ${totals.readUnits.toFixed(1)} read (${totals.billedReadUnits.toFixed(1)} billed), ${totals.writeUnits.toFixed(1)} write`);
  console.log(`  log bytes        ${(r.logBytes / 1e6).toFixed(2)} MB (handlers at INFO + ${PLATFORM_LOG_BYTES} bytes of Lambda's own lines per invocation)`);
  console.log('  cost, whole province, USD (list prices, ap-southeast-1, no free tier):');
  for (const line of r.cost.warm) console.log(`    ${line.what.padEnd(28)} ${line.usd.toFixed(4).padStart(8)}  ${line.use}`);
  const verdict = (usd: number) => (usd < target ? 'PASS' : 'MISS');
  console.log(`  per cluster-year ${r.cost.perClusterWarm.toFixed(4)} USD warm: ${verdict(r.cost.perClusterWarm)} (target < ${target})`);
  console.log(`  per cluster-year ${r.cost.perClusterCold.toFixed(4)} USD with a ${COLD_START_MS} ms cold start on every invocation: ${verdict(r.cost.perClusterCold)}`);
  console.log(`  storage apart    ${r.storage.files} files x ${r.storage.assumedMb} MB assumed: ${r.storage.gbMonthsPerYear.toFixed(1)} GB-months, ${r.storage.usdPerYear.toFixed(2)} USD a year for the province`);
}

const isMain = process.argv[1]?.endsWith('bench/scale.ts');
if (isMain) {
  const { values } = parseArgs({
    options: {
      clusters: { type: 'string', default: '10' },
      'units-per-cluster': { type: 'string', default: '30' },
      milestones: { type: 'string', default: '12' },
      concurrency: { type: 'string', default: '8' },
      json: { type: 'boolean', default: false },
    },
    allowPositionals: true,
  });
  const result = await benchScale({
    clusters: Number(values.clusters),
    units: Number(values['units-per-cluster']),
    milestones: Number(values.milestones),
    concurrency: Number(values.concurrency),
  });
  if (values.json) console.log(JSON.stringify(result, null, 2));
  else printScale(result);
}
