// Workload 8: one React company page built three ways — no cache, TanStack Query with its
// localStorage persister, smartcache/react — over the same 300 ms simulated fetch. Measures in
// headless Chromium the time to data on a cold visit (a fresh profile) and on a reload (median),
// the bundle size each adds to the no-cache app (JS + wasm, gzipped), and the lines of the hook.
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { launchBrowser } from '../../tests/e2e/browser.mjs';
import { serveFolder } from '../../scripts/static-server.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const root = join(here, '../..');
export const APPS = { none: 'no cache', tanstack: 'TanStack Query + localStorage persister', smartcache: 'smartcache/react' };
const COLD_VISITS = 7;
const RELOADS = 15;
/** Long enough for TanStack's persister (it throttles writes by 1 s) to have written. */
const PERSIST_WAIT_MS = 1500;

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Non-blank, non-comment lines between `// hook:start` and `// hook:end`. */
function hookLines(app) {
  const source = readFileSync(join(here, app, 'main.tsx'), 'utf8');
  const body = source.slice(source.indexOf('// hook:start'), source.indexOf('// hook:end')).split('\n').slice(1);
  return body.filter((line) => line.trim() !== '' && !line.trim().startsWith('//')).length;
}

async function buildApp(app, outDir) {
  await build({
    root: join(here, app),
    configFile: false,
    logLevel: 'error',
    resolve: {
      alias: [
        { find: /^smartcache$/, replacement: join(root, 'pkg/index.js') },
        { find: /^smartcache\/react$/, replacement: join(root, 'pkg/react.js') },
      ],
    },
    build: { outDir, emptyOutDir: true },
  });
  let gzip = 0;
  for (const file of readdirSync(join(outDir, 'assets'))) {
    if (file.endsWith('.js') || file.endsWith('.wasm')) gzip += gzipSync(readFileSync(join(outDir, 'assets', file)), { level: 9 }).length;
  }
  return gzip;
}

async function timeToData(page, navigate) {
  await page.evaluate(() => delete window.__ttd).catch(() => {});
  await navigate();
  await page.waitForFunction(() => window.__ttd !== undefined, null, { timeout: 15_000 });
  return page.evaluate(() => window.__ttd);
}

/** The apps take turns, visit by visit and reload by reload, so that the machine's drift touches
 *  them alike. Cold visits: each on a new origin (a server on a new port), so storage and the HTTP
 *  cache are empty, in a browser already running. Reloads: of the last visit, once it persisted. */
async function measure(builds) {
  const browser = await launchBrowser();
  const apps = builds.map((b) => ({ ...b, cold: [], reloads: [], fetchesOnReload: 0, page: null, server: null }));
  try {
    for (const app of apps) app.page = await browser.newPage();
    for (let visit = 0; visit < COLD_VISITS; visit += 1) {
      for (const app of apps) {
        await app.server?.close();
        app.server = await serveFolder(app.outDir, { immutable: '/assets/' });
        app.cold.push((await timeToData(app.page, () => app.page.goto(`${app.server.url}/`))).ms);
      }
    }
    await apps[0].page.waitForTimeout(PERSIST_WAIT_MS);
    for (let i = 0; i < RELOADS; i += 1) {
      for (const app of apps) {
        const reload = await timeToData(app.page, () => app.page.reload());
        app.reloads.push(reload.ms);
        app.fetchesOnReload += reload.fetches;
      }
    }
  } finally {
    for (const app of apps) await app.server?.close();
    await browser.close();
  }
  return apps.map(({ page, server, outDir, ...row }) => ({ ...row, coldMs: median(row.cold), reloadMs: median(row.reloads) }));
}

export async function runReactWorkload() {
  const work = mkdtempSync(join(tmpdir(), 'smartcache-bench-react-'));
  let rows;
  try {
    const builds = [];
    for (const [app, library] of Object.entries(APPS)) {
      const outDir = join(work, app);
      builds.push({ app, library, outDir, gzip: await buildApp(app, outDir), hookLines: hookLines(app) });
    }
    rows = await measure(builds);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const base = rows.find((r) => r.app === 'none').gzip;
  for (const row of rows) row.addedGzip = row.gzip - base;
  return { roundTripMs: 300, coldVisits: COLD_VISITS, reloads: RELOADS, rows };
}
