/**
 * Cold start budget of every deployed function: its bundle (esbuild, minified, as the CDK app deploys it) against a
 * floor bundle that imports exactly the same AWS SDK clients and does nothing else. Size, and the time a fresh Node
 * process takes to import the bundle (p50 and p90 of `--runs` processes per bundle, function and floor alternating).
 * Target: each at most 1.25x the floor.
 * Usage: npm run bench -- cold-start [--runs 21] [--json]
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { build, type BuildOptions, type Metafile } from 'esbuild';
import {
  httpRoutes,
  mailEventHandler,
  objectCreatedHandlers,
  reminderHandler,
  reminderSender,
  type FunctionAccess,
} from '../functions/routes';
import { BUNDLE_SETTINGS, PROJECT_ROOT } from '../infra/constructs/project-function';
import { groupRoutesByFunction } from '../infra/constructs/route-functions';

/** Each of size and import time may be at most this multiple of the floor's. */
export const COLD_START_TARGET = 1.25;

/** ProjectFunction's `bundling` (BUNDLE_SETTINGS, ESM, the AWS SDK bundled) as esbuild options. */
export const DEPLOYED_BUNDLE_OPTIONS: BuildOptions = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: BUNDLE_SETTINGS.target,
  mainFields: [...BUNDLE_SETTINGS.mainFields],
  banner: { js: BUNDLE_SETTINGS.banner },
  minify: BUNDLE_SETTINGS.minify,
  keepNames: BUNDLE_SETTINGS.keepNames,
  sourcemap: BUNDLE_SETTINGS.sourceMap,
  sourcesContent: BUNDLE_SETTINGS.sourcesContent,
  logLevel: 'warning',
  // bundleAwsSDK with no externalModules: nothing is external.
  external: [],
  absWorkingDir: PROJECT_ROOT,
};

/**
 * The SDK packages a floor bundle imports, with the export it keeps (a client class, or the presigning function).
 * A bundle that includes another `@aws-sdk/client-*` fails the bench until it is added here.
 */
const FLOOR_EXPORTS: Readonly<Record<string, string>> = {
  '@aws-sdk/client-dynamodb': 'DynamoDBClient',
  '@aws-sdk/client-s3': 'S3Client',
  '@aws-sdk/client-scheduler': 'SchedulerClient',
  '@aws-sdk/client-secrets-manager': 'SecretsManagerClient',
  '@aws-sdk/client-ses': 'SESClient',
  '@aws-sdk/client-sqs': 'SQSClient',
  '@aws-sdk/lib-dynamodb': 'DynamoDBDocumentClient',
  '@aws-sdk/s3-presigned-post': 'createPresignedPost',
  '@aws-sdk/s3-request-presigner': 'getSignedUrl',
};
const FLOOR_PACKAGE = /^@aws-sdk\/(client-.+|lib-dynamodb|s3-presigned-post|s3-request-presigner)$/;

/** A deployed function: its id (the construct id without `Function`), entry and access fields. */
export interface DeployedFunction {
  readonly id: string;
  readonly entry: string;
  readonly access: FunctionAccess;
}

/** Every function the CDK app deploys: one per route group (`functionId ?? id`), then the event handlers. */
export function deployedFunctions(): DeployedFunction[] {
  const routeFunctions = groupRoutesByFunction(httpRoutes).map(({ functionId, routes }) => ({
    id: functionId,
    entry: routes[0]!.entry,
    access: routes[0]!,
  }));
  const eventFunctions = [...objectCreatedHandlers, reminderHandler, reminderSender, mailEventHandler].map((handler) => ({
    id: handler.id,
    entry: handler.entry,
    access: handler,
  }));
  return [...routeFunctions, ...eventFunctions];
}

/**
 * A fake but valid environment for `access`: the variables ProjectFunction and applyFunctionAccess
 * (infra/constructs/function-access.ts) set, with made-up values, plus what Lambda itself sets that the code reads.
 * Module-level code parses it with zod (shared/config.ts) and creates clients; nothing touches the network at import.
 */
