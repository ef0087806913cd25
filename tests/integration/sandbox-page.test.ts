/**
 * The sandbox's page, as a person sees it in a browser (headless Chromium from Debian), while
 * an incident is assembled against it.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { eventually, startHarness, testEnv, type Harness } from '../support/harness';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

let h: Harness;
let browser: Browser;
beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`No Chromium at ${CHROMIUM}: apt-get install chromium (or set CHROMIUM_PATH)`);
  h = await startHarness({ sandbox: true });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});
afterAll(async () => {
  await browser?.close();
  await h?.close();
});

test('the page shows the channel, its messages, the ticket, documents and the meeting', async () => {
  const { incident } = await h.client.declare({ title: 'Search is down', priority: 'High', reporter: { email: 'rita@example.com' } });
  const ready = await eventually(async () => {
    const state = await h.client.get(incident.id);
    const resources = Object.values(state.resources);
    return resources.length === 7 && resources.every((r) => r.status === 'ready') ? state : undefined;
  }, { timeoutMs: 45_000 });

  const page = await browser.newPage();
  await page.goto(h.sandbox!.url);
  await page.screenshot({ path: join(testEnv().dir, 'sandbox-page.png'), fullPage: true });

  const section = (vendor: string) => page.locator(`article[data-vendor="${vendor}"]`);
  await expect(page.title()).resolves.toBe('Muster sandbox');
  const slack = await section('slack').innerText();
  expect(slack).toContain(incident.id.toLowerCase());
  expect(slack).toContain(`${incident.id}: Search is down`);
  const jira = await section('jira').innerText();
  expect(jira).toContain(ready.resources.ticket!.externalId!);
  const google = await section('google').innerText();
  expect(google).toContain(`${incident.id}: Search is down`);
  expect(google).toContain(ready.resources.conference!.url!);
  expect(google).toContain(`${incident.id.toLowerCase()}@example.com`);
});
