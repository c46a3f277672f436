import { RemovalPolicy, Stack, Validations, type App, type CfnElement } from 'aws-cdk-lib';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks, NagRuleCompliance, ServerlessChecks, type IApplyRule } from 'cdk-nag';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Template } from 'aws-cdk-lib/assertions';
import { httpRoutes, mailEventHandler, objectCreatedHandlers, reminderHandler, reminderSender, type BucketAccess } from '../../functions/routes';
import { buildApp, type BuiltApp } from '../../infra/build-app';
import { deployedFunctions, exportNameOf, newTestApp, reportedFindings, type DeployedFunction } from './support';

/**
 * The AwsSolutions pack with acknowledgements ignored: it records every finding, so that the test can compare the
 * acknowledged ones with the list below (an acknowledgement must not hide more than it says).
 */
class AllAwsSolutionsFindings extends AwsSolutionsChecks {
  public readonly findings: string[] = [];

  protected override applyRule(params: IApplyRule): void {
    const id = `AwsSolutions-${params.ruleSuffixOverride ?? params.rule.name}`;
    const where = params.node.node.path;
    let result: ReturnType<IApplyRule['rule']>;
    try {
      result = params.rule(params.node);
    } catch (error) {
      this.findings.push(`${id} ${where} (rule failed: ${(error as Error).message})`);
      return;
    }
    if (result === NagRuleCompliance.NON_COMPLIANT) this.findings.push(`${id} ${where}`);
    else if (Array.isArray(result)) for (const finding of result) this.findings.push(`${id}[${finding}] ${where}`);
  }
}

/** The Serverless pack with acknowledgements ignored, recording every finding like AllAwsSolutionsFindings. */
class AllServerlessFindings extends ServerlessChecks {
  public readonly findings: string[] = [];

  protected override applyRule(params: IApplyRule): void {
    const id = `Serverless-${params.ruleSuffixOverride ?? params.rule.name}`;
    const result = params.rule(params.node);
    if (result === NagRuleCompliance.NON_COMPLIANT) this.findings.push(`${id} ${params.node.node.path}`);
    else if (Array.isArray(result)) for (const finding of result) this.findings.push(`${id}[${finding}] ${params.node.node.path}`);
  }
}

/** Key prefixes each bucket access level is granted on (a wildcard after each, which IAM5 reports). */
const GRANTED_PREFIXES: Readonly<Record<BucketAccess, readonly string[]>> = {
  upload: ['uploads/'],
  download: ['uploads/', 'quarantine/'],
  record: ['uploads/', 'quarantine/'],
};

/** The construct of the stateless stack that holds a function: one per concern. */
function concernOf(fn: DeployedFunction): string {
  if (fn.routeIds.length > 0) return 'Routes';
  if (objectCreatedHandlers.some((h) => h.id === fn.id)) return 'Uploads';
  if (fn.id === reminderHandler.id || fn.id === reminderSender.id) return 'Reminders';
  if (fn.id === mailEventHandler.id) return 'Mail';
  throw new Error(`${fn.id} belongs to no known concern`);
}

/**
 * Every acknowledgement the app makes, one line per resource: rule id and construct path. `bucketArnExport` is the
 * export name under which the stateful stack exports the uploads bucket ARN (the stateless policies import it);
 * `scheduleGroupId` the logical id of the schedule group (the schedule permissions name its schedules).
 */
