// The persistent tiers in real Chromium storage (a persistent profile, real reloads): values
// survive a reload from localStorage and IndexedDB, budgets and the real quota are handled,
// damaged values read as misses, clear() is scoped, and a missing IndexedDB degrades cleanly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inPage, useBrowser, onlyIn } from './harness.mjs';

const session = useBrowser();
const openPage = () => session.openPage();

/** Text that compresses little, seeded: `noise(length, seed)`. */
const NOISE = `(length, seed) => {
  let s = seed;
  let out = '';
  while (out.length < length) out += (s = (s * 16807) % 2147483647).toString(36);
  return out.slice(0, length);
}`;

/** Realistic CRM rows, seeded. */
const CRM = `(n, seed) => {
  let s = seed;
  const r = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
  const status = ['paid', 'open', 'overdue'];
  return Array.from({ length: n }, (_, i) => ({
    id: seed * 100000 + i, company_id: seed, amount: Math.round(r() * 1e6) / 100,
    currency: 'EUR', status: status[Math.floor(r() * 3)], note: r().toString(36).slice(2, 12),
    due: new Date(Date.UTC(2026, 0, 1) + i * 86400000).toISOString().slice(0, 10),
  }));
}`;

test('texts of every size and width come back byte for byte after a reload, written one after another', async () => {
  const page = await openPage();
  const written = await inPage(page, async (m) => {
    const cache = await m.SmartCache.open({ namespace: 'widths' });
    await cache.clear();
    // Growing, then shrinking, then past the size the face encodes into its reused buffer.
    const lengths = [0, 1, 700, 5_000, 40_000, 3, 300_000, 12];
    const piece = 'aé東😀\u0001"\\';
    const values = lengths.map((n, i) => ({ i, text: piece.repeat(Math.ceil(n / piece.length)).slice(0, n).replace(/[\ud800-\udbff]$/, '') }));
    for (const [i, value] of values.entries()) await cache.set(`v${i}`, value);
    return values;
  });
  await page.reload();
  const read = await inPage(page, async (m, count) => {
    const cache = await m.SmartCache.open({ namespace: 'widths' });
    const back = [];
    for (let i = 0; i < count; i++) back.push(await cache.get(`v${i}`));
    await cache.clear();
    return back;
  }, written.length);
  assert.deepEqual(read, written);
  await page.close();
});

test('a small entry comes back from localStorage and a large one from IndexedDB after a reload', async () => {
  const page = await openPage();
  const written = await inPage(page, async (m, crm) => {
    const rows = new Function(`return ${crm}`)();
    const cache = await m.SmartCache.open({ namespace: 'reload', largeEntryBytes: 4096 });
    await cache.clear();
    const company = { id: 42, name: 'Acme GmbH', owner: { name: 'Ada', email: 'ada@acme.test' }, emoji: '🏢' };
    const payments = rows(3000, 42);
    await cache.set('company:42', company, { ttlMs: 3_600_000, tags: ['company'] });
    await cache.set('payments:company:42', payments);
    await cache.set('session', { token: 'abc' }, { tier: 'memory' });
    // No close, no waiting: set resolved, so the values must survive the reload.
    return { company, payments, keys: Object.keys(localStorage).filter((k) => k.startsWith('smartcache:')) };
  }, CRM);
  assert.equal(written.keys.length, 1, `one localStorage key: ${written.keys}`);

  await page.reload();
  const read = await inPage(page, async (m) => {
    const cache = await m.SmartCache.open({ namespace: 'reload', largeEntryBytes: 4096 });
    const before = Object.fromEntries(cache.entries().map((e) => [e.key, { tier: e.tier, inMemory: e.inMemory, compressed: e.compressed, tags: e.tags }]));
    const company = await cache.get('company:42');
    const payments = await cache.get('payments:company:42');
    const session = await cache.get('session');
    const peekAfter = cache.peek('payments:company:42') !== undefined;
    const stats = cache.stats();
    const databases = (await indexedDB.databases()).map((d) => d.name);
    return { before, company, payments, session, peekAfter, stats, databases };
  });
  assert.deepEqual(read.before['company:42'], { tier: 'local', inMemory: false, compressed: false, tags: ['company'] });
  assert.deepEqual(read.before['payments:company:42'], { tier: 'indexeddb', inMemory: false, compressed: true, tags: [] });
  assert.equal(read.before.session, undefined);
  assert.deepEqual(read.company, written.company);
  assert.deepEqual(read.payments, written.payments);
  assert.equal(read.session, undefined);
  assert.equal(read.peekAfter, true, 'a hit in a persistent tier promotes to memory');
  assert.equal(read.stats.local.hits, 1);
  assert.equal(read.stats.indexeddb.hits, 1);
  assert.ok(read.stats.storedBytes * 3 < read.stats.rawBytes, `compressed ${read.stats.storedBytes} of ${read.stats.rawBytes}`);
  assert.ok(read.databases.includes('smartcache:6:reload:1'), String(read.databases));
  await page.close();
});

