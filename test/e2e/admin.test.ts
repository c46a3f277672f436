/**
 * The admin page in a real browser (Debian's Chromium through playwright-core) against the harness's whole stack:
 * sign-in through the emailed link, the status board of the reference plan after a real upload, the plan editor and
 * the reminder schedules it re-syncs, a unit's link revoked from the page, unit names made of HTML rendered as text,
 * API keys, the audit log, and read-only access for the province's viewer. Every page is watched for console
 * errors and CSP violations; screenshots go to test-output/screenshots/admin-*.png.
 *
 * Interference with the other test files (same stack, same mailbox, in parallel):
 * - The reference cluster is only read here, except one upload by the Cụm trưởng unit (dh-vhttdl-thanh-hoa) for the
 *   6-month report: the sample units' files and mail are asserted by member-upload.test.ts and uploads.test.ts.
 * - Everything that writes (milestones, units, links, keys) happens in this file's own cluster, whose province is
 *   its own too, so the province viewer's list of clusters is not changed either.
 * The harness clock starts at 25/11/2021 09:00 ICT and runs forward: the 6-month report (due before 10/12/2021) is
 * open and not yet due.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { fileLinkKeys } from '../../shared/adapters/secrets/link-keys';
import { MilestoneSchema, PlanSchema, UnitSchema, type Unit } from '../../shared/domain/model';
import { formatInstantVi } from '../../shared/domain/time';
import { referenceMilestones, referencePlan } from '../../shared/reference/thanh-hoa-cum-5';
import { SIGN_IN_REQUESTED_MESSAGE } from '../../shared/use-cases/admin-auth';
import { issueLink } from '../../shared/use-cases/links';
import { adminEmailsOf } from '../../shared/use-cases/units';
import { signIn, signInUrlFor, stackRepos } from '../support/admin';
import { MOBILE, launchBrowser, newTestContext, saveScreenshot, type TestContext } from '../support/browser';

const stack = inject('stack');
const { repos, clock, close: closeRepos } = stackRepos(stack);

const REFERENCE = 'thanh-hoa-cum-5';
const PLAN = '2021-2022';
const HEAD_EMAIL = 'congdoan.dvtdt@gmail.com';
const HEAD_UNIT = 'dh-vhttdl-thanh-hoa';
const VIEWER_EMAIL = 'van-phong.cdvc-thanh-hoa@example.com';
const REPORT = 'bao-cao-so-ket-6-thang';

/** This file's own cluster: its head, two members, and the 6-month report as the plan's only milestone. */
const OWN = `trang-qt-${randomUUID().slice(0, 8)}`;
const OWN_HEAD = `truong.${OWN}@example.com`;
const ownUnit = (unitId: string, name: string, role: Unit['role'], email = `${unitId}.${OWN}@example.com`): Unit =>
  UnitSchema.parse({ clusterId: OWN, unitId, name, role, emails: [email] });
const OWN_UNITS = [
  ownUnit('truong', 'Công đoàn Trường Thử Nghiệm', 'cum-truong', OWN_HEAD),
  ownUnit('don-vi-x', 'Công đoàn Trường X', 'thanh-vien'),
  ownUnit('don-vi-y', 'Công đoàn Trường Y', 'thanh-vien'),
];

/** A desktop whose clock is in Paris: what the page shows must still be ICT. */
const DESKTOP: BrowserContextOptions = { viewport: { width: 1366, height: 900 }, locale: 'vi-VN', timezoneId: 'Europe/Paris' };

// ---------------------------------------------------------------------------------------------------------------

interface StoredEmail {
  destination: { to: string[] };
  subject: string;
  body: { text?: string };
  at: number;
}

/** Mail to `address` that the emulator stamped at or after `since` (epoch seconds). */
async function mailSince(address: string, since: number): Promise<StoredEmail[]> {
  const response = await fetch(`${stack.mailboxUrl}/store?since=${since}`);
  expect(response.status).toBe(200);
  const { emails } = (await response.json()) as { emails: StoredEmail[] };
  return emails.filter((e) => e.destination.to.includes(address) && e.at >= since);
}

