/// <reference lib="dom" />
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { projectRoot } from '../../platform/src';
import { startStack, type Stack } from '../support/stack';

const CHROMIUM = '/usr/bin/chromium';
const available = existsSync(CHROMIUM);
if (!available && process.env.CI) {
  // In CI the browser test must run: .ci/run installs Chromium from Debian.
  throw new Error(`${CHROMIUM} is missing: install it with apt-get install -y chromium`);
}
if (!available) console.warn(`SKIPPED: the auditor console's browser test needs Debian's Chromium at ${CHROMIUM} (apt-get install -y chromium)`);
const describeWithBrowser = available ? describe : describe.skip;

/** Issue 24: an auditor finds who looked at a person, and the records behind a misuse signal. */
describeWithBrowser("the auditor's console in headless Chromium", () => {
  let stack: Stack;
  let browser: Browser;
  let page: Page;
  const requested: string[] = [];

  beforeAll(async () => {
    stack = await startStack({ mode: 'in-process', persons: 50 });
    // The officer looks the person up; then asks under purpose C with no case number (a misuse signal).
    const lookup = await stack.query('officer', 'query OfficerProfile { person(id: "A10000001") { id name { last } } }');
    expect(lookup.body.errors).toBeUndefined();
    const noReason = await stack.query('officer', '{ person(id: "A10000002") { id } }', undefined, { 'x-reason': undefined });
    expect(noReason.body.errors).toBeDefined();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
    page = await browser.newPage({ viewport: { width: 1300, height: 900 } });
    page.on('request', (r) => requested.push(r.url()));
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it("opens a subject's timeline from a deep link, signed in as the sandbox auditor, and shows who looked", async () => {
    await page.goto(`${stack.baseUrl}/audit/?subject=Person:A10000001`);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 20_000 });
    expect(await page.locator('#who').innerText()).toContain('auditor');
    expect(await page.locator('#timeline-title').innerText()).toBe('Who looked at Person:A10000001');
    const lookers = await page.locator('#timeline-who tr.looker').allInnerTexts();
    expect(lookers.some((row) => row.includes('u-officer-1001') && row.includes('Officer Dana Reyes') && row.includes('CA0194200'))).toBe(true);
    expect(await page.locator('#timeline li').first().innerText()).toContain('OfficerProfile');
  });

  it('opens a misuse signal and lists the records behind it', async () => {
    await page.click('button[data-view="signals"]');
    await page.click('#signals-form button[type="submit"]');
    const signal = page.locator('button[data-signal="PURPOSE_C_WITHOUT_REASON"]');
    await signal.waitFor({ timeout: 15_000 });
    await signal.click();
    expect(await page.locator('#signal-title').innerText()).toContain('PURPOSE_C_WITHOUT_REASON · u-officer-1001');
    const rows = await page.locator('#signal-records table.events tbody tr').allInnerTexts();
    expect(rows.length).toBeGreaterThanOrEqual(1);
    for (const row of rows) expect(row).toContain('u-officer-1001');
  });

  it("charts a user's lookups per day against the baseline, and by hour", async () => {
    await page.locator('#signal-records a', { hasText: 'u-officer-1001' }).first().click();
    await page.waitForFunction(() => document.body.dataset.view === 'user' && document.querySelectorAll('#user-per-day rect.bar').length === 7);
    const perDay = await page.locator('#user-per-day rect.bar').evaluateAll((rs) => rs.map((r) => Number(r.getAttribute('data-value'))));
    expect(perDay[perDay.length - 1]).toBeGreaterThanOrEqual(1);
    expect(await page.locator('#user-by-hour rect.bar').count()).toBe(24);
    expect(await page.locator('#user-per-day line.baseline').count()).toBe(1);
    // The screenshots in docs/, when asked for (AUDITOR_CONSOLE_SCREENSHOTS=1), as the explorer's test does.
    if (process.env.AUDITOR_CONSOLE_SCREENSHOTS) {
      mkdirSync(join(projectRoot(), 'docs'), { recursive: true });
      await page.screenshot({ path: join(projectRoot(), 'docs/auditor-console-user.png'), fullPage: true });
      await page.goto(`${stack.baseUrl}/audit/?subject=Person:A10000001`);
      await page.waitForSelector('body[data-ready="true"]');
      await page.screenshot({ path: join(projectRoot(), 'docs/auditor-console.png'), fullPage: true });
    }
  });

  it('asked no other origin for anything', () => {
    expect(requested.length).toBeGreaterThan(5);
    expect(requested.filter((u) => new URL(u).origin !== stack.baseUrl)).toEqual([]);
  });
});
