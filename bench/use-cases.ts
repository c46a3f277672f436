/**
 * AWS calls per use case, through the real handlers on the local stack, counted by the adapters' SDK tap:
 * `npm run bench -- use-cases [--json]`. `test/integration/use-case-calls.test.ts` asserts the same table, so a
 * regression fails CI.
 *
 * Two clusters of the simulated province, one of 4 units and one of 30, each with a 12-milestone plan: the use
 * cases that must cost the same whatever the number of units (status board, scoring view, export, choosing whom
 * to remind) are measured on both.
 */
import { parseArgs } from 'node:util';
import { fileLinkKeys } from '../shared/adapters/secrets/link-keys';
import type { SdkService } from '../shared/adapters/sdk-calls';
import { issueLink } from '../shared/use-cases/links';
import { minimalPdf } from '../test/support/files';
import { HeadActor, UnitActor, type Browser } from './support/actors';
import { SIM_PLAN_ID, createSimCluster, ict, type SimCluster } from './support/world';
import { startBenchStack } from './support/stack';
import { describeCalls, type Totals } from './support/tally';

export const SERVICES: readonly SdkService[] = ['dynamodb', 's3', 'ses', 'scheduler', 'sqs'];

/** Calls per service and command for one use case, and the handler invocations it took. */
export interface UseCaseCalls {
  name: string;
  calls: Totals['calls'];
  invocations: Record<string, number>;
}

function summarise(name: string, totals: Totals): UseCaseCalls {
  return {
    name,
    calls: totals.calls,
    invocations: Object.fromEntries(Object.entries(totals.invocations).map(([id, i]) => [id, i.count])),
  };
}

export async function measureUseCases(): Promise<UseCaseCalls[]> {
  process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
  const bench = await startBenchStack({ at: ict('2021-09-01', '09:00'), maxSendRate: 1000 });
  const { stack, tally, clock, repos } = bench;
  const results: UseCaseCalls[] = [];
  try {
    const small = await createSimCluster({ repos, clock }, 0, 4, 12);
    const large = await createSimCluster({ repos, clock }, 1, 30, 12);
    const browser: Browser = { apiUrl: stack.info.apiUrl, s3Requests: { put: 0, get: 0 } };
    const headOf = (c: SimCluster) => new HeadActor(browser, c.clusterId, SIM_PLAN_ID, c.apiKey);
    const token = async (c: SimCluster, unitId: string) =>
      (await issueLink({ repos, linkKeys: fileLinkKeys(stack.info.linkSecretFile), clock }, { clusterId: c.clusterId, unitId, planId: SIM_PLAN_ID }, stack.info.apiUrl)).token;
    const measure = async (name: string, run: () => Promise<void>) => {
      await stack.drainEvents();
      tally.reset();
      await run();
      await stack.drainEvents();
      await stack.sqs.drain(60_000);
      results.push(summarise(name, tally.reset()));
    };

    const unit = new UnitActor(browser, await token(large, 'don-vi-03'));
    const milestoneId = 'dang-ky-thi-dua';
    await measure('Member page', () => unit.openPage());
    let uploadId = '';
    // The presign alone: the form is asked for, nothing is sent to S3 (no object, so no recorder run).
    await measure('Presigned upload form', async () => {
      const response = await fetch(`${stack.info.apiUrl}/u/${unit.token}/uploads`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ milestoneId, fileName: 'dang-ky.pdf', contentType: 'application/pdf', size: 500 }),
      });
      if (response.status !== 201) throw new Error(`presign: ${response.status}`);
    });
    await measure('Upload recorded (presign, S3 POST, recorder, receipt and head notice)', async () => {
      uploadId = await unit.upload(milestoneId, 'dang-ky.pdf', minimalPdf('Đăng ký thi đua'));
    });
    await measure('Upload state (page polling)', async () => void (await unit.uploadState(uploadId)));

    for (const c of [small, large]) {
      const head = headOf(c);
      await measure(`Reconcile reminder schedules (${c.units.length} units, 12 milestones)`, () => head.reconcileReminders());
    }
    // A reminder run to every unit that still owes the registration (all but the one that uploaded, in the large one).
    for (const c of [small, large]) {
      const schedule = stack.scheduler
        .list()
        .find((s) => s.Name.includes('r7-') && s.Target.Input?.includes(`"clusterId":"${c.clusterId}"`) && s.Target.Input.includes(`"milestoneId":"${milestoneId}"`));
      if (!schedule) throw new Error(`no 7-day reminder schedule for ${c.clusterId}`);
      await measure(`Reminder run (${c.units.length} units, ${c === large ? c.units.length - 1 : c.units.length} owing)`, () =>
        stack.scheduler.fireNow(schedule.Name, schedule.GroupName),
      );
    }
    for (const c of [small, large]) {
      const head = headOf(c);
      await measure(`Status board (${c.units.length} units x 12 milestones)`, async () => void (await head.board()));
      await measure(`Scoring view (${c.units.length} units)`, async () => void (await head.scoring()));
      await measure(`Scores export, xlsx (${c.units.length} units)`, async () => void (await head.exportScores('xlsx')));
    }
    await measure('Download link + S3 GET', () => headOf(large).download('don-vi-03', uploadId));
    return results;
  } finally {
    await bench.close();
  }
}

export function printUseCases(results: readonly UseCaseCalls[]): void {
  console.log('AWS calls per use case (SDK middleware on the handlers\' clients; Scan must be 0 everywhere)');
  const row = (cells: readonly string[]) => console.log(`| ${cells.join(' | ')} |`);
  row(['Use case', 'Invocations', ...SERVICES]);
  row(['Use case', 'Invocations', ...SERVICES].map(() => '---'));
  for (const r of results) {
    const invocations = Object.entries(r.invocations).map(([id, n]) => `${id} ${n}`).join(', ');
    row([r.name, invocations, ...SERVICES.map((s) => describeCalls(r.calls, s))]);
  }
  const scans = results.reduce((n, r) => n + (r.calls.dynamodb?.Scan ?? 0), 0);
  console.log(`Scan calls: ${scans} (target 0: ${scans === 0 ? 'PASS' : 'MISS'})`);
}

const isMain = process.argv[1]?.endsWith('bench/use-cases.ts');
if (isMain) {
  const { values } = parseArgs({ options: { json: { type: 'boolean', default: false } }, allowPositionals: true });
  const results = await measureUseCases();
  if (values.json) console.log(JSON.stringify(results, null, 2));
  else printUseCases(results);
}
