/**
 * The CDK app (cdk.json: `npx tsx infra/app.ts`). Context: `stage` (default 'dev'), `appOrigin` and `mailFrom`
 * (required; cdk.json holds dev defaults to replace, see infra/README.md), `sesMaxSendRate` (optional, emails per
 * second, default 10). No admin secret is deployed: admins sign in by email link, scripts use per-cluster API keys
 * created in the admin page (both checked in the handlers).
 *   npx cdk synth --quiet
 *   npx cdk synth -c stage=prod -c appOrigin=https://thi-dua.example.org \
 *     -c "mailFrom=Cụm Thi đua <no-reply@thi-dua.example.org>"
 */
import { App } from 'aws-cdk-lib';
import { buildApp } from './build-app';

const app = new App();
buildApp(app);
app.synth();
