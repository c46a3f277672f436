/**
 * Chấm điểm on the admin page in a real browser (Debian's Chromium through playwright-core) against the harness's
 * stack, on a cluster of this file's own, on the harness's day (25/11/2021 09:00 ICT, running forward).
 *
 * The story: three units. Trường A and Trường B registered by upload; the head's own unit did not and sends no sheet.
 * A sent the report on time, B late (−1). The head takes the sample scheme, opens self-scoring and saves version 2
 * (Tốt from 80, with a reason, after a refused try); the two sheets arrive (written directly, as the member's form
 * would): A 93, B 93 − 1 = 92. Verification lowers one of A's criteria
 * (10 → 8: 91), so B overtakes A; B's late report is then waived with a reason (93). Ballots, the freeze (every write
 * control disabled), the unlock with a reason, and the Excel download. Then a province viewer sees no write control.
 * Screenshots: test-output/screenshots/admin-scoring-*.png.
 */
import { randomUUID } from 'node:crypto';
import type { Browser, BrowserContextOptions, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { MilestoneSchema, PlanSchema, UnitSchema, type Unit, type UnitRole } from '../../shared/domain/model';
import { SelfScoreSheetSchema } from '../../shared/domain/scoring';
import type { Submission } from '../../shared/domain/submission';
import { defaultScoringScheme } from '../../shared/reference/scoring-template';
import { adminEmailsOf } from '../../shared/use-cases/units';
import { signInUrlFor, stackRepos } from '../support/admin';
import { launchBrowser, newTestContext, saveScreenshot, type TestContext } from '../support/browser';
import { submissionRecord } from '../support/records';

const stack = inject('stack');
const { repos, clock, close: closeRepos } = stackRepos(stack);

const CLUSTER = `cham-web-${randomUUID().slice(0, 8)}`;
const PLAN = '2021-2022';
const PROVINCE = `tinh-${CLUSTER}`;
const HEAD = `truong.${CLUSTER}@example.com`;
const VIEWER = `van-phong.${CLUSTER}@example.com`;
const DESKTOP: BrowserContextOptions = { viewport: { width: 1366, height: 900 }, locale: 'vi-VN', timezoneId: 'Asia/Ho_Chi_Minh' };

const unitOf = (unitId: string, name: string, role: UnitRole, emails = [`${unitId}.${CLUSTER}@example.com`]): Unit =>
  UnitSchema.parse({ clusterId: CLUSTER, unitId, name, role, emails });
const UNITS = [unitOf('truong', 'Công đoàn Trường Chủ Trì', 'cum-truong', [HEAD]), unitOf('don-vi-a', 'Công đoàn Trường A', 'thanh-vien'), unitOf('don-vi-b', 'Công đoàn Trường B', 'thanh-vien')];
const everyone = (title: string) => ({ title, from: { type: 'all' }, recipients: ['cum-truong'] });
const MILESTONES = [
  { milestoneId: 'dang-ky', kind: 'registration', title: 'Đăng ký thi đua', due: { type: 'date', date: '2021-10-15', rule: 'by' }, document: everyone('Bản đăng ký thi đua') },
  { milestoneId: 'bao-cao', kind: 'report', title: 'Báo cáo sơ kết', due: { type: 'date', date: '2021-11-20', rule: 'by' }, cutoffDate: '2021-12-31', document: everyone('Báo cáo sơ kết') },
  { milestoneId: 'tu-cham', kind: 'self-score', title: 'Bảng tự chấm điểm', due: { type: 'date', date: '2021-12-20', rule: 'by' }, document: everyone('Bảng tự chấm điểm') },
].map((m, order) => MilestoneSchema.parse({ clusterId: CLUSTER, planId: PLAN, order, ...m }));

const submissionOf = (milestoneId: string, unitId: string, receivedAt: string, late = false): Submission =>
  submissionRecord({ clusterId: CLUSTER, planId: PLAN, milestoneId, unitId, receivedAt, late, fileName: `${milestoneId}-${unitId}.pdf` });
const evidence = submissionOf('bao-cao', 'don-vi-a', '2021-11-19T15:00:00+07:00');

/** A submitted sheet under the scheme's version 2 (the sample with Tốt from 80): every criterion at its maximum but the ones lowered in `minus`. */
function sheetOf(unitId: string, minus: Record<string, number>) {
  const scheme = defaultScoringScheme('dang-ky');
  return SelfScoreSheetSchema.parse({
    clusterId: CLUSTER,
    planId: PLAN,
    unitId,
    schemeVersion: 2,
    criteria: scheme.groups
      .flatMap((g) => g.criteria)
      .map((c) => ({
        criterionId: c.id,
        points: c.maximum - (minus[c.id] ?? 0),
        ...(c.id === 'tai-chinh-cong-doan' ? { justification: 'Quyết toán đúng hạn, không sai sót', evidenceUploadId: unitId === 'don-vi-a' ? evidence.uploadId : undefined } : {}),
      })),
    bonus: [],
    status: 'submitted',
    submittedAt: clock.now().toISOString(),
  });
}

const byTestId = (scope: Page | Locator, id: string) => scope.locator(`[data-testid="${id}"]`);
/** Waits for the view's result message saying `words`. */
const said = (page: Page, words: string) => page.locator('[data-testid="scoring-result"] .msg--ok', { hasText: words }).waitFor();
const text = async (page: Page, id: string) => ((await byTestId(page, id).first().textContent()) ?? '').replace(/\s+/g, ' ').trim();

let browser: Browser;
const contexts: TestContext[] = [];

async function signedIn(email: string): Promise<TestContext> {
  const t = await newTestContext(browser, DESKTOP);
  contexts.push(t);
  const url = await signInUrlFor(stack, email);
  await t.page.goto(url!);
  await t.page.getByRole('button', { name: 'Đăng nhập', exact: true }).click();
  await t.page.locator('main#view:not([aria-busy])').waitFor();
  await t.page.getByRole('navigation', { name: 'Các mục quản trị' }).getByRole('link', { name: 'Chấm điểm', exact: true }).click();
  await t.page.locator('main#view:not([aria-busy])', { has: t.page.locator('h2', { hasText: 'Chấm điểm' }) }).waitFor();
  return t;
}

/** Switches to a part of the view; it reads the view model again, drawn once `ready` shows. */
async function section(page: Page, id: 'thang-diem' | 'tham-dinh' | 'xep-hang', ready: string): Promise<void> {
  await byTestId(page, `section-${id}`).click();
  await page.locator(`[data-testid="section-${id}"][aria-pressed="true"]`).waitFor();
  await byTestId(page, ready).waitFor();
}

beforeAll(async () => {
  browser = await launchBrowser();
  await repos.clusters.createIfAbsent({ clusterId: CLUSTER, name: 'Cụm thử trang chấm điểm', province: { id: PROVINCE, name: 'Tỉnh thử' } });
  for (const unit of UNITS) {
    await repos.units.createIfAbsent(unit);
    await repos.auth.syncUnitGrants(CLUSTER, unit.unitId, adminEmailsOf(unit));
  }
  await repos.plans.createPlanIfAbsent(PlanSchema.parse({ clusterId: CLUSTER, planId: PLAN, schoolYear: { startYear: 2021, endYear: 2022 }, title: 'Kế hoạch thi đua năm học 2021 - 2022' }), MILESTONES);
  for (const s of [
    submissionOf('dang-ky', 'don-vi-a', '2021-10-10T09:00:00+07:00'),
    submissionOf('dang-ky', 'don-vi-b', '2021-10-12T09:00:00+07:00'),
    evidence,
    submissionOf('bao-cao', 'don-vi-b', '2021-11-22T10:00:00+07:00', true),
  ]) {
    await repos.uploads.recordSubmission(s);
  }
  await repos.auth.putProvinceGrant({ scope: 'province', email: VIEWER, provinceId: PROVINCE });
});

afterAll(async () => {
  for (const t of contexts) await t.close().catch(() => undefined);
  await browser?.close();
  closeRepos();
});

describe('Chấm điểm on the admin page', { timeout: 60_000 }, () => {
  it('sample scheme, opening, verification that flips the ranking, an override, ballots, freeze, unlock, Excel', async () => {
    const t = await signedIn(HEAD);
    const { page } = t;

    // Thang điểm: none yet; the sample, labelled as one to check against the guidance.
    expect(await page.locator('.tabs__tab').allTextContents()).toEqual(['Bảng theo dõi', 'Kế hoạch', 'Chấm điểm', 'Đơn vị', 'Nhắc việc', 'Nhật ký', 'Khóa API']);
    expect(await page.locator('main .tag--sample').first().textContent()).toBe('Mẫu, cần đối chiếu Hướng dẫn 40/HD-CĐVC');
    await byTestId(page, 'use-template').click();
    await said(page, 'Đã tạo thang điểm từ mẫu');
    expect(await text(page, 'scheme-version')).toBe('Thang điểm phiên bản 1 Mẫu');
    expect(await text(page, 'scoring-result')).toBe('Đã tạo thang điểm từ mẫu (phiên bản 1). Mẫu, cần đối chiếu Hướng dẫn 40/HD-CĐVC.');
    expect(await byTestId(page, 'scheme-criteria').locator('tbody tr').count()).toBe(5 + 14 + 1);
    expect(await page.locator('.scheme__facts').textContent()).toContain('Báo cáo: nộp muộn trừ 1, không nộp trừ 3');

    // Opening self-scoring (now): from then on the editor saves version 2 with a reason.
    await byTestId(page, 'open-form').getByRole('button', { name: 'Mở tự chấm điểm' }).click();
    await page.locator('p[data-testid="self-score-state"]').waitFor();
    expect(await text(page, 'self-score-state')).toMatch(/^Các đơn vị được tự chấm điểm từ 25\/11\/2021 \d\d:\d\d\. /);
    await byTestId(page, 'edit-scheme').click();
    await byTestId(page, 'scheme-form').getByRole('button', { name: 'Lưu thang điểm' }).click();
    const editor = byTestId(page, 'scheme-form');
    expect(await editor.locator('.msg--error').textContent()).toBe('Cần ghi lý do thay đổi (ít nhất 5 ký tự).');
    // The server's own checks come back as they are: criterion 1.1 at 4 leaves the groups at 99 of 100.
    await editor.getByLabel('Lý do thay đổi').fill('Hạ mức Tốt theo hướng dẫn mới');
    await editor.getByLabel('Điểm tối đa tiêu chí 1.1').fill('4');
    expect(await byTestId(editor, 'edit-group-phong-trao-thi-dua').locator('.actions .hint').textContent()).toBe('Tổng: 19 điểm');
    await editor.getByRole('button', { name: 'Lưu thang điểm' }).click();
    await editor.locator('.msg--error', { hasText: 'Dữ liệu gửi lên không hợp lệ.' }).waitFor();
    expect(await editor.locator('.msg--error li').allTextContents()).toEqual([
      'Điểm chuẩn (tổng điểm tối đa các nhóm): Tổng điểm tối đa của các nhóm tiêu chí (99) phải bằng điểm chuẩn (100)',
    ]);
    await editor.getByLabel('Điểm tối đa tiêu chí 1.1').fill('5');
    await editor.getByLabel('Điểm tối thiểu mức 2').fill('80');
    await editor.getByRole('button', { name: 'Lưu thang điểm' }).click();
    await said(page, 'Lưu thang điểm phiên bản 2.');
    expect(await text(page, 'scheme-version')).toBe('Thang điểm phiên bản 2 Mẫu Lý do thay đổi: Hạ mức Tốt theo hướng dẫn mới');
    expect(await byTestId(page, 'scoring-result').locator('li').allTextContents()).toEqual(['Mức xếp loại «Tốt»: điểm tối thiểu 85 → 80']);
    expect(await byTestId(page, 'scheme-versions').locator('tbody tr td:last-child').allTextContents()).toEqual(['Hạ mức Tốt theo hướng dẫn mới', '—']);
    expect(await page.locator('.scheme__facts').textContent()).toContain('Tốt: từ 80 điểm');
    await saveScreenshot(page, 'admin-scoring-1-scheme');

    // The two sheets arrive, under the settings' current version: A 93, B 93 (its late report: −1).
    const stateVersion = (await repos.scoring.getPlanScoring(CLUSTER, PLAN)).state.version;
    await repos.scoring.putSheet(sheetOf('don-vi-a', { 'phong-trao-chuyen-mon': 4, 'hoat-dong-bch': 3 }), { sheetVersion: 0, stateVersion });
    await repos.scoring.putSheet(sheetOf('don-vi-b', { 'cham-lo-doi-song': 7 }), { sheetVersion: 0, stateVersion });

    await section(page, 'xep-hang', 'results-table');
    expect(await text(page, 'rank-don-vi-a')).toBe('1');
    expect(await text(page, 'rank-don-vi-b')).toBe('2');
    expect(await byTestId(page, 'result-row-don-vi-b').locator('td').nth(3).textContent()).toBe('92');

    // Thẩm định: A's financial management 10 → 8, highlighted with the difference as it is typed and after saving.
    await section(page, 'tham-dinh', 'verify-units');
    expect((await byTestId(page, 'verify-unit-truong').locator('td').allTextContents()).slice(1, 3)).toEqual(['Chưa nộp', 'Chưa thẩm định']);
    const cellsA = await byTestId(page, 'verify-unit-don-vi-a').locator('td').allTextContents();
    expect(cellsA[1]).toMatch(/^Đã nộp lúc 25\/11\/2021 \d\d:\d\d$/);
    expect(cellsA.slice(2, 5)).toEqual(['Chưa thẩm định', '93', '93']);
    await byTestId(page, 'open-verify-don-vi-a').click();
    const critA = byTestId(page, 'crit-tai-chinh-cong-doan');
    expect(await critA.textContent()).toContain('Quyết toán đúng hạn, không sai sót');
    expect(await critA.getByRole('button', { name: 'Tải minh chứng' }).count()).toBe(1);
    await byTestId(page, 'verified-tai-chinh-cong-doan').fill('8');
    expect(await critA.getAttribute('class')).toBe('diff');
    expect(await text(page, 'delta-tai-chinh-cong-doan')).toBe('−2');
    await critA.getByLabel('Nhận xét 3.3').fill('Thiếu chứng từ quý III');
    await byTestId(page, 'save-verification').click();
    await said(page, 'Đã lưu thẩm định của Công đoàn Trường A.');
    expect(await text(page, 'scoring-result')).toBe('Đã lưu thẩm định của Công đoàn Trường A. Tổng điểm sau thẩm định: 91 (tự chấm 93), Tốt, xếp hạng 2.');
    expect(await byTestId(page, 'crit-tai-chinh-cong-doan').getAttribute('class')).toBe('diff');
    expect(await text(page, 'delta-tai-chinh-cong-doan')).toBe('−2');
    expect(await byTestId(page, 'verified-tai-chinh-cong-doan').inputValue()).toBe('8');
    await saveScreenshot(page, 'admin-scoring-2-verify');

    // Xếp hạng: B now leads.
    await section(page, 'xep-hang', 'results-table');
    expect(await text(page, 'rank-don-vi-b')).toBe('1');
    expect(await text(page, 'rank-don-vi-a')).toBe('2');
    expect(await text(page, 'rank-truong')).toBe('3');
    const rowA = byTestId(page, 'result-row-don-vi-a');
    // Rank, unit, self, total, groups I-V (self / counted), bonus, deductions, band, registration, proposal.
    expect((await rowA.locator('td').allTextContents()).slice(2, 12)).toEqual(['93', '91', '16 / 16', '25 / 25', '22 / 20', '15 / 15', '15 / 15', '0 / 0', '0', 'Tốt']);
    expect(await rowA.locator('td').nth(6).locator('.changed').count()).toBe(1);
    expect(await byTestId(page, 'result-row-truong').locator('.proposal strong').textContent()).toBe('Không đủ điều kiện');
    expect(await byTestId(page, 'result-row-don-vi-b').locator('.proposal strong').textContent()).toBe('Bằng khen');
    expect(await byTestId(page, 'warnings').textContent()).toContain('Chưa nộp bảng tự chấm điểm: Công đoàn Trường Chủ Trì');

    // Thẩm định: B's late report waived, with a written reason (a short one is refused on the page).
    await section(page, 'tham-dinh', 'verify-units');
    await byTestId(page, 'open-verify-don-vi-b').click();
    const line = byTestId(page, 'deduction-bao-cao');
    expect(await line.locator('p').first().textContent()).toBe('−1 Báo cáo sơ kết: nộp muộn 2 ngày (hạn 20/11/2021, nhận 22/11/2021)');
    await line.getByLabel('Điều chỉnh điểm trừ này').check();
    await line.getByLabel('Điểm trừ sau điều chỉnh: Báo cáo sơ kết').fill('0');
    await line.getByLabel('Lý do điều chỉnh: Báo cáo sơ kết').fill('Gửi');
    await byTestId(page, 'save-verification').click();
    expect(await byTestId(page, 'verify-form').locator('.msg--error').textContent()).toBe('Điểm trừ “Báo cáo sơ kết”: cần ghi rõ lý do điều chỉnh (ít nhất 5 ký tự).');
    await line.getByLabel('Lý do điều chỉnh: Báo cáo sơ kết').fill('Đã gửi bản giấy đúng hạn qua văn thư');
    await byTestId(page, 'save-verification').click();
    await said(page, 'Đã lưu thẩm định của Công đoàn Trường B.');
    expect(await text(page, 'scoring-result')).toBe('Đã lưu thẩm định của Công đoàn Trường B. Tổng điểm sau thẩm định: 93 (tự chấm 93), Tốt, xếp hạng 1.');
    expect(await byTestId(page, 'deduction-bao-cao').locator('p').first().textContent()).toBe(
      '0 Báo cáo sơ kết: nộp muộn 2 ngày (hạn 20/11/2021, nhận 22/11/2021) (điều chỉnh từ −1: Đã gửi bản giấy đúng hạn qua văn thư)',
    );

    // Ballots, then the freeze: every write control disabled, with the reason on top.
    await section(page, 'xep-hang', 'results-table');
    expect(await byTestId(page, 'result-row-don-vi-b').locator('.sources').getAttribute('title')).toBe(
      '0: Báo cáo sơ kết: nộp muộn 2 ngày (hạn 20/11/2021, nhận 22/11/2021) (điều chỉnh từ −1: Đã gửi bản giấy đúng hạn qua văn thư)',
    );
    const ballots = byTestId(page, 'ballots-form');
    await ballots.getByLabel('Số phiếu hợp lệ').fill('3');
    await ballots.getByLabel('Phiếu đồng ý: Công đoàn Trường B').fill('3');
    await ballots.getByLabel('Phiếu đồng ý: Công đoàn Trường A').fill('2');
    await ballots.getByRole('button', { name: 'Lưu kết quả bỏ phiếu' }).click();
    await said(page, 'Đã lưu kết quả bỏ phiếu suy tôn.');
    expect(await byTestId(page, 'result-row-don-vi-a').locator('.proposal').textContent()).toBe('Bằng khenXếp thứ 2, 91 điểm, Tốt, suy tôn 2/3 phiếu (66,7%)Chưa đạt mức Xuất sắc để đề nghị Cờ thi đua');
    await saveScreenshot(page, 'admin-scoring-3-results');

    page.once('dialog', (dialog) => void dialog.accept());
    await byTestId(page, 'freeze-form').getByLabel('Ghi chú (không bắt buộc)').fill('Theo biên bản hội nghị tổng kết');
    await byTestId(page, 'freeze-form').getByRole('button', { name: 'Chốt kết quả' }).click();
    await byTestId(page, 'unlock-form').waitFor();
    expect(await text(page, 'lock-state')).toMatch(new RegExp(`^Đã chốt lúc 25/11/2021 \\d\\d:\\d\\d bởi ${HEAD.replace(/\./g, '\\.')} \\(thang điểm phiên bản 2\\)\\. Ghi chú: Theo biên bản hội nghị tổng kết\\.$`));
    expect(await byTestId(page, 'freeze-form').count()).toBe(0);
    expect(await byTestId(page, 'register-don-vi-a').isDisabled()).toBe(true);
    expect(await ballots.getByRole('button', { name: 'Lưu kết quả bỏ phiếu' }).isDisabled()).toBe(true);
    await section(page, 'tham-dinh', 'verify-units');
    await byTestId(page, 'open-verify-don-vi-a').click();
    expect(await byTestId(page, 'save-verification').isDisabled()).toBe(true);
    expect(await byTestId(page, 'verified-tai-chinh-cong-doan').isDisabled()).toBe(true);
    expect(await byTestId(page, 'crit-tai-chinh-cong-doan').getByRole('button', { name: 'Tải minh chứng' }).isDisabled()).toBe(false);
    await section(page, 'thang-diem', 'scheme-version');
    expect(await byTestId(page, 'edit-scheme').isDisabled()).toBe(true);
    await saveScreenshot(page, 'admin-scoring-4-frozen');

    // Unlock, with a reason: the controls come back.
    await byTestId(page, 'unlock-form').getByLabel('Lý do mở khóa').fill('Bổ sung minh chứng điểm thưởng');
    await byTestId(page, 'unlock-form').getByRole('button', { name: 'Mở khóa' }).click();
    await page.locator('p.hint[data-testid="lock-state"]').waitFor();
    expect(await text(page, 'lock-state')).toMatch(/^Đã mở khóa lúc 25\/11\/2021 \d\d:\d\d bởi .+\. Lý do: Bổ sung minh chứng điểm thưởng$/);
    expect(await byTestId(page, 'edit-scheme').isDisabled()).toBe(false);

    // The Excel export: the cookie authenticates a plain link; the file keeps its Vietnamese name.
    await section(page, 'xep-hang', 'results-table');
    const [download] = await Promise.all([page.waitForEvent('download'), byTestId(page, 'export-xlsx').click()]);
    expect(download.suggestedFilename()).toMatch(/^Bảng tổng hợp chấm điểm thi đua .*\.xlsx$/);
    expect(await download.failure()).toBeNull();

    expect(t.problems.pageErrors).toEqual([]);
    expect(t.problems.cspViolations).toEqual([]);
    // The one refused save of the scheme, as Chromium logs any error status.
    expect(t.problems.consoleErrors).toEqual([
      `[error] Failed to load resource: the server responded with a status of 400 (Bad Request) (${stack.apiUrl}/api/clusters/${CLUSTER}/plans/${PLAN}/scoring/scheme:0)`,
    ]);
  });

  it('a province viewer reads every part and finds no write control', async () => {
    const t = await signedIn(VIEWER);
    const { page } = t;
    await byTestId(page, 'scheme-version').waitFor();
    expect(await page.locator('main form, main fieldset').count()).toBe(0);
    await section(page, 'tham-dinh', 'verify-units');
    await byTestId(page, 'open-verify-don-vi-a').click();
    await byTestId(page, 'verify-form').waitFor();
    expect(await page.locator('main fieldset, main input, [data-testid="save-verification"]').count()).toBe(0);
    expect(await byTestId(page, 'crit-tai-chinh-cong-doan').locator('td').allTextContents()).toEqual(expect.arrayContaining(['8−2', 'Thiếu chứng từ quý III']));
    await section(page, 'xep-hang', 'results-table');
    expect(await page.locator('main fieldset, main [data-testid^="register-"], [data-testid="ballots-form"], [data-testid="freeze-form"]').count()).toBe(0);
    expect(await byTestId(page, 'export-xlsx').count()).toBe(1);
    await saveScreenshot(page, 'admin-scoring-5-viewer');
    expect(t.problems.pageErrors).toEqual([]);
    expect(t.problems.consoleErrors).toEqual([]);
  });
});
