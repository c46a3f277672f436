/**
 * Helpers for the infra tests: an App configured like `cdk synth` configures it, and a reader for the validation
 * report that cdk-nag v3 findings end up in.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll } from 'vitest';
import {
  httpRoutes,
  mailEventHandler,
  objectCreatedHandlers,
  reminderHandler,
  reminderSender,
  type FunctionAccess,
  type HttpRoute,
} from '../../functions/routes';
import { buildApp, type BuildAppOptions, type BuiltApp } from '../../infra/build-app';
import { readCdkJsonContext } from '../../infra/config';

/**
 * The app's per-key context in the infra tests: the values cdk.json held before it had stages (the stage
 * configurations are placeholders to replace, and test/infra/config.test.ts covers them).
 */
const TEST_CONTEXT = { appOrigin: 'https://thi-dua.example.org', mailFrom: 'Cụm Thi đua <no-reply@example.org>' };

/**
 * cdk.json's context as the infra tests use it: its feature flags (the CLI passes them to the app, so a test must too
 * or it tests another template) without `stages`, plus TEST_CONTEXT. The tests thus build environment-agnostic,
 * data-retaining stacks at the default send rate, as an app configured key by key is built.
 */
export function cdkJsonContext(): Record<string, unknown> {
  const { stages: _stages, ...flags } = readCdkJsonContext();
  return { ...flags, ...TEST_CONTEXT };
}

/** A fresh App with cdk.json's context, synthesizing into its own temporary directory. */
export function newTestApp(extraContext: Record<string, unknown> = {}): { app: App; cleanup: () => void } {
  const outdir = mkdtempSync(path.join(tmpdir(), 'cum-thi-dua-infra-'));
  const app = new App({ outdir, context: { ...cdkJsonContext(), ...extraContext } });
  return { app, cleanup: () => rmSync(outdir, { recursive: true, force: true }) };
}

/** One reported (not acknowledged) finding of a validation plugin such as cdk-nag. */
export interface ReportedFinding {
  readonly plugin: string;
  readonly rule: string;
  readonly severity: string;
  readonly constructPaths: readonly string[];
}

interface ValidationReportJson {
  pluginReports: {
    pluginName: string;
    violations: { ruleName: string; severity: string; violatingConstructs: { constructPath: string }[] }[];
  }[];
}

/**
 * Findings in the cloud assembly's `validation-report.json`, which CDK writes whenever a validation plugin is
 * registered. cdk-nag v3 leaves acknowledged findings out, so everything here is unacknowledged.
 * Throws when the file is missing: that would mean no plugin ran, which must not pass as "no findings".
 */
export function reportedFindings(assemblyDirectory: string): ReportedFinding[] {
  const file = path.join(assemblyDirectory, 'validation-report.json');
  if (!existsSync(file)) throw new Error(`No validation report in ${assemblyDirectory}: was a plugin registered?`);
  const report = JSON.parse(readFileSync(file, 'utf8')) as ValidationReportJson;
  return report.pluginReports.flatMap((plugin) =>
    plugin.violations.map((violation) => ({
      plugin: plugin.pluginName,
      rule: violation.ruleName,
      severity: violation.severity,
      constructPaths: violation.violatingConstructs.map((c) => c.constructPath),
    })),
  );
}

