// A person's walk through the demo CRM, over the real API server and its seeded SQLite file:
// the company page shows what the database holds, a recorded payment updates the profile, the
// payments table and the dashboard in this tab and another, a reload is served from the cache,
// a server error shows as such. Takes the README's screenshots (docs/).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchBrowser } from './browser.mjs';
import { root } from './harness.mjs';

const work = mkdtempSync(join(tmpdir(), 'smartcache-demo-'));
let server;
let url;
let browser;

before(async () => {
  execFileSync(process.execPath, [join(root, 'node_modules/vite/bin/vite.js'), 'build', 'www/app', '--logLevel', 'error', '--outDir', join(work, 'dist'), '--emptyOutDir'], { cwd: root, stdio: 'inherit' });
  execFileSync('cargo', ['build', '-q', '-p', 'crm-api'], { cwd: root, stdio: 'inherit' });
  server = spawn(join(root, 'target/debug/crm-api'), ['--db', join(work, 'crm.sqlite'), '--static', join(work, 'dist')], {
    env: { ...process.env, PORT: '0', API_LATENCY_MS: '20' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  url = await new Promise((resolve, reject) => {
    server.on('exit', (code) => reject(new Error(`crm-api exited with ${code}`)));
    server.stdout.on('data', (chunk) => {
      const found = /http:\/\/127\.0\.0\.1:\d+\//.exec(String(chunk));
      if (found) resolve(found[0]);
    });
  });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  server?.kill();
  rmSync(work, { recursive: true, force: true });
});

const api = async (path) => (await fetch(new URL(path, url))).json();
const text = (page, selector) => page.locator(selector).first().textContent();
const count = (s) => Number(s.replace(/[^\d]/g, ''));

test('the company page, a payment recorded in one tab reaching the other, a reload from the cache, an error', async () => {
  const page = await browser.newPage();
  await page.goto(url);
  await page.waitForSelector('a[data-company]');
  await page.fill('input[type=search]', 'Iron');
  await page.waitForFunction(() => [...document.querySelectorAll('a[data-company]')].every((a) => a.textContent.includes('Iron')));
  const id = await page.locator('a[data-company]').first().getAttribute('data-company');
  await page.locator('a[data-company]').first().click();
  await page.waitForSelector('#company-name');

  const view = await api(`/api/companies/${id}/view`);
  assert.equal(await text(page, '#company-name'), view.company.name);
  assert.equal(count(await text(page, '#payment-count')), view.payments.count, 'the page shows what the database holds');
  mkdirSync(join(root, 'docs'), { recursive: true });
  await page.screenshot({ path: join(root, 'docs/demo-company.png') });

  // Another tab on the dashboard.
  const other = await browser.newPage();
  await other.goto(`${url}#/dashboard`);
  await other.waitForSelector('#dashboard-count');
  const dashboardBefore = count(await text(other, '#dashboard-count'));

  await page.fill('input[name=amount]', '42.00');
  await page.click('form.record button');
  await page.waitForSelector('#recorded');
  await page.waitForFunction((n) => Number(document.querySelector('#payment-count').textContent.replace(/[^\d]/g, '')) === n, view.payments.count + 1);
  await page.waitForFunction(() => document.querySelector('table.payments td:nth-child(2)')?.textContent === '€42.00');
  await other.waitForFunction((n) => Number(document.querySelector('#dashboard-count').textContent.replace(/[^\d]/g, '')) === n, dashboardBefore + 1, { timeout: 5000 });

  // A reload is served from the cache: no round trip.
  await page.reload();
  await page.waitForSelector('#company-name');
  await page.waitForTimeout(300);
  assert.equal(await text(page, '[data-stat="round-trips"]'), '0');
  assert.equal(count(await text(page, '#payment-count')), view.payments.count + 1);

  // The dashboard's data lives in IndexedDB; the status bar says so.
  await page.goto(`${url}#/dashboard`);
  await page.waitForSelector('#dashboard-count');
  await page.waitForFunction(() => document.querySelector('[data-stat="tier"]')?.textContent.startsWith('indexeddb'));
  await page.screenshot({ path: join(root, 'docs/demo-dashboard.png') });

  // A server error shows as such.
  await page.goto(`${url}#/company/999999`);
  await page.waitForSelector('[role=alert]');
  assert.match(await text(page, '[role=alert]'), /no such company/);
  await page.close();
  await other.close();
});

test('the legacy mode makes the N+1 requests the optimized mode avoids', async () => {
  const page = await browser.newPage();
  await page.goto(url);
  await page.waitForSelector('a[data-company]');
  // The list, then the company page with the first page of its payments table.
  for (const [mode, trips] of [['legacy', 1 + 14 + 1], ['optimized', 1 + 1]]) {
    await page.goto(url);
    await page.waitForSelector('a[data-company]');
    await Promise.all([page.waitForEvent('load'), page.selectOption('select[aria-label=mode]', mode)]);
    await page.waitForSelector('a[data-company]');
    await page.goto(`${url}#/company/7`);
    await page.waitForSelector('#company-name');
    await page.waitForSelector('table.payments');
    await page.waitForTimeout(200);
    // Legacy: company, contacts, payments, the owner's and 10 creators' profiles (the N+1), then
    // the table's page; optimized: the company view, which carries the table's first page.
    assert.equal(Number(await text(page, '[data-stat="round-trips"]')), trips, mode);
  }
  await Promise.all([page.waitForEvent('load'), page.selectOption('select[aria-label=mode]', 'smartcache')]);
  await page.close();
});

test('hovering a company preloads its page: the click shows it with no round trip; the predictor can be switched off', async () => {
  const page = await browser.newPage();
  await page.goto(url);
  await page.waitForSelector('a[data-company]');
  const link = page.locator('a[data-company]').nth(5);
  const id = await link.getAttribute('data-company');
  const preloads = () => text(page, '[data-stat="preloads"]');
  const [stored] = (await preloads()).split(' / ').map(Number);
  await link.hover();
  await page.waitForFunction((n) => Number(document.querySelector('[data-stat="preloads"]').textContent.split(' / ')[0]) > n, stored);
  const trips = Number(await text(page, '[data-stat="round-trips"]'));
  await link.click();
  await page.waitForSelector(`#company-name[data-id="${id}"]`);
  await page.waitForTimeout(200);
  assert.equal(Number(await text(page, '[data-stat="round-trips"]')), trips, 'the page was there before the click');
  await page.waitForFunction(() => Number(document.querySelector('[data-stat="preloads"]').textContent.split(' / ')[1]) >= 1);
  assert.match(await text(page, '[data-stat="predictor"]'), /^on/);

  await Promise.all([page.waitForEvent('load'), page.uncheck('input[aria-label="predictive preloading"]')]);
  await page.waitForSelector(`#company-name[data-id="${id}"]`);
  await page.waitForFunction(() => document.querySelector('[data-stat="predictor"]'));
  assert.match(await text(page, '[data-stat="predictor"]'), /^off/);
  await Promise.all([page.waitForEvent('load'), page.check('input[aria-label="predictive preloading"]')]);
  await page.close();
});

test('the devtools panel lists the demo\'s entries, draws company → payments, and an invalidation from it reaches the page', async () => {
  const page = await browser.newPage();
  await page.goto(`${url}#/company/3`);
  await page.waitForSelector('#company-name[data-id="3"]');
  await page.click('.pager button:last-child');
  await page.waitForSelector('#page[data-page="2"]');
  await page.click('button[aria-label="open devtools"]');
  const panel = page.locator('[data-smartcache-devtools]');
  await panel.locator('.row[data-key="company:3"]').waitFor();
  const row = await panel.locator('.row[data-key="company:3"] span').allTextContents();
  assert.equal(row[1], 'local');
  assert.ok(Number(row[3].replace(/,/g, '')) > Number(row[4].replace(/,/g, '')), `compressed: ${row[3]} raw, ${row[4]} stored`);
  await panel.locator('.row[data-key="payments:company:3:page:2"]').waitFor();
  await panel.locator('.row[data-key="company:3"]').click();
  await panel.locator('[data-detail] [data-edge="company:3 -> payments:company:3"]').waitFor();
  await panel.locator('[data-tab="graph"]').click();
  await panel.locator('input[aria-label="graph key"]').fill('payments:company:3');
  await panel.locator('input[aria-label="graph key"]').press('Enter');
  await panel.locator('[data-view="graph"] [data-edge="payments:company:3:page:2 -> payments:company:3"]').waitFor();
  await page.screenshot({ path: join(root, 'docs/devtools-panel.png') });
  // What the predictor learned from this visit: the company led to its payments' second page.
  await panel.locator('[data-tab="predictions"]').click();
  await panel.locator('[data-transition]', { hasText: 'company:{}  ⇒  payments:company:{=}:page:2' }).first().waitFor();
  await panel.locator('[data-tab="graph"]').click();
  const trips = Number(await text(page, '[data-stat="round-trips"]'));
  await panel.locator('[data-action="invalidate-graph"]').click();
  await panel.locator('[data-tab="entries"]').click();
  await page.waitForFunction(() => {
    const root = document.querySelector('[data-smartcache-devtools]').shadowRoot;
    return !root.querySelector('.row[data-key="payments:company:3:page:2"]');
  });
  // The page shows what it showed, reloaded: the company view and its table page came back.
  await page.waitForFunction((n) => Number(document.querySelector('[data-stat="round-trips"]').textContent) >= n + 2, trips);
  await page.waitForSelector('#company-name[data-id="3"]');
  await page.close();
});
