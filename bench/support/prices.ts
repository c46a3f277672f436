/**
 * AWS list prices the cost figures use: USD, before tax, Asia Pacific (Singapore, ap-southeast-1, the stages'
 * region), no free tier. They are the README's assumptions (the services' pricing pages as of 2025), not checked
 * against the live pages from this machine (no internet): check them in the AWS Pricing Calculator before relying
 * on a total.
 */
import type { Totals } from './tally';
import { callCount } from './tally';

export const PRICES = {
  lambdaRequest: 0.2 / 1e6,
  /** arm64, per GB-second. */
  lambdaGbSecond: 0.0000133334,
  httpApiRequest: 1.0 / 1e6,
  dynamodbReadUnit: 0.1425 / 1e6,
  dynamodbWriteUnit: 0.7125 / 1e6,
  sesEmail: 0.1 / 1000,
  /** PUT, POST, COPY, LIST. */
  s3WriteRequest: 0.005 / 1000,
  /** GET and the rest. */
  s3ReadRequest: 0.0004 / 1000,
  s3GbMonth: 0.025,
  sqsRequest: 0.4 / 1e6,
  schedulerInvocation: 1.0 / 1e6,
  secretsManagerCall: 0.05 / 10_000,
  /** CloudWatch Logs ingestion, per GB. */
  logsIngestedGb: 0.7,
} as const;

/** Lambda bills duration in 1 ms steps; a handler invocation is at least 1 ms. */
const billedMs = (ms: number) => Math.max(1, Math.ceil(ms));

export interface CostInput {
  totals: Totals;
  /** Requests browsers made straight to S3 (presigned POSTs, downloads). */
  s3Direct: { put: number; get: number };
  /** HTTP requests through API Gateway (every HTTP handler invocation). */
  httpRequests: number;
  /** Schedules that fired (Scheduler invocations). */
  scheduleInvocations: number;
  /** Bytes the handlers logged. */
  logBytes: number;
  /** Memory (MB) of each function, by function id. */
  memoryMb: (functionId: string) => number;
  /** Extra billed duration per invocation for a cold start (0 for the warm figure). */
  coldStartMs?: number;
}

export type CostLine = { what: string; use: string; usd: number };

/** Cost lines of the counted usage (compute, requests, email, logs); storage is priced apart. */
export function usageCost(input: CostInput): CostLine[] {
  const { totals } = input;
  const invocations = Object.entries(totals.invocations);
  const requests = invocations.reduce((n, [, i]) => n + i.count, 0);
  const gbSeconds = invocations.reduce(
    (sum, [id, i]) => sum + ((i.ms + i.count * (input.coldStartMs ?? 0)) / 1000) * (input.memoryMb(id) / 1024),
    0,
  );
  // Each invocation's duration is rounded up to the ms; the sum of the averages is close enough for whole runs.
  const gbSecondsBilled = invocations.reduce((sum, [id, i]) => sum + (i.count * billedMs(i.ms / i.count) + i.count * (input.coldStartMs ?? 0)) / 1000 * (input.memoryMb(id) / 1024), 0);
  const s3Handler = Object.entries(totals.calls.s3 ?? {});
  const s3Writes = input.s3Direct.put + s3Handler.filter(([c]) => /^(Put|Copy|Delete|List|CreateMultipart|UploadPart|CompleteMultipart)/.test(c)).reduce((n, [, v]) => n + v, 0);
  const s3Reads = input.s3Direct.get + s3Handler.filter(([c]) => !/^(Put|Copy|Delete|List|CreateMultipart|UploadPart|CompleteMultipart)/.test(c)).reduce((n, [, v]) => n + v, 0);
  const emails = callCount(totals, 'ses', 'SendEmail') + callCount(totals, 'ses', 'SendRawEmail');
  const lines: CostLine[] = [
    { what: 'Lambda requests', use: `${requests}`, usd: requests * PRICES.lambdaRequest },
    { what: 'Lambda duration (arm64)', use: `${gbSecondsBilled.toFixed(1)} GB-s (${gbSeconds.toFixed(1)} unrounded)`, usd: gbSecondsBilled * PRICES.lambdaGbSecond },
    { what: 'API Gateway HTTP API', use: `${input.httpRequests} requests`, usd: input.httpRequests * PRICES.httpApiRequest },
    { what: 'DynamoDB reads (on demand)', use: `${totals.billedReadUnits.toFixed(1)} RRU`, usd: totals.billedReadUnits * PRICES.dynamodbReadUnit },
    { what: 'DynamoDB writes (on demand)', use: `${totals.writeUnits.toFixed(1)} WRU`, usd: totals.writeUnits * PRICES.dynamodbWriteUnit },
    { what: 'SES', use: `${emails} emails`, usd: emails * PRICES.sesEmail },
    { what: 'S3 requests', use: `${s3Writes} PUT/POST/COPY/DELETE, ${s3Reads} GET/HEAD`, usd: s3Writes * PRICES.s3WriteRequest + s3Reads * PRICES.s3ReadRequest },
    { what: 'SQS', use: `${callCount(totals, 'sqs')} requests by the functions + receives by the event source (about as many)`, usd: 2 * callCount(totals, 'sqs') * PRICES.sqsRequest },
    { what: 'EventBridge Scheduler', use: `${input.scheduleInvocations} invocations, ${callCount(totals, 'scheduler')} API calls`, usd: input.scheduleInvocations * PRICES.schedulerInvocation },
    { what: 'Secrets Manager calls', use: `${callCount(totals, 'secretsmanager')}`, usd: callCount(totals, 'secretsmanager') * PRICES.secretsManagerCall },
    { what: 'CloudWatch Logs ingestion', use: `${(input.logBytes / 1e6).toFixed(1)} MB`, usd: (input.logBytes / 1e9) * PRICES.logsIngestedGb },
  ];
  return lines;
}

export const totalUsd = (lines: readonly CostLine[]): number => lines.reduce((sum, l) => sum + l.usd, 0);
