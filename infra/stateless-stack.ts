import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { EventHandler, FunctionAccess, HttpRoute, ObjectCreatedHandler, ScheduledHandler } from '../functions/routes';
import { TABLE_KEYS } from '../shared/adapters/dynamodb/table';
import { FilesEnvSchema } from '../shared/config';
import type { MailSender } from './context';
import type { DeadLetterQueue } from './constructs/dead-letter-queue';
import type { FunctionAccessResources } from './constructs/function-access';
import { ProjectHttpApi, type ApiThrottle } from './constructs/http-api';
import { Mail, type MailFeedbackHandler } from './constructs/mail';
import { Monitoring } from './constructs/monitoring';
import type { ProjectFunction } from './constructs/project-function';
import { Reminders } from './constructs/reminders';
import { groupRoutesByFunction, RouteFunctions } from './constructs/route-functions';
import { Uploads } from './constructs/uploads';

// The constants of the concern constructs, where the stack's callers have always found them.
export { MAIL_EVENT_RETRY_ATTEMPTS } from './constructs/mail';
export {
  REMINDER_HANDLER_SIZING,
  REMINDER_QUEUE_MAX_AGE,
  REMINDER_QUEUE_MAX_RECEIVE_COUNT,
  REMINDER_QUEUE_VISIBILITY_TIMEOUT,
  REMINDER_RETRY_ATTEMPTS,
  REMINDER_SENDER_SIZING,
} from './constructs/reminders';
export { groupRoutesByFunction, type RouteFunctionGroup } from './constructs/route-functions';
export { OBJECT_CREATED_HANDLER_SIZING, OBJECT_CREATED_RETRY_ATTEMPTS } from './constructs/uploads';

/**
 * Per-route throttling on top of the stage's defaults, by route id (`ProjectHttpApi` puts them in the stage's
 * `RouteSettings`). The sign-in request is the public route that sends email: its handler limits it per address and
 * per client IP in DynamoDB; this caps the rate of the route as a whole, so that a flood spread over many addresses
 * and IPs stays at a few requests (and DynamoDB writes, and at most as many emails) per second.
 */
export const ROUTE_THROTTLES: Readonly<Record<string, ApiThrottle>> = {
  RequestSignIn: { rateLimit: 2, burstLimit: 10 },
};

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
 *
 * The stack checks how the routes and handlers fit together, then composes one construct per concern: `Mail` (the
 * SES configuration set and its bounce and complaint topic), `Reminders` (schedules and the reminder queue), `Routes`
 * (the functions behind the HTTP routes), `Uploads` (the object-created handlers), the mail event handler (added to
 * `Mail`), `HttpApi`, and last `Monitoring` (its dashboard lists the alarms that exist by then).
 */
export class StatelessStack extends Stack {
  public readonly api: ProjectHttpApi;
  /**
   * Every function, by function id: `functionId ?? id` for the routes (one function serves all the routes that name
   * it), the handler id for the event handlers.
   */
  public readonly functions: ReadonlyMap<string, ProjectFunction>;
  /** The functions behind the HTTP routes. */
  public readonly routes: RouteFunctions;
  /** The object-created handlers, their rules and failed-events queues. */
  public readonly uploads: Uploads;
  /** The schedules and the reminder queue, when there is a reminder handler or sender. */
  public readonly reminders?: Reminders;
  /** The configuration set and the bounce and complaint topic, when a function sends email. */
  public readonly mail?: Mail;
  /** The subscriber of the bounce and complaint topic and its failed-events queue, when there is a mail event handler. */
  public readonly mailFeedbackHandler?: MailFeedbackHandler;
  /** The alarm topic, the alarms of functions, API and SES, and the dashboard; every alarm of the stack notifies the topic. */
  public readonly monitoring: Monitoring;

  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    super(scope, id, props);
    const handlers = props.objectCreatedHandlers ?? [];
    const reminder = props.reminderHandler;
    const sender = props.reminderSender;
    const mailEvents = props.mailEventHandler;
    checkWiring(id, props);

