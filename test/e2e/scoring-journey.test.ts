/**
 * The year's scoring end to end in one real browser (Debian's Chromium through playwright-core) against the
 * harness's stack, on a cluster of this file's own: a unit fills in and submits its self-score sheet through its
 * own link; the cluster head signs in, sees that unit lead, verifies one of its criteria down and sees the ranking
 * change. The other unit's sheet is written directly (as the same form would).
 */
import { randomUUID } from 'node:crypto';
import type { Browser, BrowserContextOptions, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { fileLinkKeys } from '../../shared/adapters/secrets/link-keys';
import { MilestoneSchema, PlanSchema, UnitSchema } from '../../shared/domain/model';
import { SelfScoreSheetSchema } from '../../shared/domain/scoring';
import { defaultScoringScheme } from '../../shared/reference/scoring-template';
import { issueLink } from '../../shared/use-cases/links';
import { openSelfScoring, saveScheme } from '../../shared/use-cases/scoring';
import { adminEmailsOf } from '../../shared/use-cases/units';
import { signInUrlFor, stackRepos } from '../support/admin';
import { launchBrowser, newTestContext, saveScreenshot, type TestContext } from '../support/browser';

const stack = inject('stack');
const { repos, clock, close } = stackRepos(stack);
const CLUSTER = `hanh-trinh-${randomUUID().slice(0, 8)}`;
const PLAN = '2021-2022';
const HEAD = `truong.${CLUSTER}@example.com`;
const DESKTOP: BrowserContextOptions = { viewport: { width: 1366, height: 900 }, locale: 'vi-VN', timezoneId: 'Asia/Ho_Chi_Minh' };
const scheme = defaultScoringScheme('dang-ky');
const criteria = scheme.groups.flatMap((g) => g.criteria);

const units = [
  UnitSchema.parse({ clusterId: CLUSTER, unitId: 'truong', name: 'Công đoàn Trường Chủ Trì', role: 'cum-truong', emails: [HEAD] }),
  UnitSchema.parse({ clusterId: CLUSTER, unitId: 'don-vi-a', name: 'Công đoàn Trường A', role: 'thanh-vien', emails: [`a.${CLUSTER}@example.com`] }),
  UnitSchema.parse({ clusterId: CLUSTER, unitId: 'don-vi-b', name: 'Công đoàn Trường B', role: 'thanh-vien', emails: [`b.${CLUSTER}@example.com`] }),
];
const everyone = (title: string) => ({ title, from: { type: 'all' }, recipients: ['cum-truong'] });

let browser: Browser;
let memberUrl: string;
const contexts: TestContext[] = [];

beforeAll(async () => {
  await repos.clusters.createIfAbsent({ clusterId: CLUSTER, name: 'Cụm thử hành trình chấm điểm', province: { id: `tinh-${CLUSTER}`, name: 'Tỉnh thử' } });
  for (const unit of units) {
    await repos.units.createIfAbsent(unit);
    await repos.auth.syncUnitGrants(CLUSTER, unit.unitId, adminEmailsOf(unit));
  }
  await repos.plans.createPlanIfAbsent(
    PlanSchema.parse({ clusterId: CLUSTER, planId: PLAN, schoolYear: { startYear: 2021, endYear: 2022 }, title: 'Kế hoạch thi đua năm học 2021 - 2022' }),
    [
      { milestoneId: 'dang-ky', kind: 'registration', title: 'Đăng ký thi đua', due: { type: 'date', date: '2021-12-15', rule: 'by' }, document: everyone('Bản đăng ký thi đua') },
      { milestoneId: 'tu-cham', kind: 'self-score', title: 'Bảng tự chấm điểm', due: { type: 'date', date: '2021-12-20', rule: 'by' }, document: everyone('Bảng tự chấm điểm') },
    ].map((m, order) => MilestoneSchema.parse({ clusterId: CLUSTER, planId: PLAN, order, ...m })),
  );
  await saveScheme({ repos, clock }, { clusterId: CLUSTER, planId: PLAN, scheme, by: HEAD });
  await openSelfScoring({ repos, clock }, { clusterId: CLUSTER, planId: PLAN });
  // B: 95 (two criteria 2.5 below their maxima), submitted.
  const { state } = await repos.scoring.getPlanScoring(CLUSTER, PLAN);
  const b = SelfScoreSheetSchema.parse({
    clusterId: CLUSTER,
    planId: PLAN,
    unitId: 'don-vi-b',
    schemeVersion: 1,
    criteria: criteria.map((c, i) => ({ criterionId: c.id, points: i < 2 ? c.maximum - 2.5 : c.maximum })),
    status: 'submitted',
    submittedAt: clock.now().toISOString(),
  });
  await repos.scoring.putSheet(b, { sheetVersion: 0, stateVersion: state.version });
  ({ url: memberUrl } = await issueLink({ repos, clock, linkKeys: fileLinkKeys(stack.linkSecretFile) }, { clusterId: CLUSTER, unitId: 'don-vi-a', planId: PLAN }, stack.apiUrl));
  browser = await launchBrowser();
});

afterAll(async () => {
  for (const t of contexts) await t.close().catch(() => undefined);
  await browser?.close();
  close();
});

const byTestId = (scope: Page | Locator, id: string) => scope.locator(`[data-testid="${id}"]`);
const text = async (page: Page, id: string) => ((await byTestId(page, id).first().textContent()) ?? '').replace(/\s+/g, ' ').trim();

async function open(): Promise<TestContext> {
  const t = await newTestContext(browser, DESKTOP);
  contexts.push(t);
  return t;
}

describe('scoring, from the unit to the ranking', { timeout: 90_000 }, () => {
  it('a unit submits its self-score; the head verifies one criterion down and the ranking changes', async () => {
    // The unit: every criterion at its maximum (one written with a decimal comma), submitted after the confirm.
    const unit = await open();
    await unit.page.goto(`${memberUrl}/self-score`);
    for (const c of criteria) await byTestId(unit.page, `points-${c.id}`).fill(c.maximum === 10 ? '10,0' : String(c.maximum));
    expect(await text(unit.page, 'total')).toBe('100');
    unit.page.once('dialog', (dialog) => void dialog.accept());
    await byTestId(unit.page, 'submit').click();
    await byTestId(unit.page, 'form-status').filter({ hasText: 'Đã nộp bảng tự chấm điểm (100 điểm)' }).waitFor();
    await unit.page.locator('.state--submitted').waitFor({ timeout: 10_000 });
    expect(unit.problems.cspViolations).toEqual([]);

    // The head: A leads on the units' own points.
    const head = await open();
    const { page } = head;
    await page.goto((await signInUrlFor(stack, HEAD))!);
    await page.getByRole('button', { name: 'Đăng nhập', exact: true }).click();
    await page.locator('main#view:not([aria-busy])').waitFor();
    await page.getByRole('navigation', { name: 'Các mục quản trị' }).getByRole('link', { name: 'Chấm điểm', exact: true }).click();
    await page.locator('main#view:not([aria-busy])', { has: page.locator('h2', { hasText: 'Chấm điểm' }) }).waitFor();
    await byTestId(page, 'section-xep-hang').click();
    await byTestId(page, 'results-table').waitFor();
    expect([await text(page, 'rank-don-vi-a'), await text(page, 'rank-don-vi-b')]).toEqual(['1', '2']);

    // Thẩm định: A's criterion 3.3 (financial management) 10 -> 4: 94, below B's 95.
    await byTestId(page, 'section-tham-dinh').click();
    await byTestId(page, 'verify-units').waitFor();
    await byTestId(page, 'open-verify-don-vi-a').click();
    await byTestId(page, 'verified-tai-chinh-cong-doan').fill('4');
    expect(await text(page, 'delta-tai-chinh-cong-doan')).toBe('−6');
    await byTestId(page, 'save-verification').click();
    await page.locator('[data-testid="scoring-result"] .msg--ok', { hasText: 'Đã lưu thẩm định của Công đoàn Trường A.' }).waitFor();
    expect(await text(page, 'scoring-result')).toBe('Đã lưu thẩm định của Công đoàn Trường A. Tổng điểm sau thẩm định: 94 (tự chấm 100), Tốt, xếp hạng 2.');

    // Xếp hạng: B now first, A second.
    await byTestId(page, 'section-xep-hang').click();
    await byTestId(page, 'results-table').waitFor();
    expect([await text(page, 'rank-don-vi-b'), await text(page, 'rank-don-vi-a')]).toEqual(['1', '2']);
    expect((await byTestId(page, 'result-row-don-vi-a').locator('td').allTextContents()).slice(2, 4)).toEqual(['100', '94']);
    await saveScreenshot(page, 'scoring-journey-ranking');
    expect(head.problems.cspViolations).toEqual([]);
    expect(head.problems.pageErrors).toEqual([]);
  });
});