/** An IAM policy statement as CloudFormation holds it. */
export interface Statement {
  Effect: 'Allow' | 'Deny';
  Action: string | string[];
  Resource?: unknown;
  Principal?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

/** The Resources section of a template. */
export type Resources = Record<
  string,
  { Type: string; Properties: Record<string, any>; DeletionPolicy?: string; UpdateReplacePolicy?: string }
>;

export const asList = <T>(value: T | T[] | undefined): T[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

/**
 * Every policy statement of a template: identity policies (standalone or inline in roles), bucket and queue policies.
 */
export function statementsOf(template: { toJSON(): { [key: string]: any } }): {
  logicalId: string;
  type: string;
  statement: Statement;
}[] {
  const out: { logicalId: string; type: string; statement: Statement }[] = [];
  const resources = template.toJSON().Resources as Resources;
  for (const [logicalId, resource] of Object.entries(resources)) {
    const documents: unknown[] = [];
    if (['AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy', 'AWS::S3::BucketPolicy', 'AWS::SQS::QueuePolicy'].includes(resource.Type)) {
      documents.push(resource.Properties.PolicyDocument);
    }
    if (resource.Type === 'AWS::IAM::Role') {
      for (const p of asList(resource.Properties.Policies as { PolicyDocument: unknown }[] | undefined)) {
        documents.push(p.PolicyDocument);
      }
    }
    for (const doc of documents) {
      for (const statement of asList((doc as { Statement: Statement | Statement[] }).Statement)) {
        out.push({ logicalId, type: resource.Type, statement });
      }
    }
  }
  return out;
}

/**
 * A CloudFormation value as one readable string, for comparing ARNs built from intrinsics: `Fn::Join` concatenated,
 * `{"Fn::ImportValue": n}` as `import(n)`, `{"Ref": x}` as `ref(x)`, `{"Fn::GetAtt": [x, a]}` as `getatt(x.a)`.
 */
export function render(value: unknown): string {
  if (typeof value === 'string') return value;
  const node = value as Record<string, any>;
  if (Array.isArray(node['Fn::Join'])) {
    const [delimiter, items] = node['Fn::Join'] as [string, unknown[]];
    return items.map(render).join(delimiter);
  }
  if ('Fn::ImportValue' in node) return `import(${render(node['Fn::ImportValue'])})`;
  if ('Ref' in node) return `ref(${render(node.Ref)})`;
  if (Array.isArray(node['Fn::GetAtt'])) return `getatt(${node['Fn::GetAtt'].map(render).join('.')})`;
  return JSON.stringify(value);
}

/** The export name under which a stack's template exports `value` (e.g. `{"Fn::GetAtt": [id, "Arn"]}`). */
export function exportNameOf(template: { toJSON(): { [key: string]: any } }, value: unknown): string {
  const outputs = (template.toJSON().Outputs ?? {}) as Record<string, { Value: unknown; Export?: { Name: string } }>;
  const names = Object.values(outputs)
    .filter((o) => JSON.stringify(o.Value) === JSON.stringify(value) && o.Export)
    .map((o) => o.Export!.Name);
  if (names.length !== 1) throw new Error(`Expected one export of ${JSON.stringify(value)}, found ${names.length}`);
  return names[0]!;
}

/** What one synthesis of the project's app gives a test file. */
export interface Synthesized {
  built: BuiltApp;
  stateful: Template;
  stateless: Template;
  /** The cloud assembly's directory (bundled assets, validation report). */
  outdir: string;
}

/**
 * Synthesizes the app once for the calling test file (bundling the functions takes seconds) with cdk.json's context,
 * hands the result to `use` before the tests run, and removes the assembly after them.
 */
export function synthesizeOnce(options: BuildAppOptions, use: (synthesized: Synthesized) => void): void {
  let cleanup: (() => void) | undefined;
  beforeAll(() => {
    const test = newTestApp();
    cleanup = test.cleanup;
    const built = buildApp(test.app, options);
    use({ built, stateful: Template.fromStack(built.stateful), stateless: Template.fromStack(built.stateless), outdir: test.app.outdir });
  }, 120_000);
  afterAll(() => cleanup?.());
}

/** One function the app deploys: its id, its entry and access fields, and the HTTP routes it serves (if any). */
export type DeployedFunction = FunctionAccess & { readonly id: string; readonly entry: string; readonly routeIds: readonly string[] };

/**
 * Every function the app should deploy, from functions/routes.ts and independently of the stack's code: one per
 * distinct `functionId ?? id` of `httpRoutes` (with the entry and access fields of its first route; the stack checks
 * that the others agree), then one per event handler.
 */
export function deployedFunctions(): DeployedFunction[] {
  const byId = new Map<string, { first: HttpRoute; routeIds: string[] }>();
  for (const route of httpRoutes) {
    const id = route.functionId ?? route.id;
    const known = byId.get(id);
    if (known) known.routeIds.push(route.id);
    else byId.set(id, { first: route, routeIds: [route.id] });
  }
  const routeFunctions = [...byId].map(([id, { first, routeIds }]): DeployedFunction => {
    const { id: _route, functionId: _fn, method: _method, path: _path, ...access } = first;
    return { ...access, id, routeIds };
  });
  const handlers = [...objectCreatedHandlers, reminderHandler, reminderSender, mailEventHandler].map(
    ({ id, entry, ...access }): DeployedFunction => {
      const { prefix: _prefix, ...fields } = access as typeof access & { prefix?: string };
      return { ...fields, id, entry, routeIds: [] };
    },
  );
  return [...routeFunctions, ...handlers];
}

// An oracle independent of the construct's own constant: what each access level may do, per the project rules.
export const EXPECTED_DYNAMODB_ACTIONS = {
  read: [
    'dynamodb:BatchGetItem',
    'dynamodb:ConditionCheckItem',
    'dynamodb:DescribeTable',
    'dynamodb:GetItem',
    'dynamodb:Query',
  ],
  readWrite: [
    'dynamodb:BatchGetItem',
    'dynamodb:BatchWriteItem',
    'dynamodb:ConditionCheckItem',
    'dynamodb:DeleteItem',
    'dynamodb:DescribeTable',
    'dynamodb:GetItem',
    'dynamodb:PutItem',
    'dynamodb:Query',
    'dynamodb:UpdateItem',
  ],
} as const;
