/**
 * HTTP latency and throughput under load against the local stack (issue 8, item 3): the member page, the presigned
 * upload form and the status board, each hammered by `--connections` keep-alive connections for `--duration` seconds
 * after an unmeasured warm-up on the same connections. Target: p99 at most 30 ms and no errors.
 * Usage: npm run bench -- http-load [--duration 20] [--connections 50] [--only member-page|presign|board] [--json]
 *
 * Starts its own in-memory local stack (free ports, simulated clock on 25/11/2021 09:00 ICT) with a cluster of its own:
 * 30 units x 12 monthly document milestones, with submissions on the milestones already due. The load generator
 * (autocannon) runs in a worker thread so that its own work does not sit in the gateway's event loop; on this 2-core
 * machine it still shares the CPU with the gateway and DynamoDB Local, as any local client would.
 *
 * Each connection sends its next request as soon as the previous answer arrives (closed loop): the figures are the
 * stack's saturation throughput and the latency at that saturation, where the mean latency is about connections /
 * throughput. `--connections 1` gives the service time of one request with no queueing. (autocannon's rate limit
 * is not offered: it releases each second's requests in one burst, which measures queueing again.)
 */
import { cpus, totalmem } from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import autocannon from 'autocannon';
import { fileLinkKeys } from '../shared/adapters/secrets/link-keys';
import { MilestoneSchema, PlanSchema, UnitSchema, type Milestone, type Unit } from '../shared/domain/model';
import { offsetClock } from '../shared/ports/clock';
import type { Repositories } from '../shared/ports/repositories';
import { issueLink } from '../shared/use-cases/links';
import { formatTable } from '../local/table-format';
import { startLocalStack, type StackInfo } from '../local/stack';
import { apiKeyFor, stackRepos } from '../test/support/admin';
import { submissionRecord } from '../test/support/records';

/** Each target passes when its p99 is at most this and it had no errors nor non-2xx answers. */
export const P99_TARGET_MS = 30;
/** Unmeasured load at the start of each run, on the same connections (handlers warm, JIT settled). */
export const WARMUP_SECONDS = 3;
/** CPU use by other processes before the start above which the output warns that the figures are pessimistic. */
export const BUSY_WARNING_PERCENT = 15;
const START = '2021-11-25T09:00:00+07:00';
const CLUSTER_ID = 'bench-tai';
const PLAN_ID = '2021-2022';
const UNIT_COUNT = 30;
/** Milestone months: one document a month, September 2021 to August 2022, due on the 15th. */
const MONTHS = ['2021-09', '2021-10', '2021-11', '2021-12', '2022-01', '2022-02', '2022-03', '2022-04', '2022-05', '2022-06', '2022-07', '2022-08'];
/** The December milestone: still open on 25/11, so a presigned form may be issued for it. */
const OPEN_MILESTONE = 'bao-cao-2021-12';
/** How many distinct non-2xx answers and errors a target keeps to show. */
const MAX_SAMPLES = 5;

export const TARGET_NAMES = ['member-page', 'presign', 'board'] as const;
export type TargetName = (typeof TARGET_NAMES)[number];

export interface HttpLoadOptions {
  duration: number;
  connections: number;
  only?: TargetName;
}

/** One request shape for autocannon; the path is kept out of output (it holds a member token). */
export interface LoadRequest {
  url: string;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
}

export interface TargetResult {
  name: TargetName;
  /** The route template, e.g. `GET /u/{token}`. */
  route: string;
  /** Bytes of one answer's body, uncompressed (the local gateway and API Gateway HTTP APIs do not compress). */
  bodyBytes: number;
  /** Requests sent during the measured time and answered (the latency figures are over these). */
  requests: number;
  seconds: number;
  /** Answers per second during the measured time. */
  throughput: number;
  /** Milliseconds from sending a request to the end of its answer, over every answer (exact, not bucketed). */
  latency: { p50: number; p90: number; p99: number; max: number; mean: number };
  /** Requests that got no answer: connection errors and timeouts (`errors` includes `timeouts`). */
  errors: number;
  timeouts: number;
  non2xx: number;
  statusCounts: Record<string, number>;
  /** The first distinct non-2xx answers (status and the start of the body) and connection errors. */
  samples: string[];
  /**
   * How busy the gateway's thread (node:http, the handlers, the AWS SDK; not DynamoDB Local, not the load generator)
   * was during the measured run, and its busy time per request: at 100% it is the bottleneck.
   */
  gatewayThread: { busyPercent: number; msPerRequest: number };
  pass: boolean;
}

