/**
 * Reminders in AWS: the reminder function (target of every EventBridge Scheduler schedule), the schedule group, the
 * role Scheduler assumes, the reminder dead-letter queue and its alarm, the reminder queue, its dead-letter queue,
 * alarms and consumer (the reminder sender), the stack outputs the operator CLI reads; and the SES bounce/complaint
 * topic and its subscriber. Per-function schedule and queue permissions and variables are in access.test.ts.
 * Resources are found by what they are (type, trust policy, references), not through the constructs' own fields.
 */
import type { CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { httpRoutes, mailEventHandler, reminderHandler, reminderSender } from '../../functions/routes';
import type { BuiltApp } from '../../infra/build-app';
import { STALE_CLAIM_MS } from '../../shared/use-cases/reminders';
import { EXPECTED_DYNAMODB_ACTIONS, asList, cdkJsonContext, render, statementsOf, type Resources, type Statement, synthesizeOnce } from './support';

const context = cdkJsonContext() as { appOrigin: string; mailFrom: string };

describe('reminders', () => {
  let built: BuiltApp;
  let stateful: Template;
  let stateless: Template;
  // Prepare and act: one synth for the file, with cdk.json's context (no sesMaxSendRate: the default applies).
  synthesizeOnce({ nag: false }, (s) => ({ built, stateful, stateless } = s));

  const resources = () => stateless.toJSON().Resources as Resources;
  const logicalIdOf = (element: CfnElement) => element.stack.getLogicalId(element);
  const onlyOf = (template: Template, type: string, props?: Record<string, unknown>): string => {
    const ids = Object.keys(template.findResources(type, props));
    expect({ type, count: ids.length }).toEqual({ type, count: 1 });
    return ids[0]!;
  };
  const groupId = () => onlyOf(stateless, 'AWS::Scheduler::ScheduleGroup');
  const reminderFnId = () => logicalIdOf(built.stateless.functions.get(reminderHandler.id)!.node.defaultChild as CfnElement);
  /** The roles EventBridge Scheduler may assume, by trust policy. */
  const schedulerRoles = () =>
    Object.entries(stateless.findResources('AWS::IAM::Role')).filter(([, role]) =>
      JSON.stringify(role.Properties.AssumeRolePolicyDocument).includes('"scheduler.amazonaws.com"'),
    );
  const schedulerRoleId = () => {
    expect(schedulerRoles()).toHaveLength(1);
    return schedulerRoles()[0]![0];
  };
  /** The queue every reminder failure goes to: the one the reminder function's on-failure destination names. */
  const dlqId = () => {
    const configs = Object.values(stateless.findResources('AWS::Lambda::EventInvokeConfig')).filter(
      (c) => JSON.stringify(c.Properties.FunctionName) === JSON.stringify({ Ref: reminderFnId() }),
    );
    expect(configs).toHaveLength(1);
    return configs[0]!.Properties.DestinationConfig.OnFailure.Destination['Fn::GetAtt'][0] as string;
  };
  const variablesOf = (fnId: string) => resources()[fnId]!.Properties.Environment.Variables as Record<string, unknown>;
  const fnIdOf = (id: string) => logicalIdOf(built.stateless.functions.get(id)!.node.defaultChild as CfnElement);
  /** `action on resource` of every Allow statement of the identity policies attached to the function's role. */
  const allowedPairsOf = (id: string): string[] => {
    const roleRef = JSON.stringify([{ Ref: logicalIdOf(built.stateless.functions.get(id)!.role!.node.defaultChild as CfnElement) }]);
    const statements = statementsOf(stateless).filter(
      ({ type, logicalId }) => type === 'AWS::IAM::Policy' && JSON.stringify(resources()[logicalId]!.Properties.Roles) === roleRef,
    );
    expect(statements.every(({ statement }) => statement.Effect === 'Allow' && statement.Condition === undefined)).toBe(true);
    return statements
      .flatMap(({ statement }) => asList(statement.Action).flatMap((a) => asList(statement.Resource).map((r) => `${a} on ${render(r)}`)))
      .sort();
  };
  /** The queue policy statements on a queue, rendered. */
  const queuePolicyOf = (queueId: string) =>
    statementsOf(stateless)
      .filter(({ type, statement }) => type === 'AWS::SQS::QueuePolicy' && JSON.stringify(statement.Resource) === JSON.stringify({ 'Fn::GetAtt': [queueId, 'Arn'] }))
      .map(({ statement }) => statement);
  /** The alarms on a queue's metric. */
  const alarmsOn = (queueId: string) =>
    Object.values(stateless.findResources('AWS::CloudWatch::Alarm')).filter(
      (a) => JSON.stringify(a.Properties.Dimensions) === JSON.stringify([{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queueId, 'QueueName'] } }]),
    );
  const tableArn = () => {
    const tableId = logicalIdOf(built.stateful.table.node.defaultChild as CfnElement);
    const exports = (stateful.toJSON().Outputs ?? {}) as Record<string, { Value: unknown; Export?: { Name: string } }>;
    const names = Object.values(exports)
      .filter((o) => JSON.stringify(o.Value) === JSON.stringify({ 'Fn::GetAtt': [tableId, 'Arn'] }))
      .map((o) => o.Export!.Name);
    expect(names).toHaveLength(1);
    return `import(${names[0]})`;
  };
  const READ_WRITE = EXPECTED_DYNAMODB_ACTIONS.readWrite;
  /** What every function role has: its log group, X-Ray, and the read-write table grant. */
  const basePairs = (id: string) => {
    const logGroupId = resources()[fnIdOf(id)]!.Properties.LoggingConfig.LogGroup.Ref as string;
    return [
      `logs:CreateLogStream on getatt(${logGroupId}.Arn)`,
      `logs:PutLogEvents on getatt(${logGroupId}.Arn)`,
      'xray:PutTelemetryRecords on *',
      'xray:PutTraceSegments on *',
      ...READ_WRITE.flatMap((a) => [`${a} on ${tableArn()}`, `${a} on ${tableArn()}/index/GSI1`]),
    ];
  };
  /** The reminder queue: the only queue with a redrive policy. */
  const reminderQueueId = () => {
    const ids = Object.entries(stateless.findResources('AWS::SQS::Queue'))
      .filter(([, queue]) => queue.Properties.RedrivePolicy !== undefined)
      .map(([queueId]) => queueId);
    expect(ids).toHaveLength(1);
    return ids[0]!;
  };
  const reminderQueueDlqId = () => resources()[reminderQueueId()]!.Properties.RedrivePolicy.deadLetterTargetArn['Fn::GetAtt'][0] as string;

  describe('scheduler role', () => {
    it('is assumed by EventBridge Scheduler only, for schedules of this account and of the project group', () => {
      const [, role] = schedulerRoles()[0] ?? [];
      expect(role?.Properties.AssumeRolePolicyDocument.Statement).toEqual([
        {
          Action: 'sts:AssumeRole',
          Effect: 'Allow',
          Principal: { Service: 'scheduler.amazonaws.com' },
          Condition: {
            StringEquals: {
              'aws:SourceAccount': { Ref: 'AWS::AccountId' },
              'aws:SourceArn': { 'Fn::GetAtt': [groupId(), 'Arn'] },
            },
          },
        },
      ]);
      expect(schedulerRoles()).toHaveLength(1);
    });

    it('may only invoke the reminder function and send to the reminder dead-letter queue', () => {
      const roleId = schedulerRoleId();
      const role = resources()[roleId]!;
      expect(role.Properties.ManagedPolicyArns ?? []).toEqual([]);
      expect(role.Properties.Policies ?? []).toEqual([]);
      const statements: Statement[] = statementsOf(stateless)
        .filter(
          ({ type, logicalId }) =>
            type === 'AWS::IAM::Policy' && JSON.stringify(resources()[logicalId]!.Properties.Roles).includes(`"${roleId}"`),
        )
        .map(({ statement }) => statement);
      expect(statements.every((s) => s.Effect === 'Allow' && s.Condition === undefined)).toBe(true);
      const pairs = statements.flatMap((s) => asList(s.Action).flatMap((a) => asList(s.Resource).map((r) => `${a} on ${render(r)}`)));
      // The unqualified function ARN only (the schedules' target): no `:*`, no other function.
      expect(pairs.sort()).toEqual([`lambda:InvokeFunction on getatt(${reminderFnId()}.Arn)`, `sqs:SendMessage on getatt(${dlqId()}.Arn)`]);
    });
  });

  describe('reminder function', () => {
    it('has exactly the environment of its access fields, PUBLIC_BASE_URL = appOrigin and MAX_SEND_RATE = 10', () => {
      const variables = variablesOf(reminderFnId());
      expect(Object.keys(variables).sort()).toEqual(
        [
          'LINK_SECRET_ARN',
          'MAIL_FROM',
          'MAX_SEND_RATE',
          'NODE_OPTIONS',
          'POWERTOOLS_SERVICE_NAME',
          'PUBLIC_BASE_URL',
          'REMINDER_QUEUE_URL',
          'SES_CONFIGURATION_SET',
          'TABLE_NAME',
        ].sort(),
      );
      expect(variables.PUBLIC_BASE_URL).toBe(context.appOrigin);
      // Ref of a queue is its URL.
      expect(variables.REMINDER_QUEUE_URL).toEqual({ Ref: reminderQueueId() });
      expect(variables.MAX_SEND_RATE).toBe('10');
      expect(built.sesMaxSendRate).toBe(10);
      expect(render(variables.SES_CONFIGURATION_SET)).toBe(`ref(${onlyOf(stateless, 'AWS::SES::ConfigurationSet')})`);
    });

    it('runs up to 5 minutes with 256 MB (it paces its emails)', () => {
      expect(resources()[reminderFnId()]!.Properties).toMatchObject({ Timeout: 300, MemorySize: 256 });
    });

    it('retries a failed run twice, then records it in the reminder dead-letter queue', () => {
      const config = Object.values(stateless.findResources('AWS::Lambda::EventInvokeConfig')).find(
        (c) => JSON.stringify(c.Properties.FunctionName) === JSON.stringify({ Ref: reminderFnId() }),
      );
      expect(config?.Properties).toEqual({
        FunctionName: { Ref: reminderFnId() },
        Qualifier: '$LATEST',
        MaximumRetryAttempts: 2,
        DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [dlqId(), 'Arn'] } } },
      });
    });

    it('is no HTTP route and has no resource policy (Scheduler invokes it with its role)', () => {
      const permissions = Object.values(stateless.findResources('AWS::Lambda::Permission')).filter(
        (p) => JSON.stringify(p.Properties.FunctionName).includes(`"${reminderFnId()}"`),
      );
      expect(permissions).toEqual([]);
      expect(httpRoutes.map((r) => r.id)).not.toContain(reminderHandler.id);
    });
  });

  describe('reminder dead-letter queue', () => {
    it('is encrypted and keeps messages 14 days', () => {
      expect(resources()[dlqId()]!.Properties).toMatchObject({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 24 * 3600 });
    });

    it('refuses plain HTTP', () => {
      const denies = statementsOf(stateless).filter(
        ({ type, statement }) =>
          type === 'AWS::SQS::QueuePolicy' &&
          statement.Effect === 'Deny' &&
          JSON.stringify(statement.Resource) === JSON.stringify({ 'Fn::GetAtt': [dlqId(), 'Arn'] }),
      );
      expect(denies.map(({ statement }) => [statement.Action, statement.Condition])).toEqual([
        ['sqs:*', { Bool: { 'aws:SecureTransport': 'false' } }],
      ]);
    });

    it('has an alarm when it holds a message', () => {
      const alarms = Object.values(stateless.findResources('AWS::CloudWatch::Alarm')).filter(
        (a) => JSON.stringify(a.Properties.Dimensions) === JSON.stringify([{ Name: 'QueueName', Value: { 'Fn::GetAtt': [dlqId(), 'QueueName'] } }]),
      );
      expect(alarms).toHaveLength(1);
      expect(alarms[0]!.Properties).toMatchObject({
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        Threshold: 1,
        EvaluationPeriods: 1,
        TreatMissingData: 'notBreaching',
      });
    });
  });

  describe('reminder function -> reminder queue', () => {
    it('may send to the reminder queue only (sqs:SendMessage and the two reads grantSendMessages adds), and not consume it', () => {
      const onQueue = allowedPairsOf(reminderHandler.id).filter((p) => p.endsWith(` on getatt(${reminderQueueId()}.Arn)`));
      expect(onQueue).toEqual(
        ['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage'].map((a) => `${a} on getatt(${reminderQueueId()}.Arn)`),
      );
      // Its other SQS right is the one its on-failure destination needs (the reminder dead-letter queue).
      const otherSqs = allowedPairsOf(reminderHandler.id).filter((p) => p.startsWith('sqs:') && !onQueue.includes(p));
      expect(otherSqs).toEqual(['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage'].map((a) => `${a} on getatt(${dlqId()}.Arn)`));
    });
  });

  describe('reminder queue', () => {
    it('is encrypted by SQS and keeps messages 4 days', () => {
      expect(resources()[reminderQueueId()]!.Properties).toMatchObject({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 4 * 24 * 3600 });
      expect(resources()[reminderQueueId()]!.Properties.KmsMasterKeyId).toBeUndefined();
    });

    it('refuses plain HTTP, and its policy allows nothing (the two functions have identity grants)', () => {
      expect(queuePolicyOf(reminderQueueId()).map((s) => [s.Effect, s.Action, s.Condition])).toEqual([
        ['Deny', 'sqs:*', { Bool: { 'aws:SecureTransport': 'false' } }],
      ]);
    });

    it('moves a message to its own dead-letter queue after 5 deliveries', () => {
      expect(resources()[reminderQueueId()]!.Properties.RedrivePolicy).toEqual({
        deadLetterTargetArn: { 'Fn::GetAtt': [reminderQueueDlqId(), 'Arn'] },
        maxReceiveCount: 5,
      });
      expect(reminderQueueDlqId()).not.toBe(dlqId());
    });

    it('hides a message for at least 6 times the consumer timeout, and past the staleness of a send-log claim', () => {
      const visibility = resources()[reminderQueueId()]!.Properties.VisibilityTimeout as number;
      const consumerTimeout = resources()[fnIdOf(reminderSender.id)]!.Properties.Timeout as number;
      expect(visibility).toBeGreaterThanOrEqual(6 * consumerTimeout);
      // A claim is taken at most one consumer run after the receive; the redelivery must find it stale.
      expect(visibility).toBeGreaterThan(STALE_CLAIM_MS / 1000 + consumerTimeout);
      expect(visibility).toBe(18 * 60);
    });

    it('has an alarm when its oldest message is more than an hour old', () => {
      const alarms = alarmsOn(reminderQueueId());
      expect(alarms).toHaveLength(1);
      expect(alarms[0]!.Properties).toMatchObject({
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateAgeOfOldestMessage',
        Statistic: 'Maximum',
        ComparisonOperator: 'GreaterThanThreshold',
        Threshold: 3600,
        EvaluationPeriods: 1,
        TreatMissingData: 'notBreaching',
      });
    });

    it("has a dead-letter queue that is encrypted, keeps messages 14 days, refuses plain HTTP and alarms on a message", () => {
      const dlq = resources()[reminderQueueDlqId()]!.Properties;
      expect(dlq).toMatchObject({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 24 * 3600 });
      expect(dlq.RedrivePolicy).toBeUndefined();
      expect(queuePolicyOf(reminderQueueDlqId()).map((s) => [s.Effect, s.Action, s.Condition])).toEqual([
        ['Deny', 'sqs:*', { Bool: { 'aws:SecureTransport': 'false' } }],
      ]);
      const alarms = alarmsOn(reminderQueueDlqId());
      expect(alarms).toHaveLength(1);
      expect(alarms[0]!.Properties).toMatchObject({
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        Threshold: 1,
        EvaluationPeriods: 1,
        TreatMissingData: 'notBreaching',
      });
    });
  });

  describe('reminder sender (the reminder queue consumer)', () => {
    const mapping = () => {
      const mappings = Object.values(stateless.findResources('AWS::Lambda::EventSourceMapping')).filter(
        (m) => JSON.stringify(m.Properties.FunctionName) === JSON.stringify({ Ref: fnIdOf(reminderSender.id) }),
      );
      expect(mappings).toHaveLength(1);
      return mappings[0]!.Properties;
    };

    it('is invoked by the reminder queue in batches of 10, reports failed messages one by one, 2 copies at most', () => {
      const { Tags: _tags, ...properties } = mapping() as Record<string, unknown>;
      expect(properties).toEqual({
        FunctionName: { Ref: fnIdOf(reminderSender.id) },
        EventSourceArn: { 'Fn::GetAtt': [reminderQueueId(), 'Arn'] },
        BatchSize: 10,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        ScalingConfig: { MaximumConcurrency: 2 },
      });
    });

    it('paces each copy at MAX_SEND_RATE / SENDER_CONCURRENCY: SENDER_CONCURRENCY is the maximum concurrency, MAX_SEND_RATE the reminder function\'s', () => {
      const variables = variablesOf(fnIdOf(reminderSender.id));
      expect(Object.keys(variables).sort()).toEqual(
        [
          'MAIL_FROM',
          'MAX_SEND_RATE',
          'NODE_OPTIONS',
          'POWERTOOLS_SERVICE_NAME',
          'SENDER_CONCURRENCY',
          'SES_CONFIGURATION_SET',
          'TABLE_NAME',
        ].sort(),
      );
      expect(variables.SENDER_CONCURRENCY).toBe(String(mapping().ScalingConfig.MaximumConcurrency));
      expect(variables.SENDER_CONCURRENCY).toBe('2');
      expect(variables.MAX_SEND_RATE).toBe('10');
      expect(variables.MAX_SEND_RATE).toBe(variablesOf(reminderFnId()).MAX_SEND_RATE);
      expect(variables.MAIL_FROM).toBe(variablesOf(reminderFnId()).MAIL_FROM);
      expect(render(variables.SES_CONFIGURATION_SET)).toBe(`ref(${onlyOf(stateless, 'AWS::SES::ConfigurationSet')})`);
      expect(render(variables.TABLE_NAME)).toBe(render(variablesOf(reminderFnId()).TABLE_NAME));
    });

    it('runs up to 2 minutes with 256 MB, without reserved concurrency, and is invoked by nothing else', () => {
      const fn = resources()[fnIdOf(reminderSender.id)]!.Properties;
      expect(fn).toMatchObject({ Timeout: 120, MemorySize: 256 });
      expect(fn.ReservedConcurrentExecutions).toBeUndefined();
      const byId = (c: { [key: string]: any }) => JSON.stringify(c.Properties.FunctionName).includes(`"${fnIdOf(reminderSender.id)}"`);
      expect(Object.values(stateless.findResources('AWS::Lambda::Permission')).filter(byId)).toEqual([]);
      expect(Object.values(stateless.findResources('AWS::Lambda::EventInvokeConfig')).filter(byId)).toEqual([]);
    });

    it('may consume the reminder queue and send email from the mailFrom identity with the configuration set, nothing more', () => {
      const queueArn = `getatt(${reminderQueueId()}.Arn)`;
      const sesArn = (resource: string) => `arn:ref(AWS::Partition):ses:ref(AWS::Region):ref(AWS::AccountId):${resource}`;
      const domain = context.mailFrom.replace(/^.*@/, '').replace(/>$/, '');
      const ses = [sesArn(`identity/${domain}`), sesArn(`configuration-set/ref(${onlyOf(stateless, 'AWS::SES::ConfigurationSet')})`)];
      expect(allowedPairsOf(reminderSender.id)).toEqual(
        [
          ...basePairs(reminderSender.id),
          ...['sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:ReceiveMessage'].map(
            (a) => `${a} on ${queueArn}`,
          ),
          ...['ses:SendEmail', 'ses:SendRawEmail'].flatMap((a) => ses.map((r) => `${a} on ${r}`)),
        ].sort(),
      );
    });
  });

  describe('schedule group', () => {
    it('exists once, in the stateless stack, with a name CloudFormation generates', () => {
      const group = resources()[groupId()]!;
      expect(group.Properties.Name).toBeUndefined();
      stateful.resourceCountIs('AWS::Scheduler::ScheduleGroup', 0);
      // Schedules are created at run time by the reconcile route, never by CloudFormation.
      stateless.resourceCountIs('AWS::Scheduler::Schedule', 0);
    });
  });

  describe('outputs for the operator CLI', () => {
    it('gives SCHEDULE_GROUP, REMINDER_TARGET_ARN, SCHEDULER_ROLE_ARN and REMINDER_DLQ_ARN', () => {
      const outputs = stateless.toJSON().Outputs as Record<string, { Value: unknown }>;
      expect({
        ScheduleGroupName: outputs.ScheduleGroupName?.Value,
        ReminderFunctionArn: outputs.ReminderFunctionArn?.Value,
        SchedulerRoleArn: outputs.SchedulerRoleArn?.Value,
        ReminderDlqArn: outputs.ReminderDlqArn?.Value,
      }).toEqual({
        ScheduleGroupName: { Ref: groupId() },
        ReminderFunctionArn: { 'Fn::GetAtt': [reminderFnId(), 'Arn'] },
        SchedulerRoleArn: { 'Fn::GetAtt': [schedulerRoleId(), 'Arn'] },
        ReminderDlqArn: { 'Fn::GetAtt': [dlqId(), 'Arn'] },
      });
      expect(outputs.ApiUrl).toBeDefined();
    });

    it('gives the values the functions that manage schedules get, so the CLI and the API act alike', () => {
      const outputs = stateless.toJSON().Outputs as Record<string, { Value: unknown }>;
      const managers = httpRoutes.filter((r) => r.schedules === 'manage');
      expect(managers.length).toBeGreaterThan(0);
      for (const route of managers) {
        const variables = variablesOf(logicalIdOf(built.stateless.routeFunctions.get(route.id)!.node.defaultChild as CfnElement));
        expect({
          SCHEDULE_GROUP: variables.SCHEDULE_GROUP,
          REMINDER_TARGET_ARN: variables.REMINDER_TARGET_ARN,
          SCHEDULER_ROLE_ARN: variables.SCHEDULER_ROLE_ARN,
          REMINDER_DLQ_ARN: variables.REMINDER_DLQ_ARN,
        }).toEqual({
          SCHEDULE_GROUP: outputs.ScheduleGroupName?.Value,
          REMINDER_TARGET_ARN: outputs.ReminderFunctionArn?.Value,
          SCHEDULER_ROLE_ARN: outputs.SchedulerRoleArn?.Value,
          REMINDER_DLQ_ARN: outputs.ReminderDlqArn?.Value,
        });
      }
    });

    it('gives TABLE_NAME, BUCKET_NAME and LINK_SECRET_ARN from the stateful stack', () => {
      const outputs = stateful.toJSON().Outputs as Record<string, { Value: unknown }>;
      expect({
        TableName: outputs.TableName?.Value,
        BucketName: outputs.BucketName?.Value,
        LinkSecretArn: outputs.LinkSecretArn?.Value,
      }).toEqual({
        TableName: { Ref: onlyOf(stateful, 'AWS::DynamoDB::Table') },
        BucketName: { Ref: logicalIdOf(built.stateful.uploadsBucket.node.defaultChild as CfnElement) },
        LinkSecretArn: { Ref: onlyOf(stateful, 'AWS::SecretsManager::Secret') },
      });
    });
  });

  describe('SES bounces and complaints', () => {
    // The stack has a second topic, for alarms (monitoring.test.ts).
    const topicId = () => onlyOf(stateless, 'AWS::SNS::Topic', { Properties: { DisplayName: 'SES bounces and complaints' } });

    it('are published by the configuration set to an SNS topic, and nothing else is', () => {
      const destinations = Object.values(stateless.findResources('AWS::SES::ConfigurationSetEventDestination'));
      expect(destinations).toHaveLength(1);
      const destination = destinations[0]!.Properties;
      expect(destination.ConfigurationSetName).toEqual({ Ref: onlyOf(stateless, 'AWS::SES::ConfigurationSet') });
      expect([...destination.EventDestination.MatchingEventTypes].sort()).toEqual(['bounce', 'complaint']);
      expect(destination.EventDestination.SnsDestination).toEqual({ TopicARN: { Ref: topicId() } });
      expect(destination.EventDestination.Enabled).toBe(true);
    });

    it('go to a topic encrypted with a rotated key that SES may use, of this account only', () => {
      const keyRef = resources()[topicId()]!.Properties.KmsMasterKeyId as { 'Fn::GetAtt': [string, string] };
      expect(keyRef).toEqual({ 'Fn::GetAtt': [expect.any(String), 'Arn'] });
      const keyId = keyRef['Fn::GetAtt'][0];
      expect(resources()[keyId]!.Type).toBe('AWS::KMS::Key');
      const key = resources()[keyId]!.Properties;
      expect(key.EnableKeyRotation).toBe(true);
      const forSes = (key.KeyPolicy.Statement as Statement[]).filter((s) => JSON.stringify(s.Principal).includes('ses.amazonaws.com'));
      expect(forSes.map((s) => ({ actions: asList(s.Action).sort(), condition: s.Condition }))).toEqual([
        { actions: ['kms:Decrypt', 'kms:GenerateDataKey*'], condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } } },
      ]);
    });

    it('go to a topic that refuses plain HTTP and that only SES, for this configuration set, may publish to', () => {
      const policies = Object.values(stateless.findResources('AWS::SNS::TopicPolicy')).filter((p) =>
        JSON.stringify(p.Properties.Topics).includes(`{"Ref":"${topicId()}"}`),
      );
      expect(policies).toHaveLength(1);
      expect(policies[0]!.Properties.Topics).toEqual([{ Ref: topicId() }]);
      const statements = policies[0]!.Properties.PolicyDocument.Statement as Statement[];
      expect(statements.filter((s) => s.Effect === 'Deny').map((s) => [s.Action, s.Principal, s.Condition])).toEqual([
        ['sns:Publish', '*', { Bool: { 'aws:SecureTransport': 'false' } }],
      ]);
      const allows = statements.filter((s) => s.Effect === 'Allow');
      expect(allows).toHaveLength(1);
      expect(allows[0]).toMatchObject({ Action: 'sns:Publish', Principal: { Service: 'ses.amazonaws.com' } });
      expect(render(allows[0]!.Condition!.StringEquals!['AWS:SourceArn'])).toBe(
        `arn:ref(AWS::Partition):ses:ref(AWS::Region):ref(AWS::AccountId):configuration-set/ref(${onlyOf(stateless, 'AWS::SES::ConfigurationSet')})`,
      );
    });

    /** The queue RecordMailEvent's failures go to: its on-failure destination. */
    const failuresId = () => {
      const configs = Object.values(stateless.findResources('AWS::Lambda::EventInvokeConfig')).filter(
        (c) => JSON.stringify(c.Properties.FunctionName) === JSON.stringify({ Ref: fnIdOf(mailEventHandler.id) }),
      );
      expect(configs).toHaveLength(1);
      return configs[0]!.Properties.DestinationConfig.OnFailure.Destination['Fn::GetAtt'][0] as string;
    };

    it('are delivered to RecordMailEvent only, by a Lambda subscription whose dead-letter queue is its failed-events queue', () => {
      const subscriptions = Object.values(stateless.findResources('AWS::SNS::Subscription')).filter(
        (s) => JSON.stringify(s.Properties.TopicArn) === JSON.stringify({ Ref: topicId() }),
      );
      expect(subscriptions.map((s) => s.Properties)).toEqual([
        {
          Protocol: 'lambda',
          TopicArn: { Ref: topicId() },
          Endpoint: { 'Fn::GetAtt': [fnIdOf(mailEventHandler.id), 'Arn'] },
          RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [failuresId(), 'Arn'] } },
        },
      ]);
      // SNS may invoke it, for this topic only; nothing else may.
      const permissions = Object.values(stateless.findResources('AWS::Lambda::Permission')).filter((p) =>
        JSON.stringify(p.Properties.FunctionName).includes(`"${fnIdOf(mailEventHandler.id)}"`),
      );
      expect(permissions.map((p) => p.Properties)).toEqual([
        {
          Action: 'lambda:InvokeFunction',
          FunctionName: { 'Fn::GetAtt': [fnIdOf(mailEventHandler.id), 'Arn'] },
          Principal: 'sns.amazonaws.com',
          SourceArn: { Ref: topicId() },
        },
      ]);
    });

    it('that RecordMailEvent fails to record are retried twice, then go to the same failed-events queue', () => {
      const config = Object.values(stateless.findResources('AWS::Lambda::EventInvokeConfig')).find(
        (c) => JSON.stringify(c.Properties.FunctionName) === JSON.stringify({ Ref: fnIdOf(mailEventHandler.id) }),
      );
      expect(config?.Properties).toEqual({
        FunctionName: { Ref: fnIdOf(mailEventHandler.id) },
        Qualifier: '$LATEST',
        MaximumRetryAttempts: 2,
        DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [failuresId(), 'Arn'] } } },
      });
    });

    it('that fail land in a queue that is encrypted, keeps 14 days, takes only TLS and only this topic from SNS, and alarms', () => {
      expect(resources()[failuresId()]!.Properties).toMatchObject({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 24 * 3600 });
      expect(
        queuePolicyOf(failuresId()).map((s) => ({ effect: s.Effect, action: s.Action, principal: s.Principal, condition: s.Condition })),
      ).toEqual([
        { effect: 'Deny', action: 'sqs:*', principal: { AWS: '*' }, condition: { Bool: { 'aws:SecureTransport': 'false' } } },
        {
          effect: 'Allow',
          action: 'sqs:SendMessage',
          principal: { Service: 'sns.amazonaws.com' },
          condition: { ArnEquals: { 'aws:SourceArn': { Ref: topicId() } } },
        },
      ]);
      const alarms = alarmsOn(failuresId());
      expect(alarms).toHaveLength(1);
      expect(alarms[0]!.Properties).toMatchObject({
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        Threshold: 1,
        EvaluationPeriods: 1,
        TreatMissingData: 'notBreaching',
      });
    });

    it('are recorded by a function that may only use the table (and send its failures to its queue): no key, SES, S3 or secret', () => {
      expect(allowedPairsOf(mailEventHandler.id)).toEqual(
        [
          ...basePairs(mailEventHandler.id),
          ...['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage'].map((a) => `${a} on getatt(${failuresId()}.Arn)`),
        ].sort(),
      );
      expect(Object.keys(variablesOf(fnIdOf(mailEventHandler.id))).sort()).toEqual(['NODE_OPTIONS', 'POWERTOOLS_SERVICE_NAME', 'TABLE_NAME']);
      expect(resources()[fnIdOf(mailEventHandler.id)]!.Properties).toMatchObject({ Timeout: 10, MemorySize: 256 });
    });
  });
});
