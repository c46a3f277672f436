/**
 * The whole system on one machine: the emulators, the table and bucket, the reference data, and the HTTP gateway
 * in front of the same Lambda handlers that deploy to AWS.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync, existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { toDocumentClient } from '../shared/runtime/aws-clients';
import { httpRoutes } from '../functions/routes';
import { ensureTable } from '../shared/adapters/dynamodb/create-table';
import { createDynamoRepositories } from '../shared/adapters/dynamodb/repositories';
import { sha256Hex } from '../shared/http/admin-auth';
import type { Clock } from '../shared/ports/clock';
import { seedReferenceData, type SeedReport } from '../shared/use-cases/seed-reference';
import { LOCAL_CREDENTIALS, LOCAL_REGION, startEmulators, type EmulatorPorts } from './emulators';
import { startGateway } from './gateway';
import { assertPortFree } from './net';

export const LOCAL_TABLE_NAME = 'cum-thi-dua-local';
export const LOCAL_BUCKET_NAME = 'cum-thi-dua-uploads-local';

/** Handler entries in functions/routes.ts are relative to the repository root, wherever the stack is started from. */
const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** What `npm start` writes to .local/stack.json for the CLI, tests and people. */
export interface StackInfo {
  apiUrl: string;
  mailboxUrl: string;
  dynamodbEndpoint: string;
  s3Endpoint: string;
  sesEndpoint: string;
  schedulerEndpoint: string;
  region: string;
  tableName: string;
  bucketName: string;
  /** Where the local admin API key is kept (0600). */
  adminApiKeyFile: string;
  /** Set when the stack runs on a simulated clock (NOW=...). */
  clock?: { start: string; startedAt: number };
  pid: number;
}

export interface LocalStackOptions {
  /** Folder for persistent data (.local); absent: in memory, nothing kept. */
  dataDir?: string;
  /** Fixed ports for the gateway and emulators; absent: free ports. */
  ports?: Partial<EmulatorPorts> & { api?: number };
  clock: Clock;
  /** The simulated clock's start, recorded in stack.json so the CLI follows the same time. */
  simulatedStart?: { start: string; startedAt: number };
  log?: (line: string) => void;
}

export interface LocalStack {
  info: StackInfo;
  seed: SeedReport;
  adminApiKey: string;
  close(): Promise<void>;
}

/** The local admin key: kept in the data folder so it survives restarts, random per test run otherwise. */
function adminKey(dataDir: string | undefined): { key: string; file: string } {
  if (!dataDir) return { key: randomBytes(24).toString('base64url'), file: '' };
  const file = join(dataDir, 'admin-api-key');
  if (!existsSync(file)) writeFileSync(file, randomBytes(24).toString('base64url'), { mode: 0o600 });
  return { key: readFileSync(file, 'utf8').trim(), file };
}

export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const log = options.log ?? (() => undefined);
  const dataDir = options.dataDir && resolve(options.dataDir);
  const s3Path = dataDir ? join(dataDir, 's3') : join(process.env.TMPDIR ?? '/tmp', `ctd-s3-${process.pid}-${Date.now()}`);
  mkdirSync(s3Path, { recursive: true });
  if (dataDir) mkdirSync(join(dataDir, 'dynamodb'), { recursive: true });

  const ports = options.ports ?? {};
  const named: Array<[number | undefined, string]> = [
    [ports.api, 'HTTP gateway'],
    [ports.dynamodb, 'DynamoDB Local'],
    [ports.s3, 's3rver'],
    [ports.ses, 'SES emulator'],
    [ports.scheduler, 'Scheduler stand-in'],
  ];
  for (const [port, what] of named) if (port) await assertPortFree(port, what);

  const apiOrigin = ports.api ? `http://127.0.0.1:${ports.api}` : undefined;
  const emulators = await startEmulators({
    ports,
    dynamodbPath: dataDir && join(dataDir, 'dynamodb'),
    s3Path,
    buckets: [LOCAL_BUCKET_NAME],
    corsOrigins: apiOrigin ? [apiOrigin, `http://localhost:${ports.api}`] : ['*'],
    clock: options.clock,
    // Reminder targets are wired by the reminders feature; until then a firing schedule is only logged.
    invokeSchedule: async (target) => log(`schedule fired for ${target.arn}`),
    log,
  });

  try {
    // The handlers run in this process and read their configuration from the environment at cold start, as in AWS.
    const { key, file } = adminKey(dataDir);
    Object.assign(process.env, {
      AWS_REGION: LOCAL_REGION,
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
      TABLE_NAME: LOCAL_TABLE_NAME,
      DYNAMODB_ENDPOINT: emulators.endpoints.dynamodb,
      ADMIN_API_KEY_SHA256: sha256Hex(key),
      LOCAL_OPEN_READS: 'true',
      POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'WARN',
      ...(options.simulatedStart
        ? { CLOCK_START: options.simulatedStart.start, CLOCK_STARTED_AT: String(options.simulatedStart.startedAt) }
        : {}),
    });

    const client = new DynamoDBClient({
      endpoint: emulators.endpoints.dynamodb,
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
    });
    await ensureTable(client, LOCAL_TABLE_NAME);
    const repos = createDynamoRepositories(toDocumentClient(client), LOCAL_TABLE_NAME, options.clock);
    const seed = await seedReferenceData(repos, options.clock);
    client.destroy();

    const gateway = await startGateway({ routes: httpRoutes, port: ports.api ?? 0, log, root: REPO_ROOT });
    const info: StackInfo = {
      apiUrl: gateway.url,
      mailboxUrl: emulators.endpoints.ses,
      dynamodbEndpoint: emulators.endpoints.dynamodb,
      s3Endpoint: emulators.endpoints.s3,
      sesEndpoint: emulators.endpoints.ses,
      schedulerEndpoint: emulators.endpoints.scheduler,
      region: LOCAL_REGION,
      tableName: LOCAL_TABLE_NAME,
      bucketName: LOCAL_BUCKET_NAME,
      adminApiKeyFile: file,
      ...(options.simulatedStart ? { clock: options.simulatedStart } : {}),
      pid: process.pid,
    };
    return {
      info,
      seed,
      adminApiKey: key,
      close: async () => {
        await gateway.close();
        await emulators.close();
      },
    };
  } catch (error) {
    await emulators.close();
    throw error;
  }
}
