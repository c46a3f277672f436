/**
 * AWS calls per use case through the real handlers (issue 8, item 2): the table `npm run bench -- use-cases`
 * prints, asserted call by call so that one more request anywhere fails CI. Runs a local stack of its own in this
 * worker (the handlers must run in this process for the SDK tap to hear them).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SERVICES, measureUseCases, type UseCaseCalls } from '../../bench/use-cases';
import { describeCalls } from '../../bench/support/tally';

let results: UseCaseCalls[] = [];
const savedEnv = { ...process.env };

beforeAll(async () => {
  results = await measureUseCases();
}, 180_000);

afterAll(() => {
  // The stack set the handlers' environment in this worker; later test files in it must not inherit it.
  for (const key of Object.keys(process.env)) if (!(key in savedEnv)) delete process.env[key];
  Object.assign(process.env, savedEnv);
});

const row = (name: string) => {
  const found = results.find((r) => r.name === name);
  if (!found) throw new Error(`no use case "${name}" among ${results.map((r) => r.name).join('; ')}`);
  return { invocations: found.invocations, ...Object.fromEntries(SERVICES.map((s) => [s, describeCalls(found.calls, s)])) };
};

const none = { s3: '–', ses: '–', scheduler: '–', sqs: '–' };

describe('calls per use case', () => {
  it('a unit: page, presign, upload recorded (receipt + head notice), state poll', () => {
    expect(row('Member page')).toEqual({ invocations: { MemberPage: 1 }, dynamodb: '3: BatchGetItem 1, Query 2', ...none });
    expect(row('Presigned upload form')).toEqual({ invocations: { CreateUpload: 1 }, dynamodb: '2: BatchGetItem 1, PutItem 1', ...none });
    expect(row('Upload recorded (presign, S3 POST, recorder, receipt and head notice)')).toEqual({
      invocations: { CreateUpload: 1, RecordUpload: 1 },
      // Presign 2 + recorder 6 (link context, submission, audit entry, receipt claimed, receipt marked sent, the
      // head's units): the claim keeps a redelivered event from emailing while this delivery does.
      dynamodb: '8: BatchGetItem 2, PutItem 3, Query 1, UpdateItem 2',
      s3: '1: GetObject 1',
      ses: '2: SendEmail 2',
      scheduler: '–',
      sqs: '–',
    });
    expect(row('Upload state (page polling)')).toEqual({ invocations: { GetUploadState: 1 }, dynamodb: '1: BatchGetItem 1', ...none });
  });

  it('reminders: choosing whom to remind costs the same reads for 4 or 30 units; each email a claim and a mark', () => {
    expect(row('Reminder run (4 units, 4 owing)')).toEqual({
      invocations: { SendReminders: 1, SendQueuedReminders: 1 },
      dynamodb: '15: GetItem 3, PutItem 4, Query 4, UpdateItem 4',
      s3: '–',
      ses: '4: SendEmail 4',
      scheduler: '–',
      sqs: '1: SendMessageBatch 1',
    });
    expect(row('Reminder run (30 units, 29 owing)')).toEqual({
      invocations: { SendReminders: 1, SendQueuedReminders: 3 },
      dynamodb: '65: GetItem 3, PutItem 29, Query 4, UpdateItem 29',
      s3: '–',
      ses: '29: SendEmail 29',
      scheduler: '–',
      sqs: '3: SendMessageBatch 3',
    });
    for (const units of [4, 30]) {
      expect(row(`Reconcile reminder schedules (${units} units, 12 milestones)`)).toEqual({
        invocations: { AdminApi: 1 },
        dynamodb: '4: GetItem 2, PutItem 1, Query 1',
        s3: '–',
        ses: '–',
        // 12 milestones x (reminders 7, 3 and 1 day before, overdue notice, digest) = 60 new schedules.
        scheduler: '61: CreateSchedule 60, ListSchedules 1',
        sqs: '–',
      });
    }
  });

  it('the head: board, scoring view and export cost the same for 4 or 30 units (API key: +1 GetItem)', () => {
    for (const units of [4, 30]) {
      expect(row(`Status board (${units} units x 12 milestones)`)).toEqual({ invocations: { AdminApi: 1 }, dynamodb: '6: GetItem 2, Query 4', ...none });
      expect(row(`Scoring view (${units} units)`)).toEqual({ invocations: { AdminApi: 1 }, dynamodb: '8: GetItem 3, Query 5', ...none });
      expect(row(`Scores export, xlsx (${units} units)`)).toEqual({ invocations: { AdminExport: 1 }, dynamodb: '8: GetItem 3, Query 5', ...none });
    }
    // Signing the download link sends nothing to S3; the browser's GET is not an SDK call.
    expect(row('Download link + S3 GET')).toEqual({ invocations: { AdminApi: 1 }, dynamodb: '2: GetItem 2', ...none });
  });

  it('never scans', () => {
    expect(results.length).toBeGreaterThanOrEqual(15);
    for (const r of results) expect(r.calls.dynamodb?.Scan ?? 0).toBe(0);
  });
});
