/** SQS adapter for the reminder queue: batches of 10, failed entries retried once, then the run fails (and retries). */
import { SQSClient, SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import type { QueuedEmail, ReminderQueue } from '../../ports/reminder-queue';
import { localClientConfig, type LocalClientSettings } from '../local-client';
import { observeClient } from '../sdk-calls';

export function createSqsClient(settings: LocalClientSettings): SQSClient {
  return observeClient(new SQSClient({ ...localClientConfig(settings) }), 'sqs');
}

/**
 * The endpoint to send a queue's messages to: locally the stand-in that serves the queue URL; in AWS the SDK's own
 * (undefined), since a real queue URL names the regional SQS endpoint already.
 */
export function sqsEndpoint(queueUrl: string): string | undefined {
  const url = new URL(queueUrl);
  return url.hostname === '127.0.0.1' || url.hostname === 'localhost' ? url.origin : undefined;
}

const BATCH = 10;

export class SqsReminderQueue implements ReminderQueue {
  constructor(private readonly client: SQSClient, private readonly queueUrl: string) {}

  async enqueue(items: readonly QueuedEmail[]): Promise<void> {
    for (let i = 0; i < items.length; i += BATCH) {
      let entries = items.slice(i, i + BATCH).map((item, j) => ({ Id: String(j), MessageBody: JSON.stringify(item) }));
      for (let attempt = 1; entries.length > 0; attempt++) {
        const out = await this.client.send(new SendMessageBatchCommand({ QueueUrl: this.queueUrl, Entries: entries }));
        const failed = new Set((out.Failed ?? []).map((f) => f.Id));
        if (failed.size > 0 && attempt >= 2) throw new Error(`SQS refused ${failed.size} reminder message(s)`);
        entries = entries.filter((e) => failed.has(e.Id));
      }
    }
  }
}