export function deployedEnvironment(id: string, access: FunctionAccess): Record<string, string> {
  const arn = (service: string, resource: string) => `arn:aws:${service}:ap-southeast-1:123456789012:${resource}`;
  return {
    AWS_REGION: 'ap-southeast-1',
    AWS_LAMBDA_FUNCTION_NAME: `bench-${id}`,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '256',
    POWERTOOLS_SERVICE_NAME: 'cum-thi-dua',
    NODE_OPTIONS: '--enable-source-maps',
    // Lambda's Node 22 prints no end-of-support warning; Node 20 here would, when a client is created.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    ...(access.tableAccess ? { TABLE_NAME: 'bench-table' } : {}),
    ...(access.bucketAccess || access.bucketName ? { BUCKET_NAME: 'bench-uploads' } : {}),
    ...(access.linkSecret ? { LINK_SECRET_ARN: arn('secretsmanager', 'secret:bench-link-AbCdEf') } : {}),
    ...(access.sendsEmail ? { MAIL_FROM: 'Cụm Thi đua <no-reply@bench.example.org>', SES_CONFIGURATION_SET: 'bench-set' } : {}),
    ...(access.publicBaseUrl ? { PUBLIC_BASE_URL: 'https://bench.example.org' } : {}),
    ...(access.schedules
      ? {
          SCHEDULE_GROUP: 'bench-group',
          REMINDER_TARGET_ARN: arn('lambda', 'function:bench-SendReminders'),
          SCHEDULER_ROLE_ARN: 'arn:aws:iam::123456789012:role/bench-scheduler',
          REMINDER_DLQ_ARN: arn('sqs', 'bench-dlq'),
        }
      : {}),
    ...(access.reminderQueue === 'send'
      ? { REMINDER_QUEUE_URL: 'https://sqs.ap-southeast-1.amazonaws.com/123456789012/bench-reminders', MAX_SEND_RATE: '14' }
      : {}),
    ...(access.reminderQueue === 'consume' ? { MAX_SEND_RATE: '14', SENDER_CONCURRENCY: '2' } : {}),
  };
}

interface Bundle {
  readonly file: string;
  readonly bytes: number;
  /** Bytes in the output per package (`node_modules/<name>`), or `project code` for the repository's own files. */
  readonly bytesByPackage: ReadonlyMap<string, number>;
}

function packageOf(input: string): string {
  const match = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
  return match ? match[1]! : 'project code';
}

async function bundle(outdir: string, entry: Pick<BuildOptions, 'entryPoints' | 'stdin'>): Promise<Bundle> {
  const file = path.join(outdir, 'index.mjs');
  const result = await build({ ...DEPLOYED_BUNDLE_OPTIONS, ...entry, outfile: file, metafile: true });
  return { file, bytes: (await stat(file)).size, bytesByPackage: bytesByPackage(result.metafile, file) };
}

function bytesByPackage(metafile: Metafile, file: string): Map<string, number> {
  const output = Object.entries(metafile.outputs).find(([name]) => path.resolve(PROJECT_ROOT, name) === file)?.[1];
  if (!output) throw new Error(`no output ${file} in the metafile`);
  const bytes = new Map<string, number>();
  for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
    if (bytesInOutput > 0) bytes.set(packageOf(input), (bytes.get(packageOf(input)) ?? 0) + bytesInOutput);
  }
  return bytes;
}

/** The floor's entry: imports the kept export of each package and keeps it alive, creates nothing. */
export function floorSource(packages: readonly string[]): string {
  const imports = packages.map((pkg, i) => {
    const name = FLOOR_EXPORTS[pkg];
    if (!name) throw new Error(`${pkg} is bundled but has no floor export: add it to FLOOR_EXPORTS in bench/cold-start.ts`);
    return { line: `import { ${name} as keep${i} } from '${pkg}';`, ref: `keep${i}` };
  });
  return [...imports.map((i) => i.line), `export const keep = [${imports.map((i) => i.ref).join(', ')}];`, ''].join('\n');
}

const run = promisify(execFile);

/** Milliseconds a fresh Node process takes to import `file` (the import alone, not the process start). */
async function importMs(file: string, env: Record<string, string>): Promise<number> {
  const script =
    `const t = process.hrtime.bigint(); await import(${JSON.stringify(pathToFileURL(file).href)}); ` +
    'console.log(Number(process.hrtime.bigint() - t) / 1e6);';
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
    cwd: path.dirname(file),
    // Only what Lambda would set: nothing from this shell (no emulator endpoints, no simulated clock).
    env: { PATH: process.env.PATH ?? '', ...env },
  });
  const ms = Number(stdout.trim().split('\n').at(-1));
  if (!Number.isFinite(ms)) throw new Error(`import of ${file} printed ${JSON.stringify(stdout)}`);
  return ms;
}

/** Nearest-rank percentile of `values` (p in 0..100). */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

interface Timing {
  p50: number;
  p90: number;
}

export interface ColdStartResult {
  id: string;
  entry: string;
  /** The SDK packages the bundle includes, which the floor imports. */
  sdkPackages: string[];
  bytes: number;
  floorBytes: number;
  sizeRatio: number;
  importMs: Timing;
  floorImportMs: Timing;
  timeRatio: number;
  sizePass: boolean;
  timePass: boolean;
  /** The packages with the most bytes beyond the floor's (bundle bytes minus the floor's, per package), largest first. */
  beyondFloor: { package: string; kib: number }[];
}

/**
 * Bundles every deployed function and its floor into a temporary directory and times `runs` imports of each in
 * fresh processes, alternating function and floor so that machine noise falls on both.
 */