test('concurrent gets from IndexedDB share the work and all resolve', async () => {
  const page = await openPage();
  await inPage(page, async (m) => {
    const cache = await m.SmartCache.open({ namespace: 'many' });
    await cache.clear();
    await Promise.all(Array.from({ length: 200 }, (_, i) => cache.set(`row:${i}`, { i, pad: 'x'.repeat(100) }, { tier: 'indexeddb' })));
  });
  await page.reload();
  const values = await inPage(page, async (m) => {
    const cache = await m.SmartCache.open({ namespace: 'many' });
    const all = await Promise.all(Array.from({ length: 200 }, (_, i) => cache.get(`row:${i}`)));
    return all.map((v) => v?.i);
  });
  assert.deepEqual(values, Array.from({ length: 200 }, (_, i) => i));
  await page.close();
});

test('closing while IndexedDB reads are under way neither throws nor loses what was read', async () => {
  const page = await openPage();
  await inPage(page, async (m) => {
    const cache = await m.SmartCache.open({ namespace: 'closing' });
    await cache.clear();
    await Promise.all(Array.from({ length: 20 }, (_, i) => cache.set(`row:${i}`, { i }, { tier: 'indexeddb' })));
    await cache.close();
  });
  const result = await inPage(page, async (m) => {
    const cache = await m.SmartCache.open({ namespace: 'closing' });
    const reads = Array.from({ length: 20 }, (_, i) => cache.get(`row:${i}`));
    await cache.close();
    const settled = await Promise.allSettled(reads);
    return settled.map((s) => (s.status === 'fulfilled' ? (s.value === undefined ? 'miss' : 'value') : `rejected: ${s.reason}`));
  });
  assert.ok(result.every((r) => r === 'miss' || r === 'value'), result.join(', '));
  await page.close();
});

test('filling far past the localStorage budget throws nothing, stays within it, and loses nothing', async () => {
  const page = await openPage();
  const result = await inPage(page, async (m, crm) => {
    const rows = new Function(`return ${crm}`)();
    const budget = 200 * 1024;
    const cache = await m.SmartCache.open({ namespace: 'fill', localStorageBytes: budget });
    await cache.clear();
    const faults = [];
    cache.subscribe((e) => e.type === 'fault' && faults.push(e.code));
    for (let i = 0; i < 200; i++) await cache.set(`rows:${i}`, rows(60, i));
    const used = Object.keys(localStorage)
      .filter((k) => k.startsWith('smartcache:4:fill:'))
      .reduce((sum, k) => sum + 2 * (k.length + localStorage.getItem(k).length), 0);
    const stats = cache.stats();
    await cache.close();
    return { budget, used, stats, faults };
  }, CRM);
  assert.ok(result.used <= result.budget, `${result.used} bytes used of ${result.budget}`);
  assert.equal(result.stats.local.bytes, result.used);
  assert.equal(result.stats.local.entries + result.stats.indexeddb.entries, 200, 'overflow moved to IndexedDB');
  assert.deepEqual(result.faults, []);

  await page.reload();
  const back = await inPage(page, async (m, crm) => {
    const rows = new Function(`return ${crm}`)();
    const cache = await m.SmartCache.open({ namespace: 'fill', localStorageBytes: 200 * 1024 });
    const same = [];
    for (const i of [0, 1, 100, 198, 199]) same.push(JSON.stringify(await cache.get(`rows:${i}`)) === JSON.stringify(rows(60, i)));
    return same;
  }, CRM);
  assert.deepEqual(back, [true, true, true, true, true]);
  await page.close();
});

