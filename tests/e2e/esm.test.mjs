// pkg/ imported as plain ES modules (no bundler) by a page served over http, in the ENGINE's browser.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { inPage as runInPage, useBrowser } from './harness.mjs';

const session = useBrowser();
let page;

before(async () => {
  page = await session.openPage();
});

const inPage = (fn, arg) => runInPage(page, fn, arg);

/** The seed's functions over the default instance, through the package imported from `entry`. */
async function defaultInstance(entry, on = page) {
  const result = await runInPage(on, async (m) => {
    const out = {};
    out.peekBeforeOpen = m.smartCache.peek('company:42');
    out.statsBeforeOpen = m.smartCache.stats().hits;
    await m.setCachedData('company:42', { id: 42, name: 'Acme', tags: ['b2b'] });
    out.got = await m.getCachedData('company:42');
    out.peeked = m.smartCache.peek('company:42');
    out.has = await m.smartCache.has('company:42');
    out.missing = await m.getCachedData('company:404');
    out.invalidated = await m.invalidateCachedData('company:42');
    out.invalidatedAgain = await m.invalidateCachedData('company:42');
    out.afterInvalidate = await m.getCachedData('company:42');
    out.stats = m.smartCache.stats();
    out.entries = m.smartCache.entries().length;

    const events = [];
    const unsubscribe = m.smartCache.subscribe((e) => events.push(`${e.type}:${e.key ?? ''}`));
    await m.setCachedData('a', 1);
    await m.getCachedData('a');
    // Reconfiguring closes the old instance; the subscription follows to the new one.
    const reopened = await m.configure({ namespace: 'other', memoryBytes: 1 << 20 });
    out.reopenedIsDefault = (await m.getCachedData('a')) === undefined && reopened.stats().misses === 1;
    await m.setCachedData('b', 2);
    unsubscribe();
    await m.setCachedData('c', 3);
    out.events = events;
    await m.smartCache.clear();
    out.clearedEntries = m.smartCache.entries().length;
    // Leaves nothing behind in the default namespace either (the next page's default instance opens it).
    await m.configure({});
    await m.smartCache.clear();
    return out;
  }, undefined, entry);
  assert.equal(result.peekBeforeOpen, undefined);
  assert.equal(result.statsBeforeOpen, 0);
  assert.deepEqual(result.got, { id: 42, name: 'Acme', tags: ['b2b'] });
  assert.deepEqual(result.peeked, result.got);
  assert.equal(result.has, true);
  assert.equal(result.missing, undefined);
  assert.deepEqual(result.invalidated, ['company:42']);
  assert.deepEqual(result.invalidatedAgain, []);
  assert.equal(result.afterInvalidate, undefined);
  assert.equal(result.stats.hits, 2);
  assert.equal(result.stats.misses, 2);
  assert.equal(result.stats.hitRate, 0.5);
  assert.equal(result.entries, 0);
  assert.equal(result.reopenedIsDefault, true);
  assert.deepEqual(result.events, ['set:a', 'hit:a', 'miss:a', 'set:b']);
  assert.equal(result.clearedEntries, 0);
}

test('the default instance: setCachedData, getCachedData, invalidateCachedData, smartCache', () => defaultInstance('/pkg/index.js'));

test('what npm ships (pkg/dist/, bundled and minified) works as the source does, in a page of its own', async () => {
  // Closed after: a second page on the default namespace would be another tab to the tests below.
  const shipped = await session.openPage();
  try {
    await defaultInstance('/pkg/dist/index.js', shipped);
  } finally {
    await shipped.close();
  }
});

