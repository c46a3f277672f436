/**
 * The stage configurations of cdk.json (`stages`, infra/config.ts): what they hold, each wrong or missing value
 * refused with its key path, and buildApp taking a stage's values (region in the stacks' env, retention, upload
 * limit, alarm email) unless an option or a per-key context value overrides them. Stacks are synthesized without
 * bundling any function.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Token } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { buildApp, type BuildAppOptions, type BuiltApp } from '../../infra/build-app';
import { ConfigError, StageConfigSchema, loadStageConfig, parseStageConfig, readCdkJsonContext } from '../../infra/config';
import { newTestApp, type Resources } from './support';

const stages = readCdkJsonContext().stages as Record<string, Record<string, unknown>>;

/** A valid stage, as cdk.json would hold it. */
function validStage(): Record<string, any> {
  return {
    region: 'ap-southeast-1',
    appOrigin: 'https://thi-dua.example.org',
    mailFrom: 'Cụm Thi đua <no-reply@example.org>',
    sesMaxSendRate: 14,
    maxUploadBytes: 10 * 1024 * 1024,
    alarmEmail: 'ops@example.org',
    retainData: true,
    clusters: [
      {
        clusterId: 'cum-1',
        name: 'Cụm Thi đua số 1',
        province: { id: 'cdvc-tinh', name: 'Công đoàn Viên chức tỉnh' },
        headUnit: { unitId: 'truong-a', name: 'Công đoàn Trường A' },
        adminEmails: ['a@example.org'],
      },
    ],
  };
}

