import { Duration, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';

/** How long a dead-letter queue keeps a message: SQS's maximum, time for a person to look. */
export const DEAD_LETTER_RETENTION = Duration.days(14);

export interface DeadLetterQueueProps {
  /**
   * The depth alarm's description: what failed, what to read, what to do, and the runbook section (RUNBOOK in
   * monitoring.ts).
   */
  readonly alarmDescription: string;
  /**
   * Why this queue has no dead-letter queue of its own, for cdk-nag's AwsSolutions-SQS3, when it receives failures
   * directly (a Lambda on-failure destination, an EventBridge target or SNS subscription dead-letter queue). Leave it
   * out for the dead-letter queue of another queue: SQS3 recognises a queue named by a redrive policy.
   * @default - no acknowledgement
   */
  readonly selfDeadLetterReason?: string;
}

/**
 * A queue of failures, kept 14 days for inspection and replay (SSE-SQS, TLS only), with the alarm that goes off when
 * it holds a message. Nothing consumes it automatically: the alarm calls for a person.
 *
 * The alarm is created next to the queue in `scope` (id `${id}Alarm`), like the log group and role of a
 * ProjectFunction: `queue.alarm` returns it. Its actions come from the Monitoring construct, as for every alarm of the
 * stack.
 */
export class DeadLetterQueue extends sqs.Queue {
  /** Depth >= 1 (5-minute maximum of the visible messages); no data means an empty queue. */
  public readonly alarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: DeadLetterQueueProps) {
    super(scope, id, {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // Longer than the retention of any queue that redrives here: SQS keeps a message's original enqueue time.
      retentionPeriod: DEAD_LETTER_RETENTION,
    });
    if (props.selfDeadLetterReason !== undefined) {
      Validations.of(this).acknowledge({ id: 'AwsSolutions-SQS3', reason: props.selfDeadLetterReason });
    }
    // Every queue of this kind is the end of a failure path: a redrive policy would move its messages to yet another
    // queue that nothing reads. The alarm on its depth calls for a person, who replays after fixing the cause.
    Validations.of(this).acknowledge({
      id: 'Serverless-SQSRedrivePolicy',
      reason:
        'A dead-letter queue itself (of a function, an EventBridge target, an SNS subscription or another queue): ' +
        'its messages wait 14 days for a person, alerted by its depth alarm, to inspect and replay them ' +
        '(docs/operations.md#dead-letter-queues); a redrive policy would only move them to a further queue nobody reads.',
    });
    this.alarm = new cloudwatch.Alarm(scope, `${id}Alarm`, {
      alarmDescription: props.alarmDescription,
      metric: this.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
  }
}
