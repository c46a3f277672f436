/**
 * Operations: every alarm of the stack notifies one encrypted SNS topic (emailed to the operator), the alarms the
 * runbook expects (function errors and throttles, API 5xx, SES reputation), and a CloudWatch dashboard of the app.
 */
import { Annotations, ArnFormat, Aspects, Aws, Duration, RemovalPolicy, Stack, Token, Validations, type IAspect } from 'aws-cdk-lib';
import type { IHttpStage } from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct, type IConstruct } from 'constructs';

/**
 * The runbook section each alarm points to (docs/operations.md, one section per kind of alarm). The anchors are the
 * GitHub slugs of the section headings: renaming a heading means changing it here too.
 */
export const RUNBOOK = {
  functionErrors: 'docs/operations.md#function-errors',
  functionThrottles: 'docs/operations.md#function-throttles',
  apiServerErrors: 'docs/operations.md#api-5xx-errors',
  sesBounceRate: 'docs/operations.md#ses-bounce-rate',
  sesComplaintRate: 'docs/operations.md#ses-complaint-rate',
  deadLetterQueues: 'docs/operations.md#dead-letter-queues',
  reminderQueueAge: 'docs/operations.md#reminder-queue-age',
} as const;

/** The window of the function and API alarms: one 5-minute period, any occurrence counts. */
export const ALARM_PERIOD = Duration.minutes(5);

/**
 * SES reputation thresholds (fractions, as SES publishes them): the levels at which SES places an account under
 * review (5% bounces, 0.1% complaints). SES pauses sending at 10% and 0.5%: these leave time to act.
 */
export const SES_BOUNCE_RATE_THRESHOLD = 0.05;
export const SES_COMPLAINT_RATE_THRESHOLD = 0.001;

/**
 * Window of the SES reputation alarms. The reputation metrics are already rolling rates over the account's recent
 * sending, published irregularly; an hour (maximum) keeps a high rate in alarm between data points instead of
 * flapping between ALARM and OK on every gap.
 */
export const SES_REPUTATION_PERIOD = Duration.hours(1);

export interface MonitoringProps {
  /**
   * Where alarm notifications are emailed (an SNS email subscription; the address must confirm it once).
   * @default - no subscription: subscribe to the topic by hand
   */
  readonly alarmEmail?: string;
  /**
   * The functions to watch (Errors and Throttles alarms, dashboard), by function id; the Errors alarm names the
   * function's log group.
   */
  readonly functions: ReadonlyMap<string, lambda.Function>;
  /**
   * The HTTP API's stage (`$default`): 5xx alarm and dashboard.
   * @default - no API alarm or widgets
   */
  readonly apiStage?: IHttpStage;
  /**
   * Queues shown on the dashboard (depth and age of the oldest message), by label. Their alarms are the stack's.
   * @default - none
   */
  readonly queues?: ReadonlyMap<string, IQueue>;
  /**
   * The table: consumed capacity and throttles on the dashboard, for the table and `tableIndexNames`.
   * @default - no table widgets
   */
  readonly table?: ITable;
  /**
   * Indexes of `table` shown next to it.
   * @default - none
   */
  readonly tableIndexNames?: readonly string[];
  /**
   * The app sends email through SES: the account's reputation alarms (bounce and complaint rates) and the sending
   * widgets.
   * @default false
   */
  readonly sendsEmail?: boolean;
}

/**
 * The alarm topic, the alarms of the app and its dashboard.
 *
 * - **Topic** `AlarmTopic`: encrypted with a key of its own (`AlarmKey`, rotated): CloudWatch must be allowed to use
 *   the key, and the AWS managed key of SNS cannot be shared with a service. Plain-HTTP requests are refused; only
 *   CloudWatch alarms of this account may publish (besides the account's own principals). Email subscription when
 *   `alarmEmail` is given.
 * - **Alarm actions**: every `cloudwatch.Alarm` of the stack, wherever and whenever it is created, notifies the topic
 *   when it goes into ALARM and back to OK (an aspect on the stack, so a new alarm cannot be forgotten).
 * - **Alarms** (all `treatMissingData: notBreaching`): per function, Errors >= 1 and Throttles >= 1 in 5 minutes;
 *   API 5xx >= 1 in 5 minutes; SES bounce rate >= 5% and complaint rate >= 0.1%.
 * - **Dashboard** `Dashboard`: alarm states; API requests, 4xx, 5xx and latency; per function invocations, errors,
 *   duration and throttles; queue depths and ages; SES sends, bounces and complaints; table capacity and throttles.
 */
