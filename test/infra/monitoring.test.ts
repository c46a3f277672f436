/**
 * Monitoring of the stateless stack: the alarm topic (encryption, TLS, who may publish, the email subscription), the
 * actions of every alarm, the function, API and SES alarms, the dashboard; and the two stage-configured props of the
 * stack (alarmEmail, maxUploadBytes). Expectations are written out here, independently of infra/constructs/monitoring.ts.
 * Resources are found by what they are (type, metric, dimensions, references).
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type BuiltApp, type BuildAppOptions } from '../../infra/build-app';
import { PROJECT_ROOT } from '../../infra/constructs/project-function';
import { StatelessStack } from '../../infra/stateless-stack';
import { deployedFunctions, exportNameOf, newTestApp, render, type Resources, type Statement } from './support';

/** An alarm on any occurrence (a count of at least 1) in 5 minutes, missing data as OK. */
const ANY_IN_FIVE_MINUTES = {
  Statistic: 'Sum',
  Period: 300,
  EvaluationPeriods: 1,
  Threshold: 1,
  ComparisonOperator: 'GreaterThanOrEqualToThreshold',
  TreatMissingData: 'notBreaching',
};

const ALARM_EMAIL = 'van-hanh@example.org';
const TEN_MB = 10 * 1024 * 1024;
const allFunctions = deployedFunctions();

/** Bundling is skipped (no stack is listed for it): these tests read templates only, and two synths stay fast. */
const NO_BUNDLING = { 'aws:cdk:bundling-stacks': [] };

interface Built {
  built: BuiltApp;
  stateless: Template;
}

/** One app per configuration, built before the tests and removed after them. */
function buildOnce(options: BuildAppOptions): () => Built {
  let result: Built | undefined;
  let cleanup: (() => void) | undefined;
  beforeAll(() => {
    const test = newTestApp(NO_BUNDLING);
    cleanup = test.cleanup;
    const built = buildApp(test.app, { nag: false, ...options });
    result = { built, stateless: Template.fromStack(built.stateless) };
  }, 120_000);
  afterAll(() => cleanup?.());
  return () => result!;
}

const configured = buildOnce({ alarmEmail: ALARM_EMAIL, maxUploadBytes: TEN_MB });
const plain = buildOnce({});

const resourcesOf = (t: Template) => t.toJSON().Resources as Resources;
const logicalIdOf = (element: CfnElement) => element.stack.getLogicalId(element);
const fnIdOf = ({ built }: Built, id: string) => logicalIdOf(built.stateless.functions.get(id)!.node.defaultChild as CfnElement);

/** The alarm topic: the stack's other topic than the SES feedback one (reminders.test.ts). */
function alarmTopicId(t: Template): string {
  const topics = Object.entries(t.findResources('AWS::SNS::Topic')).filter(([, topic]) => topic.Properties.DisplayName !== 'SES bounces and complaints');
  expect(topics.map(([id]) => id)).toHaveLength(1);
  return topics[0]![0];
}

const alarmsOf = (t: Template) => Object.entries(t.findResources('AWS::CloudWatch::Alarm'));

/** The alarms on one metric, optionally with exactly these dimensions. */
function alarmsOn(t: Template, namespace: string, metricName: string, dimensions?: unknown) {
  return alarmsOf(t).filter(
    ([, a]) =>
      a.Properties.Namespace === namespace &&
      a.Properties.MetricName === metricName &&
      (dimensions === undefined || JSON.stringify(a.Properties.Dimensions) === JSON.stringify(dimensions)),
  );
}