async function waitForMail(address: string, since: number, timeoutMs = 10_000): Promise<StoredEmail[]> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const found = await mailSince(address, since);
    if (found.length > 0 || Date.now() > until) return found;
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** A minimal well-formed PDF (one empty page). */
function minimalPdf(note: string): Buffer {
  const objects = ['<< /Type /Catalog /Pages 2 0 R >>', '<< /Type /Pages /Kids [3 0 R] /Count 1 >>', '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>', `<< /Title (${note}) >>`];
  let body = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((object, i) => {
    offsets.push(Buffer.byteLength(body, 'latin1'));
    body += `${i + 1} 0 obj\n${object}\nendobj\n`;
  });
  const xref = Buffer.byteLength(body, 'latin1');
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R /Info 4 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(body, 'latin1');
}

// ---------------------------------------------------------------------------------------------------------------

const byTestId = (page: Page, id: string) => page.locator(`[data-testid="${id}"]`);
const textOf = async (page: Page, selector: string) => ((await page.locator(selector).first().textContent()) ?? '').replace(/\s+/g, ' ').trim();

/** How Chromium logs a fetch that got an error status: expected for the session probe of a signed-out page. */
const failedLoad = (path: string, status: string) => `[error] Failed to load resource: the server responded with a status of ${status} (${stack.apiUrl}${path}:0)`;
const SIGNED_OUT_PROBE = failedLoad('/api/auth/session', '401 (Unauthorized)');

/** No uncaught error, no CSP violation, no console error or warning but the `expected` lines. */
function expectNoProblems(t: TestContext, expected: string[] = []): void {
  expect(t.problems.pageErrors).toEqual([]);
  expect(t.problems.cspViolations).toEqual([]);
  expect(t.problems.consoleErrors.filter((line) => !expected.includes(line))).toEqual([]);
}

let browser: Browser;
const contexts: TestContext[] = [];

async function fresh(options: BrowserContextOptions = DESKTOP): Promise<TestContext> {
  const t = await newTestContext(browser, options);
  contexts.push(t);
  return t;
}

/** Opens a sign-in link made in the table (as the CLI does) and presses "Đăng nhập"; waits for the board. */
async function signInAs(t: TestContext, email: string): Promise<void> {
  const url = await signInUrlFor(stack, email);
  if (!url) throw new Error(`${email} has no admin grant`);
  await t.page.goto(url);
  await t.page.getByRole('button', { name: 'Đăng nhập', exact: true }).click();
  await byTestId(t.page, 'board').waitFor();
}

/** Goes to a tab through the navigation, as a person would, and waits for its heading. */
async function openTab(page: Page, label: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Các mục quản trị' }).getByRole('link', { name: label, exact: true }).click();
  await page.locator('h2', { hasText: label }).waitFor();
}

beforeAll(async () => {
  browser = await launchBrowser();
  await repos.clusters.createIfAbsent({ clusterId: OWN, name: 'Cụm thử trang quản trị', province: { id: `tinh-${OWN}`, name: 'Tỉnh thử' } });
  for (const unit of OWN_UNITS) {
    await repos.units.createIfAbsent(unit);
    await repos.auth.syncUnitGrants(OWN, unit.unitId, adminEmailsOf(unit));
  }
  const report = referenceMilestones.find((m) => m.milestoneId === REPORT)!;
  await repos.plans.createPlanIfAbsent(PlanSchema.parse({ ...referencePlan, clusterId: OWN, contact: undefined }), [MilestoneSchema.parse({ ...report, clusterId: OWN })]);
  // The plan's schedules as they would be after saving it from the page, so that what a test adds is all that changes.
  const head = await signIn(stack, OWN_HEAD);
  const synced = await fetch(`${stack.apiUrl}/api/clusters/${OWN}/plans/${PLAN}/reminders/reconcile`, { method: 'POST', headers: head.headers });
  expect(synced.status).toBe(200);
});