export class Monitoring extends Construct {
  public readonly topic: sns.Topic;
  public readonly key: kms.Key;
  /** The email subscription, when `alarmEmail` was given. */
  public readonly emailSubscription?: sns.Subscription;
  /** Per function id: its Errors alarm and its Throttles alarm. */
  public readonly functionErrorAlarms: ReadonlyMap<string, cloudwatch.Alarm>;
  public readonly functionThrottleAlarms: ReadonlyMap<string, cloudwatch.Alarm>;
  /** The API's 5xx alarm, when there is an API stage. */
  public readonly apiServerErrorAlarm?: cloudwatch.Alarm;
  /** The SES reputation alarms, when the app sends email. */
  public readonly sesBounceRateAlarm?: cloudwatch.Alarm;
  public readonly sesComplaintRateAlarm?: cloudwatch.Alarm;
  public readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const stack = Stack.of(this);

    this.key = new kms.Key(this, 'AlarmKey', {
      description: 'Encrypts the alarm notifications (AlarmTopic)',
      enableKeyRotation: true,
      // Nothing is stored under this key (SNS keeps no messages): it can go with the stack.
      removalPolicy: RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(7),
    });
    // CloudWatch publishes to the encrypted topic as its service principal: without this it silently delivers nothing.
    const fromAlarmsOfThisAccount = {
      StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
      ArnLike: {
        'aws:SourceArn': stack.formatArn({
          service: 'cloudwatch',
          resource: 'alarm',
          resourceName: '*',
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      },
    };
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsPublishEncryptedNotifications',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:GenerateDataKey*', 'kms:Decrypt'],
        resources: ['*'],
        conditions: fromAlarmsOfThisAccount,
      }),
    );
    this.topic = new sns.Topic(this, 'AlarmTopic', {
      displayName: 'Cum Thi Dua alarms',
      masterKey: this.key,
      enforceSSL: true,
    });
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: fromAlarmsOfThisAccount,
      }),
    );
    if (props.alarmEmail !== undefined) {
      if (!Token.isUnresolved(props.alarmEmail) && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(props.alarmEmail)) {
        throw new Error(`${id}: alarmEmail "${props.alarmEmail}" is not an email address`);
      }
      this.emailSubscription = new sns.Subscription(this, 'AlarmEmail', {
        topic: this.topic,
        protocol: sns.SubscriptionProtocol.EMAIL,
        endpoint: props.alarmEmail,
      });
      Validations.of(this.emailSubscription).acknowledge({
        id: 'Serverless-SNSRedrivePolicy',
        reason:
          'An email subscription for people: a notification SNS cannot deliver to a mailbox is not worth a queue (the ' +
          'alarm itself stays in ALARM and shows on the dashboard); a dead-letter queue would need its own alarm, ' +
          'which could only notify this same topic.',
      });
    }
    Aspects.of(stack).add(new NotifyOnAlarm(new SnsAction(this.topic)));

    const errors = new Map<string, cloudwatch.Alarm>();
    const throttles = new Map<string, cloudwatch.Alarm>();
    for (const [functionId, fn] of props.functions) {
      errors.set(
        functionId,
        countAlarm(this, `${functionId}ErrorsAlarm`, fn.metricErrors({ period: ALARM_PERIOD, statistic: 'Sum' }), [
          `${functionId} failed at least once in 5 minutes (an unhandled error, a timeout or out of memory; for an `,
          'asynchronous function, each failed attempt counts). Read its log group ',
          fn.logGroup.logGroupName,
          ' around the alarm time (level ERROR, or "Task timed out"). ',
          `See ${RUNBOOK.functionErrors}.`,
        ]),
      );
      throttles.set(
        functionId,
        countAlarm(this, `${functionId}ThrottlesAlarm`, fn.metricThrottles({ period: ALARM_PERIOD, statistic: 'Sum' }), [
          `Lambda refused to run ${functionId} at least once in 5 minutes: the account's concurrency limit in this `,
          'region was reached (new accounts may have as little as 10). Check ConcurrentExecutions and the Service ',
          `Quotas console. See ${RUNBOOK.functionThrottles}.`,
        ]),
      );
    }
    this.functionErrorAlarms = errors;
    this.functionThrottleAlarms = throttles;

    if (props.apiStage) {
      // Any 5xx: an unexpected error in a handler (the error middleware answers 500 with a requestId without failing
      // the Lambda run, so the function's Errors alarm does not see it), a timeout at the integration, or a function
      // that could not run. The app serves a few hundred people and 4xx carry every expected refusal, so a 5xx is
      // rare and each one is a person who got an error page: a single one is worth a look. A rate (5xx / requests)
      // would be meaningless at a few requests per minute.
      this.apiServerErrorAlarm = countAlarm(
        this,
        'ApiServerErrorsAlarm',
        props.apiStage.metricServerError({ period: ALARM_PERIOD, statistic: 'Sum' }),
        [
          'The HTTP API answered 5xx at least once in 5 minutes. Find the requests in the API access log (status 5xx: ',
          'routeKey, integrationStatus, errorType), then the log of the function behind that route (an unexpected ',
          'error is logged with the requestId the response carries). ',
          `See ${RUNBOOK.apiServerErrors}.`,
        ],
      );
    }

    if (props.sendsEmail) {
      this.sesBounceRateAlarm = new cloudwatch.Alarm(this, 'SesBounceRateAlarm', {
        alarmDescription:
          `The account's SES bounce rate reached ${SES_BOUNCE_RATE_THRESHOLD * 100}% (SES reviews the account at 5% and ` +
          'may pause sending at 10%). Look at the addresses that bounced (the undeliverable addresses of each cluster, ' +
          'the SES account dashboard) and correct or remove them. ' +
          `See ${RUNBOOK.sesBounceRate}.`,
        metric: sesMetric('Reputation.BounceRate', 'Maximum', SES_REPUTATION_PERIOD),
        threshold: SES_BOUNCE_RATE_THRESHOLD,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
      this.sesComplaintRateAlarm = new cloudwatch.Alarm(this, 'SesComplaintRateAlarm', {
        alarmDescription:
          `The account's SES complaint rate reached ${SES_COMPLAINT_RATE_THRESHOLD * 100}% (SES reviews the account at ` +
          '0.1% and may pause sending at 0.5%). Find who marked the mail as spam (complaints recorded per cluster) and ' +
          `why. See ${RUNBOOK.sesComplaintRate}.`,
        metric: sesMetric('Reputation.ComplaintRate', 'Maximum', SES_REPUTATION_PERIOD),
        threshold: SES_COMPLAINT_RATE_THRESHOLD,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    }

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      defaultInterval: Duration.days(1),
    });
    // The alarms that exist now: the stack creates Monitoring last (a test checks that the widget lists them all).
    const alarms = stack.node.findAll().filter((c): c is cloudwatch.Alarm => c instanceof cloudwatch.Alarm);
    this.dashboard.addWidgets(new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms, width: 24, height: 6 }));
    if (props.apiStage) this.dashboard.addWidgets(...apiWidgets(props.apiStage));
    this.dashboard.addWidgets(...functionWidgets(props.functions));
    if (props.queues && props.queues.size > 0) this.dashboard.addWidgets(...queueWidgets(props.queues));
    if (props.sendsEmail) this.dashboard.addWidgets(...sesWidgets());
    if (props.table) this.dashboard.addWidgets(...tableWidgets(props.table, props.tableIndexNames ?? []));
  }
}

