/**
 * `npm start` as a person runs it: a real process, its printed banner, .local/stack.json, Ctrl-C, a restart that
 * keeps data, and the messages for a taken port or a missing Java.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { assertPortFree } from '../../local/net';
import { signIn } from '../support/admin';
import type { StackInfo } from '../../local/stack';

const repo = resolve(__dirname, '../..');
const tsx = join(repo, 'node_modules/tsx/dist/cli.mjs');
const cwd = mkdtempSync(join(tmpdir(), 'ctd-start-'));
const children: ChildProcess[] = [];

async function freeBase(): Promise<number> {
  for (;;) {
    const base = 20_000 + Math.floor(Math.random() * 40_000);
    try {
      for (let i = 0; i < 6; i++) await assertPortFree(base + i, 'probe');
      return base;
    } catch {
      // taken: try another
    }
  }
}

interface Run {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function start(env: Record<string, string>): Run {
  const child = spawn(process.execPath, [tsx, join(repo, 'local/start.ts')], {
    cwd,
    env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'SILENT', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return { child, output: () => output, exited };
}

async function waitFor(run: Run, text: string, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!run.output().includes(text)) {
    if (run.child.exitCode !== null) throw new Error(`exited ${run.child.exitCode}: ${run.output()}`);
    if (Date.now() > deadline) throw new Error(`timed out waiting for "${text}": ${run.output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
});

describe('npm start', () => {
  let base: number;
  const stackFile = join(cwd, '.local/stack.json');

  it('brings the stack up, describes it, serves the plan, runs the simulated clock, and stops on Ctrl-C', async () => {
    base = await freeBase();
    const run = start({ CTD_PORT_BASE: String(base), NOW: '2021-12-09T07:59:00+07:00' });
    await waitFor(run, 'Ctrl-C to stop');
    expect(run.output()).toContain('2021-2022 (vừa tạo)');

    const info = JSON.parse(readFileSync(stackFile, 'utf8')) as StackInfo;
    expect(info).toMatchObject({
      apiUrl: `http://127.0.0.1:${base}`,
      mailboxUrl: `http://127.0.0.1:${base + 1}`,
      dynamodbEndpoint: `http://127.0.0.1:${base + 2}`,
      s3Endpoint: `http://127.0.0.1:${base + 3}`,
      schedulerEndpoint: `http://127.0.0.1:${base + 4}`,
      sqsEndpoint: `http://127.0.0.1:${base + 5}`,
      adminUrl: `http://127.0.0.1:${base}/admin`,
      clock: { start: '2021-12-09T00:59:00.000Z' },
    });
    expect(run.output()).toContain(`Trang quản trị         http://127.0.0.1:${base}/admin`);
    const admin = await fetch(info.adminUrl);
    expect([admin.status, admin.headers.get('content-type')]).toEqual([200, 'text/html; charset=utf-8']);
    const session = await signIn(info, 'congdoan.dvtdt@gmail.com');
    const plan = (await (await fetch(`${info.apiUrl}/api/clusters/thanh-hoa-cum-5/plans/2021-2022`, { headers: session.headers })).json()) as any;
    expect(plan.plan.title).toBe('Kế hoạch hoạt động của Cụm Thi đua số 5 năm học 2021 - 2022');
    expect((await fetch(info.mailboxUrl)).status).toBe(200);

    run.child.kill('SIGINT');
    expect(await run.exited).toBe(0);
    expect(existsSync(stackFile)).toBe(false);
    // Every child is gone: the ports are free again.
    for (let i = 0; i < 6; i++) await assertPortFree(base + i, 'after stop');
  });

  it('keeps data across a restart, and says so when a port is taken', async () => {
    const run = start({ CTD_PORT_BASE: String(base) });
    await waitFor(run, 'Ctrl-C to stop');
    expect(run.output()).toContain('2021-2022 (đã có)');

    const second = start({ CTD_PORT_BASE: String(base) });
    expect(await second.exited).toBe(1);
    expect(second.output()).toContain(`Port ${base} (HTTP gateway) is already in use`);

    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
  });

  it('says how to install Java when it is missing', async () => {
    const run = start({ CTD_PORT_BASE: String(await freeBase()), PATH: '/nonexistent' });
    expect(await run.exited).toBe(1);
    expect(run.output()).toContain('apt-get install -y openjdk-17-jre-headless');
  });
});
