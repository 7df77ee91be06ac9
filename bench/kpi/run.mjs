// The seed's table, measured on the demo CRM: a scripted sales-rep session in headless Chromium
// for each mode (legacy hooks, optimized queries, optimized + smartcache) against the real API
// server at API_LATENCY_MS (80): open 30 companies drawn from a skewed distribution (some come
// back), page through payments, open the dashboard, reload, record a payment and check the new
// totals everywhere, a second tab included. Writes bench/results/kpi.{json,md}.
//   node bench/kpi/run.mjs        (make kpi builds what it needs first)
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchBrowser } from '../../tests/e2e/browser.mjs';
import { rng } from '../../www/crm-data.js';
import { kpiReport } from './report.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const LATENCY_MS = Number(process.env.API_LATENCY_MS ?? 80);
const VISITS = 30;
/** Reloads of the company page; the table gives their median. */
const RELOADS = 5;
/** The demo's modes; `smartcache+predict` is the smartcache mode with predictive preloading on
 *  (the session never hovers a link, so what it preloads is the predictor's alone). */
const MODES = ['legacy', 'optimized', 'smartcache', 'smartcache+predict'];
const demoSettings = (mode) => ({ mode: mode.split('+')[0], predict: mode.endsWith('+predict') ? 'on' : 'off' });

const percentile = (xs, p) => {
  if (xs.length === 0) return null;
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
};

