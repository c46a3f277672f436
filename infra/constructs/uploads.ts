import { Duration } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { ObjectCreatedHandler } from '../../functions/routes';
import { AccessFunction } from './access-function';
import { DeadLetterQueue } from './dead-letter-queue';
import type { FunctionAccessResources } from './function-access';
import { RUNBOOK } from './monitoring';
import type { ProjectFunction } from './project-function';

/**
 * Sizing of the object-created handlers: they stream and hash files of up to 100 MB (a few seconds), then send email.
 * The timeout stays well under Lambda's first retry delay (one minute), so a receipt claim outlives its holder
 * (RECEIPT_STALE_CLAIM_MS, 45 s, sits between the two).
 */
export const OBJECT_CREATED_HANDLER_SIZING = { timeout: Duration.seconds(30), memorySize: 512 } as const;

/** Extra attempts Lambda makes after a failed asynchronous invocation before the event goes to the failure queue. */
export const OBJECT_CREATED_RETRY_ATTEMPTS = 2;

export interface UploadsProps {
  /** The handlers of new objects (`objectCreatedHandlers` from functions/routes.ts), one function each. */
  readonly handlers: readonly ObjectCreatedHandler[];
  /**
   * The uploads bucket, which sends its events to EventBridge (set in the stack that owns it). Only its name is used
   * here, in the rules' event pattern; the handlers' object permissions come from `resources.bucket`.
   */
  readonly bucket: IBucket;
  /** The single table, for the handlers that declare `tableAccess`. */
  readonly table: ITable;
  /** What the handlers' access fields refer to. */
  readonly resources: FunctionAccessResources;
}

/**
 * What happens when a file lands in the uploads bucket, per object-created handler:
 * - its function (`<id>Function`, OBJECT_CREATED_HANDLER_SIZING), invoked asynchronously and retried
 *   OBJECT_CREATED_RETRY_ATTEMPTS times;
 * - an EventBridge rule (`<id>Rule`) matching `Object Created` events of the bucket under the handler's prefix. A rule,
 *   not an S3 notification: the bucket lives in the stateful stack, and a notification to this function would make
 *   that stack depend on this one;
 * - a failed-events queue (`<id>FailedEvents`, with its alarm `<id>FailedEventsAlarm`): the on-failure destination of
 *   the function and the dead-letter queue of the rule's target, so both a failed run and an undeliverable event
 *   are kept 14 days for replay.
 */
export class Uploads extends Construct {
  /** Per handler id: its function. */
  public readonly functions: ReadonlyMap<string, ProjectFunction>;
  /** Per handler id: the EventBridge rule that invokes it. */
  public readonly rules: ReadonlyMap<string, events.Rule>;
  /** Per handler id: the queue (and alarm) of the events it failed to process, or EventBridge failed to deliver. */
  public readonly failedEvents: ReadonlyMap<string, DeadLetterQueue>;

  constructor(scope: Construct, id: string, props: UploadsProps) {
    super(scope, id);
    const functions = new Map<string, ProjectFunction>();
    const rules = new Map<string, events.Rule>();
    const queues = new Map<string, DeadLetterQueue>();
    for (const handler of props.handlers) {
      const fn = new AccessFunction(this, `${handler.id}Function`, {
        declaration: handler,
        table: props.table,
        resources: props.resources,
        description: `Object created in the uploads bucket under ${handler.prefix}`,
        failureHandling:
          'Invoked asynchronously by an EventBridge rule: after its retries a failed event goes to the failed-events ' +
          'queue of this construct, which is both the on-failure destination of the invocation and the dead-letter ' +
          'queue of the rule target (a function-level DLQ would duplicate it).',
        ...OBJECT_CREATED_HANDLER_SIZING,
      });
      const queue = new DeadLetterQueue(this, `${handler.id}FailedEvents`, {
        selfDeadLetterReason:
          'This queue is itself the dead-letter queue of the handler: the on-failure destination of its ' +
          'asynchronous invocations and the dead-letter queue of its EventBridge target. A queue behind it would ' +
          'receive nothing, since nothing consumes this queue automatically; its depth alarm calls for a person.',
        alarmDescription:
          `${handler.id} could not process an uploaded file (or EventBridge could not deliver its event): ` +
          `the event is in its failed-events queue. Read the message and the function's log, fix the cause, then ` +
          `replay it. See ${RUNBOOK.deadLetterQueues}.`,
      });
      fn.configureAsyncInvoke({ retryAttempts: OBJECT_CREATED_RETRY_ATTEMPTS, onFailure: new SqsDestination(queue) });
      const rule = new events.Rule(this, `${handler.id}Rule`, {
        description: `Object Created in the uploads bucket under ${handler.prefix} -> ${handler.id}`,
        eventPattern: {
          source: ['aws.s3'],
          detailType: ['Object Created'],
          detail: {
            bucket: { name: [props.bucket.bucketName] },
            object: { key: events.Match.prefix(handler.prefix) },
          },
        },
        targets: [new targets.LambdaFunction(fn, { deadLetterQueue: queue })],
      });
      functions.set(handler.id, fn);
      rules.set(handler.id, rule);
      queues.set(handler.id, queue);
    }
    this.functions = functions;
    this.rules = rules;
    this.failedEvents = queues;
  }
}
