import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { runCli, UsageError } from '../../local/cli';

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