    if (everythingOf(props).some((access) => access.sendsEmail)) {
      if (!props.mailFrom) throw new Error(`${id}: a function sends email, so context mailFrom (the sender) is required`);
      this.mail = new Mail(this, 'Mail', { from: props.mailFrom });
    }
    const mail = this.mail;
    if (mailEvents && !mail) {
      throw new Error(`${id}: ${mailEvents.id} handles SES bounces and complaints, but no function sends email (there is no feedback topic)`);
    }
    const maxUploadBytes = props.maxUploadBytes === undefined ? undefined : checkMaxUploadBytes(id, props.maxUploadBytes);

    // The bucket ARN through an explicit import: its export name is known now, which the cdk-nag acknowledgement
    // of each key-prefix wildcard needs (see applyFunctionAccess). Same export as an automatic reference.
    const bucketStack = Stack.of(props.uploadsBucket);
    const bucketArn =
      bucketStack === this ? props.uploadsBucket.bucketArn : bucketStack.exportValue(props.uploadsBucket.bucketArn);
    if (bucketStack !== this) this.addStackDependency(bucketStack, 'imports the uploads bucket ARN');

    const shared: FunctionAccessResources = {
      bucket: { name: props.uploadsBucket.bucketName, arn: bucketArn, encryptionKey: props.uploadsBucket.encryptionKey },
      linkSecret: props.linkSecret,
      ...(mail ? { mail: mail.sending } : {}),
      ...(props.publicBaseUrl ? { publicBaseUrl: props.publicBaseUrl } : {}),
    };
    // The reminder functions get the reminder queue and schedules from their own construct; every other function
    // gets them from here.
    if (reminder || sender) {
      this.reminders = new Reminders(this, 'Reminders', {
        ...(reminder ? { handler: reminder } : {}),
        ...(sender ? { sender } : {}),
        table: props.table,
        resources: shared,
        ...(props.maxSendRate !== undefined ? { maxSendRate: props.maxSendRate } : {}),
      });
    }
    const resources: FunctionAccessResources = { ...shared, ...this.reminders?.resources };

    this.routes = new RouteFunctions(this, 'Routes', {
      routes: props.routes,
      table: props.table,
      resources,
      throttles: props.routeThrottles ?? ROUTE_THROTTLES,
      ...(maxUploadBytes !== undefined ? { maxUploadBytes } : {}),
    });
    this.uploads = new Uploads(this, 'Uploads', { handlers, bucket: props.uploadsBucket, table: props.table, resources });
    if (mail && mailEvents) {
      this.mailFeedbackHandler = mail.addFeedbackHandler(mailEvents, { table: props.table, resources });
    }

    const functions = new Map<string, ProjectFunction>();
    if (reminder && this.reminderFunction) functions.set(reminder.id, this.reminderFunction);
    for (const [functionId, fn] of this.routes.functions) functions.set(functionId, fn);
    for (const [handlerId, fn] of this.uploads.functions) functions.set(handlerId, fn);
    if (sender && this.reminderSenderFunction) functions.set(sender.id, this.reminderSenderFunction);
    if (mailEvents && this.mailFeedbackHandler) functions.set(mailEvents.id, this.mailFeedbackHandler.function);
    this.functions = functions;

    this.api = new ProjectHttpApi(this, 'HttpApi', { routes: this.routes.bindings });

    // Last: its dashboard lists the alarms that exist (its aspect gives every alarm of the stack its actions anyway).
    const watchedQueues = new Map<string, IQueue>();
    for (const [handlerId, queue] of this.uploads.failedEvents) watchedQueues.set(`${handlerId}FailedEvents`, queue);
    if (this.reminders?.deadLetterQueue) watchedQueues.set('ReminderDlq', this.reminders.deadLetterQueue);
    if (this.reminders?.queue) watchedQueues.set('ReminderQueue', this.reminders.queue);
    if (this.reminders?.queueDeadLetterQueue) watchedQueues.set('ReminderQueueDlq', this.reminders.queueDeadLetterQueue);
    if (mailEvents && this.mailFeedbackHandler) watchedQueues.set(`${mailEvents.id}FailedEvents`, this.mailFeedbackHandler.failedEvents);
    this.monitoring = new Monitoring(this, 'Monitoring', {
      ...(props.alarmEmail !== undefined ? { alarmEmail: props.alarmEmail } : {}),
      functions,
      apiStage: this.api.stage,
      queues: watchedQueues,
      table: props.table,
      tableIndexNames: [TABLE_KEYS.gsi1.indexName],
      sendsEmail: mail !== undefined,
    });

