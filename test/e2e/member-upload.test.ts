/**
 * A member unit's link in a real browser (Debian's Chromium through playwright-core), against the whole local stack
 * of the test harness: the page, the presigned upload straight to s3rver, the recorder run by the object-created
 * event, the page's poll and reload, the receipt in the SES emulator, and the pages of revoked and forged links.
 *
 * Each test uses its own sample unit (D, C, B), and reads only the mail sent to that unit about its own file, so
 * that neither the other tests here nor other test files (same stack, same bucket, same mailbox) interfere. The
 * upload test uses unit D and the link test unit B because test/integration/uploads.test.ts counts every mail to
 * don-vi-mau-a and don-vi-mau-b; no test here sends mail to those two. The harness clock starts at 25/11/2021 09:00
 * (ICT) and runs forward in real time: well before the 6-month report's deadline (10/12/2021).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { LOCAL_CREDENTIALS } from '../../local/emulators';
import { createDynamoRepositories } from '../../shared/adapters/dynamodb/repositories';
import { fileLinkKeys } from '../../shared/adapters/secrets/link-keys';
import { checkDeclaredType } from '../../shared/domain/file-check';
import { formatInstantVi } from '../../shared/domain/time';
import { offsetClock, type Clock } from '../../shared/ports/clock';
import { toDocumentClient } from '../../shared/runtime/aws-clients';
import { issueLink, revokeLinks, type LinkDeps } from '../../shared/use-cases/links';
import { minimalPdf } from '../support/files';
import { launchBrowser, newTestContext, saveScreenshot, type TestContext } from '../support/browser';
import { waitForMail as waitForMailIn, type StoredEmail } from '../support/mailbox';

const CLUSTER = 'thanh-hoa-cum-5';
const PLAN = '2021-2022';
const MILESTONE = 'bao-cao-so-ket-6-thang';
/** From the page's reload after an accepted file (client script: poll every second, reload 1.5 s / 4 s later). */
const RELOAD_TIMEOUT_MS = 20_000;

const unitName = (letter: string) => `Công đoàn Trường mẫu ${letter.toUpperCase()} (đơn vị mẫu)`;
const unitEmail = (unitId: string) => `${unitId}@example.com`;

// ---------------------------------------------------------------------------------------------------------------
// The harness's stack, its clock, and links signed with its own secret, as `npm run cli -- link` does for the local
// target.

const stack = inject('stack');
if (!stack.clock) throw new Error('The harness stack should run on a simulated clock (HARNESS_NOW), see test/support/global-setup.ts');
/** The stack's clock: HARNESS_NOW when the harness started, running forward in real time (as the handlers see it). */
const clock: Clock = offsetClock(stack.clock.start, stack.clock.startedAt);

const dynamo = new DynamoDBClient({ endpoint: stack.dynamodbEndpoint, region: stack.region, credentials: LOCAL_CREDENTIALS });
const linkDeps: LinkDeps = {
  repos: createDynamoRepositories(toDocumentClient(dynamo), stack.tableName, clock),
  linkKeys: fileLinkKeys(stack.linkSecretFile),
  clock,
};

async function linkFor(unitId: string): Promise<{ url: string; token: string }> {
  const link = await issueLink(linkDeps, { clusterId: CLUSTER, unitId, planId: PLAN }, stack.apiUrl);
  expect(link.url).toBe(`${stack.apiUrl}/u/${link.token}`);
  return link;
}

// ---------------------------------------------------------------------------------------------------------------
// Files and times

