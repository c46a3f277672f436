/**
 * The operator CLI: `npm run cli -- <verb> [args] [--json]`.
 *
 * Talks to the local stack (.local/stack.json, written by `npm start`) by default. With CTD_TARGET=aws it talks to
 * AWS instead, using the standard AWS credential chain and TABLE_NAME (the table name from the stateful stack's
 * outputs); see README "Operator CLI".
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { toDocumentClient } from '../shared/runtime/aws-clients';
import { createDynamoRepositories } from '../shared/adapters/dynamodb/repositories';
import { describeDue } from '../shared/domain/deadlines';
import { DomainError } from '../shared/domain/errors';
import { MILESTONE_KIND_LABELS, UNIT_ROLE_LABELS, type Plan } from '../shared/domain/model';
import { ictDateOf, parseInstantIct, schoolYearOf } from '../shared/domain/time';
import { offsetClock, systemClock, type Clock } from '../shared/ports/clock';
import type { Repositories } from '../shared/ports/repositories';
import { getPlan, listClusters, listPlans, listUnits } from '../shared/use-cases/read-cluster';
import { LOCAL_CREDENTIALS } from './emulators';
import type { StackInfo } from './stack';
import { formatTable } from './table-format';

const USAGE = `Usage: npm run cli -- <verb> [arguments] [--json]

Verbs:
  clusters                                 every cluster of the deployment
  units <clusterId>                        a cluster's units, roles and emails
  plans <clusterId>                        a cluster's plans (one per school year)
  milestones <clusterId> [--plan <planId>] a plan's milestones (default: the current school year's plan)

Options:
  --json     print JSON instead of a table
  --help     this text

Target: the local stack (npm start) by default; CTD_TARGET=aws TABLE_NAME=<table> for AWS.
Time: NOW=<ISO 8601> to act at a simulated instant (default: the local stack's clock).`;

export class UsageError extends Error {
  override name = 'UsageError';
}

interface Target {
  repos: Repositories;
  clock: Clock;
  close(): void;
}

function readStackInfo(env: NodeJS.ProcessEnv): StackInfo {
  const file = resolve(env.CTD_STACK_FILE ?? '.local/stack.json');
  if (!existsSync(file)) throw new UsageError('The local stack is not running (no .local/stack.json). Start it with: npm start');
  return JSON.parse(readFileSync(file, 'utf8')) as StackInfo;
}

function connect(env: NodeJS.ProcessEnv): Target {
  let clock: Clock = systemClock;
  let client: DynamoDBClient;
  let tableName: string;
  if (env.CTD_TARGET === 'aws') {
    if (!env.TABLE_NAME) throw new UsageError('CTD_TARGET=aws needs TABLE_NAME (the table name from the stateful stack outputs).');
    client = new DynamoDBClient({});
    tableName = env.TABLE_NAME;
  } else {
    const info = readStackInfo(env);
    client = new DynamoDBClient({ endpoint: info.dynamodbEndpoint, region: info.region, credentials: LOCAL_CREDENTIALS });
    tableName = info.tableName;
    if (info.clock) clock = offsetClock(info.clock.start, info.clock.startedAt);
  }
  if (env.NOW) {
    const now = parseInstantIct(env.NOW);
    if (!now) throw new UsageError(`NOW="${env.NOW}" is not an ISO 8601 time, e.g. 2021-12-09T08:00:00+07:00`);
    clock = offsetClock(now);
  }
  return { repos: createDynamoRepositories(toDocumentClient(client), tableName, clock), clock, close: () => client.destroy() };
}

/** The plan for the school year containing "now", else the most recent one. */
function currentPlan(plans: Plan[], clock: Clock): Plan | undefined {
  const year = schoolYearOf(ictDateOf(clock.now())).startYear;
  return plans.find((p) => p.schoolYear.startYear === year) ?? plans[0];
}

function requireArg(value: string | undefined, name: string): string {
  if (!value) throw new UsageError(`Missing <${name}>.\n\n${USAGE}`);
  return value;
}

/** Runs one CLI invocation and returns what to print. */
export async function runCli(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { json: { type: 'boolean', default: false }, plan: { type: 'string' }, help: { type: 'boolean', default: false } },
  });
  const [verb, ...args] = positionals;
  if (values.help || !verb) return USAGE;
  const known = ['clusters', 'units', 'plans', 'milestones'];
  if (!known.includes(verb)) throw new UsageError(`Unknown verb "${verb}".\n\n${USAGE}`);

  const target = connect(env);
  const out = (data: unknown, table: () => string): string => (values.json ? JSON.stringify(data, null, 2) : table());
  try {
    switch (verb) {
      case 'clusters': {
        const clusters = await listClusters(target.repos);
        return out(clusters, () =>
          formatTable(clusters, [
            ['Mã cụm', (c) => c.clusterId],
            ['Tên', (c) => c.name],
            ['Công đoàn tỉnh', (c) => c.province.name],
          ]),
        );
      }
      case 'units': {
        const { units } = await listUnits(target.repos, requireArg(args[0], 'clusterId'));
        return out(units, () =>
          formatTable(units, [
            ['Mã đơn vị', (u) => u.unitId],
            ['Vai trò', (u) => UNIT_ROLE_LABELS[u.role]],
            ['Tên', (u) => u.name],
            ['Email', (u) => u.emails.join(', ')],
          ]),
        );
      }
      case 'plans': {
        const { plans } = await listPlans(target.repos, requireArg(args[0], 'clusterId'));
        return out(plans, () =>
          formatTable(plans, [
            ['Mã', (p) => p.planId],
            ['Tên kế hoạch', (p) => p.title],
            ['Nhân bản từ', (p) => p.clonedFrom ?? ''],
          ]),
        );
      }
      default: {
        const clusterId = requireArg(args[0], 'clusterId');
        let planId = values.plan;
        if (!planId) {
          const plan = currentPlan((await listPlans(target.repos, clusterId)).plans, target.clock);
          if (!plan) throw new UsageError(`Cluster "${clusterId}" has no plan yet.`);
          planId = plan.planId;
        }
        const view = await getPlan(target.repos, clusterId, planId);
        return out(view, () =>
          `${view.plan.title}\n\n` +
          formatTable(view.milestones, [
            ['#', (m) => String(m.order)],
            ['Mã mốc', (m) => m.milestoneId],
            ['Loại', (m) => MILESTONE_KIND_LABELS[m.kind]],
            ['Thời hạn', (m) => describeDue(m, view.plan)],
            ['Nội dung', (m) => m.title],
          ]),
        );
      }
    }
  } finally {
    target.close();
  }
}

const isMain = process.argv[1] && resolve(process.argv[1]) === resolve(new URL(import.meta.url).pathname);
if (isMain) {
  runCli(process.argv.slice(2))
    .then((text) => console.log(text))
    .catch((error: unknown) => {
      if (error instanceof UsageError) console.error(error.message);
      else if (error instanceof DomainError) console.error(error.messageVi);
      else if (error instanceof Error && /ECONNREFUSED/.test(String((error as { cause?: unknown }).cause ?? error.message)))
        console.error('Cannot reach the local stack. Is `npm start` running?');
      else console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    });
}