function expectedAcknowledgements(stage: string, bucketArnExport: string, scheduleGroupId: string): string[] {
  const stateless = `CumThiDua-${stage}-Stateless`;
  const stateful = `CumThiDua-${stage}-Stateful`;
  const groupSchedules = `arn:<AWS::Partition>:scheduler:<AWS::Region>:<AWS::AccountId>:schedule/<${scheduleGroupId}>/*`;
  // One function per route function (`functionId ?? id`: AdminAuth, AdminApi, AdminPage, the member routes) and per
  // event handler.
  const perFunction = deployedFunctions().flatMap((fn) => {
    const at = `${stateless}/${concernOf(fn)}/${fn.id}Function`;
    return [
      // Node.js 22 pinned on purpose (ProjectFunction).
      `AwsSolutions-L1 ${at}/Resource`,
      // X-Ray actions have no resource-level permissions (ProjectFunction).
      `AwsSolutions-IAM5[Resource::*] ${at}Role/DefaultPolicy/Resource`,
      // S3 object actions on a key prefix (function-access.ts).
      ...(fn.bucketAccess ? GRANTED_PREFIXES[fn.bucketAccess] : []).map(
        (prefix) => `AwsSolutions-IAM5[Resource::${bucketArnExport}/${prefix}*] ${at}Role/DefaultPolicy/Resource`,
      ),
      // scheduler:ListSchedules has no resource type; the other schedule actions are on the group's schedules
      // (function-access.ts), both in the role's SchedulesPolicy.
      ...(fn.schedules
        ? [
            `AwsSolutions-IAM5[Resource::*] ${at}Role/SchedulesPolicy/Resource`,
            `AwsSolutions-IAM5[Resource::${groupSchedules}] ${at}Role/SchedulesPolicy/Resource`,
          ]
        : []),
    ];
  });
  return [
    ...perFunction,
    // Authentication in the handler, or public on purpose (ProjectHttpApi), on every route.
    ...httpRoutes.map((route) => `AwsSolutions-APIG4 ${stateless}/HttpApi/${route.id}Route/Resource`),
    // The failed-events queue is itself a dead-letter queue (Uploads).
    ...objectCreatedHandlers.map((h) => `AwsSolutions-SQS3 ${stateless}/Uploads/${h.id}FailedEvents/Resource`),
    // So is the reminder dead-letter queue (Reminders).
    `AwsSolutions-SQS3 ${stateless}/Reminders/ReminderDlq/Resource`,
    // And the mail event handler's failed-events queue (on-failure destination and subscription DLQ; Mail). The
    // reminder queue has a dead-letter queue, which SQS3 recognises through the redrive policy: neither is acknowledged.
    `AwsSolutions-SQS3 ${stateless}/Mail/${mailEventHandler.id}FailedEvents/Resource`,
    // Link key rotated by hand, keeping old keys (StatefulStack).
    `AwsSolutions-SMG4 ${stateful}/LinkSecret/Resource`,
  ].sort();
}

/** Every acknowledgement recorded in the construct tree: rule id, path of the construct it was made on, reason. */
function acknowledgementsIn(app: App): { id: string; path: string; reason: string }[] {
  return app.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) =>
        Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({
          id: id.replace(/^annotation::/i, ''),
          path: construct.node.path,
          reason,
        })),
      ),
  );
}

/** Synthesizes `app`; returns the assembly, or the error that synth threw (error-level findings make it throw). */
function trySynth(app: App): { assembly?: CloudAssembly; error?: Error } {
  try {
    return { assembly: app.synth() };
  } catch (error) {
    return { error: error as Error };
  }
}