test("past the browser's real quota, with another app's keys present, nothing is thrown and the newest stay readable", async () => {
  const page = await openPage();
  const result = await inPage(page, async (m, noiseSource) => {
    const noise = new Function(`return ${noiseSource}`)();
    localStorage.clear();
    localStorage.setItem('app:settings', 's'.repeat(1_000_000));
    // Far more than the origin's ~5.2 million units; IndexedDB off so that localStorage must cope.
    const cache = await m.SmartCache.open({ namespace: 'quota', localStorageBytes: 1 << 30, largeEntryBytes: 1 << 30, indexedDbBytes: 0 });
    const faults = [];
    cache.subscribe((e) => e.type === 'fault' && faults.push(e.code));
    let thrown = null;
    try {
      for (let i = 0; i < 140; i++) await cache.set(`blob:${i}`, { i, data: noise(100_000, i + 1) });
    } catch (error) {
      thrown = String(error);
    }
    const newest = [];
    for (let i = 135; i < 140; i++) newest.push((await cache.get(`blob:${i}`))?.i);
    const stats = cache.stats();
    return { thrown, faults: [...new Set(faults)], newest, settings: localStorage.getItem('app:settings')?.length, local: stats.local.entries, statFaults: stats.faults };
  }, NOISE);
  assert.equal(result.thrown, null);
  // Older entries made room; with IndexedDB given no budget they had nowhere to go.
  assert.deepEqual(result.faults.sort(), ['NO_ROOM', 'QUOTA_EXCEEDED']);
  assert.ok(result.statFaults > 0);
  assert.deepEqual(result.newest, [135, 136, 137, 138, 139]);
  assert.equal(result.settings, 1_000_000, "the other app's key is untouched");
  assert.ok(result.local > 10 && result.local < 140, `${result.local} entries fit`);
  await page.close();
});

test('hand-edited, truncated and foreign stored values read as misses and count as faults', async () => {
  const page = await openPage();
  await inPage(page, async (m) => {
    const cache = await m.SmartCache.open({ namespace: 'damage' });
    await cache.clear();
    for (const key of ['edited', 'truncated', 'foreign', 'intact']) await cache.set(key, { key, rows: [1, 2, 3] });
    const storageKey = (key) => `smartcache:6:damage:1:${key}`;
    const edited = localStorage.getItem(storageKey('edited'));
    localStorage.setItem(storageKey('edited'), edited.slice(0, -1) + String.fromCharCode(edited.charCodeAt(edited.length - 1) ^ 1));
    localStorage.setItem(storageKey('truncated'), localStorage.getItem(storageKey('truncated')).slice(0, 10));
    localStorage.setItem(storageKey('foreign'), JSON.stringify({ key: 'foreign' }));
  });
  await page.reload();
  const result = await inPage(page, async (m) => {
    const cache = await m.SmartCache.open({ namespace: 'damage' });
    const values = {};
    for (const key of ['edited', 'truncated', 'foreign', 'intact']) values[key] = (await cache.get(key))?.key ?? null;
    const left = Object.keys(localStorage).filter((k) => k.startsWith('smartcache:6:damage:')).sort();
    return { values, faults: cache.stats().faults, left };
  });
  assert.deepEqual(result.values, { edited: null, truncated: null, foreign: null, intact: 'intact' });
  assert.equal(result.faults, 3);
  assert.deepEqual(result.left, ['smartcache:6:damage:1:intact']);
  await page.close();
});

