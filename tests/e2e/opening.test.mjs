// A cache that serves before IndexedDB's records have loaded (what smartcache/react's provider
// and the default instance open): after a reload, localStorage entries answer at once, IndexedDB
// entries answer once their records are in, and what needs every entry (has, invalidate) waits
// for them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inPage, useBrowser } from './harness.mjs';

const session = useBrowser();

const early = (page, fn, arg) =>
  page.evaluate(
    async ([source, arg]) => {
      const { SmartCache } = await import('/pkg/lib/cache.js');
      const internal = await import('/pkg/lib/internal.js');
      // Text that LZ4 cannot shrink below largeEntryBytes, so it goes to IndexedDB.
      const noise = (n) => Array.from({ length: n }, () => Math.random().toString(36).slice(2, 7)).join('');
      return new Function('SmartCache', 'internal', 'noise', 'arg', `return (${source})(SmartCache, internal, noise, arg);`)(SmartCache, internal, noise, arg);
    },
    [fn.toString(), arg],
  );

test('after a reload, a cache opened early serves localStorage at once and IndexedDB once loaded', async () => {
  const page = await session.openPage();
  await early(page, async (SmartCache, _, noise) => {
    const cache = await SmartCache.open({ namespace: 'early', largeEntryBytes: 1024 });
    await cache.set('payments:company:1', [{ amount: 5 }]);
    await cache.set('dashboard', { rows: noise(10_000) }, { dependsOn: ['payments:company:1'] });
    await cache.set('report', { rows: noise(10_000) });
    await cache.close();
  });
  await page.reload();
  const seen = await early(page, async (SmartCache, { OPEN_EARLY, IS_LOADED, WHEN_LOADED }, noise) => {
    const cache = await SmartCache[OPEN_EARLY]({ namespace: 'early', largeEntryBytes: 1024 });
    const loadedAtOpen = cache[IS_LOADED]();
    const local = await cache.get('payments:company:1');
    const tiersBefore = cache.entries().map((e) => e.tier);
    const [removed, report, has] = await Promise.all([cache.invalidate('payments:company:1'), cache.get('report'), cache.has('dashboard')]);
    await cache[WHEN_LOADED]();
    const written = cache.set('late', { rows: noise(10_000) });
    await written;
    const stats = cache.stats();
    await cache.close();
    return { loadedAtOpen, local, tiersBefore, removed, report: report?.rows.length > 40_000, has, faults: stats.faults };
  });
  assert.deepEqual(seen.local, [{ amount: 5 }]);
  // IndexedDB answers in a later task at the earliest: the cache opened before it did.
  assert.equal(seen.loadedAtOpen, false);
  assert.deepEqual(seen.tiersBefore, ['local'], 'IndexedDB entries are listed once loaded');
  assert.deepEqual(seen.removed, ['dashboard', 'payments:company:1'], 'the invalidation waited for the IndexedDB dependent');
  assert.equal(seen.report, true);
  assert.equal(seen.has, false);
  assert.equal(seen.faults, 0);

  await page.reload();
  const after = await early(page, async (SmartCache, _, noise) => {
    const cache = await SmartCache.open({ namespace: 'early', largeEntryBytes: 1024 });
    const keys = cache.entries().map((e) => `${e.key}:${e.tier}`).sort();
    await cache.clear();
    await cache.close();
    return keys;
  });
  assert.deepEqual(after, ['late:indexeddb', 'report:indexeddb']);
  await page.close();
});

test('a write made while IndexedDB opens is in IndexedDB after a reload', async () => {
  const page = await session.openPage();
  await early(page, async (SmartCache, { OPEN_EARLY }, noise) => {
    const cache = await SmartCache[OPEN_EARLY]({ namespace: 'early-write', largeEntryBytes: 1024 });
    await cache.set('big', { rows: noise(8_000) });
    await cache.set('small', 1);
    await cache.close();
  });
  await page.reload();
  const found = await early(page, async (SmartCache, _, noise) => {
    const cache = await SmartCache.open({ namespace: 'early-write', largeEntryBytes: 1024 });
    const result = { big: (await cache.get('big'))?.rows.length > 30_000, small: await cache.get('small'), tiers: cache.entries().map((e) => e.tier).sort() };
    await cache.clear();
    await cache.close();
    return result;
  });
  assert.deepEqual(found, { big: true, small: 1, tiers: ['indexeddb', 'local'] });
  await page.close();
});

