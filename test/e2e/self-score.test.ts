/**
 * The self-score form in a real browser (Debian's Chromium through playwright-core) against the harness's stack, on
 * a cluster of this file's own: from the unit's member page to the form, every criterion filled in (one with a
 * decimal comma), a draft saved and read back after the reload, the submission confirmed, the submitted state and
 * total, the printable copy; and the form on a phone. No console error, no CSP violation.
 */
import { randomUUID } from 'node:crypto';
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { fileLinkKeys } from '../../shared/adapters/secrets/link-keys';
import { MilestoneSchema, PlanSchema, UnitSchema } from '../../shared/domain/model';
import { defaultScoringScheme } from '../../shared/reference/scoring-template';
import { issueLink } from '../../shared/use-cases/links';
import { openSelfScoring, saveScheme } from '../../shared/use-cases/scoring';
import { stackRepos } from '../support/admin';
import { launchBrowser, MOBILE, newTestContext, saveScreenshot, type TestContext } from '../support/browser';
import { submissionRecord } from '../support/records';

const stack = inject('stack');
const CLUSTER = `x-${randomUUID().slice(0, 8)}`;
const PLAN = '2021-2022';
const UNIT = 'don-vi-e';
const UNIT_NAME = 'Công đoàn Trường Thử nghiệm E';
const SELF_SCORE = 'tu-cham-diem';
const scheme = defaultScoringScheme('dang-ky');
const criteria = scheme.groups.flatMap((g) => g.criteria);
const evidenceId = randomUUID();
/** The reloads after a save (1,2 s) and a submission (2,5 s), with room. */
const RELOAD_TIMEOUT_MS = 10_000;
const DESKTOP: BrowserContextOptions = { viewport: { width: 1280, height: 900 }, locale: 'vi-VN', timezoneId: 'Asia/Ho_Chi_Minh' };

const { repos, clock, close } = stackRepos(stack);
let browser: Browser;
let memberUrl: string;
let token: string;
const contexts: TestContext[] = [];

beforeAll(async () => {
  await repos.clusters.createIfAbsent({ clusterId: CLUSTER, name: 'Cụm Thi đua thử nghiệm', province: { id: `tinh-${CLUSTER}`, name: 'Công đoàn Viên chức tỉnh thử' } });
  await repos.units.createIfAbsent(UnitSchema.parse({ clusterId: CLUSTER, unitId: UNIT, name: UNIT_NAME, role: 'thanh-vien', emails: [`${UNIT}@example.com`] }));
  const everyone = (title: string) => ({ title, from: { type: 'all' }, recipients: ['cum-truong'] });
  await repos.plans.createPlanIfAbsent(
    PlanSchema.parse({ clusterId: CLUSTER, planId: PLAN, schoolYear: { startYear: 2021, endYear: 2022 }, title: 'Kế hoạch thi đua năm học 2021 - 2022' }),
    [
      { milestoneId: 'dang-ky', order: 0, kind: 'registration', title: 'Đăng ký thi đua', due: { type: 'date', date: '2021-10-15', rule: 'by' }, document: everyone('Bản đăng ký') },
      { milestoneId: SELF_SCORE, order: 1, kind: 'self-score', title: 'Bảng tự chấm điểm thi đua', due: { type: 'date', date: '2021-12-15', rule: 'before' }, document: everyone('Bảng tự chấm điểm') },
    ].map((m) => MilestoneSchema.parse({ clusterId: CLUSTER, planId: PLAN, ...m })),
  );
  await repos.uploads.recordSubmission(
    submissionRecord({ clusterId: CLUSTER, planId: PLAN, milestoneId: 'dang-ky', unitId: UNIT, uploadId: evidenceId, fileName: 'Kế hoạch phát động thi đua.pdf', receivedAt: '2021-10-01T08:00:00+07:00' }),
  );
  await saveScheme({ repos, clock }, { clusterId: CLUSTER, planId: PLAN, scheme, by: 'test' });
  await openSelfScoring({ repos, clock }, { clusterId: CLUSTER, planId: PLAN });
  ({ url: memberUrl, token } = await issueLink({ repos, clock, linkKeys: fileLinkKeys(stack.linkSecretFile) }, { clusterId: CLUSTER, unitId: UNIT, planId: PLAN }, stack.apiUrl));
  browser = await launchBrowser();
});