test('each entry pkg/package.json exports is a bundle that exports what its source does (dist/index.js, the core, alone)', async () => {
  const { exports } = JSON.parse(readFileSync(new URL('../../pkg/package.json', import.meta.url), 'utf8'));
  const shipped = Object.values(exports).filter((target) => typeof target === 'object').map((target) => target.default);
  assert.deepEqual(shipped, ['./dist/index.js', './dist/react.js', './dist/tanstack.js', './dist/devtools.js']);
  const text = (path) => readFileSync(new URL(`../../pkg/${path}`, import.meta.url), 'utf8');
  // The core is dist/index.js alone (one round trip before the wasm's fetch starts); the other
  // bundles import what they share from it, through bindings only they use.
  assert.doesNotMatch(text('dist/index.js'), /\bfrom\s*["']|\bimport\s*\(/);
  const linked = new Set();
  for (const path of shipped.slice(1)) {
    for (const [, names] of text(path).matchAll(/import\s*\{([^}]*)\}\s*from\s*"\.\/index\.js"/g)) {
      for (const name of names.split(',')) linked.add(name.trim().split(/\s+as\s+/)[0]);
    }
  }
  assert.ok(linked.size > 0);
  for (const path of shipped) {
    const source = Object.keys(await import(new URL(`../../pkg/${path.replace('./dist/', '')}`, import.meta.url))).sort();
    const bundled = Object.keys(await import(new URL(`../../pkg/${path}`, import.meta.url))).sort();
    const extras = bundled.filter((name) => !source.includes(name));
    assert.deepEqual(bundled.filter((name) => source.includes(name)), source, path);
    assert.deepEqual(extras.filter((name) => !linked.has(name)), [], `${path}: exports that neither its source nor a bundle has`);
    assert.ok(source.length > 0, path);
  }
});

/** The corpus, as source: made again in the page after the reload. Every UTF-16 unit that is
 *  not a surrogate is in one string (and, in chunks, in keys). */
const CORPUS = `() => {
  const units = [];
  for (let u = 0; u < 0x10000; u++) if (u < 0xd800 || u > 0xdfff) units.push(u);
  let everyUnit = '';
  for (let i = 0; i < units.length; i += 4096) everyUnit += String.fromCharCode(...units.slice(i, i + 4096));
  return [
    null, true, false, 0, -1, 0.1, 5e-324, 1.7976931348623157e308, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER,
    '', 'héllo wörld', '日本語', '😀🎉👩‍👩‍👧‍👦', 'x'.repeat(300000), [], {}, [[[[[[]]]]]],
    { nested: { deep: { deeper: [1, { k: 'v' }] } } },
    Array.from({ length: 20000 }, (_, i) => ({ id: i, amount: i * 1.5, paid: i % 2 === 0 })),
    { '': 'empty key', '😀': 'emoji key', 'a.b': [null, true, 's'] },
    everyUnit,
    Object.fromEntries(Array.from({ length: 62 }, (_, i) => [everyUnit.slice(i * 1024, i * 1024 + 1024), i])),
  ];
}`;

test('a corpus of JSON values comes back deep-equal, from memory and, after a reload, from storage', async () => {
  const written = await inPage(async (m, source) => {
    const corpus = new Function(`return (${source})()`)();
    const cache = await m.SmartCache.open({ namespace: 'corpus', largeEntryBytes: 64 * 1024 });
    await cache.clear();
    const mismatches = [];
    for (const [i, value] of corpus.entries()) {
      await cache.set(`v:${i}`, value);
      const back = await cache.get(`v:${i}`);
      if (JSON.stringify(back) !== JSON.stringify(value) || cache.peek(`v:${i}`) !== back) mismatches.push(i);
    }
    // Keys of every unit too, through localStorage's key space.
    const everyUnit = corpus[21];
    for (let i = 0; i < 62; i++) await cache.set(`unit:${everyUnit.slice(i * 1024, i * 1024 + 1000)}`, i);
    const tiers = [...new Set(cache.entries().map((e) => e.tier))].sort();
    await cache.close();
    return { mismatches, count: corpus.length, tiers };
  }, CORPUS);
  assert.equal(written.count, 23);
  assert.deepEqual(written.mismatches, []);
  assert.deepEqual(written.tiers, ['indexeddb', 'local'], 'both persistent tiers hold part of the corpus');

  await page.reload();
  const read = await inPage(async (m, source) => {
    const corpus = new Function(`return (${source})()`)();
    const cache = await m.SmartCache.open({ namespace: 'corpus', largeEntryBytes: 64 * 1024 });
    const mismatches = [];
    for (const [i, value] of corpus.entries()) {
      if (JSON.stringify(await cache.get(`v:${i}`)) !== JSON.stringify(value)) mismatches.push(i);
    }
    const everyUnit = corpus[21];
    for (let i = 0; i < 62; i++) if ((await cache.get(`unit:${everyUnit.slice(i * 1024, i * 1024 + 1000)}`)) !== i) mismatches.push(`unit:${i}`);
    const faults = cache.stats().faults;
    await cache.clear();
    await cache.close();
    return { mismatches, faults };
  }, CORPUS);
  assert.deepEqual(read, { mismatches: [], faults: 0 });
});

test('values that are not JSON are refused with NOT_SERIALIZABLE, and the cache keeps working', async () => {
  const result = await inPage(async (m) => {
    const cyclic = { a: {} };
    cyclic.a.back = cyclic;
    class Customer { constructor() { this.id = 1; } }
    const bad = {
      function: () => 1,
      symbol: Symbol('s'),
      bigint: 10n,
      cycle: cyclic,
      nan: NaN,
      infinity: { amount: Infinity },
      undefined: undefined,
      undefinedInArray: [1, undefined],
      sparseArray: [1, , 3],
      date: new Date(0),
      map: new Map([[1, 2]]),
      instance: new Customer(),
      nestedFunction: { company: { onClick() {} } },
      typedArray: new Uint8Array(4),
      plainWithToJSON: { amount: 1, toJSON() { return 1; } },
      deepCycle: (() => { const rows = [{ id: 1 }]; rows[0].rows = rows; return { rows }; })(),
    };
    const cache = await m.SmartCache.open({ namespace: 'bad-values' });
    const codes = {};
    for (const [name, value] of Object.entries(bad)) {
      try {
        await cache.set('k', value);
        codes[name] = 'accepted';
      } catch (e) {
        codes[name] = e instanceof m.SmartCacheError ? e.code : `not a SmartCacheError: ${e}`;
      }
    }
    const bare = Object.create(null);
    bare.id = 1;
    await cache.set('bare', { bare, shared: [bare, bare] });
    await cache.set('k', { ok: true, dropped: undefined });
    // An undefined property is dropped, as JSON does (from memory the same object comes back).
    const stored = JSON.stringify(await cache.get('k'));
    const entries = cache.entries().length;
    await cache.close();
    return { codes, stored, entries };
  });
  for (const [name, code] of Object.entries(result.codes)) assert.equal(code, 'NOT_SERIALIZABLE', name);
  assert.equal(result.stored, '{"ok":true}');
  assert.equal(result.entries, 2, 'a null-prototype object, even referenced twice, is plain data');
});

test('bad keys, bad options, too-large entries and closed caches give their codes', async () => {
  const result = await inPage(async (m) => {
    const codeOf = async (fn) => {
      try {
        await fn();
        return 'no error';
      } catch (e) {
        return e instanceof m.SmartCacheError && e.name === 'SmartCacheError' ? e.code : `other: ${e}`;
      }
    };
    const cache = await m.SmartCache.open({ namespace: 'errors', memoryBytes: 1000 });
    const out = {};
    for (const [name, key] of Object.entries({ number: 42, empty: '', long: 'k'.repeat(1025), lone: '\ud800', nul: null })) {
      out[`set ${name}`] = await codeOf(() => cache.set(key, 1));
      out[`get ${name}`] = await codeOf(() => cache.get(key));
      out[`peek ${name}`] = await codeOf(() => cache.peek(key));
      out[`delete ${name}`] = await codeOf(() => cache.delete(key));
    }
    out.longestKey = await codeOf(() => cache.set('k'.repeat(1024), 1));
    out.negativeTtl = await codeOf(() => cache.set('k', 1, { ttlMs: -1 }));
    out.unknownTier = await codeOf(() => cache.set('k', 1, { tier: 'disk' }));
    out.stringTtl = await codeOf(() => cache.set('k', 1, { ttlMs: '5' }));
    out.badTags = await codeOf(() => cache.set('k', 1, { tags: [''] }));
    out.badOpen = await codeOf(() => m.SmartCache.open({ memoryBytes: -1 }));
    out.badNamespace = await codeOf(() => m.SmartCache.open({ namespace: 7 }));
    out.tooLarge = await codeOf(() => cache.set('big', 'x'.repeat(2000), { tier: 'memory' }));
    const tiny = await m.SmartCache.open({ namespace: 'tiny', memoryBytes: 1000, localStorageBytes: 1000, indexedDbBytes: 1000 });
    const noise = Array.from({ length: 400 }, () => Math.random().toString(36).slice(2)).join('');
    out.tooLargeEverywhere = await codeOf(() => tiny.set('big', noise));
    out.tooLargeForLocal = await codeOf(() => tiny.set('big', noise.slice(0, 1500), { tier: 'local' }));
    await tiny.close();
    out.explicitTier = await codeOf(() => cache.set('k', 1, { tier: 'indexeddb', ttlMs: 1000, staleMs: 10 }));
    out.worksAfter = (await cache.get('k')) === 1 && cache.peek('big') === undefined;
    const listener = () => {};
    await cache.close();
    out.closedSet = await codeOf(() => cache.set('k', 1));
    out.closedGet = await codeOf(() => cache.get('k'));
    out.closedPeek = await codeOf(() => cache.peek('k'));
    out.closedStats = await codeOf(() => cache.stats());
    out.closedSubscribe = await codeOf(() => cache.subscribe(listener));
    out.closeTwice = await codeOf(() => cache.close());
    return out;
  });
  for (const name of ['number', 'empty', 'long', 'lone', 'nul']) {
    for (const op of ['set', 'get', 'peek', 'delete']) assert.equal(result[`${op} ${name}`], 'INVALID_KEY', `${op} ${name}`);
  }
  assert.equal(result.longestKey, 'no error');
  for (const name of ['negativeTtl', 'unknownTier', 'stringTtl', 'badTags', 'badOpen', 'badNamespace']) {
    assert.equal(result[name], 'INVALID_OPTION', name);
  }
  assert.equal(result.tooLarge, 'ENTRY_TOO_LARGE');
  assert.equal(result.tooLargeEverywhere, 'ENTRY_TOO_LARGE');
  assert.equal(result.tooLargeForLocal, 'ENTRY_TOO_LARGE');
  assert.equal(result.explicitTier, 'no error');
  assert.equal(result.worksAfter, true);
  for (const name of ['closedSet', 'closedGet', 'closedPeek', 'closedStats', 'closedSubscribe']) {
    assert.equal(result[name], 'CLOSED', name);
  }
  assert.equal(result.closeTwice, 'no error');
});

test('the memory tier keeps within its budget, evicts with events, expires on time', async () => {
  const result = await inPage(async (m) => {
    const cache = await m.SmartCache.open({ namespace: 'budget', memoryBytes: 10_000 });
    const events = [];
    cache.subscribe((e) => events.push(e));
    const row = 'x'.repeat(98); // 100 bytes of JSON with the quotes
    for (let i = 0; i < 300; i++) {
      await cache.set(`row:${i}`, row, { tier: 'memory' });
      // Rows 0..9 are read often: the policy should keep them.
      for (let hot = 0; hot < 10 && i >= hot; hot++) cache.peek(`row:${hot}`);
    }
    const stats = cache.stats();
    const hotKept = Array.from({ length: 10 }, (_, i) => cache.peek(`row:${i}`) === row).filter(Boolean).length;
    const evicted = events.filter((e) => e.type === 'evict');
    const evictedStillServed = evicted.filter((e) => cache.peek(e.key) !== undefined).length;

    await cache.set('short', 1, { ttlMs: 40, tier: 'memory' });
    const before = cache.peek('short');
    await new Promise((r) => setTimeout(r, 80));
    const afterExpiry = cache.peek('short');
    const expired = events.some((e) => e.type === 'expire' && e.key === 'short');
    const info = cache.entries().find((e) => e.key === 'row:0');
    await cache.close();
    return { stats, hotKept, evicted: evicted.length, evictedStillServed, before, afterExpiry, expired, info };
  });
  assert.ok(result.stats.memory.bytes <= 10_000, `memory bytes ${result.stats.memory.bytes}`);
  assert.equal(result.stats.memory.entries, 100);
  assert.equal(result.evicted, 200);
  assert.equal(result.evictedStillServed, 0);
  assert.equal(result.hotKept, 10);
  assert.ok(result.stats.hits > 2_900, `hits ${result.stats.hits}`);
  assert.equal(result.before, 1);
  assert.equal(result.afterExpiry, undefined);
  assert.equal(result.expired, true);
  assert.equal(result.info.tier, 'memory');
  assert.equal(result.info.inMemory, true);
  assert.ok(result.info.hits > 250);
});