test('after a reload the first reads are served before localStorage is scanned, and the scan follows by itself', async () => {
  const page = await openPage();
  await inPage(page, async (m) => {
    const cache = await m.SmartCache.open({ namespace: 'scan' });
    await cache.clear();
    for (let i = 0; i < 50; i++) await cache.set(`k${i}`, { i });
    const storageKey = 'smartcache:4:scan:1:k7';
    // Truncated: its length no longer matches its metadata, which the scan checks.
    localStorage.setItem(storageKey, localStorage.getItem(storageKey).slice(0, -1));
  });
  await page.reload();
  const result = await inPage(page, async (m) => {
    const cache = await m.SmartCache.open({ namespace: 'scan' });
    const faults = [];
    cache.subscribe((event) => event.type === 'fault' && faults.push(event.key));
    const first = await cache.get('k3');
    const before = faults.length;
    // Nothing more is called: the scan comes in a task of its own and purges the damaged value.
    await new Promise((resolve) => setTimeout(resolve, 100));
    const scanned = [...faults];
    const left = Object.keys(localStorage).filter((k) => k.startsWith('smartcache:4:scan:')).length;
    const found = { first, before, scanned, left, entries: cache.entries().length, last: await cache.get('k49'), damaged: await cache.get('k7') };
    // The origin's quota is shared with the tests after this one.
    await cache.clear();
    await cache.close();
    return found;
  });
  assert.deepEqual(result, { first: { i: 3 }, before: 0, scanned: ['k7'], left: 49, entries: 49, last: { i: 49 }, damaged: undefined });
  await page.close();
});

test("clear() empties one namespace's tiers and leaves other namespaces and foreign keys", async () => {
  const page = await openPage();
  const result = await inPage(page, async (m) => {
    localStorage.setItem('app:token', 'abc');
    const a = await m.SmartCache.open({ namespace: 'a', largeEntryBytes: 100 });
    const b = await m.SmartCache.open({ namespace: 'b', largeEntryBytes: 100 });
    for (const c of [a, b]) {
      await c.set('small', 1);
      await c.set('large', Array.from({ length: 100 }, (_, i) => i));
    }
    await a.clear();
    const aAfter = [await a.get('small'), await a.get('large')];
    const b2 = await m.SmartCache.open({ namespace: 'b', largeEntryBytes: 100 });
    const bAfter = [await b2.get('small'), (await b2.get('large'))?.length];
    return { aAfter, bAfter, token: localStorage.getItem('app:token'), aKeys: Object.keys(localStorage).filter((k) => k.startsWith('smartcache:1:a:')).length };
  });
  assert.deepEqual(result.aAfter, [undefined, undefined]);
  assert.deepEqual(result.bAfter, [1, 100]);
  assert.equal(result.token, 'abc');
  assert.equal(result.aKeys, 0);
  await page.close();
});

/** In the page: the raw IndexedDB of a namespace (version 1): its stores, with their records. */
const RAW_IDB = `async (name) => {
  const { request } = await import('/tests/e2e/pages/indexeddb.js');
  const db = await request(indexedDB.open(name));
  const stores = [...db.objectStoreNames];
  const tx = db.transaction(stores, 'readonly');
  const found = {};
  for (const store of stores) found[store] = await request(tx.objectStore(store).getAll());
  db.close();
  return found;
}`;

/** Writes a, b, c and d to IndexedDB in `namespace` (one batch, and so one journal chunk, each),
 *  then runs `damage(request, entries, journal)` in the page on the raw database's two stores,
 *  in one transaction. */
async function damageIndexedDb(page, namespace, damage) {
  await inPage(page, async (m, [namespace, damage]) => {
    const cache = await m.SmartCache.open({ namespace });
    await cache.clear();
    for (const key of ['a', 'b', 'c', 'd']) await cache.set(key, { key, rows: [1, 2, 3] }, { tier: 'indexeddb' });
    await cache.close();
    const { request } = await import('/tests/e2e/pages/indexeddb.js');
    const db = await request(indexedDB.open(`smartcache:${namespace.length}:${namespace}:1`));
    const tx = db.transaction(['entries', 'journal'], 'readwrite');
    await new Function(`return ${damage}`)()(request, tx.objectStore('entries'), tx.objectStore('journal'));
    await new Promise((resolve) => (tx.oncomplete = resolve));
    db.close();
  }, [namespace, damage.toString()]);
}

