import { Tags, Validations, type App, type Environment } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { httpRoutes, mailEventHandler, objectCreatedHandlers, reminderHandler, reminderSender } from '../functions/routes';
import { DEFAULT_MAX_UPLOAD_BYTES } from '../shared/domain/submission';
import { ConfigError, MAX_UPLOAD_BYTES_LIMIT, MIN_UPLOAD_BYTES, PROTECTED_STAGE, STAGE_PATTERN, loadStageConfig, type ClusterConfig } from './config';
import { contextString, parseAppOrigin, parseMailFrom, parseSesMaxSendRate, type MailSender } from './context';
import { StatefulStack } from './stateful-stack';
import { StatelessStack } from './stateless-stack';

export interface BuildAppOptions {
  /**
   * Deployment stage, part of the stack names (`CumThiDua-<stage>-Stateful`); with context `stages` (cdk.json), the
   * configuration used is `stages.<stage>` (infra/config.ts).
   * @default - context `stage`, else 'dev'
   */
  readonly stage?: string;
  /**
   * The https origin the app is served from; the only origin the uploads bucket accepts browser uploads from.
   * @default - context `appOrigin`, else the stage's `appOrigin` (one of them is required)
   */
  readonly appOrigin?: string;
  /**
   * The sender of the app's email: `Name <sender@domain>` or `sender@domain`.
   * @default - context `mailFrom`, else the stage's `mailFrom` (required when a route or handler sends email)
   */
  readonly mailFrom?: string;
  /**
   * The account's SES maximum send rate (emails per second, 1..1000): what the reminder function paces at, and the
   * copies of the reminder sender together.
   * @default - context `sesMaxSendRate`, else the stage's `sesMaxSendRate`, else 10
   */
  readonly sesMaxSendRate?: number;
  /**
   * The largest file a unit may upload, in bytes (1 MB..100 MB).
   * @default - the stage's `maxUploadBytes`; without a stage configuration, not passed on (the functions' 25 MB)
   */
  readonly maxUploadBytes?: number;
  /**
   * Where alarms are emailed.
   * @default - the stage's `alarmEmail`, else no subscription
   */
  readonly alarmEmail?: string;
  /**
   * Keep the table, the buckets and the link secret when the stateful stack is deleted. Refused as false for `prod`.
   * @default - the stage's `retainData`, else true
   */
  readonly retainData?: boolean;
  /**
   * Run the cdk-nag AwsSolutions and Serverless checks at synth (error findings make synth fail).
   * @default true
   */
  readonly nag?: boolean;
}

export interface BuiltApp {
  readonly stage: string;
  /** Where the stacks are deployed: the stage's region; undefined for environment-agnostic stacks (no stages). */
  readonly region?: string;
  readonly appOrigin: string;
  readonly mailFrom?: MailSender;
  readonly sesMaxSendRate: number;
  /** The largest upload in bytes (25 MB when nothing configures it). */
  readonly maxUploadBytes: number;
  readonly alarmEmail?: string;
  readonly retainData: boolean;
  /** The stage's clusters (what `npm run cli -- bootstrap-clusters` creates); empty without a stage configuration. */
  readonly clusters: readonly ClusterConfig[];
  readonly stateful: StatefulStack;
  readonly stateless: StatelessStack;
}

function checkMaxUploadBytes(value: number): number {
  if (!Number.isInteger(value) || value < MIN_UPLOAD_BYTES || value > MAX_UPLOAD_BYTES_LIMIT) {
    throw new ConfigError(`Invalid maxUploadBytes ${value}: expected a whole number of bytes from ${MIN_UPLOAD_BYTES} (1 MB) to ${MAX_UPLOAD_BYTES_LIMIT} (100 MB)`);
  }
  return value;
}

/**
 * Adds the project's stacks to `app`: what `cdk synth` runs (infra/app.ts) and what the infra tests build, so both
 * see the same thing. Each value comes from, in order: `options`, the context key of the same name (`appOrigin`,
 * `mailFrom`, `sesMaxSendRate`), the stage's configuration (context `stages.<stage>`, cdk.json).
 */