/**
 * Adds `action` as alarm action and OK action of every `cloudwatch.Alarm` it visits. An `AWS::CloudWatch::Alarm`
 * made without the L2 class would escape it: that is an error at synth.
 */
class NotifyOnAlarm implements IAspect {
  constructor(private readonly action: cloudwatch.IAlarmAction) {}

  visit(node: IConstruct): void {
    if (node instanceof cloudwatch.Alarm) {
      node.addAlarmAction(this.action);
      node.addOkAction(this.action);
    } else if (node instanceof cloudwatch.CfnAlarm && !(node.node.scope instanceof cloudwatch.Alarm)) {
      Annotations.of(node).addError('Create alarms with cloudwatch.Alarm: Monitoring adds the alarm topic to those only');
    }
  }
}

/** An alarm on a count: at least 1 in one period, no data meaning nothing happened. */
function countAlarm(scope: Construct, id: string, metric: cloudwatch.IMetric, description: string[]): cloudwatch.Alarm {
  return new cloudwatch.Alarm(scope, id, {
    alarmDescription: description.join(''),
    metric,
    threshold: 1,
    evaluationPeriods: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
}

/** An account-level SES metric (no dimension). */
function sesMetric(metricName: string, statistic: string, period: Duration = ALARM_PERIOD): cloudwatch.Metric {
  return new cloudwatch.Metric({ namespace: 'AWS/SES', metricName, statistic, period });
}

const HALF = 12;

function apiWidgets(stage: IHttpStage): cloudwatch.IWidget[] {
  return [
    new cloudwatch.GraphWidget({
      title: 'API requests, 4xx, 5xx',
      width: HALF,
      left: [
        stage.metricCount({ statistic: 'Sum', label: 'Requests' }),
        stage.metricClientError({ label: '4xx' }),
        stage.metricServerError({ label: '5xx' }),
      ],
    }),
    new cloudwatch.GraphWidget({
      title: 'API latency (ms)',
      width: HALF,
      left: [
        stage.metricLatency({ statistic: 'p50', label: 'Latency p50' }),
        stage.metricLatency({ statistic: 'p99', label: 'Latency p99' }),
        stage.metricIntegrationLatency({ statistic: 'p99', label: 'Integration latency p99' }),
      ],
    }),
  ];
}

function functionWidgets(functions: ReadonlyMap<string, lambda.Function>): cloudwatch.IWidget[] {
  const each = (metric: (fn: lambda.Function, label: string) => cloudwatch.IMetric) =>
    [...functions].map(([functionId, fn]) => metric(fn, functionId));
  return [
    new cloudwatch.GraphWidget({
      title: 'Function invocations',
      width: HALF,
      left: each((fn, label) => fn.metricInvocations({ statistic: 'Sum', label })),
    }),
    new cloudwatch.GraphWidget({
      title: 'Function errors',
      width: HALF,
      left: each((fn, label) => fn.metricErrors({ statistic: 'Sum', label })),
    }),
    new cloudwatch.GraphWidget({
      title: 'Function duration p99 (ms)',
      width: HALF,
      left: each((fn, label) => fn.metricDuration({ statistic: 'p99', label })),
    }),
    new cloudwatch.GraphWidget({
      title: 'Function throttles',
      width: HALF,
      left: each((fn, label) => fn.metricThrottles({ statistic: 'Sum', label })),
    }),
  ];
}

function queueWidgets(queues: ReadonlyMap<string, IQueue>): cloudwatch.IWidget[] {
  return [
    new cloudwatch.GraphWidget({
      title: 'Queue depth (messages visible)',
      width: HALF,
      left: [...queues].map(([label, queue]) => queue.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', label })),
    }),
    new cloudwatch.GraphWidget({
      title: 'Oldest message age (s)',
      width: HALF,
      left: [...queues].map(([label, queue]) => queue.metricApproximateAgeOfOldestMessage({ statistic: 'Maximum', label })),
    }),
  ];
}

function sesWidgets(): cloudwatch.IWidget[] {
  return [
    new cloudwatch.GraphWidget({
      title: 'SES sends, bounces, complaints (account)',
      width: HALF,
      left: [
        sesMetric('Send', 'Sum').with({ label: 'Send' }),
        sesMetric('Bounce', 'Sum').with({ label: 'Bounce' }),
        sesMetric('Complaint', 'Sum').with({ label: 'Complaint' }),
      ],
    }),
    new cloudwatch.GraphWidget({
      title: 'SES reputation (account)',
      width: HALF,
      left: [
        sesMetric('Reputation.BounceRate', 'Maximum', SES_REPUTATION_PERIOD).with({ label: 'Bounce rate' }),
        sesMetric('Reputation.ComplaintRate', 'Maximum', SES_REPUTATION_PERIOD).with({ label: 'Complaint rate' }),
      ],
      leftAnnotations: [
        { value: SES_BOUNCE_RATE_THRESHOLD, label: 'Bounce alarm' },
        { value: SES_COMPLAINT_RATE_THRESHOLD, label: 'Complaint alarm' },
      ],
    }),
  ];
}

function tableWidgets(table: ITable, indexNames: readonly string[]): cloudwatch.IWidget[] {
  const targets = [
    { label: 'table', dimensionsMap: { TableName: table.tableName } },
    ...indexNames.map((indexName) => ({
      label: indexName,
      dimensionsMap: { TableName: table.tableName, GlobalSecondaryIndexName: indexName },
    })),
  ];
  const metrics = (names: readonly string[]) =>
    targets.flatMap(({ label, dimensionsMap }) =>
      names.map(
        (metricName) =>
          new cloudwatch.Metric({
            namespace: 'AWS/DynamoDB',
            metricName,
            dimensionsMap,
            statistic: 'Sum',
            period: ALARM_PERIOD,
            label: `${label} ${metricName}`,
          }),
      ),
    );
  return [
    new cloudwatch.GraphWidget({
      title: 'DynamoDB consumed capacity',
      width: HALF,
      left: metrics(['ConsumedReadCapacityUnits', 'ConsumedWriteCapacityUnits']),
    }),
    new cloudwatch.GraphWidget({
      title: 'DynamoDB throttles',
      width: HALF,
      left: metrics(['ReadThrottleEvents', 'WriteThrottleEvents']),
    }),
  ];
}
