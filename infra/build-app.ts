import { Tags, Validations, type App } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { httpRoutes } from '../functions/routes';
import { StatefulStack } from './stateful-stack';
import { StatelessStack } from './stateless-stack';

export interface BuildAppOptions {
  /**
   * Deployment stage, part of the stack names (`CumThiDua-<stage>-Stateful`).
   * @default - context `stage`, else 'dev'
   */
  readonly stage?: string;
  /**
   * SHA-256 (lowercase hex) of the admin API key.
   * @default - context `adminApiKeySha256`, else unset (admin read routes refuse every request)
   */
  readonly adminApiKeySha256?: string;
  /**
   * Run the cdk-nag AwsSolutions checks at synth (error findings make synth fail).
   * @default true
   */
  readonly nag?: boolean;
}

export interface BuiltApp {
  readonly stage: string;
  readonly stateful: StatefulStack;
  readonly stateless: StatelessStack;
}

const STAGE_PATTERN = /^[a-z][a-z0-9-]{0,19}$/;
const SHA256_HEX = /^[0-9a-f]{64}$/;

function contextString(app: App, key: string): string | undefined {
  const value: unknown = app.node.tryGetContext(key);
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw new Error(`Context ${key} must be a string`);
  return value;
}

/**
 * Adds the project's stacks to `app`: what `cdk synth` runs (infra/app.ts) and what the infra tests build, so both
 * see the same thing.
 */
export function buildApp(app: App, options: BuildAppOptions = {}): BuiltApp {
  const stage = options.stage ?? contextString(app, 'stage') ?? 'dev';
  if (!STAGE_PATTERN.test(stage)) {
    throw new Error(`Invalid stage "${stage}": lowercase letters, digits and dashes, starting with a letter`);
  }
  const adminApiKeySha256 = options.adminApiKeySha256 ?? contextString(app, 'adminApiKeySha256');
  if (adminApiKeySha256 !== undefined && !SHA256_HEX.test(adminApiKeySha256)) {
    throw new Error('adminApiKeySha256 must be the lowercase hex SHA-256 of the admin API key (64 characters)');
  }

  const stateful = new StatefulStack(app, `CumThiDua-${stage}-Stateful`, {
    description: `Cụm thi đua (${stage}): table and uploads bucket (retained)`,
  });
  const stateless = new StatelessStack(app, `CumThiDua-${stage}-Stateless`, {
    description: `Cụm thi đua (${stage}): HTTP API and functions`,
    table: stateful.table,
    uploadsBucket: stateful.uploadsBucket,
    routes: httpRoutes,
    adminApiKeySha256,
  });

  Tags.of(app).add('project', 'cum-thi-dua');
  Tags.of(app).add('stage', stage);

  if (options.nag ?? true) {
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  }
  return { stage, stateful, stateless };
}
