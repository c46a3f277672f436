/**
 * `npm run cli -- plan import`: the JSON it prints for the seed plan, --dry-run saving nothing, --cluster saving the
 * plan, its milestones, their reminder schedules and an audit entry (once: a second import is refused), and a file
 * of the wrong type refused in Vietnamese with a non-zero exit. On a cluster of this file's own.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runCli } from '../../local/cli';
import { ClusterSchema } from '../../shared/domain/model';
import type { Repositories } from '../../shared/ports/repositories';
import { stackRepos } from '../support/admin';

const stack = inject('stack');
const tag = randomBytes(4).toString('hex');
const CLUSTER = `t-import-${tag}`;
const SEED = resolve('test/fixtures/plan-import/ke-hoach-cum-thi-dua-so-5-2021-2022.md');
const dir = mkdtempSync(join(tmpdir(), 'ctd-plan-import-'));
const stackFile = join(dir, 'stack.json');
writeFileSync(stackFile, JSON.stringify(stack));
const env = { CTD_STACK_FILE: stackFile };

let repos: Repositories;
let close: () => void;

beforeAll(async () => {
  ({ repos, close } = stackRepos(stack));
  await repos.clusters.createIfAbsent(ClusterSchema.parse({ clusterId: CLUSTER, name: `Cụm thử nhập kế hoạch ${tag}`, province: { id: `tinh-${tag}`, name: 'Tỉnh thử' } }));
});
afterAll(() => close());

describe('npm run cli -- plan import', () => {
  it('--json: an array of milestones with title, kind, due date or month, place, responsible, documents, source, confidence', async () => {
    // Reading a plan needs no stack: a missing stack file does not matter without --cluster.
    const json = JSON.parse(await runCli(['plan', 'import', SEED, '--json'], { CTD_STACK_FILE: join(dir, 'none.json') }));
    expect(json).toHaveLength(9);
    for (const m of json) {
      expect(Object.keys(m)).toEqual(expect.arrayContaining(['title', 'kind', 'responsible', 'documents', 'source', 'confidence']));
      expect(m.dueDate === undefined || /^\d{4}-\d{2}-\d{2}$/.test(m.dueDate)).toBe(true);
      expect(m.dueMonth === undefined || /^\d{4}-\d{2}$/.test(m.dueMonth)).toBe(true);
      expect(m.dueDate !== undefined && m.dueMonth !== undefined).toBe(false);
    }
    expect(json.map((m: any) => [m.kind, m.dueDate ?? m.dueMonth ?? null])).toEqual([
      ['registration', null],
      ['covenant', '2021-08'],
      ['conference', '2021-12'],
      ['event', null],
      ['conference', '2022-06'],
      ['report', '2021-12-10'],
      ['report', '2022-05-31'],
      ['self-score', '2022-05-31'],
      ['award-dossier', null],
    ]);
    expect(json[2]).toMatchObject({
      title: 'Hội nghị Sơ kết hoạt động học kỳ I, năm học 2021 – 2022',
      dueMonth: '2021-12',
      dueText: 'dự kiến tháng 12/2021',
      place: 'Trường Cao đẳng Nghề Công nghiệp (đơn vị Cụm phó)',
      responsible: [{ who: 'cum-truong' }, { who: 'cum-pho', task: 'Triển khai giấy mời, chuẩn bị các điều kiện cho hội nghị' }],
      documents: [],
      source: 'Hội nghị Sơ kết hoạt động học kỳ I, năm học 2021 – 2022',
      confidence: 1,
    });
    expect(json[5]).toMatchObject({
      title: 'Báo cáo Sơ kết 06 tháng đầu năm',
      dueDate: '2021-12-10',
      dueRule: 'before',
      documents: [{ from: 'all', to: ['cum-truong'] }],
      source: 'Báo cáo Sơ kết 06 tháng đầu năm gửi về đơn vị Cụm trưởng trước ngày 10/12/2021.',
    });
  });

  it('the table: Vietnamese, dates dd/mm/yyyy, and says nothing was saved', async () => {
    const text = await runCli(['plan', 'import', SEED], env);
    expect(text.split('\n')[0]).toBe('Kế hoạch hoạt động của Cụm Thi đua số 5 năm học 2021 - 2022 (năm học 2021 - 2022, ban hành 23/08/2021)');
    expect(text).toMatch(/6\s+Báo cáo\s+trước ngày 10\/12\/2021\s+Báo cáo Sơ kết 06 tháng đầu năm\s+Mọi đơn vị\s+Đơn vị Cụm trưởng\s+85%/);
    expect(text).toMatch(/3\s+Hội nghị\s+tháng 12\/2021\s+Hội nghị Sơ kết/);
    expect(text.trimEnd().split('\n').at(-1)).toBe('Chưa lưu gì (xem trước). Để lưu vào một cụm: npm run cli -- plan import <tệp> --cluster <mã cụm>.');
  });

  it('--dry-run with --cluster saves nothing', async () => {
    const text = await runCli(['plan', 'import', SEED, '--cluster', CLUSTER, '--dry-run'], env);
    expect(text).toContain('Chưa lưu gì (xem trước)');
    expect(await repos.plans.listPlans(CLUSTER)).toEqual([]);
    expect((await repos.audit.list(CLUSTER, {}, { limit: 10 })).entries).toEqual([]);
  });

  it('--cluster saves the plan, its milestones, their schedules and an audit entry; a second import is refused', async () => {
    const text = await runCli(['plan', 'import', SEED, '--cluster', CLUSTER], env);
    expect(text).toMatch(/Đã lưu vào cụm t-import-\w+\. Nhập kế hoạch năm học 2021-2022 từ văn bản: 9 mốc \(3 có ngày, 3 chỉ có tháng, 3 chưa có thời gian\); lịch nhắc: tạo \d+\./);

    const plan = await repos.plans.getPlan(CLUSTER, '2021-2022');
    expect(plan).toMatchObject({ title: 'Kế hoạch hoạt động của Cụm Thi đua số 5 năm học 2021 - 2022', issuedPlace: 'Thanh Hóa', issuedOn: '2021-08-23', schoolYear: { startYear: 2021, endYear: 2022 } });
    const milestones = await repos.plans.listMilestones(CLUSTER, '2021-2022');
    expect(milestones.map((m) => [m.order, m.kind, m.due]).sort((a, b) => Number(a[0]) - Number(b[0]))).toEqual([
      [1, 'registration', { type: 'none' }],
      [2, 'covenant', { type: 'month', month: '2021-08' }],
      [3, 'conference', { type: 'month', month: '2021-12' }],
      [4, 'event', { type: 'none' }],
      [5, 'conference', { type: 'month', month: '2022-06' }],
      [6, 'report', { type: 'date', date: '2021-12-10', rule: 'before' }],
      [7, 'report', { type: 'date', date: '2022-05-31', rule: 'before' }],
      [8, 'self-score', { type: 'date', date: '2022-05-31', rule: 'before' }],
      [9, 'award-dossier', { type: 'none' }],
    ]);
    expect(milestones.find((m) => m.kind === 'registration')?.document).toEqual({
      title: 'Đăng ký thi đua năm học 2021 – 2022',
      from: { type: 'all' },
      recipients: ['cum-truong', 'cdvc-tinh'],
    });

    // The schedules the plan needs exist: nothing missing, nothing extra.
    const schedules = JSON.parse(await runCli(['reminders', 'list', CLUSTER, '--plan', '2021-2022', '--json'], env));
    expect(schedules.planned.length).toBeGreaterThan(0);
    expect(schedules.missing).toEqual([]);

    const audit = (await repos.audit.list(CLUSTER, {}, { limit: 10 })).entries;
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ action: 'plan.import', target: 'plan:2021-2022', actor: { type: 'system', id: 'cli plan import' } });
    expect(audit[0]!.summary).toMatch(/^Nhập kế hoạch năm học 2021-2022 từ văn bản: 9 mốc/);

    await expect(runCli(['plan', 'import', SEED, '--cluster', CLUSTER], env)).rejects.toMatchObject({
      code: 'CONFLICT',
      messageVi: 'Cụm đã có kế hoạch năm học 2021-2022; nhập kế hoạch không ghi đè kế hoạch đã có. Hãy sửa trực tiếp kế hoạch đó trên trang quản trị.',
    });
    expect(await repos.plans.listMilestones(CLUSTER, '2021-2022')).toHaveLength(9);
  });

  it('refuses an unknown cluster', async () => {
    await expect(runCli(['plan', 'import', SEED, '--cluster', `khong-co-${tag}`], env)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('a file of the wrong type: a Vietnamese message and exit code 1', async () => {
    const pdf = join(dir, 'ke-hoach.pdf');
    writeFileSync(pdf, '%PDF-1.4\n');
    const cli = (...args: string[]) => promisify(execFile)(process.execPath, ['node_modules/tsx/dist/cli.mjs', 'local/cli.ts', ...args], { env: { ...process.env, ...env } });
    const [wrongType, missing] = await Promise.allSettled([cli('plan', 'import', pdf), cli('plan', 'import', join(dir, 'khong-co.md'))]);
    expect(wrongType).toMatchObject({
      status: 'rejected',
      reason: {
        code: 1,
        stderr:
          'Không đọc được tệp "ke-hoach.pdf": chỉ nhận kế hoạch dạng .docx, .md hoặc .txt. Với tệp PDF: hãy mở tệp, chép toàn bộ nội dung và dán vào ô văn bản, hoặc dùng bản Word (.docx) của kế hoạch.\n',
      },
    });
    expect(missing).toMatchObject({ status: 'rejected', reason: { code: 1, stderr: `No such file: ${join(dir, 'khong-co.md')}\n` } });
  });
});
