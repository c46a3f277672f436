// The real @aws-sdk/client-sqs against the local SQS stand-in (port 0, no other emulators), and its Lambda-style
// delivery to consumers: batching, concurrency 1, partial failures, retries, dead-lettering and drain().
import { createHash } from 'node:crypto';
import { describe, it, expect } from 'vitest';
import {
  SQSClient,
  CreateQueueCommand,
  GetQueueUrlCommand,
  GetQueueAttributesCommand,
  SendMessageCommand,
  SendMessageBatchCommand,
  ReceiveMessageCommand,
  QueueDoesNotExist,
  TooManyEntriesInBatchRequest,
  type QueueAttributeName,
} from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { fixedClock } from '../../shared/ports/clock.js';
import { startSqsStandin, type SqsStandin, type SqsStandinOptions } from '../../local/sqs-standin.js';

type Ctx = { client: SQSClient; standin: SqsStandin };
/** The emulators' dummy credentials: the stand-in ignores signatures, but the SDK insists on signing. */
const CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

/** Starts a stand-in plus a client on it, runs `body`, and always closes both. */
async function withStandin(opts: SqsStandinOptions, body: (ctx: Ctx) => Promise<void>): Promise<void> {
  const standin = await startSqsStandin({ pollMs: 10, ...opts });
  const client = new SQSClient({
    endpoint: standin.url,
    region: 'ap-southeast-1',
    credentials: CREDENTIALS,
  });
  try {
    await body({ client, standin });
  } finally {
    client.destroy();
    await standin.close();
  }
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

async function waitUntil(cond: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting for condition');
    await new Promise((r) => setTimeout(r, 5));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const md5 = (s: string) => createHash('md5').update(s, 'utf8').digest('hex');

async function attributes(client: SQSClient, url: string, names: QueueAttributeName[]) {
  return (await client.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: names }))).Attributes ?? {};
}

