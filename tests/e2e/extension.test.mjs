// The browser extension in headless Chromium (Debian's, which loads unpacked extensions under
// --headless=new): its service worker starts, its hook is on the page before the page's scripts
// and registers the page's cache, and its panel page (opened as a page for the inspected tab, as
// the devtools would host it) lists the entries, follows the page's events and invalidates.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { launchBrowser } from './browser.mjs';
import { root } from './harness.mjs';
import { serveFolder } from '../../scripts/static-server.mjs';

let server;
let browser;
let worker;

before(async () => {
  execFileSync('bash', [join(root, 'scripts/build-extension.sh')], { stdio: 'ignore' });
  server = await serveFolder(root);
  browser = await launchBrowser({ extension: join(root, 'target/extension') });
  [worker] = browser.context.serviceWorkers();
  worker ??= await browser.context.waitForEvent('serviceworker', { timeout: 15_000 });
});

after(async () => {
  await browser?.close();
  await server?.close();
});

test('the extension: service worker, hook before the page, a panel that lists, follows and invalidates', async () => {
  assert.match(worker.url(), /^chrome-extension:\/\/[a-p]{32}\/background\.js$/);
  const extensionId = worker.url().split('/')[2];
  const page = await browser.newPage();
  // The page checks for the hook in its first inline script.
  await page.goto(`${server.url}/tests/e2e/pages/blank.html`);
  assert.equal(await page.evaluate(() => Array.isArray(globalThis[Symbol.for('smartcache.devtools')])), true);
  await page.evaluate(async () => {
    const { SmartCache } = await import('/pkg/index.js');
    window.cache = await SmartCache.open({ namespace: 'extension' });
    await window.cache.set('payment:7', { amount: 1 });
    await window.cache.set('payments:company:1', [7], { dependsOn: ['payment:7'] });
    await window.cache.set('company:1', { id: 1, name: 'Acme '.repeat(200) }, { dependsOn: ['payments:company:1'] });
  });
  const tabs = await worker.evaluate(() => [...globalThis.smartcacheTabs.entries()].map(([id, t]) => [id, t.url]));
  const [tabId] = tabs.find(([, url]) => url.endsWith('/tests/e2e/pages/blank.html'));

  const panel = await browser.newPage();
  await panel.goto(`chrome-extension://${extensionId}/panel.html?tab=${tabId}`);
  await panel.waitForSelector('.row[data-key="company:1"]');
  assert.equal(await panel.locator('select[aria-label="cache"] option').first().textContent(), 'extension v1');
  const row = await panel.locator('.row[data-key="company:1"] span').allTextContents();
  assert.deepEqual(row.slice(0, 3), ['company:1', 'local', '✓']);

  // The page's events reach the panel: a new entry shows, the timeline has it.
  await page.evaluate(() => window.cache.set('contacts:company:1', [{ id: 3 }]));
  await panel.waitForSelector('.row[data-key="contacts:company:1"]');
  await panel.click('[data-tab="timeline"]');
  await panel.waitForSelector('[data-event="set"]');
  await panel.click('[data-tab="entries"]');

  // An invalidation from the panel: the entry and what depends on it leave the page's cache.
  await panel.click('.row[data-key="payments:company:1"]');
  await panel.waitForSelector('[data-detail] [data-edge="company:1 -> payments:company:1"]');
  await panel.screenshot({ path: join(root, 'docs/devtools-extension.png') });
  await panel.click('[data-action="invalidate"]');
  await panel.waitForFunction(() => !document.querySelector('.row[data-key="company:1"]'));
  const left = await page.evaluate(async () => Promise.all(['company:1', 'payments:company:1', 'payment:7'].map((k) => window.cache.has(k))));
  assert.deepEqual(left, [false, false, true]);
  await panel.close();
  await page.close();
});
