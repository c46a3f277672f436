/**
 * Real-browser tests: Debian's Chromium driven by playwright-core (no browser download; CI's .ci/run installs the
 * `chromium` package). One browser per test file, a fresh context (cookies, storage, viewport) per test, every page
 * watched for console errors, uncaught exceptions and CSP violations, and screenshots kept under test-output/.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Locator, type Page } from 'playwright-core';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Where screenshots go: git-ignored, kept by CI as an artifact. */
export const SCREENSHOT_DIR = join(REPO_ROOT, 'test-output', 'screenshots');

/** A phone-sized viewport: most units open their link from the email on a phone. */
export const MOBILE: BrowserContextOptions = {
  viewport: { width: 390, height: 844 },
  deviceScaleFactor: 2,
  isMobile: true,
  hasTouch: true,
  locale: 'vi-VN',
  timezoneId: 'Asia/Ho_Chi_Minh',
};

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/** The Chromium to drive: $CHROMIUM_PATH, else Debian's package. */
export function chromiumPath(): string {
  return process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
}

/** Launches Chromium, or fails with what to install: a browser test that skips itself would hide a gap in CI. */
export async function launchBrowser(): Promise<Browser> {
  const executablePath = chromiumPath();
  if (!existsSync(executablePath)) {
    throw new Error(
      `Chromium not found at ${executablePath}. The browser tests need it: install it with ` +
        '`apt-get install -y chromium` (CI\'s .ci/run does), or point CHROMIUM_PATH at a Chromium binary. ' +
        'Do not run `npx playwright install`: these tests use the system browser.',
    );
  }
  return chromium.launch({ executablePath, args: CHROMIUM_ARGS });
}

/** A CSP violation as the page saw it (securitypolicyviolation event). */
export interface CspViolation {
  directive: string;
  blockedURI: string;
  sample: string;
}

/** What went wrong inside the pages of a context, for tests to assert is empty. */
export interface PageProblems {
  /** console.error / console.warning lines, with where they came from. */
  consoleErrors: string[];
  /** Uncaught exceptions and unhandled rejections. */
  pageErrors: string[];
  cspViolations: CspViolation[];
}

export interface TestContext {
  context: BrowserContext;
  page: Page;
  problems: PageProblems;
  close(): Promise<void>;
}

/**
 * Console lines that are the browser's doing, not the page's. None today: the pages declare an empty icon, so
 * Chromium no longer asks for /favicon.ico (and logs the 404) by itself.
 */
const IGNORED_CONSOLE: ReadonlyArray<(text: string, url: string) => boolean> = [];

const CSP_BINDING = '__ctdReportCspViolation';

/**
 * Runs in every document before its own scripts (injected by the browser, so the page's CSP does not block it) and
 * reports each CSP violation to the test through a binding.
 */
const CSP_LISTENER = `document.addEventListener('securitypolicyviolation', function (e) {
  window.${CSP_BINDING}({ directive: e.effectiveDirective || e.violatedDirective, blockedURI: e.blockedURI, sample: e.sample || '' });
});`;

/**
 * A fresh context and page, watched for problems. `page.on('console')` and `page.on('pageerror')` catch script
 * errors and Chromium's "Refused to ..." CSP messages; the securitypolicyviolation listener catches violations even
 * where Chromium logs nothing.
 */
export async function newTestContext(browser: Browser, options: BrowserContextOptions = MOBILE): Promise<TestContext> {
  const context = await browser.newContext(options);
  const problems: PageProblems = { consoleErrors: [], pageErrors: [], cspViolations: [] };
  await context.exposeBinding(CSP_BINDING, (_source, violation: CspViolation) => {
    problems.cspViolations.push(violation);
  });
  await context.addInitScript({ content: CSP_LISTENER });
  const page = await context.newPage();
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') {
      const { url, lineNumber } = message.location();
      if (IGNORED_CONSOLE.some((ignored) => ignored(message.text(), url))) return;
      problems.consoleErrors.push(`[${message.type()}] ${message.text()}${url ? ` (${url}:${lineNumber})` : ''}`);
    }
  });
  page.on('pageerror', (error) => problems.pageErrors.push(error.stack ?? error.message));
  return { context, page, problems, close: () => context.close() };
}

/**
 * Saves a screenshot to test-output/screenshots/<name>.png and returns its path: the whole page, or one element.
 * @param target a page (full-page screenshot) or a locator (just that element, e.g. one milestone card).
 * @param name a file-system-friendly name, e.g. "member-upload-before".
 */
export async function saveScreenshot(target: Page | Locator, name: string): Promise<string> {
  if (!/^[a-z0-9][a-z0-9._-]*$/i.test(name)) throw new Error(`Screenshot name "${name}" should be a plain file name`);
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  if ('goto' in target) await target.screenshot({ path, fullPage: true });
  else await target.screenshot({ path });
  return path;
}
