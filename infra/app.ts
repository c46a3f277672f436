/**
 * The CDK app (cdk.json: `npx tsx infra/app.ts`). Context: `stage` (default 'dev'), `adminApiKeySha256` (optional).
 *   npx cdk synth --quiet
 *   npx cdk synth -c stage=prod -c adminApiKeySha256=$(printf %s "$KEY" | sha256sum | cut -d' ' -f1)
 */
import { App } from 'aws-cdk-lib';
import { buildApp } from './build-app';

const app = new App();
buildApp(app);
app.synth();