    new CfnOutput(this, 'ApiUrl', { value: this.api.url, description: 'Invoke URL of the HTTP API' });
    const reminders = this.reminders;
    if (reminders?.scheduleGroup && reminders.reminderFunction && reminders.schedulerRole && reminders.deadLetterQueue) {
      // What the operator CLI needs to reconcile schedules from a workstation (README "Operator CLI").
      new CfnOutput(this, 'ScheduleGroupName', { value: reminders.scheduleGroup.ref, description: 'SCHEDULE_GROUP: the reminder schedule group' });
      new CfnOutput(this, 'ReminderFunctionArn', {
        value: reminders.reminderFunction.functionArn,
        description: 'REMINDER_TARGET_ARN: the function every reminder schedule invokes',
      });
      new CfnOutput(this, 'SchedulerRoleArn', {
        value: reminders.schedulerRole.roleArn,
        description: 'SCHEDULER_ROLE_ARN: the role EventBridge Scheduler assumes to invoke it',
      });
      new CfnOutput(this, 'ReminderDlqArn', {
        value: reminders.deadLetterQueue.queueArn,
        description: 'REMINDER_DLQ_ARN: reminder invocations that failed all their retries',
      });
    }
  }

  /** The function behind each HTTP route, by route id (several routes may map to the same function). */
  public get routeFunctions(): ReadonlyMap<string, ProjectFunction> {
    return this.routes.routeFunctions;
  }

  /** Per object-created handler: the queue that receives the events it failed to process (`.alarm`: its alarm). */
  public get failedEventQueues(): ReadonlyMap<string, DeadLetterQueue> {
    return this.uploads.failedEvents;
  }

  /** The reminder function (target of every schedule), when there is a reminder handler; also in `functions`. */
  public get reminderFunction(): ProjectFunction | undefined {
    return this.reminders?.reminderFunction;
  }

  /** The reminder queue's consumer, when there is a reminder sender; also in `functions`. */
  public get reminderSenderFunction(): ProjectFunction | undefined {
    return this.reminders?.senderFunction;
  }
}

/** Every route and event handler of `props`, with its id. */
function everythingOf(props: StatelessStackProps): (FunctionAccess & { id: string })[] {
  const eventHandlers: EventHandler[] = [
    ...(props.objectCreatedHandlers ?? []),
    ...[props.reminderHandler, props.reminderSender, props.mailEventHandler].filter((h): h is EventHandler => h !== undefined),
  ];
  return [...props.routes, ...eventHandlers];
}

/**
 * How the routes and handlers fit together, checked before anything is built (each construct checks its own props):
 * unique ids, no route function named like an event handler, a reminder handler for every function with
 * `schedules`, and one reminder sender, the only consumer of the reminder queue, for every function that sends to it.
 */
function checkWiring(id: string, props: StatelessStackProps): void {
  const everything = everythingOf(props);
  const ids = everything.map((r) => r.id);
  const duplicate = ids.find((value, index) => ids.indexOf(value) !== index);
  if (duplicate) throw new Error(`${id}: duplicate route or handler id ${duplicate}`);
  const eventHandlerIds = new Set(everything.slice(props.routes.length).map((h) => h.id));
  const clash = groupRoutesByFunction(props.routes).find((group) => eventHandlerIds.has(group.functionId));
  if (clash) throw new Error(`${id}: the route function ${clash.functionId} has the id of an event handler`);

  const withSchedules = everything.filter((access) => access.schedules);
  if (withSchedules.length > 0 && !props.reminderHandler) {
    throw new Error(`${id}: ${withSchedules.map((a) => a.id).join(', ')} use reminder schedules, but there is no reminder handler`);
  }
  // One consumer (with its bounded concurrency) is what keeps the whole deployment at the SES rate.
  const otherConsumers = everything.filter((access) => access.reminderQueue === 'consume' && access !== props.reminderSender);
  if (otherConsumers.length > 0) {
    throw new Error(`${id}: ${otherConsumers.map((a) => a.id).join(', ')} consume the reminder queue, but only the reminder sender may`);
  }
  const enqueuers = everything.filter((access) => access.reminderQueue === 'send');
  if (enqueuers.length > 0 && !props.reminderSender) {
    throw new Error(`${id}: ${enqueuers.map((a) => a.id).join(', ')} send to the reminder queue, but there is no reminder sender to consume it`);
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