export async function benchColdStart(runs = 21, onProgress: (line: string) => void = () => {}): Promise<ColdStartResult[]> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'cold-start-'));
  try {
    const floors = new Map<string, Bundle>();
    const results: ColdStartResult[] = [];
    for (const fn of deployedFunctions()) {
      const bundled = await bundle(path.join(dir, fn.id), { entryPoints: [path.join(PROJECT_ROOT, fn.entry)] });
      const sdkPackages = [...bundled.bytesByPackage.keys()].filter((pkg) => FLOOR_PACKAGE.test(pkg)).sort();
      const key = sdkPackages.join(' ') || '(none)';
      let floor = floors.get(key);
      if (!floor) {
        floor = await bundle(path.join(dir, `floor-${floors.size}`), {
          stdin: { contents: floorSource(sdkPackages), resolveDir: PROJECT_ROOT, sourcefile: 'floor.ts', loader: 'ts' },
        });
        floors.set(key, floor);
      }

      const env = deployedEnvironment(fn.id, fn.access);
      // One untimed import each first: the files are read once into the page cache, as on a warm Lambda host.
      await importMs(bundled.file, env);
      await importMs(floor.file, env);
      const own: number[] = [];
      const base: number[] = [];
      for (let i = 0; i < runs; i++) {
        own.push(await importMs(bundled.file, env));
        base.push(await importMs(floor.file, env));
      }
      const importTiming = { p50: percentile(own, 50), p90: percentile(own, 90) };
      const floorTiming = { p50: percentile(base, 50), p90: percentile(base, 90) };
      const beyondFloor = [...bundled.bytesByPackage]
        .map(([pkg, bytes]) => ({ package: pkg, kib: (bytes - (floor.bytesByPackage.get(pkg) ?? 0)) / 1024 }))
        .filter((p) => p.kib >= 1)
        .sort((a, b) => b.kib - a.kib)
        .slice(0, 6);
      const result: ColdStartResult = {
        id: fn.id,
        entry: fn.entry,
        sdkPackages,
        bytes: bundled.bytes,
        floorBytes: floor.bytes,
        sizeRatio: bundled.bytes / floor.bytes,
        importMs: importTiming,
        floorImportMs: floorTiming,
        timeRatio: importTiming.p50 / floorTiming.p50,
        sizePass: bundled.bytes <= COLD_START_TARGET * floor.bytes,
        timePass: importTiming.p50 <= COLD_START_TARGET * floorTiming.p50,
        beyondFloor,
      };
      results.push(result);
      onProgress(`${fn.id}: ${kib(result.bytes)} KiB, import p50 ${result.importMs.p50.toFixed(1)} ms`);
    }
    return results;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const kib = (bytes: number) => (bytes / 1024).toFixed(bytes < 10 * 1024 ? 1 : 0);
// A floor without any SDK client is an empty module: the ratio then says only "everything is overhead".
const ratio = (r: number, pass: boolean) => `${r >= 100 ? '>100' : r.toFixed(2)}x ${pass ? 'PASS' : 'MISS'}`;

/** The results as a Markdown table, then for each function what it bundles beyond its floor. */
export function formatColdStart(results: readonly ColdStartResult[], runs: number): string {
  const rows = results.map((r) =>
    [
      r.id,
      `${kib(r.bytes)} / ${kib(r.floorBytes)}`,
      ratio(r.sizeRatio, r.sizePass),
      `${r.importMs.p50.toFixed(1)} (${r.importMs.p90.toFixed(1)}) / ${r.floorImportMs.p50.toFixed(1)} (${r.floorImportMs.p90.toFixed(1)})`,
      ratio(r.timeRatio, r.timePass),
      r.sdkPackages.map((p) => p.replace('@aws-sdk/', '')).join(', ') || 'none',
    ].join(' | '),
  );
  const beyond = results.map(
    (r) => `- ${r.id}: ${r.beyondFloor.map((p) => `${p.package} ${p.kib.toFixed(0)}`).join(', ')}`,
  );
  return [
    `Cold start budget: ${runs} fresh processes per bundle, target ≤ ${COLD_START_TARGET}x the floor (same SDK clients, nothing else)`,
    '',
    '| Function | Size KiB (floor) | Size ratio | Import ms p50 (p90) / floor p50 (p90) | Time ratio | SDK packages (floor) |',
    '|---|---|---|---|---|---|',
    ...rows.map((row) => `| ${row} |`),
    '',
    'Beyond the floor (KiB in the bundle, largest packages):',
    ...beyond,
  ].join('\n');
}

const isMain = process.argv[1]?.endsWith('bench/cold-start.ts');
if (isMain) {
  const { values } = parseArgs({ options: { runs: { type: 'string', default: '21' }, json: { type: 'boolean', default: false } } });
  const runs = Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be a positive integer, not ${values.runs}`);
  const results = await benchColdStart(runs, values.json ? undefined : (line) => console.error(line));
  console.log(values.json ? JSON.stringify({ runs, target: COLD_START_TARGET, node: process.version, results }, null, 2) : formatColdStart(results, runs));
}
