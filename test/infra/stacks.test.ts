import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Stack, type CfnElement } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import type { Asset } from 'aws-cdk-lib/aws-s3-assets';
import { describe, expect, it } from 'vitest';
import { httpRoutes, mailEventHandler, objectCreatedHandlers, reminderHandler, reminderSender, type HttpRoute } from '../../functions/routes';
import { buildApp, type BuiltApp } from '../../infra/build-app';
import { ProjectFunction } from '../../infra/constructs/project-function';
import { parseMailFrom } from '../../infra/context';
import { StatefulStack } from '../../infra/stateful-stack';
import { groupRoutesByFunction, StatelessStack, type StatelessStackProps } from '../../infra/stateless-stack';
import { TABLE_KEYS } from '../../shared/adapters/dynamodb/table';
import { adminEndpoints } from '../../shared/http/admin-api';
import { EXPECTED_DYNAMODB_ACTIONS, asList, cdkJsonContext, deployedFunctions, newTestApp, statementsOf, type Resources, synthesizeOnce } from './support';


/**
 * Every function the app deploys: one per distinct function of the HTTP routes (`functionId ?? id`), one per
 * object-created handler, the reminder function, the reminder sender and the mail event handler.
 */
const allFunctions = deployedFunctions();
const httpFunctions = allFunctions.filter((f) => f.routeIds.length > 0);

/** An import of the AWS SDK left for the Lambda runtime to resolve (error messages that quote one do not match). */
const EXTERNAL_SDK_IMPORT = /from\s*["']@aws-sdk\/|import\(\s*["']@aws-sdk\/|__require\(\s*["']@aws-sdk\//;

