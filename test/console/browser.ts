// A real headless Chromium (Debian's `chromium` package) driven through playwright-core, for the
// console tests. Each launch gets a fresh profile dir, removed when the test ends; screenshots go
// to test/console/screenshots/ (git-ignored) for people to look at.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { type BrowserContext, chromium, type Page } from 'playwright-core';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SCREENSHOTS = join(import.meta.dirname, 'screenshots');

/** Chromium, or a skip naming what is missing (a failure under CI=true, where .ci/run installs it). */
export async function launchChromium(t: TestContext): Promise<BrowserContext | undefined> {
  if (!existsSync(CHROMIUM)) {
    const line = `chromium is not installed at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`;
    if (process.env.CI === 'true') throw new Error(`CI=true and ${line}`);
    t.skip(`skipped: ${line}`);
    return undefined;
  }
  const profile = mkdtempSync(join(tmpdir(), 'catalyst-chromium-'));
  // A persistent context is how Playwright takes a profile dir of our choosing (--user-data-dir).
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 900 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  t.after(async () => {
    await browser.close();
    rmSync(profile, { recursive: true, force: true });
  });
  return browser;
}

/** Writes a full-page screenshot named `name`.png. */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** A page that records console errors and failed requests, to show when a test fails. */
export async function openPage(
  browser: BrowserContext,
  url: string,
): Promise<{ page: Page; problems: string[] }> {
  const page = await browser.newPage();
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('dialog', (d) => void d.accept());
  await page.goto(url);
  return { page, problems };
}