test('IndexedDB keeps one record an entry and a journal of metadata that batches and start-up keep short', async () => {
  const page = await openPage();
  const before = await inPage(page, async (m, raw) => {
    const rawIdb = new Function(`return ${raw}`)();
    const cache = await m.SmartCache.open({ namespace: 'journal' });
    await cache.clear();
    // 300 batches, one write or removal each: more than two compactions' worth of chunks.
    for (let i = 0; i < 300; i++) {
      if (i % 10 === 9) await cache.delete(`k${i - 1}`);
      else await cache.set(`k${i}`, { i, rows: Array.from({ length: 20 }, (_, j) => `row ${i}.${j}`) }, { tier: 'indexeddb' });
    }
    const stored = await rawIdb('smartcache:7:journal:1');
    return { entries: stored.entries.length, chunks: stored.journal.length, pairs: stored.entries.every((r) => Array.isArray(r) && r.length === 2) };
  }, RAW_IDB);
  // 270 writes, 30 of them removed again.
  assert.equal(before.entries, 240);
  assert.ok(before.pairs);
  assert.ok(before.chunks < 128, `${before.chunks} chunks: the journal was not compacted`);
  await page.reload();
  const after = await inPage(page, async (m, raw) => {
    const rawIdb = new Function(`return ${raw}`)();
    const cache = await m.SmartCache.open({ namespace: 'journal' });
    const read = [];
    for (let i = 0; i < 300; i++) read.push((await cache.get(`k${i}`))?.i);
    const tiers = new Set(cache.entries().map((e) => e.tier));
    const stored = await rawIdb('smartcache:7:journal:1');
    await cache.clear();
    return { read, tiers: [...tiers], chunks: stored.journal.length };
  }, RAW_IDB);
  const expected = Array.from({ length: 300 }, (_, i) => (i % 10 === 8 || i % 10 === 9 ? undefined : i));
  assert.deepEqual(after.read, expected);
  assert.deepEqual(after.tiers, ['indexeddb']);
  assert.equal(after.chunks, 1);
  await page.close();
});

test('a damaged IndexedDB record reads as a miss; an entry whose metadata is damaged in the journal alone comes back from its record', async () => {
  const page = await openPage();
  await damageIndexedDb(page, 'idb-damage', async (request, entries, journal) => {
    // a's record replaced by b's (its metadata and payload both).
    entries.put(await request(entries.get('b')), 'a');
    // The last byte of c's metadata in the journal (its seal) flipped: FORMAT, count, then per
    // item a length-prefixed key and a length-prefixed metadata record.
    const keys = await request(journal.getAllKeys());
    for (const id of keys) {
      const chunk = new Uint8Array(await request(journal.get(id)));
      const view = new DataView(chunk.buffer);
      let at = 5;
      for (let i = 0; i < view.getUint32(1, true); i++) {
        const keyLength = view.getUint32(at, true);
        const key = new TextDecoder().decode(chunk.subarray(at + 4, at + 4 + keyLength));
        at += 4 + keyLength;
        const metaLength = view.getUint32(at, true);
        at += 4 + metaLength;
        if (key === 'c') chunk[at - 1] ^= 1;
      }
      journal.put(chunk, id);
    }
  });
  await page.reload();
  const result = await inPage(page, async (m) => {
    const cache = await m.SmartCache.open({ namespace: 'idb-damage' });
    const values = {};
    for (const key of ['a', 'b', 'c', 'd']) values[key] = (await cache.get(key))?.key ?? null;
    const faults = cache.stats().faults;
    await cache.clear();
    return { values, faults };
  });
  assert.deepEqual(result.values, { a: null, b: 'b', c: 'c', d: 'd' });
  // a's record naming another key, and the damaged journal.
  assert.equal(result.faults, 2);
  await page.close();
});