/** What parseStageConfig says about `stage` once `change` has been applied to a valid stage (undefined: accepted). */
function problemWith(change: (stage: Record<string, any>) => void, name = 'prod'): string | undefined {
  const stage = validStage();
  change(stage);
  try {
    parseStageConfig({ [name]: stage }, name);
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
}

describe('cdk.json stages', () => {
  it('defines dev and prod, both valid; prod retains its data and dev does not', () => {
    expect(Object.keys(stages).filter((k) => !k.startsWith('//'))).toEqual(['dev', 'prod']);
    const dev = parseStageConfig(stages, 'dev');
    const prod = parseStageConfig(stages, 'prod');
    expect([dev.retainData, prod.retainData]).toEqual([false, true]);
    expect([dev.sesMaxSendRate, prod.sesMaxSendRate]).toEqual([1, 14]);
    expect(prod).toMatchObject({ region: 'ap-southeast-1', appOrigin: 'https://thi-dua.example.org', maxUploadBytes: 25 * 1024 * 1024 });
    expect(prod.mailFrom.address).toBe('no-reply@thi-dua.example.org');
    expect(prod.clusters.map((c) => [c.clusterId, c.headUnit.unitId])).toEqual([['thanh-hoa-cum-5', 'dh-vhttdl-thanh-hoa']]);
  });

  it('holds placeholders only: every address and host is on example.org (to be replaced before a real deployment)', () => {
    for (const name of ['dev', 'prod']) {
      const config = parseStageConfig(stages, name);
      const domains = [
        new URL(config.appOrigin).hostname,
        config.mailFrom.domain,
        ...[config.alarmEmail!, ...config.clusters.flatMap((c) => c.adminEmails)].map((email) => email.split('@')[1]!),
      ];
      for (const domain of domains) expect(domain).toMatch(/(^|\.)example\.org$/);
    }
  });
});

describe('parseStageConfig', () => {
  it('accepts a valid stage, normalising addresses and defaulting retainData to true', () => {
    const stage = validStage();
    delete stage.retainData;
    stage.clusters[0].adminEmails = [' A@Example.org', 'a@example.org', 'b@example.org'];
    const config = parseStageConfig({ prod: stage }, 'prod');
    expect(config.retainData).toBe(true);
    expect(config.clusters[0]!.adminEmails).toEqual(['a@example.org', 'b@example.org']);
    expect(config.mailFrom.sesSource).toMatch(/^=\?UTF-8\?B\?.* <no-reply@example\.org>$/);
  });

  it('refuses an unknown stage, listing the known ones', () => {
    expect(() => parseStageConfig(stages, 'nope')).toThrow(
      new ConfigError('Unknown stage "nope": the context key stages defines "dev", "prod"; choose one with --context stage=<name>'),
    );
    expect(() => parseStageConfig('dev', 'dev')).toThrow(/^Context stages: expected an object with one configuration per stage/);
  });

  it.each([
    ['region', 'Singapore', 'stages.prod.region: expected an AWS region such as ap-southeast-1, got "Singapore"'],
    ['appOrigin', 'https://thi-dua.example.org/', 'stages.prod.appOrigin: Invalid appOrigin "https://thi-dua.example.org/": expected an https origin'],
    ['appOrigin', 42, 'stages.prod.appOrigin: expected an https origin such as https://thi-dua.example.org, got 42'],
    ['mailFrom', 'Cụm Thi đua <no-reply>', 'stages.prod.mailFrom: Invalid mailFrom "Cụm Thi đua <no-reply>": expected "Display Name <sender@example.org>"'],
    ['sesMaxSendRate', 5000, 'stages.prod.sesMaxSendRate: Invalid sesMaxSendRate 5000: expected'],
    ['maxUploadBytes', 1024, 'stages.prod.maxUploadBytes: expected a whole number of bytes from 1048576 (1 MB) to 104857600 (100 MB), e.g. 26214400 for 25 MB, got 1024'],
    ['maxUploadBytes', 104857601, 'stages.prod.maxUploadBytes: expected a whole number of bytes from 1048576 (1 MB) to 104857600 (100 MB), e.g. 26214400 for 25 MB, got 104857601'],
    ['maxUploadBytes', '25MB', 'stages.prod.maxUploadBytes: expected a whole number of bytes'],
    ['alarmEmail', 'ops', 'stages.prod.alarmEmail: expected an email address, got "ops"'],
    ['retainData', 'yes', 'stages.prod.retainData: expected true or false, got "yes"'],
    ['clusters', [], 'stages.prod.clusters: expected at least one cluster, got an empty list'],
    ['clusters', 'cum-1', 'stages.prod.clusters: expected a list of clusters, got "cum-1"'],
  ])('refuses a wrong %s (%j), naming the key path', (key, value, message) => {
    expect(problemWith((s) => (s[key] = value))).toMatch(new RegExp(`^${escape(message)}`));
  });

  it.each(['region', 'appOrigin', 'mailFrom', 'sesMaxSendRate', 'maxUploadBytes', 'clusters'])('refuses a missing %s, naming the key path', (key) => {
    expect(problemWith((s) => delete s[key])).toMatch(new RegExp(`^stages\\.prod\\.${key}: missing; expected `));
  });

  it('accepts a stage without alarmEmail (no alarm subscription then)', () => {
    expect(problemWith((s) => delete s.alarmEmail)).toBeUndefined();
  });

  it.each([
    ['clusterId', (c: any) => (c.clusterId = 'Cụm 1'), 'stages.prod.clusters[0].clusterId: expected a cluster id: lowercase ASCII letters and digits in words joined by hyphens, e.g. thanh-hoa-cum-5, got "Cụm 1"'],
    ['name', (c: any) => (c.name = '  '), `stages.prod.clusters[0].name: expected the cluster's name (non-empty text), got "  "`],
    ['province', (c: any) => delete c.province, 'stages.prod.clusters[0].province: missing; expected the provincial union {id, name}'],
    ['province.id', (c: any) => (c.province.id = 'Thanh Hóa'), `stages.prod.clusters[0].province.id: expected the provincial union's id`],
    ['headUnit.unitId', (c: any) => delete c.headUnit.unitId, 'stages.prod.clusters[0].headUnit.unitId: missing; expected a unit id'],
    ['adminEmails[1]', (c: any) => c.adminEmails.push('not-an-address'), 'stages.prod.clusters[0].adminEmails[1]: expected an email address, got "not-an-address"'],
    ['adminEmails (empty)', (c: any) => (c.adminEmails = []), 'stages.prod.clusters[0].adminEmails: expected a list of 1 to 10 email addresses, got an empty list'],
    ['adminEmails (11)', (c: any) => (c.adminEmails = Array.from({ length: 11 }, (_, i) => `a${i}@example.org`)), 'stages.prod.clusters[0].adminEmails: expected a list of 1 to 10 email addresses, got 11'],
  ])('refuses a wrong cluster %s, naming the key path', (_what, change, message) => {
    expect(problemWith((s) => change(s.clusters[0]))).toMatch(new RegExp(`^${escape(message)}`));
  });

  it('refuses two clusters with one id', () => {
    expect(problemWith((s) => s.clusters.push({ ...s.clusters[0], name: 'Cụm khác' }))).toBe(
      'stages.prod.clusters[1].clusterId: duplicate cluster id "cum-1" (also clusters[0])',
    );
  });

  it('refuses a misspelt key, at the level it is on, and ignores "//" comments', () => {
    expect(problemWith((s) => (s.alarmEmial = 'ops@example.org'))).toBe(
      'stages.prod: unknown key "alarmEmial" (a typo? comments are keys starting with "//")',
    );
    expect(problemWith((s) => (s.clusters[0].headUnit.email = 'x@example.org'))).toMatch(/^stages\.prod\.clusters\[0\]\.headUnit: unknown key "email"/);
    expect(problemWith((s) => ((s['//'] = 'a comment'), (s.clusters[0]['//adminEmails'] = 'another')))).toBeUndefined();
  });

  it('reports every problem, one line each', () => {
    const message = problemWith((s) => ((s.region = 'x'), delete s.mailFrom, (s.clusters[0].adminEmails = ['@'])));
    expect(message?.split('\n')).toEqual([
      'stages.prod.region: expected an AWS region such as ap-southeast-1, got "x"',
      'stages.prod.mailFrom: missing; expected a sender such as "Cụm Thi đua <no-reply@example.org>"',
      'stages.prod.clusters[0].adminEmails[0]: expected an email address, got "@"',
    ]);
  });

  it('refuses retainData false for prod only', () => {
    expect(problemWith((s) => (s.retainData = false))).toBe(
      'stages.prod.retainData: must be true for prod (its data is always retained); only another stage may set false',
    );
    expect(problemWith((s) => (s.retainData = false), 'dev')).toBeUndefined();
    expect(StageConfigSchema.parse(validStage()).retainData).toBe(true);
  });
});

describe('loadStageConfig', () => {
  it('reads a construct node or a plain context object; undefined without stages', () => {
    const { app, cleanup } = newTestApp({ stages });
    try {
      expect(loadStageConfig(app.node, 'prod')).toEqual(parseStageConfig(stages, 'prod'));
      expect(loadStageConfig(readCdkJsonContext(), 'dev')?.retainData).toBe(false);
      expect(loadStageConfig({ appOrigin: 'https://x.example.org' }, 'dev')).toBeUndefined();
    } finally {
      cleanup();
    }
  });
});

describe('buildApp with cdk.json stages', () => {
  afterEach(() => vi.unstubAllEnvs());

  /** buildApp on cdk.json's context exactly as `cdk synth` passes it (flags and stages, no per-key values) plus `context`. */
  function build(context: Record<string, unknown>, options: BuildAppOptions = {}): { built?: BuiltApp; error?: Error; cleanup: () => void } {
    const { app, cleanup } = newTestApp({ 'aws:cdk:bundling-stacks': [], appOrigin: undefined, mailFrom: undefined, stages, ...context });
    try {
      return { built: buildApp(app, { nag: false, ...options }), cleanup };
    } catch (error) {
      return { error: error as Error, cleanup };
    }
  }

  function variablesOf(built: BuiltApp, functionId: string): Record<string, unknown> {
    const fn = built.stateless.functions.get(functionId);
    expect(fn).toBeDefined();
    const cfn = fn!.node.defaultChild as CfnFunction;
    return (built.stateless.resolve(cfn.environment) as { variables: Record<string, unknown> }).variables;
  }

  it('takes dev by default: region in both stacks env, its values, and its data deleted with the stack', () => {
    vi.stubEnv('CDK_DEFAULT_ACCOUNT', '123456789012');
    const { built, error, cleanup } = build({});
    try {
      expect(error).toBeUndefined();
      expect(built!).toMatchObject({
        stage: 'dev',
        region: 'ap-southeast-1',
        appOrigin: 'https://thi-dua-dev.example.org',
        sesMaxSendRate: 1,
        maxUploadBytes: 26214400,
        alarmEmail: 'ops-dev@example.org',
        retainData: false,
      });
      expect(built!.mailFrom?.address).toBe('no-reply@dev.example.org');
      expect(built!.clusters.map((c) => c.adminEmails)).toEqual([['cum-truong@dev.example.org']]);
      for (const stack of [built!.stateful, built!.stateless]) {
        expect([stack.region, stack.account]).toEqual(['ap-southeast-1', '123456789012']);
      }
      expect(variablesOf(built!, 'CreateUpload').MAX_UPLOAD_BYTES).toBe('26214400');
      expect(variablesOf(built!, 'SendReminders').MAX_SEND_RATE).toBe('1');

      const stateful = Template.fromStack(built!.stateful).toJSON().Resources as Resources;
      const byType = (type: string) => Object.values(stateful).filter((r) => r.Type === type);
      for (const resource of [...byType('AWS::DynamoDB::Table'), ...byType('AWS::S3::Bucket'), ...byType('AWS::SecretsManager::Secret')]) {
        expect([resource.Type, resource.DeletionPolicy]).toEqual([resource.Type, 'Delete']);
      }
      expect(byType('AWS::DynamoDB::Table')[0]!.Properties.DeletionProtectionEnabled).toBe(false);
      // Plain DESTROY: no auto-delete custom resource (and its Lambda function) in the stateful stack.
      expect(byType('AWS::Lambda::Function')).toEqual([]);
      expect(byType('Custom::S3AutoDeleteObjects')).toEqual([]);
      const subscriptions = Object.values(Template.fromStack(built!.stateless).findResources('AWS::SNS::Subscription'));
      expect(subscriptions.filter((s) => s.Properties.Protocol === 'email').map((s) => s.Properties.Endpoint)).toEqual(['ops-dev@example.org']);
    } finally {
      cleanup();
    }
  }, 60_000);

  it('takes prod with --context stage=prod: retained, deletion protection, its own region and values', () => {
    const { built, error, cleanup } = build({ stage: 'prod' });
    try {
      expect(error).toBeUndefined();
      expect(built!).toMatchObject({ stage: 'prod', region: 'ap-southeast-1', sesMaxSendRate: 14, retainData: true });
      expect(built!.stateful.stackName).toBe('CumThiDua-prod-Stateful');
      expect(built!.stateful.region).toBe('ap-southeast-1');
      // No CDK_DEFAULT_ACCOUNT (offline): the account stays a deploy-time value.
      expect(Token.isUnresolved(built!.stateful.account)).toBe(true);
      const stateful = Template.fromStack(built!.stateful);
      stateful.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Retain', Properties: { DeletionProtectionEnabled: true } });
      for (const bucket of Object.values(stateful.findResources('AWS::S3::Bucket'))) expect(bucket.DeletionPolicy).toBe('Retain');
    } finally {
      cleanup();
    }
  }, 60_000);

  it('refuses an unknown stage, listing the known ones', () => {
    const { error, cleanup } = build({ stage: 'nope' });
    cleanup();
    expect(error).toBeInstanceOf(ConfigError);
    expect(error?.message).toBe('Unknown stage "nope": the context key stages defines "dev", "prod"; choose one with --context stage=<name>');
  });

  it('lets options and per-key context override the stage', () => {
    const context = { stage: 'prod', appOrigin: 'https://abc123.execute-api.ap-southeast-1.amazonaws.com', mailFrom: 'Other <x@other.example.org>', sesMaxSendRate: '20' };
    const fromContext = build(context);
    fromContext.cleanup();
    expect(fromContext.error).toBeUndefined();
    expect(fromContext.built).toMatchObject({ appOrigin: context.appOrigin, sesMaxSendRate: 20, mailFrom: { address: 'x@other.example.org' } });

    const options = { appOrigin: 'https://opt.example.org', mailFrom: 'opt@example.org', sesMaxSendRate: 3, maxUploadBytes: 2 * 1024 * 1024, alarmEmail: 'opt-ops@example.org' };
    const fromOptions = build(context, options);
    fromOptions.cleanup();
    expect(fromOptions.error).toBeUndefined();
    expect(fromOptions.built).toMatchObject({ ...options, mailFrom: { address: 'opt@example.org' } });
    expect(variablesOf(fromOptions.built!, 'MemberPage').MAX_UPLOAD_BYTES).toBe(String(2 * 1024 * 1024));

    const badOverride = build({ stage: 'prod', appOrigin: 'http://plain.example.org' });
    badOverride.cleanup();
    expect(badOverride.error?.message).toMatch(/^Invalid appOrigin "http:\/\/plain\.example\.org"/);
  });

  it('never lets prod drop its data, even by option; dev may keep it', () => {
    const prod = build({ stage: 'prod' }, { retainData: false });
    prod.cleanup();
    expect(prod.error?.message).toBe('retainData must be true for prod: its data is always retained');
    const dev = build({}, { retainData: true });
    try {
      expect(dev.built?.retainData).toBe(true);
      Template.fromStack(dev.built!.stateful).hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Retain', Properties: { DeletionProtectionEnabled: true } });
    } finally {
      dev.cleanup();
    }
  });

  it('refuses an upload limit out of range given as an option', () => {
    const { error, cleanup } = build({}, { maxUploadBytes: 200 * 1024 * 1024 });
    cleanup();
    expect(error?.message).toBe('Invalid maxUploadBytes 209715200: expected a whole number of bytes from 1048576 (1 MB) to 104857600 (100 MB)');
  });

  it('keeps stacks environment-agnostic without stages (an app configured key by key)', () => {
    const { built, error, cleanup } = build({ stages: undefined, appOrigin: 'https://thi-dua.example.org', mailFrom: 'no-reply@example.org' });
    cleanup();
    expect(error).toBeUndefined();
    expect(built!.region).toBeUndefined();
    expect(Token.isUnresolved(built!.stateful.region)).toBe(true);
    expect(built!).toMatchObject({ retainData: true, sesMaxSendRate: 10, maxUploadBytes: 25 * 1024 * 1024, clusters: [] });
    expect('MAX_UPLOAD_BYTES' in variablesOf(built!, 'CreateUpload')).toBe(false);
  });
});

describe('cdk synth', () => {
  it('fails with the stage message and no stack trace on --context stage=nope', async () => {
    const outdir = mkdtempSync(path.join(tmpdir(), 'cum-thi-dua-nope-'));
    try {
      const run = promisify(execFile)('npx', ['cdk', 'synth', '--context', 'stage=nope', '-q', '-o', outdir], { cwd: fileURLToPath(new URL('../..', import.meta.url)) });
      const failure = (await run.then(() => undefined, (e: unknown) => e)) as { code?: number; stderr?: string } | undefined;
      expect(failure?.code).toBe(1);
      expect(failure?.stderr).toContain(
        'Invalid stage configuration (cdk.json context):\nUnknown stage "nope": the context key stages defines "dev", "prod"; choose one with --context stage=<name>',
      );
      expect(failure?.stderr).not.toMatch(/at parseStageConfig/);
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  }, 60_000);
});

/** A literal string as a RegExp source. */
function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