afterAll(async () => {
  for (const t of contexts) await t.close().catch(() => undefined);
  await browser?.close();
  closeRepos();
});

describe('the admin page in Chromium', () => {
  it('signs in through the emailed link: form on /admin, email, "Đăng nhập" on the link page, the board; sign-out', async () => {
    const t = await fresh();
    const { page } = t;
    expect((await page.goto(`${stack.apiUrl}/admin`))?.status()).toBe(200);
    await byTestId(page, 'signin-form').waitFor();
    expect(await textOf(page, 'h1')).toBe('Đăng nhập trang quản trị');
    await saveScreenshot(page, 'admin-0-sign-in-form');

    const since = Math.floor(Date.now() / 1000);
    await page.getByLabel('Email quản trị').fill(HEAD_EMAIL);
    await page.getByRole('button', { name: 'Gửi liên kết đăng nhập' }).click();
    await page.locator('.msg--ok').waitFor();
    expect(await textOf(page, '.msg--ok')).toBe(SIGN_IN_REQUESTED_MESSAGE);

    const mails = await waitForMail(HEAD_EMAIL, since);
    expect(mails).toHaveLength(1);
    const link = new RegExp(`${stack.apiUrl.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/admin/dang-nhap#t=[A-Za-z0-9_-]{43}`).exec(mails[0]!.body.text ?? '')?.[0];
    expect(link, mails[0]!.body.text).toBeTruthy();

    // The link's page waits for the person: a mail scanner fetching it spends nothing.
    expect((await page.goto(link!))?.status()).toBe(200);
    expect(await textOf(page, 'h1')).toBe('Đăng nhập');
    await saveScreenshot(page, 'admin-0-sign-in-link');
    await page.getByRole('button', { name: 'Đăng nhập', exact: true }).click();
    await byTestId(page, 'board').waitFor();
    expect(page.url()).toBe(`${stack.apiUrl}/admin#/bang-theo-doi`);
    expect(await textOf(page, '.top__email')).toBe(HEAD_EMAIL);
    expect(await textOf(page, '.top__cluster')).toBe('Cụm Thi đua số 5');
    expect(await page.locator('#pick-plan').inputValue()).toBe(PLAN);
    expect(await page.title()).toBe('Bảng theo dõi · Cụm Thi đua số 5');
    expect(await textOf(page, '[aria-current="page"]')).toBe('Bảng theo dõi');
    await saveScreenshot(page, 'admin-1-board-desktop');

    // The link was spent: opening it again says so and offers a new one.
    await page.goto(link!);
    await page.getByRole('button', { name: 'Đăng nhập', exact: true }).click();
    await page.locator('.msg--error').waitFor();
    expect(await textOf(page, '.msg--error')).toBe('Liên kết đăng nhập này đã được dùng. Mỗi liên kết chỉ dùng được một lần: hãy xin liên kết mới.');
    expect(page.url()).toBe(`${stack.apiUrl}/admin/dang-nhap`);
    await page.getByRole('button', { name: 'Xin liên kết mới' }).click();
    await byTestId(page, 'signin-form').waitFor();

    // Still signed in (the cookie): /admin opens the board; "Đăng xuất" ends the session.
    await page.goto(`${stack.apiUrl}/admin`);
    await byTestId(page, 'board').waitFor();
    await byTestId(page, 'sign-out').click();
    await byTestId(page, 'signin-form').waitFor();
    expect(await textOf(page, '.msg--info')).toBe('Bạn đã đăng xuất.');
    await page.reload();
    await byTestId(page, 'signin-form').waitFor();

    expectNoProblems(t, [SIGNED_OUT_PROBE, failedLoad('/api/auth/sessions', '410 (Gone)')]);
  });

  it('the board of the reference plan: the head uploaded (Đúng hạn), a member did not; versions, download; on a phone', async () => {
    // The Cụm trưởng unit sends its 6-month report through its own link, as a member does (presigned POST to S3).
    const t = await fresh();
    const { page } = t;
    const { url: memberUrl } = await issueLink({ repos, linkKeys: fileLinkKeys(stack.linkSecretFile), clock }, { clusterId: REFERENCE, unitId: HEAD_UNIT, planId: PLAN }, stack.apiUrl);
    await page.goto(memberUrl);
    const fileName = `Báo cáo sơ kết 6 tháng - Cụm trưởng ${randomUUID().slice(0, 6)}.pdf`;
    const bytes = minimalPdf('Bao cao so ket 6 thang - cum truong');
    await byTestId(page, `file-${REPORT}`).setInputFiles({ name: fileName, mimeType: 'application/pdf', buffer: bytes });
    const sentFrom = clock.now();
    await byTestId(page, `submit-${REPORT}`).click();
    await byTestId(page, `status-${REPORT}`).filter({ hasText: 'Đã nộp đúng hạn' }).waitFor({ timeout: 20_000 });
    const receivedBy = clock.now();

    await signInAs(t, HEAD_EMAIL);
    const headCell = byTestId(page, `cell-${HEAD_UNIT}-${REPORT}`);
    expect(await headCell.textContent()).toBe('Đúng hạn');
    expect(await headCell.getAttribute('class')).toBe('badge badge--on-time');
    expect(await headCell.getAttribute('aria-label')).toMatch(/^Công đoàn Trường Đại học Văn hóa, Thể thao và Du lịch Thanh Hóa – Báo cáo sơ kết 06 tháng đầu năm học 2021 - 2022: Đã nộp đúng hạn, \d+ tệp$/);
    // Sample unit A uploads nothing in this stack's table (its tests use their own table).
    const memberCell = byTestId(page, `cell-don-vi-mau-a-${REPORT}`);
    expect(await memberCell.textContent()).toBe('Chưa đến hạn');
    expect(await memberCell.getAttribute('class')).toBe('badge badge--not-due');
    expect(await textOf(page, '[data-testid="updated-at"]')).toMatch(/^Cập nhật lúc \d\d:\d\d:\d\d$/);
    // Counts per milestone (footer) and per unit (last column) are in words.
    expect(await textOf(page, `[data-testid="count-${REPORT}"]`)).toMatch(/^(\d+ [^\d·]+ ?)+$/);
    expect(await textOf(page, `[data-testid="count-${REPORT}"]`)).toMatch(/\d+ Đúng hạn/);
    expect(await textOf(page, `[data-testid="row-${HEAD_UNIT}"] .board__sum`)).toMatch(/^1 Đúng hạn/);

    // Filters: by status, and by unit name.
    await byTestId(page, 'filter-unit').fill('mẫu a');
    expect(await page.locator('[data-testid="board"] tbody tr').count()).toBe(1);
    await byTestId(page, 'filter-unit').fill('');
    await byTestId(page, 'filter-status').selectOption('on-time');
    expect(await byTestId(page, `row-${HEAD_UNIT}`).count()).toBe(1);
    expect(await byTestId(page, 'row-don-vi-mau-a').count()).toBe(0);
    await byTestId(page, 'filter-status').selectOption('');

    // The cell's versions: name, size, time received (ICT, though this desktop is in Paris), download.
    await headCell.click();
    const panel = byTestId(page, 'cell-panel');
    await panel.waitFor();
    const version = panel.locator('[data-testid="version"]').filter({ hasText: fileName });
    expect(await version.count()).toBe(1);
    const meta = ((await version.locator('.version__meta').textContent()) ?? '').trim();
    const shown = /^(\d+) B · nhận lúc (\d\d\/\d\d\/\d{4}) (\d\d:\d\d)$/.exec(meta);
    expect(shown, meta).not.toBeNull();
    expect(Number(shown![1])).toBe(bytes.length);
    const minutes: string[] = [];
    for (let m = Math.floor(sentFrom.getTime() / 60_000); m <= receivedBy.getTime() / 60_000; m++) minutes.push(formatInstantVi(new Date(m * 60_000)));
    expect(minutes).toContain(`${shown![3]} ${shown![2]}`);
    expect(await panel.locator('[data-testid="panel-status"]').textContent()).toBe('Đã nộp đúng hạn');
    await saveScreenshot(page, 'admin-2-board-cell-panel');

    const [download] = await Promise.all([page.waitForEvent('download'), version.getByRole('button', { name: 'Tải về' }).click()]);
    expect(download.suggestedFilename()).toBe(fileName);
    const downloaded = await download.path();
    expect(downloaded).toBeTruthy();
    expect(readFileSync(downloaded!).equals(bytes)).toBe(true);
    await panel.getByRole('button', { name: 'Đóng' }).click();
    expect(await panel.isVisible()).toBe(false);
    expectNoProblems(t);

    // A phone: the board scrolls sideways inside its box, the page itself does not.
    const phone = await fresh(MOBILE);
    await signInAs(phone, HEAD_EMAIL);
    const widths = await phone.page.evaluate(() => {
      const box = document.querySelector('.table-scroll')!;
      return { page: document.documentElement.scrollWidth, viewport: window.innerWidth, box: box.clientWidth, table: box.scrollWidth };
    });
    expect(widths.page).toBeLessThanOrEqual(widths.viewport);
    expect(widths.table).toBeGreaterThan(widths.box);
    expect(await byTestId(phone.page, `cell-${HEAD_UNIT}-${REPORT}`).textContent()).toBe('Đúng hạn');
    await saveScreenshot(phone.page, 'admin-1-board-phone');
    expectNoProblems(phone);
  });

  it('page weight of the board: shell, script, style sheet and API JSON on a first load', async () => {
    const t = await fresh();
    await signInAs(t, HEAD_EMAIL);
    const page = await t.context.newPage();
    const cdp = await t.context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
    const urls = new Map<string, string>();
    const bytes = new Map<string, number>();
    cdp.on('Network.requestWillBeSent', (e) => urls.set(e.requestId, e.request.url));
    cdp.on('Network.loadingFinished', (e) => bytes.set(e.requestId, e.encodedDataLength));
    await page.goto(`${stack.apiUrl}/admin#/bang-theo-doi`);
    await byTestId(page, 'board').waitFor();
    await page.waitForLoadState('networkidle');
    const rows = [...bytes].map(([id, size]) => ({ path: new URL(urls.get(id) ?? 'about:blank').pathname, size }));
    const group = (test: (p: string) => boolean) => rows.filter((r) => test(r.path)).reduce((n, r) => n + r.size, 0);
    const weight = {
      shell: group((p) => p === '/admin'),
      script: group((p) => p.endsWith('.js')),
      styles: group((p) => p.endsWith('.css')),
      api: group((p) => p.startsWith('/api/')),
      total: rows.reduce((n, r) => n + r.size, 0),
      requests: rows.length,
    };
    console.log(
      `Board first load (reference plan, ${await page.locator('[data-testid="board"] tbody tr').count()} units x ${await page.locator('[data-testid="board"] thead th').count() - 2} milestones): ` +
        `${(weight.total / 1024).toFixed(1)} KB transferred in ${weight.requests} requests ` +
        `(shell ${(weight.shell / 1024).toFixed(1)} KB, script ${(weight.script / 1024).toFixed(1)} KB, styles ${(weight.styles / 1024).toFixed(1)} KB, API JSON ${(weight.api / 1024).toFixed(1)} KB); ` +
        rows.map((r) => `${r.path} ${r.size} B`).join(', '),
    );
    expect(rows.map((r) => r.path.replace(/\/app\.[0-9a-f]{12}\./, '/app.HASH.')).sort()).toEqual([
      '/admin',
      '/admin/assets/app.HASH.css',
      '/admin/assets/app.HASH.js',
      '/api/auth/session',
      `/api/clusters/${REFERENCE}/plans`,
      `/api/clusters/${REFERENCE}/plans/${PLAN}/board`,
    ]);
    // Compressed assets (brotli or gzip) and a board under 100 KB in all.
    expect(weight.script).toBeLessThan(20 * 1024);
    expect(weight.total).toBeLessThan(100 * 1024);
    await cdp.detach();
    expectNoProblems(t);
  });
});
