import { Aws, CfnOutput, Duration, RemovalPolicy, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import * as ses from 'aws-cdk-lib/aws-ses';
import * as sns from 'aws-cdk-lib/aws-sns';
import { LambdaSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { EventHandler, FunctionAccess, HttpRoute, ObjectCreatedHandler, ScheduledHandler } from '../functions/routes';
import { TABLE_KEYS } from '../shared/adapters/dynamodb/table';
import { FilesEnvSchema } from '../shared/config';
import { STALE_CLAIM_MS } from '../shared/use-cases/reminders';
import { DEFAULT_SES_MAX_SEND_RATE, type MailSender } from './context';
import { applyFunctionAccess, SCHEDULER_SERVICE, type FunctionAccessResources } from './constructs/function-access';
import { ProjectHttpApi, type ApiRouteBinding, type ApiThrottle } from './constructs/http-api';
import { Monitoring, RUNBOOK } from './constructs/monitoring';
import { ProjectFunction, type TableAccess } from './constructs/project-function';

/**
 * Per-route throttling on top of the stage's defaults, by route id (`ProjectHttpApi` puts them in the stage's
 * `RouteSettings`). The sign-in request is the public route that sends email: its handler limits it per address and
 * per client IP in DynamoDB; this caps the rate of the route as a whole, so that a flood spread over many addresses
 * and IPs stays at a few requests (and DynamoDB writes, and at most as many emails) per second.
 */
export const ROUTE_THROTTLES: Readonly<Record<string, ApiThrottle>> = {
  RequestSignIn: { rateLimit: 2, burstLimit: 10 },
};

/** The routes served by one function: `functionId ?? id` (functions/routes.ts). */
export interface RouteFunctionGroup {
  /** The function's id: the construct id is `<functionId>Function`. */
  readonly functionId: string;
  /** Its routes, in the order of `routes`; every one declares the same entry and access fields. */
  readonly routes: readonly HttpRoute[];
}

/** Route fields that may differ between the routes of one function; all the others must be the same. */
const PER_ROUTE_FIELDS: ReadonlySet<string> = new Set(['id', 'functionId', 'method', 'path']);

/**
 * Groups `routes` by function (`functionId ?? id`), in order of first appearance, and checks that the routes of a
 * group agree on the entry and every access field: one function has one role and one environment, so a route that
 * declared more (or less) would silently get the others' rights. An absent boolean and `false` count as the same.
 * Throws an Error naming the function, the two routes and the field otherwise.
 */
export function groupRoutesByFunction(routes: readonly HttpRoute[]): RouteFunctionGroup[] {
  const groups = new Map<string, HttpRoute[]>();
  for (const route of routes) {
    const functionId = route.functionId ?? route.id;
    const group = groups.get(functionId);
    if (group) group.push(route);
    else groups.set(functionId, [route]);
  }
  const declared = (route: HttpRoute): Record<string, unknown> =>
    Object.fromEntries(
      Object.entries(route).filter(([key, value]) => !PER_ROUTE_FIELDS.has(key) && value !== undefined && value !== false),
    );
  for (const [functionId, members] of groups) {
    const [first, ...others] = members;
    const expected = declared(first!);
    for (const other of others) {
      const actual = declared(other);
      const fields = [...new Set([...Object.keys(expected), ...Object.keys(actual)])].sort();
      const differing = fields.filter((field) => JSON.stringify(expected[field]) !== JSON.stringify(actual[field]));
      if (differing.length > 0) {
        throw new Error(
          `Routes ${first!.id} and ${other.id} share the function ${functionId} but declare different ` +
            `${differing.map((f) => `${f} (${JSON.stringify(expected[f])} / ${JSON.stringify(actual[f])})`).join(', ')}: ` +
            'the routes of one function must declare the same entry and access fields',
        );
      }
    }
  }
  return [...groups].map(([functionId, members]) => ({ functionId, routes: members }));
}

/** Sizing of the object-created handlers: they stream and hash files of up to 25 MB, then send email. */
export const OBJECT_CREATED_HANDLER_SIZING = { timeout: Duration.seconds(60), memorySize: 512 } as const;

/** Extra attempts Lambda makes after a failed asynchronous invocation before the event goes to the failure queue. */
export const OBJECT_CREATED_RETRY_ATTEMPTS = 2;

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

/** Extra attempts Lambda makes after a failed run of the mail event handler before the event goes to its failure queue. */
export const MAIL_EVENT_RETRY_ATTEMPTS = 2;

export interface StatelessStackProps extends StackProps {
  /** The single table (from the stateful stack). */
  readonly table: ITable;
  /** The uploads bucket (from the stateful stack), with EventBridge notifications enabled there. */
  readonly uploadsBucket: IBucket;
  /** The link-signing secret (from the stateful stack). */
  readonly linkSecret: ISecret;
  /**
   * The HTTP routes (`httpRoutes` from functions/routes.ts): one function per distinct `functionId ?? id`, shared by
   * the routes that name it.
   */
  readonly routes: readonly HttpRoute[];
  /**
   * Throttles of single routes, by route id, on top of the stage's default; a key that names no route fails synth.
   * @default ROUTE_THROTTLES
   */
  readonly routeThrottles?: Readonly<Record<string, ApiThrottle>>;
  /** The handlers of new objects in the uploads bucket (`objectCreatedHandlers` from functions/routes.ts). */
  readonly objectCreatedHandlers?: readonly ObjectCreatedHandler[];
  /**
   * The sender of the app's email. Required when a route or handler has `sendsEmail`.
   * @default - no sender: a function that sends email fails synth
   */
  readonly mailFrom?: MailSender;
  /**
   * The target of every reminder schedule (`reminderHandler` from functions/routes.ts). With it come the schedule
   * group, the scheduler role and the reminder dead-letter queue; a function with `schedules` requires it.
   * @default - no reminders
   */
  readonly reminderHandler?: ScheduledHandler;
  /**
   * The app's public origin (context appOrigin), `PUBLIC_BASE_URL` of the functions with `publicBaseUrl`.
   * @default - none: a function with `publicBaseUrl` fails synth
   */
  readonly publicBaseUrl?: string;
  /**
   * The SES maximum send rate the reminder function paces its emails at (`MAX_SEND_RATE`, emails per second).
   * @default DEFAULT_SES_MAX_SEND_RATE (10)
   */
  readonly maxSendRate?: number;
  /**
   * The reminder queue's consumer (`reminderSender` from functions/routes.ts, `reminderQueue: 'consume'`). With it
   * come the reminder queue, its dead-letter queue and their alarms; a function with `reminderQueue: 'send'` requires
   * it.
   * @default - no reminder queue
   */
  readonly reminderSender?: EventHandler;
  /**
   * The subscriber of the SES bounce and complaint topic (`mailEventHandler` from functions/routes.ts). The topic
   * exists only when a function sends email.
   * @default - the topic has no subscriber
   */
  readonly mailEventHandler?: EventHandler;
  /**
   * Where alarm notifications are emailed (context alarmEmail): an email subscription of the alarm topic.
   * @default - no subscription (the alarms still notify the topic)
   */
  readonly alarmEmail?: string;
  /**
   * The largest file a unit may upload, in bytes (1024 to 5 GiB): `MAX_UPLOAD_BYTES` of the functions that build or
   * sign upload forms (`bucketAccess: 'upload'` or `bucketName`). The recorder checks each file against the limit
   * written into its upload intent, so it needs none.
   * @default - not set: the functions apply their default, 25 MB (shared/config.ts)
   */
  readonly maxUploadBytes?: number;
}

/**
 * Code: the API and its functions. Can be destroyed and redeployed at will; it holds no data, except queued reminder
 * emails on their way out (destroy it when the reminder queue and its dead-letter queue are empty).
 */
export class StatelessStack extends Stack {
  public readonly api: ProjectHttpApi;
  /**
   * Every function, by function id: `functionId ?? id` for the routes (one function serves all the routes that name
   * it), the handler id for the event handlers.
   */
  public readonly functions: ReadonlyMap<string, ProjectFunction>;
  /** The function behind each HTTP route, by route id (several routes may map to the same function). */
  public readonly routeFunctions: ReadonlyMap<string, ProjectFunction>;
  public readonly uploadsBucket: IBucket;
  /** Per object-created handler: the EventBridge rule that invokes it. */
  public readonly objectCreatedRules: ReadonlyMap<string, events.Rule>;
  /** Per object-created handler: the queue that receives the events it failed to process (and their alarm). */
  public readonly failedEventQueues: ReadonlyMap<string, sqs.Queue>;
  public readonly failedEventAlarms: ReadonlyMap<string, cloudwatch.Alarm>;
  /** The SES configuration set of the app's email, when a function sends email. */
  public readonly mailConfigurationSet?: ses.ConfigurationSet;
  /** Where the configuration set publishes bounces and complaints, and the key encrypting it. */
  public readonly mailFeedbackTopic?: sns.Topic;
  public readonly mailFeedbackKey?: kms.Key;
  /** The reminder function (target of every schedule), when there is a reminder handler; also in `functions`. */
  public readonly reminderFunction?: ProjectFunction;
  /** The project's schedule group; its name is generated by CloudFormation (`Ref`). */
  public readonly scheduleGroup?: scheduler.CfnScheduleGroup;
  /** The role EventBridge Scheduler assumes to invoke the reminder function. */
  public readonly schedulerRole?: iam.Role;
  /** Reminder invocations that failed all their retries, and the alarm on its depth. */
  public readonly reminderDeadLetterQueue?: sqs.Queue;
  public readonly reminderDeadLetterAlarm?: cloudwatch.Alarm;
  /** The queue between the reminder function and the reminder sender, when there is a reminder sender. */
  public readonly reminderQueue?: sqs.Queue;
  /** Messages the reminder sender failed REMINDER_QUEUE_MAX_RECEIVE_COUNT times, and the alarm on its depth. */
  public readonly reminderQueueDeadLetterQueue?: sqs.Queue;
  public readonly reminderQueueDeadLetterAlarm?: cloudwatch.Alarm;
  /** The alarm on the age of the reminder queue's oldest message. */
  public readonly reminderQueueAgeAlarm?: cloudwatch.Alarm;
  /** The reminder queue's consumer; also in `functions`. */
  public readonly reminderSenderFunction?: ProjectFunction;
  /** The subscriber of the bounce and complaint topic; also in `functions`. */
  public readonly mailEventFunction?: ProjectFunction;
  /** Bounce and complaint events the mail event handler could not process (or SNS could not deliver), and their alarm. */
  public readonly mailEventFailedEvents?: sqs.Queue;
  public readonly mailEventFailedEventsAlarm?: cloudwatch.Alarm;
  /** The alarm topic, the alarms of functions, API and SES, and the dashboard; every alarm of the stack notifies the topic. */
  public readonly monitoring: Monitoring;

  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    super(scope, id, props);
    this.uploadsBucket = props.uploadsBucket;
    const handlers = props.objectCreatedHandlers ?? [];

    const reminder = props.reminderHandler;
    const sender = props.reminderSender;
    const mailEvents = props.mailEventHandler;
    const eventHandlers: readonly EventHandler[] = [
      ...handlers,
      ...[reminder, sender, mailEvents].filter((h): h is EventHandler => h !== undefined),
    ];
    const everything: readonly (FunctionAccess & { id: string })[] = [...props.routes, ...eventHandlers];
    const ids = everything.map((r) => r.id);
    const duplicate = ids.find((value, index) => ids.indexOf(value) !== index);
    if (duplicate) throw new Error(`${id}: duplicate route or handler id ${duplicate}`);
    const routeGroups = groupRoutesByFunction(props.routes);
    const clash = routeGroups.find((group) => eventHandlers.some((h) => h.id === group.functionId));
    if (clash) throw new Error(`${id}: the route function ${clash.functionId} has the id of an event handler`);

    const withSchedules = everything.filter((access) => access.schedules);
    if (withSchedules.length > 0 && !reminder) {
      throw new Error(`${id}: ${withSchedules.map((a) => a.id).join(', ')} use reminder schedules, but there is no reminder handler`);
    }
    if (reminder?.schedules) {
      // Its REMINDER_TARGET_ARN would be its own ARN: a function cannot reference itself in CloudFormation.
      throw new Error(`${id}: the reminder handler ${reminder.id} cannot have schedules access (it would be its own target)`);
    }
    if (sender && sender.reminderQueue !== 'consume') {
      throw new Error(`${id}: the reminder sender ${sender.id} must have reminderQueue 'consume' (it is the reminder queue's consumer)`);
    }
    // One consumer (with its bounded concurrency) is what keeps the whole deployment at the SES rate.
    const otherConsumers = everything.filter((access) => access.reminderQueue === 'consume' && access !== sender);
    if (otherConsumers.length > 0) {
      throw new Error(`${id}: ${otherConsumers.map((a) => a.id).join(', ')} consume the reminder queue, but only the reminder sender may`);
    }
    const enqueuers = everything.filter((access) => access.reminderQueue === 'send');
    if (enqueuers.length > 0 && !sender) {
      throw new Error(`${id}: ${enqueuers.map((a) => a.id).join(', ')} send to the reminder queue, but there is no reminder sender to consume it`);
    }

    if (everything.some((access) => access.sendsEmail)) {
      if (!props.mailFrom) throw new Error(`${id}: a function sends email, so context mailFrom (the sender) is required`);
      this.mailConfigurationSet = new ses.ConfigurationSet(this, 'MailConfigurationSet', {
        reputationMetrics: true,
        sendingEnabled: true,
        suppressionReasons: ses.SuppressionReasons.BOUNCES_AND_COMPLAINTS,
      });
      const feedback = this.addMailFeedback(this.mailConfigurationSet);
      this.mailFeedbackTopic = feedback.topic;
      this.mailFeedbackKey = feedback.key;
    }
    if (mailEvents && !this.mailFeedbackTopic) {
      throw new Error(`${id}: ${mailEvents.id} handles SES bounces and complaints, but no function sends email (there is no feedback topic)`);
    }
    const maxSendRate = props.maxSendRate ?? DEFAULT_SES_MAX_SEND_RATE;
    const maxUploadBytes = props.maxUploadBytes === undefined ? undefined : checkMaxUploadBytes(id, props.maxUploadBytes);

    // The bucket ARN through an explicit import: its export name is known now, which the cdk-nag acknowledgement
    // of each key-prefix wildcard needs (see applyFunctionAccess). Same export as an automatic reference.
    const bucketStack = Stack.of(props.uploadsBucket);
    const bucketArn =
      bucketStack === this ? props.uploadsBucket.bucketArn : bucketStack.exportValue(props.uploadsBucket.bucketArn);
    if (bucketStack !== this) this.addStackDependency(bucketStack, 'imports the uploads bucket ARN');

    let resources: FunctionAccessResources = {
      bucket: { name: props.uploadsBucket.bucketName, arn: bucketArn, encryptionKey: props.uploadsBucket.encryptionKey },
      linkSecret: props.linkSecret,
      ...(this.mailConfigurationSet && props.mailFrom
        ? {
            mail: {
              from: props.mailFrom.sesSource,
              identityArn: this.formatArn({ service: 'ses', resource: 'identity', resourceName: props.mailFrom.domain }),
              configurationSetName: this.mailConfigurationSet.configurationSetName,
              configurationSetArn: this.formatArn({
                service: 'ses',
                resource: 'configuration-set',
                resourceName: this.mailConfigurationSet.configurationSetName,
              }),
            },
          }
        : {}),
      ...(props.publicBaseUrl ? { publicBaseUrl: props.publicBaseUrl } : {}),
    };
    if (sender) {
      const reminderQueue = this.addReminderQueue();
      this.reminderQueue = reminderQueue.queue;
      this.reminderQueueDeadLetterQueue = reminderQueue.deadLetterQueue;
      this.reminderQueueDeadLetterAlarm = reminderQueue.deadLetterAlarm;
      this.reminderQueueAgeAlarm = reminderQueue.ageAlarm;
      resources = { ...resources, reminderQueue: { queue: reminderQueue.queue, maxSendRate } };
    }

    const functions = new Map<string, ProjectFunction>();
    let access: FunctionAccessResources = resources;
    if (reminder) {
      const reminders = this.addReminders(reminder, props, resources, maxSendRate);
      functions.set(reminder.id, reminders.fn);
      this.reminderFunction = reminders.fn;
      this.scheduleGroup = reminders.group;
      this.schedulerRole = reminders.role;
      this.reminderDeadLetterQueue = reminders.queue;
      this.reminderDeadLetterAlarm = reminders.alarm;
      access = {
        ...resources,
        schedules: {
          groupName: reminders.group.ref,
          targetArn: reminders.fn.functionArn,
          role: reminders.role,
          deadLetterQueueArn: reminders.queue.queueArn,
        },
      };
    }

    const throttles = props.routeThrottles ?? ROUTE_THROTTLES;
    const bindings: ApiRouteBinding[] = [];
    const routeFunctions = new Map<string, ProjectFunction>();
    for (const { functionId, routes } of routeGroups) {
      const [first] = routes;
      const handler = new ProjectFunction(this, `${functionId}Function`, {
        entry: first!.entry,
        description:
          routes.length === 1
            ? `${first!.method} ${first!.path}`
            : `${functionId}: ${routes.length} routes of the HTTP API (${first!.entry})`,
        ...this.tableOf(first!, props.table),
        ...(first!.timeoutSeconds ? { timeout: Duration.seconds(first!.timeoutSeconds) } : {}),
      });
      applyFunctionAccess(handler, first!, access);
      if (maxUploadBytes !== undefined && (first!.bucketAccess === 'upload' || first!.bucketName)) {
        handler.addEnvironment('MAX_UPLOAD_BYTES', String(maxUploadBytes));
      }
      functions.set(functionId, handler);
      for (const route of routes) {
        routeFunctions.set(route.id, handler);
        bindings.push({
          id: route.id,
          functionId,
          method: route.method,
          path: route.path,
          handler,
          ...(throttles[route.id] ? { throttle: throttles[route.id] } : {}),
        });
      }
    }
    // A renamed route must not silently lose its throttle.
    const unknownThrottles = Object.keys(throttles).filter((routeId) => !routeFunctions.has(routeId));
    if (unknownThrottles.length > 0) throw new Error(`${id}: route throttles name no route: ${unknownThrottles.join(', ')}`);

    const rules = new Map<string, events.Rule>();
    const queues = new Map<string, sqs.Queue>();
    const alarms = new Map<string, cloudwatch.Alarm>();
    for (const objectHandler of handlers) {
      const fn = new ProjectFunction(this, `${objectHandler.id}Function`, {
        entry: objectHandler.entry,
        description: `Object created in the uploads bucket under ${objectHandler.prefix}`,
        ...this.tableOf(objectHandler, props.table),
        ...OBJECT_CREATED_HANDLER_SIZING,
      });
      applyFunctionAccess(fn, objectHandler, access);
      functions.set(objectHandler.id, fn);

      // Events the handler could not process after its retries, and events EventBridge could not deliver: kept
      // 14 days for inspection and redrive.
      const { queue, alarm } = this.addFailedEventsQueue(objectHandler.id, {
        acknowledgement:
          'This queue is itself the dead-letter queue of the handler: the on-failure destination of its ' +
          'asynchronous invocations and the dead-letter queue of its EventBridge target. A queue behind it would ' +
          'receive nothing, since nothing consumes this queue automatically; its depth alarm calls for a person.',
        alarmDescription:
          `${objectHandler.id} could not process an uploaded file (or EventBridge could not deliver its event): ` +
          `the event is in its failed-events queue. Read the message and the function's log, fix the cause, then ` +
          `replay it. See ${RUNBOOK.deadLetterQueues}.`,
      });
      fn.configureAsyncInvoke({
        retryAttempts: OBJECT_CREATED_RETRY_ATTEMPTS,
        onFailure: new SqsDestination(queue),
      });

      const rule = new events.Rule(this, `${objectHandler.id}Rule`, {
        description: `Object Created in the uploads bucket under ${objectHandler.prefix} -> ${objectHandler.id}`,
        eventPattern: {
          source: ['aws.s3'],
          detailType: ['Object Created'],
          detail: {
            bucket: { name: [props.uploadsBucket.bucketName] },
            object: { key: events.Match.prefix(objectHandler.prefix) },
          },
        },
        targets: [new targets.LambdaFunction(fn, { deadLetterQueue: queue })],
      });
      rules.set(objectHandler.id, rule);
      queues.set(objectHandler.id, queue);
      alarms.set(objectHandler.id, alarm);
    }

    if (sender) {
      // The reminder queue's consumer: SQS event source, MAX_SEND_RATE and SENDER_CONCURRENCY (applyFunctionAccess).
      const fn = new ProjectFunction(this, `${sender.id}Function`, {
        entry: sender.entry,
        description: 'Sends the queued reminder emails, paced to keep the deployment at the SES rate (reminder queue consumer)',
        ...this.tableOf(sender, props.table),
        ...REMINDER_SENDER_SIZING,
      });
      applyFunctionAccess(fn, sender, access);
      functions.set(sender.id, fn);
      this.reminderSenderFunction = fn;
    }

    if (mailEvents && this.mailFeedbackTopic) {
      const mail = this.addMailEventHandler(mailEvents, this.mailFeedbackTopic, props, access);
      functions.set(mailEvents.id, mail.fn);
      this.mailEventFunction = mail.fn;
      this.mailEventFailedEvents = mail.queue;
      this.mailEventFailedEventsAlarm = mail.alarm;
    }

    this.functions = functions;
    this.routeFunctions = routeFunctions;
    this.objectCreatedRules = rules;
    this.failedEventQueues = queues;
    this.failedEventAlarms = alarms;

    this.api = new ProjectHttpApi(this, 'HttpApi', { routes: bindings });

    // Last: its dashboard lists the alarms that exist (its aspect gives every alarm of the stack its actions anyway).
    const watchedQueues = new Map<string, sqs.IQueue>();
    for (const [handlerId, queue] of queues) watchedQueues.set(`${handlerId}FailedEvents`, queue);
    if (this.reminderDeadLetterQueue) watchedQueues.set('ReminderDlq', this.reminderDeadLetterQueue);
    if (this.reminderQueue) watchedQueues.set('ReminderQueue', this.reminderQueue);
    if (this.reminderQueueDeadLetterQueue) watchedQueues.set('ReminderQueueDlq', this.reminderQueueDeadLetterQueue);
    if (mailEvents && this.mailEventFailedEvents) watchedQueues.set(`${mailEvents.id}FailedEvents`, this.mailEventFailedEvents);
    this.monitoring = new Monitoring(this, 'Monitoring', {
      ...(props.alarmEmail !== undefined ? { alarmEmail: props.alarmEmail } : {}),
      functions,
      apiStage: this.api.stage,
      queues: watchedQueues,
      table: props.table,
      tableIndexNames: [TABLE_KEYS.gsi1.indexName],
      sendsEmail: this.mailConfigurationSet !== undefined,
    });

    new CfnOutput(this, 'ApiUrl', { value: this.api.url, description: 'Invoke URL of the HTTP API' });
    if (this.scheduleGroup && this.reminderFunction && this.schedulerRole && this.reminderDeadLetterQueue) {
      // What the operator CLI needs to reconcile schedules from a workstation (README "Operator CLI").
      new CfnOutput(this, 'ScheduleGroupName', { value: this.scheduleGroup.ref, description: 'SCHEDULE_GROUP: the reminder schedule group' });
      new CfnOutput(this, 'ReminderFunctionArn', {
        value: this.reminderFunction.functionArn,
        description: 'REMINDER_TARGET_ARN: the function every reminder schedule invokes',
      });
      new CfnOutput(this, 'SchedulerRoleArn', {
        value: this.schedulerRole.roleArn,
        description: 'SCHEDULER_ROLE_ARN: the role EventBridge Scheduler assumes to invoke it',
      });
      new CfnOutput(this, 'ReminderDlqArn', {
        value: this.reminderDeadLetterQueue.queueArn,
        description: 'REMINDER_DLQ_ARN: reminder invocations that failed all their retries',
      });
    }
  }

  /** The table and its access level for a function that declares `tableAccess`; nothing (no TABLE_NAME, no grant) otherwise. */
  private tableOf(access: FunctionAccess, table: ITable): { table?: ITable; tableAccess?: TableAccess } {
    return access.tableAccess ? { table, tableAccess: access.tableAccess } : {};
  }

  /**
   * A queue that keeps for 14 days (encrypted, TLS only) the events a handler could not process, and the alarm that
   * goes off when it holds one (`<handlerId>FailedEvents`, `<handlerId>FailedEventsAlarm`). It is itself a dead-letter
   * queue: `acknowledgement` says of what, for cdk-nag's AwsSolutions-SQS3.
   */
  private addFailedEventsQueue(
    handlerId: string,
    text: { acknowledgement: string; alarmDescription: string },
  ): { queue: sqs.Queue; alarm: cloudwatch.Alarm } {
    const queue = new sqs.Queue(this, `${handlerId}FailedEvents`, {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(queue).acknowledge({ id: 'AwsSolutions-SQS3', reason: text.acknowledgement });
    const alarm = new cloudwatch.Alarm(this, `${handlerId}FailedEventsAlarm`, {
      alarmDescription: text.alarmDescription,
      metric: queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    return { queue, alarm };
  }

  /**
   * Bounces and complaints of the configuration set, published to an SNS topic (the mail event handler subscribes
   * to it, see addMailEventHandler). The topic is encrypted with a key of its own, since SES must be allowed to use the key and the
   * AWS managed key of SNS cannot be given to another service; plain-HTTP requests to the topic are refused.
   */
  private addMailFeedback(configurationSet: ses.ConfigurationSet): { topic: sns.Topic; key: kms.Key } {
    const key = new kms.Key(this, 'MailFeedbackKey', {
      description: 'Encrypts the SES bounce and complaint notifications (MailFeedbackTopic)',
      enableKeyRotation: true,
      // Nothing is stored under this key (SNS keeps no messages): it can go with the stack.
      removalPolicy: RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(7),
    });
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'SesPublishesEncryptedNotifications',
        principals: [new iam.ServicePrincipal('ses.amazonaws.com')],
        actions: ['kms:GenerateDataKey*', 'kms:Decrypt'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
      }),
    );
    const topic = new sns.Topic(this, 'MailFeedbackTopic', {
      displayName: 'SES bounces and complaints',
      masterKey: key,
      enforceSSL: true,
    });
    // Also adds the topic policy statement that lets SES publish, for this configuration set only.
    configurationSet.addEventDestination('BouncesAndComplaints', {
      destination: ses.EventDestination.snsTopic(topic),
      events: [ses.EmailSendingEvent.BOUNCE, ses.EmailSendingEvent.COMPLAINT],
    });
    return { topic, key };
  }

  /**
   * The reminder function, its dead-letter queue and alarm, the schedule group and the role EventBridge Scheduler
   * assumes to invoke the function (lambda:InvokeFunction on it, sqs:SendMessage on the queue, nothing else).
   */
  private addReminders(
    reminder: ScheduledHandler,
    props: StatelessStackProps,
    resources: FunctionAccessResources,
    maxSendRate: number,
  ): { fn: ProjectFunction; group: scheduler.CfnScheduleGroup; role: iam.Role; queue: sqs.Queue; alarm: cloudwatch.Alarm } {
    const queue = new sqs.Queue(this, 'ReminderDlq', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(queue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is itself the dead-letter queue of the reminders: EventBridge Scheduler sends it the invocations ' +
        'it could not deliver after the retry policy of the schedule, and Lambda the runs of the reminder function ' +
        'that failed all their retries. Nothing consumes it automatically; its depth alarm calls for a person.',
    });
    const alarm = new cloudwatch.Alarm(this, 'ReminderDlqAlarm', {
      alarmDescription:
        'A reminder could not be sent (EventBridge Scheduler could not invoke the reminder function, or the run ' +
        'failed all its retries): the event is in the reminder dead-letter queue. Read the message (its ' +
        `ERROR_CODE/ERROR_MESSAGE attributes or the failure record) and the function's log, fix the cause, then ` +
        `replay it. See ${RUNBOOK.deadLetterQueues}.`,
      metric: queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    const fn = new ProjectFunction(this, `${reminder.id}Function`, {
      entry: reminder.entry,
      description: 'Sends the emails of one reminder schedule (EventBridge Scheduler target)',
      ...this.tableOf(reminder, props.table),
      environment: { MAX_SEND_RATE: String(maxSendRate) },
      ...REMINDER_HANDLER_SIZING,
    });
    applyFunctionAccess(fn, reminder, resources);
    fn.configureAsyncInvoke({ retryAttempts: REMINDER_RETRY_ATTEMPTS, onFailure: new SqsDestination(queue) });

    // No name: CloudFormation generates one (Ref returns it), so stages and stacks never collide.
    const group = new scheduler.CfnScheduleGroup(this, 'ReminderScheduleGroup', {});

    const role = new iam.Role(this, 'SchedulerRole', {
      description: `Assumed by EventBridge Scheduler for the schedules of the reminder group: invokes ${reminder.id}`,
      // Only schedules of this account, in this group (confused-deputy protection).
      assumedBy: new iam.ServicePrincipal(SCHEDULER_SERVICE, {
        conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID, 'aws:SourceArn': group.attrArn } },
      }),
    });
    // The unqualified function ARN is the schedules' target: no version or alias, so no `:*`.
    role.addToPolicy(new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [fn.functionArn] }));
    role.addToPolicy(new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [queue.queueArn] }));
    return { fn, group, role, queue, alarm };
  }

  /**
   * The reminder queue (SSE-SQS, TLS only) between the reminder function and the reminder sender, its dead-letter
   * queue (after REMINDER_QUEUE_MAX_RECEIVE_COUNT deliveries) and two alarms: a message in the dead-letter queue, and
   * the oldest message older than REMINDER_QUEUE_MAX_AGE. Nothing but the reminder function (send) and the reminder
   * sender (its event source) is granted anything on the queue (applyFunctionAccess), nothing at all on its
   * dead-letter queue.
   */
  private addReminderQueue(): {
    queue: sqs.Queue;
    deadLetterQueue: sqs.Queue;
    deadLetterAlarm: cloudwatch.Alarm;
    ageAlarm: cloudwatch.Alarm;
  } {
    // The redrive policy of the queue names it, which is what AwsSolutions-SQS3 accepts as "is a dead-letter queue".
    const deadLetterQueue = new sqs.Queue(this, 'ReminderQueueDlq', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // Longer than the queue's retention: SQS keeps a message's original enqueue time when it moves it here.
      retentionPeriod: Duration.days(14),
    });
    const queue = new sqs.Queue(this, 'ReminderQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(4),
      visibilityTimeout: REMINDER_QUEUE_VISIBILITY_TIMEOUT,
      deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount: REMINDER_QUEUE_MAX_RECEIVE_COUNT },
    });
    const deadLetterAlarm = new cloudwatch.Alarm(this, 'ReminderQueueDlqAlarm', {
      alarmDescription:
        `A queued reminder email failed ${REMINDER_QUEUE_MAX_RECEIVE_COUNT} deliveries to the reminder sender and is ` +
        'in the reminder queue dead-letter queue. Read the log of the reminder sender (SES errors), fix the cause, ' +
        `then move the messages back to the reminder queue. See ${RUNBOOK.deadLetterQueues}.`,
      metric: deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    const ageAlarm = new cloudwatch.Alarm(this, 'ReminderQueueAgeAlarm', {
      alarmDescription:
        `The oldest queued reminder email has waited more than ${REMINDER_QUEUE_MAX_AGE.toHumanString()}: the reminder ` +
        'sender is stuck, throttled or too slow for the queue. Look at its errors, throttles and log, and at the SES ' +
        `sending quota. See ${RUNBOOK.reminderQueueAge}.`,
      metric: queue.metricApproximateAgeOfOldestMessage({ period: Duration.minutes(5), statistic: 'Maximum' }),
      threshold: REMINDER_QUEUE_MAX_AGE.toSeconds(),
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    return { queue, deadLetterQueue, deadLetterAlarm, ageAlarm };
  }

  /**
   * The subscriber of the bounce and complaint topic. SNS invokes a Lambda subscriber asynchronously, so two things
   * can fail: delivery (SNS could not invoke the function; SNS retries, then the subscription's dead-letter queue)
   * and the run (the handler threw; Lambda retries MAIL_EVENT_RETRY_ATTEMPTS times, then the on-failure destination).
   * A subscription dead-letter queue alone would miss every failed run, since SNS counts the asynchronous invocation
   * as delivered; so one failed-events queue is both, as for the object-created handlers.
   */
  private addMailEventHandler(
    handler: EventHandler,
    topic: sns.Topic,
    props: StatelessStackProps,
    resources: FunctionAccessResources,
  ): { fn: ProjectFunction; queue: sqs.Queue; alarm: cloudwatch.Alarm } {
    const fn = new ProjectFunction(this, `${handler.id}Function`, {
      entry: handler.entry,
      description: 'Records SES bounces and complaints (subscriber of MailFeedbackTopic)',
      ...this.tableOf(handler, props.table),
    });
    applyFunctionAccess(fn, handler, resources);
    const { queue, alarm } = this.addFailedEventsQueue(handler.id, {
      acknowledgement:
        'This queue is itself the dead-letter queue of the mail event handler: the on-failure destination of its ' +
        'asynchronous invocations and the dead-letter queue of its SNS subscription. A queue behind it would ' +
        'receive nothing, since nothing consumes this queue automatically; its depth alarm calls for a person.',
      alarmDescription:
        `${handler.id} could not record an SES bounce or complaint (or SNS could not deliver it): the notification ` +
        `is in its failed-events queue. Read the message and the function's log, fix the cause, then replay it. ` +
        `See ${RUNBOOK.deadLetterQueues}.`,
    });
    fn.configureAsyncInvoke({ retryAttempts: MAIL_EVENT_RETRY_ATTEMPTS, onFailure: new SqsDestination(queue) });
    // Also the Lambda permission for SNS (this topic only) and the queue policy statement that lets SNS send to the
    // dead-letter queue (for this topic only). No key permission: SNS decrypts before it invokes the function.
    topic.addSubscription(new LambdaSubscription(fn, { deadLetterQueue: queue }));
    return { fn, queue, alarm };
  }
}

/** `maxUploadBytes` checked against the functions' own schema (FilesEnvSchema), so that synth fails instead of a cold start. */
function checkMaxUploadBytes(stackId: string, value: number): number {
  const parsed = FilesEnvSchema.shape.MAX_UPLOAD_BYTES.safeParse(value);
  if (!parsed.success || typeof value !== 'number') {
    throw new Error(
      `${stackId}: maxUploadBytes ${JSON.stringify(value)} must be a whole number of bytes from 1024 to 5 GiB (5368709120)`,
    );
  }
  return parsed.data;
}
