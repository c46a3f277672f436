/**
 * Time to send N reminders locally at a configured SES rate, with the calls each service received.
 * Usage: npm run bench -- reminders [--units 1000] [--rate 14]
 *
 * Runs against the real emulators (DynamoDB Local, SES emulator) with the production code path: one reminder run
 * (fire-time recipient selection, claim, SES send, mark, pacing). Prints a table and returns the figures.
 */
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createDynamoRepositories } from '../shared/adapters/dynamodb/repositories';
import { ensureTable } from '../shared/adapters/dynamodb/create-table';
import { SesMailer, createSesClient } from '../shared/adapters/ses/mailer';
import { MilestoneSchema, UnitSchema } from '../shared/domain/model';
import { offsetClock } from '../shared/ports/clock';
import { referenceCluster, referenceMilestones, referencePlan } from '../shared/reference/thanh-hoa-cum-5';
import { toDocumentClient } from '../shared/runtime/aws-clients';
import { runReminder } from '../shared/use-cases/reminders';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../local/emulators';
import { startLocalStack } from '../local/stack';

export interface ReminderBenchResult {
  units: number;
  rate: number;
  seconds: number;
  floorSeconds: number;
  dynamodbCalls: Record<string, number>;
  sesCalls: number;
}

export async function benchReminders(units: number, rate: number): Promise<ReminderBenchResult> {
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  const clock = offsetClock('2021-12-09T08:00:00+07:00');
  const stack = await startLocalStack({ clock });
  try {
    const calls: Record<string, number> = {};
    const client = new DynamoDBClient({ endpoint: stack.info.dynamodbEndpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
    await ensureTable(client, 'bench-reminders');
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const name = String(context.commandName);
        calls[name] = (calls[name] ?? 0) + 1;
        return next(args);
      },
      { step: 'initialize', name: 'benchCounter' },
    );
    const repos = createDynamoRepositories(toDocumentClient(client), 'bench-reminders', clock);
    const clusterId = 'bench-cum';
    await repos.clusters.createIfAbsent({ ...referenceCluster, clusterId, name: 'Cụm đo hiệu năng' });
    for (let i = 0; i < units; i++) {
      await repos.units.createIfAbsent(
        UnitSchema.parse({ clusterId, unitId: `dv-${i}`, name: `Đơn vị đo ${i} (mẫu)`, role: i === 0 ? 'cum-truong' : 'thanh-vien', emails: [`dv-${i}@bench.example.com`] }),
      );
    }
    await repos.plans.createPlanIfAbsent({ ...referencePlan, clusterId }, [MilestoneSchema.parse({ ...referenceMilestones[2], clusterId })]);
    for (const key of Object.keys(calls)) delete calls[key];

    let sesCalls = 0;
    const ses = createSesClient({ endpoint: stack.info.sesEndpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
    ses.middlewareStack.add((next) => async (args) => {
      sesCalls += 1;
      return next(args);
    }, { step: 'initialize', name: 'benchSesCounter' });
    const started = performance.now();
    const run = await runReminder(
      {
        repos,
        mailer: new SesMailer(ses, { from: 'Cụm <no-reply@bench.local>' }),
        linkKeys: { keys: async () => [{ id: 1, secret: Buffer.from('bench-secret-bench-secret-bench-secret-0') }] },
        clock,
        baseUrl: stack.info.apiUrl,
        maxSendRate: rate,
        sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
      },
      { clusterId, planId: '2021-2022', milestoneId: referenceMilestones[2]!.milestoneId, kind: 'reminder', offset: 1 },
    );
    const seconds = (performance.now() - started) / 1000;
    if (run.sent.length !== units) throw new Error(`sent ${run.sent.length} of ${units}`);
    client.destroy();
    return { units, rate, seconds, floorSeconds: units / rate, dynamodbCalls: calls, sesCalls };
  } finally {
    await stack.close();
  }
}

const isMain = process.argv[1]?.endsWith('bench/reminders.ts');
if (isMain) {
  const { values } = parseArgs({ options: { units: { type: 'string', default: '1000' }, rate: { type: 'string', default: '14' } }, allowPositionals: true });
  const result = await benchReminders(Number(values.units), Number(values.rate));
  console.log(`Reminders: ${result.units} emails at ${result.rate}/s`);
  console.log(`  time            ${result.seconds.toFixed(1)} s (floor ${result.floorSeconds.toFixed(1)} s, +${((result.seconds / result.floorSeconds - 1) * 100).toFixed(1)}%)`);
  console.log(`  SES calls       ${result.sesCalls}`);
  console.log(`  DynamoDB calls  ${Object.entries(result.dynamodbCalls).map(([k, v]) => `${k.replace('Command', '')} ${v}`).join(', ')}`);
}