test('an IndexedDB blocked past the 3 s timeout: the cache carries on without it, and the connection that opens later is released at once', async () => {
  const page = await session.openPage();
  const result = await page.evaluate(async () => {
    const { SmartCache } = await import('/pkg/index.js');
    const errors = [];
    addEventListener('error', (e) => errors.push(String(e.message)));
    const name = 'smartcache:7:blocked:1';
    const { request } = await import('/tests/e2e/pages/indexeddb.js');
    // Another program holds the database open and ignores versionchange; a deletion waits on it,
    // and the cache's open queues behind the deletion.
    const holder = await request(indexedDB.open(name, 1));
    const deletion = indexedDB.deleteDatabase(name);
    const deleted = request(deletion);
    const started = performance.now();
    const cache = await SmartCache.open({ namespace: 'blocked' });
    const openMs = performance.now() - started;
    await cache.set('k', { v: 1 });
    const stats = cache.stats();
    // The holder lets go: the deletion goes through, then the cache's late open succeeds and is
    // closed at once, so that a second deletion is not blocked by it.
    holder.close();
    await deleted;
    await new Promise((resolve) => setTimeout(resolve, 200));
    const second = await new Promise((resolve) => {
      const again = indexedDB.deleteDatabase(name);
      again.onsuccess = () => resolve('deleted');
      again.onblocked = () => setTimeout(() => resolve('blocked'), 1000);
      again.onerror = () => resolve('error');
    });
    const value = await cache.get('k');
    await cache.close();
    return { openMs, value, second, local: stats.local.entries, errors };
  });
  assert.ok(result.openMs >= 2900 && result.openMs < 6000, `open gave up after ${result.openMs} ms`);
  assert.deepEqual(result.value, { v: 1 });
  assert.equal(result.local, 1);
  assert.equal(result.second, 'deleted');
  assert.deepEqual(result.errors, []);
  await page.close();
});

