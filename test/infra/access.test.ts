/**
 * What each function may touch, derived from the access fields of functions/routes.ts: S3 actions per key prefix,
 * the link secret, SES, the public base URL, the reminder schedules, the reminder queue; the environment that goes
 * with them; the S3 -> EventBridge -> recorder wiring; bucket CORS. The expectations below are written out independently of
 * infra/constructs/function-access.ts.
 */
import { Buffer } from 'node:buffer';
import type { CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { objectCreatedHandlers, reminderHandler, type BucketAccess } from '../../functions/routes';
import type { BuiltApp } from '../../infra/build-app';
import {
  EXPECTED_DYNAMODB_ACTIONS,
  asList,
  cdkJsonContext,
  deployedFunctions,
  exportNameOf,
  render,
  statementsOf,
  type Resources,
  type Statement,
  synthesizeOnce,
} from './support';

/** Every deployed function (one per route function, one per event handler) with its access fields. */
const allFunctions = deployedFunctions();

/** `[action, key pattern]` pairs each bucket access level allows, and nothing else. */
const EXPECTED_S3: Readonly<Record<BucketAccess, readonly (readonly [string, string])[]>> = {
  upload: [['s3:PutObject', 'uploads/*']],
  download: [
    ['s3:GetObject', 'uploads/*'],
    ['s3:GetObject', 'quarantine/*'],
  ],
  record: [
    ['s3:GetObject', 'uploads/*'],
    ['s3:DeleteObject', 'uploads/*'],
    ['s3:PutObject', 'quarantine/*'],
  ],
};

/** `[action, resource]` pairs each schedule access level allows (`<group schedules>` = schedule/<group>/*). */
const EXPECTED_SCHEDULER: Readonly<Record<'read' | 'manage', readonly (readonly [string, string])[]>> = {
  read: [
    ['scheduler:ListSchedules', '*'],
    ['scheduler:GetSchedule', '<group schedules>'],
  ],
  manage: [
    ['scheduler:ListSchedules', '*'],
    ['scheduler:GetSchedule', '<group schedules>'],
    ['scheduler:CreateSchedule', '<group schedules>'],
    ['scheduler:DeleteSchedule', '<group schedules>'],
  ],
};

/**
 * SQS actions each reminder queue access level allows on the reminder queue: what `grantSendMessages` gives, and what
 * `grantConsumeMessages` gives (which an SQS event source needs to poll, delete and return messages).
 */
const EXPECTED_REMINDER_QUEUE_SQS: Readonly<Record<'send' | 'consume', readonly string[]>> = {
  send: ['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage'],
  consume: ['sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:ReceiveMessage'],
};

/** What SchedulesEnvSchema (shared/config.ts) reads in AWS. */
const SCHEDULE_VARIABLES = ['SCHEDULE_GROUP', 'REMINDER_TARGET_ARN', 'SCHEDULER_ROLE_ARN', 'REMINDER_DLQ_ARN'];

/** Variables only the local stack may set. */
const isLocalOnly = (name: string): boolean =>
  name === 'LINK_SECRET_FILE' || name.startsWith('CLOCK_') || name.endsWith('_ENDPOINT');

const context = cdkJsonContext() as { appOrigin: string; mailFrom: string };

describe('function access (from functions/routes.ts)', () => {
  let built: BuiltApp;
  let stateful: Template;
  let stateless: Template;
  // Prepare and act: one synth for the file, with cdk.json's context (appOrigin, mailFrom).
  synthesizeOnce({ nag: false }, (s) => ({ built, stateful, stateless } = s));

  const logicalIdOf = (element: CfnElement) => element.stack.getLogicalId(element);
  const resources = () => stateless.toJSON().Resources as Resources;
  const functionResource = (id: string) => {
    const fn = built.stateless.functions.get(id);
    if (!fn) throw new Error(`no function ${id}`);
    return resources()[logicalIdOf(fn.node.defaultChild as CfnElement)]!;
  };
  const variablesOf = (id: string) => functionResource(id).Properties.Environment.Variables as Record<string, unknown>;
  /** The Allow statements of the identity policies attached to the function's role. */
  const allowsOf = (id: string): Statement[] => {
    const fn = built.stateless.functions.get(id)!;
    const roleRef = JSON.stringify([{ Ref: logicalIdOf(fn.role!.node.defaultChild as CfnElement) }]);
    return statementsOf(stateless)
      .filter(({ type, logicalId }) => type === 'AWS::IAM::Policy' && JSON.stringify(resources()[logicalId]!.Properties.Roles) === roleRef)
      .map(({ statement }) => statement)
      .filter((s) => s.Effect === 'Allow');
  };
  /** `[action, resource]` pairs of the function's Allow statements whose actions start with `service:`. */
  const pairsOf = (id: string, service: string): string[][] =>
    allowsOf(id).flatMap((s) =>
      asList(s.Action)
        .filter((a) => a.startsWith(`${service}:`))
        .flatMap((a) => asList(s.Resource).map((r) => [a, render(r)])),
    );
  const sortPairs = (pairs: readonly (readonly string[])[]) => pairs.map((p) => p.join(' on ')).sort();

  const bucketArnImport = () =>
    `import(${exportNameOf(stateful, { 'Fn::GetAtt': [logicalIdOf(built.stateful.uploadsBucket.node.defaultChild as CfnElement), 'Arn'] })})`;
  const bucketNameImport = () =>
    `import(${exportNameOf(stateful, { Ref: logicalIdOf(built.stateful.uploadsBucket.node.defaultChild as CfnElement) })})`;
  const secretArnImport = () =>
    `import(${exportNameOf(stateful, { Ref: logicalIdOf(built.stateful.linkSecret.node.defaultChild as CfnElement) })})`;

  it('covers every access kind, so that each test below can tell functions apart', () => {
    const kinds = new Set(allFunctions.map((f) => f.bucketAccess ?? (f.bucketName ? 'name' : 'none')));
    expect([...kinds].sort()).toEqual(['download', 'name', 'none', 'record', 'upload']);
    expect(allFunctions.some((f) => f.linkSecret) && allFunctions.some((f) => !f.linkSecret)).toBe(true);
    expect(allFunctions.some((f) => f.sendsEmail) && allFunctions.some((f) => !f.sendsEmail)).toBe(true);
    expect(allFunctions.some((f) => f.publicBaseUrl) && allFunctions.some((f) => !f.publicBaseUrl)).toBe(true);
    // No function has 'read' today (the admin API manages); EXPECTED_SCHEDULER keeps its expectation for one that will.
    expect([...new Set(allFunctions.map((f) => f.schedules ?? 'none'))].sort()).toEqual(['manage', 'none']);
    expect([...new Set(allFunctions.map((f) => f.reminderQueue ?? 'none'))].sort()).toEqual(['consume', 'none', 'send']);
  });

  describe('S3', () => {
    it.each(allFunctions.map((f) => [f.id, f.bucketAccess ?? 'no bucket access'] as const))(
      '%s gets exactly the S3 actions of %s, each on its key prefix only',
      (id, access) => {
        const expected =
          access === 'no bucket access' ? [] : EXPECTED_S3[access].map(([action, keys]) => [action, `${bucketArnImport()}/${keys}`]);
        expect(sortPairs(pairsOf(id, 's3'))).toEqual(sortPairs(expected));
      },
    );

    it('never allows s3:* nor a whole-bucket object ARN, in any policy of either stack', () => {
      const bucketWide = [`${bucketArnImport()}/*`, bucketArnImport()];
      for (const template of [stateful, stateless]) {
        for (const { logicalId, statement } of statementsOf(template)) {
          if (statement.Effect !== 'Allow') continue;
          const actions = asList(statement.Action);
          expect({ logicalId, wildcardS3: actions.filter((a) => /^s3:.*\*/.test(a)) }).toEqual({ logicalId, wildcardS3: [] });
          if (!actions.some((a) => a.startsWith('s3:'))) continue;
          const resourcesOfStatement = asList(statement.Resource).map(render);
          expect({ logicalId, bucketWide: resourcesOfStatement.filter((r) => bucketWide.includes(r)) }).toEqual({
            logicalId,
            bucketWide: [],
          });
        }
      }
    });

    it.each(allFunctions.map((f) => [f.id, !!(f.bucketAccess || f.bucketName)] as const))(
      '%s has BUCKET_NAME: %s (and never MAX_UPLOAD_BYTES: the 25 MB default applies)',
      (id, expected) => {
        const variables = variablesOf(id);
        expect('BUCKET_NAME' in variables).toBe(expected);
        if (expected) expect(render(variables.BUCKET_NAME)).toBe(bucketNameImport());
        expect('MAX_UPLOAD_BYTES' in variables).toBe(false);
      },
    );
  });

  describe('link secret', () => {
    it('is generated (64 characters, no punctuation) and retained in the stateful stack', () => {
      const secrets = Object.values(stateful.findResources('AWS::SecretsManager::Secret'));
      expect(secrets).toHaveLength(1);
      expect(secrets[0]).toMatchObject({
        DeletionPolicy: 'Retain',
        UpdateReplacePolicy: 'Retain',
        Properties: { GenerateSecretString: { ExcludePunctuation: true, PasswordLength: 64 } },
      });
      expect(secrets[0]!.Properties.GenerateSecretString.SecretStringTemplate).toBeUndefined();
      stateless.resourceCountIs('AWS::SecretsManager::Secret', 0);
    });

    it.each(allFunctions.map((f) => [f.id, !!f.linkSecret] as const))('%s may read the secret: %s', (id, expected) => {
      const pairs = pairsOf(id, 'secretsmanager');
      expect(sortPairs(pairs)).toEqual(
        expected
          ? sortPairs([
              ['secretsmanager:DescribeSecret', secretArnImport()],
              ['secretsmanager:GetSecretValue', secretArnImport()],
            ])
          : [],
      );
    });

    it.each(allFunctions.map((f) => [f.id, !!f.linkSecret] as const))('%s has LINK_SECRET_ARN: %s', (id, expected) => {
      const variables = variablesOf(id);
      expect('LINK_SECRET_ARN' in variables).toBe(expected);
      if (expected) expect(render(variables.LINK_SECRET_ARN)).toBe(secretArnImport());
    });
  });

  describe('email', () => {
    const configurationSetRef = () => {
      const sets = Object.keys(stateless.findResources('AWS::SES::ConfigurationSet'));
      expect(sets).toHaveLength(1);
      return `ref(${sets[0]})`;
    };
    const sesArn = (resource: string) =>
      `arn:ref(AWS::Partition):ses:ref(AWS::Region):ref(AWS::AccountId):${resource}`;

    it.each(allFunctions.map((f) => [f.id, !!f.sendsEmail] as const))(
      '%s may send email: %s, and only from the mailFrom domain identity with the configuration set',
      (id, expected) => {
        const domain = context.mailFrom.replace(/^.*@/, '').replace(/>$/, '');
        const resourcesAllowed = [sesArn(`identity/${domain}`), sesArn(`configuration-set/${configurationSetRef()}`)];
        const expectedPairs = expected
          ? ['ses:SendEmail', 'ses:SendRawEmail'].flatMap((action) => resourcesAllowed.map((r) => [action, r]))
          : [];
        expect(sortPairs(pairsOf(id, 'ses'))).toEqual(sortPairs(expectedPairs));
      },
    );

    it.each(allFunctions.map((f) => [f.id, !!f.sendsEmail] as const))(
      '%s has MAIL_FROM and SES_CONFIGURATION_SET: %s',
      (id, expected) => {
        const variables = variablesOf(id);
        expect(['MAIL_FROM' in variables, 'SES_CONFIGURATION_SET' in variables]).toEqual([expected, expected]);
        if (!expected) return;
        // SES wants non-ASCII display names as RFC 2047 encoded words.
        const [, name, address] = /^(.*) <(.*)>$/.exec(context.mailFrom)!;
        expect(variables.MAIL_FROM).toBe(`=?UTF-8?B?${Buffer.from(name!, 'utf8').toString('base64')}?= <${address}>`);
        expect(render(variables.SES_CONFIGURATION_SET)).toBe(configurationSetRef());
      },
    );
  });

  describe('public base URL', () => {
    it.each(allFunctions.map((f) => [f.id, !!f.publicBaseUrl] as const))(
      '%s has PUBLIC_BASE_URL = appOrigin: %s',
      (id, expected) => {
        const variables = variablesOf(id);
        expect('PUBLIC_BASE_URL' in variables).toBe(expected);
        if (expected) expect(variables.PUBLIC_BASE_URL).toBe(context.appOrigin);
      },
    );
  });

  describe('reminder schedules', () => {
    const only = (type: string) => {
      const found = Object.keys(stateless.findResources(type));
      expect(found).toHaveLength(1);
      return found[0]!;
    };
    const groupId = () => only('AWS::Scheduler::ScheduleGroup');
    /** The role EventBridge Scheduler assumes: found by its trust policy, not through the construct. */
    const schedulerRoleId = () => {
      const roles = Object.entries(stateless.findResources('AWS::IAM::Role')).filter(([, role]) =>
        JSON.stringify(role.Properties.AssumeRolePolicyDocument).includes('"scheduler.amazonaws.com"'),
      );
      expect(roles).toHaveLength(1);
      return roles[0]![0];
    };
    const groupSchedules = () =>
      `arn:ref(AWS::Partition):scheduler:ref(AWS::Region):ref(AWS::AccountId):schedule/ref(${groupId()})/*`;

    it.each(allFunctions.map((f) => [f.id, f.schedules ?? 'none'] as const))(
      '%s gets exactly the scheduler actions of %s, on the project group (List on *, which has no resource type)',
      (id, level) => {
        const expected =
          level === 'none'
            ? []
            : EXPECTED_SCHEDULER[level].map(([action, resource]) => [
                action,
                resource === '<group schedules>' ? groupSchedules() : resource,
              ]);
        expect(sortPairs(pairsOf(id, 'scheduler'))).toEqual(sortPairs(expected));
      },
    );

    it.each(allFunctions.map((f) => [f.id, f.schedules === 'manage'] as const))(
      '%s may pass the scheduler role, to EventBridge Scheduler only: %s',
      (id, expected) => {
        const passRole = allowsOf(id).filter((s) => asList(s.Action).some((a) => /^iam:(PassRole|\*)$/i.test(a)));
        if (!expected) {
          expect(passRole).toEqual([]);
          return;
        }
        expect(passRole.map((s) => ({ actions: asList(s.Action), resources: asList(s.Resource).map(render), condition: s.Condition }))).toEqual([
          {
            actions: ['iam:PassRole'],
            resources: [`getatt(${schedulerRoleId()}.Arn)`],
            condition: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
          },
        ]);
      },
    );

    it('has no IAM action in any policy of either stack but the PassRole of the manage functions', () => {
      const managers = allFunctions.filter((f) => f.schedules === 'manage');
      expect(managers.length).toBeGreaterThan(0);
      const passRoleStatements = [stateful, stateless].flatMap((template) =>
        statementsOf(template).filter(({ statement }) => asList(statement.Action).some((a) => /^iam:/i.test(a))),
      );
      expect(passRoleStatements).toHaveLength(managers.length);
    });

    it.each(allFunctions.map((f) => [f.id, !!f.schedules] as const))(
      '%s has SCHEDULE_GROUP, REMINDER_TARGET_ARN, SCHEDULER_ROLE_ARN and REMINDER_DLQ_ARN: %s',
      (id, expected) => {
        const variables = variablesOf(id);
        expect(SCHEDULE_VARIABLES.filter((name) => name in variables)).toEqual(expected ? SCHEDULE_VARIABLES : []);
        if (!expected) return;
        const reminderFnId = logicalIdOf(built.stateless.functions.get(reminderHandler.id)!.node.defaultChild as CfnElement);
        // The reminder dead-letter queue: the on-failure destination of the reminder function.
        const dlqIds = Object.values(stateless.findResources('AWS::Lambda::EventInvokeConfig'))
          .filter((c) => JSON.stringify(c.Properties.FunctionName) === JSON.stringify({ Ref: reminderFnId }))
          .map((c) => c.Properties.DestinationConfig.OnFailure.Destination['Fn::GetAtt'][0] as string);
        expect(dlqIds).toHaveLength(1);
        expect(Object.fromEntries(SCHEDULE_VARIABLES.map((name) => [name, render(variables[name])]))).toEqual({
          SCHEDULE_GROUP: `ref(${groupId()})`,
          REMINDER_TARGET_ARN: `getatt(${reminderFnId}.Arn)`,
          SCHEDULER_ROLE_ARN: `getatt(${schedulerRoleId()}.Arn)`,
          REMINDER_DLQ_ARN: `getatt(${dlqIds[0]}.Arn)`,
        });
      },
    );
  });

  describe('reminder queue', () => {
    /** The reminder queue: the only queue with a redrive policy (found by what it is, not through the construct). */
    const queueId = () => {
      const ids = Object.entries(stateless.findResources('AWS::SQS::Queue'))
        .filter(([, queue]) => queue.Properties.RedrivePolicy !== undefined)
        .map(([queueId]) => queueId);
      expect(ids).toHaveLength(1);
      return ids[0]!;
    };
    const queueArn = () => `getatt(${queueId()}.Arn)`;
    const deadLetterArn = () => render(resources()[queueId()]!.Properties.RedrivePolicy.deadLetterTargetArn);
    const fnId = (id: string) => logicalIdOf(built.stateless.functions.get(id)!.node.defaultChild as CfnElement);

    it.each(allFunctions.map((f) => [f.id, f.reminderQueue ?? 'none'] as const))(
      '%s gets exactly the SQS actions of %s on the reminder queue',
      (id, level) => {
        const onQueue = pairsOf(id, 'sqs').filter(([, resource]) => resource === queueArn());
        expect(sortPairs(onQueue)).toEqual(
          sortPairs(level === 'none' ? [] : EXPECTED_REMINDER_QUEUE_SQS[level].map((action) => [action, queueArn()])),
        );
      },
    );

    it('is named by no Allow statement of either stack but the two functions that send to and consume it', () => {
      // Prepare: the roles of the functions that may touch it, from the access fields.
      const allowed = allFunctions
        .filter((f) => f.reminderQueue)
        .map((f) => logicalIdOf(built.stateless.functions.get(f.id)!.role!.node.defaultChild as CfnElement));
      expect(allowed).toHaveLength(2);
      // Act: every Allow statement that names the queue or its dead-letter queue, or a queue wildcard.
      const naming = [stateful, stateless].flatMap((template) =>
        statementsOf(template)
          .filter(({ statement }) => statement.Effect === 'Allow')
          .filter(({ statement }) => {
            const sqsActions = asList(statement.Action).some((a) => a.startsWith('sqs:'));
            return asList(statement.Resource)
              .map(render)
              .some((r) => r === queueArn() || r === deadLetterArn() || /^arn:.*:sqs:.*\*/.test(r) || (r === '*' && sqsActions));
          })
          .map(({ logicalId }) => {
            const roles = asList((template.toJSON().Resources as Resources)[logicalId]!.Properties.Roles as unknown[]);
            return roles.map(render).join(',');
          }),
      );
      // Assess: the default policies of those two roles.
      expect([...new Set(naming)].sort()).toEqual(allowed.map((roleId) => `ref(${roleId})`).sort());
      // And nothing at all on the dead-letter queue (SQS moves the messages there itself).
      const onDeadLetterQueue = [stateful, stateless].flatMap((template) =>
        statementsOf(template).filter(
          ({ statement }) => statement.Effect === 'Allow' && asList(statement.Resource).map(render).includes(deadLetterArn()),
        ),
      );
      expect(onDeadLetterQueue.map(({ logicalId }) => logicalId)).toEqual([]);
    });

    it.each(allFunctions.map((f) => [f.id, f.reminderQueue === 'send'] as const))(
      '%s has REMINDER_QUEUE_URL = the reminder queue URL: %s',
      (id, expected) => {
        const variables = variablesOf(id);
        expect('REMINDER_QUEUE_URL' in variables).toBe(expected);
        if (expected) expect(render(variables.REMINDER_QUEUE_URL)).toBe(`ref(${queueId()})`);
      },
    );

    it.each(allFunctions.map((f) => [f.id, f.reminderQueue === 'consume'] as const))(
      '%s is invoked by an SQS event source on the reminder queue (batches of 10, partial failures, 2 at most) with SENDER_CONCURRENCY 2: %s',
      (id, expected) => {
        const mappings = Object.values(stateless.findResources('AWS::Lambda::EventSourceMapping')).filter(
          (m) => JSON.stringify(m.Properties.FunctionName) === JSON.stringify({ Ref: fnId(id) }),
        );
        const variables = variablesOf(id);
        expect('SENDER_CONCURRENCY' in variables).toBe(expected);
        if (!expected) {
          expect(mappings).toEqual([]);
          return;
        }
        expect(mappings).toHaveLength(1);
        const { Tags: _tags, ...properties } = mappings[0]!.Properties as Record<string, unknown>;
        expect(properties).toEqual({
          FunctionName: { Ref: fnId(id) },
          EventSourceArn: { 'Fn::GetAtt': [queueId(), 'Arn'] },
          BatchSize: 10,
          FunctionResponseTypes: ['ReportBatchItemFailures'],
          ScalingConfig: { MaximumConcurrency: 2 },
        });
        // Each copy paces at MAX_SEND_RATE / SENDER_CONCURRENCY: together, at most MAX_SEND_RATE.
        expect(variables.SENDER_CONCURRENCY).toBe('2');
      },
    );

    it('has one consumer: one event source mapping in the app, none on another queue', () => {
      const mappings = Object.values(stateless.findResources('AWS::Lambda::EventSourceMapping'));
      expect(mappings.map((m) => render(m.Properties.EventSourceArn))).toEqual([queueArn()]);
      stateful.resourceCountIs('AWS::Lambda::EventSourceMapping', 0);
    });

    it.each(allFunctions.map((f) => [f.id, f.reminderQueue === 'consume' || f.id === reminderHandler.id] as const))(
      '%s has MAX_SEND_RATE = the SES rate of context sesMaxSendRate (10 by default): %s',
      (id, expected) => {
        const variables = variablesOf(id);
        expect('MAX_SEND_RATE' in variables).toBe(expected);
        if (expected) expect(variables.MAX_SEND_RATE).toBe('10');
      },
    );
  });

  describe('environment', () => {
    it.each(allFunctions.map((f) => [f.id] as const))('%s carries no local-only variable', (id) => {
      expect(Object.keys(variablesOf(id)).filter(isLocalOnly)).toEqual([]);
    });

    it('recognises local-only names (the check above can fail)', () => {
      expect(['S3_ENDPOINT', 'LINK_SECRET_FILE', 'CLOCK_START', 'TABLE_NAME'].filter(isLocalOnly)).toEqual([
        'S3_ENDPOINT',
        'LINK_SECRET_FILE',
        'CLOCK_START',
      ]);
    });
  });

  describe('admin functions: every permission, written out by hand', () => {
    /** Every `[action, resource]` the function's role allows, all services, plus the condition of each statement. */
    const everythingOf = (id: string): string[] =>
      sortPairs(
        allowsOf(id).flatMap((s) =>
          asList(s.Action).flatMap((a) =>
            asList(s.Resource).map((r) => [a, render(r), ...(s.Condition ? [`if ${JSON.stringify(s.Condition)}`] : [])]),
          ),
        ),
      );
    const tableArn = () =>
      `import(${exportNameOf(stateful, { 'Fn::GetAtt': [logicalIdOf(built.stateful.table.node.defaultChild as CfnElement), 'Arn'] })})`;
    const tableReadWrite = () =>
      EXPECTED_DYNAMODB_ACTIONS.readWrite.flatMap((action) => [
        [action, tableArn()],
        [action, `${tableArn()}/index/GSI1`],
      ]);
    const tableRead = () =>
      EXPECTED_DYNAMODB_ACTIONS.read.flatMap((action) => [
        [action, tableArn()],
        [action, `${tableArn()}/index/GSI1`],
      ]);
    const sesSend = () => {
      const [setId] = Object.keys(stateless.findResources('AWS::SES::ConfigurationSet'));
      const ses = 'arn:ref(AWS::Partition):ses:ref(AWS::Region):ref(AWS::AccountId)';
      return ['ses:SendEmail', 'ses:SendRawEmail'].flatMap((action) => [
        [action, `${ses}:identity/example.org`],
        [action, `${ses}:configuration-set/ref(${setId})`],
      ]);
    };
    /** Writing to its own log group, and the X-Ray traces every function sends (Tracing.ACTIVE). */
    const logsAndTraces = (id: string) => {
      const logGroupId = logicalIdOf(built.stateless.functions.get(id)!.logGroup.node.defaultChild as CfnElement);
      return [
        ['logs:CreateLogStream', `getatt(${logGroupId}.Arn)`],
        ['logs:PutLogEvents', `getatt(${logGroupId}.Arn)`],
        ['xray:PutTelemetryRecords', '*'],
        ['xray:PutTraceSegments', '*'],
      ];
    };

    it('AdminApi: the table and GSI1 (no Scan), uploads/ and quarantine/ reads, its schedules, SES, the link secret', () => {
      const [groupId] = Object.keys(stateless.findResources('AWS::Scheduler::ScheduleGroup'));
      const schedules = `arn:ref(AWS::Partition):scheduler:ref(AWS::Region):ref(AWS::AccountId):schedule/ref(${groupId})/*`;
      const [schedulerRoleId] = Object.entries(stateless.findResources('AWS::IAM::Role'))
        .filter(([, role]) => JSON.stringify(role.Properties.AssumeRolePolicyDocument).includes('"scheduler.amazonaws.com"'))
        .map(([roleId]) => roleId);
      expect(everythingOf('AdminApi')).toEqual(
        sortPairs([
          ...logsAndTraces('AdminApi'),
          ...tableReadWrite(),
          // Download links (5 minutes) for accepted and quarantined files; nothing else in the bucket.
          ['s3:GetObject', `${bucketArnImport()}/uploads/*`],
          ['s3:GetObject', `${bucketArnImport()}/quarantine/*`],
          // Saving a milestone or reconciling re-syncs the plan's reminder schedules, in the project group only.
          ['scheduler:GetSchedule', schedules],
          ['scheduler:CreateSchedule', schedules],
          ['scheduler:DeleteSchedule', schedules],
          // No resource type exists for List; the adapter passes the group.
          ['scheduler:ListSchedules', '*'],
          ['iam:PassRole', `getatt(${schedulerRoleId}.Arn)`, 'if {"StringEquals":{"iam:PassedToService":"scheduler.amazonaws.com"}}'],
          ...sesSend(),
          // Signing member links.
          ['secretsmanager:GetSecretValue', secretArnImport()],
          ['secretsmanager:DescribeSecret', secretArnImport()],
        ]),
      );
    });

    it('sizing: AdminApi may run 29 s (a plan re-sync is one Scheduler call per schedule), the other two 10 s', () => {
      const timeoutOf = (id: string) =>
        resources()[logicalIdOf(built.stateless.functions.get(id)!.node.defaultChild as CfnElement)]!.Properties.Timeout;
      expect(['AdminApi', 'AdminAuth', 'AdminExport', 'AdminImport', 'AdminPage'].map(timeoutOf)).toEqual([29, 10, 10, 10, 10]);
    });

    it('AdminAuth: the table and GSI1 (no Scan) and SES only: no bucket, schedule, secret or queue', () => {
      expect(everythingOf('AdminAuth')).toEqual(sortPairs([...logsAndTraces('AdminAuth'), ...tableReadWrite(), ...sesSend()]));
    });

    it('AdminExport: reads the table and GSI1 (no Scan), nothing else: no bucket, mail, schedule or secret', () => {
      expect(everythingOf('AdminExport')).toEqual(sortPairs([...logsAndTraces('AdminExport'), ...tableRead()]));
    });

    it('AdminImport: reads the table and GSI1 (no Scan), nothing else: the code parsing an uploaded plan writes nothing', () => {
      expect(everythingOf('AdminImport')).toEqual(sortPairs([...logsAndTraces('AdminImport'), ...tableRead()]));
    });

    it('AdminPage: nothing but its own log group (and X-Ray): no table, no TABLE_NAME, no other variable', () => {
      expect(everythingOf('AdminPage')).toEqual(sortPairs(logsAndTraces('AdminPage')));
      expect(Object.keys(variablesOf('AdminPage')).sort()).toEqual(['NODE_OPTIONS', 'POWERTOOLS_SERVICE_NAME']);
    });

    it('puts no inline or managed policy on the three admin roles (all they may do is checked above)', () => {
      for (const id of ['AdminApi', 'AdminAuth', 'AdminExport', 'AdminImport', 'AdminPage']) {
        const roleId = logicalIdOf(built.stateless.functions.get(id)!.role!.node.defaultChild as CfnElement);
        const role = resources()[roleId]!;
        expect({ id, inline: role.Properties.Policies, managed: role.Properties.ManagedPolicyArns }).toEqual({
          id,
          inline: undefined,
          managed: undefined,
        });
      }
    });
  });

  describe('uploads bucket -> recorder', () => {
    it('sends the bucket events to EventBridge natively: no notification custom resource, no Lambda in the stateful stack', () => {
      const uploadsId = logicalIdOf(built.stateful.uploadsBucket.node.defaultChild as CfnElement);
      const uploads = (stateful.toJSON().Resources as Resources)[uploadsId]!;
      expect(uploads.Properties.NotificationConfiguration).toEqual({ EventBridgeConfiguration: { EventBridgeEnabled: true } });
      for (const template of [stateful, stateless]) {
        template.resourceCountIs('Custom::S3BucketNotifications', 0);
      }
      stateful.resourceCountIs('AWS::Lambda::Function', 0);
    });

    it.each(objectCreatedHandlers.map((h) => [h.id, h.prefix] as const))(
      '%s is invoked by a rule on Object Created under %s in the uploads bucket, with the failed-events queue as DLQ',
      (id, prefix) => {
        const rules = Object.entries(stateless.findResources('AWS::Events::Rule'));
        expect(rules).toHaveLength(objectCreatedHandlers.length);
        const fnId = logicalIdOf(built.stateless.functions.get(id)!.node.defaultChild as CfnElement);
        const queueId = logicalIdOf(built.stateless.failedEventQueues.get(id)!.node.defaultChild as CfnElement);
        const [ruleId, rule] = rules.find(([, r]) => JSON.stringify(r.Properties.Targets).includes(`"${fnId}"`)) ?? [];
        expect(rule).toBeDefined();
        const pattern = rule!.Properties.EventPattern;
        expect(pattern.source).toEqual(['aws.s3']);
        expect(pattern['detail-type']).toEqual(['Object Created']);
        expect(pattern.detail.object).toEqual({ key: [{ prefix }] });
        expect(pattern.detail.bucket.name.map(render)).toEqual([bucketNameImport()]);
        expect(Object.keys(pattern).sort()).toEqual(['detail', 'detail-type', 'source']);
        expect(rule!.Properties.Targets).toEqual([
          expect.objectContaining({
            Arn: { 'Fn::GetAtt': [fnId, 'Arn'] },
            DeadLetterConfig: { Arn: { 'Fn::GetAtt': [queueId, 'Arn'] } },
          }),
        ]);
        // EventBridge may invoke the function, from this rule only.
        stateless.hasResourceProperties('AWS::Lambda::Permission', {
          Action: 'lambda:InvokeFunction',
          Principal: 'events.amazonaws.com',
          FunctionName: { 'Fn::GetAtt': [fnId, 'Arn'] },
          SourceArn: { 'Fn::GetAtt': [ruleId, 'Arn'] },
        });
      },
    );

    it.each(objectCreatedHandlers.map((h) => [h.id] as const))(
      '%s retries a failed invocation twice, then sends the event to its failed-events queue',
      (id) => {
        const fnId = logicalIdOf(built.stateless.functions.get(id)!.node.defaultChild as CfnElement);
        const queueId = logicalIdOf(built.stateless.failedEventQueues.get(id)!.node.defaultChild as CfnElement);
        const configs = Object.values(stateless.findResources('AWS::Lambda::EventInvokeConfig')).filter(
          (c) => JSON.stringify(c.Properties.FunctionName) === JSON.stringify({ Ref: fnId }),
        );
        expect(configs).toHaveLength(1);
        expect(configs[0]!.Properties).toEqual({
          FunctionName: { Ref: fnId },
          Qualifier: '$LATEST',
          MaximumRetryAttempts: 2,
          DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [queueId, 'Arn'] } } },
        });
        // The function's role may send to that queue and to no other.
        expect(sortPairs(pairsOf(id, 'sqs').filter(([a]) => a === 'sqs:SendMessage'))).toEqual([
          `sqs:SendMessage on getatt(${queueId}.Arn)`,
        ]);
      },
    );

    it.each(objectCreatedHandlers.map((h) => [h.id] as const))(
      "%s's failed-events queue is encrypted, refuses plain HTTP and has a depth alarm",
      (id) => {
        const queueId = logicalIdOf(built.stateless.failedEventQueues.get(id)!.node.defaultChild as CfnElement);
        const queue = resources()[queueId]!;
        expect(queue.Properties).toMatchObject({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 24 * 3600 });
        const denies = statementsOf(stateless).filter(
          ({ type, statement }) =>
            type === 'AWS::SQS::QueuePolicy' &&
            statement.Effect === 'Deny' &&
            JSON.stringify(statement.Resource) === JSON.stringify({ 'Fn::GetAtt': [queueId, 'Arn'] }),
        );
        expect(denies.map(({ statement }) => [statement.Action, statement.Condition])).toEqual([
          ['sqs:*', { Bool: { 'aws:SecureTransport': 'false' } }],
        ]);
        const alarms = Object.values(stateless.findResources('AWS::CloudWatch::Alarm')).filter(
          (a) => JSON.stringify(a.Properties.Dimensions) === JSON.stringify([{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queueId, 'QueueName'] } }]),
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
      },
    );
  });

  describe('bucket CORS', () => {
    it('lets only the configured app origin POST (presigned form uploads), nothing else', () => {
      const uploadsId = logicalIdOf(built.stateful.uploadsBucket.node.defaultChild as CfnElement);
      const uploads = (stateful.toJSON().Resources as Resources)[uploadsId]!;
      expect(uploads.Properties.CorsConfiguration).toEqual({
        CorsRules: [{ AllowedOrigins: [context.appOrigin], AllowedMethods: ['POST'], AllowedHeaders: ['*'], MaxAge: 3000 }],
      });
      expect(built.appOrigin).toBe(context.appOrigin);
      // The access-log bucket is never reached from a browser.
      const logsId = logicalIdOf(built.stateful.accessLogsBucket.node.defaultChild as CfnElement);
      expect((stateful.toJSON().Resources as Resources)[logsId]!.Properties.CorsConfiguration).toBeUndefined();
    });
  });
});
