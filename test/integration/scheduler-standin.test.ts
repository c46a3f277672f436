// The real @aws-sdk/client-scheduler against the local EventBridge Scheduler stand-in (port 0, no other emulators).
import { describe, it, expect } from 'vitest';
import {
  SchedulerClient,
  CreateScheduleCommand,
  GetScheduleCommand,
  UpdateScheduleCommand,
  DeleteScheduleCommand,
  ListSchedulesCommand,
  CreateScheduleGroupCommand,
  GetScheduleGroupCommand,
  DeleteScheduleGroupCommand,
  type CreateScheduleCommandInput,
} from '@aws-sdk/client-scheduler';
import { startSchedulerStandin, zonedTimeToUtc, type SchedulerStandinOptions, type StoredSchedule } from '../../local/scheduler-standin.js';

const FN = 'arn:aws:lambda:ap-southeast-1:123456789012:function:nhac-han';
const ROLE = 'arn:aws:iam::123456789012:role/scheduler-invoke';

type Invocation = { arn: string; input?: string; roleArn: string; name: string };

/** Starts a stand-in plus a client on it, runs `body`, and always closes the stand-in. */
async function withStandin(
  body: (ctx: { client: SchedulerClient; standin: Awaited<ReturnType<typeof startSchedulerStandin>>; calls: Invocation[] }) => Promise<void>,
  opts: Partial<SchedulerStandinOptions> = {},
): Promise<void> {
  const calls: Invocation[] = [];
  const standin = await startSchedulerStandin({
    pollMs: 10,
    invoke: async (t, s: StoredSchedule) => {
      calls.push({ ...t, name: s.Name });
    },
    ...opts,
  });
  const client = new SchedulerClient({
    endpoint: standin.url,
    region: 'ap-southeast-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  try {
    await body({ client, standin, calls });
  } finally {
    client.destroy();
    await standin.close();
  }
}

function input(name: string, extra: Partial<CreateScheduleCommandInput> = {}): CreateScheduleCommandInput {
  return {
    Name: name,
    ScheduleExpression: 'at(2021-12-09T08:00:00)',
    ScheduleExpressionTimezone: 'Asia/Ho_Chi_Minh',
    FlexibleTimeWindow: { Mode: 'OFF' },
    Target: { Arn: FN, RoleArn: ROLE, Input: JSON.stringify({ kind: 'reminder', name }) },
    ...extra,
  };
}

/** The error a promise rejects with (fails the test if it resolves). */
async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected the call to fail');
}

