// Runs the benchmark workloads in headless Chromium, each in a fresh page of one persistent
// profile, and writes bench/results/latest.json and bench/results/latest.md.
//   node bench/run.mjs [workload ...]     (default: all; a subset replaces only its own results)
//   TRACE=file node bench/run.mjs hitratio   also replays a trace file (one `key size` a line)
//   ENGINE=firefox|webkit node bench/run.mjs  the per-engine rows (start-up, codec, IndexedDB)
//                                             in that engine over WebDriver, kept apart
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { execFileSync } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { chromeBin } from '../tests/e2e/browser.mjs';
import { ENGINE, openEngine } from '../tests/e2e/harness.mjs';
import { serveFolder } from '../scripts/static-server.mjs';
import { report } from './report.mjs';
import { runReactWorkload } from './react/run.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Bytes of what `import 'smartcache'` loads of what npm ships (pkg/dist/index.js, the chunks it
 *  imports, the wasm), raw and gzipped. */
async function packageSize() {
  const files = ['wasm/smartcache_bg.wasm'];
  const next = ['dist/index.js'];
  while (next.length !== 0) {
    const file = next.shift();
    if (files.includes(file)) continue;
    files.push(file);
    const text = await readFile(join(root, 'pkg', file), 'utf8');
    for (const [, chunk] of text.matchAll(/(?:from|import)\s*["'`]\.\/([^"'`]+\.js)["'`]/g)) next.push(`dist/${chunk}`);
  }
  let raw = 0;
  let gzip = 0;
  let wasmGzip = 0;
  for (const file of files) {
    const bytes = await readFile(join(root, 'pkg', file));
    const packed = gzipSync(bytes, { level: 9 }).length;
    raw += bytes.length;
    gzip += packed;
    if (file.endsWith('.wasm')) wasmGzip = packed;
  }
  return { files, raw, gzip, wasmGzip };
}
const WORKLOADS = ['memory', 'codec', 'capacity', 'indexeddb', 'hitratio', 'startup', 'idbopen', 'invalidation', 'budget', 'react', 'predict', 'devtools'];
/** Workloads driven from Node: they build apps and open browsers of their own, or take several page loads. */
const FROM_NODE = { react: runReactWorkload, startup: runStartup };
/** What the other engines run: the rows that differ by engine. */
const PER_ENGINE = ['startup', 'idbopen', 'codec', 'indexeddb'];
const elsewhere = ENGINE !== 'chromium';
const chosen = process.argv.slice(2).length ? process.argv.slice(2) : elsewhere ? PER_ENGINE : WORKLOADS;
if (elsewhere && chosen.some((w) => !PER_ENGINE.includes(w))) throw new Error(`in ${ENGINE} the benchmarks run ${PER_ENGINE.join(', ')} only`);

async function openBenchPage(origin = server.url) {
  const page = await browser.newPage();
  await page.goto(`${origin}/bench/page.html`);
  return page;
}

/** The libraries a workload measures one page each, or null when it runs as one part. */
async function librariesOf(name) {
  const page = await openBenchPage();
  const libraries = await page.evaluate(async (name) => (await import(`/bench/workloads/${name}.js`)).libraries ?? null, name);
  await page.close();
  return libraries;
}

/** `newTab`: measured in another page than the one that prepared, as a link opened in a new tab
 *  is (a reload keeps more of what the page had loaded). */
async function runInFreshPage(name, options, origin, { newTab = false } = {}) {
  let page = await openBenchPage(origin);
  const prepared = await page.evaluate(async (name) => {
    const workload = await import(`/bench/workloads/${name}.js`);
    if (!workload.prepare) return false;
    await workload.prepare();
    return true;
  }, name);
  // A workload that prepares storage is measured in a fresh page load.
  if (prepared && newTab) {
    await page.close();
    page = await openBenchPage(origin);
  } else if (prepared) {
    await page.reload();
  }
  const result = await page.evaluate(
    async ([name, options]) => (await import(`/bench/workloads/${name}.js`)).run(options),
    [name, options],
  );
  await page.close();
  return result;
}

/** Start-up is short and noisy: the median of several page loads (with the range), with the
 *  package fetched anew each time (served no-store, as all of the benchmarks are) and with it in
 *  the HTTP cache (a returning visit to a site that serves it with cache headers), through
 *  the seed's `getCachedData` (fetched anew), and in a new tab (fetched anew). */
const STARTUP_LOADS = 5;
async function runStartup() {
  const cachedServer = await serveFolder(root, { immutable: '/pkg/' });
  const median = async (origin, options = {}, how = {}) => {
    const runs = [];
    for (let i = 0; i < STARTUP_LOADS; i++) runs.push(await runInFreshPage('startup', options, origin, how));
    runs.sort((a, b) => a.totalMs - b.totalMs);
    const middle = runs[Math.floor(runs.length / 2)];
    return { ...middle, found: runs.every((r) => r.found), spreadMs: [runs[0].totalMs, runs.at(-1).totalMs] };
  };
  try {
    const loads = { ...(await median(server.url)), cached: await median(cachedServer.url), seed: await median(server.url, { via: 'default' }) };
    // In Chromium only: a WebDriver session's new windows are not tabs a user opens.
    return elsewhere ? loads : { ...loads, newTab: await median(server.url, {}, { newTab: true }) };
  } finally {
    await cachedServer.close();
  }
}

const server = await serveFolder(root);
const browser = await openEngine();
const results = {
  date: new Date().toISOString(),
  browser: elsewhere ? browser.version : execFileSync(chromeBin(), ['--version'], { encoding: 'utf8' }).trim(),
  machine: `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB`,
  workloads: {},
};
try {
  for (const name of chosen) {
    const started = Date.now();
    if (FROM_NODE[name]) {
      results.workloads[name] = await FROM_NODE[name]();
      console.error(`${name}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
      continue;
    }
    const options = name === 'hitratio' && process.env.TRACE ? { traceText: await readFile(process.env.TRACE, 'utf8') } : {};
    // Each library of a workload runs in a fresh page; rows of the parts are put together.
    let merged = {};
    for (const library of (await librariesOf(name)) ?? [undefined]) {
      const part = await runInFreshPage(name, { ...options, library });
      merged = { ...merged, ...part, rows: [...(merged.rows ?? []), ...(part.rows ?? [])] };
    }
    results.workloads[name] = merged;
    console.error(`${name}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
} finally {
  await browser.close();
  await server.close();
}

let last = null;
try {
  last = JSON.parse(await readFile(new URL('results/latest.json', import.meta.url), 'utf8'));
} catch {
  // No earlier results.
}
let written = results;
if (elsewhere) {
  // Another engine's rows go beside Chromium's, which stay as they were.
  if (!last) throw new Error('run the Chromium benchmarks first (node bench/run.mjs)');
  const { browser: version, date, workloads } = results;
  const before = last.engines?.[ENGINE]?.workloads ?? {};
  written = { ...last, engines: { ...last.engines, [ENGINE]: { browser: version, date, workloads: { ...before, ...workloads } } } };
} else if (process.argv.slice(2).length && last) {
  // A subset: the other workloads keep their last results.
  results.workloads = Object.fromEntries(WORKLOADS.filter((w) => w in results.workloads || w in last.workloads).map((w) => [w, results.workloads[w] ?? last.workloads[w]]));
  results.engines = last.engines;
} else if (last?.engines) {
  results.engines = last.engines;
}
written.package = await packageSize();
const markdown = report(written);
await mkdir(new URL('results/', import.meta.url), { recursive: true });
await writeFile(new URL('results/latest.json', import.meta.url), `${JSON.stringify(written, null, 2)}\n`);
await writeFile(new URL('results/latest.md', import.meta.url), markdown);
console.log(markdown);