describe('CDK stacks', () => {
  let built: BuiltApp;
  let stateful: Template;
  let stateless: Template;
  let outdir: string;
  // Prepare and act: one synth for the whole file (bundling the route functions takes seconds).
  synthesizeOnce({ nag: false }, (s) => ({ built, stateful, stateless, outdir } = s));

  const templates = () => [stateful, stateless];
  const logicalIdOf = (element: CfnElement) => element.stack.getLogicalId(element);

  describe('stateful stack', () => {
    it('names the stacks after the stage', () => {
      expect(built.stage).toBe('dev');
      expect(built.stateful.stackName).toBe('CumThiDua-dev-Stateful');
      expect(built.stateless.stackName).toBe('CumThiDua-dev-Stateless');
    });

    it('defines the table from TABLE_KEYS: on demand, PITR, deletion protection, TTL, encryption', () => {
      stateful.resourceCountIs('AWS::DynamoDB::Table', 1);
      stateful.hasResource('AWS::DynamoDB::Table', {
        DeletionPolicy: 'Retain',
        UpdateReplacePolicy: 'Retain',
        Properties: Match.objectLike({
          BillingMode: 'PAY_PER_REQUEST',
          KeySchema: [
            { AttributeName: TABLE_KEYS.partitionKey, KeyType: 'HASH' },
            { AttributeName: TABLE_KEYS.sortKey, KeyType: 'RANGE' },
          ],
          AttributeDefinitions: Match.arrayWith([
            { AttributeName: TABLE_KEYS.partitionKey, AttributeType: 'S' },
            { AttributeName: TABLE_KEYS.sortKey, AttributeType: 'S' },
            { AttributeName: TABLE_KEYS.gsi1.partitionKey, AttributeType: 'S' },
            { AttributeName: TABLE_KEYS.gsi1.sortKey, AttributeType: 'S' },
          ]),
          GlobalSecondaryIndexes: [
            {
              IndexName: TABLE_KEYS.gsi1.indexName,
              KeySchema: [
                { AttributeName: TABLE_KEYS.gsi1.partitionKey, KeyType: 'HASH' },
                { AttributeName: TABLE_KEYS.gsi1.sortKey, KeyType: 'RANGE' },
              ],
              Projection: { ProjectionType: 'ALL' },
            },
          ],
          TimeToLiveSpecification: { AttributeName: TABLE_KEYS.ttlAttribute, Enabled: true },
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
          DeletionProtectionEnabled: true,
          SSESpecification: { SSEEnabled: true },
        }),
      });
    });

    it('keeps every bucket private, encrypted and retained', () => {
      const buckets = stateful.findResources('AWS::S3::Bucket');
      expect(Object.keys(buckets)).toHaveLength(2);
      for (const bucket of Object.values(buckets)) {
        expect(bucket.DeletionPolicy).toBe('Retain');
        expect(bucket.UpdateReplacePolicy).toBe('Retain');
        expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        });
        expect(bucket.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault)
          .toMatchObject({ SSEAlgorithm: expect.stringMatching(/^(AES256|aws:kms)$/) });
      }
    });

    it('denies every request to every bucket that does not use TLS', () => {
      const bucketIds = Object.keys(stateful.findResources('AWS::S3::Bucket'));
      for (const bucketId of bucketIds) {
        stateful.hasResourceProperties('AWS::S3::BucketPolicy', {
          Bucket: { Ref: bucketId },
          PolicyDocument: {
            Statement: Match.arrayWith([
              Match.objectLike({
                Effect: 'Deny',
                Action: 's3:*',
                Principal: { AWS: '*' },
                Condition: { Bool: { 'aws:SecureTransport': 'false' } },
              }),
            ]),
          },
        });
      }
    });

    it('versions uploads, cleans up multipart uploads and old versions, and logs access to the log bucket', () => {
      const uploadsId = logicalIdOf(built.stateful.uploadsBucket.node.defaultChild as CfnElement);
      const logsId = logicalIdOf(built.stateful.accessLogsBucket.node.defaultChild as CfnElement);
      const uploads = (stateful.toJSON().Resources as Resources)[uploadsId];

      expect(uploads?.Properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
      expect(uploads?.Properties.LoggingConfiguration).toMatchObject({ DestinationBucketName: { Ref: logsId } });
      const rules = (uploads?.Properties.LifecycleConfiguration as { Rules: Record<string, unknown>[] }).Rules;
      expect(rules).toContainEqual(
        expect.objectContaining({ Status: 'Enabled', AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } }),
      );
      expect(rules).toContainEqual(
        expect.objectContaining({
          Status: 'Enabled',
          NoncurrentVersionExpiration: { NoncurrentDays: expect.any(Number) },
        }),
      );
      // Current versions are never expired: "nothing is ever lost".
      expect(rules.some((r) => 'ExpirationInDays' in r || 'ExpirationDate' in r)).toBe(false);
    });
  });

  describe('functions', () => {
    it('creates exactly one function per route function, per object-created handler and per event handler, and no other', () => {
      // AdminAuth, AdminApi, AdminExport, AdminPage; MemberPage, SelfScorePage, SaveSelfScore, CreateUpload,
      // GetUploadState; RecordUpload; SendReminders, SendQueuedReminders, RecordMailEvent.
      expect(allFunctions).toHaveLength(14);
      stateless.resourceCountIs('AWS::Lambda::Function', 14);
      stateful.resourceCountIs('AWS::Lambda::Function', 0);
      expect([...built.stateless.functions.keys()].sort()).toEqual(allFunctions.map((r) => r.id).sort());
    });

    it.each([
      // AdminApi re-syncs a plan's schedules one Scheduler call at a time (up to the API Gateway limit of 30 s).
      ...httpFunctions.map((f) => [f.id, 256, f.id === 'AdminApi' ? 29 : 10] as const),
      // The recorder streams and hashes files of up to 100 MB, and must die before Lambda's first retry (1 minute)
      // finds its receipt claim (45 s) still held.
      ...objectCreatedHandlers.map((h) => [h.id, 512, 30] as const),
      // The reminder function paces its emails at MAX_SEND_RATE: 5 minutes.
      [reminderHandler.id, 256, 300] as const,
      // The reminder sender paces a batch of 10 emails: 20 s at 1 email per second shared by 2 copies.
      [reminderSender.id, 256, 120] as const,
      // One SES event per invocation.
      [mailEventHandler.id, 256, 10] as const,
    ])('runs %s on Node.js 22, arm64, with X-Ray, its own log group, %i MB and %i s', (id, memory, timeout) => {
      const fn = built.stateless.functions.get(id);
      expect(fn).toBeDefined();
      const resource = (stateless.toJSON().Resources as Resources)[logicalIdOf(fn!.node.defaultChild as CfnElement)];
      expect(resource!.Properties).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        TracingConfig: { Mode: 'Active' },
        Handler: 'index.handler',
        MemorySize: memory,
        Timeout: timeout,
        LoggingConfig: { LogGroup: { Ref: expect.any(String) } },
        Environment: {
          Variables: expect.objectContaining({
            POWERTOOLS_SERVICE_NAME: 'cum-thi-dua',
            NODE_OPTIONS: '--enable-source-maps',
          }),
        },
      });
    });

    it('gives each function a log group with a retention', () => {
      const logGroups = stateless.findResources('AWS::Logs::LogGroup');
      for (const fn of Object.values(stateless.findResources('AWS::Lambda::Function'))) {
        const logGroup = logGroups[fn.Properties.LoggingConfig.LogGroup.Ref as string];
        expect(logGroup?.Properties.RetentionInDays).toBeGreaterThan(0);
      }
    });

    it('passes the table name to exactly the functions with tableAccess, and no admin secret to any function', () => {
      const tableId = logicalIdOf(built.stateful.table.node.defaultChild as CfnElement);
      const withTable: string[] = [];
      for (const [id, fn] of built.stateless.functions) {
        const resource = (stateless.toJSON().Resources as Resources)[logicalIdOf(fn.node.defaultChild as CfnElement)];
        const variables = resource!.Properties.Environment.Variables as Record<string, unknown>;
        if ('TABLE_NAME' in variables) {
          expect(JSON.stringify(variables.TABLE_NAME)).toContain(tableId);
          withTable.push(id);
        }
        // The deployment-wide admin key is gone: sessions and per-cluster API keys live in the table.
        expect(Object.keys(variables).filter((name) => /ADMIN|API_KEY|OPEN_READS/.test(name))).toEqual([]);
      }
      expect(withTable.sort()).toEqual(allFunctions.filter((f) => f.tableAccess).map((f) => f.id).sort());
      // The admin page serves the page, its assets and the OpenAPI document: no table at all.
      expect(allFunctions.filter((f) => !f.tableAccess).map((f) => f.id)).toEqual(['AdminPage']);
    });

    it('bundles the AWS SDK into each function as an ES module instead of using the runtime copy', () => {
      // What esbuild emits for an external module in an ESM bundle (static import, dynamic import, CJS require).
      for (const external of [
        'import{DynamoDBClient as a}from"@aws-sdk/client-dynamodb";',
        'await import("@aws-sdk/client-s3")',
        '__require("@aws-sdk/lib-dynamodb")',
      ]) {
        expect(external).toMatch(EXTERNAL_SDK_IMPORT);
      }
      for (const { id, tableAccess } of allFunctions) {
        // Prepare: the staged asset of the function (esbuild output).
        const asset = built.stateless.functions.get(id)!.node.findChild('Code') as Asset;
        // Act
        const bundle = readFileSync(path.join(outdir, asset.assetPath, 'index.mjs'), 'utf8');
        // Assess: no import of @aws-sdk left for the runtime to resolve, and (for the functions that use the table)
        // the SDK client classes are inside.
        expect(bundle.match(EXTERNAL_SDK_IMPORT)?.[0] ?? null).toBeNull();
        if (tableAccess) expect({ id, dynamodb: bundle.includes('DynamoDBClient') }).toEqual({ id, dynamodb: true });
        expect(bundle.startsWith("import { createRequire } from 'node:module'")).toBe(true);
      }
    });
  });

  describe('permissions', () => {
    it('never allows Scan, dynamodb:*, s3:* or *', () => {
      for (const template of templates()) {
        for (const { logicalId, statement } of statementsOf(template)) {
          if (statement.Effect !== 'Allow') continue;
          const actions = asList(statement.Action);
          expect({ logicalId, bad: actions.filter((a) => /^(\*|dynamodb:\*|s3:\*|dynamodb:Scan)$/i.test(a)) }).toEqual({
            logicalId,
            bad: [],
          });
        }
      }
    });

    it('attaches no managed policy (no AWSLambdaBasicExecutionRole: logs go only to the function log group)', () => {
      for (const template of templates()) {
        for (const role of Object.values(template.findResources('AWS::IAM::Role'))) {
          expect(role.Properties.ManagedPolicyArns ?? []).toEqual([]);
        }
      }
    });

    it('allows a wildcard resource only for the X-Ray actions and scheduler:ListSchedules, which have no resource-level permissions', () => {
      const wildcardActionSets = new Set<string>();
      for (const template of templates()) {
        for (const { statement } of statementsOf(template)) {
          if (statement.Effect !== 'Allow' || statement.Resource !== '*') continue;
          const actions = JSON.stringify(asList(statement.Action).sort());
          expect([
            JSON.stringify(['xray:PutTelemetryRecords', 'xray:PutTraceSegments']),
            JSON.stringify(['scheduler:ListSchedules']),
          ]).toContain(actions);
          wildcardActionSets.add(actions);
        }
      }
      // Both kinds occur, so the check above is exercised.
      expect(wildcardActionSets.size).toBe(2);
    });

    it.each(allFunctions.map((r) => [r.id, r.tableAccess ?? 'none'] as const))(
      '%s gets exactly the DynamoDB actions of %s, on the table and GSI1 only',
      (routeId, tableAccess) => {
        // Prepare
        const fn = built.stateless.functions.get(routeId);
        expect(fn).toBeDefined();
        const roleId = logicalIdOf(fn!.role!.node.defaultChild as CfnElement);
        const tableId = logicalIdOf(built.stateful.table.node.defaultChild as CfnElement);
        // Act
        const dynamoStatements = statementsOf(stateless)
          .filter(({ type }) => type === 'AWS::IAM::Policy')
          .filter(({ logicalId }) => {
            const policy = (stateless.toJSON().Resources as Resources)[logicalId];
            return JSON.stringify(policy?.Properties.Roles) === JSON.stringify([{ Ref: roleId }]);
          })
          .map(({ statement }) => statement)
          .filter((s) => asList(s.Action).some((a) => a.startsWith('dynamodb:')));
        // Assess
        if (tableAccess === 'none') {
          expect(dynamoStatements).toEqual([]);
          return;
        }
        expect(dynamoStatements).toHaveLength(1);
        const [statement] = dynamoStatements;
        expect(statement!.Effect).toBe('Allow');
        expect(asList(statement!.Action).sort()).toEqual([...EXPECTED_DYNAMODB_ACTIONS[tableAccess]]);
        const resources = asList(statement!.Resource).map((r) => JSON.stringify(r));
        expect(resources).toHaveLength(2);
        expect(resources[0]).toMatch(new RegExp(`ImportValue.*${tableId}Arn`));
        expect(resources[1]).toMatch(new RegExp(`ImportValue.*${tableId}Arn.*"/index/${TABLE_KEYS.gsi1.indexName}"`));
      },
    );

    it('lets the API invoke each route function, per route path, and nothing else invoke it', () => {
      const apiId = logicalIdOf(built.stateless.api.httpApi.node.defaultChild as CfnElement);
      const permissions = Object.values(stateless.findResources('AWS::Lambda::Permission'));
      for (const fn of httpFunctions) {
        const fnRef = { 'Fn::GetAtt': [logicalIdOf(built.stateless.functions.get(fn.id)!.node.defaultChild as CfnElement), 'Arn'] };
        const own = permissions.filter((p) => JSON.stringify(p.Properties.FunctionName) === JSON.stringify(fnRef));
        expect(own.map((p) => [p.Properties.Action, p.Properties.Principal])).toEqual(
          own.map(() => ['lambda:InvokeFunction', 'apigateway.amazonaws.com']),
        );
        // execute-api ARN: <api id>/<stage>/<method>/<path>; any stage and method, the route's path.
        const sourcePaths = own.map((p) => {
          const joined = p.Properties.SourceArn['Fn::Join'][1] as unknown[];
          expect(joined).toContainEqual({ Ref: apiId });
          return joined[joined.length - 1];
        });
        const routePaths = fn.routeIds.map((routeId) => httpRoutes.find((r) => r.id === routeId)!.path);
        expect([...sourcePaths].sort()).toEqual(routePaths.map((path) => `/*/*${path}`).sort());
      }
    });
  });

  describe('HTTP API', () => {
    it('has one route per httpRoutes entry, each integrated with its function; one integration per function', () => {
      stateless.resourceCountIs('AWS::ApiGatewayV2::Route', httpRoutes.length);
      stateless.resourceCountIs('AWS::ApiGatewayV2::Integration', httpFunctions.length);
      const integrations = stateless.findResources('AWS::ApiGatewayV2::Integration');
      for (const route of httpRoutes) {
        const routes = stateless.findResources('AWS::ApiGatewayV2::Route', {
          Properties: { RouteKey: `${route.method} ${route.path}` },
        });
        expect(Object.keys(routes)).toHaveLength(1);
        const target = JSON.stringify(Object.values(routes)[0]!.Properties.Target);
        const integrationId = Object.keys(integrations).find((id) => target.includes(`"${id}"`));
        expect(integrationId).toBeDefined();
        const fnId = logicalIdOf(built.stateless.functions.get(route.functionId ?? route.id)!.node.defaultChild as CfnElement);
        expect(integrations[integrationId!]!.Properties).toMatchObject({
          IntegrationType: 'AWS_PROXY',
          PayloadFormatVersion: '2.0',
          IntegrationUri: { 'Fn::GetAtt': [fnId, 'Arn'] },
        });
      }
    });

    it('has exactly one route per admin endpoint, integrated with the function of its `fn`', () => {
      // Written out here, not read from functions/routes.ts: which function serves which kind of endpoint.
      const functionOf = { auth: 'AdminAuth', admin: 'AdminApi', export: 'AdminExport', import: 'AdminImport', page: 'AdminPage' } as const;
      const routes = Object.values(stateless.findResources('AWS::ApiGatewayV2::Route'));
      const integrations = stateless.findResources('AWS::ApiGatewayV2::Integration');
      expect(adminEndpoints.length).toBeGreaterThan(25);
      for (const endpoint of adminEndpoints) {
        const matching = routes.filter((r) => r.Properties.RouteKey === `${endpoint.method} ${endpoint.path}`);
        expect({ endpoint: endpoint.id, routes: matching.length }).toEqual({ endpoint: endpoint.id, routes: 1 });
        const integrationId = (matching[0]!.Properties.Target['Fn::Join'][1] as unknown[]).map((part) =>
          typeof part === 'object' && part !== null && 'Ref' in part ? (part as { Ref: string }).Ref : undefined,
        ).find((ref) => ref !== undefined && ref in integrations);
        const fnId = logicalIdOf(built.stateless.functions.get(functionOf[endpoint.fn])!.node.defaultChild as CfnElement);
        expect({ endpoint: endpoint.id, uri: integrations[integrationId!]?.Properties.IntegrationUri }).toEqual({
          endpoint: endpoint.id,
          uri: { 'Fn::GetAtt': [fnId, 'Arn'] },
        });
      }
      // And nothing else under /api/ or /admin: the admin API is the contract, all of it.
      const adminKeys = routes.map((r) => r.Properties.RouteKey as string).filter((key) => / \/(api|admin)(\/|$)/.test(key));
      expect(adminKeys.sort()).toEqual(adminEndpoints.map((e) => `${e.method} ${e.path}`).sort());
    });

    it('uses the GET /api/clusters/{clusterId}/units route key verbatim', () => {
      stateless.hasResourceProperties('AWS::ApiGatewayV2::Route', {
        RouteKey: 'GET /api/clusters/{clusterId}/units',
      });
    });

    it('throttles the $default stage and writes JSON access logs to a retained log group', () => {
      stateless.resourceCountIs('AWS::ApiGatewayV2::Stage', 1);
      stateless.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
        StageName: '$default',
        AutoDeploy: true,
        DefaultRouteSettings: { ThrottlingBurstLimit: 50, ThrottlingRateLimit: 20 },
        AccessLogSettings: { DestinationArn: { 'Fn::GetAtt': [Match.anyValue(), 'Arn'] }, Format: Match.anyValue() },
      });
      const [stage] = Object.values(stateless.findResources('AWS::ApiGatewayV2::Stage'));
      const logGroupId = stage!.Properties.AccessLogSettings.DestinationArn['Fn::GetAtt'][0] as string;
      const logGroup = stateless.findResources('AWS::Logs::LogGroup')[logGroupId];
      expect(logGroup?.DeletionPolicy).toBe('Retain');
      expect(logGroup?.Properties.RetentionInDays).toBeGreaterThan(0);
    });

    it('throttles the sign-in request route on its own (2 per second, burst 10), once the route exists', () => {
      const [stage] = Object.values(stateless.findResources('AWS::ApiGatewayV2::Stage')) as { Properties: Record<string, unknown>; DependsOn?: string[] }[];
      // Exactly this route, with exactly these limits; every other route keeps the stage's defaults.
      expect(stage!.Properties.RouteSettings).toEqual({
        'POST /api/auth/sign-in-links': { ThrottlingRateLimit: 2, ThrottlingBurstLimit: 10 },
      });
      const signIn = httpRoutes.find((r) => r.id === 'RequestSignIn');
      expect(`${signIn?.method} ${signIn?.path}`).toBe('POST /api/auth/sign-in-links');
      // CloudFormation refuses route settings for a route key the API does not have yet: the stage waits for it.
      const routeId = logicalIdOf(built.stateless.api.routes.get('RequestSignIn')!.node.defaultChild as CfnElement);
      expect(stateless.toJSON().Resources[routeId].Properties.RouteKey).toBe('POST /api/auth/sign-in-links');
      expect(stage!.DependsOn).toContain(routeId);
    });

    it('keeps tokens and credentials out of the access log: no path, request line, query string, header or cookie', () => {
      const [stage] = Object.values(stateless.findResources('AWS::ApiGatewayV2::Stage'));
      const format = stage!.Properties.AccessLogSettings.Format as string;

      for (const forbidden of ['$context.path', '$request', 'querystring', 'header', 'cookie']) {
        expect({ forbidden, found: format.toLowerCase().includes(forbidden.toLowerCase()) }).toEqual({ forbidden, found: false });
      }
      expect(format).not.toMatch(/rawPath|rawQueryString|\$context\.resourcePath|authorization|\$input|\$context\.authorizer/i);
      const fields = Object.values(JSON.parse(format) as Record<string, string>);
      for (const variable of [
        '$context.routeKey',
        '$context.status',
        '$context.requestId',
        '$context.identity.sourceIp',
        '$context.responseLatency',
      ]) {
        expect(fields).toContain(variable);
      }
    });

    it('outputs the API URL', () => {
      stateless.hasOutput('ApiUrl', { Value: Match.objectLike({ 'Fn::Join': Match.anyValue() }) });
    });
  });

  describe('house style', () => {
    it('hard-codes no physical names', () => {
      const nameProperties = [
        'TableName',
        'BucketName',
        'FunctionName',
        'RoleName',
        'LogGroupName',
        'PolicyName',
        'QueueName',
        'AlarmName',
        'TopicName',
      ];
      // `Name` is the physical name of these types (but not, say, of an HTTP API, whose name is a label).
      const namedByName = [
        'AWS::SecretsManager::Secret',
        'AWS::Events::Rule',
        'AWS::SES::ConfigurationSet',
        'AWS::Scheduler::ScheduleGroup',
      ];
      for (const template of templates()) {
        for (const [id, resource] of Object.entries(template.toJSON().Resources as Resources)) {
          // A literal string is a hard-coded name; a Ref/GetAtt refers to a generated one. CDK derives the names of
          // IAM inline policies from their logical ids, which is not a physical resource name.
          const literal = [...nameProperties, ...(namedByName.includes(resource.Type) ? ['Name'] : [])].filter(
            (p) =>
              typeof resource.Properties?.[p] === 'string' &&
              !(resource.Type === 'AWS::IAM::Policy' && p === 'PolicyName'),
          );
          expect({ id, literal }).toEqual({ id, literal: [] });
        }
      }
    });

    it('raises no CDK warning or error annotation', () => {
      for (const stack of [built.stateful, built.stateless]) {
        expect(Annotations.fromStack(stack).findWarning('*', Match.anyValue())).toEqual([]);
        expect(Annotations.fromStack(stack).findError('*', Match.anyValue())).toEqual([]);
      }
    });
  });
});

