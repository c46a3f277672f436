/**
 * A small in-process stand-in for Amazon SQS plus Lambda's SQS event source mapping, for local runs and
 * integration tests.
 *
 * Producer side: it speaks the wire protocol of `@aws-sdk/client-sqs` 3.1169.0, which is AWS JSON 1.0 in
 * "query-compatible" mode (client runtime config: `AwsJson1_0Protocol`, `serviceTarget: "AmazonSQS"`,
 * `awsQueryCompatible: true`): `POST /` with `X-Amz-Target: AmazonSQS.<Operation>`, a JSON body whose member names
 * are the PascalCase shape members (`QueueUrl`, `MessageBody`, `Entries`...), and JSON answers. CreateQueue,
 * GetQueueUrl, GetQueueAttributes, SendMessage and SendMessageBatch are implemented; any other operation fails with
 * the modeled `UnsupportedOperation`.
 *
 * Consumer side: there is no ReceiveMessage. As in the deployed stack, messages reach a handler the way Lambda's
 * event source mapping delivers them: `SQSEvent` batches, one batch at a time per queue (a function with reserved
 * concurrency 1), ReportBatchItemFailures semantics, visibility timeout, maxReceiveCount and dead-letter queue.
 *
 * Not modelled: FIFO queues (refused), message size limits, retention, long polling, tags (stored, no effect),
 * KMS, policies. Not production code.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SQSBatchResponse, SQSEvent, SQSMessageAttributes, SQSRecord } from 'aws-lambda';
import { systemClock, type Clock } from '../shared/ports/clock.js';

const DEFAULT_REGION = 'ap-southeast-1';
/** The account LocalStack and most emulators use; it only appears in URLs and ARNs. */
const ACCOUNT = '000000000000';
/** SendMessageBatch's limit, enforced by the service. */
const MAX_BATCH_ENTRIES = 10;

/** Lambda's event source mapping for one queue. */
export interface SqsConsumer {
  /** The function's handler; rejecting fails the whole batch, `batchItemFailures` fails only those messages. */
  handler: (event: SQSEvent) => Promise<SQSBatchResponse | void>;
  /** Most messages per event (default 10). */
  batchSize?: number;
  /** Receives after which a message goes to the dead-letter queue (default: the queue's RedrivePolicy, else 5). */
  maxReceiveCount?: number;
  /** How long a failed message stays invisible, counted from its receive (default 1000 ms; SQS's is 30 s). */
  visibilityTimeoutMs?: number;
  /** Name of the dead-letter queue (default: the queue's RedrivePolicy target). Without one, see `deadLetters`. */
  deadLetterQueue?: string;
}

/** Options of {@link startSqsStandin}. */
export interface SqsStandinOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Defaults to 127.0.0.1 so nothing is exposed beyond the machine. */
  host?: string;
  /** Used in ARNs and events (default ap-southeast-1). */
  region?: string;
  /**
   * Source of the timestamps handlers see (SentTimestamp, ApproximateFirstReceiveTimestamp). Delays and visibility
   * timeouts are real durations whatever the clock, so a frozen test clock cannot stall delivery.
   */
  clock?: Clock;
  /** How often queues with a consumer are looked at, in ms (default 50). */
  pollMs?: number;
  /** Event source mappings by queue name. Their queues and dead-letter queues are created at start. */
  consumers?: Record<string, SqsConsumer>;
  /** Further queues to create at start (default attributes). */
  queues?: string[];
  log?: (msg: string) => void;
}

/** A message that exhausted maxReceiveCount on a queue with no dead-letter queue, and was dropped. */
export interface SqsDeadLetter {
  queue: string;
  messageId: string;
  body: string;
  receiveCount: number;
  /** Why the last delivery failed: the handler's error, or that it reported the message in batchItemFailures. */
  error: string;
  at: Date;
}

