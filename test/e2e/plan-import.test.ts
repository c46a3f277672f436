/**
 * Nhập kế hoạch từ văn bản on the admin page in a real browser (Debian's Chromium through playwright-core) against
 * the harness's stack, on a cluster of this file's own that has no plan yet: from Kế hoạch to the import view, the
 * seed plan pasted, its 9 proposed milestones reviewed (dates dd/mm/yyyy, confidence badges, low ones with their
 * reasons, source sentences), nothing saved before confirming; one title edited, one due set to a day, one row
 * dropped; confirmed, the page opens the new plan with its 8 milestones. Screenshots:
 * test-output/screenshots/plan-import-*.png.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Browser, BrowserContextOptions, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { UnitSchema } from '../../shared/domain/model';
import { adminEmailsOf } from '../../shared/use-cases/units';
import { signInUrlFor, stackRepos } from '../support/admin';
import { launchBrowser, newTestContext, saveScreenshot, type TestContext } from '../support/browser';

const stack = inject('stack');
const { repos, close: closeRepos } = stackRepos(stack);

const CLUSTER = `nhap-web-${randomUUID().slice(0, 8)}`;
const HEAD = `truong.${CLUSTER}@example.com`;
const PLAN = '2021-2022';
const SEED = readFileSync('test/fixtures/plan-import/ke-hoach-cum-thi-dua-so-5-2021-2022.md', 'utf8');
const DESKTOP: BrowserContextOptions = { viewport: { width: 1366, height: 900 }, locale: 'vi-VN', timezoneId: 'Asia/Ho_Chi_Minh' };

const byTestId = (scope: Page | Locator, id: string) => scope.locator(`[data-testid="${id}"]`);
const row = (page: Page, milestoneId: string) => byTestId(page, `import-row-${milestoneId}`);

let browser: Browser;
let t: TestContext;

beforeAll(async () => {
  browser = await launchBrowser();
  await repos.clusters.createIfAbsent({ clusterId: CLUSTER, name: 'Cụm thử nhập kế hoạch', province: { id: `tinh-${CLUSTER}`, name: 'Tỉnh thử' } });
  for (const unit of [
    UnitSchema.parse({ clusterId: CLUSTER, unitId: 'truong', name: 'Công đoàn Trường Chủ Trì', role: 'cum-truong', emails: [HEAD] }),
    UnitSchema.parse({ clusterId: CLUSTER, unitId: 'don-vi-a', name: 'Công đoàn Trường A', role: 'thanh-vien', emails: [`a.${CLUSTER}@example.com`] }),
  ]) {
    await repos.units.createIfAbsent(unit);
    await repos.auth.syncUnitGrants(CLUSTER, unit.unitId, adminEmailsOf(unit));
  }
});

afterAll(async () => {
  await t?.close().catch(() => undefined);
  await browser?.close();
  closeRepos();
});

describe('Nhập kế hoạch từ văn bản', { timeout: 60_000 }, () => {
  it('paste the seed, review 9 proposed milestones, edit one, set a day, drop one, confirm: the new plan has 8', async () => {
    t = await newTestContext(browser, DESKTOP);
    const { page } = t;
    const url = await signInUrlFor(stack, HEAD);
    await page.goto(url!);
    await page.getByRole('button', { name: 'Đăng nhập', exact: true }).click();
    await page.locator('main#view:not([aria-busy])').waitFor();

    // Kế hoạch: no plan yet, and the way to import one.
    await page.getByRole('navigation', { name: 'Các mục quản trị' }).getByRole('link', { name: 'Kế hoạch', exact: true }).click();
    await page.locator('main .msg--info', { hasText: 'Cụm chưa có kế hoạch năm học nào.' }).waitFor();
    await byTestId(page, 'import-plan').click();
    await page.locator('main#view:not([aria-busy])', { has: page.locator('h2', { hasText: 'Nhập kế hoạch từ văn bản' }) }).waitFor();
    expect(await page.locator('.tabs__tab[aria-current="page"]').textContent()).toBe('Kế hoạch');
    expect(await page.locator('.tabs__tab').allTextContents()).toEqual(['Bảng theo dõi', 'Kế hoạch', 'Chấm điểm', 'Đơn vị', 'Nhắc việc', 'Nhật ký', 'Khóa API']);

    // (a) Paste, read.
    await page.getByLabel('Dán nội dung kế hoạch').fill(SEED);
    await page.getByRole('button', { name: 'Đọc kế hoạch' }).click();
    const rows = page.locator('tr.import-row');
    await rows.first().waitFor();

    // (b) The review: 9 rows, dues dd/mm/yyyy, confidence, low ones highlighted with their reasons, source sentences.
    expect(await rows.count()).toBe(9);
    expect(await page.locator('h3', { hasText: 'mốc đề xuất' }).textContent()).toBe('9 mốc đề xuất · Kế hoạch hoạt động của Cụm Thi đua số 5 năm học 2021 - 2022');
    expect(await byTestId(page, 'due-label').allTextContents()).toEqual([
      'Chưa có hạn',
      'Tháng 08/2021',
      'Tháng 12/2021',
      'Chưa có hạn',
      'Tháng 06/2022',
      'Trước ngày 10/12/2021',
      'Trước ngày 31/05/2022',
      'Trước ngày 31/05/2022',
      'Chưa có hạn',
    ]);
    expect(await byTestId(page, 'confidence').allTextContents()).toEqual([
      'Độ tin cậy 70%',
      'Độ tin cậy 100%',
      'Độ tin cậy 100%',
      'Độ tin cậy 40%',
      'Độ tin cậy 100%',
      'Độ tin cậy 85%',
      'Độ tin cậy 85%',
      'Độ tin cậy 85%',
      'Độ tin cậy 40%',
    ]);
    expect(await page.locator('tr.import-row--low').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-testid')))).toEqual([
      'import-row-to-chuc-giai-the-thao-chao',
      'import-row-ho-so-de-nghi-khen-thuong',
    ]);
    expect(await row(page, 'ho-so-de-nghi-khen-thuong').locator('.import-reasons li').allTextContents()).toEqual([
      'kế hoạch không ghi thời gian',
      'người gửi không ghi: các đơn vị được đề nghị khen thưởng',
      'nơi nhận không ghi: theo các tài liệu khác cùng mục',
    ]);
    expect(await byTestId(row(page, 'bao-cao-so-ket-06-thang'), 'confidence').getAttribute('title')).toBe(
      'đọc được thời hạn; có ghi nơi nhận; người gửi không ghi: mặc định mọi đơn vị',
    );
    expect(await row(page, 'bao-cao-so-ket-06-thang').locator('.import-source').textContent()).toBe(
      'Câu gốc: Báo cáo Sơ kết 06 tháng đầu năm gửi về đơn vị Cụm trưởng trước ngày 10/12/2021.',
    );
    expect(await row(page, 'bao-cao-so-ket-06-thang').getByLabel('Tài liệu phải nộp').inputValue()).toBe('Báo cáo Sơ kết 06 tháng đầu năm');
    expect(await row(page, 'hoi-nghi-so-ket-hoat-dong').getByLabel('Cụm phó').isChecked()).toBe(true);
    expect(await row(page, 'hoi-nghi-so-ket-hoat-dong').getByLabel('Địa điểm').inputValue()).toBe('Trường Cao đẳng Nghề Công nghiệp (đơn vị Cụm phó)');
    expect(await page.getByLabel('Năm học của kế hoạch').inputValue()).toBe(PLAN);
    await page.locator('main .msg--warn', { hasText: 'Rời trang hoặc chuyển mục sẽ mất phần rà soát.' }).waitFor();
    // Nothing is saved before the confirmation.
    expect(await repos.plans.listPlans(CLUSTER)).toEqual([]);
    await saveScreenshot(page, 'plan-import-1-review');

    // Edit a title, give the conference a day, drop the sports event.
    await row(page, 'phat-dong-phong-trao-thi-dua').getByLabel('Tiêu đề').fill('Phát động thi đua năm học 2021 - 2022');
    await row(page, 'hoi-nghi-so-ket-hoat-dong').getByLabel('Ngày', { exact: true }).fill('2021-12-24');
    expect(await byTestId(row(page, 'hoi-nghi-so-ket-hoat-dong'), 'due-label').textContent()).toBe('Trước ngày 24/12/2021');
    await row(page, 'to-chuc-giai-the-thao-chao').getByLabel('Bỏ', { exact: true }).check();
    expect(await row(page, 'to-chuc-giai-the-thao-chao').getAttribute('class')).toContain('import-row--dropped');
    await saveScreenshot(page, 'plan-import-2-edited');

    // (c) Confirm: the page opens the new plan.
    await page.getByRole('button', { name: 'Xác nhận và lưu kế hoạch' }).click();
    await expect.poll(() => page.locator('#pick-plan').inputValue().catch(() => '')).toBe(PLAN);
    await page.locator('main#view:not([aria-busy])', { has: page.locator('h2', { hasText: 'Kế hoạch' }) }).waitFor();
    expect(page.url()).toMatch(/#\/ke-hoach$/);
    const cards = byTestId(page, 'milestones').locator('article.card');
    expect(await cards.count()).toBe(8);
    const titles = await cards.locator('.card__title').allTextContents();
    expect(titles[0]).toBe('Phát động thi đua năm học 2021 - 2022');
    expect(titles.some((x) => x.startsWith('Tổ chức giải thể thao'))).toBe(false);
    expect(await byTestId(page, 'milestone-hoi-nghi-so-ket-hoat-dong').locator('dd').first().textContent()).toContain('24/12/2021');
    await saveScreenshot(page, 'plan-import-3-plan');

    const saved = await repos.plans.listMilestones(CLUSTER, PLAN);
    expect(saved).toHaveLength(8);
    const entries = (await repos.audit.list(CLUSTER, {}, { limit: 50 })).entries.filter((e) => e.action !== 'sign-in');
    expect(entries.map((e) => [e.action, e.actor])).toEqual([['plan.import', { type: 'admin', id: HEAD }]]);

    expect(t.problems.pageErrors).toEqual([]);
    expect(t.problems.cspViolations).toEqual([]);
    expect(t.problems.consoleErrors).toEqual([]);
  });
});
