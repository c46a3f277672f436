/**
 * The CDK app (cdk.json: `npx tsx infra/app.ts`). Context: `stage` (default 'dev'), `adminApiKeySha256` (optional),
 * `appOrigin` and `mailFrom` (required; cdk.json holds dev defaults to replace, see infra/README.md), `sesMaxSendRate`
 * (optional, emails per second, default 10).
 *   npx cdk synth --quiet
 *   npx cdk synth -c stage=prod -c adminApiKeySha256=$(printf %s "$KEY" | sha256sum | cut -d' ' -f1) \
 *     -c appOrigin=https://thi-dua.example.org -c "mailFrom=Cụm Thi đua <no-reply@thi-dua.example.org>"
 */
import { App } from 'aws-cdk-lib';
import { buildApp } from './build-app';

const app = new App();
buildApp(app);
app.synth();
