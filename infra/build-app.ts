import { Tags, Validations, type App } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { httpRoutes, mailEventHandler, objectCreatedHandlers, reminderHandler, reminderSender } from '../functions/routes';
import { contextString, parseAppOrigin, parseMailFrom, parseSesMaxSendRate, type MailSender } from './context';
import { StatefulStack } from './stateful-stack';
import { StatelessStack } from './stateless-stack';

export interface BuildAppOptions {
  /**
   * Deployment stage, part of the stack names (`CumThiDua-<stage>-Stateful`).
   * @default - context `stage`, else 'dev'
   */
  readonly stage?: string;
  /**
   * The https origin the app is served from; the only origin the uploads bucket accepts browser uploads from.
   * @default - context `appOrigin` (required)
   */
  readonly appOrigin?: string;
  /**
   * The sender of the app's email: `Name <sender@domain>` or `sender@domain`.
   * @default - context `mailFrom` (required when a route or handler sends email)
   */
  readonly mailFrom?: string;
  /**
   * The account's SES maximum send rate (emails per second, 1..1000): what the reminder function paces at, and the
   * copies of the reminder sender together.
   * @default - context `sesMaxSendRate`, else 10
   */
  readonly sesMaxSendRate?: number;
  /**
   * Run the cdk-nag AwsSolutions checks at synth (error findings make synth fail).
   * @default true
   */
  readonly nag?: boolean;
}

export interface BuiltApp {
  readonly stage: string;
  readonly appOrigin: string;
  readonly mailFrom?: MailSender;
  readonly sesMaxSendRate: number;
  readonly stateful: StatefulStack;
  readonly stateless: StatelessStack;
}

const STAGE_PATTERN = /^[a-z][a-z0-9-]{0,19}$/;

/**
 * Adds the project's stacks to `app`: what `cdk synth` runs (infra/app.ts) and what the infra tests build, so both
 * see the same thing.
 */
export function buildApp(app: App, options: BuildAppOptions = {}): BuiltApp {
  const stage = options.stage ?? contextString(app.node, 'stage') ?? 'dev';
  if (!STAGE_PATTERN.test(stage)) {
    throw new Error(`Invalid stage "${stage}": lowercase letters, digits and dashes, starting with a letter`);
  }
  const appOriginValue = options.appOrigin ?? contextString(app.node, 'appOrigin');
  if (appOriginValue === undefined) {
    throw new Error('Context appOrigin is required: the https origin of the app, e.g. --context appOrigin=https://thi-dua.example.org');
  }
  const appOrigin = parseAppOrigin(appOriginValue);
  const mailFromValue = options.mailFrom ?? contextString(app.node, 'mailFrom');
  const mailFrom = mailFromValue === undefined ? undefined : parseMailFrom(mailFromValue);
  if (!mailFrom && [...httpRoutes, ...objectCreatedHandlers, reminderHandler, reminderSender, mailEventHandler].some((access) => access.sendsEmail)) {
    throw new Error(
      'Context mailFrom is required (a handler sends email): the sender, e.g. --context "mailFrom=Cụm Thi đua <no-reply@example.org>"',
    );
  }
  const sesMaxSendRate = parseSesMaxSendRate(options.sesMaxSendRate ?? app.node.tryGetContext('sesMaxSendRate'));

  const stateful = new StatefulStack(app, `CumThiDua-${stage}-Stateful`, {
    description: `Cụm thi đua (${stage}): table, uploads bucket and link secret (retained)`,
    appOrigin,
  });
  const stateless = new StatelessStack(app, `CumThiDua-${stage}-Stateless`, {
    description: `Cụm thi đua (${stage}): HTTP API, functions, reminder schedules and queue, mail feedback`,
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
  });

  Tags.of(app).add('project', 'cum-thi-dua');
  Tags.of(app).add('stage', stage);

  if (options.nag ?? true) {
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  }
  return { stage, appOrigin, ...(mailFrom ? { mailFrom } : {}), sesMaxSendRate, stateful, stateless };
}