test('a journal chunk that does not decode: the entries it named are found by their own records, and damaged ones purged', async () => {
  const page = await openPage();
  await damageIndexedDb(page, 'idb-journal', async (request, entries, journal) => {
    // The chunks naming c and d lose their last byte; d's record is replaced by b's.
    for (const id of await request(journal.getAllKeys())) {
      const chunk = new Uint8Array(await request(journal.get(id)));
      const names = new TextDecoder().decode(chunk);
      if (names.includes('\u0001\u0000\u0000\u0000c') || names.includes('\u0001\u0000\u0000\u0000d')) journal.put(chunk.slice(0, -1), id);
    }
    entries.put(await request(entries.get('b')), 'd');
  });
  await page.reload();
  const result = await inPage(page, async (m, raw) => {
    const rawIdb = new Function(`return ${raw}`)();
    const cache = await m.SmartCache.open({ namespace: 'idb-journal' });
    const values = {};
    for (const key of ['a', 'b', 'c', 'd']) values[key] = (await cache.get(key))?.key ?? null;
    const listed = cache.entries().map((e) => `${e.key}:${e.tier}`).sort();
    const counted = cache.stats().faults;
    await cache.close();
    const stored = await rawIdb('smartcache:11:idb-journal:1');
    return { values, listed, counted, chunks: stored.journal.length, records: stored.entries.length };
  }, RAW_IDB);
  assert.deepEqual(result.values, { a: 'a', b: 'b', c: 'c', d: null });
  assert.deepEqual(result.listed, ['a:indexeddb', 'b:indexeddb', 'c:indexeddb']);
  // The damaged journal, and d's record naming another key.
  assert.equal(result.counted, 2);
  assert.equal(result.chunks, 2, "the journal is rewritten as one chunk, and d's purge appended one");
  assert.equal(result.records, 3, "d's record is purged rather than left uncounted");
  await page.close();
});

test("an older schema's database (metadata and payloads in two stores) is dropped, and the cache works on", async () => {
  const page = await openPage();
  const result = await inPage(page, async (m, raw) => {
    const rawIdb = new Function(`return ${raw}`)();
    const { request } = await import('/tests/e2e/pages/indexeddb.js');
    const legacy = indexedDB.open('smartcache:6:legacy:1', 1);
    legacy.onupgradeneeded = () => ['meta', 'data', 'info'].forEach((s) => legacy.result.createObjectStore(s));
    const db = await request(legacy);
    const tx = db.transaction(['meta', 'data', 'info'], 'readwrite');
    tx.objectStore('meta').put(new Uint8Array([2, 1, 2, 3]), 'old');
    tx.objectStore('data').put(new Uint8Array([9, 9]), 'old');
    tx.objectStore('info').put(1, 'version');
    await new Promise((resolve) => (tx.oncomplete = resolve));
    db.close();
    const cache = await m.SmartCache.open({ namespace: 'legacy' });
    const old = await cache.get('old');
    await cache.set('new', { n: 1 }, { tier: 'indexeddb' });
    await cache.close();
    const again = await m.SmartCache.open({ namespace: 'legacy' });
    const back = await again.get('new');
    const faults = again.stats().faults;
    await again.clear();
    await again.close();
    return { old, back, faults, stores: Object.keys(await rawIdb('smartcache:6:legacy:1')).sort() };
  }, RAW_IDB);
  assert.deepEqual(result, { old: undefined, back: { n: 1 }, faults: 0, stores: ['entries', 'info', 'journal'] });
  await page.close();
});

test('another version purges what an older one stored', async () => {
  const page = await openPage();
  const result = await inPage(page, async (m) => {
    const v1 = await m.SmartCache.open({ namespace: 'versions', version: 1, largeEntryBytes: 100 });
    await v1.set('small', 1);
    await v1.set('large', Array.from({ length: 100 }, (_, i) => i));
    await v1.close();
    const v2 = await m.SmartCache.open({ namespace: 'versions', version: 2 });
    return { small: await v2.get('small'), large: await v2.get('large'), keys: Object.keys(localStorage).filter((k) => k.includes(':versions:')) };
  });
  assert.deepEqual(result, { small: undefined, large: undefined, keys: [] });
  await page.close();
});

test('without IndexedDB the cache keeps working on memory and localStorage and reports a fault', onlyIn('chromium', 'a page without IndexedDB needs an init script'), async () => {
  const page = await session.browser.newPage();
  await page.addInitScript(() => {
    Object.defineProperty(window, 'indexedDB', { get() { throw new DOMException('IndexedDB is disabled', 'SecurityError'); } });
  });
  await page.goto(`${session.server.url}/tests/e2e/pages/blank.html`);
  const result = await inPage(page, async (m) => {
    const cache = await m.SmartCache.open({ namespace: 'no-idb', largeEntryBytes: 100 });
    await cache.set('large', Array.from({ length: 500 }, (_, i) => ({ i })));
    await cache.set('pinned', { x: 1 }, { tier: 'indexeddb' });
    const entries = Object.fromEntries(cache.entries().map((e) => [e.key, e.tier]));
    return { entries, faults: cache.stats().faults, large: (await cache.get('large')).length };
  });
  assert.deepEqual(result.entries, { large: 'local', pinned: 'local' });
  assert.ok(result.faults >= 1);
  assert.equal(result.large, 500);
  await page.close();
});