export function buildApp(app: App, options: BuildAppOptions = {}): BuiltApp {
  const stage = options.stage ?? contextString(app.node, 'stage') ?? 'dev';
  if (!STAGE_PATTERN.test(stage)) {
    throw new ConfigError(`Invalid stage "${stage}": lowercase letters, digits and dashes, starting with a letter`);
  }
  const config = loadStageConfig(app.node, stage);

  const appOriginValue = options.appOrigin ?? contextString(app.node, 'appOrigin');
  if (appOriginValue === undefined && !config) {
    throw new ConfigError('Context appOrigin is required: the https origin of the app, e.g. --context appOrigin=https://thi-dua.example.org');
  }
  const appOrigin = appOriginValue === undefined ? config!.appOrigin : parseAppOrigin(appOriginValue);
  const mailFromValue = options.mailFrom ?? contextString(app.node, 'mailFrom');
  const mailFrom = mailFromValue === undefined ? config?.mailFrom : parseMailFrom(mailFromValue);
  if (!mailFrom && [...httpRoutes, ...objectCreatedHandlers, reminderHandler, reminderSender, mailEventHandler].some((access) => access.sendsEmail)) {
    throw new ConfigError(
      'Context mailFrom is required (a handler sends email): the sender, e.g. --context "mailFrom=Cụm Thi đua <no-reply@example.org>"',
    );
  }
  const rateValue = options.sesMaxSendRate ?? app.node.tryGetContext('sesMaxSendRate');
  const sesMaxSendRate = rateValue === undefined || rateValue === null || rateValue === '' ? (config?.sesMaxSendRate ?? parseSesMaxSendRate(undefined)) : parseSesMaxSendRate(rateValue);
  const maxUploadValue = options.maxUploadBytes ?? config?.maxUploadBytes;
  const maxUploadBytes = maxUploadValue === undefined ? undefined : checkMaxUploadBytes(maxUploadValue);
  const alarmEmail = options.alarmEmail ?? config?.alarmEmail;
  const retainData = options.retainData ?? config?.retainData ?? true;
  if (stage === PROTECTED_STAGE && !retainData) {
    throw new ConfigError(`retainData must be true for ${PROTECTED_STAGE}: its data is always retained`);
  }
  // Only a stage configuration pins the stacks to a region: without one they stay environment-agnostic.
  const region = config?.region;
  const account = process.env.CDK_DEFAULT_ACCOUNT;
  const env: Environment | undefined = region ? { region, ...(account ? { account } : {}) } : undefined;

  const stateful = new StatefulStack(app, `CumThiDua-${stage}-Stateful`, {
    description: `Cụm thi đua (${stage}): table, uploads bucket and link secret (${retainData ? 'retained' : 'deleted with the stack'})`,
    ...(env ? { env } : {}),
    appOrigin,
    retainData,
  });
  const stateless = new StatelessStack(app, `CumThiDua-${stage}-Stateless`, {
    description: `Cụm thi đua (${stage}): HTTP API, functions, reminder schedules and queue, mail feedback`,
    ...(env ? { env } : {}),
    table: stateful.table,
    uploadsBucket: stateful.uploadsBucket,
    linkSecret: stateful.linkSecret,
    routes: httpRoutes,
    objectCreatedHandlers,
    mailFrom,
    reminderHandler,
    reminderSender,
    mailEventHandler,
    publicBaseUrl: appOrigin,
    maxSendRate: sesMaxSendRate,
    maxUploadBytes,
    alarmEmail,
  });

  Tags.of(app).add('project', 'cum-thi-dua');
  Tags.of(app).add('stage', stage);

  if (options.nag ?? true) {
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
  }
  return {
    stage,
    ...(region ? { region } : {}),
    appOrigin,
    ...(mailFrom ? { mailFrom } : {}),
    sesMaxSendRate,
    maxUploadBytes: maxUploadBytes ?? DEFAULT_MAX_UPLOAD_BYTES,
    ...(alarmEmail ? { alarmEmail } : {}),
    retainData,
    clusters: config?.clusters ?? [],
    stateful,
    stateless,
  };
}