/** A running stand-in. */
export interface SqsStandin {
  url: string;
  port: number;
  /** Stops delivery (after the batches in flight complete) and the HTTP server. */
  close(): Promise<void>;
  /** The URL of queue `name` (whether or not it exists), as CreateQueue/GetQueueUrl return it. */
  queueUrl(name: string): string;
  /**
   * Messages held by the queue in any state: visible, delayed, in flight or waiting out a visibility timeout.
   * Throws for an unknown queue.
   */
  depth(name: string): number;
  /** Messages dropped after maxReceiveCount because their queue had no dead-letter queue, oldest first. */
  deadLetters: SqsDeadLetter[];
  /**
   * Resolves once every queue with a consumer is empty and no batch is in flight (messages being retried or
   * moved to a dead-letter queue included); rejects after `timeoutMs` (default 30 s) or if the stand-in closes.
   */
  drain(timeoutMs?: number): Promise<void>;
}

/** A message attribute as it travels in the JSON protocol (a blob is base64). */
interface WireAttribute {
  DataType: string;
  StringValue?: string;
  BinaryValue?: string;
}

interface StoredMessage {
  messageId: string;
  body: string;
  md5OfBody: string;
  messageAttributes: Record<string, WireAttribute>;
  md5OfMessageAttributes?: string;
  /** Extra record attributes: AWSTraceHeader, MessageGroupId, DeadLetterQueueSourceArn. */
  systemAttributes: Record<string, string>;
  sentTimestamp: number;
  firstReceiveTimestamp?: number;
  receiveCount: number;
  receiptHandle?: string;
  /** Real time (Date.now()) from which the message may be delivered. */
  visibleAt: number;
  receivedAt?: number;
  inFlight: boolean;
  lastError?: string;
}

interface Queue {
  name: string;
  arn: string;
  url: string;
  attributes: Record<string, string>;
  tags: Record<string, string>;
  created: Date;
  /** Insertion order is delivery order, like a lightly loaded standard queue. */
  messages: Map<string, StoredMessage>;
  /** The batch in flight, if any: at most one per queue. */
  busy?: Promise<void>;
}

/**
 * Error codes the query-compatible JSON protocol expects in `x-amzn-query-error` (the `awsQueryError` traits of the
 * SDK's error schemas). With awsQueryCompatible the SDK reads that header's code first and maps it back to the
 * modeled exception; shapes without a trait (InvalidAttributeName, InvalidMessageContents) use their own name.
 */
const QUERY_ERROR_CODES: Record<string, string> = {
  QueueDoesNotExist: 'AWS.SimpleQueueService.NonExistentQueue',
  QueueNameExists: 'QueueAlreadyExists',
  TooManyEntriesInBatchRequest: 'AWS.SimpleQueueService.TooManyEntriesInBatchRequest',
  EmptyBatchRequest: 'AWS.SimpleQueueService.EmptyBatchRequest',
  BatchEntryIdsNotDistinct: 'AWS.SimpleQueueService.BatchEntryIdsNotDistinct',
  InvalidBatchEntryId: 'AWS.SimpleQueueService.InvalidBatchEntryId',
  UnsupportedOperation: 'AWS.SimpleQueueService.UnsupportedOperation',
};

class ApiError extends Error {
  constructor(readonly type: string, message: string, readonly status = 400) {
    super(message);
  }
}
const invalid = (message: string) => new ApiError('InvalidParameterValue', message);
const noQueue = () => new ApiError('QueueDoesNotExist', 'The specified queue does not exist.');
const missing = (name: string) => new ApiError('MissingParameter', `The request must contain the parameter ${name}.`);
const unsupportedFifo = () => new ApiError('UnsupportedOperation', 'FIFO queues are not supported by the stand-in.');

/** Attributes CreateQueue accepts; the first five have defaults and are always reported. */
const SETTABLE_ATTRIBUTES = [
  'DelaySeconds', 'MaximumMessageSize', 'MessageRetentionPeriod', 'ReceiveMessageWaitTimeSeconds', 'VisibilityTimeout',
  'Policy', 'RedrivePolicy', 'RedriveAllowPolicy', 'KmsMasterKeyId', 'KmsDataKeyReusePeriodSeconds',
  'SqsManagedSseEnabled', 'FifoQueue', 'ContentBasedDeduplication', 'DeduplicationScope', 'FifoThroughputLimit',
];
const COMPUTED_ATTRIBUTES = [
  'ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed',
  'CreatedTimestamp', 'LastModifiedTimestamp', 'QueueArn',
];