test("another page deleting the cache's IndexedDB database is not blocked, and later writes survive in localStorage", async () => {
  const a = await openPage();
  const b = await openPage();
  await inPage(a, async (m) => {
    window.cache = await m.SmartCache.open({ namespace: 'taken' });
    await window.cache.set('before', { rows: Array.from({ length: 4000 }, (_, i) => ({ i, name: `row ${i}` })) });
  });
  const deleted = await b.evaluate(
    () =>
      new Promise((resolve) => {
        const request = indexedDB.deleteDatabase('smartcache:5:taken:1');
        request.onsuccess = () => resolve('deleted');
        request.onblocked = () => setTimeout(() => resolve('blocked'), 2000);
        request.onerror = () => resolve('error');
      }),
  );
  assert.equal(deleted, 'deleted');
  const after = await inPage(a, async () => {
    const faults = [];
    window.cache.subscribe((e) => e.type === 'fault' && faults.push(e.code));
    await window.cache.set('after', { rows: Array.from({ length: 4000 }, (_, i) => ({ i, name: `row ${i}` })) });
    const tier = window.cache.entries().find((e) => e.key === 'after')?.tier;
    await window.cache.close();
    return { tier, faults };
  });
  assert.equal(after.tier, 'local');
  const reread = await inPage(b, async (m) => {
    const cache = await m.SmartCache.open({ namespace: 'taken' });
    return (await cache.get('after'))?.rows.length;
  });
  assert.equal(reread, 4000);
  await a.close();
  await b.close();
});

test('IndexedDB refusing a batch (its quota reached) loses none of it: the entries move to localStorage and read back after a reload', onlyIn('chromium', 'the quota is set over CDP'), async () => {
  // An origin no other test has stored under: Chromium applies a quota override to an origin
  // whose IndexedDB has not been opened yet in the browser.
  const page = await session.browser.newPage();
  await page.goto(`${session.server.url.replace('127.0.0.1', 'localhost')}/tests/e2e/pages/blank.html`);
  const cdp = await page.context().newCDPSession(page);
  const origin = new URL(page.url()).origin;
  const keys = (n) => Array.from({ length: n }, (_, i) => `big:${i}`);
  try {
    await cdp.send('Storage.overrideQuotaForOrigin', { origin, quotaSize: 64 * 1024 });
    const written = await inPage(page, async (m, [n, noiseSource]) => {
      const noise = new Function(`return ${noiseSource}`)();
      localStorage.clear();
      const cache = await m.SmartCache.open({ namespace: 'idb-quota' });
      await cache.clear();
      const faults = [];
      cache.subscribe((e) => e.type === 'fault' && faults.push(e.code));
      // One tick's batch, far over the quota, all of it new entries (put ahead of the flush).
      await Promise.all(Array.from({ length: n }, (_, i) => cache.set(`big:${i}`, { i, data: noise(20_000, i + 1) }, { tier: 'indexeddb' })));
      const tiers = cache.entries().map((e) => e.tier);
      await cache.close();
      return { faults: [...new Set(faults)], local: tiers.filter((t) => t === 'local').length };
    }, [40, NOISE]);
    assert.deepEqual(written.faults, ['WRITE_FAILED']);
    assert.equal(written.local, 40);
  } finally {
    await cdp.send('Storage.overrideQuotaForOrigin', { origin });
  }
  await page.reload();
  const back = await inPage(page, async (m, keys) => {
    const cache = await m.SmartCache.open({ namespace: 'idb-quota' });
    const values = await Promise.all(keys.map((k) => cache.get(k)));
    await cache.clear();
    await cache.close();
    return values.map((v) => v?.i);
  }, keys(40));
  assert.deepEqual(back, keys(40).map((_, i) => i));
  await page.close();
});