/** The "HH:mm dd/mm/yyyy" labels of every minute from `from` to `to` (stack time). */
function minuteLabels(from: Date, to: Date): string[] {
  const labels: string[] = [];
  for (let t = Math.floor(from.getTime() / 60_000) * 60_000; t <= to.getTime(); t += 60_000) labels.push(formatInstantVi(new Date(t)));
  return labels;
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

// ---------------------------------------------------------------------------------------------------------------
// The SES emulator's mailbox

/** The recorder sends mail right after recording, so it may still be on its way when the page has reloaded. */
const waitForMail = (address: string, matches: (e: StoredEmail) => boolean) => waitForMailIn(stack, address, { matches });

// ---------------------------------------------------------------------------------------------------------------
// The page

const byTestId = (page: Page, id: string) => page.locator(`[data-testid="${id}"]`);
const text = async (page: Page, selector: string) => ((await page.locator(selector).textContent()) ?? '').replace(/\s+/g, ' ').trim();

/** No uncaught error, no CSP violation, no console error or warning (but the `expected` lines, verbatim). */
function expectNoProblems(t: TestContext, expected: string[] = []): void {
  expect(t.problems.pageErrors).toEqual([]);
  expect(t.problems.cspViolations).toEqual([]);
  expect(t.problems.consoleErrors.filter((line) => !expected.includes(line))).toEqual([]);
}

/** How Chromium logs a document's own error status: expected on the link error pages, and nothing else. */
const documentStatusLine = (url: string, status: string) =>
  `[error] Failed to load resource: the server responded with a status of ${status} (${url}:0)`;

let browser: Browser;
let current: TestContext | undefined;

beforeAll(async () => {
  browser = await launchBrowser();
});

afterEach(async () => {
  await current?.close();
  current = undefined;
});

afterAll(async () => {
  await browser?.close();
  dynamo.destroy();
});

/** Opens a URL in a fresh context (closing the previous one). */
async function open(url: string): Promise<{ t: TestContext; page: Page; status: number | undefined }> {
  await current?.close();
  current = await newTestContext(browser);
  const response = await current.page.goto(url, { waitUntil: 'load' });
  return { t: current, page: current.page, status: response?.status() };
}

describe('member link in Chromium', () => {
  it('uploads a PDF with a Vietnamese name: on time after reload, file listed, receipt emailed with its SHA-256', async () => {
    const unitId = 'don-vi-mau-d';
    const { url } = await linkFor(unitId);
    const { t, page, status } = await open(url);

    expect(status).toBe(200);
    expect(await text(page, 'h1')).toBe(unitName('d'));
    expect(await byTestId(page, `milestone-${MILESTONE}`).count()).toBe(1);
    expect(await text(page, `[data-testid="milestone-${MILESTONE}"] h2`)).toBe('Báo cáo sơ kết 06 tháng đầu năm học 2021 - 2022');
    expect(await text(page, `[data-testid="status-${MILESTONE}"]`)).toBe('Trạng thái: Chưa đến hạn');
    expect(await byTestId(page, `milestone-${MILESTONE}`).locator('[data-testid="file-row"]').count()).toBe(0);
    await saveScreenshot(page, 'member-upload-1-before');
    await saveScreenshot(byTestId(page, `milestone-${MILESTONE}`), 'member-upload-1-before-card');

    const fileName = 'Báo cáo sơ kết 6 tháng - Đơn vị mẫu D.pdf';
    expect(fileName).toBe(fileName.normalize('NFC'));
    const bytes = minimalPdf('Bao cao so ket 6 thang - don vi mau D');
    await byTestId(page, `file-${MILESTONE}`).setInputFiles({ name: fileName, mimeType: 'application/pdf', buffer: bytes });
    const sentFrom = clock.now();
    await byTestId(page, `submit-${MILESTONE}`).click();

    // Only the reloaded page says "on time"; before that the badge still says "Chưa đến hạn".
    await byTestId(page, `status-${MILESTONE}`).filter({ hasText: 'Đã nộp đúng hạn' }).waitFor({ timeout: RELOAD_TIMEOUT_MS });
    const receivedBy = clock.now();
    expect(await text(page, `[data-testid="status-${MILESTONE}"]`)).toBe('Trạng thái: Đã nộp đúng hạn');
    expect(await text(page, `[data-testid="upload-status-${MILESTONE}"]`)).toBe('');

    const rows = byTestId(page, `milestone-${MILESTONE}`).locator('[data-testid="file-row"]');
    expect(await rows.count()).toBe(1);
    const shownName = (await rows.locator('.file__name').textContent()) ?? '';
    expect(shownName).toBe(`Lần 1 ${fileName}`);
    expect(shownName.normalize('NFC')).toBe(shownName);
    const meta = (await rows.locator('.file__meta').textContent()) ?? '';
    const receivedAt = /^(\d+) B · nhận lúc (\d\d:\d\d \d\d\/\d\d\/\d{4})$/.exec(meta);
    expect(receivedAt, meta).not.toBeNull();
    expect(Number(receivedAt![1])).toBe(bytes.length);
    const receivedAtLabel = receivedAt![2]!;
    expect(receivedAtLabel).toMatch(/ 25\/11\/2021$/);
    expect(minuteLabels(sentFrom, receivedBy)).toContain(receivedAtLabel);
    expect(await rows.getAttribute('class')).toBe('file');
    expect(await rows.locator('.file__quarantine, .tag--late').count()).toBe(0);
    expect(await rows.locator('.file__hash code').getAttribute('title')).toBe(sha256(bytes));
    await saveScreenshot(page, 'member-upload-2-on-time');
    await saveScreenshot(byTestId(page, `milestone-${MILESTONE}`), 'member-upload-2-on-time-card');

    // This upload's mail to the unit: the file name is this test's own (other test files upload for the same unit).
    const mails = await waitForMail(unitEmail(unitId), (e) => (e.body.text ?? '').includes(`- Tên tệp: ${fileName}\n`));
    expect(mails).toHaveLength(1);
    const receipt = mails[0]!;
    expect(receipt.destination.to).toEqual([unitEmail(unitId)]);
    expect(receipt.subject).toBe(`[Cụm Thi đua số 5] Biên nhận: Báo cáo sơ kết 06 tháng đầu năm học – ${unitName('d')}`);
    for (const body of [receipt.body.text ?? '', receipt.body.html ?? '']) {
      expect(body).toContain(fileName);
      expect(body).toContain(sha256(bytes));
      expect(body).toContain(`${bytes.length} B (${bytes.length} byte)`);
      expect(body).toContain(`${receivedAtLabel} (giờ Việt Nam)`);
    }
    expect(receipt.body.text).toContain('- Tình trạng: Đúng hạn');

    expectNoProblems(t);
  });

  it('a PNG declared as PDF is quarantined with a Vietnamese reason and the milestone stays unsubmitted', async () => {
    const unitId = 'don-vi-mau-c';
    const { url } = await linkFor(unitId);
    const { t, page, status } = await open(url);
    expect(status).toBe(200);
    expect(await text(page, 'h1')).toBe(unitName('c'));
    expect(await text(page, `[data-testid="status-${MILESTONE}"]`)).toBe('Trạng thái: Chưa đến hạn');

    const png = readFileSync(join(import.meta.dirname, '../fixtures/files/sample.png'));
    const expected = await checkDeclaredType('application/pdf', png, png.length);
    expect(expected.ok).toBe(false);
    const reason = expected.ok ? '' : expected.reason;
    expect(reason).toMatch(/^Nội dung tệp không phải PDF .*PNG/);

    // As a Mac names files (NFD): the page must show the name in NFC, as the unit typed it.
    const fileName = 'Ảnh chụp báo cáo - Đơn vị mẫu C.pdf';
    const decomposed = fileName.normalize('NFD');
    expect(decomposed).not.toBe(fileName);
    await byTestId(page, `file-${MILESTONE}`).setInputFiles({ name: decomposed, mimeType: 'application/pdf', buffer: png });
    await byTestId(page, `submit-${MILESTONE}`).click();

    // Before the reload the script says why; after it, the file is listed as quarantined.
    await byTestId(page, `upload-status-${MILESTONE}`).filter({ hasText: 'Tệp không được chấp nhận' }).waitFor({ timeout: RELOAD_TIMEOUT_MS });
    expect(await text(page, `[data-testid="upload-status-${MILESTONE}"]`)).toBe(`Tệp không được chấp nhận: ${reason}`);
    expect(await byTestId(page, `upload-status-${MILESTONE}`).getAttribute('data-state')).toBe('error');

    const rows = byTestId(page, `milestone-${MILESTONE}`).locator('[data-testid="file-row"]');
    await rows.first().waitFor({ timeout: RELOAD_TIMEOUT_MS });
    expect(await rows.count()).toBe(1);
    expect(await rows.getAttribute('class')).toContain('file--quarantined');
    expect(await rows.locator('.file__name').textContent()).toBe(`Lần 1 ${fileName}`);
    expect(((await rows.locator('.file__quarantine').textContent()) ?? '').trim()).toBe(`đã cách ly ${reason}`);
    expect(await text(page, `[data-testid="status-${MILESTONE}"]`)).toBe('Trạng thái: Chưa đến hạn');
    // Still open for a corrected file.
    expect(await byTestId(page, `file-${MILESTONE}`).isEnabled()).toBe(true);
    await saveScreenshot(page, 'member-upload-3-quarantined');
    await saveScreenshot(byTestId(page, `milestone-${MILESTONE}`), 'member-upload-3-quarantined-card');

    // This upload's mail to the unit (other test files upload for the same unit): one notice, no receipt.
    const notices = await waitForMail(unitEmail(unitId), (e) => (e.body.text ?? '').includes(`- Tên tệp: ${fileName}\n`));
    expect(notices).toHaveLength(1);
    expect(notices[0]!.subject).toBe(`[Cụm Thi đua số 5] Tệp chưa được chấp nhận: Báo cáo sơ kết 06 tháng đầu năm học – ${unitName('c')}`);
    expect(notices[0]!.subject).not.toContain('Biên nhận');
    expect(notices[0]!.body.text).toContain(`Lý do: ${reason}`);
    expect(notices[0]!.body.text).toContain(`- Mã kiểm tra SHA-256: ${sha256(png)}`);

    expectNoProblems(t);
  });

  it('a revoked link shows "replaced" (410), its replacement works, a forged token shows "not found" (404)', async () => {
    const unitId = 'don-vi-mau-b';
    const old = await linkFor(unitId);
    const before = await open(old.url);
    expect(before.status).toBe(200);
    expect(await text(before.page, 'h1')).toBe(unitName('b'));

    await revokeLinks(linkDeps, CLUSTER, unitId);
    const fresh = await linkFor(unitId);
    expect(fresh.token).not.toBe(old.token);

    const replaced = await open(old.url);
    expect(replaced.status).toBe(410);
    expect(await byTestId(replaced.page, 'link-error-replaced').count()).toBe(1);
    expect(await text(replaced.page, 'h1')).toBe('Đường link đã được thay thế');
    expect(await replaced.page.title()).toBe('Đường link đã được thay thế');
    expect(await replaced.page.content()).not.toContain(old.token);
    await saveScreenshot(replaced.page, 'member-link-replaced');
    expectNoProblems(replaced.t, [documentStatusLine(old.url, '410 (Gone)')]);

    const working = await open(fresh.url);
    expect(working.status).toBe(200);
    expect(await text(working.page, 'h1')).toBe(unitName('b'));
    expect(await text(working.page, `[data-testid="status-${MILESTONE}"]`)).toBe('Trạng thái: Chưa đến hạn');
    expect(await byTestId(working.page, `submit-${MILESTONE}`).isVisible()).toBe(true);
    expectNoProblems(working.t);

    // One character of the signature changed (in the middle: every bit there counts).
    const [segment, signature] = fresh.token.split('.') as [string, string];
    const at = 20;
    const forgedSignature = signature.slice(0, at) + (signature[at] === 'A' ? 'B' : 'A') + signature.slice(at + 1);
    const forged = `${segment}.${forgedSignature}`;
    expect(forged).toHaveLength(fresh.token.length);
    const notFound = await open(`${stack.apiUrl}/u/${forged}`);
    expect(notFound.status).toBe(404);
    expect(await byTestId(notFound.page, 'link-error-not-found').count()).toBe(1);
    expect(await text(notFound.page, 'h1')).toBe('Không tìm thấy trang');
    expect(await byTestId(notFound.page, `milestone-${MILESTONE}`).count()).toBe(0);
    await saveScreenshot(notFound.page, 'member-link-not-found');
    expectNoProblems(notFound.t, [documentStatusLine(`${stack.apiUrl}/u/${forged}`, '404 (Not Found)')]);
  });
});