/** Characters SQS accepts in a body or string attribute (#x9 | #xA | #xD | #x20-#xD7FF | #xE000-#xFFFD | astral). */
const INVALID_CHARS = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

const md5 = (data: Buffer | string) => createHash('md5').update(data).digest('hex');

/**
 * MD5OfMessageAttributes as SQS computes it: attributes sorted by name, each as length-prefixed name, length-prefixed
 * data type, a transport byte (1 string/number, 2 binary) and the length-prefixed value (lengths: 4 bytes big-endian).
 */
function md5OfAttributes(attrs: Record<string, WireAttribute>): string | undefined {
  const names = Object.keys(attrs).sort();
  if (names.length === 0) return undefined;
  const parts: Buffer[] = [];
  const field = (b: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(b.length);
    parts.push(len, b);
  };
  for (const name of names) {
    const a = attrs[name]!;
    field(Buffer.from(name, 'utf8'));
    field(Buffer.from(a.DataType, 'utf8'));
    const binary = a.DataType.startsWith('Binary');
    parts.push(Buffer.from([binary ? 2 : 1]));
    field(binary ? Buffer.from(a.BinaryValue ?? '', 'base64') : Buffer.from(a.StringValue ?? '', 'utf8'));
  }
  return md5(Buffer.concat(parts));
}

/** Checks MessageAttributes the way SendMessage would refuse them. */
function parseAttributes(raw: unknown): Record<string, WireAttribute> {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== 'object') throw invalid('MessageAttributes must be a map.');
  const out: Record<string, WireAttribute> = {};
  const entries = Object.entries(raw as Record<string, unknown>);
  if (entries.length > 10) throw invalid('Number of message attributes exceeds the limit of 10.');
  for (const [name, v] of entries) {
    const a = (v ?? {}) as Partial<WireAttribute>;
    if (!/^[A-Za-z0-9_.-]{1,256}$/.test(name) || name.startsWith('AWS.') || name.startsWith('Amazon.')) {
      throw invalid(`Message attribute name '${name}' is invalid.`);
    }
    if (typeof a.DataType !== 'string' || !/^(String|Number|Binary)(\..+)?$/.test(a.DataType)) {
      throw invalid(`Message attribute '${name}' must have a DataType of String, Number or Binary.`);
    }
    if (a.DataType.startsWith('Binary')) {
      if (typeof a.BinaryValue !== 'string') throw invalid(`Message attribute '${name}' must contain a BinaryValue.`);
      out[name] = { DataType: a.DataType, BinaryValue: a.BinaryValue };
    } else {
      if (typeof a.StringValue !== 'string' || a.StringValue === '') {
        throw invalid(`Message attribute '${name}' must contain a non-empty StringValue.`);
      }
      if (a.DataType.startsWith('Number') && !Number.isFinite(Number(a.StringValue))) {
        throw invalid(`Message attribute '${name}' has an invalid Number value.`);
      }
      out[name] = { DataType: a.DataType, StringValue: a.StringValue };
    }
  }
  return out;
}