describe('sqs stand-in: API through the real SDK', () => {
  it('creates a queue idempotently and finds its URL', () =>
    withStandin({}, async ({ client, standin }) => {
      const created = await client.send(new CreateQueueCommand({ QueueName: 'orders', Attributes: { VisibilityTimeout: '20' } }));
      expect(created.QueueUrl).toBe(`http://127.0.0.1:${standin.port}/000000000000/orders`);
      expect(standin.queueUrl('orders')).toBe(created.QueueUrl);
      expect(standin.port).toBeGreaterThan(0);

      const again = await client.send(new CreateQueueCommand({ QueueName: 'orders', Attributes: { VisibilityTimeout: '20' } }));
      expect(again.QueueUrl).toBe(created.QueueUrl);
      const found = await client.send(new GetQueueUrlCommand({ QueueName: 'orders' }));
      expect(found.QueueUrl).toBe(created.QueueUrl);
      expect(await attributes(client, created.QueueUrl!, ['QueueArn', 'VisibilityTimeout'])).toEqual({
        QueueArn: 'arn:aws:sqs:ap-southeast-1:000000000000:orders',
        VisibilityTimeout: '20',
      });

      const clash = await rejection(client.send(new CreateQueueCommand({ QueueName: 'orders', Attributes: { VisibilityTimeout: '5' } })));
      expect(clash.name).toBe('QueueNameExists');

      const missing = await rejection(client.send(new GetQueueUrlCommand({ QueueName: 'nope' })));
      expect(missing.name).toBe('QueueDoesNotExist');
      expect(missing).toBeInstanceOf(QueueDoesNotExist);
      // The query-compatible fields legacy code reads, from the x-amzn-query-error header.
      expect(missing).toMatchObject({ Code: 'AWS.SimpleQueueService.NonExistentQueue', Type: 'Sender', $fault: 'client' });
      const sendMissing = await rejection(client.send(new SendMessageCommand({ QueueUrl: standin.queueUrl('nope'), MessageBody: 'x' })));
      expect(sendMissing).toBeInstanceOf(QueueDoesNotExist);

      // Receiving is the event source mapping's job here, not the app's.
      const receive = await rejection(client.send(new ReceiveMessageCommand({ QueueUrl: created.QueueUrl })));
      expect(receive.name).toBe('UnsupportedOperation');
    }));

  it('reports depth through GetQueueAttributes: visible, in flight and delayed', async () => {
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    let calls = 0;
    await withStandin(
      {
        queues: ['parked'],
        consumers: {
          busy: {
            handler: async () => {
              calls++;
              await released;
            },
          },
        },
      },
      async ({ client, standin }) => {
        const parked = standin.queueUrl('parked');
        for (const body of ['a', 'b', 'c']) await client.send(new SendMessageCommand({ QueueUrl: parked, MessageBody: body }));
        await client.send(new SendMessageCommand({ QueueUrl: parked, MessageBody: 'later', DelaySeconds: 900 }));
        const depthNames: QueueAttributeName[] = [
          'ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed',
        ];
        expect(await attributes(client, parked, depthNames)).toEqual({
          ApproximateNumberOfMessages: '3', ApproximateNumberOfMessagesNotVisible: '0', ApproximateNumberOfMessagesDelayed: '1',
        });
        expect(standin.depth('parked')).toBe(4);

        const busy = standin.queueUrl('busy');
        await client.send(new SendMessageBatchCommand({
          QueueUrl: busy, Entries: [{ Id: '1', MessageBody: 'x' }, { Id: '2', MessageBody: 'y' }],
        }));
        await waitUntil(() => calls === 1);
        expect(await attributes(client, busy, depthNames)).toEqual({
          ApproximateNumberOfMessages: '0', ApproximateNumberOfMessagesNotVisible: '2', ApproximateNumberOfMessagesDelayed: '0',
        });
        release();
        await standin.drain(2000);
        expect(await attributes(client, busy, ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'])).toEqual({
          ApproximateNumberOfMessages: '0', ApproximateNumberOfMessagesNotVisible: '0',
        });

        const unknownName = ['Nope' as QueueAttributeName];
        const bad = await rejection(client.send(new GetQueueAttributesCommand({ QueueUrl: busy, AttributeNames: unknownName })));
        expect(bad.name).toBe('InvalidAttributeName');
      },
    );
  });

  it('rejects a batch of more than 10 entries with the modeled exception, and sends none of it', () =>
    withStandin({ queues: ['q'] }, async ({ client, standin }) => {
      const url = standin.queueUrl('q');
      const entries = Array.from({ length: 11 }, (_, i) => ({ Id: `m${i}`, MessageBody: `body ${i}` }));
      const err = await rejection(client.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: entries })));
      expect(err.name).toBe('TooManyEntriesInBatchRequest');
      expect(err).toBeInstanceOf(TooManyEntriesInBatchRequest);
      expect(standin.depth('q')).toBe(0);

      expect((await rejection(client.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: [] })))).name).toBe('EmptyBatchRequest');
      const twice = [{ Id: 'a', MessageBody: '1' }, { Id: 'a', MessageBody: '2' }];
      const notDistinct = await rejection(client.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: twice })));
      expect(notDistinct.name).toBe('BatchEntryIdsNotDistinct');
      expect(standin.depth('q')).toBe(0);
    }));

  it('answers a batch per entry: Successful with MD5s, Failed with code and SenderFault', () =>
    withStandin({ queues: ['q'] }, async ({ client, standin }) => {
      const out = await client.send(new SendMessageBatchCommand({
        QueueUrl: standin.queueUrl('q'),
        Entries: [
          { Id: 'ok1', MessageBody: 'first' },
          { Id: 'empty', MessageBody: '' },
          { Id: 'badattr', MessageBody: 'x', MessageAttributes: { n: { DataType: 'Number', StringValue: 'abc' } } },
          { Id: 'ok2', MessageBody: 'second' },
        ],
      }));
      expect(out.Successful?.map((s) => s.Id)).toEqual(['ok1', 'ok2']);
      expect(out.Successful?.[0]?.MD5OfMessageBody).toBe(md5('first'));
      expect(out.Successful?.[0]?.MessageId).toMatch(/^[0-9a-f-]{36}$/);
      expect(out.Failed).toEqual([
        { Id: 'empty', SenderFault: true, Code: 'MissingParameter', Message: expect.any(String) },
        { Id: 'badattr', SenderFault: true, Code: 'InvalidParameterValue', Message: expect.any(String) },
      ]);
      expect(standin.depth('q')).toBe(2);
    }));
});