async function waitUntil(cond: () => boolean, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting for condition');
    await new Promise((r) => setTimeout(r, 5));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('scheduler stand-in: API through the real SDK', () => {
  it('creates, gets, updates, lists and deletes a schedule', () =>
    withStandin(async ({ client }) => {
      const created = await client.send(new CreateScheduleCommand(input('hop-cum', { Description: 'Họp cụm', ActionAfterCompletion: 'NONE' })));
      expect(created.ScheduleArn).toBe('arn:aws:scheduler:ap-southeast-1:123456789012:schedule/default/hop-cum');

      const got = await client.send(new GetScheduleCommand({ Name: 'hop-cum' }));
      expect(got).toMatchObject({
        Name: 'hop-cum',
        GroupName: 'default',
        Arn: created.ScheduleArn,
        ScheduleExpression: 'at(2021-12-09T08:00:00)',
        ScheduleExpressionTimezone: 'Asia/Ho_Chi_Minh',
        State: 'ENABLED',
        Description: 'Họp cụm',
        ActionAfterCompletion: 'NONE',
        FlexibleTimeWindow: { Mode: 'OFF' },
        Target: { Arn: FN, RoleArn: ROLE, Input: '{"kind":"reminder","name":"hop-cum"}' },
      });
      expect(got.CreationDate).toBeInstanceOf(Date);

      await client.send(new UpdateScheduleCommand({ ...input('hop-cum'), ScheduleExpression: 'at(2021-12-10T09:30:00)', State: 'DISABLED' }));
      const updated = await client.send(new GetScheduleCommand({ Name: 'hop-cum', GroupName: 'default' }));
      expect(updated.ScheduleExpression).toBe('at(2021-12-10T09:30:00)');
      expect(updated.State).toBe('DISABLED');
      expect(updated.Description).toBeUndefined(); // Update replaces the whole definition, like the real API

      const listed = await client.send(new ListSchedulesCommand({}));
      expect(listed.Schedules?.map((s) => [s.Name, s.GroupName, s.State, s.Target?.Arn])).toEqual([['hop-cum', 'default', 'DISABLED', FN]]);

      await client.send(new DeleteScheduleCommand({ Name: 'hop-cum' }));
      expect((await client.send(new ListSchedulesCommand({}))).Schedules).toEqual([]);
    }));

  it('maps errors to the modeled exceptions', () =>
    withStandin(async ({ client }) => {
      await client.send(new CreateScheduleCommand(input('trung')));
      expect((await rejection(client.send(new CreateScheduleCommand(input('trung'))))).name).toBe('ConflictException');
      expect((await rejection(client.send(new GetScheduleCommand({ Name: 'khong-co' })))).name).toBe('ResourceNotFoundException');
      expect((await rejection(client.send(new DeleteScheduleCommand({ Name: 'khong-co' })))).name).toBe('ResourceNotFoundException');
      expect((await rejection(client.send(new UpdateScheduleCommand(input('khong-co'))))).name).toBe('ResourceNotFoundException');
      // Same name in another group is not a conflict, but the group must exist first.
      expect((await rejection(client.send(new CreateScheduleCommand(input('trung', { GroupName: 'nhac-han' })))))
        .name).toBe('ResourceNotFoundException');

      const bad = await rejection(client.send(new CreateScheduleCommand(input('sai', { ScheduleExpression: 'at(2021-13-40T08:00:00)' }))));
      expect(bad.name).toBe('ValidationException');
      expect(bad.message).toContain('2021-13-40');
      expect((await rejection(client.send(new CreateScheduleCommand(input('sai', { ScheduleExpression: 'every day' })))))
        .name).toBe('ValidationException');
      expect((await rejection(client.send(new CreateScheduleCommand(input('sai', { ScheduleExpressionTimezone: 'Mars/Olympus' })))))
        .name).toBe('ValidationException');
      const noTarget = { ...input('sai'), Target: undefined } as unknown as CreateScheduleCommandInput;
      expect((await rejection(client.send(new CreateScheduleCommand(noTarget)))).name).toBe('ValidationException');
      // rate()/cron() are accepted (stored, never fired).
      await client.send(new CreateScheduleCommand(input('dinh-ky', { ScheduleExpression: 'cron(0 8 * * ? *)' })));
    }));

  it('manages schedule groups and filters/paginates ListSchedules', () =>
    withStandin(async ({ client }) => {
      const group = await client.send(new CreateScheduleGroupCommand({ Name: 'nhac-han' }));
      expect(group.ScheduleGroupArn).toBe('arn:aws:scheduler:ap-southeast-1:123456789012:schedule-group/nhac-han');
      expect((await client.send(new GetScheduleGroupCommand({ Name: 'nhac-han' }))).State).toBe('ACTIVE');
      expect((await rejection(client.send(new CreateScheduleGroupCommand({ Name: 'nhac-han' })))).name).toBe('ConflictException');
      expect((await rejection(client.send(new GetScheduleGroupCommand({ Name: 'khong-co' })))).name).toBe('ResourceNotFoundException');

      for (const n of ['bc-1', 'bc-2', 'bc-3', 'bc-4', 'bc-5']) await client.send(new CreateScheduleCommand(input(n, { GroupName: 'nhac-han' })));
      await client.send(new CreateScheduleCommand(input('bc-1'))); // same name, default group
      await client.send(new CreateScheduleCommand(input('khac', { GroupName: 'nhac-han' })));

      const pages: string[][] = [];
      let NextToken: string | undefined;
      do {
        const page = await client.send(new ListSchedulesCommand({ GroupName: 'nhac-han', NamePrefix: 'bc-', MaxResults: 2, NextToken }));
        pages.push((page.Schedules ?? []).map((s) => `${s.GroupName}/${s.Name}`));
        NextToken = page.NextToken;
      } while (NextToken);
      expect(pages).toEqual([['nhac-han/bc-1', 'nhac-han/bc-2'], ['nhac-han/bc-3', 'nhac-han/bc-4'], ['nhac-han/bc-5']]);

      const inDefault = await client.send(new ListSchedulesCommand({ GroupName: 'default' }));
      expect(inDefault.Schedules?.map((s) => s.Name)).toEqual(['bc-1']);
      expect((await client.send(new GetScheduleCommand({ Name: 'khac', GroupName: 'nhac-han' }))).GroupName).toBe('nhac-han');
      expect((await rejection(client.send(new GetScheduleCommand({ Name: 'khac' })))).name).toBe('ResourceNotFoundException');

      await client.send(new DeleteScheduleGroupCommand({ Name: 'nhac-han' }));
      expect((await client.send(new ListSchedulesCommand({}))).Schedules?.map((s) => s.Name)).toEqual(['bc-1']);
      expect((await rejection(client.send(new DeleteScheduleGroupCommand({ Name: 'default' })))).name).toBe('ValidationException');
    }));
});

describe('scheduler stand-in: firing', () => {
  it('converts at() wall-clock times in any IANA zone to UTC', () => {
    expect(zonedTimeToUtc('2021-12-09T08:00:00', 'Asia/Ho_Chi_Minh').toISOString()).toBe('2021-12-09T01:00:00.000Z');
    expect(zonedTimeToUtc('2021-12-09T08:00:00', 'UTC').toISOString()).toBe('2021-12-09T08:00:00.000Z');
    // Across a DST boundary: New York is UTC-4 in July, UTC-5 in December.
    expect(zonedTimeToUtc('2021-07-01T12:00:00', 'America/New_York').toISOString()).toBe('2021-07-01T16:00:00.000Z');
    expect(zonedTimeToUtc('2021-11-08T12:00:00', 'America/New_York').toISOString()).toBe('2021-11-08T17:00:00.000Z');
  });

  it('fires an Asia/Ho_Chi_Minh at() schedule only once the clock reaches it, and only once', async () => {
    let now = new Date('2021-12-09T00:59:59Z');
    await withStandin(
      async ({ client, calls }) => {
        // A control schedule due one minute earlier proves the poller ran at 00:59:59Z.
        await client.send(new CreateScheduleCommand(input('truoc', { ScheduleExpression: 'at(2021-12-09T07:59:00)' })));
        await client.send(new CreateScheduleCommand(input('hop-cum')));
        await waitUntil(() => calls.some((c) => c.name === 'truoc'));
        await sleep(50); // several more poll ticks
        expect(calls.map((c) => c.name)).toEqual(['truoc']);

        now = new Date('2021-12-09T01:00:00Z');
        await waitUntil(() => calls.some((c) => c.name === 'hop-cum'));
        expect(calls[1]).toEqual({ arn: FN, roleArn: ROLE, input: '{"kind":"reminder","name":"hop-cum"}', name: 'hop-cum' });

        now = new Date('2021-12-09T02:00:00Z');
        await sleep(50);
        expect(calls).toHaveLength(2); // never twice
        // Without ActionAfterCompletion the schedule is kept, marked as fired.
        expect((await client.send(new GetScheduleCommand({ Name: 'hop-cum' }))).Name).toBe('hop-cum');
      },
      { clock: { now: () => now } },
    );
  });

  it('does not fire DISABLED schedules', async () => {
    await withStandin(
      async ({ client, calls }) => {
        await client.send(new CreateScheduleCommand(input('tat', { State: 'DISABLED' })));
        await client.send(new CreateScheduleCommand(input('bat')));
        await waitUntil(() => calls.length > 0);
        await sleep(50);
        expect(calls.map((c) => c.name)).toEqual(['bat']);
      },
      { clock: { now: () => new Date('2022-01-01T00:00:00Z') } },
    );
  });

  it('deletes the schedule after firing when ActionAfterCompletion is DELETE', async () => {
    await withStandin(
      async ({ client, calls, standin }) => {
        await client.send(new CreateScheduleCommand(input('mot-lan', { ActionAfterCompletion: 'DELETE' })));
        expect(standin.list().map((s) => s.Name)).toEqual(['mot-lan']);
        await waitUntil(() => calls.length === 1 && standin.list().length === 0);
        expect((await rejection(client.send(new GetScheduleCommand({ Name: 'mot-lan' })))).name).toBe('ResourceNotFoundException');
      },
      { clock: { now: () => new Date('2021-12-09T01:00:00Z') } },
    );
  });

  it('retries a failing invoke per RetryPolicy, then dead-letters it', async () => {
    const attempts: string[] = [];
    await withStandin(
      async ({ client, standin }) => {
        await client.send(new CreateScheduleCommand(input('hong', {
          Target: {
            Arn: FN, RoleArn: ROLE, Input: '{}',
            RetryPolicy: { MaximumRetryAttempts: 2 },
            DeadLetterConfig: { Arn: 'arn:aws:sqs:ap-southeast-1:123456789012:scheduler-dlq' },
          },
        })));
        await client.send(new CreateScheduleCommand(input('chap-chon', { Target: { Arn: FN, RoleArn: ROLE, RetryPolicy: { MaximumRetryAttempts: 3 } } })));
        // fireNow ignores the (future) fire time and resolves once retries are over.
        await standin.fireNow('hong');
        await standin.fireNow('chap-chon', 'default');
        expect(attempts).toEqual(['hong', 'hong', 'hong', 'chap-chon', 'chap-chon']);
        expect(standin.deadLetters).toEqual([expect.objectContaining({
          name: 'hong',
          groupName: 'default',
          targetArn: FN,
          deadLetterArn: 'arn:aws:sqs:ap-southeast-1:123456789012:scheduler-dlq',
          attempts: 3,
          error: 'Lambda down',
        })]);
        expect(standin.list().every((s) => s.firedAt instanceof Date)).toBe(true);
        await expect(standin.fireNow('khong-co')).rejects.toThrow('does not exist');
      },
      {
        clock: { now: () => new Date('2021-01-01T00:00:00Z') }, // long before the schedules are due
        retryDelayMs: 1,
        invoke: async (_t, s) => {
          attempts.push(s.Name);
          // 'hong' always fails; 'chap-chon' fails once, then succeeds.
          if (s.Name === 'hong' || attempts.filter((n) => n === s.Name).length === 1) throw new Error('Lambda down');
        },
      },
    );
  });
});