/** The server on a fresh database; resolves with its URL. */
function startServer(work) {
  const server = spawn(join(root, 'target/release/crm-api'), ['--db', join(work, 'crm.sqlite'), '--static', join(root, 'www/app/dist')], {
    env: { ...process.env, PORT: '0', API_LATENCY_MS: String(LATENCY_MS) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    server.on('exit', (code) => reject(new Error(`crm-api exited with ${code}`)));
    server.stdout.on('data', (chunk) => {
      const found = /http:\/\/127\.0\.0\.1:\d+\//.exec(String(chunk));
      if (found) resolve({ url: found[0], stop: () => server.kill() });
    });
  });
}

/** In the page: go to `hash` and time each of `marks` (name -> condition) becoming true, with
 *  the round trips made meanwhile. */
function timed(page, hash, marks) {
  return page.evaluate(
    ([hash, marks]) =>
      new Promise((resolve) => {
        const checks = Object.entries(marks).map(([name, source]) => [name, new Function(`return (${source});`)]);
        const before = window.__crm.session.roundTrips;
        const started = performance.now();
        const at = {};
        const check = () => {
          for (const [name, condition] of checks) if (at[name] === undefined && condition()) at[name] = performance.now() - started;
          if (Object.keys(at).length === checks.length) {
            observer.disconnect();
            resolve({ ...at, trips: window.__crm.session.roundTrips - before });
          }
        };
        const observer = new MutationObserver(check);
        observer.observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
        location.hash = hash;
        check();
      }),
    [hash, marks],
  );
}

const company = (id) => ({
  useCompany: `document.querySelector('#company-name')?.dataset.id === '${id}'`,
  profile: `document.querySelector('#company-name')?.dataset.id === '${id}' && document.querySelector('#page')?.dataset.page === '1'`,
});

async function metrics(url) {
  return (await fetch(new URL('/api/metrics', url))).json();
}

async function session(mode, url) {
  const browser = await launchBrowser();
  const result = { mode, useCompany: { cold: [], warm: [] }, profile: { cold: [], warm: [] }, trips: { cold: [], warm: [] } };
  try {
    const page = await browser.newPage();
    const settings = demoSettings(mode);
    const configure = ({ mode, predict }) => {
      localStorage.setItem('crm-demo-mode', mode);
      localStorage.setItem('crm-demo-predict', predict);
    };
    await page.addInitScript(configure, settings);
    await page.goto(url);
    await page.waitForSelector('a[data-company]');
    await fetch(new URL('/api/metrics/reset', url), { method: 'POST' });

    // 30 companies, skewed: the first ones come back (a sales rep's accounts).
    const random = rng(7);
    const seen = new Set();
    for (let i = 0; i < VISITS; i += 1) {
      const id = 1 + Math.floor(random() ** 3 * 60);
      const kind = seen.has(id) ? 'warm' : 'cold';
      seen.add(id);
      const t = await timed(page, `#/company/${id}`, company(id));
      result.useCompany[kind].push(t.useCompany);
      result.profile[kind].push(t.profile);
      result.trips[kind].push(t.trips);
      await page.evaluate(() => (location.hash = '#/'));
      await page.waitForSelector('a[data-company]');
    }

    // Repeat queries: revisits answered without a round trip.
    const warm = result.trips.warm;
    result.repeatHitRate = warm.length ? warm.filter((t) => t === 0).length / warm.length : 0;

    // PaymentsTable: pages 2 to 4 of the busiest company.
    await timed(page, '#/company/1', company(1));
    const tablePages = [];
    for (let n = 2; n <= 4; n += 1) {
      const t = await page.evaluate(async (n) => {
        const started = performance.now();
        document.querySelector('.pager button:last-child').click();
        while (document.querySelector('#page')?.dataset.page !== String(n)) await new Promise((r) => setTimeout(r, 1));
        return performance.now() - started;
      }, n);
      tablePages.push(t);
    }
    result.paymentsTable = tablePages;

    const dash = await timed(page, '#/dashboard', { dashboard: "document.querySelector('#dashboard-total') !== null" });
    result.dashboard = dash.dashboard;

    // The session's cache, before the reload starts another.
    const stats = await page.evaluate(() => window.__crm.cache?.stats());
    result.hitRate = stats ? stats.hitRate : 0;
    result.preloads = stats ? { stored: stats.prefetched, read: stats.prefetchHits, predict: stats.predict } : null;
    result.stored = stats ? { raw: stats.rawBytes, stored: stats.storedBytes } : null;

    // A reload of a company page: cached data, or not.
    await page.evaluate(() => (location.hash = '#/company/1'));
    await page.waitForSelector('#company-name[data-id="1"]');
    // The median of a few reloads: one page load varies by a third here.
    const reloads = [];
    for (let n = 0; n < RELOADS; n += 1) {
      await page.reload();
      reloads.push(await page.evaluate(async () => {
        while (document.querySelector('#company-name')?.dataset.id !== '1') await new Promise((r) => setTimeout(r, 1));
        return { ms: performance.now(), trips: window.__crm.session.roundTrips };
      }));
    }
    reloads.sort((a, b) => a.ms - b.ms);
    result.reload = { ...reloads[RELOADS >> 1], runs: reloads.map((r) => r.ms) };

    const server = await metrics(url);
    const pages = server.endpoints['payments-page'] ?? { requests: 0, statements: 0 };
    result.statementsPerTablePage = pages.requests ? pages.statements / pages.requests : null;

    // Record a payment on company 1; its profile, its table and the dashboard show it, here and in another tab.
    const other = await browser.newPage();
    await other.addInitScript(configure, settings);
    await other.goto(`${url}#/dashboard`);
    await other.waitForSelector('#dashboard-count');
    const before = await (await fetch(new URL('/api/companies/1/view', url))).json();
    await page.fill('input[name=amount]', '42.00');
    await page.click('form.record button');
    const count = (selector, n) => `Number(document.querySelector('${selector}')?.textContent.replace(/[^\\d]/g, '')) === ${n}`;
    const seenHere = await page.waitForFunction(count('#payment-count', before.payments.count + 1), null, { timeout: 5000 }).then(() => true, () => false);
    const dashboardNow = (await (await fetch(new URL('/api/dashboard', url))).json()).payments.count;
    const seenThere = await other.waitForFunction(count('#dashboard-count', dashboardNow), null, { timeout: 5000 }).then(() => true, () => false);
    result.afterPayment = { profile: seenHere, otherTabDashboard: seenThere };
  } finally {
    await browser.close();
  }
  return result;
}

const work = mkdtempSync(join(tmpdir(), 'smartcache-kpi-'));
const results = { date: new Date().toISOString(), latencyMs: LATENCY_MS, visits: VISITS, modes: {} };
try {
  for (const mode of MODES) {
    const dir = mkdtempSync(join(work, `${mode}-`));
    const server = await startServer(dir);
    try {
      results.modes[mode] = await session(mode, server.url);
    } finally {
      server.stop();
    }
    console.error(`${mode}: done`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
for (const r of Object.values(results.modes)) {
  for (const what of ['useCompany', 'profile']) {
    r[what] = Object.fromEntries(Object.entries(r[what]).map(([kind, xs]) => [kind, { n: xs.length, p50: percentile(xs, 50), p95: percentile(xs, 95) }]));
  }
  r.trips = Object.fromEntries(Object.entries(r.trips).map(([kind, xs]) => [kind, xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null]));
}
const md = kpiReport(results);
writeFileSync(new URL('../results/kpi.json', import.meta.url), `${JSON.stringify(results, null, 2)}\n`);
writeFileSync(new URL('../results/kpi.md', import.meta.url), md);
console.log(md);