describe('alarm topic', () => {
  it('is encrypted with a rotated key of its own that CloudWatch alarms of this account may use, and no other service', () => {
    const { stateless } = configured();
    const resources = resourcesOf(stateless);
    const keyRef = resources[alarmTopicId(stateless)]!.Properties.KmsMasterKeyId as { 'Fn::GetAtt': [string, string] };
    expect(keyRef).toEqual({ 'Fn::GetAtt': [expect.any(String), 'Arn'] });
    const keyId = keyRef['Fn::GetAtt'][0];
    const key = resources[keyId]!;
    expect(key.Type).toBe('AWS::KMS::Key');
    expect(key.Properties.EnableKeyRotation).toBe(true);
    // Its own: no other topic (the SES feedback topic) uses it.
    const users = Object.values(stateless.findResources('AWS::SNS::Topic')).filter(
      (topic) => JSON.stringify(topic.Properties.KmsMasterKeyId) === JSON.stringify(keyRef),
    );
    expect(users).toHaveLength(1);
    const services = (key.Properties.KeyPolicy.Statement as Statement[]).filter((s) => JSON.stringify(s.Principal).includes('"Service"'));
    expect(
      services.map((s) => ({
        principal: s.Principal,
        actions: [...(s.Action as string[])].sort(),
        account: s.Condition?.StringEquals?.['aws:SourceAccount'],
        source: render(s.Condition?.ArnLike?.['aws:SourceArn']),
      })),
    ).toEqual([
      {
        principal: { Service: 'cloudwatch.amazonaws.com' },
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        account: { Ref: 'AWS::AccountId' },
        source: 'arn:ref(AWS::Partition):cloudwatch:ref(AWS::Region):ref(AWS::AccountId):alarm:*',
      },
    ]);
  });

  it('refuses plain HTTP, and lets only CloudWatch alarms of this account publish', () => {
    const { stateless } = configured();
    const topicId = alarmTopicId(stateless);
    const policies = Object.values(stateless.findResources('AWS::SNS::TopicPolicy')).filter(
      (p) => JSON.stringify(p.Properties.Topics) === JSON.stringify([{ Ref: topicId }]),
    );
    expect(policies).toHaveLength(1);
    const statements = policies[0]!.Properties.PolicyDocument.Statement as Statement[];
    expect(statements.map((s) => [s.Effect, s.Action, s.Principal, s.Resource])).toEqual([
      ['Deny', 'sns:Publish', '*', { Ref: topicId }],
      ['Allow', 'sns:Publish', { Service: 'cloudwatch.amazonaws.com' }, { Ref: topicId }],
    ]);
    expect(statements[0]!.Condition).toEqual({ Bool: { 'aws:SecureTransport': 'false' } });
    expect(Object.keys(statements[1]!.Condition!).sort()).toEqual(['ArnLike', 'StringEquals']);
    expect(statements[1]!.Condition!.StringEquals).toEqual({ 'aws:SourceAccount': { Ref: 'AWS::AccountId' } });
    expect(render(statements[1]!.Condition!.ArnLike!['aws:SourceArn'])).toBe(
      'arn:ref(AWS::Partition):cloudwatch:ref(AWS::Region):ref(AWS::AccountId):alarm:*',
    );
  });

  it('emails alarmEmail when it is given: one email subscription, nothing else subscribed', () => {
    const { stateless } = configured();
    const topicId = alarmTopicId(stateless);
    const subscriptions = Object.values(stateless.findResources('AWS::SNS::Subscription')).filter(
      (s) => JSON.stringify(s.Properties.TopicArn) === JSON.stringify({ Ref: topicId }),
    );
    expect(subscriptions.map((s) => s.Properties)).toEqual([{ Protocol: 'email', Endpoint: ALARM_EMAIL, TopicArn: { Ref: topicId } }]);
  });

  it('has no subscription without alarmEmail', () => {
    const { stateless } = plain();
    const topicId = alarmTopicId(stateless);
    const subscriptions = Object.values(stateless.findResources('AWS::SNS::Subscription')).filter(
      (s) => JSON.stringify(s.Properties.TopicArn) === JSON.stringify({ Ref: topicId }),
    );
    expect(subscriptions).toEqual([]);
    // The SES feedback subscription is the only one left in the stack.
    expect(Object.values(stateless.findResources('AWS::SNS::Subscription')).map((s) => s.Properties.Protocol)).toEqual(['lambda']);
  });

  it('refuses an alarmEmail that is not an email address', () => {
    const test = newTestApp(NO_BUNDLING);
    try {
      expect(() => buildApp(test.app, { nag: false, alarmEmail: 'van-hanh' })).toThrow(/alarmEmail "van-hanh" is not an email address/);
    } finally {
      test.cleanup();
    }
  });
});