test('SmartCache.open asks for its database before the core has loaded, and the core takes that request over', async () => {
  const page = await session.openPage();
  const result = await page.evaluate(async () => {
    const opens = [];
    const open = IDBFactory.prototype.open;
    IDBFactory.prototype.open = function (name, ...rest) {
      opens.push(name);
      return open.call(this, name, ...rest);
    };
    const { SmartCache } = await import('/pkg/index.js');
    const { databaseNameOf } = await import('/pkg/lib/environment.js');
    const names = async () => (await indexedDB.databases()).map((d) => d.name);
    const seen = [];
    for (const options of [undefined, { namespace: 'a:b', version: 3 }, { namespace: 'ünï 😀', crossTab: false }]) {
      opens.length = 0;
      const opening = SmartCache.open(options);
      // Asked for at the call, before the core (already loaded or not) has opened anything.
      const askedAtCall = [...opens];
      const cache = await opening;
      await cache.set('k', { v: 1 });
      const value = await cache.get('k');
      const stats = cache.stats();
      await cache.clear();
      await cache.close();
      seen.push({ name: databaseNameOf(options), askedAtCall, opens: [...opens], listed: (await names()).includes(databaseNameOf(options)), value, faults: stats.faults });
    }
    // Options the core refuses: the database asked for ahead is closed and, as it made it, deleted.
    let code;
    try {
      await SmartCache.open({ namespace: 'refused', memoryBytes: -1 });
    } catch (error) {
      code = error.code;
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
    return { seen, code, refusedLeft: (await names()).includes('smartcache:7:refused:1') };
  });
  for (const one of result.seen) {
    assert.deepEqual(one.askedAtCall, [one.name], 'asked for at the call');
    assert.deepEqual(one.opens, [one.name], 'the core opened no second connection');
    assert.equal(one.listed, true, `the core's database is ${one.name}`);
    assert.deepEqual(one.value, { v: 1 });
    assert.equal(one.faults, 0);
  }
  assert.equal(result.code, 'INVALID_OPTION');
  assert.equal(result.refusedLeft, false);
  await page.close();
});

test('a database asked for ahead is taken over whenever the core asks: during its upgrade, before it opens, after', async () => {
  const page = await session.openPage();
  const result = await page.evaluate(async () => {
    const { askForDatabase, openDatabase } = await import('/pkg/lib/platform.js');
    const requests = [];
    const open = IDBFactory.prototype.open;
    IDBFactory.prototype.open = function (...args) {
      const request = open.apply(this, args);
      requests.push(request);
      return request;
    };
    const event = (target, type) => new Promise((resolve) => target.addEventListener(type, resolve, { once: true }));
    const usable = async (db) => (await db.readMany(['nothing']))[0] === undefined;
    const seen = {};
    for (const when of ['upgrade', 'at once', 'opened']) {
      const name = `smartcache:5:ahead:${when.length}`;
      requests.length = 0;
      const release = askForDatabase(name);
      if (when === 'upgrade') await event(requests[0], 'upgradeneeded');
      if (when === 'opened') await event(requests[0], 'success');
      const db = await openDatabase(name, 3000, () => {});
      release();
      seen[when] = { usable: await usable(db), opens: requests.length };
      db.close();
      indexedDB.deleteDatabase(name);
    }
    return seen;
  });
  for (const when of ['upgrade', 'at once', 'opened']) assert.deepEqual(result[when], { usable: true, opens: 1 }, when);
  await page.close();
});

test('the default instance serves localStorage while IndexedDB is held up, and IndexedDB entries once it lets go', async () => {
  const page = await session.openPage();
  await inPage(page, async (m) => {
    await m.configure({ namespace: 'default-early', largeEntryBytes: 1024 });
    await m.setCachedData('company:1', { id: 1 });
    await m.setCachedData('report', { rows: Array.from({ length: 4_000 }, () => Math.random().toString(36).slice(2, 7)).join('') });
    await m.smartCache.close();
  });
  await page.reload();
  const seen = await inPage(page, async (m) => {
    const { holdIndexedDb, timeout, defaultInstance, defaultLoaded } = await import('/tests/e2e/pages/indexeddb.js');
    // Another connection keeps IndexedDB busy: loading its records waits for it.
    const hold = await holdIndexedDb('default-early');
    // Not awaited (it resolves once every tier is indexed): the calls below wait for it to serve.
    const configured = m.configure({ namespace: 'default-early', largeEntryBytes: 1024 });
    const local = await Promise.race([m.getCachedData('company:1'), timeout(1500)]);
    const loadedWhenServed = defaultLoaded();
    const report = m.getCachedData('report');
    const reportEarly = await Promise.race([report, timeout(300)]);
    await hold.release();
    const reportLater = (await report)?.rows.length;
    const indexed = (await configured) === defaultInstance.now();
    const tiers = m.smartCache.entries().map((e) => e.tier).sort();
    await m.smartCache.clear();
    await m.smartCache.close();
    return { local, loadedWhenServed, reportEarly, reportLater, indexed, tiers };
  });
  assert.deepEqual(seen.local, { id: 1 }, 'served from localStorage without waiting for IndexedDB');
  assert.equal(seen.loadedWhenServed, false, 'IndexedDB was held up when it was served');
  assert.equal(seen.reportEarly, 'waited', 'an IndexedDB entry waits for the records');
  assert.ok(seen.reportLater > 15_000, `the IndexedDB entry came back (${seen.reportLater} characters)`);
  assert.equal(seen.indexed, true, 'configure() resolved with the instance once it was indexed');
  assert.deepEqual(seen.tiers, ['indexeddb', 'local']);
  await page.close();
});

test('reconfiguring the default instance while the old one waits for IndexedDB: the new one serves without waiting for the old one to close', async () => {
  const page = await session.openPage();
  await inPage(page, async (m) => {
    await m.configure({ namespace: 'reconf-old' });
    await m.setCachedData('company:0', { id: 0 });
    await m.setCachedData('old-only', { in: 'indexeddb' }, { tier: 'indexeddb' });
    await m.configure({ namespace: 'reconf-new' });
    await m.setCachedData('company:1', { id: 1 });
    await m.smartCache.close();
  });
  await page.reload();
  const seen = await inPage(page, async (m) => {
    const { holdIndexedDb, timeout, defaultInstance, defaultLoaded } = await import('/tests/e2e/pages/indexeddb.js');
    // The old instance's records cannot load while another connection keeps its database busy.
    const hold = await holdIndexedDb('reconf-old');
    const old = m.configure({ namespace: 'reconf-old' });
    // The old instance serves from localStorage (its records still loading) before the app
    // reconfigures.
    const oldValue = await Promise.race([m.getCachedData('company:0'), timeout(1500)]);
    const oldLoaded = defaultLoaded();
    const configured = m.configure({ namespace: 'reconf-new' });
    const value = await Promise.race([m.getCachedData('company:1'), timeout(1500)]);
    const configuredEarly = await Promise.race([configured.then(() => 'resolved'), timeout(100)]);
    await hold.release();
    const [oldResolved, newResolved] = await Promise.all([old, configured]);
    const result = {
      oldValue,
      oldLoaded,
      value,
      configuredEarly,
      bothNew: oldResolved === newResolved && newResolved === defaultInstance.now(),
      oldOnly: await m.getCachedData('old-only'),
    };
    await m.smartCache.close();
    return result;
  });
  assert.deepEqual(seen.oldValue, { id: 0 });
  assert.equal(seen.oldLoaded, false, "the old instance's IndexedDB was held up");
  assert.deepEqual(seen.value, { id: 1 }, 'the new instance served without waiting for the old one to close');
  assert.equal(seen.configuredEarly, 'waited', 'configure() resolves once the instance it replaced has closed');
  assert.equal(seen.bothNew, true, 'both configure() calls resolved with the instance that won');
  assert.equal(seen.oldOnly, undefined, "the new namespace does not hold the old one's entries");
  await page.close();
});
