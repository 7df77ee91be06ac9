// Soak: a long run of mixed operations (set, get, peek, getOrLoad, invalidate of keys and of
// groups they depend on, delete) spread over several tabs of one browser profile, with every
// tab reloaded every `reloadEvery` operations, each answer checked against a model of what the
// cache may return. Tabs take turns; after each batch the runner waits for the other tabs to
// hear of its changes, so a read must return the current version or miss: anything else is a
// stale read. Budgets are checked after every batch; the maximum wasm memory and JS heap are
// reported.
//   node bench/soak/run.mjs [operations]        (default 1,000,000; writes bench/results/soak.json)
import { writeFile, mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { launchBrowser } from '../../tests/e2e/browser.mjs';
import { serveFolder } from '../../scripts/static-server.mjs';
import { rng } from '../../www/crm-data.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const KEYS = 3000;
const GROUPS = 60;
const BATCH = 2000;
/** How long a tab's changes may take to reach the others. */
const SETTLE_MS = 40;

const key = (i) => `item:${i}`;
const groupOf = (i) => (i % 3 === 0 ? null : `group:${i % GROUPS}`);

/** Generates one batch; `next` hands out versions, newer than every earlier one. */
function batch(random, next) {
  const ops = [];
  for (let n = 0; n < BATCH; n++) {
    // Skewed keys: a hot set and a long tail.
    const i = random() < 0.7 ? Math.floor(random() * 200) : Math.floor(random() * KEYS);
    const r = random();
    const size = random() < 0.1 ? 5000 + Math.floor(random() * 6000) : 50 + Math.floor(random() * 400);
    if (r < 0.3) ops.push({ type: 'get', key: key(i) });
    else if (r < 0.4) ops.push({ type: 'peek', key: key(i) });
    else if (r < 0.65) ops.push({ type: 'set', key: key(i), version: next(), size, group: groupOf(i) });
    else if (r < 0.8) ops.push({ type: 'load', key: key(i), version: next(), size, group: groupOf(i) });
    else if (r < 0.86) ops.push({ type: 'invalidate', key: `group:${Math.floor(random() * GROUPS)}` });
    else if (r < 0.93) ops.push({ type: 'invalidate', key: key(i) });
    else ops.push({ type: 'delete', key: key(i) });
  }
  return ops;
}

/** What the cache may hold per key: the current version, or none. */
class Model {
  current = new Map();
  stale = [];

  check(op, answer, where) {
    const now = this.current.get(op.key) ?? null;
    const saw = (version) => {
      if (version !== null && version !== now) this.stale.push({ where, op: op.type, key: op.key, returned: version, current: now });
    };
    switch (op.type) {
      case 'set':
        this.current.set(op.key, op.version);
        break;
      case 'get':
      case 'peek':
        saw(answer);
        break;
      case 'load':
        if (answer.loaded) {
          if (answer.version !== op.version) this.stale.push({ where, op: 'load', key: op.key, returned: answer.version, loaded: op.version });
          this.current.set(op.key, op.version);
        } else saw(answer.version);
        break;
      case 'invalidate':
        if (op.key.startsWith('group:')) {
          for (const k of this.current.keys()) if (groupOf(Number(k.slice(5))) === op.key) this.current.delete(k);
        } else this.current.delete(op.key);
        break;
      case 'delete':
        this.current.delete(op.key);
        break;
    }
  }
}

export async function soak({ operations = 1_000_000, tabs = 3, reloadEvery = 100_000, seed = 1, log = () => {} } = {}) {
  const server = await serveFolder(root);
  // gc() in the pages, so that the heap measured is what is live, not what awaits collection.
  const browser = await launchBrowser({ extraArgs: ['--js-flags=--expose-gc'] });
  const random = rng(seed);
  let version = 0;
  const next = () => ++version;
  const model = new Model();
  const max = { wasm: 0, heap: 0 };
  const budgetsBroken = [];
  const started = Date.now();
  let done = 0;
  let reloads = 0;
  const pages = [];
  const open = async (page) => {
    await page.goto(`${server.url}/tests/e2e/pages/blank.html`);
    await page.evaluate(() => import('/bench/soak/tab.js').then((t) => t.open()));
  };
  try {
    for (let t = 0; t < tabs; t++) {
      const page = await browser.newPage();
      if (t === 0) {
        await page.goto(`${server.url}/tests/e2e/pages/blank.html`);
        await page.evaluate(() => {
          localStorage.clear();
          return new Promise((resolve) => {
            const request = indexedDB.deleteDatabase('smartcache:4:soak:1');
            request.onsuccess = request.onerror = request.onblocked = () => resolve();
          });
        });
      }
      await open(page);
      pages.push(page);
    }
    let round = 0;
    while (done < operations) {
      const tab = round % tabs;
      const ops = batch(random, next);
      const answers = await pages[tab].evaluate((ops) => import('/bench/soak/tab.js').then((t) => t.runBatch(ops)), ops);
      ops.forEach((op, i) => model.check(op, answers[i], `tab ${tab}, op ${done + i}`));
      done += ops.length;
      round += 1;
      await new Promise((r) => setTimeout(r, SETTLE_MS));
      const m = await pages[tab].evaluate(() => import('/bench/soak/tab.js').then((t) => t.measure()));
      max.wasm = Math.max(max.wasm, m.wasm);
      max.heap = Math.max(max.heap, m.heap);
      const over = [];
      if (m.memory > 512 * 1024) over.push(`memory ${m.memory}`);
      if (m.local > 256 * 1024) over.push(`local ${m.local}`);
      if (m.indexeddb > 4 * 1024 * 1024) over.push(`indexeddb ${m.indexeddb}`);
      // What localStorage holds, as this tab sees it: other tabs' removals reach a renderer's
      // view of storage with some delay, so a reading over the budget counts only if it is
      // still over once they have had time to arrive.
      if (m.localStored > 256 * 1024) {
        await new Promise((r) => setTimeout(r, 500));
        const again = await pages[tab].evaluate(() => import('/bench/soak/tab.js').then((t) => t.measure()));
        if (again.localStored > 256 * 1024) over.push(`localStorage holds ${again.localStored}`);
        max.storageLag = Math.max(max.storageLag ?? 0, m.localStored - 256 * 1024);
      }
      if (over.length) budgetsBroken.push({ at: done, tab, over });
      if (Math.floor(done / reloadEvery) !== Math.floor((done - ops.length) / reloadEvery)) {
        for (const page of pages) await open(page);
        reloads += 1;
      }
      if (round % 50 === 0) log(`${done.toLocaleString('en-US')} operations, ${model.stale.length} stale, wasm ${max.wasm}, heap ${max.heap}`);
    }
  } finally {
    await browser.close();
    await server.close();
  }
  return {
    operations: done,
    tabs,
    reloads,
    seconds: (Date.now() - started) / 1000,
    staleReads: model.stale.length,
    firstStale: model.stale.slice(0, 5),
    budgetsBroken: budgetsBroken.length,
    firstBudgetBroken: budgetsBroken.slice(0, 5),
    maxWasmBytes: max.wasm,
    maxHeapBytes: max.heap,
    // Bytes over the budget that localStorage seemed to hold before other tabs' removals reached
    // the measuring tab's view of it (0: never seen).
    maxStorageLagBytes: max.storageLag ?? 0,
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const operations = Number(process.argv[2] ?? 1_000_000);
  const result = await soak({ operations, log: (line) => console.error(line) });
  await mkdir(new URL('../results/', import.meta.url), { recursive: true });
  await writeFile(new URL('../results/soak.json', import.meta.url), `${JSON.stringify(result, null, 2)}\n`);
  console.log(JSON.stringify(result, null, 2));
  if (result.staleReads || result.budgetsBroken) process.exit(1);
}
