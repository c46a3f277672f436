/**
 * The local stand-ins for the AWS services, started together: DynamoDB Local (Java), s3rver, aws-ses-v2-local and
 * the Scheduler stand-in. Used by `npm start` (fixed ports, data under .local/) and by the test harness (free
 * ports, in memory).
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import S3rver from 's3rver';
import sesLocalModule from 'aws-ses-v2-local';
import type { Clock } from '../shared/ports/clock';
import { startDynamoDbLocal } from './dynamodb-local';
import { freePort } from './net';
import { startSchedulerStandin, type SchedulerStandinOptions } from './scheduler-standin';
import { startSqsStandin, type SqsStandin, type SqsStandinOptions } from './sqs-standin';

export interface EmulatorPorts {
  dynamodb: number;
  s3: number;
  ses: number;
  scheduler: number;
  sqs: number;
}

export interface EmulatorOptions {
  /** Fixed ports; 0 (or absent) picks free ones. */
  ports?: Partial<EmulatorPorts>;
  /** Keep DynamoDB data here across restarts; in memory when absent. */
  dynamodbPath?: string;
  /** s3rver's storage folder. */
  s3Path: string;
  /** Buckets s3rver creates at start (with CORS for the given origins). */
  buckets: readonly string[];
  corsOrigins?: readonly string[];
  clock: Clock;
  /** What a firing schedule calls. */
  invokeSchedule: SchedulerStandinOptions['invoke'];
  /** Queues and their consumers (Lambda event source mappings). */
  sqsConsumers?: SqsStandinOptions['consumers'];
  log?: (line: string) => void;
}

export interface Emulators {
  endpoints: { dynamodb: string; s3: string; ses: string; scheduler: string; sqs: string };
  s3: S3rver;
  scheduler: Awaited<ReturnType<typeof startSchedulerStandin>>;
  sqs: SqsStandin;
  close(): Promise<void>;
}

/** Credentials s3rver insists on; the other emulators accept anything, so the whole local stack uses these. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;
export const LOCAL_REGION = 'ap-southeast-1';

// aws-ses-v2-local is CommonJS with an `exports.default`; under Node's ESM interop that lands one level deeper.
const sesLocal: typeof sesLocalModule =
  (sesLocalModule as unknown as { default?: typeof sesLocalModule }).default ?? sesLocalModule;

function corsXml(origins: readonly string[]): string {
  const rules = origins
    .map(
      (origin) => `<CORSRule><AllowedOrigin>${origin}</AllowedOrigin><AllowedMethod>GET</AllowedMethod><AllowedMethod>PUT</AllowedMethod><AllowedMethod>POST</AllowedMethod><AllowedMethod>HEAD</AllowedMethod><AllowedHeader>*</AllowedHeader><ExposeHeader>ETag</ExposeHeader><MaxAgeSeconds>3000</MaxAgeSeconds></CORSRule>`,
    )
    .join('');
  return `<CORSConfiguration>${rules}</CORSConfiguration>`;
}

export async function startEmulators(options: EmulatorOptions): Promise<Emulators> {
  const closers: Array<() => Promise<void>> = [];
  const close = async (): Promise<void> => {
    for (const closeOne of closers.reverse()) await closeOne().catch(() => undefined);
  };
  try {
    const dynamodb = await startDynamoDbLocal({
      port: options.ports?.dynamodb || (await freePort()),
      dbPath: options.dynamodbPath,
    });
    closers.push(() => dynamodb.close());

    const s3 = new S3rver({
      address: '127.0.0.1',
      port: options.ports?.s3 ?? 0,
      silent: true,
      directory: options.s3Path,
      configureBuckets: options.buckets.map((name) => ({
        name,
        configs: options.corsOrigins?.length ? [corsXml(options.corsOrigins)] : [],
      })),
    });
    const s3Address = await s3.run();
    closers.push(() => s3.close());

    const ses: Server = await sesLocal({ host: '127.0.0.1', port: options.ports?.ses ?? 0 });
    closers.push(() => new Promise<void>((resolve) => ses.close(() => resolve())));
    const sesPort = (ses.address() as AddressInfo).port;

    const scheduler = await startSchedulerStandin({
      port: options.ports?.scheduler ?? 0,
      clock: options.clock,
      invoke: options.invokeSchedule,
      log: options.log,
    });
    closers.push(() => scheduler.close());

    const sqs = await startSqsStandin({
      port: options.ports?.sqs ?? 0,
      region: LOCAL_REGION,
      clock: options.clock,
      consumers: options.sqsConsumers,
      log: options.log,
    });
    closers.push(() => sqs.close());

    return {
      endpoints: {
        dynamodb: dynamodb.endpoint,
        s3: `http://127.0.0.1:${s3Address.port}`,
        ses: `http://127.0.0.1:${sesPort}`,
        scheduler: scheduler.url,
        sqs: sqs.url,
      },
      s3,
      scheduler,
      sqs,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