export interface HttpLoadResult {
  /**
   * `busyBeforePercent`: how busy all cores were over one second before the bench started anything (other processes);
   * past {@link BUSY_WARNING_PERCENT}, other work shares the CPU and the figures are pessimistic.
   */
  machine: { cores: number; cpu: string; memoryGiB: number; node: string; busyBeforePercent: number };
  date: string;
  connections: number;
  durationSeconds: number;
  warmupSeconds: number;
  cluster: { units: number; milestones: number; submissions: number };
  targets: TargetResult[];
}

// ---------------------------------------------------------------------------------------------------------------
// Data

const unitOf = (n: number): Unit => {
  const id = `dv-${String(n).padStart(2, '0')}`;
  const role = n === 1 ? 'cum-truong' : n === 2 ? 'cum-pho' : 'thanh-vien';
  return UnitSchema.parse({ clusterId: CLUSTER_ID, unitId: id, name: `Công đoàn đơn vị đo tải số ${n} (mẫu)`, role, emails: [`${id}@bench.example.com`] });
};

const milestoneOf = (month: string, order: number): Milestone => {
  const [year, mm] = month.split('-');
  return MilestoneSchema.parse({
    clusterId: CLUSTER_ID,
    planId: PLAN_ID,
    milestoneId: `bao-cao-${month}`,
    order,
    kind: 'report',
    title: `Báo cáo công tác tháng ${Number(mm)}/${year}`,
    due: { type: 'date', date: `${month}-15`, rule: 'by' },
    document: { title: `Báo cáo tháng ${Number(mm)}/${year}`, from: { type: 'all' }, recipients: ['cum-truong'] },
  });
};

