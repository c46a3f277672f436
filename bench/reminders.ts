/**
 * Reminder fan-out: N units that all owe a document, one reminder schedule firing, at a configured SES rate.
 * Usage: npm run bench -- reminders [--units 3000] [--rate 14]
 *
 * The deployed path on the local stack: the Scheduler stand-in fires the schedule, SendReminders chooses whom to
 * remind and queues the emails, the SQS stand-in feeds SendQueuedReminders (batches of 10, one consumer, as
 * SENDER_CONCURRENCY=1), which claims, sends at MAX_SEND_RATE and marks each email. Timed from the firing to the
 * queue drained; the SES emulator's mailbox is then read to check exactly one email per unit.
 */
import { parseArgs } from 'node:util';
import { HeadActor } from './support/actors';
import { SIM_PLAN_ID, createSimCluster, ict } from './support/world';
import { startBenchStack } from './support/stack';
import { callCount, describeCalls } from './support/tally';

export interface ReminderBenchResult {
  units: number;
  rate: number;
  seconds: number;
  floorSeconds: number;
  /** Units that received exactly one reminder / none / more than one. */
  exactlyOnce: number;
  missing: number;
  duplicated: number;
  sesCalls: number;
  dynamodb: string;
  sqs: string;
  invocations: Record<string, number>;
}

export async function benchReminders(units: number, rate: number): Promise<ReminderBenchResult> {
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  const bench = await startBenchStack({ at: ict('2021-09-01', '09:00'), maxSendRate: rate });
  const { stack, tally } = bench;
  try {
    const cluster = await createSimCluster(bench, 0, units, 1);
    await new HeadActor({ apiUrl: stack.info.apiUrl, s3Requests: { put: 0, get: 0 } }, cluster.clusterId, SIM_PLAN_ID, cluster.apiKey).reconcileReminders();
    const schedule = stack.scheduler.list().find((s) => s.Name.includes('r7-') && s.Target.Input?.includes(`"clusterId":"${cluster.clusterId}"`));
    if (!schedule) throw new Error('no 7-day reminder schedule');
    const since = Math.floor(Date.now() / 1000);
    tally.reset();

    const began = performance.now();
    await stack.scheduler.fireNow(schedule.Name, schedule.GroupName);
    await stack.sqs.drain(3_600_000);
    const seconds = (performance.now() - began) / 1000;
    const totals = tally.reset();

    const { emails } = (await (await fetch(`${stack.info.mailboxUrl}/store?since=${since}`)).json()) as { emails: Array<{ destination: { to: string[] } }> };
    const received = new Map<string, number>();
    for (const e of emails) for (const to of e.destination.to) received.set(to, (received.get(to) ?? 0) + 1);
    const counts = cluster.units.map((u) => received.get(u.emails[0]!) ?? 0);
    return {
      units,
      rate,
      seconds,
      floorSeconds: units / rate,
      exactlyOnce: counts.filter((n) => n === 1).length,
      missing: counts.filter((n) => n === 0).length,
      duplicated: counts.filter((n) => n > 1).length,
      sesCalls: callCount(totals, 'ses', 'SendEmail'),
      dynamodb: describeCalls(totals.calls, 'dynamodb'),
      sqs: describeCalls(totals.calls, 'sqs'),
      invocations: Object.fromEntries(Object.entries(totals.invocations).map(([id, i]) => [id, i.count])),
    };
  } finally {
    await bench.close();
  }
}

export function printReminders(r: ReminderBenchResult): void {
  const over = (r.seconds / r.floorSeconds - 1) * 100;
  console.log(`Reminders: ${r.units} due reminders at ${r.rate}/s, through Scheduler -> SendReminders -> SQS -> SendQueuedReminders -> SES`);
  console.log(`  time            ${r.seconds.toFixed(1)} s (floor ${r.floorSeconds.toFixed(1)} s, ${over >= 0 ? '+' : ''}${over.toFixed(1)}%): ${Math.abs(over) <= 5 ? 'PASS' : 'MISS'} (target within 5%)`);
  console.log(`  emails          ${r.exactlyOnce} units exactly once, ${r.missing} none, ${r.duplicated} more than once: ${r.exactlyOnce === r.units ? 'PASS' : 'MISS'}`);
  console.log(`  SES calls       ${r.sesCalls}`);
  console.log(`  DynamoDB calls  ${r.dynamodb}`);
  console.log(`  SQS calls       ${r.sqs}`);
  console.log(`  invocations     ${Object.entries(r.invocations).map(([id, n]) => `${id} ${n}`).join(', ')}`);
}

const isMain = process.argv[1]?.endsWith('bench/reminders.ts');
if (isMain) {
  const { values } = parseArgs({ options: { units: { type: 'string', default: '3000' }, rate: { type: 'string', default: '14' } }, allowPositionals: true });
  printReminders(await benchReminders(Number(values.units), Number(values.rate)));
}