describe('build options', () => {
  it('reads the stage from context and refuses a stage that cannot be part of a stack name', () => {
    const { app, cleanup } = newTestApp({ stage: 'Prod/1' });
    try {
      expect(() => buildApp(app, { nag: false })).toThrow(/Invalid stage/);
    } finally {
      cleanup();
    }
  });
});

describe('route functions (functionId)', () => {
  const route = (overrides: Partial<HttpRoute> & Pick<HttpRoute, 'id'>): HttpRoute => ({
    method: 'GET',
    path: `/api/${overrides.id.toLowerCase()}`,
    entry: 'functions/admin/api.ts',
    functionId: 'Shared',
    tableAccess: 'readWrite',
    linkSecret: true,
    ...overrides,
  });

  it('groups the app routes into one function per functionId ?? id, with the endpoints of each fn', () => {
    const groups = groupRoutesByFunction(httpRoutes);
    const idsOf = (fn: string) => adminEndpoints.filter((e) => e.fn === fn).map((e) => e.id);
    expect(groups.map((g) => [g.functionId, g.routes.map((r) => r.id)])).toEqual([
      ['AdminAuth', idsOf('auth')],
      ['AdminApi', idsOf('admin')],
      ['AdminImport', idsOf('import')],
      ['AdminExport', idsOf('export')],
      ['AdminPage', idsOf('page')],
      ['MemberPage', ['MemberPage', 'UnitCalendar', 'ClusterCalendar']],
      ['SelfScorePage', ['SelfScorePage', 'SelfScorePrint']],
      ['SaveSelfScore', ['SaveSelfScore']],
      ['CreateUpload', ['CreateUpload']],
      ['GetUploadState', ['GetUploadState']],
    ]);
  });

  it('accepts routes of one function that agree (an absent flag and false are the same)', () => {
    const groups = groupRoutesByFunction([route({ id: 'A' }), route({ id: 'B', method: 'POST', bucketName: false })]);
    expect(groups.map((g) => [g.functionId, g.routes.map((r) => r.id)])).toEqual([['Shared', ['A', 'B']]]);
  });

  it.each([
    ['entry', { entry: 'functions/admin/auth.ts' }, /entry \("functions\/admin\/api\.ts" \/ "functions\/admin\/auth\.ts"\)/],
    ['tableAccess', { tableAccess: 'read' as const }, /tableAccess \("readWrite" \/ "read"\)/],
    ['a missing right', { linkSecret: undefined }, /linkSecret \(true \/ undefined\)/],
    ['an extra right', { schedules: 'manage' as const }, /schedules \(undefined \/ "manage"\)/],
  ])('refuses routes of one function that differ in %s, naming both routes and the field', (_what, difference, field) => {
    const act = () => groupRoutesByFunction([route({ id: 'A' }), route({ id: 'B', ...difference })]);
    expect(act).toThrow(/^Routes A and B share the function Shared but declare different /);
    expect(act).toThrow(field);
  });

  /**
   * Builds the stacks like buildApp, with `routes` and `routeThrottles`, without bundling any function; returns what
   * the stateless stack threw.
   */
  function statelessError(routes: readonly HttpRoute[], routeThrottles?: StatelessStackProps['routeThrottles']): Error | undefined {
    const { app, cleanup } = newTestApp({ 'aws:cdk:bundling-stacks': [] });
    try {
      const context = cdkJsonContext() as { appOrigin: string; mailFrom: string };
      const stateful = new StatefulStack(app, 'Stateful', { appOrigin: context.appOrigin });
      new StatelessStack(app, 'Stateless', {
        table: stateful.table,
        uploadsBucket: stateful.uploadsBucket,
        linkSecret: stateful.linkSecret,
        routes,
        ...(routeThrottles ? { routeThrottles } : {}),
        objectCreatedHandlers,
        reminderHandler,
        reminderSender,
        mailEventHandler,
        mailFrom: parseMailFrom(context.mailFrom),
        publicBaseUrl: context.appOrigin,
      });
      return undefined;
    } catch (error) {
      return error as Error;
    } finally {
      cleanup();
    }
  }

  it('builds the app routes (the passing case of the checks below)', () => {
    expect(statelessError(httpRoutes)).toBeUndefined();
  });

  it('fails synth when two routes of one function disagree', () => {
    const routes = httpRoutes.map((r) => (r.id === 'OpenApi' ? { ...r, tableAccess: 'read' as const } : r));
    expect(statelessError(routes)?.message).toMatch(/Routes AdminPage and OpenApi share the function AdminPage but declare different tableAccess/);
  });

  it('fails synth when a route throttle names no route (a renamed route would lose its throttle)', () => {
    expect(statelessError(httpRoutes.filter((r) => r.id !== 'RequestSignIn'))?.message).toMatch(/route throttles name no route: RequestSignIn/);
    expect(statelessError(httpRoutes, { Nope: { rateLimit: 1, burstLimit: 1 } })?.message).toMatch(/route throttles name no route: Nope/);
  });

  it('fails synth when a route function has the id of an event handler', () => {
    const routes = httpRoutes.map((r) => (r.id === 'MemberPage' ? { ...r, functionId: reminderHandler.id } : r));
    expect(statelessError(routes)?.message).toMatch(new RegExp(`the route function ${reminderHandler.id} has the id of an event handler`));
  });
});

describe('ProjectFunction', () => {
  it.each([
    'LINK_SECRET_FILE',
    'CLOCK_START',
    'CLOCK_STARTED_AT',
    'DYNAMODB_ENDPOINT',
    'S3_ENDPOINT',
    'SES_ENDPOINT',
  ])(
    'refuses the local-only variable %s',
    (name) => {
      const { app, cleanup } = newTestApp();
      try {
        const stack = new Stack(app, 'Throwaway');
        expect(
          () => new ProjectFunction(stack, 'Fn', { entry: httpRoutes[0]!.entry, environment: { [name]: 'x' } }),
        ).toThrow(new RegExp(name));
      } finally {
        cleanup();
      }
    },
  );

  it('refuses at synth a local-only variable added after construction', () => {
    // Prepare
    const { app, cleanup } = newTestApp();
    try {
      const stack = new Stack(app, 'Throwaway');
      const fn = new ProjectFunction(stack, 'Fn', { entry: httpRoutes[0]!.entry });
      // Act
      fn.addEnvironment('DYNAMODB_ENDPOINT', 'http://localhost:8000');
      // Assess
      expect(() => app.synth()).toThrow(/DYNAMODB_ENDPOINT/);
    } finally {
      cleanup();
    }
  }, 60_000);
});
