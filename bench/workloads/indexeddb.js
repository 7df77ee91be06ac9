// Workload 4: 2,000 entries of 16 KB written, then read back from IndexedDB: smartcache against
// idb-keyval (set per entry, and setMany/getMany), localforage, and one hand-written raw IndexedDB
// transaction per batch (the floor). Also 2,000 concurrent set calls not awaited one by one.
import { SmartCache } from 'smartcache';
import * as idbKeyval from 'idb-keyval';
import { paymentsOfSize } from '/www/crm-data.js';

const COUNT = 2_000;

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

export const libraries = ['smartcache', 'idb-keyval', 'localforage', 'raw IndexedDB'];

export async function run({ library }) {
  const keys = Array.from({ length: COUNT }, (_, i) => `payments:company:${i}`);
  const values = keys.map((_, i) => paymentsOfSize(i, 16 * 1024));
  const rows = [];
  const add = (library, mode, writeMs, readMs, check) => rows.push({ library, mode, writeMs, readMs, ok: check });

  let back;
  let writeMs;
  let readMs;
  // smartcache: values placed in IndexedDB, read by a fresh instance (not from memory).
  for (const mode of library === 'smartcache' ? ['sequential', 'concurrent'] : []) {
    const namespace = `bench-idb-${mode}`;
    let cache = await SmartCache.open({ namespace });
    await cache.clear();
    writeMs = await time(async () => {
      if (mode === 'sequential') for (let i = 0; i < COUNT; i++) await cache.set(keys[i], values[i], { tier: 'indexeddb' });
      else await Promise.all(keys.map((k, i) => cache.set(k, values[i], { tier: 'indexeddb' })));
    });
    await cache.close();
    cache = await SmartCache.open({ namespace });
    readMs = await time(async () => {
      back = await Promise.all(keys.map((k) => cache.get(k)));
    });
    add('smartcache', mode, writeMs, readMs, back.every((v, i) => v.length === values[i].length));
    await cache.clear();
    await cache.close();
  }

  if (library === 'idb-keyval') await keyval();
  if (library === 'localforage') await forage();
  if (library === 'raw IndexedDB') await raw();
  return { count: COUNT, bytes: 16 * 1024, rows };

  // idb-keyval: set per entry (awaited in turn, and all at once), and setMany/getMany.
  async function keyval() {
  await idbKeyval.clear();
  writeMs = await time(async () => {
    for (let i = 0; i < COUNT; i++) await idbKeyval.set(keys[i], values[i]);
  });
  readMs = await time(async () => {
    back = await Promise.all(keys.map((k) => idbKeyval.get(k)));
  });
  add('idb-keyval set/get', 'sequential', writeMs, readMs, back.every(Boolean));
  await idbKeyval.clear();
  writeMs = await time(() => Promise.all(keys.map((k, i) => idbKeyval.set(k, values[i]))));
  readMs = await time(async () => {
    back = await Promise.all(keys.map((k) => idbKeyval.get(k)));
  });
  add('idb-keyval set/get', 'concurrent', writeMs, readMs, back.every(Boolean));
  await idbKeyval.clear();
  writeMs = await time(() => idbKeyval.setMany(keys.map((k, i) => [k, values[i]])));
  readMs = await time(async () => {
    back = await idbKeyval.getMany(keys);
  });
  add('idb-keyval setMany/getMany', 'batch', writeMs, readMs, back.every(Boolean));
  await idbKeyval.clear();
  }

  // localforage.
  async function forage() {
  const lf = globalThis.localforage.createInstance({ name: 'bench-localforage' });
  await lf.clear();
  writeMs = await time(async () => {
    for (let i = 0; i < COUNT; i++) await lf.setItem(keys[i], values[i]);
  });
  readMs = await time(async () => {
    back = await Promise.all(keys.map((k) => lf.getItem(k)));
  });
  add('localforage', 'sequential', writeMs, readMs, back.every(Boolean));
  await lf.clear();
  writeMs = await time(() => Promise.all(keys.map((k, i) => lf.setItem(k, values[i]))));
  readMs = await time(async () => {
    back = await Promise.all(keys.map((k) => lf.getItem(k)));
  });
  add('localforage', 'concurrent', writeMs, readMs, back.every(Boolean));
  await lf.clear();
  }

  // Raw IndexedDB: one transaction for the whole batch.
  async function raw() {
  const db = await rawDb();
  writeMs = await time(() => {
    const tx = db.transaction('kv', 'readwrite');
    keys.forEach((k, i) => tx.objectStore('kv').put(values[i], k));
    return done(tx);
  });
  readMs = await time(() => {
    const tx = db.transaction('kv', 'readonly');
    const store = tx.objectStore('kv');
    const requests = keys.map((k) => store.get(k));
    return done(tx).then(() => {
      back = requests.map((r) => r.result);
    });
  });
  add('raw IndexedDB', 'batch', writeMs, readMs, back.every(Boolean));
  db.close();
  }
}
