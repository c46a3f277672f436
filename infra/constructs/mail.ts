import { Aws, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import * as ses from 'aws-cdk-lib/aws-ses';
import * as sns from 'aws-cdk-lib/aws-sns';
import { LambdaSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import type { EventHandler } from '../../functions/routes';
import type { MailSender } from '../context';
import { AccessFunction } from './access-function';
import { DeadLetterQueue } from './dead-letter-queue';
import type { FunctionAccessResources } from './function-access';
import { RUNBOOK } from './monitoring';
import type { ProjectFunction } from './project-function';

/** Extra attempts Lambda makes after a failed run of the mail event handler before the event goes to its failure queue. */
export const MAIL_EVENT_RETRY_ATTEMPTS = 2;

export interface MailProps {
  /** The sender of the app's email (context mailFrom). Its domain is the SES identity, verified outside the stacks. */
  readonly from: MailSender;
}

/** What `addFeedbackHandler` needs besides the handler. */
export interface MailFeedbackHandlerOptions {
  /** The single table, when the handler declares `tableAccess`. */
  readonly table: ITable;
  /** What the handler's access fields refer to. */
  readonly resources: FunctionAccessResources;
}

/** The subscriber of the bounce and complaint topic, and where its failures go. */
export interface MailFeedbackHandler {
  readonly function: ProjectFunction;
  /** Failed runs and undeliverable notifications (`<id>FailedEvents`), and its alarm. */
  readonly failedEvents: DeadLetterQueue;
}

/**
 * The app's email, apart from the SES identity (verified by hand, docs/operations.md):
 * - the configuration set `ConfigurationSet` (reputation metrics; bounced and complained addresses suppressed),
 *   which every function that sends email names (`sending`);
 * - its bounces and complaints, published to the topic `FeedbackTopic`, encrypted with a key of its own
 *   (`FeedbackKey`): SES must be allowed to use the key, and the AWS managed key of SNS cannot be given to another
 *   service. Plain-HTTP requests to the topic are refused; only SES may publish, for this configuration set;
 * - the topic's subscriber, when there is one (`addFeedbackHandler`: it is added later because its access may refer
 *   to resources, such as the reminder schedules, whose functions themselves need `sending`).
 */
export class Mail extends Construct {
  public readonly configurationSet: ses.ConfigurationSet;
  /** Where the configuration set publishes bounces and complaints, and the key encrypting it. */
  public readonly feedbackTopic: sns.Topic;
  public readonly feedbackKey: kms.Key;
  /** What a function with `sendsEmail` refers to: the sender, its identity's ARN and the configuration set. */
  public readonly sending: NonNullable<FunctionAccessResources['mail']>;

  constructor(scope: Construct, id: string, props: MailProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.configurationSet = new ses.ConfigurationSet(this, 'ConfigurationSet', {
      reputationMetrics: true,
      sendingEnabled: true,
      suppressionReasons: ses.SuppressionReasons.BOUNCES_AND_COMPLAINTS,
    });
    const configurationSetName = this.configurationSet.configurationSetName;
    this.sending = {
      from: props.from.sesSource,
      identityArn: stack.formatArn({ service: 'ses', resource: 'identity', resourceName: props.from.domain }),
      configurationSetName,
      configurationSetArn: stack.formatArn({ service: 'ses', resource: 'configuration-set', resourceName: configurationSetName }),
    };

    this.feedbackKey = new kms.Key(this, 'FeedbackKey', {
      description: 'Encrypts the SES bounce and complaint notifications (MailFeedbackTopic)',
      enableKeyRotation: true,
      // Nothing is stored under this key (SNS keeps no messages): it can go with the stack.
      removalPolicy: RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(7),
    });
    this.feedbackKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'SesPublishesEncryptedNotifications',
        principals: [new iam.ServicePrincipal('ses.amazonaws.com')],
        actions: ['kms:GenerateDataKey*', 'kms:Decrypt'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
      }),
    );
    this.feedbackTopic = new sns.Topic(this, 'FeedbackTopic', {
      displayName: 'SES bounces and complaints',
      masterKey: this.feedbackKey,
      enforceSSL: true,
    });
    // Also adds the topic policy statement that lets SES publish, for this configuration set only.
    this.configurationSet.addEventDestination('BouncesAndComplaints', {
      destination: ses.EventDestination.snsTopic(this.feedbackTopic),
      events: [ses.EmailSendingEvent.BOUNCE, ses.EmailSendingEvent.COMPLAINT],
    });
  }

  /**
   * Subscribes `handler` (`mailEventHandler` from functions/routes.ts) to the bounce and complaint topic: its function
   * (`<id>Function`) and failed-events queue (`<id>FailedEvents`, and its alarm). SNS invokes a Lambda subscriber
   * asynchronously, so two things can fail: delivery (SNS could not invoke the function; SNS retries, then the
   * subscription's dead-letter queue) and the run (the handler threw; Lambda retries MAIL_EVENT_RETRY_ATTEMPTS times,
   * then the on-failure destination). A subscription dead-letter queue alone would miss every failed run, since SNS
   * counts the asynchronous invocation as delivered; so one failed-events queue is both, as for the object-created
   * handlers.
   */
  public addFeedbackHandler(handler: EventHandler, options: MailFeedbackHandlerOptions): MailFeedbackHandler {
    const fn = new AccessFunction(this, `${handler.id}Function`, {
      declaration: handler,
      table: options.table,
      resources: options.resources,
      description: 'Records SES bounces and complaints (subscriber of MailFeedbackTopic)',
      failureHandling:
        'Invoked asynchronously by its SNS subscription: a failed run goes to the failed-events queue of this ' +
        'construct, both its on-failure destination and the subscription dead-letter queue (a function-level DLQ ' +
        'would duplicate it).',
    });
    const failedEvents = new DeadLetterQueue(this, `${handler.id}FailedEvents`, {
      selfDeadLetterReason:
        'This queue is itself the dead-letter queue of the mail event handler: the on-failure destination of its ' +
        'asynchronous invocations and the dead-letter queue of its SNS subscription. A queue behind it would ' +
        'receive nothing, since nothing consumes this queue automatically; its depth alarm calls for a person.',
      alarmDescription:
        `${handler.id} could not record an SES bounce or complaint (or SNS could not deliver it): the notification ` +
        `is in its failed-events queue. Read the message and the function's log, fix the cause, then replay it. ` +
        `See ${RUNBOOK.deadLetterQueues}.`,
    });
    fn.configureAsyncInvoke({ retryAttempts: MAIL_EVENT_RETRY_ATTEMPTS, onFailure: new SqsDestination(failedEvents) });
    // Also the Lambda permission for SNS (this topic only) and the queue policy statement that lets SNS send to the
    // dead-letter queue (for this topic only). No key permission: SNS decrypts before it invokes the function.
    this.feedbackTopic.addSubscription(new LambdaSubscription(fn, { deadLetterQueue: failedEvents }));
    return { function: fn, failedEvents };
  }
}
