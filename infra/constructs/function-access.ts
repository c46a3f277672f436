/**
 * Turns the access fields of a route or event handler (`FunctionAccess` in functions/routes.ts) into environment
 * variables and least-privilege grants on a ProjectFunction. Nothing here knows a route: everything follows from the
 * fields, so a new route gets its rights by declaring them.
 */
import { Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { BucketAccess, FunctionAccess } from '../../functions/routes';
import { QUARANTINE_PREFIX, UPLOAD_PREFIX } from '../../shared/domain/submission';
import type { ProjectFunction } from './project-function';

/** S3 object actions per bucket access level, each on key prefixes only (never the whole bucket, never `s3:*`). */
export const BUCKET_GRANTS: Readonly<
  Record<BucketAccess, readonly { actions: readonly string[]; prefix: string }[]>
> = {
  // The presigned POST is signed with the function's credentials: S3 checks s3:PutObject of the signer.
  upload: [{ actions: ['s3:PutObject'], prefix: UPLOAD_PREFIX }],
  // Presigned GET links (5 minutes) for accepted and quarantined files.
  download: [
    { actions: ['s3:GetObject'], prefix: UPLOAD_PREFIX },
    { actions: ['s3:GetObject'], prefix: QUARANTINE_PREFIX },
  ],
  // Stream and hash the upload; a rejected file is moved: CopyObject (Get on the source, Put on the target) + Delete.
  record: [
    { actions: ['s3:GetObject', 's3:DeleteObject'], prefix: UPLOAD_PREFIX },
    { actions: ['s3:PutObject'], prefix: QUARANTINE_PREFIX },
  ],
};

/** SES actions of a function that sends email (the SES v1 SendEmail call, and its raw variant). */
export const SES_SEND_ACTIONS: readonly string[] = ['ses:SendEmail', 'ses:SendRawEmail'];

/** What a function may do with the reminder schedules (`schedules` in functions/routes.ts). */
export type ScheduleAccess = NonNullable<FunctionAccess['schedules']>;

/**
 * EventBridge Scheduler actions per schedule access level, granted on the schedules of the project's group only
 * (`arn:<partition>:scheduler:<region>:<account>:schedule/<group>/*`). `scheduler:ListSchedules` is granted on top, on
 * `*`: it has no resource type in the Service Authorization Reference, so IAM only matches it against `*` (a
 * group-scoped grant is refused); the adapter passes `GroupName` on every List call.
 */
export const SCHEDULE_ACTIONS: Readonly<Record<ScheduleAccess, readonly string[]>> = {
  read: ['scheduler:GetSchedule'],
  manage: ['scheduler:GetSchedule', 'scheduler:CreateSchedule', 'scheduler:DeleteSchedule'],
};

/** The List action, which supports no resource-level permission. */
export const SCHEDULE_LIST_ACTION = 'scheduler:ListSchedules';

/** The service a 'manage' function may pass the scheduler role to (condition `iam:PassedToService`). */
export const SCHEDULER_SERVICE = 'scheduler.amazonaws.com';

/**
 * The event source of the reminder queue's consumer (`reminderQueue: 'consume'`): batches of up to 10 messages, each
 * failed message reported on its own (`{ batchItemFailures }`), and at most `maxConcurrency` copies at once. 2 is the
 * lowest maximum concurrency SQS event sources allow; the consumer learns it as `SENDER_CONCURRENCY` and paces at
 * `MAX_SEND_RATE / SENDER_CONCURRENCY`, so all copies together keep to the SES rate without reserved concurrency.
 */
export const REMINDER_QUEUE_CONSUMER = { batchSize: 10, maxConcurrency: 2 } as const;

/** What a function's access fields may refer to. */
export interface FunctionAccessResources {
  readonly bucket: {
    /** Bucket name (`BUCKET_NAME`). */
    readonly name: string;
    /**
     * Bucket ARN. When the bucket lives in another stack, pass an import whose export name is known at construction
     * (`producer.exportValue(bucket.bucketArn)`): the cdk-nag acknowledgement of each prefix wildcard names the ARN
     * as it appears in the template.
     */
    readonly arn: string;
    /** Only for a customer-managed key; the uploads bucket uses SSE-S3. */
    readonly encryptionKey?: IBucket['encryptionKey'];
  };
  /** The link-signing secret (`LINK_SECRET_ARN`). */
  readonly linkSecret: ISecret;
  /** Sending email; required as soon as one function has `sendsEmail`. */
  readonly mail?: {
    /** `MAIL_FROM`, as SES accepts it in `Source`. */
    readonly from: string;
    /** ARN of the SES identity that authorises the sender (the domain of the address). */
    readonly identityArn: string;
    /** Configuration set name (`SES_CONFIGURATION_SET`) and ARN. */
    readonly configurationSetName: string;
    readonly configurationSetArn: string;
  };
  /** `PUBLIC_BASE_URL` (the app's origin); required as soon as one function has `publicBaseUrl`. */
  readonly publicBaseUrl?: string;
  /** The reminder schedules; required as soon as one function has `schedules`. */
  readonly schedules?: {
    /** The project's schedule group (`SCHEDULE_GROUP`). */
    readonly groupName: string;
    /** What every schedule invokes: the reminder function (`REMINDER_TARGET_ARN`). */
    readonly targetArn: string;
    /** The role EventBridge Scheduler assumes to invoke it (`SCHEDULER_ROLE_ARN`); 'manage' may pass it. */
    readonly role: iam.IRole;
    /** Where Scheduler puts an invocation that failed all its retries (`REMINDER_DLQ_ARN`). */
    readonly deadLetterQueueArn: string;
  };
  /** The reminder queue; required as soon as one function has `reminderQueue`. */
  readonly reminderQueue?: {
    readonly queue: IQueue;
    /** The SES maximum send rate the consumer paces its copies at together (`MAX_SEND_RATE`, emails per second). */
    readonly maxSendRate: number;
  };
}

/**
 * Sets the environment and grants for `access` on `fn` (the table is ProjectFunction's own `tableAccess`):
 * - any bucket use (`bucketAccess` or `bucketName`): `BUCKET_NAME`; `bucketAccess` adds `BUCKET_GRANTS[access]`;
 * - `linkSecret`: `LINK_SECRET_ARN` and `secret.grantRead` (GetSecretValue, DescribeSecret on that secret only);
 * - `sendsEmail`: `MAIL_FROM`, `SES_CONFIGURATION_SET`, and the SES send actions on the sender identity and the
 *   configuration set only;
 * - `publicBaseUrl`: `PUBLIC_BASE_URL` (the app's origin, for links in emails), no permission;
 * - `schedules`: `SCHEDULE_GROUP`, `REMINDER_TARGET_ARN`, `SCHEDULER_ROLE_ARN`, `REMINDER_DLQ_ARN`, and in a policy of
 *   its own (`<role>/SchedulesPolicy`) `SCHEDULE_ACTIONS[level]` on the group's schedules, `scheduler:ListSchedules`
 *   on `*`, and for 'manage' `iam:PassRole` on the scheduler role only, when passed to EventBridge Scheduler;
 * - `reminderQueue: 'send'`: `REMINDER_QUEUE_URL` and `queue.grantSendMessages` (SendMessage, GetQueueAttributes,
 *   GetQueueUrl on that queue only);
 * - `reminderQueue: 'consume'`: an SQS event source on the queue (`REMINDER_QUEUE_CONSUMER`, with partial batch
 *   failures; it grants ReceiveMessage, DeleteMessage, ChangeMessageVisibility, GetQueueAttributes, GetQueueUrl on
 *   that queue only), `MAX_SEND_RATE` and `SENDER_CONCURRENCY` (= the event source's maximum concurrency).
 */
export function applyFunctionAccess(
  fn: ProjectFunction,
  access: FunctionAccess,
  resources: FunctionAccessResources,
): void {
  if (access.bucketAccess || access.bucketName) {
    fn.addEnvironment('BUCKET_NAME', resources.bucket.name);
  }
  if (access.bucketAccess) {
    grantBucketPrefixes(fn, access.bucketAccess, resources.bucket);
  }
  if (access.linkSecret) {
    resources.linkSecret.grantRead(fn);
    // An ARN, not the secret value: the function reads the value at cold start with its role.
    fn.addEnvironment('LINK_SECRET_ARN', resources.linkSecret.secretArn);
  }
  if (access.sendsEmail) {
    const mail = resources.mail;
    if (!mail) throw new Error(`${fn.node.id}: sends email, but no sender (context mailFrom) was configured`);
    fn.addEnvironment('MAIL_FROM', mail.from);
    fn.addEnvironment('SES_CONFIGURATION_SET', mail.configurationSetName);
    iam.Grant.addToPrincipal({
      grantee: fn,
      actions: [...SES_SEND_ACTIONS],
      resourceArns: [mail.identityArn, mail.configurationSetArn],
    });
  }
  if (access.publicBaseUrl) {
    if (!resources.publicBaseUrl) throw new Error(`${fn.node.id}: builds links, but no public base URL (context appOrigin) was configured`);
    fn.addEnvironment('PUBLIC_BASE_URL', resources.publicBaseUrl);
  }
  if (access.schedules) {
    const schedules = resources.schedules;
    if (!schedules) throw new Error(`${fn.node.id}: uses reminder schedules, but the app has no reminder handler and schedule group`);
    fn.addEnvironment('SCHEDULE_GROUP', schedules.groupName);
    fn.addEnvironment('REMINDER_TARGET_ARN', schedules.targetArn);
    fn.addEnvironment('SCHEDULER_ROLE_ARN', schedules.role.roleArn);
    fn.addEnvironment('REMINDER_DLQ_ARN', schedules.deadLetterQueueArn);
    grantSchedules(fn, access.schedules, schedules);
  }
  if (access.reminderQueue) {
    const reminderQueue = resources.reminderQueue;
    if (!reminderQueue) throw new Error(`${fn.node.id}: uses the reminder queue, but the app has no reminder queue (no reminder sender)`);
    if (access.reminderQueue === 'send') {
      fn.addEnvironment('REMINDER_QUEUE_URL', reminderQueue.queue.queueUrl);
      reminderQueue.queue.grantSendMessages(fn);
    } else {
      // The event source grants what polling needs (grantConsumeMessages on the queue).
      fn.addEventSource(
        new SqsEventSource(reminderQueue.queue, {
          batchSize: REMINDER_QUEUE_CONSUMER.batchSize,
          maxConcurrency: REMINDER_QUEUE_CONSUMER.maxConcurrency,
          reportBatchItemFailures: true,
        }),
      );
      Validations.of(fn).acknowledge({
        id: 'Serverless-LambdaEventSourceMappingDestination',
        reason:
          'An SQS event source: Lambda supports on-failure destinations for stream and Kafka sources only; a message ' +
          'that keeps failing goes to the queue\'s own dead-letter queue through its redrive policy (with an alarm).',
      });
      fn.addEnvironment('MAX_SEND_RATE', String(reminderQueue.maxSendRate));
      fn.addEnvironment('SENDER_CONCURRENCY', String(REMINDER_QUEUE_CONSUMER.maxConcurrency));
    }
  }
}

/**
 * The schedule permissions, in a policy of their own attached to the function's role, so that their two cdk-nag
 * IAM5 findings (List on `*`, the group's `schedule/<group>/*`) are acknowledged on that policy alone, with their own
 * reasons, apart from the X-Ray wildcard of the role's default policy.
 */
function grantSchedules(
  fn: ProjectFunction,
  level: ScheduleAccess,
  schedules: NonNullable<FunctionAccessResources['schedules']>,
): void {
  const role = fn.role;
  if (!(role instanceof Construct)) throw new Error(`${fn.node.id}: a ProjectFunction always has a role of its own`);
  const stack = Stack.of(fn);
  const groupSchedules = stack.formatArn({ service: 'scheduler', resource: 'schedule', resourceName: `${schedules.groupName}/*` });
  const statements = [
    new iam.PolicyStatement({ actions: [SCHEDULE_LIST_ACTION], resources: ['*'] }),
    new iam.PolicyStatement({ actions: [...SCHEDULE_ACTIONS[level]], resources: [groupSchedules] }),
  ];
  if (level === 'manage') {
    // CreateSchedule names the scheduler role as the target's RoleArn: the caller must be allowed to pass it.
    statements.push(
      new iam.PolicyStatement({
        actions: ['iam:PassRole'],
        resources: [schedules.role.roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': SCHEDULER_SERVICE } },
      }),
    );
  }
  // A child of the role (not of the function), like the role's default policy.
  const policy = new iam.Policy(role, 'SchedulesPolicy', { statements, roles: [role] });
  // The function is usable only once its permissions are attached.
  fn.node.addDependency(policy);
  Validations.of(policy).acknowledge(
    {
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Only scheduler:ListSchedules is on "*": the Service Authorization Reference lists no resource type for it, ' +
        'so IAM matches it against "*" only and a grant naming the schedule group is refused. The adapter ' +
        '(shared/adapters/scheduler/schedule-store.ts) passes GroupName on every List call; Get, Create and Delete ' +
        'are scoped to the schedules of the project group.',
    },
    {
      id: `AwsSolutions-IAM5[Resource::${nagResourceName(stack.resolve(groupSchedules))}]`,
      reason:
        `The schedules of the project's schedule group (schedule/<group>/*): one schedule per reminder, named at run ` +
        `time from the cluster, plan and milestone, so names are not known at deploy time. The actions are exactly ` +
        `${SCHEDULE_ACTIONS[level].join(', ')}.`,
    },
  );
}

function grantBucketPrefixes(
  fn: ProjectFunction,
  access: BucketAccess,
  bucket: FunctionAccessResources['bucket'],
): void {
  const role = fn.role;
  if (!role) throw new Error(`${fn.node.id}: a ProjectFunction always has a role`);
  const acknowledged = new Set<string>();
  for (const { actions, prefix } of BUCKET_GRANTS[access]) {
    const objectArn = `${bucket.arn}/${prefix}*`;
    iam.Grant.addToPrincipal({ grantee: fn, actions: [...actions], resourceArns: [objectArn] });
    const finding = `AwsSolutions-IAM5[Resource::${nagResourceName(Stack.of(fn).resolve(objectArn))}]`;
    if (acknowledged.has(finding)) continue;
    acknowledged.add(finding);
    Validations.of(role).acknowledge({
      id: finding,
      reason:
        `S3 object permissions can only be narrowed to a key prefix with a trailing wildcard: this is the ` +
        `${prefix} prefix of the uploads bucket, not the bucket (object keys end in a per-upload UUID that is not ` +
        `known at deploy time). The actions are exactly ${actions.join(', ')}.`,
    });
  }
  if (bucket.encryptionKey) {
    const writes = BUCKET_GRANTS[access].some((g) => g.actions.includes('s3:PutObject'));
    if (writes) bucket.encryptionKey.grantEncryptDecrypt(fn);
    else bucket.encryptionKey.grantDecrypt(fn);
  }
}

/**
 * A resolved CloudFormation value written the way cdk-nag names IAM5 resource findings: Fn::Join concatenated,
 * Fn::ImportValue as its export name, Ref as `<Id>`, Fn::GetAtt as `<Id.Attr>`.
 */
export function nagResourceName(value: unknown): string {
  if (typeof value === 'string') return value.replace(/\$\{/g, '<').replace(/\}/g, '>');
  const node = value as Record<string, unknown>;
  if (Array.isArray(node['Fn::Join'])) {
    const [delimiter, items] = node['Fn::Join'] as [string, unknown[]];
    return items.map(nagResourceName).join(delimiter);
  }
  if ('Fn::ImportValue' in node) return nagResourceName(node['Fn::ImportValue']);
  if ('Ref' in node) return `<${nagResourceName(node.Ref)}>`;
  if (Array.isArray(node['Fn::GetAtt'])) {
    const [id, attribute] = node['Fn::GetAtt'] as [unknown, unknown];
    return `<${nagResourceName(id)}.${nagResourceName(attribute)}>`;
  }
  return JSON.stringify(value);
}
