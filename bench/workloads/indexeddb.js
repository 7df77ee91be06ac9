// Workload 4: 2,000 entries of 16 KB written, then read back from IndexedDB: smartcache against
// idb-keyval (set per entry, and setMany/getMany), localforage, and one hand-written raw IndexedDB
// transaction per batch (the floor). Also 2,000 concurrent set calls not awaited one by one.
//
// The rows the targets compare (smartcache's concurrent sets and gets, setMany/getMany,
// localforage's concurrent sets) take turns for several rounds in one page, so that each ratio
// compares runs made side by side; the table keeps each one's best round. The rest run once.
import { SmartCache } from 'smartcache';
import * as idbKeyval from 'idb-keyval';
import { paymentsOfSize } from '/www/crm-data.js';

const COUNT = 2_000;
const ROUNDS = 5;

function rawDb() {
  return new Promise((resolve, reject) => {
    const open = indexedDB.open('bench-raw', 1);
    open.onupgradeneeded = () => open.result.createObjectStore('kv');
    open.onsuccess = () => resolve(open.result);
    open.onerror = () => reject(open.error);
  });
}

const done = (tx) => new Promise((resolve, reject) => {
  tx.oncomplete = resolve;
  tx.onerror = () => reject(tx.error);
});

async function time(fn) {
  const started = performance.now();
  await fn();
  return performance.now() - started;
}

export async function run() {
  const keys = Array.from({ length: COUNT }, (_, i) => `payments:company:${i}`);
  const values = keys.map((_, i) => paymentsOfSize(i, 16 * 1024));
  const lf = globalThis.localforage.createInstance({ name: 'bench-localforage' });
  const sameLength = (back) => back.every((v, i) => v?.length === values[i].length);

  /** Each way of writing and reading: `write` and `read` are timed (read resolves to what came
   *  back); `before`, `between` and `after` are not. */
  const smartcache = (mode) => {
    const namespace = `bench-idb-${mode}`;
    let cache;
    return {
      library: 'smartcache', mode,
      before: async () => { cache = await SmartCache.open({ namespace }); await cache.clear(); },
      write: () => mode === 'sequential'
        ? (async () => { for (let i = 0; i < COUNT; i++) await cache.set(keys[i], values[i], { tier: 'indexeddb' }); })()
        : Promise.all(keys.map((k, i) => cache.set(k, values[i], { tier: 'indexeddb' }))),
      // Read by a fresh instance: from IndexedDB, not from memory.
      between: async () => { await cache.close(); cache = await SmartCache.open({ namespace }); },
      read: () => Promise.all(keys.map((k) => cache.get(k))),
      after: async () => { await cache.clear(); await cache.close(); },
    };
  };
  const readEach = (get) => () => Promise.all(keys.map((k) => get(k)));
  const keyval = (mode) => ({
    library: mode === 'batch' ? 'idb-keyval setMany/getMany' : 'idb-keyval set/get', mode,
    before: () => idbKeyval.clear(),
    write: mode === 'batch' ? () => idbKeyval.setMany(keys.map((k, i) => [k, values[i]]))
      : mode === 'sequential' ? async () => { for (let i = 0; i < COUNT; i++) await idbKeyval.set(keys[i], values[i]); }
        : () => Promise.all(keys.map((k, i) => idbKeyval.set(k, values[i]))),
    read: mode === 'batch' ? () => idbKeyval.getMany(keys) : readEach(idbKeyval.get),
    after: () => idbKeyval.clear(),
  });
  const forage = (mode) => ({
    library: 'localforage', mode,
    before: () => lf.clear(),
    write: mode === 'sequential' ? async () => { for (let i = 0; i < COUNT; i++) await lf.setItem(keys[i], values[i]); }
      : () => Promise.all(keys.map((k, i) => lf.setItem(k, values[i]))),
    read: readEach((k) => lf.getItem(k)),
    after: () => lf.clear(),
  });
  let db;
  const raw = {
    library: 'raw IndexedDB', mode: 'batch',
    before: async () => { db = await rawDb(); },
    write: () => {
      const tx = db.transaction('kv', 'readwrite');
      keys.forEach((k, i) => tx.objectStore('kv').put(values[i], k));
      return done(tx);
    },
    read: () => {
      const store = db.transaction('kv', 'readonly').objectStore('kv');
      const requests = keys.map((k) => store.get(k));
      return done(store.transaction).then(() => requests.map((r) => r.result));
    },
    after: () => db.close(),
  };

  const measure = async (way) => {
    await way.before();
    const writeMs = await time(way.write);
    await way.between?.();
    let back;
    const readMs = await time(async () => { back = await way.read(); });
    await way.after();
    return { writeMs, readMs, ok: sameLength(back) };
  };

  const compared = { sc: smartcache('concurrent'), many: keyval('batch'), lf: forage('concurrent') };
  const samples = { sc: [], many: [], lf: [] };
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, way] of Object.entries(compared)) samples[name].push(await measure(way));
  }
  const best = (way, runs) => ({
    library: way.library, mode: way.mode,
    writeMs: Math.min(...runs.map((r) => r.writeMs)),
    readMs: Math.min(...runs.map((r) => r.readMs)),
    ok: runs.every((r) => r.ok),
  });
  const once = [smartcache('sequential'), keyval('sequential'), keyval('concurrent'), forage('sequential'), raw];
  const rows = [];
  for (const way of once) rows.push({ library: way.library, mode: way.mode, ...(await measure(way)) });
  rows.splice(1, 0, best(compared.sc, samples.sc));
  rows.splice(4, 0, best(compared.many, samples.many));
  rows.splice(6, 0, best(compared.lf, samples.lf));
  /** Per round, the peer's time over smartcache's (above 1: smartcache is quicker), sorted. */
  const perRound = (peer, metric) => samples[peer].map((r, i) => r[metric] / samples.sc[i][metric]).sort((a, b) => a - b);
  return {
    count: COUNT,
    bytes: 16 * 1024,
    rounds: ROUNDS,
    rows,
    ratios: { writes: perRound('many', 'writeMs'), localforage: perRound('lf', 'writeMs'), reads: perRound('many', 'readMs') },
  };
}
