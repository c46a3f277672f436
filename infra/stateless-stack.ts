import { CfnOutput, Duration, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import * as ses from 'aws-cdk-lib/aws-ses';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { FunctionAccess, HttpRoute, ObjectCreatedHandler } from '../functions/routes';
import type { MailSender } from './context';
import { applyFunctionAccess, type FunctionAccessResources } from './constructs/function-access';
import { ProjectHttpApi, type ApiRouteBinding } from './constructs/http-api';
import { ProjectFunction } from './constructs/project-function';

/** Routes under this prefix are the admin API: only they receive ADMIN_API_KEY_SHA256. */
export const ADMIN_PATH_PREFIX = '/api/';

/** Sizing of the object-created handlers: they stream and hash files of up to 25 MB, then send email. */
export const OBJECT_CREATED_HANDLER_SIZING = { timeout: Duration.seconds(60), memorySize: 512 } as const;

/** Extra attempts Lambda makes after a failed asynchronous invocation before the event goes to the failure queue. */
export const OBJECT_CREATED_RETRY_ATTEMPTS = 2;

export interface StatelessStackProps extends StackProps {
  /** The single table (from the stateful stack). */
  readonly table: ITable;
  /** The uploads bucket (from the stateful stack), with EventBridge notifications enabled there. */
  readonly uploadsBucket: IBucket;
  /** The link-signing secret (from the stateful stack). */
  readonly linkSecret: ISecret;
  /** The HTTP routes, one function each (`httpRoutes` from functions/routes.ts). */
  readonly routes: readonly HttpRoute[];
  /** The handlers of new objects in the uploads bucket (`objectCreatedHandlers` from functions/routes.ts). */
  readonly objectCreatedHandlers?: readonly ObjectCreatedHandler[];
  /**
   * SHA-256 (lowercase hex) of the admin API key, given to the admin API functions (paths under `/api/`) as
   * `ADMIN_API_KEY_SHA256`.
   * @default - not set: the admin routes refuse every request
   */
  readonly adminApiKeySha256?: string;
  /**
   * The sender of the app's email. Required when a route or handler has `sendsEmail`.
   * @default - no sender: a function that sends email fails synth
   */
  readonly mailFrom?: MailSender;
}

/** Code: the API and its functions. Can be destroyed and redeployed at will; it holds no data. */
export class StatelessStack extends Stack {
  public readonly api: ProjectHttpApi;
  /** Every function (routes and event handlers), by route or handler id. */
  public readonly functions: ReadonlyMap<string, ProjectFunction>;
  public readonly uploadsBucket: IBucket;
  /** Per object-created handler: the EventBridge rule that invokes it. */
  public readonly objectCreatedRules: ReadonlyMap<string, events.Rule>;
  /** Per object-created handler: the queue that receives the events it failed to process (and their alarm). */
  public readonly failedEventQueues: ReadonlyMap<string, sqs.Queue>;
  public readonly failedEventAlarms: ReadonlyMap<string, cloudwatch.Alarm>;
  /** The SES configuration set of the app's email, when a function sends email. */
  public readonly mailConfigurationSet?: ses.ConfigurationSet;

  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    super(scope, id, props);
    this.uploadsBucket = props.uploadsBucket;
    const handlers = props.objectCreatedHandlers ?? [];

    const ids = [...props.routes, ...handlers].map((r) => r.id);
    const duplicate = ids.find((value, index) => ids.indexOf(value) !== index);
    if (duplicate) throw new Error(`${id}: duplicate route or handler id ${duplicate}`);

    const everything: readonly FunctionAccess[] = [...props.routes, ...handlers];
    if (everything.some((access) => access.sendsEmail)) {
      if (!props.mailFrom) throw new Error(`${id}: a function sends email, so context mailFrom (the sender) is required`);
      this.mailConfigurationSet = new ses.ConfigurationSet(this, 'MailConfigurationSet', {
        reputationMetrics: true,
        sendingEnabled: true,
        suppressionReasons: ses.SuppressionReasons.BOUNCES_AND_COMPLAINTS,
      });
    }

    // The bucket ARN through an explicit import: its export name is known now, which the cdk-nag acknowledgement
    // of each key-prefix wildcard needs (see applyFunctionAccess). Same export as an automatic reference.
    const bucketStack = Stack.of(props.uploadsBucket);
    const bucketArn =
      bucketStack === this ? props.uploadsBucket.bucketArn : bucketStack.exportValue(props.uploadsBucket.bucketArn);
    if (bucketStack !== this) this.addStackDependency(bucketStack, 'imports the uploads bucket ARN');

    const resources: FunctionAccessResources = {
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
    };

    const functions = new Map<string, ProjectFunction>();
    const bindings: ApiRouteBinding[] = [];
    for (const route of props.routes) {
      const isAdmin = route.path.startsWith(ADMIN_PATH_PREFIX);
      const handler = new ProjectFunction(this, `${route.id}Function`, {
        entry: route.entry,
        description: `${route.method} ${route.path}`,
        table: props.table,
        tableAccess: route.tableAccess,
        environment: isAdmin && props.adminApiKeySha256 ? { ADMIN_API_KEY_SHA256: props.adminApiKeySha256 } : {},
      });
      applyFunctionAccess(handler, route, resources);
      functions.set(route.id, handler);
      bindings.push({ id: route.id, method: route.method, path: route.path, handler });
    }

    const rules = new Map<string, events.Rule>();
    const queues = new Map<string, sqs.Queue>();
    const alarms = new Map<string, cloudwatch.Alarm>();
    for (const objectHandler of handlers) {
      const fn = new ProjectFunction(this, `${objectHandler.id}Function`, {
        entry: objectHandler.entry,
        description: `Object created in the uploads bucket under ${objectHandler.prefix}`,
        table: props.table,
        tableAccess: objectHandler.tableAccess,
        ...OBJECT_CREATED_HANDLER_SIZING,
      });
      applyFunctionAccess(fn, objectHandler, resources);
      functions.set(objectHandler.id, fn);

      // Events the handler could not process after its retries, and events EventBridge could not deliver: kept
      // 14 days for inspection and redrive.
      const queue = new sqs.Queue(this, `${objectHandler.id}FailedEvents`, {
        encryption: sqs.QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        retentionPeriod: Duration.days(14),
      });
      Validations.of(queue).acknowledge({
        id: 'AwsSolutions-SQS3',
        reason:
          'This queue is itself the dead-letter queue of the handler: the on-failure destination of its ' +
          'asynchronous invocations and the dead-letter queue of its EventBridge target. A queue behind it would ' +
          'receive nothing, since nothing consumes this queue automatically; its depth alarm calls for a person.',
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

      const alarm = new cloudwatch.Alarm(this, `${objectHandler.id}FailedEventsAlarm`, {
        alarmDescription:
          `${objectHandler.id} could not process an uploaded file (or EventBridge could not deliver its event): ` +
          'the event is in the failed-events queue; see infra/README.md.',
        metric: queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' }),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
      rules.set(objectHandler.id, rule);
      queues.set(objectHandler.id, queue);
      alarms.set(objectHandler.id, alarm);
    }
    this.functions = functions;
    this.objectCreatedRules = rules;
    this.failedEventQueues = queues;
    this.failedEventAlarms = alarms;

    this.api = new ProjectHttpApi(this, 'HttpApi', { routes: bindings });

    new CfnOutput(this, 'ApiUrl', { value: this.api.url, description: 'Invoke URL of the HTTP API' });
  }
}