describe('sqs stand-in: Lambda event source mapping', () => {
  it('delivers a sent message as a proper SQSEvent', async () => {
    const events: SQSEvent[] = [];
    const sentAt = '2021-12-09T01:00:00.000Z';
    await withStandin(
      { clock: fixedClock(sentAt), consumers: { mail: { handler: async (e) => void events.push(e) } } },
      async ({ client, standin }) => {
        const sent = await client.send(new SendMessageCommand({
          QueueUrl: standin.queueUrl('mail'),
          MessageBody: '{"hello":"Cụm Thi đua"}',
          MessageAttributes: {
            kind: { DataType: 'String', StringValue: 'reminder' },
            blob: { DataType: 'Binary', BinaryValue: new Uint8Array([1, 2, 3]) },
          },
          MessageGroupId: 'cluster-1',
        }));
        await standin.drain(2000);
        expect(events).toHaveLength(1);
        expect(events[0]).toEqual({
          Records: [
            {
              messageId: sent.MessageId,
              receiptHandle: expect.stringMatching(/.{20,}/),
              body: '{"hello":"Cụm Thi đua"}',
              attributes: {
                ApproximateReceiveCount: '1',
                SentTimestamp: String(Date.parse(sentAt)),
                SenderId: expect.any(String),
                ApproximateFirstReceiveTimestamp: String(Date.parse(sentAt)),
                MessageGroupId: 'cluster-1',
              },
              messageAttributes: {
                kind: { stringValue: 'reminder', stringListValues: [], binaryListValues: [], dataType: 'String' },
                blob: { binaryValue: 'AQID', stringListValues: [], binaryListValues: [], dataType: 'Binary' },
              },
              md5OfBody: md5('{"hello":"Cụm Thi đua"}'),
              md5OfMessageAttributes: sent.MD5OfMessageAttributes,
              eventSource: 'aws:sqs',
              eventSourceARN: 'arn:aws:sqs:ap-southeast-1:000000000000:mail',
              awsRegion: 'ap-southeast-1',
            },
          ],
        });
        expect(sent.MD5OfMessageBody).toBe(md5('{"hello":"Cụm Thi đua"}'));
        expect(standin.depth('mail')).toBe(0);
      },
    );
  });

  it('computes MD5OfMessageAttributes as SQS does', () =>
    withStandin({ queues: ['q'] }, async ({ client, standin }) => {
      // Reference value from LocalStack's test of the same SQS algorithm.
      const sent = await client.send(new SendMessageCommand({
        QueueUrl: standin.queueUrl('q'),
        MessageBody: 'x',
        MessageAttributes: { timestamp: { DataType: 'Number', StringValue: '1493147359900' } },
      }));
      expect(sent.MD5OfMessageAttributes).toBe('235c5c510d26fb653d073faed50ae77c');
    }));

  it('delivers 25 messages sent in 10+10+5 in batches of at most batchSize, one batch at a time', async () => {
    const batches: string[][] = [];
    let concurrent = 0;
    let maxConcurrent = 0;
    await withStandin(
      {
        pollMs: 5,
        consumers: {
          work: {
            batchSize: 4,
            handler: async (e) => {
              concurrent++;
              maxConcurrent = Math.max(maxConcurrent, concurrent);
              batches.push(e.Records.map((r) => r.body));
              await sleep(15); // long enough for several polls to find the queue busy
              concurrent--;
            },
          },
        },
      },
      async ({ client, standin }) => {
        const bodies = Array.from({ length: 25 }, (_, i) => `msg-${i}`);
        for (const chunk of [bodies.slice(0, 10), bodies.slice(10, 20), bodies.slice(20)]) {
          const out = await client.send(new SendMessageBatchCommand({
            QueueUrl: standin.queueUrl('work'),
            Entries: chunk.map((b, i) => ({ Id: `e${i}`, MessageBody: b })),
          }));
          expect(out.Successful).toHaveLength(chunk.length);
          expect(out.Failed ?? []).toEqual([]);
        }
        await standin.drain(5000);
        expect(maxConcurrent).toBe(1);
        expect(batches.every((b) => b.length >= 1 && b.length <= 4)).toBe(true);
        expect(batches.some((b) => b.length === 4)).toBe(true);
        expect(batches.flat().sort()).toEqual([...bodies].sort());
      },
    );
  });

  it('retries only the items reported in batchItemFailures, after the visibility timeout', async () => {
    const calls: { at: number; records: { id: string; body: string; count: string }[] }[] = [];
    await withStandin(
      {
        consumers: {
          partial: {
            visibilityTimeoutMs: 150,
            handler: async (e): Promise<SQSBatchResponse> => {
              const records = e.Records.map((r) => ({ id: r.messageId, body: r.body, count: r.attributes.ApproximateReceiveCount }));
              calls.push({ at: Date.now(), records });
              const b = calls.length === 1 ? e.Records.find((r) => r.body === 'b') : undefined;
              return { batchItemFailures: b ? [{ itemIdentifier: b.messageId }] : [] };
            },
          },
        },
      },
      async ({ client, standin }) => {
        await client.send(new SendMessageBatchCommand({
          QueueUrl: standin.queueUrl('partial'),
          Entries: ['a', 'b', 'c'].map((b) => ({ Id: b, MessageBody: b })),
        }));
        await standin.drain(3000);
        expect(calls).toHaveLength(2);
        expect(calls[0]!.records.map((r) => [r.body, r.count])).toEqual([['a', '1'], ['b', '1'], ['c', '1']]);
        const bId = calls[0]!.records[1]!.id;
        expect(calls[1]!.records).toEqual([{ id: bId, body: 'b', count: '2' }]);
        expect(calls[1]!.at - calls[0]!.at).toBeGreaterThanOrEqual(140);
        expect(standin.deadLetters).toEqual([]);
      },
    );
  });

  it('fails the whole batch for an itemIdentifier that is not in it', async () => {
    const counts: string[][] = [];
    await withStandin(
      {
        consumers: {
          q: {
            visibilityTimeoutMs: 20,
            handler: async (e) => {
              counts.push(e.Records.map((r) => r.attributes.ApproximateReceiveCount));
              return { batchItemFailures: counts.length === 1 ? [{ itemIdentifier: 'not-a-message-id' }] : [] };
            },
          },
        },
      },
      async ({ client, standin }) => {
        await client.send(new SendMessageBatchCommand({
          QueueUrl: standin.queueUrl('q'), Entries: [{ Id: '1', MessageBody: 'x' }, { Id: '2', MessageBody: 'y' }],
        }));
        await standin.drain(3000);
        expect(counts).toEqual([['1', '1'], ['2', '2']]);
      },
    );
  });

  it('redelivers the whole batch when the handler throws', async () => {
    const calls: SQSEvent[] = [];
    await withStandin(
      {
        consumers: {
          flaky: {
            visibilityTimeoutMs: 50,
            handler: async (e) => {
              calls.push(e);
              if (calls.length === 1) throw new Error('database unavailable');
            },
          },
        },
      },
      async ({ client, standin }) => {
        await client.send(new SendMessageBatchCommand({
          QueueUrl: standin.queueUrl('flaky'),
          Entries: ['a', 'b', 'c'].map((b) => ({ Id: b, MessageBody: b })),
        }));
        await standin.drain(3000);
        expect(calls).toHaveLength(2);
        const [first, second] = calls.map((e) => e.Records);
        expect(second!.map((r) => r.messageId)).toEqual(first!.map((r) => r.messageId));
        expect(second!.map((r) => r.attributes.ApproximateReceiveCount)).toEqual(['2', '2', '2']);
        // A new receive gets a new receipt handle, as in SQS.
        expect(second![0]!.receiptHandle).not.toBe(first![0]!.receiptHandle);
      },
    );
  });

  it('moves a message that always fails to the dead-letter queue after maxReceiveCount', async () => {
    const receiveCounts: string[] = [];
    const dlqEvents: SQSEvent[] = [];
    await withStandin(
      {
        consumers: {
          doomed: {
            maxReceiveCount: 3,
            visibilityTimeoutMs: 20,
            deadLetterQueue: 'doomed-dlq',
            handler: async (e) => {
              receiveCounts.push(...e.Records.map((r) => r.attributes.ApproximateReceiveCount));
              throw new Error('always');
            },
          },
          // A queue whose dead-letter queue has a consumer too, to see the moved message.
          watched: {
            maxReceiveCount: 1,
            visibilityTimeoutMs: 20,
            deadLetterQueue: 'watched-dlq',
            handler: async () => {
              throw new Error('no');
            },
          },
          'watched-dlq': { handler: async (e) => void dlqEvents.push(e) },
        },
      },
      async ({ client, standin }) => {
        const sent = await client.send(new SendMessageCommand({ QueueUrl: standin.queueUrl('doomed'), MessageBody: 'poison' }));
        const watched = await client.send(new SendMessageCommand({ QueueUrl: standin.queueUrl('watched'), MessageBody: 'poison 2' }));
        await standin.drain(3000);
        expect(receiveCounts).toEqual(['1', '2', '3']);
        expect(standin.depth('doomed')).toBe(0);
        expect(standin.depth('doomed-dlq')).toBe(1);
        expect(await attributes(client, standin.queueUrl('doomed-dlq'), ['ApproximateNumberOfMessages'])).toEqual({
          ApproximateNumberOfMessages: '1',
        });
        expect(standin.deadLetters).toEqual([]);
        expect(sent.MessageId).toBeDefined();

        expect(dlqEvents).toHaveLength(1);
        const moved = dlqEvents[0]!.Records[0]!;
        expect(moved.messageId).toBe(watched.MessageId);
        expect(moved.body).toBe('poison 2');
        expect(moved.attributes.ApproximateReceiveCount).toBe('1');
        expect(moved.attributes.DeadLetterQueueSourceArn).toBe('arn:aws:sqs:ap-southeast-1:000000000000:watched');
        expect(moved.eventSourceARN).toBe('arn:aws:sqs:ap-southeast-1:000000000000:watched-dlq');
      },
    );
  });

  it('drops a message that always fails into deadLetters when there is no dead-letter queue', async () => {
    let calls = 0;
    await withStandin(
      {
        consumers: {
          nodlq: {
            maxReceiveCount: 2,
            visibilityTimeoutMs: 20,
            handler: async (e) => {
              calls++;
              return { batchItemFailures: e.Records.map((r) => ({ itemIdentifier: r.messageId })) };
            },
          },
        },
      },
      async ({ client, standin }) => {
        const sent = await client.send(new SendMessageCommand({ QueueUrl: standin.queueUrl('nodlq'), MessageBody: 'poison' }));
        await standin.drain(3000);
        expect(calls).toBe(2);
        expect(standin.depth('nodlq')).toBe(0);
        expect(standin.deadLetters).toEqual([
          {
            queue: 'nodlq', messageId: sent.MessageId, body: 'poison', receiveCount: 2,
            error: 'reported in batchItemFailures', at: expect.any(Date),
          },
        ]);
      },
    );
  });

  it('drain() waits for slow batches and retries, and times out while a handler is stuck', async () => {
    const done: string[] = [];
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    let stuckCalls = 0;
    await withStandin(
      {
        consumers: {
          slow: {
            batchSize: 2,
            visibilityTimeoutMs: 30,
            handler: async (e) => {
              await sleep(40);
              const failed = e.Records.filter((r) => r.body === 'retry-me' && r.attributes.ApproximateReceiveCount === '1');
              done.push(...e.Records.filter((r) => !failed.includes(r)).map((r) => r.body));
              return { batchItemFailures: failed.map((r) => ({ itemIdentifier: r.messageId })) };
            },
          },
        },
      },
      async ({ client, standin }) => {
        const bodies = ['a', 'b', 'retry-me', 'c', 'd'];
        await client.send(new SendMessageBatchCommand({
          QueueUrl: standin.queueUrl('slow'), Entries: bodies.map((b, i) => ({ Id: String(i), MessageBody: b })),
        }));
        await standin.drain(3000);
        expect(done.sort()).toEqual([...bodies].sort());
        expect(standin.depth('slow')).toBe(0);
      },
    );
    await withStandin(
      {
        consumers: {
          stuck: {
            handler: async () => {
              stuckCalls++;
              await released;
            },
          },
        },
      },
      async ({ client, standin }) => {
        await client.send(new SendMessageCommand({ QueueUrl: standin.queueUrl('stuck'), MessageBody: 'x' }));
        const err = await rejection(standin.drain(150));
        expect(err.message).toMatch(/not drained.*stuck=1/);
        expect(stuckCalls).toBe(1);
        release();
        await standin.drain(1000);
        expect(standin.depth('stuck')).toBe(0);
      },
    );
  });

  it('close() lets the batch in flight finish, then delivers nothing more', async () => {
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    let calls = 0;
    const standin = await startSqsStandin({
      pollMs: 5,
      consumers: {
        q: {
          batchSize: 1,
          handler: async () => {
            calls++;
            await released;
          },
        },
      },
    });
    const client = new SQSClient({ endpoint: standin.url, region: 'ap-southeast-1', credentials: CREDENTIALS });
    await client.send(new SendMessageBatchCommand({
      QueueUrl: standin.queueUrl('q'), Entries: [{ Id: '1', MessageBody: 'x' }, { Id: '2', MessageBody: 'y' }],
    }));
    client.destroy();
    await waitUntil(() => calls === 1);
    let closed = false;
    const closing = standin.close().then(() => (closed = true));
    await sleep(50);
    expect(closed).toBe(false);
    release();
    await closing;
    await sleep(50);
    expect(calls).toBe(1);
    expect(standin.depth('q')).toBe(1);
  });
});
