import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, Stack, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { LogLevel, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { TABLE_KEYS } from '../../shared/adapters/dynamodb/table';

/** Repository root: entries, the lock file and tsconfig are resolved from here, whatever the working directory. */
export const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** What a function may do with the table. */
export type TableAccess = 'read' | 'readWrite';

/**
 * DynamoDB actions per access level. Deliberately NOT `table.grantReadData()`: that grant includes `dynamodb:Scan`,
 * and the project rule is "never Scan" (every access pattern is a Query on the base table or GSI1, see
 * docs/data-model.md). A Scan-based bug then fails with AccessDenied in AWS instead of silently reading the whole
 * table. There is no IAM action for TransactWriteItems: a transaction is authorised per contained Put/Update/Delete/
 * ConditionCheck.
 */
export const TABLE_ACTIONS: Readonly<Record<TableAccess, readonly string[]>> = {
  read: [
    'dynamodb:GetItem',
    'dynamodb:BatchGetItem',
    'dynamodb:Query',
    'dynamodb:ConditionCheckItem',
    'dynamodb:DescribeTable',
  ],
  readWrite: [
    'dynamodb:GetItem',
    'dynamodb:BatchGetItem',
    'dynamodb:Query',
    'dynamodb:ConditionCheckItem',
    'dynamodb:DescribeTable',
    'dynamodb:PutItem',
    'dynamodb:UpdateItem',
    'dynamodb:DeleteItem',
    'dynamodb:BatchWriteItem',
  ],
};

/**
 * Environment variables that only the local stack sets and that would break a deployed function: emulator endpoints
 * (it would talk to localhost), the simulated clock (it would run on a fake time), the link key read from a file (it
 * would look for a file that is not there). The construct refuses them at synth time. `CHECK_RESPONSES`, which the
 * local stack also sets, is not refused: in AWS it would only turn a response that breaks its own schema into a 500.
 */
export function forbiddenEnvironmentKeys(keys: Iterable<string>): string[] {
  const exact = new Set(['LINK_SECRET_FILE']);
  return [...keys].filter((key) => exact.has(key) || key.startsWith('CLOCK_') || key.endsWith('_ENDPOINT'));
}

/**
 * Grants `access` on `table` and on the named indexes only (no `index/*`, no Scan), plus the KMS permissions a
 * customer-managed key would need. This is the `grant*` of the project: use it instead of `grantReadData` /
 * `grantReadWriteData`.
 *
 * @param indexNames the indexes the grantee may Query; the table's own GSI1 by default.
 */
export function grantTableAccess(
  table: ITable,
  grantee: iam.IGrantable,
  access: TableAccess,
  indexNames: readonly string[] = [TABLE_KEYS.gsi1.indexName],
): iam.Grant {
  const grant = iam.Grant.addToPrincipal({
    grantee,
    actions: [...TABLE_ACTIONS[access]],
    resourceArns: [table.tableArn, ...indexNames.map((name) => `${table.tableArn}/index/${name}`)],
  });
  if (table.encryptionKey) {
    if (access === 'read') table.encryptionKey.grantDecrypt(grantee);
    else table.encryptionKey.grantEncryptDecrypt(grantee);
  }
  return grant;
}

/**
 * The esbuild settings of every function bundle (besides ESM output and bundling the AWS SDK): what `bundling` below
 * passes, and what bench/cold-start.ts builds to measure what is deployed.
 */
export const BUNDLE_SETTINGS = {
  target: 'node22',
  // Prefer the ESM builds of dependencies (better tree shaking of the SDK).
  mainFields: ['module', 'main'],
  // CJS dependencies inside an ESM bundle still call require() for Node built-ins.
  banner: "import { createRequire } from 'node:module';const require = createRequire(import.meta.url);",
  minify: true,
  keepNames: true,
  sourceMap: true,
  sourcesContent: false,
} as const;

export interface ProjectFunctionProps {
  /**
   * How failed asynchronous invocations of this function are kept, for cdk-nag's Serverless-LambdaDLQ (which asks for
   * a function-level dead-letter queue): the construct that wires the invocation says where failures go instead.
   * @default - invoked synchronously by API Gateway: an error goes back to the caller, there is nothing to keep
   */
  readonly failureHandling?: string;
  /** Handler module, relative to the repository root (e.g. `functions/api/list-units.ts`); it exports `handler`. */
  readonly entry: string;
  /**
   * Description shown in the Lambda console.
   * @default - no description
   */
  readonly description?: string;
  /**
   * Memory in MB.
   * @default 256
   */
  readonly memorySize?: number;
  /**
   * Maximum run time.
   * @default Duration.seconds(10)
   */
  readonly timeout?: Duration;
  /**
   * Extra environment variables. Local-only variables (`*_ENDPOINT`, `LINK_SECRET_FILE`, `CLOCK_*`) are rejected.
   * @default - none beyond the construct's own
   */
  readonly environment?: Readonly<Record<string, string>>;
  /**
   * The single table. When given, `TABLE_NAME` is set and `tableAccess` is granted.
   * @default - no table access
   */
  readonly table?: ITable;
  /**
   * What the function may do with `table`; ignored without a table.
   * @default 'read'
   */
  readonly tableAccess?: TableAccess;
  /**
   * Indexes of `table` the function may Query.
   * @default [TABLE_KEYS.gsi1.indexName]
   */
  readonly tableIndexNames?: readonly string[];
  /**
   * Retention of the function's log group.
   * @default logs.RetentionDays.THREE_MONTHS
   */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * The project's Lambda function: Node.js 22 on arm64, an ESM bundle made locally by esbuild (AWS SDK bundled, so the
 * deployed code runs the SDK version the lock file pins, not whatever the runtime ships), source maps, X-Ray, its own
 * log group with a retention, and an execution role that can write only to that log group.
 *
 * The log group and role are created next to the function in `scope` (ids `${id}LogGroup`, `${id}Role`) because they
 * must exist before `super()`; `fn.logGroup` and `fn.role` return them. The role is built here instead of Lambda's
 * default so that it carries no `AWSLambdaBasicExecutionRole` managed policy (log writes to every log group).
 */
export class ProjectFunction extends NodejsFunction {
  constructor(scope: Construct, id: string, props: ProjectFunctionProps) {
    const forbidden = forbiddenEnvironmentKeys(Object.keys(props.environment ?? {}));
    if (forbidden.length > 0) {
      throw new Error(`${id}: local-only environment variables must not be deployed: ${forbidden.join(', ')}`);
    }

    const logGroup = new logs.LogGroup(scope, `${id}LogGroup`, {
      retention: props.logRetention ?? logs.RetentionDays.THREE_MONTHS,
    });
    const role = new iam.Role(scope, `${id}Role`, {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of ${id}`,
    });
    logGroup.grantWrite(role);

    super(scope, id, {
      entry: path.join(PROJECT_ROOT, props.entry),
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: path.join(PROJECT_ROOT, 'package-lock.json'),
      description: props.description,
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 256,
      timeout: props.timeout ?? Duration.seconds(10),
      tracing: lambda.Tracing.ACTIVE,
      logGroup,
      role,
      environment: {
        ...props.environment,
        POWERTOOLS_SERVICE_NAME: 'cum-thi-dua',
        NODE_OPTIONS: '--enable-source-maps',
        ...(props.table ? { TABLE_NAME: props.table.tableName } : {}),
      },
      bundling: {
        format: OutputFormat.ESM,
        ...BUNDLE_SETTINGS,
        mainFields: [...BUNDLE_SETTINGS.mainFields],
        logLevel: LogLevel.WARNING,
        // Bundle @aws-sdk/* (the default for Node 18+ would leave it external and use the runtime's copy).
        bundleAwsSDK: true,
        externalModules: [],
      },
    });

    if (props.table) {
      grantTableAccess(props.table, this, props.tableAccess ?? 'read', props.tableIndexNames);
    }

    // Defence in depth: whatever is added later with addEnvironment() is checked again at synth.
    this.node.addValidation({
      validate: () => {
        const cfn = this.node.defaultChild as lambda.CfnFunction;
        const env = Stack.of(this).resolve(cfn.environment) as { variables?: Record<string, unknown> } | undefined;
        const bad = forbiddenEnvironmentKeys(Object.keys(env?.variables ?? {}));
        return bad.length > 0 ? [`local-only environment variables must not be deployed: ${bad.join(', ')}`] : [];
      },
    });

    Validations.of(this).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'Node.js 22 is the deployment runtime the project chose and the esbuild bundle ' +
        'targets node22; nodejs22.x is a supported Lambda runtime until Node 22 reaches end of life (April 2027). ' +
        'L1 only flags that a newer family member (nodejs24.x) exists; moving to it is a deliberate upgrade.',
    });
    // The Serverless pack's version of L1, for the same reason.
    Validations.of(this).acknowledge({
      id: 'Serverless-LambdaLatestVersion',
      reason: 'Node.js 22 is the chosen deployment runtime (see AwsSolutions-L1 on this function); moving to nodejs24.x is a deliberate upgrade.',
    });
    Validations.of(this).acknowledge({
      id: 'Serverless-LambdaDLQ',
      reason:
        props.failureHandling ??
        'Invoked synchronously by the HTTP API: an error is answered to the caller (a 4xx or a 500 with the request id) ' +
          'and logged; a function dead-letter queue only receives failed asynchronous invocations, which this function has none of.',
    });
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Only the X-Ray statement that Tracing.ACTIVE adds (xray:PutTraceSegments, xray:PutTelemetryRecords): ' +
        'these actions do not support resource-level permissions. Table and log grants name their resources.',
    });
  }
}