afterAll(async () => {
  for (const c of contexts) await c.close();
  await browser?.close();
  close();
});

async function newPage(options: BrowserContextOptions = DESKTOP): Promise<{ t: TestContext; page: Page }> {
  const t = await newTestContext(browser, options);
  contexts.push(t);
  return { t, page: t.page };
}

const byTestId = (page: Page, id: string) => page.locator(`[data-testid="${id}"]`);
const text = async (page: Page, id: string) => ((await byTestId(page, id).textContent()) ?? '').replace(/\s+/g, ' ').trim();
function expectNoProblems(t: TestContext): void {
  expect(t.problems.pageErrors).toEqual([]);
  expect(t.problems.cspViolations).toEqual([]);
  expect(t.problems.consoleErrors).toEqual([]);
}

describe('self-scoring in Chromium', () => {
  it('from the member page: fill in, save a draft, read it back, submit, print', async () => {
    const { t, page } = await newPage();
    expect((await page.goto(memberUrl))?.status()).toBe(200);
    const way = byTestId(page, `self-score-link-${SELF_SCORE}`);
    expect(await way.isVisible()).toBe(true);
    expect(await way.getAttribute('href')).toBe(`/u/${token}/self-score`);
    await way.click();
    await page.waitForURL(`${stack.apiUrl}/u/${token}/self-score`);
    expect(await text(page, 'state')).toContain('Nhập điểm tự chấm từng tiêu chí');
    expect(await byTestId(page, 'member-link').getAttribute('href')).toBe(`/u/${token}`);
    expect(await page.locator('[data-line="criterion"]').count()).toBe(criteria.length);

    // Every criterion: the first with a decimal comma, justification and evidence; one bonus item.
    for (const [i, c] of criteria.entries()) await byTestId(page, `points-${c.id}`).fill(i === 0 ? '4,5' : String(c.maximum));
    await byTestId(page, `justification-${criteria[0]!.id}`).fill('Đã phát động và ký giao ước ngày 15/9/2021');
    await byTestId(page, `evidence-${criteria[0]!.id}`).selectOption(evidenceId);
    await byTestId(page, 'points-mo-hinh-sang-kien').fill('1,5');
    expect(await text(page, 'total')).toBe('101');
    expect(await page.locator('[data-group-total="phong-trao-thi-dua"]').textContent()).toBe('19,5');

    await byTestId(page, 'save').click();
    await byTestId(page, 'form-status').filter({ hasText: 'Đã lưu nháp lúc' }).waitFor();
    // The reloaded page is the first with a stored sheet.
    await byTestId(page, 'sheet-status').waitFor({ timeout: RELOAD_TIMEOUT_MS });
    expect(await text(page, 'sheet-status')).toMatch(/^Bản nháp lưu lúc \d\d:\d\d 25\/11\/2021, chưa nộp · Tổng điểm tự chấm: 101 điểm$/);
    expect(await byTestId(page, `points-${criteria[0]!.id}`).inputValue()).toBe('4,5');
    expect(await byTestId(page, `points-${criteria[1]!.id}`).inputValue()).toBe(String(criteria[1]!.maximum));
    expect(await byTestId(page, `justification-${criteria[0]!.id}`).inputValue()).toBe('Đã phát động và ký giao ước ngày 15/9/2021');
    expect(await byTestId(page, `evidence-${criteria[0]!.id}`).inputValue()).toBe(evidenceId);
    expect(await text(page, 'total')).toBe('101');
    await saveScreenshot(page, 'self-score-form');

    const dialogs: string[] = [];
    page.once('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.accept();
    });
    await byTestId(page, 'submit').click();
    await byTestId(page, 'form-status').filter({ hasText: 'Đã nộp bảng tự chấm điểm (101 điểm)' }).waitFor();
    expect(dialogs).toHaveLength(1);
    expect(dialogs[0]).toContain('Nộp bảng tự chấm điểm với tổng 101 điểm?');
    expect(dialogs[0]).toContain('bản nộp chính thức');
    await page.locator('.state--submitted').waitFor({ timeout: RELOAD_TIMEOUT_MS });
    expect(await text(page, 'state')).toMatch(/^Đơn vị đã nộp bảng tự chấm điểm lúc \d\d:\d\d 25\/11\/2021\./);
    expect(await text(page, 'total')).toBe('101 điểm');
    expect(await page.locator('form, input, textarea, button').count()).toBe(0);
    await saveScreenshot(page, 'self-score-submitted');

    await byTestId(page, 'print-link').click();
    await page.waitForURL(`${stack.apiUrl}/u/${token}/self-score/print`);
    expect(await page.locator('h1').textContent()).toBe('BẢNG TỰ CHẤM ĐIỂM THI ĐUA NĂM HỌC 2021 - 2022');
    expect(await text(page, 'print-status')).toMatch(/^Đã nộp lúc \d\d:\d\d 25\/11\/2021$/);
    expect(await text(page, 'print-total')).toBe('101');
    const printedLine = (await byTestId(page, `print-line-${criteria[0]!.id}`).innerText()).replace(/\s+/g, ' ').trim();
    expect(printedLine).toBe(`1.1 ${criteria[0]!.title} 5 4,5 Đã phát động và ký giao ước ngày 15/9/2021 Minh chứng: Kế hoạch phát động thi đua.pdf`);
    expect(await byTestId(page, 'print-button').isVisible()).toBe(true);
    await saveScreenshot(page, 'self-score-print');
    await page.emulateMedia({ media: 'print' });
    expect(await byTestId(page, 'print-button').isVisible()).toBe(false);
    expect(await page.getByText('NGƯỜI LẬP BẢNG').isVisible()).toBe(true);
    expectNoProblems(t);
  });

  it('on a phone: one column, no sideways scrolling, labels on every field', async () => {
    const { t, page } = await newPage(MOBILE);
    // The first test's unit has submitted: show a fresh unit's open form.
    await repos.units.createIfAbsent(UnitSchema.parse({ clusterId: CLUSTER, unitId: 'don-vi-f', name: 'Công đoàn Trường Thử nghiệm F', role: 'thanh-vien', emails: ['don-vi-f@example.com'] }));
    const link = await issueLink({ repos, clock, linkKeys: fileLinkKeys(stack.linkSecretFile) }, { clusterId: CLUSTER, unitId: 'don-vi-f', planId: PLAN }, stack.apiUrl);
    expect((await page.goto(`${link.url}/self-score`))?.status()).toBe(200);
    expect(await byTestId(page, 'save').isVisible()).toBe(true);
    expect(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);
    const points = await byTestId(page, `points-${criteria[0]!.id}`).boundingBox();
    const note = await byTestId(page, `justification-${criteria[0]!.id}`).boundingBox();
    expect(note!.y).toBeGreaterThan(points!.y + points!.height - 1);
    expect(Math.abs(note!.x - points!.x)).toBeLessThan(2);
    expect(await page.getByLabel('Điểm tự chấm Tiêu chí 1.1', { exact: true }).count()).toBe(1);
    await byTestId(page, `points-${criteria[0]!.id}`).fill('5,5');
    await byTestId(page, 'save').click();
    expect(await text(page, 'form-status')).toBe('Tiêu chí 1.1: 5,5 điểm vượt quá điểm tối đa 5.');
    expect(await byTestId(page, `points-${criteria[0]!.id}`).getAttribute('aria-invalid')).toBe('true');
    await saveScreenshot(page, 'self-score-form-phone');
    expectNoProblems(t);
  });
});