/** ISO date `days` after `date` (YYYY-MM-DD), at 10:00 ICT. */
const atTen = (date: string, days: number): string => {
  const d = new Date(`${date}T10:00:00+07:00`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString();
};

/**
 * The bench cluster: 30 units, 12 milestones; on the three milestones already due, five units in six sent on time,
 * one in six late or not at all (two of those with an extension); ten units already sent December's report.
 */
export async function seedLoadCluster(repos: Repositories): Promise<HttpLoadResult['cluster']> {
  await repos.clusters.createIfAbsent({ clusterId: CLUSTER_ID, name: 'Cụm đo tải (mẫu)', province: { id: 'tinh-do-tai', name: 'Tỉnh đo tải (mẫu)' } });
  const units = Array.from({ length: UNIT_COUNT }, (_, i) => unitOf(i + 1));
  for (const unit of units) await repos.units.createIfAbsent(unit);
  const milestones = MONTHS.map(milestoneOf);
  const plan = PlanSchema.parse({ clusterId: CLUSTER_ID, planId: PLAN_ID, schoolYear: { startYear: 2021, endYear: 2022 }, title: 'Kế hoạch đo tải năm học 2021 - 2022' });
  await repos.plans.createPlanIfAbsent(plan, milestones);

  let submissions = 0;
  const record = async (milestone: Milestone, unit: Unit, receivedAt: string, late: boolean) => {
    await repos.uploads.recordSubmission(
      submissionRecord({ clusterId: CLUSTER_ID, planId: PLAN_ID, milestoneId: milestone.milestoneId, unitId: unit.unitId, receivedAt, late, fileName: `${milestone.title}.pdf` }),
    );
    submissions += 1;
  };
  for (const [m, milestone] of milestones.slice(0, 3).entries()) {
    const due = `${MONTHS[m]}-15`;
    for (const [u, unit] of units.entries()) {
      const r = (u + m) % 6;
      if (r === 0 && u % 4 === 0) {
        await repos.uploads.putExtension({ clusterId: CLUSTER_ID, planId: PLAN_ID, milestoneId: milestone.milestoneId, unitId: unit.unitId, until: '2021-11-30', grantedAt: atTen(due, 1) });
      } else if (r === 1) await record(milestone, unit, atTen(due, 3), true);
      else if (r !== 0) await record(milestone, unit, atTen(due, -2), false);
    }
  }
  const december = milestones.find((m) => m.milestoneId === OPEN_MILESTONE)!;
  for (const unit of units.slice(0, 10)) await record(december, unit, atTen('2021-11-20', 0), false);
  return { units: units.length, milestones: milestones.length, submissions };
}

/** The three requests, with a member link of a unit that has not sent December's report and a cluster API key. */
export async function loadRequests(info: StackInfo): Promise<Record<TargetName, LoadRequest & { route: string }>> {
  const { repos, clock, close } = stackRepos(info);
  try {
    const link = await issueLink({ repos, clock, linkKeys: fileLinkKeys(info.linkSecretFile) }, { clusterId: CLUSTER_ID, unitId: unitOf(20).unitId, planId: PLAN_ID }, info.apiUrl);
    const apiKey = await apiKeyFor(info, CLUSTER_ID, 'đo tải');
    return {
      'member-page': { route: 'GET /u/{token}', url: `${info.apiUrl}/u/${link.token}`, method: 'GET', headers: {} },
      presign: {
        route: 'POST /u/{token}/uploads',
        url: `${info.apiUrl}/u/${link.token}/uploads`,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ milestoneId: OPEN_MILESTONE, fileName: 'Báo cáo tháng 12.pdf', contentType: 'application/pdf', size: 245_760 }),
      },
      board: {
        route: 'GET /api/clusters/{clusterId}/plans/{planId}/board',
        url: `${info.apiUrl}/api/clusters/${CLUSTER_ID}/plans/${PLAN_ID}/board`,
        method: 'GET',
        headers: { authorization: `Bearer ${apiKey}` },
      },
    };
  } finally {
    close();
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Load generator (worker thread)

interface ClientJob {
  role: 'http-load-client';
  request: LoadRequest;
  connections: number;
  duration: number;
  warmup: number;
}

interface ClientReport {
  /** Answers that arrived during the measured time (throughput). */
  completed: number;
  seconds: number;
  /** The time of each answer to a request sent during the measured time. */
  latencies: Float64Array;
  errors: number;
  timeouts: number;
  non2xx: number;
  statusCounts: Record<string, number>;
  samples: string[];
}

/** autocannon's error for a request that got no answer in time (it counts these as errors too). */
const TIMEOUT_MESSAGE = 'request timed out';

/**
 * One autocannon run of warm-up plus measured time on the same connections (so the switch does not drop requests in
 * flight and open fresh connections); only requests sent after the warm-up count. Reports every counted answer's
 * time, and the first distinct failures.
 */
async function runClient(job: ClientJob, onMeasuring: () => void): Promise<ClientReport> {
  const { url, method, headers, body } = job.request;
  const latencies: number[] = [];
  const statusCounts: Record<string, number> = {};
  const samples = new Set<string>();
  let errors = 0;
  let timeouts = 0;
  let non2xx = 0;
  let completed = 0;
  let measuring = false;
  const measureFrom = performance.now() + job.warmup * 1000;
  const keep = (sample: string) => {
    if (samples.size < MAX_SAMPLES) samples.add(sample);
  };
  const switchover = setTimeout(() => {
    measuring = true;
    onMeasuring();
  }, job.warmup * 1000);
  try {
    await new Promise<autocannon.Result>((resolve, reject) => {
      const instance = autocannon(
        {
          url,
          connections: job.connections,
          duration: job.warmup + job.duration,
          requests: [
            {
              method,
              headers,
              ...(body === undefined ? {} : { body }),
              onResponse: (status, responseBody) => {
                if (measuring && (status < 200 || status > 299)) keep(`HTTP ${status}: ${String(responseBody).slice(0, 200)}`);
              },
            },
          ],
        },
        (error: unknown, result) => (error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve(result)),
      );
      instance.on('response', (_client, status, _bytes, responseTime) => {
        const now = performance.now();
        if (now >= measureFrom) completed += 1;
        if (now - responseTime < measureFrom) return; // sent during the warm-up
        latencies.push(responseTime);
        statusCounts[status] = (statusCounts[status] ?? 0) + 1;
        if (status < 200 || status > 299) non2xx += 1;
      });
      instance.on('reqError', (error: Error) => {
        if (!measuring) return;
        errors += 1;
        if (error.message === TIMEOUT_MESSAGE) timeouts += 1;
        keep(`error: ${error.message}`);
      });
    });
  } finally {
    clearTimeout(switchover);
  }
  return {
    completed,
    seconds: (performance.now() - measureFrom) / 1000,
    latencies: Float64Array.from(latencies),
    errors,
    timeouts,
    non2xx,
    statusCounts,
    samples: [...samples],
  };
}

/**
 * Runs the load generator in a worker thread (this same module) and waits for its report. Workers do not inherit
 * tsx's loader, so the worker registers it before importing this file.
 */
function runInWorker(job: ClientJob, onMeasuring: () => void): Promise<ClientReport> {
  const boot = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((tsx) => { tsx.register(); return import(${JSON.stringify(import.meta.url)}); })`;
  return new Promise((resolve, reject) => {
    const worker = new Worker(boot, { eval: true, workerData: job });
    worker.on('message', (message: 'measuring' | ClientReport) => (message === 'measuring' ? onMeasuring() : resolve(message)));
    worker.once('error', reject);
    worker.once('exit', (code) => (code === 0 ? undefined : reject(new Error(`load worker exited with code ${code}`))));
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Measure

/** The value below which `p` of the sorted values fall (nearest rank). */
function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
}

/** One answer, outside the load: the body's size, and a clear failure if the target does not answer 2xx. */
async function probe(name: TargetName, request: LoadRequest): Promise<number> {
  const response = await fetch(request.url, { method: request.method, headers: { ...request.headers, 'accept-encoding': 'identity' }, body: request.body });
  const body = Buffer.from(await response.arrayBuffer());
  if (!response.ok) throw new Error(`${name} answers HTTP ${response.status} before any load: ${body.toString('utf8').slice(0, 300)}`);
  return body.length;
}

async function measure(name: TargetName, request: LoadRequest & { route: string }, options: HttpLoadOptions): Promise<TargetResult> {
  const bodyBytes = await probe(name, request);
  const { route, ...plain } = request;
  // The worker reports the warm-up's end, so that only the measured run counts towards the gateway thread's load.
  let measuredFrom = performance.eventLoopUtilization();
  const report = await runInWorker({ role: 'http-load-client', request: plain, connections: options.connections, duration: options.duration, warmup: WARMUP_SECONDS }, () => {
    measuredFrom = performance.eventLoopUtilization();
  });
  const busy = performance.eventLoopUtilization(performance.eventLoopUtilization(), measuredFrom);
  const sorted = report.latencies.slice().sort();
  const mean = sorted.reduce((a, b) => a + b, 0) / Math.max(1, sorted.length);
  const latency = { p50: percentile(sorted, 0.5), p90: percentile(sorted, 0.9), p99: percentile(sorted, 0.99), max: sorted.at(-1) ?? Number.NaN, mean };
  return {
    name,
    route,
    bodyBytes,
    requests: report.latencies.length,
    seconds: report.seconds,
    throughput: report.completed / report.seconds,
    latency,
    errors: report.errors,
    timeouts: report.timeouts,
    non2xx: report.non2xx,
    statusCounts: report.statusCounts,
    samples: report.samples,
    gatewayThread: { busyPercent: busy.utilization * 100, msPerRequest: busy.active / Math.max(1, report.completed) },
    pass: latency.p99 <= P99_TARGET_MS && report.errors === 0 && report.non2xx === 0,
  };
}

/** Share of all cores' time spent busy over one second (not a load average, which would still count a bench just run). */
async function cpuBusyPercent(): Promise<number> {
  const total = (list: ReturnType<typeof cpus>) =>
    list.reduce((sum, c) => ({ busy: sum.busy + c.times.user + c.times.nice + c.times.sys + c.times.irq, all: sum.all + c.times.user + c.times.nice + c.times.sys + c.times.irq + c.times.idle }), { busy: 0, all: 0 });
  const before = total(cpus());
  await new Promise((r) => setTimeout(r, 1000));
  const after = total(cpus());
  return ((after.busy - before.busy) / Math.max(1, after.all - before.all)) * 100;
}

async function machine(): Promise<HttpLoadResult['machine']> {
  const busyBeforePercent = await cpuBusyPercent();
  return { cores: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version, busyBeforePercent };
}

export async function benchHttpLoad(options: HttpLoadOptions): Promise<HttpLoadResult> {
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  const host = await machine();
  const simulatedStart = { start: new Date(START).toISOString(), startedAt: Date.now() };
  const stack = await startLocalStack({ clock: offsetClock(simulatedStart.start, simulatedStart.startedAt), simulatedStart });
  try {
    const { repos, close } = stackRepos(stack.info);
    const cluster = await seedLoadCluster(repos).finally(close);
    const requests = await loadRequests(stack.info);
    const targets: TargetResult[] = [];
    for (const name of options.only ? [options.only] : TARGET_NAMES) targets.push(await measure(name, requests[name], options));
    return {
      machine: host,
      date: new Date().toISOString(),
      connections: options.connections,
      durationSeconds: options.duration,
      warmupSeconds: WARMUP_SECONDS,
      cluster,
      targets,
    };
  } finally {
    await stack.close();
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Output

const ms = (v: number) => v.toFixed(1);

function printResult(result: HttpLoadResult): void {
  const m = result.machine;
  console.log(`HTTP load: ${result.connections} connections, each sending as soon as answered, ${result.durationSeconds} s per target, after a ${result.warmupSeconds} s warm-up on the same connections (not measured)`);
  console.log(`  machine   ${m.cores} cores, ${m.cpu}, ${m.memoryGiB} GiB, Node ${m.node}; ${result.date.slice(0, 10)}; CPU ${m.busyBeforePercent.toFixed(0)}% busy before the start`);
  if (m.busyBeforePercent > BUSY_WARNING_PERCENT) console.log('  WARNING   other work was running on this machine: the figures are pessimistic');
  console.log(`  cluster   ${result.cluster.units} units x ${result.cluster.milestones} milestones, ${result.cluster.submissions} submissions`);
  console.log(`  target    p99 <= ${P99_TARGET_MS} ms, 0 errors, 0 non-2xx`);
  console.log('  GW        the gateway thread (node:http, handlers, AWS SDK) in the measured run: busy share, busy ms per request');
  console.log('            (wall time while busy: it grows when other processes share the CPU)\n');
  console.log(
    formatTable(result.targets, [
      ['Target', (t) => t.name],
      ['Body B', (t) => String(t.bodyBytes)],
      ['Requests', (t) => String(t.requests)],
      ['req/s', (t) => t.throughput.toFixed(0)],
      ['p50 ms', (t) => ms(t.latency.p50)],
      ['p90 ms', (t) => ms(t.latency.p90)],
      ['p99 ms', (t) => ms(t.latency.p99)],
      ['max ms', (t) => ms(t.latency.max)],
      ['Errors', (t) => String(t.errors)],
      ['Non-2xx', (t) => String(t.non2xx)],
      ['GW busy', (t) => `${t.gatewayThread.busyPercent.toFixed(0)}%`],
      ['GW ms/req', (t) => t.gatewayThread.msPerRequest.toFixed(2)],
      ['Result', (t) => (t.pass ? 'PASS' : 'MISS')],
    ]),
  );
  for (const t of result.targets) {
    console.log(`\n  ${t.name}: ${t.route}; statuses ${Object.entries(t.statusCounts).map(([s, n]) => `${s} x${n}`).join(', ')}`);
    if (t.timeouts > 0) console.log(`    timeouts: ${t.timeouts}`);
    for (const sample of t.samples) console.log(`    ${sample}`);
  }
}

function parseOptions(args: string[]): HttpLoadOptions & { json: boolean } {
  const { values } = parseArgs({
    args,
    options: {
      duration: { type: 'string', default: '20' },
      connections: { type: 'string', default: '50' },
      only: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
    allowPositionals: true,
  });
  const duration = Number(values.duration);
  const connections = Number(values.connections);
  if (!(duration > 0) || !Number.isInteger(connections) || connections < 1) throw new Error('--duration and --connections must be positive numbers');
  const only = values.only as TargetName | undefined;
  if (only !== undefined && !TARGET_NAMES.includes(only)) throw new Error(`--only must be one of ${TARGET_NAMES.join(', ')}`);
  return { duration, connections, ...(only ? { only } : {}), json: values.json };
}

if (!isMainThread && (workerData as Partial<ClientJob> | undefined)?.role === 'http-load-client') {
  const report = await runClient(workerData as ClientJob, () => parentPort!.postMessage('measuring'));
  parentPort!.postMessage(report);
}

const isMain = isMainThread && process.argv[1]?.endsWith('bench/http-load.ts');
if (isMain) {
  const { json, ...options } = parseOptions(process.argv.slice(2));
  const result = await benchHttpLoad(options);
  if (json) console.log(JSON.stringify(result, null, 2));
  else printResult(result);
}