describe('cdk-nag AwsSolutions on the app', () => {
  let app: App;
  let built: BuiltApp;
  let synth: { assembly?: CloudAssembly; error?: Error };
  let cleanup: () => void;

  beforeAll(() => {
    // Prepare
    const test = newTestApp();
    app = test.app;
    cleanup = test.cleanup;
    built = buildApp(app);
    // Act: synth with the AwsSolutions plugin registered by buildApp.
    synth = trySynth(app);
  }, 120_000);

  afterAll(() => cleanup?.());

  it('synthesizes: no error-level finding', () => {
    expect(synth.error?.message).toBeUndefined();
    expect(synth.assembly).toBeDefined();
  });

  it('reports no unacknowledged finding, error or warning, from any validation plugin', () => {
    expect(reportedFindings(app.outdir)).toEqual([]);
  });

  /** All findings, acknowledged or not: the pack rerun with acknowledgements ignored. */
  function allFindings(): string[] {
    const all = new AllAwsSolutionsFindings();
    all.validateScope(app);
    return [...all.findings].sort();
  }

  it('acknowledges exactly the expected findings, each on its own resource', () => {
    // Prepare: the export name is read from the synthesized stateful template, independently of the app's code.
    const bucket = built.stateful.uploadsBucket.node.defaultChild as CfnElement;
    const bucketArnExport = exportNameOf(Template.fromStack(built.stateful), {
      'Fn::GetAtt': [built.stateful.getLogicalId(bucket), 'Arn'],
    });
    const groups = Object.keys(Template.fromStack(built.stateless).findResources('AWS::Scheduler::ScheduleGroup'));
    expect(groups).toHaveLength(1);
    // Act + Assess
    expect(allFindings()).toEqual(expectedAcknowledgements('dev', bucketArnExport, groups[0]!));
  });

  it('makes no acknowledgement that matches no finding, and gives each a specific reason', () => {
    // Prepare
    const findings = allFindings().map((line) => {
      const [id, path] = line.split(' ');
      return { id: id!, path: path! };
    });
    const acknowledgements = acknowledgementsIn(app).filter((a) => a.id.startsWith('AwsSolutions-'));
    expect(acknowledgements.length).toBeGreaterThan(0);
    for (const ack of acknowledgements) {
      // Assess: an acknowledgement covers the construct it is made on and its children.
      const covered = findings.filter((f) => f.id === ack.id && (f.path === ack.path || f.path.startsWith(`${ack.path}/`)));
      expect({ ack: `${ack.id} ${ack.path}`, covers: covered.length > 0 }).toEqual({ ack: `${ack.id} ${ack.path}`, covers: true });
      expect(ack.reason.length).toBeGreaterThan(80);
    }
  });
});

describe('cdk-nag Serverless on the app', () => {
  let app: App;
  let built: BuiltApp;
  let cleanup: () => void;

  beforeAll(() => {
    const test = newTestApp();
    app = test.app;
    cleanup = test.cleanup;
    built = buildApp(app, { alarmEmail: 'van-hanh@example.org' });
    app.synth();
  }, 120_000);

  afterAll(() => cleanup?.());

  function allFindings(): { id: string; path: string }[] {
    const all = new AllServerlessFindings();
    all.validateScope(app);
    return all.findings.map((line) => {
      const [id, path] = line.split(' ');
      return { id: id!, path: path! };
    });
  }

  it('reports no unacknowledged finding (synth with both packs, alarm email on)', () => {
    expect(reportedFindings(app.outdir)).toEqual([]);
  });

  it('acknowledges exactly: per function its DLQ and runtime findings, the SQS event source, the dead-letter queues, the email subscription', () => {
    const findings = allFindings();
    const functionPaths = [...built.stateless.functions.values()].map((fn) => `${fn.node.path}/Resource`).sort();
    expect(findings.filter((f) => f.id === 'Serverless-LambdaDLQ').map((f) => f.path).sort()).toEqual(functionPaths);
    expect(findings.filter((f) => f.id === 'Serverless-LambdaLatestVersion').map((f) => f.path).sort()).toEqual(functionPaths);
    expect(findings.filter((f) => f.id === 'Serverless-LambdaEventSourceMappingDestination').map((f) => f.path)).toEqual([
      expect.stringMatching(new RegExp(`^${built.stateless.reminderSenderFunction!.node.path}/SqsEventSource:`)),
    ]);
    // The five queues less the reminder queue (it has a redrive policy): all four are dead-letter queues.
    expect(findings.filter((f) => f.id === 'Serverless-SQSRedrivePolicy').map((f) => f.path.split('/').slice(-2, -1)[0]).sort()).toEqual(
      ['RecordMailEventFailedEvents', 'RecordUploadFailedEvents', 'ReminderDlq', 'ReminderQueueDlq'],
    );
    expect(findings.filter((f) => f.id === 'Serverless-SNSRedrivePolicy').map((f) => f.path)).toEqual([`${built.stateless.monitoring.node.path}/AlarmEmail/Resource`]);
    expect(new Set(findings.map((f) => f.id))).toEqual(
      new Set(['Serverless-LambdaDLQ', 'Serverless-LambdaLatestVersion', 'Serverless-LambdaEventSourceMappingDestination', 'Serverless-SQSRedrivePolicy', 'Serverless-SNSRedrivePolicy']),
    );
  });

  it('makes no Serverless acknowledgement that matches no finding, and gives each a specific reason', () => {
    const findings = allFindings();
    const acknowledgements = acknowledgementsIn(app).filter((a) => a.id.startsWith('Serverless-'));
    expect(acknowledgements.length).toBeGreaterThan(0);
    for (const ack of acknowledgements) {
      const covered = findings.filter((f) => f.id === ack.id && (f.path === ack.path || f.path.startsWith(`${ack.path}/`)));
      expect({ ack: `${ack.id} ${ack.path}`, covers: covered.length > 0 }).toEqual({ ack: `${ack.id} ${ack.path}`, covers: true });
      expect(ack.reason.length).toBeGreaterThan(80);
    }
  });
});