describe('alarms', () => {
  it.each([
    ['with alarmEmail', configured],
    ['without alarmEmail', plain],
  ] as const)('every alarm of the stateless stack notifies the alarm topic on ALARM and on OK (%s)', (_, build) => {
    const { stateless } = build();
    const topic = { Ref: alarmTopicId(stateless) };
    const alarms = alarmsOf(stateless);
    // 5 on queues, 2 per function, API 5xx, SES bounce and complaint rates.
    expect(alarms).toHaveLength(5 + 2 * allFunctions.length + 1 + 2);
    for (const [id, alarm] of alarms) {
      expect({ id, alarm: alarm.Properties.AlarmActions, ok: alarm.Properties.OKActions }).toEqual({ id, alarm: [topic], ok: [topic] });
    }
  });

  it('every alarm says in plain English what to look at and points to its runbook section', () => {
    const { stateless } = configured();
    for (const [id, alarm] of alarmsOf(stateless)) {
      const description = render(alarm.Properties.AlarmDescription);
      // Printable ASCII only: no Vietnamese (the operator's email client and the console render it alike).
      expect({ id, ascii: /^[\x20-\x7e]+$/.test(description) }).toEqual({ id, ascii: true });
      expect({ id, runbook: /See docs\/operations\.md#[a-z0-9-]+\.$/.test(description) }).toEqual({ id, runbook: true });
      expect(alarm.Properties.TreatMissingData).toBe('notBreaching');
    }
  });

  it('every runbook section an alarm points to is a heading of docs/operations.md', () => {
    const { stateless } = configured();
    const anchors = new Set(
      alarmsOf(stateless).flatMap(([, alarm]) =>
        [...render(alarm.Properties.AlarmDescription).matchAll(/docs\/operations\.md#([a-z0-9-]+)/g)].map((m) => m[1]!),
      ),
    );
    expect([...anchors].sort()).toEqual([
      'api-5xx-errors',
      'dead-letter-queues',
      'function-errors',
      'function-throttles',
      'reminder-queue-age',
      'ses-bounce-rate',
      'ses-complaint-rate',
    ]);
    // GitHub's heading slugs: lowercase, punctuation dropped, spaces as dashes; headings inside code blocks do not count.
    let inCode = false;
    const slugs = new Set<string>();
    for (const text of readFileSync(path.join(PROJECT_ROOT, 'docs/operations.md'), 'utf8').split('\n')) {
      if (text.startsWith('```')) inCode = !inCode;
      const heading = /^#{1,6} (.+)$/.exec(text);
      if (!inCode && heading) {
        slugs.add(heading[1]!.trim().toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, '').replace(/ /g, '-'));
      }
    }
    expect([...anchors].filter((anchor) => !slugs.has(anchor))).toEqual([]);
  });

  /** The queue a function's failed asynchronous runs go to (its on-failure destination). */
  const onFailureQueueOf = (built: Built, functionId: string): string => {
    const configs = Object.values(built.stateless.findResources('AWS::Lambda::EventInvokeConfig')).filter(
      (c) => JSON.stringify(c.Properties.FunctionName) === JSON.stringify({ Ref: fnIdOf(built, functionId) }),
    );
    expect(configs).toHaveLength(1);
    return configs[0]!.Properties.DestinationConfig.OnFailure.Destination['Fn::GetAtt'][0] as string;
  };
  /** The dead-letter queue of the only queue with a redrive policy (the reminder queue). */
  const redriveTargetOf = ({ stateless }: Built): string => {
    const redriven = Object.values(stateless.findResources('AWS::SQS::Queue')).filter((q) => q.Properties.RedrivePolicy !== undefined);
    expect(redriven).toHaveLength(1);
    return redriven[0]!.Properties.RedrivePolicy.deadLetterTargetArn['Fn::GetAtt'][0] as string;
  };

  it.each([
    ['RecordUploadFailedEvents', '#dead-letter-queues', (built: Built) => onFailureQueueOf(built, 'RecordUpload')],
    ['RecordMailEventFailedEvents', '#dead-letter-queues', (built: Built) => onFailureQueueOf(built, 'RecordMailEvent')],
    ['ReminderDlq', '#dead-letter-queues', (built: Built) => onFailureQueueOf(built, 'SendReminders')],
    ['ReminderQueueDlq', '#dead-letter-queues', redriveTargetOf],
  ] as const)('the depth alarm of %s points to docs/operations.md%s', (_queue, anchor, queueIdOf) => {
    const built = configured();
    const { stateless } = built;
    const alarms = alarmsOn(stateless, 'AWS/SQS', 'ApproximateNumberOfMessagesVisible', [
      { Name: 'QueueName', Value: { 'Fn::GetAtt': [queueIdOf(built), 'QueueName'] } },
    ]);
    expect(alarms).toHaveLength(1);
    expect(alarms[0]![1].Properties.AlarmDescription).toContain(`See docs/operations.md${anchor}.`);
  });

  it('the reminder queue age alarm points to docs/operations.md#reminder-queue-age', () => {
    const { stateless } = configured();
    const alarms = alarmsOn(stateless, 'AWS/SQS', 'ApproximateAgeOfOldestMessage');
    expect(alarms).toHaveLength(1);
    expect(alarms[0]![1].Properties.AlarmDescription).toContain('See docs/operations.md#reminder-queue-age.');
  });

  it.each(allFunctions.map((f) => [f.id] as const))('%s has one Errors alarm and one Throttles alarm (>= 1 in 5 minutes)', (id) => {
    const built = configured();
    const dimensions = [{ Name: 'FunctionName', Value: { Ref: fnIdOf(built, id) } }];
    for (const [metric, anchor] of [
      ['Errors', '#function-errors'],
      ['Throttles', '#function-throttles'],
    ] as const) {
      const alarms = alarmsOn(built.stateless, 'AWS/Lambda', metric, dimensions);
      expect({ metric, count: alarms.length }).toEqual({ metric, count: 1 });
      const properties = alarms[0]![1].Properties;
      expect(properties).toMatchObject(ANY_IN_FIVE_MINUTES);
      const description = render(properties.AlarmDescription);
      expect(description).toContain(id);
      expect(description).toContain(`See docs/operations.md${anchor}.`);
    }
    // The Errors alarm names the function's log group.
    const logGroupId = resourcesOf(built.stateless)[fnIdOf(built, id)]!.Properties.LoggingConfig.LogGroup.Ref as string;
    expect(render(alarmsOn(built.stateless, 'AWS/Lambda', 'Errors', dimensions)[0]![1].Properties.AlarmDescription)).toContain(`ref(${logGroupId})`);
  });

  it('has as many Errors and Throttles alarms as functions, no more', () => {
    const { stateless } = configured();
    expect(alarmsOn(stateless, 'AWS/Lambda', 'Errors')).toHaveLength(14);
    expect(alarmsOn(stateless, 'AWS/Lambda', 'Throttles')).toHaveLength(14);
    expect(allFunctions).toHaveLength(14);
  });

  it('alarms on any 5xx of the HTTP API $default stage in 5 minutes', () => {
    const { stateless } = configured();
    const apiId = Object.keys(stateless.findResources('AWS::ApiGatewayV2::Api'));
    expect(apiId).toHaveLength(1);
    const alarms = alarmsOn(stateless, 'AWS/ApiGateway', '5xx');
    expect(alarms).toHaveLength(1);
    expect(alarms[0]![1].Properties).toMatchObject({
      Dimensions: [
        { Name: 'ApiId', Value: { Ref: apiId[0] } },
        { Name: 'Stage', Value: '$default' },
      ],
      ...ANY_IN_FIVE_MINUTES,
    });
    expect(alarms[0]![1].Properties.AlarmDescription).toContain('See docs/operations.md#api-5xx-errors.');
  });

  it.each([
    ['Reputation.BounceRate', 0.05, '#ses-bounce-rate'],
    ['Reputation.ComplaintRate', 0.001, '#ses-complaint-rate'],
  ] as const)('alarms on the account-level SES %s at %d (the level at which SES reviews an account)', (metric, threshold, anchor) => {
    const { stateless } = configured();
    const alarms = alarmsOn(stateless, 'AWS/SES', metric);
    expect(alarms).toHaveLength(1);
    const properties = alarms[0]![1].Properties;
    expect(properties.Dimensions).toBeUndefined();
    expect(properties).toMatchObject({
      Statistic: 'Maximum',
      Period: 3600,
      EvaluationPeriods: 1,
      Threshold: threshold,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
    });
    expect(properties.AlarmDescription).toContain(`See docs/operations.md${anchor}.`);
  });
});

describe('dashboard', () => {
  interface Widget {
    type: string;
    properties: { title?: string; alarms?: string[]; metrics?: unknown[][] };
  }
  /** The dashboard's widgets, with intrinsics rendered (`ref(X)`, `getatt(X.Arn)`, `import(name)`). */
  const widgets = (): Widget[] => {
    const { stateless } = configured();
    const dashboards = Object.values(stateless.findResources('AWS::CloudWatch::Dashboard'));
    expect(dashboards).toHaveLength(1);
    expect(dashboards[0]!.Properties.DashboardName).toBeUndefined();
    return (JSON.parse(render(dashboards[0]!.Properties.DashboardBody)) as { widgets: Widget[] }).widgets;
  };
  const metricsOf = (title: string): unknown[][] => {
    const found = widgets().filter((w) => w.properties.title === title);
    expect({ title, count: found.length }).toEqual({ title, count: 1 });
    return found[0]!.properties.metrics!;
  };
  /** Each metric line as `namespace metric [name=value, ...]` (dimensions sorted by name; options left out). */
  const lines = (title: string) =>
    metricsOf(title).map((m) => {
      const [namespace, metric, ...pairs] = m.filter((part): part is string => typeof part === 'string');
      return line(namespace!, metric!, Object.fromEntries(pairs.flatMap((_, i) => (i % 2 === 0 ? [[pairs[i], pairs[i + 1]]] : []))));
    });
  const line = (namespace: string, metric: string, dimensions: Record<string, string> = {}) =>
    `${namespace} ${metric} [${Object.entries(dimensions)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, value]) => `${name}=${value}`)
      .join(', ')}]`;

  it('shows the state of every alarm of the stack', () => {
    const { stateless } = configured();
    const status = widgets().filter((w) => w.type === 'alarm');
    expect(status).toHaveLength(1);
    expect([...status[0]!.properties.alarms!].sort()).toEqual(alarmsOf(stateless).map(([id]) => `getatt(${id}.Arn)`).sort());
  });

  it.each([
    ['Function invocations', 'Invocations'],
    ['Function errors', 'Errors'],
    ['Function duration p99 (ms)', 'Duration'],
    ['Function throttles', 'Throttles'],
  ])('%s: a line per function', (title, metric) => {
    const built = configured();
    expect(lines(title).sort()).toEqual(
      allFunctions.map((f) => line('AWS/Lambda', metric, { FunctionName: `ref(${fnIdOf(built, f.id)})` })).sort(),
    );
  });

  it('shows API requests, 4xx, 5xx and latency of the $default stage', () => {
    const { stateless } = configured();
    const api = `ref(${Object.keys(stateless.findResources('AWS::ApiGatewayV2::Api'))[0]})`;
    const stage = (metric: string) => line('AWS/ApiGateway', metric, { ApiId: api, Stage: '$default' });
    expect(lines('API requests, 4xx, 5xx')).toEqual([stage('Count'), stage('4xx'), stage('5xx')]);
    expect(lines('API latency (ms)')).toEqual([stage('Latency'), stage('Latency'), stage('IntegrationLatency')]);
  });

  it('shows the depth and oldest message age of every queue', () => {
    const { stateless } = configured();
    const queues = Object.keys(stateless.findResources('AWS::SQS::Queue')).sort();
    expect(queues).toHaveLength(5);
    for (const [title, metric] of [
      ['Queue depth (messages visible)', 'ApproximateNumberOfMessagesVisible'],
      ['Oldest message age (s)', 'ApproximateAgeOfOldestMessage'],
    ] as const) {
      expect(lines(title).sort()).toEqual(queues.map((q) => line('AWS/SQS', metric, { QueueName: `getatt(${q}.QueueName)` })).sort());
    }
  });

  it('shows SES sends, bounces and complaints, and the reputation rates', () => {
    expect(lines('SES sends, bounces, complaints (account)')).toEqual([
      line('AWS/SES', 'Send'),
      line('AWS/SES', 'Bounce'),
      line('AWS/SES', 'Complaint'),
    ]);
    expect(lines('SES reputation (account)')).toEqual([line('AWS/SES', 'Reputation.BounceRate'), line('AWS/SES', 'Reputation.ComplaintRate')]);
  });

  it('shows consumed capacity and throttles of the table and of GSI1', () => {
    const { built } = configured();
    // The table name, imported from the stateful stack under the export of its Ref.
    const tableId = logicalIdOf(built.stateful.table.node.defaultChild as CfnElement);
    const tableName = `import(${exportNameOf(Template.fromStack(built.stateful), { Ref: tableId })})`;
    const table = (metric: string, index?: string) =>
      line('AWS/DynamoDB', metric, { TableName: tableName, ...(index ? { GlobalSecondaryIndexName: index } : {}) });
    expect(lines('DynamoDB consumed capacity')).toEqual([
      table('ConsumedReadCapacityUnits'),
      table('ConsumedWriteCapacityUnits'),
      table('ConsumedReadCapacityUnits', 'GSI1'),
      table('ConsumedWriteCapacityUnits', 'GSI1'),
    ]);
    expect(lines('DynamoDB throttles')).toEqual([
      table('ReadThrottleEvents'),
      table('WriteThrottleEvents'),
      table('ReadThrottleEvents', 'GSI1'),
      table('WriteThrottleEvents', 'GSI1'),
    ]);
  });
});

describe('maxUploadBytes', () => {
  /** The functions that build or sign upload forms: MemberPage, CreateUpload, GetUploadState. */
  const uploadForms = allFunctions.filter((f) => f.bucketAccess === 'upload' || f.bucketName).map((f) => f.id);
  const variablesOf = (built: Built, id: string) =>
    resourcesOf(built.stateless)[fnIdOf(built, id)]!.Properties.Environment.Variables as Record<string, unknown>;

  it('is MAX_UPLOAD_BYTES of the functions that build or sign upload forms, and of no other', () => {
    expect(uploadForms.sort()).toEqual(['CreateUpload', 'GetUploadState', 'MemberPage']);
    const built = configured();
    for (const f of allFunctions) {
      expect({ id: f.id, value: variablesOf(built, f.id).MAX_UPLOAD_BYTES }).toEqual({
        id: f.id,
        value: uploadForms.includes(f.id) ? String(TEN_MB) : undefined,
      });
    }
  });

  it('is not set at all without the prop (the functions apply their 25 MB default)', () => {
    const built = plain();
    for (const f of allFunctions) expect({ id: f.id, value: variablesOf(built, f.id).MAX_UPLOAD_BYTES }).toEqual({ id: f.id, value: undefined });
  });

  it.each([512, 1.5 * 1024 * 1024 + 0.5, 6 * 1024 * 1024 * 1024])('refuses %d at synth', (value) => {
    const test = newTestApp(NO_BUNDLING);
    try {
      const { stateful } = buildApp(test.app, { nag: false });
      // No routes: the check does not depend on them.
      expect(
        () =>
          new StatelessStack(test.app, 'Other', {
            table: stateful.table,
            uploadsBucket: stateful.uploadsBucket,
            linkSecret: stateful.linkSecret,
            routes: [],
            maxUploadBytes: value,
          }),
      ).toThrow(/Other: maxUploadBytes .* must be a whole number of bytes from 1024 to 5 GiB/);
    } finally {
      test.cleanup();
    }
  });
});
