/// <reference lib="dom" />
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startStack, type Stack } from '../support/stack';
import { dispatcherSubscribed } from '../support/subscriptions';

const CHROMIUM = '/usr/bin/chromium';
const available = existsSync(CHROMIUM);
if (!available && process.env.CI) throw new Error(`${CHROMIUM} is missing: install it with apt-get install -y chromium`);
if (!available) console.warn(`SKIPPED: the explorer's subscription test needs Debian's Chromium at ${CHROMIUM} (apt-get install -y chromium)`);
const describeWithBrowser = available ? describe : describe.skip;

const ISSUE = /* GraphQL */ `
  mutation Issue($input: IssueProtectiveOrderInput!) {
    issueProtectiveOrder(input: $input) {
      id
      version
    }
  }
`;

/** Issue 23: a dispatcher's subscription in the sandbox explorer hears of the order the clerk issues. */
describeWithBrowser('subscriptions in the sandbox explorer (headless Chromium)', () => {
  let stack: Stack;
  let browser: Browser;
  let page: Page;
  const requested: string[] = [];

  beforeAll(async () => {
    stack = await startStack({ persons: 100 });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.on('request', (r) => requested.push(r.url()));
    page.on('websocket', (ws) => requested.push(ws.url()));
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it("shows the dispatcher's subscription the order the clerk issues, over this origin only", async () => {
    await page.goto(`${stack.baseUrl}/`);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 45_000 });
    await page.selectOption('#persona', 'dispatcher');
    await page.waitForFunction(() => document.body.dataset.persona === 'dispatcher');
    await page.click('.graphiql-tab:has-text("OrderWatch")');
    await page.waitForFunction(() => document.querySelector('.graphiql-query-editor')?.textContent?.includes('protectiveOrderEvents'));
    await page.click('.graphiql-execute-button');

    // The subscription is attached once its subscribe record is in the audit.
    await dispatcherSubscribed(stack, 'OrderWatch');

    const issued = await stack.query('court-clerk', ISSUE, {
      input: {
        caseNumber: 'FL-26-023023',
        court: 'LOS ANGELES SUPERIOR COURT',
        type: 'DVRO',
        restrainedPersonId: 'A10000001',
        protectedParties: [{ name: { last: 'ROE', first: 'JANE' }, dateOfBirth: '1988-07-02', relationship: 'SPOUSE', personId: 'A10000002' }],
        terms: { noContact: true, stayAwayYards: 100, stayAwayFrom: ['PROTECTED PARTY'], firearmsProhibited: true },
        expiresAt: new Date(Date.now() + 365 * 86_400_000).toISOString(),
      },
    });
    expect(issued.body.errors).toBeUndefined();
    const orderId = issued.body.data!.issueProtectiveOrder.id as string;

    await page.waitForFunction((id) => (document.querySelector('.result-window')?.textContent ?? '').includes(id), orderId, { timeout: 60_000 });
    const shown = await page.locator('.result-window').innerText();
    expect(shown).toContain('ISSUED');
    expect(shown).toContain('"version": 1');
    // Thin: the persons the event was matched on never reach the page.
    expect(shown).not.toContain('A10000002');

    const origin = new URL(stack.baseUrl);
    const foreign = requested.filter((u) => new URL(u).host !== origin.host);
    expect(foreign).toEqual([]);
    expect(requested).toContain(`ws://${origin.host}/graphql`);
  }, 180_000);
});