describe('cdk-nag AwsSolutions on deliberately bad constructs (the checks above can fail)', () => {
  const cleanups: (() => void)[] = [];
  afterAll(() => cleanups.forEach((c) => c()));

  function throwawayApp(): { app: App; stack: Stack } {
    const test = newTestApp();
    cleanups.push(test.cleanup);
    const stack = new Stack(test.app, 'Throwaway');
    Validations.of(test.app).addPlugins(new AwsSolutionsChecks(test.app));
    return { app: test.app, stack };
  }

  it('fails synth on an error-level finding: a bucket that accepts plain HTTP', () => {
    // Prepare
    const { app, stack } = throwawayApp();
    new s3.Bucket(stack, 'PlainHttpBucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // Act
    const { error } = trySynth(app);
    // Assess
    expect(error?.message).toMatch(/AwsSolutions-S10/);
    expect(error?.message).toMatch(/Throwaway\/PlainHttpBucket/);
  });

  it('reports a warning-level finding, and fails synth on it too: a table without point-in-time recovery', () => {
    // Prepare
    const { app, stack } = throwawayApp();
    new dynamodb.Table(stack, 'NoPitrTable', {
      partitionKey: { name: 'PK', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // Act
    const { error } = trySynth(app);
    // Assess: cdk-nag marks its report failed on any finding, so warnings stop synth as well; the report is written
    // before synth throws.
    expect(error?.message).toMatch(/AwsSolutions-DDB3/);
    expect(reportedFindings(app.outdir)).toContainEqual(
      expect.objectContaining({
        rule: 'AwsSolutions-DDB3',
        severity: 'warning',
        constructPaths: ['Throwaway/NoPitrTable/Resource'],
      }),
    );
  });

  it('honours an acknowledgement only on the construct it was made on', () => {
    // Prepare: two tables without PITR, one acknowledged.
    const { app, stack } = throwawayApp();
    const props = {
      partitionKey: { name: 'PK', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      removalPolicy: RemovalPolicy.DESTROY,
    };
    const acknowledged = new dynamodb.Table(stack, 'AcknowledgedTable', props);
    new dynamodb.Table(stack, 'OtherTable', props);
    Validations.of(acknowledged).acknowledge({ id: 'AwsSolutions-DDB3', reason: 'test' });
    // Act
    trySynth(app);
    // Assess
    const ddb3 = reportedFindings(app.outdir).filter((f) => f.rule === 'AwsSolutions-DDB3');
    expect(ddb3.flatMap((f) => f.constructPaths)).toEqual(['Throwaway/OtherTable/Resource']);
  });
});
