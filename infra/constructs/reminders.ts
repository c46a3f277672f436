import { Aws, Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { EventHandler, ScheduledHandler } from '../../functions/routes';
import { STALE_CLAIM_MS } from '../../shared/use-cases/reminders';
import { DEFAULT_SES_MAX_SEND_RATE } from '../context';
import { AccessFunction } from './access-function';
import { DeadLetterQueue } from './dead-letter-queue';
import { SCHEDULER_SERVICE, type FunctionAccessResources } from './function-access';
import { RUNBOOK } from './monitoring';
import type { ProjectFunction } from './project-function';

/** Sizing of the reminder function: it paces its emails at MAX_SEND_RATE, so a large cluster takes minutes. */
export const REMINDER_HANDLER_SIZING = { timeout: Duration.minutes(5), memorySize: 256 } as const;

/**
 * Extra attempts Lambda makes after a failed run of the reminder function. EventBridge Scheduler invokes it
 * asynchronously: its retry policy and dead-letter queue cover delivery (throttling, permissions); a run that
 * throws is retried by Lambda, then recorded in the same dead-letter queue. The send log makes retries safe.
 */
export const REMINDER_RETRY_ATTEMPTS = 2;

/**
 * Sizing of the reminder queue's consumer. A batch is at most 10 emails, each followed by a pause of
 * SENDER_CONCURRENCY / MAX_SEND_RATE seconds: 20 s in the SES sandbox (1 email per second shared by 2 copies), 2 s at
 * 10 per second. Two minutes leave room for slow SES or DynamoDB calls.
 */
export const REMINDER_SENDER_SIZING = { timeout: Duration.minutes(2), memorySize: 256 } as const;

/** Deliveries of a reminder-queue message (the first and 4 retries) before it moves to the queue's dead-letter queue. */
export const REMINDER_QUEUE_MAX_RECEIVE_COUNT = 5;

/**
 * Visibility timeout of the reminder queue: at least 6 times the consumer's timeout (the AWS advice for SQS event
 * sources), and long enough that an email claimed in the send log by a consumer that then died (timeout, crash) comes
 * back once its claim is stale (`STALE_CLAIM_MS` after the claim, which is at most one consumer run after the receive),
 * so that the retry takes the claim over instead of counting the email as already sent. 18 minutes today.
 */
export const REMINDER_QUEUE_VISIBILITY_TIMEOUT = Duration.seconds(
  Math.max(
    6 * REMINDER_SENDER_SIZING.timeout.toSeconds(),
    Math.ceil(STALE_CLAIM_MS / 1000) + REMINDER_SENDER_SIZING.timeout.toSeconds() + 60,
  ),
);

/** How old the oldest message of the reminder queue may get before its alarm goes off: sending is stuck or too slow. */
export const REMINDER_QUEUE_MAX_AGE = Duration.hours(1);

export interface RemindersProps {
  /**
   * The target of every reminder schedule (`reminderHandler` from functions/routes.ts). With it come the schedule
   * group, the scheduler role and the reminder dead-letter queue. It may not have `schedules` access (it would be its
   * own target, which CloudFormation cannot express).
   * @default - no schedules: only the reminder queue and its sender
   */
  readonly handler?: ScheduledHandler;
  /**
   * The reminder queue's consumer (`reminderSender` from functions/routes.ts), with `reminderQueue: 'consume'`. With it
   * come the reminder queue, its dead-letter queue and their alarms.
   * @default - no reminder queue: the reminder function sends its emails itself
   */
  readonly sender?: EventHandler;
  /** The single table, for the functions that declare `tableAccess`. */
  readonly table: ITable;
  /**
   * What the two functions' access fields refer to, apart from the schedules and the reminder queue, which this
   * construct adds (see `resources`).
   */
  readonly resources: FunctionAccessResources;
  /**
   * The SES maximum send rate (`MAX_SEND_RATE`, emails per second): the reminder function paces at it, and the
   * sender's copies together.
   * @default DEFAULT_SES_MAX_SEND_RATE (10)
   */
  readonly maxSendRate?: number;
}

/**
 * Reminders before each deadline. Either part may be left out (at least one is required):
 *
 * - **Schedules** (`handler`): the reminder function (`<id>Function`, REMINDER_HANDLER_SIZING, `MAX_SEND_RATE`); the
 *   schedule group `ReminderScheduleGroup` (no name: CloudFormation generates it); the role EventBridge Scheduler
 *   assumes (`SchedulerRole`: trusted for this account's schedules of this group only; lambda:InvokeFunction on the
 *   function and sqs:SendMessage on the dead-letter queue, nothing else); the dead-letter queue `ReminderDlq` (and its
 *   alarm), where Scheduler puts undeliverable invocations and Lambda the runs that failed all
 *   REMINDER_RETRY_ATTEMPTS retries. The schedules themselves are made at run time (the reconcile route, the CLI).
 * - **Queue** (`sender`): the reminder queue `ReminderQueue` (SSE-SQS, TLS only, REMINDER_QUEUE_VISIBILITY_TIMEOUT)
 *   between the reminder function and its one consumer, the sender (`<id>Function`, REMINDER_SENDER_SIZING), which
 *   keeps the whole deployment at the SES rate; its dead-letter queue `ReminderQueueDlq` after
 *   REMINDER_QUEUE_MAX_RECEIVE_COUNT deliveries; alarms on a message there and on a message older than
 *   REMINDER_QUEUE_MAX_AGE. Only the functions with `reminderQueue` access get a right on the queue (applyFunctionAccess),
 *   nobody any on its dead-letter queue.
 *
 * `resources` is what other functions' `schedules` and `reminderQueue` fields refer to.
 */
export class Reminders extends Construct {
  /** The reminder function, target of every schedule. */
  public readonly reminderFunction?: ProjectFunction;
  /** The project's schedule group; its name is generated by CloudFormation (`Ref`). */
  public readonly scheduleGroup?: scheduler.CfnScheduleGroup;
  /** The role EventBridge Scheduler assumes to invoke the reminder function. */
  public readonly schedulerRole?: iam.Role;
  /** Reminder invocations that failed all their retries (and its alarm). */
  public readonly deadLetterQueue?: DeadLetterQueue;
  /** The queue between the reminder function and the reminder sender. */
  public readonly queue?: sqs.Queue;
  /** Messages the reminder sender failed REMINDER_QUEUE_MAX_RECEIVE_COUNT times (and its alarm). */
  public readonly queueDeadLetterQueue?: DeadLetterQueue;
  /** The alarm on the age of the reminder queue's oldest message. */
  public readonly queueAgeAlarm?: cloudwatch.Alarm;
  /** The reminder queue's consumer. */
  public readonly senderFunction?: ProjectFunction;
  /** The schedules and the reminder queue, for the access fields of other functions (those that exist). */
  public readonly resources: Pick<FunctionAccessResources, 'schedules' | 'reminderQueue'>;

  constructor(scope: Construct, id: string, props: RemindersProps) {
    super(scope, id);
    const { handler, sender } = props;
    if (!handler && !sender) throw new Error(`${this.node.path}: reminders need a reminder handler, a reminder sender or both`);
    if (handler?.schedules) {
      // Its REMINDER_TARGET_ARN would be its own ARN: a function cannot reference itself in CloudFormation.
      throw new Error(`${this.node.path}: the reminder handler ${handler.id} cannot have schedules access (it would be its own target)`);
    }
    if (sender && sender.reminderQueue !== 'consume') {
      throw new Error(`${this.node.path}: the reminder sender ${sender.id} must have reminderQueue 'consume' (it is the reminder queue's consumer)`);
    }
    const maxSendRate = props.maxSendRate ?? DEFAULT_SES_MAX_SEND_RATE;

    let resources: FunctionAccessResources = props.resources;
    if (sender) {
      // The redrive policy of the queue names it, which is what AwsSolutions-SQS3 accepts as "is a dead-letter queue".
      this.queueDeadLetterQueue = new DeadLetterQueue(this, 'ReminderQueueDlq', {
        alarmDescription:
          `A queued reminder email failed ${REMINDER_QUEUE_MAX_RECEIVE_COUNT} deliveries to the reminder sender and is ` +
          'in the reminder queue dead-letter queue. Read the log of the reminder sender (SES errors), fix the cause, ' +
          `then move the messages back to the reminder queue. See ${RUNBOOK.deadLetterQueues}.`,
      });
      this.queue = new sqs.Queue(this, 'ReminderQueue', {
        encryption: sqs.QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        retentionPeriod: Duration.days(4),
        visibilityTimeout: REMINDER_QUEUE_VISIBILITY_TIMEOUT,
        deadLetterQueue: { queue: this.queueDeadLetterQueue, maxReceiveCount: REMINDER_QUEUE_MAX_RECEIVE_COUNT },
      });
      this.queueAgeAlarm = new cloudwatch.Alarm(this, 'ReminderQueueAgeAlarm', {
        alarmDescription:
          `The oldest queued reminder email has waited more than ${REMINDER_QUEUE_MAX_AGE.toHumanString()}: the reminder ` +
          'sender is stuck, throttled or too slow for the queue. Look at its errors, throttles and log, and at the SES ' +
          `sending quota. See ${RUNBOOK.reminderQueueAge}.`,
        metric: this.queue.metricApproximateAgeOfOldestMessage({ period: Duration.minutes(5), statistic: 'Maximum' }),
        threshold: REMINDER_QUEUE_MAX_AGE.toSeconds(),
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
      resources = { ...resources, reminderQueue: { queue: this.queue, maxSendRate } };
    }

    if (handler) {
      const deadLetterQueue = new DeadLetterQueue(this, 'ReminderDlq', {
        selfDeadLetterReason:
          'This queue is itself the dead-letter queue of the reminders: EventBridge Scheduler sends it the invocations ' +
          'it could not deliver after the retry policy of the schedule, and Lambda the runs of the reminder function ' +
          'that failed all their retries. Nothing consumes it automatically; its depth alarm calls for a person.',
        alarmDescription:
          'A reminder could not be sent (EventBridge Scheduler could not invoke the reminder function, or the run ' +
          'failed all its retries): the event is in the reminder dead-letter queue. Read the message (its ' +
          `ERROR_CODE/ERROR_MESSAGE attributes or the failure record) and the function's log, fix the cause, then ` +
          `replay it. See ${RUNBOOK.deadLetterQueues}.`,
      });
      const fn = new AccessFunction(this, `${handler.id}Function`, {
        declaration: handler,
        table: props.table,
        resources,
        description: 'Sends the emails of one reminder schedule (EventBridge Scheduler target)',
        failureHandling:
          'Invoked by EventBridge Scheduler: a run that fails its retries is kept in the reminder dead-letter queue ' +
          'set on every schedule target (the scheduler role may send to it), where the alarm and the runbook take over.',
        environment: { MAX_SEND_RATE: String(maxSendRate) },
        ...REMINDER_HANDLER_SIZING,
      });
      fn.configureAsyncInvoke({ retryAttempts: REMINDER_RETRY_ATTEMPTS, onFailure: new SqsDestination(deadLetterQueue) });

      // No name: CloudFormation generates one (Ref returns it), so stages and stacks never collide.
      const group = new scheduler.CfnScheduleGroup(this, 'ReminderScheduleGroup', {});
      const role = new iam.Role(this, 'SchedulerRole', {
        description: `Assumed by EventBridge Scheduler for the schedules of the reminder group: invokes ${handler.id}`,
        // Only schedules of this account, in this group (confused-deputy protection).
        assumedBy: new iam.ServicePrincipal(SCHEDULER_SERVICE, {
          conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID, 'aws:SourceArn': group.attrArn } },
        }),
      });
      // The unqualified function ARN is the schedules' target: no version or alias, so no `:*`.
      role.addToPolicy(new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [fn.functionArn] }));
      role.addToPolicy(new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [deadLetterQueue.queueArn] }));

      this.reminderFunction = fn;
      this.scheduleGroup = group;
      this.schedulerRole = role;
      this.deadLetterQueue = deadLetterQueue;
      resources = {
        ...resources,
        schedules: { groupName: group.ref, targetArn: fn.functionArn, role, deadLetterQueueArn: deadLetterQueue.queueArn },
      };
    }

    if (sender) {
      // SQS event source, MAX_SEND_RATE and SENDER_CONCURRENCY come from its reminderQueue: 'consume' (applyFunctionAccess).
      this.senderFunction = new AccessFunction(this, `${sender.id}Function`, {
        declaration: sender,
        table: props.table,
        resources,
        description: 'Sends the queued reminder emails, paced to keep the deployment at the SES rate (reminder queue consumer)',
        failureHandling:
          'Invoked by an SQS event source mapping: a message that fails REMINDER_QUEUE_MAX_RECEIVE_COUNT times moves to ' +
          'the reminder queue\'s own dead-letter queue (redrive policy); Lambda never invokes it asynchronously.',
        ...REMINDER_SENDER_SIZING,
      });
    }

    this.resources = {
      ...(resources.schedules ? { schedules: resources.schedules } : {}),
      ...(resources.reminderQueue ? { reminderQueue: resources.reminderQueue } : {}),
    };
  }
}
