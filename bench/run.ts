/**
 * `npm run bench`: every benchmark in turn, or only those named.
 * Usage: npm run bench [-- [cold-start] [use-cases] [http-load] [reminders] [scale]] [options of the benches named]
 *
 * Each bench runs in a process of its own (its module run as the main script), so that one's emulators or loaded
 * modules do not weigh on the next one's figures. Each option goes to the bench that declares it; naming a bench
 * and passing an option of another is an error.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs, type ParseArgsConfig } from 'node:util';

type Options = NonNullable<ParseArgsConfig['options']>;

interface Bench {
  readonly name: string;
  readonly script: string;
  /** The options its own parseArgs accepts (no defaults here: each bench keeps its own). */
  readonly options: Options;
}

const BENCHES: readonly Bench[] = [
  { name: 'cold-start', script: 'cold-start.ts', options: { runs: { type: 'string' }, json: { type: 'boolean' } } },
  { name: 'use-cases', script: 'use-cases.ts', options: { json: { type: 'boolean' } } },
  {
    name: 'http-load',
    script: 'http-load.ts',
    options: { duration: { type: 'string' }, connections: { type: 'string' }, only: { type: 'string' }, json: { type: 'boolean' } },
  },
  { name: 'reminders', script: 'reminders.ts', options: { units: { type: 'string' }, rate: { type: 'string' } } },
  {
    name: 'scale',
    script: 'scale.ts',
    options: {
      clusters: { type: 'string' },
      'units-per-cluster': { type: 'string' },
      milestones: { type: 'string' },
      concurrency: { type: 'string' },
      json: { type: 'boolean' },
    },
  },
];

/** The benches to run, each with the arguments to pass on, from this command's arguments. */
export function planBenches(args: readonly string[]): { bench: Bench; args: string[] }[] {
  const options: Options = Object.assign({}, ...BENCHES.map((b) => b.options));
  const { values, positionals } = parseArgs({ args: [...args], options, allowPositionals: true });
  const unknown = positionals.filter((name) => !BENCHES.some((b) => b.name === name));
  if (unknown.length > 0) throw new Error(`unknown bench ${unknown.join(', ')}; benches: ${BENCHES.map((b) => b.name).join(', ')}`);
  const selected = positionals.length > 0 ? BENCHES.filter((b) => positionals.includes(b.name)) : BENCHES;
  for (const name of Object.keys(values)) {
    if (!selected.some((b) => name in b.options)) {
      const owner = BENCHES.find((b) => name in b.options)!;
      throw new Error(`--${name} is an option of ${owner.name}, which is not selected`);
    }
  }
  return selected.map((bench) => ({
    bench,
    args: Object.entries(values)
      .filter(([name]) => name in bench.options)
      .flatMap(([name, value]) => (value === true ? [`--${name}`] : value === false ? [] : [`--${name}`, String(value)])),
  }));
}

const USAGE = `Usage: npm run bench [-- [${BENCHES.map((b) => b.name).join('] [')}]] [options]
  cold-start  --runs 21, --json
  use-cases   --json
  http-load   --duration 20, --connections 50, --only member-page|presign|board, --json
  reminders   --units 3000, --rate 14
  scale       --clusters 10, --units-per-cluster 30, --milestones 12, --concurrency 8, --json`;

function runBench(bench: Bench, args: readonly string[]): Promise<number> {
  const script = fileURLToPath(new URL(bench.script, import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { stdio: 'inherit' });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

const isMain = process.argv[1]?.endsWith('bench/run.ts');
if (isMain) {
  let plan: ReturnType<typeof planBenches>;
  try {
    plan = planBenches(process.argv.slice(2));
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    process.exit(2);
  }
  for (const { bench, args } of plan) {
    // On stderr, so that `-- cold-start --json` prints nothing but JSON on stdout.
    console.error(`\n== ${bench.name} ${args.join(' ')}`.trimEnd());
    const code = await runBench(bench, args);
    if (code !== 0) {
      console.error(`${bench.name} failed (exit code ${code})`);
      process.exit(code);
    }
  }
}
