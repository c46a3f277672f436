/**
 * The CDK app (cdk.json: `npx tsx infra/app.ts`). Context: `stage` (default 'dev') selects `stages.<stage>` of
 * cdk.json (region, appOrigin, mailFrom, sesMaxSendRate, maxUploadBytes, alarmEmail, retainData, clusters; checked
 * by infra/config.ts, see infra/README.md); `appOrigin`, `mailFrom` and `sesMaxSendRate` given on their own override
 * the stage's. No admin secret is deployed: admins sign in by email link, scripts use per-cluster API keys created in
 * the admin page (both checked in the handlers).
 *   npx cdk synth --quiet
 *   npx cdk synth --quiet --context stage=prod
 *   npx cdk synth --quiet --context stage=prod --context appOrigin=https://abc123.execute-api.ap-southeast-1.amazonaws.com
 */
import { App } from 'aws-cdk-lib';
import { buildApp } from './build-app';
import { ConfigError } from './config';

const app = new App();
try {
  buildApp(app);
} catch (error) {
  // A configuration mistake is the operator's to fix: the message says what and where, a stack trace would bury it.
  if (!(error instanceof ConfigError)) throw error;
  console.error(`Invalid stage configuration (cdk.json context):\n${error.message}`);
  process.exit(1);
}
app.synth();
