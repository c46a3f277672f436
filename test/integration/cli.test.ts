import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import ExcelJS from 'exceljs';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { runCli, UsageError } from '../../local/cli';
import { MilestoneSchema, PlanSchema, UnitSchema } from '../../shared/domain/model';
import { formatBytesVi } from '../../shared/domain/submission';
import { defaultScoringScheme } from '../../shared/reference/scoring-template';
import { stackRepos } from '../support/admin';

const stackFile = join(mkdtempSync(join(tmpdir(), 'ctd-cli-')), 'stack.json');
writeFileSync(stackFile, JSON.stringify(inject('stack')));
const env = { CTD_STACK_FILE: stackFile };

describe('npm run cli', () => {
  it('clusters: a readable table, and JSON with --json', async () => {
    expect(await runCli(['clusters'], env)).toMatch(/thanh-hoa-cum-5\s+Cụm Thi đua số 5\s+Công đoàn Viên chức tỉnh Thanh Hóa/);
    const json = JSON.parse(await runCli(['clusters', '--json'], env));
    // Other test files create clusters of their own in the same table: look for the reference one among them.
    expect(json).toEqual(expect.arrayContaining([expect.objectContaining({ clusterId: 'thanh-hoa-cum-5', name: 'Cụm Thi đua số 5' })]));
  });

  it('units: roles in Vietnamese', async () => {
    const text = await runCli(['units', 'thanh-hoa-cum-5'], env);
    expect(text.split('\n')[2]).toMatch(/^dh-vhttdl-thanh-hoa\s+Cụm trưởng/);
    expect(text).toContain('Cụm phó');
  });

  it('milestones: defaults to the plan of the current school year, dates as dd/mm/yyyy', async () => {
    const text = await runCli(['milestones', 'thanh-hoa-cum-5'], { ...env, NOW: '2021-12-01T08:00' });
    expect(text).toContain('Kế hoạch hoạt động của Cụm Thi đua số 5 năm học 2021 - 2022');
    expect(text).toMatch(/bao-cao-so-ket-6-thang\s+Báo cáo\s+trước ngày 10\/12\/2021/);
    const json = JSON.parse(await runCli(['milestones', 'thanh-hoa-cum-5', '--plan', '2021-2022', '--json'], env));
    expect(json.milestones).toHaveLength(9);
  });

  it("follows the local stack's simulated clock when it has one", async () => {
    const clocked = join(mkdtempSync(join(tmpdir(), 'ctd-cli-')), 'stack.json');
    writeFileSync(clocked, JSON.stringify({ ...inject('stack'), clock: { start: '2022-05-01T00:00:00.000Z', startedAt: Date.now() } }));
    const json = JSON.parse(await runCli(['milestones', 'thanh-hoa-cum-5', '--json'], { CTD_STACK_FILE: clocked }));
    expect(json.plan.planId).toBe('2021-2022');
  });

  it('plans', async () => {
    expect(await runCli(['plans', 'thanh-hoa-cum-5'], env)).toMatch(/2021-2022\s+Kế hoạch hoạt động/);
  });

  it('link: a signed link to the member page, which works; revoke-link makes it 410', async () => {
    const deputy = 'cd-nghe-cong-nghiep-thanh-hoa';
    const text = await runCli(['link', 'thanh-hoa-cum-5', deputy, '--plan', '2021-2022'], { ...env, NOW: '2021-11-25T09:00' });
    expect(text).toContain('Công đoàn Trường Cao đẳng Nghề Công nghiệp Thanh Hóa');
    expect(text).toContain('Hết hạn: 00:00 01/11/2022');
    const url = /http\S+\/u\/\S+/.exec(text)?.[0] ?? '';
    expect(url.startsWith(`${inject('stack').apiUrl}/u/`)).toBe(true);
    expect((await fetch(url)).status).toBe(200);
    expect(await runCli(['revoke-link', 'thanh-hoa-cum-5', deputy], env)).toContain('đã bị thu hồi');
    expect((await fetch(url)).status).toBe(410);
    const fresh = JSON.parse(await runCli(['link', 'thanh-hoa-cum-5', deputy, '--plan', '2021-2022', '--json'], env));
    expect((await fetch(fresh.url)).status).toBe(200);
  });

  it('extend: dates as dd/mm/yyyy, refusing impossible ones', async () => {
    const text = await runCli(['extend', 'thanh-hoa-cum-5', 'cd-nghe-cong-nghiep-thanh-hoa', 'bao-cao-so-ket-6-thang', '15/12/2021', '--plan', '2021-2022'], env);
    expect(text).toBe('Đã gia hạn cho cd-nghe-cong-nghiep-thanh-hoa, mốc bao-cao-so-ket-6-thang: nhận đến hết ngày 15/12/2021.');
    await expect(runCli(['extend', 'thanh-hoa-cum-5', 'cd-nghe-cong-nghiep-thanh-hoa', 'bao-cao-so-ket-6-thang', '31/02/2022'], env)).rejects.toThrow(/dd\/mm\/yyyy/);
    await expect(runCli(['extend', 'thanh-hoa-cum-5', 'cd-nghe-cong-nghiep-thanh-hoa', 'hoi-nghi-so-ket-hk1', '15/12/2021', '--plan', '2021-2022'], env)).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  });

  it('submissions and download', async () => {
    const list = JSON.parse(await runCli(['submissions', 'thanh-hoa-cum-5', '--plan', '2021-2022', '--json'], env));
    expect(Array.isArray(list)).toBe(true);
    await expect(
      runCli(['download', 'thanh-hoa-cum-5', 'don-vi-mau-a', '00000000-0000-4000-8000-000000000000', '--plan', '2021-2022'], env),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('admin-link: a one-time sign-in link for an admin address that opens a session once', async () => {
    const stack = inject('stack');
    const summary = JSON.parse(await runCli(['admin-link', 'thanh-hoa-cum-5', 'CUM-PHO.cd-nghe-cn@example.com', '--json'], env));
    expect(summary).toMatchObject({ email: 'cum-pho.cd-nghe-cn@example.com', clusterId: 'thanh-hoa-cum-5', access: 'write' });
    expect(summary.url).toMatch(new RegExp(`^${stack.apiUrl}/admin/dang-nhap#t=[A-Za-z0-9_-]{43}$`));
    const token = new URL(summary.url).hash.slice('#t='.length);
    const open = () => fetch(`${stack.apiUrl}/api/auth/sessions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token }) });
    expect((await open()).status).toBe(200);
    expect((await open()).status).toBe(410);

    const viewer = await runCli(['admin-link', 'thanh-hoa-cum-5', 'van-phong.cdvc-thanh-hoa@example.com'], env);
    expect(viewer).toContain('(chỉ xem)');
    await expect(runCli(['admin-link', 'thanh-hoa-cum-5', 'don-vi-mau-a@example.com'], env)).rejects.toThrow(/not an admin of cluster "thanh-hoa-cum-5"/);
    await expect(runCli(['admin-link', 'thanh-hoa-cum-5', 'not-an-email'], env)).rejects.toThrow(/not an email address/);
  });

  it('explains what is wrong instead of failing obscurely', async () => {
    await expect(runCli(['frobnicate'], env)).rejects.toThrow(UsageError);
    await expect(runCli(['units'], env)).rejects.toThrow(/Missing <clusterId>/);
    await expect(runCli(['clusters'], { CTD_STACK_FILE: '/nonexistent/stack.json' })).rejects.toThrow(/npm start/);
    await expect(runCli(['units', 'khong-co'], env)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(await runCli([], env)).toContain('Usage: npm run cli');
  });
});

describe('npm run cli -- scores export', () => {
  const clusterId = `cli-${randomUUID().slice(0, 8)}`;
  const clusterName = 'Cụm thử xuất bảng điểm';
  const dir = mkdtempSync(join(tmpdir(), 'ctd-cli-scores-'));
  const fileName = `Bảng tổng hợp chấm điểm thi đua ${clusterName} năm học 2021-2022`;

  beforeAll(async () => {
    const { repos, clock, close } = stackRepos(inject('stack'));
    try {
      await repos.clusters.createIfAbsent({ clusterId, name: clusterName, province: { id: `tinh-${clusterId}`, name: 'Tỉnh thử' } });
      for (const [unitId, name, role] of [['truong', 'Công đoàn Trường Một', 'cum-truong'], ['hai', 'Công đoàn Trường Hai', 'thanh-vien']] as const) {
        await repos.units.createIfAbsent(UnitSchema.parse({ clusterId, unitId, name, role, emails: [`${unitId}.${clusterId}@example.com`] }));
      }
      const plan = (planId: string, startYear: number) => PlanSchema.parse({ clusterId, planId, schoolYear: { startYear, endYear: startYear + 1 }, title: `Kế hoạch năm học ${planId}` });
      const registration = (planId: string) =>
        MilestoneSchema.parse({ clusterId, planId, milestoneId: 'dang-ky', order: 0, kind: 'registration', title: 'Đăng ký thi đua', due: { type: 'date', date: `${planId.slice(0, 4)}-10-15`, rule: 'by' } });
      await repos.plans.createPlanIfAbsent(plan('2021-2022', 2021), [registration('2021-2022')]);
      // A plan without a scheme: nothing to export yet.
      await repos.plans.createPlanIfAbsent(plan('2022-2023', 2022), [registration('2022-2023')]);
      const stored = { scheme: defaultScoringScheme('dang-ky'), savedAt: clock.now().toISOString(), savedBy: 'test' };
      await repos.scoring.saveScheme({ clusterId, planId: '2021-2022', stored, replace: false, stateVersion: 0 });
    } finally {
      close();
    }
  });

  it('.xlsx: writes the workbook and says where, with its size; the workbook lists the units', async () => {
    const out = join(dir, 'nested', 'bang-diem.xlsx');
    const text = await runCli(['scores', 'export', clusterId, '2021-2022', '--out', out], env);
    const size = statSync(out).size;
    expect(text).toBe(`Đã ghi ${fileName}.xlsx (${formatBytesVi(size)}) vào ${out}`);
    expect(text).toMatch(/\(\d+ KB\)/);
    expect(size).toBeGreaterThan(4000);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(readFileSync(out) as unknown as ArrayBuffer);
    const cells: unknown[] = [];
    workbook.worksheets[0]!.eachRow((row) => cells.push(...(row.values as unknown[])));
    expect(cells).toEqual(expect.arrayContaining(['Công đoàn Trường Một', 'Công đoàn Trường Hai']));
  });

  it('.csv with --json: the path, size and format; the file starts with a BOM', async () => {
    const out = join(dir, 'bang-diem.CSV');
    const summary = JSON.parse(await runCli(['scores', 'export', clusterId, '2021-2022', '--out', out, '--json'], env));
    const bytes = readFileSync(out);
    expect(summary).toEqual({ path: out, bytes: bytes.length, format: 'csv', contentType: 'text/csv; charset=utf-8', fileName: `${fileName}.csv` });
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(bytes.toString('utf8')).toContain('Công đoàn Trường Hai');
  });

  it('the reference cluster’s seeded plan exports too', async () => {
    const out = join(dir, 'cum-5.csv');
    await runCli(['scores', 'export', 'thanh-hoa-cum-5', '2021-2022', '--out', out], env);
    expect(readFileSync(out, 'utf8')).toContain('Công đoàn Trường Cao đẳng Nghề Công nghiệp Thanh Hóa');
  });

  it('refuses another extension or no --out (usage), an unknown plan or a plan without a scheme (the domain’s message); writes nothing', async () => {
    const pdf = join(dir, 'bang-diem.pdf');
    await expect(runCli(['scores', 'export', clusterId, '2021-2022', '--out', pdf], env)).rejects.toThrow(
      new UsageError(`--out must end in .xlsx or .csv (the format follows the extension): "${pdf}".`),
    );
    await expect(runCli(['scores', 'export', clusterId, '2021-2022'], env)).rejects.toThrow(/^Missing --out <file.xlsx\|file.csv>/);
    await expect(runCli(['scores', 'export', clusterId], env)).rejects.toThrow(/Missing <planId>/);
    await expect(runCli(['scores', 'import', clusterId, '2021-2022'], env)).rejects.toThrow('Unknown scores verb "import" (export).');
    const missing = join(dir, 'khong-co.xlsx');
    await expect(runCli(['scores', 'export', clusterId, '2030-2031', '--out', missing], env)).rejects.toMatchObject({
      code: 'NOT_FOUND',
      messageVi: `Không tìm thấy kế hoạch năm học 2030-2031 của cụm "${clusterId}".`,
    });
    await expect(runCli(['scores', 'export', clusterId, '2022-2023', '--out', missing], env)).rejects.toMatchObject({
      code: 'CONFLICT',
      messageVi: 'Kế hoạch này chưa có thang điểm nên chưa có bảng tổng hợp để tải.',
    });
    expect([pdf, missing].map(existsSync)).toEqual([false, false]);
  });

  it('as a command: exit code 1 and the message on stderr', async () => {
    const cli = (...args: string[]) =>
      promisify(execFile)(process.execPath, ['node_modules/tsx/dist/cli.mjs', 'local/cli.ts', ...args], { env: { ...process.env, ...env } });
    const [wrongExtension, unknownPlan] = await Promise.allSettled([
      cli('scores', 'export', clusterId, '2021-2022', '--out', join(dir, 'x.ods')),
      cli('scores', 'export', clusterId, '2030-2031', '--out', join(dir, 'y.xlsx')),
    ]);
    expect(wrongExtension).toMatchObject({ status: 'rejected', reason: { code: 1, stderr: `--out must end in .xlsx or .csv (the format follows the extension): "${join(dir, 'x.ods')}".\n` } });
    expect(unknownPlan).toMatchObject({ status: 'rejected', reason: { code: 1, stderr: `Không tìm thấy kế hoạch năm học 2030-2031 của cụm "${clusterId}".\n` } });
  });
});

describe('npm run cli -- bootstrap-clusters', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ctd-cli-bootstrap-'));
  const id = randomUUID().slice(0, 8);
  const cluster = (clusterId: string, adminEmails: string[]) => ({
    clusterId,
    name: `Cụm thử khởi tạo ${clusterId}`,
    province: { id: `tinh-${id}`, name: 'Công đoàn Viên chức tỉnh thử' },
    headUnit: { unitId: 'truong-khoi-tao', name: 'Công đoàn Trường Khởi tạo' },
    adminEmails,
  });
  const stage = (clusters: unknown[], extra: Record<string, unknown> = {}) => ({
    '//': 'a comment, ignored',
    region: 'ap-southeast-1',
    appOrigin: 'https://thi-dua.example.org',
    mailFrom: 'Cụm Thi đua <no-reply@example.org>',
    sesMaxSendRate: 1,
    maxUploadBytes: 26214400,
    clusters,
    ...extra,
  });
  /** A cdk.json-shaped file holding `stages`. */
  const configFile = (name: string, stages: Record<string, unknown>) => {
    const file = join(dir, `${name}.json`);
    writeFileSync(file, JSON.stringify({ app: 'unused', context: { stages } }));
    return file;
  };
  const first = `boot-${id}-a`;
  const second = `boot-${id}-b`;
  const admin = `cum-truong.${id}@example.org`;
  const file = configFile('cdk', {
    dev: stage([cluster(first, [admin, `Cum-Pho.${id}@Example.org`])], { retainData: false }),
    prod: stage([cluster(second, [admin])]),
  });

  it('creates the stage’s clusters and head units with their admins (dev by default), then finds them on a second run', async () => {
    const text = await runCli(['bootstrap-clusters', '--config', file], env);
    expect(text.split('\n')[0]).toBe('Cấu hình dev: 1 cụm.');
    expect(text).toMatch(new RegExp(`${first}\\s+vừa tạo\\s+vừa tạo\\s+${admin.replace(/\./g, '\\.')}, cum-pho\\.${id}@example\\.org\\s+2021-2022 \\(tạo từ mẫu\\)`));

    const units = JSON.parse(await runCli(['units', first, '--json'], env));
    expect(units).toEqual([expect.objectContaining({ unitId: 'truong-khoi-tao', role: 'cum-truong', emails: [admin, `cum-pho.${id}@example.org`], active: true })]);
    const link = JSON.parse(await runCli(['admin-link', first, `cum-pho.${id}@example.org`, '--json'], env));
    expect(link).toMatchObject({ clusterId: first, access: 'write' });
    // The prod cluster is not touched by the dev run.
    await expect(runCli(['units', second], env)).rejects.toMatchObject({ code: 'NOT_FOUND' });

    const again = JSON.parse(await runCli(['bootstrap-clusters', '--config', file, '--json'], env));
    expect(again).toEqual({
      stage: 'dev',
      clusters: [
        { clusterId: first, cluster: 'exists', headUnit: 'exists', admins: [admin, `cum-pho.${id}@example.org`], notApplied: [], plan: { planId: '2021-2022', outcome: 'exists' } },
      ],
    });
    // The first plan: the reference plan's recurring milestones under this cluster, as sample data, with the sample scheme.
    const plan = JSON.parse(await runCli(['milestones', first, '--json'], env));
    expect(plan.plan).toMatchObject({ clusterId: first, planId: '2021-2022', isSample: true, title: `Kế hoạch hoạt động Cụm thử khởi tạo ${first} năm học 2021 - 2022` });
    expect(plan.plan.signedBy).toBeUndefined();
    expect(plan.milestones.map((m: { kind: string }) => m.kind)).toContain('self-score');
    expect(plan.milestones.every((m: { clusterId: string; place?: string }) => m.clusterId === first && m.place === undefined)).toBe(true);
    const { repos, close } = stackRepos(inject('stack'));
    try {
      expect((await repos.scoring.getPlanScoring(first, '2021-2022')).schemes.map((x) => [x.scheme.version, x.scheme.isSample, x.savedBy])).toEqual([[1, true, 'bootstrap-clusters']]);
      const audit = await repos.audit.list(first, {}, { limit: 10 });
      expect(audit.entries.map((e) => e.action).sort()).toEqual(['cluster.bootstrap', 'plan.bootstrap']);
      expect(audit.entries.find((e) => e.action === 'plan.bootstrap')!.summary).toMatch(/^Tạo kế hoạch năm học 2021-2022 từ kế hoạch mẫu \(\d+ mốc\) và thang điểm mẫu/);
      const entry = audit.entries.find((e) => e.action === 'cluster.bootstrap')!;
      expect([entry.actor, entry.target]).toEqual([{ type: 'system', id: 'bootstrap-clusters' }, 'unit:truong-khoi-tao']);
      expect(entry.summary).toBe(
        `Khởi tạo cụm "Cụm thử khởi tạo ${first}" và đơn vị Cụm trưởng "Công đoàn Trường Khởi tạo" từ cấu hình triển khai; quản trị: ${admin}, cum-pho.${id}@example.org.`,
      );
    } finally {
      close();
    }
  });

  it('--stage prod: that stage’s clusters; an existing head unit is never overwritten, its grants are repaired', async () => {
    expect(JSON.parse(await runCli(['bootstrap-clusters', '--stage', 'prod', '--config', file, '--json'], env)).clusters).toEqual([
      { clusterId: second, cluster: 'created', headUnit: 'created', admins: [admin], notApplied: [], plan: { planId: '2021-2022', outcome: 'created' } },
    ]);
    // Someone removes the unit's grants; the configuration later names another address.
    const { repos, close } = stackRepos(inject('stack'));
    try {
      await repos.auth.syncUnitGrants(second, 'truong-khoi-tao', []);
    } finally {
      close();
    }
    await expect(runCli(['admin-link', second, admin], env)).rejects.toThrow(/not an admin of cluster/);
    const changed = configFile('changed', { prod: stage([cluster(second, [`moi.${id}@example.org`])]) });
    const text = await runCli(['bootstrap-clusters', '--stage', 'prod', '--config', changed], env);
    expect(text).toMatch(new RegExp(`${second}\\s+đã có\\s+đã có\\s+${admin.replace(/\./g, '\\.')}`));
    expect(text).toContain(`Lưu ý: đơn vị Cụm trưởng của ${second} đã có từ trước và được giữ nguyên; chưa thêm moi.${id}@example.org`);
    expect(JSON.parse(await runCli(['admin-link', second, admin, '--json'], env))).toMatchObject({ access: 'write' });
    expect(JSON.parse(await runCli(['units', second, '--json'], env))[0].emails).toEqual([admin]);
  });

  it('leaves the seeded reference cluster as it is when run on the project’s cdk.json (dev placeholders)', async () => {
    const [outcome] = JSON.parse(await runCli(['bootstrap-clusters', '--json'], env)).clusters;
    expect(outcome).toEqual({
      clusterId: 'thanh-hoa-cum-5',
      cluster: 'exists',
      headUnit: 'exists',
      admins: ['congdoan.dvtdt@gmail.com'],
      notApplied: ['cum-truong@dev.example.org'],
      // The reference cluster has its plans: no template plan is added.
      plan: { planId: '2021-2022', outcome: 'exists' },
    });
  });

  it('refuses an unknown stage or a wrong configuration with the key path, before touching the target', async () => {
    const unreachable = { CTD_STACK_FILE: '/nonexistent/stack.json' };
    await expect(runCli(['bootstrap-clusters', '--stage', 'nope', '--config', file], unreachable)).rejects.toThrow(
      new UsageError(`${file}: Unknown stage "nope": the context key stages defines "dev", "prod"; choose one with --context stage=<name>`),
    );
    const bad = configFile('bad', { dev: stage([cluster(first, ['not-an-address']), cluster(first, [admin])]) });
    await expect(runCli(['bootstrap-clusters', '--config', bad], unreachable)).rejects.toThrow(
      new UsageError(
        `${bad}: stages.dev.clusters[0].adminEmails[0]: expected an email address, got "not-an-address"\n` +
          `stages.dev.clusters[1].clusterId: duplicate cluster id "${first}" (also clusters[0])`,
      ),
    );
    const none = join(dir, 'none.json');
    writeFileSync(none, JSON.stringify({ context: {} }));
    await expect(runCli(['bootstrap-clusters', '--config', none], unreachable)).rejects.toThrow(`${none} has no "stages" in its context: nothing to bootstrap.`);
    await expect(runCli(['bootstrap-clusters', '--config', join(dir, 'missing.json')], unreachable)).rejects.toThrow(/^No such file: /);
  });
});