/** Starts the stand-in on 127.0.0.1 (port 0 = any free port) and begins delivering to the consumers. */
export async function startSqsStandin(opts: SqsStandinOptions = {}): Promise<SqsStandin> {
  const clock = opts.clock ?? systemClock;
  const log = opts.log ?? (() => {});
  const region = opts.region ?? DEFAULT_REGION;
  const host = opts.host ?? '127.0.0.1';
  const pollMs = opts.pollMs ?? 50;
  const consumers = Object.entries(opts.consumers ?? {});
  const queues = new Map<string, Queue>();
  const deadLetters: SqsDeadLetter[] = [];
  let baseUrl = ''; // known once listening; queues are created after that
  let closing = false;

  for (const [name, c] of consumers) {
    const size = c.batchSize ?? 10;
    if (!Number.isInteger(size) || size < 1) throw new Error(`sqs stand-in: batchSize of ${name} must be a positive integer`);
    if (c.maxReceiveCount !== undefined && !(Number.isInteger(c.maxReceiveCount) && c.maxReceiveCount >= 1)) {
      throw new Error(`sqs stand-in: maxReceiveCount of ${name} must be a positive integer`);
    }
  }

  const queueUrl = (name: string) => `${baseUrl}/${ACCOUNT}/${name}`;
  const queueArn = (name: string) => `arn:aws:sqs:${region}:${ACCOUNT}:${name}`;

  function createQueue(name: string, attributes: Record<string, string>, tags: Record<string, string>): Queue {
    if (!/^[A-Za-z0-9_-]{1,80}$/.test(name)) {
      if (/^[A-Za-z0-9_-]{1,75}\.fifo$/.test(name)) throw unsupportedFifo();
      throw invalid('Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length');
    }
    for (const [k, v] of Object.entries(attributes)) {
      if (!SETTABLE_ATTRIBUTES.includes(k)) throw new ApiError('InvalidAttributeName', `Unknown Attribute ${k}.`);
      if (typeof v !== 'string') throw invalid(`Attribute ${k} must be a string.`);
    }
    if (attributes.FifoQueue === 'true') throw unsupportedFifo();
    const delay = attributes.DelaySeconds;
    if (delay !== undefined && !(/^\d+$/.test(delay) && Number(delay) <= 900)) invalidDelay();
    if (attributes.RedrivePolicy !== undefined) redriveOf(attributes.RedrivePolicy);
    const existing = queues.get(name);
    if (existing) {
      // Idempotent when every attribute given matches the queue's, as the service compares them.
      const differs = Object.entries(attributes).some(([k, v]) => existing.attributes[k] !== v);
      if (differs) {
        throw new ApiError('QueueNameExists', 'A queue already exists with the same name and a different value for attribute(s).');
      }
      return existing;
    }
    const q: Queue = {
      name, arn: queueArn(name), url: queueUrl(name), tags, created: clock.now(), messages: new Map(),
      attributes: {
        DelaySeconds: '0', MaximumMessageSize: '262144', MessageRetentionPeriod: '345600',
        ReceiveMessageWaitTimeSeconds: '0', VisibilityTimeout: '30', ...attributes,
      },
    };
    queues.set(name, q);
    log(`sqs: created queue ${name}`);
    return q;
  }

  function invalidDelay(): never {
    throw invalid('Value for parameter DelaySeconds is invalid. Reason: Must be an integer from 0 to 900.');
  }

  function redriveOf(policy: string): { maxReceiveCount: number; deadLetterQueue: string } {
    try {
      const p = JSON.parse(policy) as { deadLetterTargetArn?: unknown; maxReceiveCount?: unknown };
      const max = Number(p.maxReceiveCount);
      if (typeof p.deadLetterTargetArn === 'string' && Number.isInteger(max) && max >= 1) {
        return { maxReceiveCount: max, deadLetterQueue: p.deadLetterTargetArn.split(':').pop()! };
      }
    } catch {
      // reported below
    }
    throw invalid('Value for parameter RedrivePolicy is invalid. Reason: needs deadLetterTargetArn and maxReceiveCount.');
  }

  /** The queue a QueueUrl names; the host is ignored so localhost and 127.0.0.1 URLs both work. */
  function queueOf(body: Record<string, unknown>): Queue {
    if (typeof body.QueueUrl !== 'string') throw missing('QueueUrl');
    let path: string[];
    try {
      path = new URL(body.QueueUrl).pathname.split('/').filter(Boolean);
    } catch {
      throw noQueue();
    }
    const q = path.length === 2 && path[0] === ACCOUNT ? queues.get(path[1]!) : undefined;
    if (!q) throw noQueue();
    return q;
  }

  /** Validates and stores one message; shared by SendMessage and each SendMessageBatch entry. */
  function enqueue(q: Queue, m: Record<string, unknown>) {
    const body = m.MessageBody;
    if (typeof body !== 'string' || body === '') throw missing('MessageBody');
    if (INVALID_CHARS.test(body)) {
      throw new ApiError('InvalidMessageContents', 'Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | '
        + '#x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF');
    }
    const delay = m.DelaySeconds ?? Number(q.attributes.DelaySeconds);
    if (typeof delay !== 'number' || !Number.isInteger(delay) || delay < 0 || delay > 900) invalidDelay();
    if (m.MessageDeduplicationId !== undefined) {
      throw invalid('The request includes a parameter that is not valid for this queue type.');
    }
    const messageAttributes = parseAttributes(m.MessageAttributes);
    const systemAttributes: Record<string, string> = {};
    // Standard queues take a MessageGroupId (fair queues); Lambda passes it on in the record's attributes.
    if (typeof m.MessageGroupId === 'string') systemAttributes.MessageGroupId = m.MessageGroupId;
    const trace = (m.MessageSystemAttributes as Record<string, Partial<WireAttribute>> | undefined)?.AWSTraceHeader;
    if (typeof trace?.StringValue === 'string') systemAttributes.AWSTraceHeader = trace.StringValue;
    const msg: StoredMessage = {
      messageId: randomUUID(), body, md5OfBody: md5(body), messageAttributes,
      md5OfMessageAttributes: md5OfAttributes(messageAttributes), systemAttributes,
      sentTimestamp: clock.now().getTime(), receiveCount: 0, visibleAt: Date.now() + delay * 1000, inFlight: false,
    };
    q.messages.set(msg.messageId, msg);
    return { MessageId: msg.messageId, MD5OfMessageBody: msg.md5OfBody, MD5OfMessageAttributes: msg.md5OfMessageAttributes };
  }

  function counts(q: Queue) {
    const now = Date.now();
    let visible = 0;
    let notVisible = 0;
    let delayed = 0;
    for (const m of q.messages.values()) {
      if (m.inFlight || (m.receiveCount > 0 && m.visibleAt > now)) notVisible++;
      else if (m.visibleAt > now) delayed++;
      else visible++;
    }
    return { visible, notVisible, delayed };
  }

  function getAttributes(q: Queue, names: unknown): Record<string, string> {
    const wanted = Array.isArray(names) ? (names as unknown[]).map(String) : [];
    for (const n of wanted) {
      if (n !== 'All' && !SETTABLE_ATTRIBUTES.includes(n) && !COMPUTED_ATTRIBUTES.includes(n)) {
        throw new ApiError('InvalidAttributeName', `Unknown Attribute ${n}.`);
      }
    }
    const c = counts(q);
    const created = String(Math.floor(q.created.getTime() / 1000));
    const all: Record<string, string> = {
      ...q.attributes,
      ApproximateNumberOfMessages: String(c.visible),
      ApproximateNumberOfMessagesNotVisible: String(c.notVisible),
      ApproximateNumberOfMessagesDelayed: String(c.delayed),
      CreatedTimestamp: created,
      LastModifiedTimestamp: created, // SetQueueAttributes is not supported, so never modified
      QueueArn: q.arn,
    };
    // Without AttributeNames the service returns no attributes at all.
    if (wanted.includes('All')) return all;
    return Object.fromEntries(wanted.filter((n) => all[n] !== undefined).map((n) => [n, all[n]!]));
  }

  /** Routes one request by its X-Amz-Target operation; returns the JSON body of a 200 response or throws an ApiError. */
  function handle(operation: string, body: Record<string, unknown>): unknown {
    switch (operation) {
      case 'CreateQueue': {
        if (typeof body.QueueName !== 'string') throw missing('QueueName');
        const q = createQueue(
          body.QueueName, (body.Attributes ?? {}) as Record<string, string>, (body.tags ?? {}) as Record<string, string>,
        );
        return { QueueUrl: q.url };
      }
      case 'GetQueueUrl': {
        const owner = body.QueueOwnerAWSAccountId;
        const q = typeof body.QueueName === 'string' ? queues.get(body.QueueName) : undefined;
        if (!q || (owner !== undefined && owner !== ACCOUNT)) throw noQueue();
        return { QueueUrl: q.url };
      }
      case 'GetQueueAttributes':
        return { Attributes: getAttributes(queueOf(body), body.AttributeNames) };
      case 'SendMessage':
        return enqueue(queueOf(body), body);
      case 'SendMessageBatch': {
        const q = queueOf(body);
        const entries = Array.isArray(body.Entries) ? (body.Entries as Record<string, unknown>[]) : [];
        // Whole-request checks first, in the service's order: nothing is sent if any fails.
        if (entries.length === 0) {
          throw new ApiError('EmptyBatchRequest', 'There should be at least one SendMessageBatchRequestEntry in the request.');
        }
        if (entries.length > MAX_BATCH_ENTRIES) {
          throw new ApiError('TooManyEntriesInBatchRequest',
            `Maximum number of entries per request are ${MAX_BATCH_ENTRIES}. You have sent ${entries.length}.`);
        }
        const ids = entries.map((e) => e.Id);
        for (const id of ids) {
          if (typeof id !== 'string' || !/^[A-Za-z0-9_-]{1,80}$/.test(id)) {
            throw new ApiError('InvalidBatchEntryId', 'A batch entry id can only contain alphanumeric characters, hyphens and '
              + 'underscores. It can be at most 80 letters long.');
          }
        }
        if (new Set(ids).size !== ids.length) {
          throw new ApiError('BatchEntryIdsNotDistinct', 'Two or more batch entries in the request have the same Id.');
        }
        const Successful: unknown[] = [];
        const Failed: unknown[] = [];
        for (const e of entries) {
          try {
            Successful.push({ Id: e.Id, ...enqueue(q, e) });
          } catch (err) {
            if (!(err instanceof ApiError)) throw err;
            Failed.push({ Id: e.Id, SenderFault: err.status < 500, Code: err.type, Message: err.message });
          }
        }
        return { Successful, Failed };
      }
      default:
        throw new ApiError('UnsupportedOperation', `${operation || 'This operation'} is not supported by the stand-in; `
          + 'consumers registered at start receive messages as Lambda would.');
    }
  }

  // ---- Lambda's event source mapping ----

  function redriveFor(q: Queue, c: SqsConsumer): { maxReceiveCount: number; deadLetterQueue?: string } {
    const policy = q.attributes.RedrivePolicy !== undefined ? redriveOf(q.attributes.RedrivePolicy) : undefined;
    return {
      maxReceiveCount: c.maxReceiveCount ?? policy?.maxReceiveCount ?? 5,
      deadLetterQueue: c.deadLetterQueue ?? policy?.deadLetterQueue,
    };
  }

  /** Moves a message that has used up its receives to the dead-letter queue, or drops and records it. */
  function deadLetter(q: Queue, m: StoredMessage, dlqName: string | undefined) {
    q.messages.delete(m.messageId);
    const dlq = dlqName === undefined ? undefined : queues.get(dlqName);
    const error = m.lastError ?? 'unknown';
    if (dlq) {
      // SQS keeps the message id, body, attributes and SentTimestamp; receives on the new queue start from zero.
      dlq.messages.set(m.messageId, {
        ...m, receiveCount: 0, firstReceiveTimestamp: undefined, receiptHandle: undefined, receivedAt: undefined,
        visibleAt: Date.now(), inFlight: false, systemAttributes: { ...m.systemAttributes, DeadLetterQueueSourceArn: q.arn },
      });
      log(`sqs: ${q.name} message ${m.messageId} moved to ${dlq.name} after ${m.receiveCount} receives: ${error}`);
    } else {
      deadLetters.push({ queue: q.name, messageId: m.messageId, body: m.body, receiveCount: m.receiveCount, error, at: clock.now() });
      const why = dlqName ? ` (no queue ${dlqName})` : '';
      log(`sqs: ${q.name} message ${m.messageId} dropped after ${m.receiveCount} receives${why}: ${error}`);
    }
  }

  /** Takes up to batchSize visible messages, as ReceiveMessage would, dead-lettering those out of receives. */
  function receive(q: Queue, c: SqsConsumer): StoredMessage[] {
    const { maxReceiveCount, deadLetterQueue } = redriveFor(q, c);
    const now = Date.now();
    const batch: StoredMessage[] = [];
    for (const m of q.messages.values()) {
      if (batch.length >= (c.batchSize ?? 10)) break;
      if (m.inFlight || m.visibleAt > now) continue;
      // The service moves a message when a receive finds its count already at maxReceiveCount.
      if (m.receiveCount >= maxReceiveCount) {
        deadLetter(q, m, deadLetterQueue);
        continue;
      }
      m.receiveCount++;
      m.firstReceiveTimestamp ??= clock.now().getTime();
      m.receiptHandle = randomBytes(48).toString('base64');
      m.receivedAt = now;
      m.inFlight = true;
      batch.push(m);
    }
    return batch;
  }

  const toRecord = (q: Queue, m: StoredMessage): SQSRecord => {
    const messageAttributes: SQSMessageAttributes = {};
    for (const [name, a] of Object.entries(m.messageAttributes)) {
      messageAttributes[name] = {
        ...(a.StringValue !== undefined ? { stringValue: a.StringValue } : { binaryValue: a.BinaryValue }),
        stringListValues: [], binaryListValues: [], dataType: a.DataType,
      };
    }
    return {
      messageId: m.messageId,
      receiptHandle: m.receiptHandle!,
      body: m.body,
      attributes: {
        ApproximateReceiveCount: String(m.receiveCount),
        SentTimestamp: String(m.sentTimestamp),
        SenderId: ACCOUNT,
        ApproximateFirstReceiveTimestamp: String(m.firstReceiveTimestamp),
        ...m.systemAttributes,
      },
      messageAttributes,
      md5OfBody: m.md5OfBody,
      ...(m.md5OfMessageAttributes ? { md5OfMessageAttributes: m.md5OfMessageAttributes } : {}),
      eventSource: 'aws:sqs',
      eventSourceARN: q.arn,
      awsRegion: region,
    };
  };

  /**
   * The messages of a batch that failed, per ReportBatchItemFailures: none for an empty or absent response, those
   * listed otherwise; an identifier that is empty or not in the batch fails the whole batch, as Lambda does.
   */
  function failuresOf(result: SQSBatchResponse | void, batch: StoredMessage[]): { ids: Set<string>; why: string } {
    const failures = (result as Partial<SQSBatchResponse> | undefined | null)?.batchItemFailures;
    if (failures === undefined || failures === null) return { ids: new Set(), why: '' };
    const inBatch = new Set(batch.map((m) => m.messageId));
    const ids = new Set<string>();
    for (const f of Array.isArray(failures) ? failures : [undefined]) {
      const id = (f as { itemIdentifier?: unknown } | undefined)?.itemIdentifier;
      if (typeof id !== 'string' || !inBatch.has(id)) {
        return { ids: inBatch, why: `invalid batchItemFailures entry ${JSON.stringify(f)}: whole batch failed` };
      }
      ids.add(id);
    }
    return { ids, why: 'reported in batchItemFailures' };
  }

  async function deliver(q: Queue, c: SqsConsumer, batch: StoredMessage[]): Promise<void> {
    const vt = c.visibilityTimeoutMs ?? 1000;
    let failed: { ids: Set<string>; why: string };
    try {
      failed = failuresOf(await c.handler({ Records: batch.map((m) => toRecord(q, m)) }), batch);
    } catch (e) {
      failed = { ids: new Set(batch.map((m) => m.messageId)), why: e instanceof Error ? e.message : String(e) };
    }
    if (failed.ids.size > 0) log(`sqs: ${q.name} batch of ${batch.length}: ${failed.ids.size} failed (${failed.why})`);
    const now = Date.now();
    for (const m of batch) {
      m.inFlight = false;
      if (!failed.ids.has(m.messageId)) {
        q.messages.delete(m.messageId); // Lambda deletes what succeeded
        continue;
      }
      m.lastError = failed.why;
      // Visibility runs from the receive, as in SQS; a batch slower than the timeout is retried straight away.
      m.visibleAt = Math.max(now, (m.receivedAt ?? now) + vt);
    }
  }

  /**
   * Hands each idle consumer its next batch. Lambda's poller receives again as soon as a batch is done, so a finished
   * delivery pumps at once rather than waiting for the next tick (which only picks up new or newly visible messages).
   */
  function pump(): void {
    if (closing) return;
    for (const [name, c] of consumers) {
      const q = queues.get(name);
      if (!q || q.busy) continue; // concurrency 1: the next batch waits for the previous one
      const batch = receive(q, c);
      if (batch.length === 0) continue;
      q.busy = deliver(q, c, batch)
        .catch((e: unknown) => log(`sqs: ${name} delivery broke: ${String(e)}`))
        .finally(() => {
          q.busy = undefined;
          setImmediate(pump);
        });
    }
  }
  const timer = setInterval(pump, pollMs);
  timer.unref(); // never keep a test process or CLI alive just for polling

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let status = 200;
      let out: unknown;
      const headers: Record<string, string> = { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': randomUUID() };
      try {
        const target = String(req.headers['x-amz-target'] ?? '');
        if (req.method !== 'POST' || !target.startsWith('AmazonSQS.')) {
          throw new ApiError('UnsupportedOperation',
            'The stand-in only speaks the AWS JSON protocol (POST with X-Amz-Target: AmazonSQS.<Operation>).');
        }
        let body: Record<string, unknown>;
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
        } catch {
          throw invalid('Request body is not valid JSON.');
        }
        out = handle(target.slice('AmazonSQS.'.length), body);
      } catch (e) {
        const err = e instanceof ApiError ? e : new ApiError('InternalError', String(e), 500);
        status = err.status;
        // The SDK reads this header's code first (query compatibility); __type is what plain JSON clients read.
        headers['x-amzn-query-error'] = `${QUERY_ERROR_CODES[err.type] ?? err.type};${status < 500 ? 'Sender' : 'Receiver'}`;
        out = { __type: `com.amazonaws.sqs#${err.type}`, message: err.message };
      }
      res.writeHead(status, headers).end(JSON.stringify(out));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  baseUrl = `http://${host}:${port}`;
  // As the stack would have provisioned them before any event source mapping could run.
  try {
    for (const name of opts.queues ?? []) createQueue(name, {}, {});
    for (const [name, c] of consumers) {
      createQueue(name, {}, {});
      if (c.deadLetterQueue !== undefined) createQueue(c.deadLetterQueue, {}, {});
    }
  } catch (e) {
    clearInterval(timer);
    server.close();
    throw new Error(`sqs stand-in: ${e instanceof Error ? e.message : String(e)}`);
  }
  log(`sqs stand-in listening on ${baseUrl}`);

  const idle = () => consumers.every(([name]) => {
    const q = queues.get(name);
    return !q || (q.messages.size === 0 && !q.busy);
  });

  return {
    url: baseUrl,
    port,
    deadLetters,
    queueUrl,
    depth: (name) => {
      const q = queues.get(name);
      if (!q) throw new Error(`sqs stand-in: no queue ${name}`);
      return q.messages.size;
    },
    drain: async (timeoutMs = 30_000) => {
      const end = Date.now() + timeoutMs;
      while (!idle()) {
        if (closing) throw new Error('sqs stand-in closed before draining');
        if (Date.now() > end) {
          const left = consumers.map(([name]) => `${name}=${queues.get(name)?.messages.size ?? 0}`).join(', ');
          throw new Error(`sqs stand-in: not drained after ${timeoutMs} ms (${left})`);
        }
        await new Promise((r) => setTimeout(r, Math.min(pollMs, 10)));
      }
    },
    close: async () => {
      closing = true;
      clearInterval(timer);
      await Promise.all([...queues.values()].map((q) => q.busy));
      // The SDK keeps sockets alive; without closing them server.close() would wait for their idle timeout.
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
