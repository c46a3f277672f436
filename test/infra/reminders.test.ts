/**
 * Reminders in AWS: the reminder function (target of every EventBridge Scheduler schedule), the schedule group, the
 * role Scheduler assumes, the reminder dead-letter queue and its alarm, the stack outputs the operator CLI reads; and
 * the SES bounce/complaint topic. Per-function schedule permissions and variables are in access.test.ts.
 * Resources are found by what they are (type, trust policy, references), not through the constructs' own fields.
 */
import type { CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpRoutes, reminderHandler } from '../../functions/routes';
import { buildApp, type BuiltApp } from '../../infra/build-app';
import { asList, cdkJsonContext, newTestApp, render, statementsOf, type Resources, type Statement } from './support';

const context = cdkJsonContext() as { appOrigin: string };

describe('reminders', () => {
  let built: BuiltApp;
  let stateful: Template;
  let stateless: Template;
  let cleanup: () => void;

  beforeAll(() => {
    // Prepare: one synth for the file, with cdk.json's context (no sesMaxSendRate: the default applies).
    const test = newTestApp();
    cleanup = test.cleanup;
    built = buildApp(test.app, { adminApiKeySha256: '12'.repeat(32), nag: false });
    // Act
    stateful = Template.fromStack(built.stateful);
    stateless = Template.fromStack(built.stateless);
  }, 120_000);

  afterAll(() => cleanup?.());

  const resources = () => stateless.toJSON().Resources as Resources;
  const logicalIdOf = (element: CfnElement) => element.stack.getLogicalId(element);
  const onlyOf = (template: Template, type: string): string => {
    const ids = Object.keys(template.findResources(type));
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
          'SES_CONFIGURATION_SET',
          'TABLE_NAME',
        ].sort(),
      );
      expect(variables.PUBLIC_BASE_URL).toBe(context.appOrigin);
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
        const variables = variablesOf(logicalIdOf(built.stateless.functions.get(route.id)!.node.defaultChild as CfnElement));
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
    const topicId = () => onlyOf(stateless, 'AWS::SNS::Topic');

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
      const keyId = onlyOf(stateless, 'AWS::KMS::Key');
      expect(resources()[topicId()]!.Properties.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': [keyId, 'Arn'] });
      const key = resources()[keyId]!.Properties;
      expect(key.EnableKeyRotation).toBe(true);
      const forSes = (key.KeyPolicy.Statement as Statement[]).filter((s) => JSON.stringify(s.Principal).includes('ses.amazonaws.com'));
      expect(forSes.map((s) => ({ actions: asList(s.Action).sort(), condition: s.Condition }))).toEqual([
        { actions: ['kms:Decrypt', 'kms:GenerateDataKey*'], condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } } },
      ]);
    });

    it('go to a topic that refuses plain HTTP and that only SES, for this configuration set, may publish to', () => {
      const policies = Object.values(stateless.findResources('AWS::SNS::TopicPolicy'));
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

    it('have no subscriber yet (a bounce handler comes later)', () => {
      stateless.resourceCountIs('AWS::SNS::Subscription', 0);
    });
  });
});
