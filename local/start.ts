/**
 * `npm start`: runs the whole system locally until Ctrl-C. Data is kept under .local/; the URLs are printed and
 * written to .local/stack.json.
 *
 * Environment: NOW=<ISO 8601> starts the clock at that instant (ICT when no offset is given) and lets it run;
 * CTD_PORT_BASE=<port> moves the six ports (default 4310..4315).
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { offsetClock, systemClock } from '../shared/ports/clock';
import { formatInstantVi, parseInstantIct } from '../shared/domain/time';
import { REFERENCE_CLUSTER_ID, referenceUnits } from '../shared/reference/thanh-hoa-cum-5';
import { JavaMissingError } from './dynamodb-local';
import { PortInUseError } from './net';
import { startLocalStack } from './stack';

const started = Date.now();
const dataDir = resolve('.local');
const stackFile = join(dataDir, 'stack.json');

function fail(message: string): never {
  console.error(`\n✖ ${message}\n`);
  process.exit(1);
}

const base = Number(process.env.CTD_PORT_BASE ?? 4310);
if (!Number.isInteger(base) || base < 1024 || base > 65529) fail(`CTD_PORT_BASE must be a port between 1024 and 65530, got "${process.env.CTD_PORT_BASE}".`);

let simulatedStart: { start: string; startedAt: number } | undefined;
if (process.env.NOW) {
  const now = parseInstantIct(process.env.NOW);
  if (!now) fail(`NOW="${process.env.NOW}" is not an ISO 8601 time; try NOW=2021-12-09T07:59:00+07:00`);
  simulatedStart = { start: now.toISOString(), startedAt: Date.now() };
}
const clock = simulatedStart ? offsetClock(simulatedStart.start, simulatedStart.startedAt) : systemClock;

mkdirSync(dataDir, { recursive: true });
const stack = await startLocalStack({
  dataDir,
  ports: { api: base, ses: base + 1, dynamodb: base + 2, s3: base + 3, scheduler: base + 4, sqs: base + 5 },
  clock,
  simulatedStart,
  log: (line) => console.log(`  ${line}`),
}).catch((error: unknown) => {
  if (error instanceof JavaMissingError || error instanceof PortInUseError) fail(error.message);
  throw error;
});
writeFileSync(stackFile, `${JSON.stringify(stack.info, null, 2)}\n`);

const { info } = stack;
const seeded = Object.entries(stack.seed.plans)
  .map(([plan, outcome]) => `${plan} (${outcome === 'created' ? 'vừa tạo' : 'đã có'})`)
  .join(', ');
console.log(`
cum-thi-dua chạy cục bộ — ready in ${((Date.now() - started) / 1000).toFixed(1)} s
  Trang quản trị         ${info.adminUrl}
                         đăng nhập bằng email Cụm trưởng/Cụm phó (thư đến Hộp thư bên dưới),
                         hoặc: npm run cli -- admin-link ${REFERENCE_CLUSTER_ID} ${referenceUnits[0]?.emails[0] ?? ''}
  API (HTTP gateway)     ${info.apiUrl}   (mô tả: ${info.apiUrl}/api/openapi.json)
  Hộp thư (SES inbox)    ${info.mailboxUrl}
  DynamoDB Local         ${info.dynamodbEndpoint}   table ${info.tableName}
  S3 (s3rver)            ${info.s3Endpoint}   bucket ${info.bucketName}
  Scheduler stand-in     ${info.schedulerEndpoint}
  SQS stand-in           ${info.sqsEndpoint}
  Đồng hồ                ${simulatedStart ? `mô phỏng, bắt đầu ${formatInstantVi(new Date(simulatedStart.start))} (giờ Việt Nam)` : 'giờ thật'}
  Cụm mẫu                ${REFERENCE_CLUSTER_ID}, kế hoạch ${seeded}

  Try: npm run cli -- milestones ${REFERENCE_CLUSTER_ID}
  Stack description: ${stackFile}
  Ctrl-C to stop.
`);

let stopping = false;
async function stop(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal}: stopping…`);
  rmSync(stackFile, { force: true });
  await stack.close();
  process.exit(0);
}
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));
