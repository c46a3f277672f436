import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3n from 'aws-cdk-lib/aws-s3-notifications';
import { buildApp } from './build-app';
import { ProjectFunction } from './constructs/project-function';
import { newTestApp } from '../test/infra/support';
const { app, cleanup } = newTestApp();
const built = buildApp(app, { nag: false });
const fn = new ProjectFunction(built.stateless, 'Rec', { entry: 'functions/uploads/record-upload.ts', table: built.stateful.table });
built.stateful.uploadsBucket.addEventNotification(s3.EventType.OBJECT_CREATED, new s3n.LambdaDestination(fn), { prefix: 'uploads/' });
try { app.synth(); console.log('no cycle'); } catch (e) { console.log('ERR', (e as Error).message.slice(0, 800)); }
cleanup();
