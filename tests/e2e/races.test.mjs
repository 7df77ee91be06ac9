// Issue 8, part 3, in a real browser: two pages of one profile racing on the same keys converge
// on one value (or on none) in both pages and in storage; invalidations in one page follow edges
// only the other page knows; loads raced by changes never hand out or store stale values; two
// versions side by side never see each other's data.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, inPage } from './harness.mjs';

const session = useBrowser();

async function openTab(namespace, version = 1) {
  const page = await session.openPage();
  await page.evaluate(async ([namespace, version]) => {
    const m = await import('/pkg/index.js');
    window.cache = await m.SmartCache.open({ namespace, version });
  }, [namespace, version]);
  return page;
}

const settle = (ms = 300) => new Promise((r) => setTimeout(r, ms));

/** What each page returns for `keys`, read through the cache (memory first). */
const readAll = (page, keys) => page.evaluate(async (keys) => Promise.all(keys.map(async (k) => (await window.cache.get(k)) ?? null)), keys);

/** What a fresh cache over the same storage returns (what survives a reload). */
const readFresh = (page, namespace, keys) =>
  page.evaluate(async ([namespace, keys]) => {
    const m = await import('/pkg/index.js');
    const fresh = await m.SmartCache.open({ namespace, crossTab: false });
    const out = await Promise.all(keys.map(async (k) => (await fresh.get(k)) ?? null));
    await fresh.close();
    return out;
  }, [namespace, keys]);

/** Two pages of `namespace` run `write(page, who, at)` at the same moment `at`; then what each
 *  reads and what a fresh open reads of `keys`: the keys they disagree on, and what is stored. */
async function race(namespace, keys, write) {
  const a = await openTab(namespace);
  const b = await openTab(namespace);
  const at = Date.now() + 300;
  await Promise.all([write(a, 'a', at), write(b, 'b', at)]);
  await settle(500);
  const [inA, inB] = await Promise.all([readAll(a, keys), readAll(b, keys)]);
  const stored = await readFresh(a, namespace, keys);
  const same = (x, y) => JSON.stringify(x) === JSON.stringify(y);
  const disagree = keys.filter((_, i) => !same(inA[i], inB[i]) || !same(inA[i], stored[i]));
  await a.close();
  await b.close();
  return { disagree, stored };
}

test('300 same-key writes racing in two pages converge: both pages and storage agree', async () => {
  const keys = Array.from({ length: 300 }, (_, i) => `k:${i}`);
  // Both pages write every key at the same moment, each its own value.
  const { disagree, stored } = await race('race-set', keys, (page, who, at) =>
    page.evaluate(async ([keys, who, at]) => {
      while (Date.now() < at) await new Promise((r) => setTimeout(r, 1));
      await Promise.all(keys.map((k) => window.cache.set(k, { who, k })));
    }, [keys, who, at]));
  assert.deepEqual(disagree, [], `${disagree.length} of 300 keys disagree`);
  assert.ok(stored.every((v) => v !== null), 'every key holds one of the two writes');
});

test('the same race in IndexedDB, one batch and one write at a time: the journal both pages append to and compact agrees with both', async () => {
  const keys = Array.from({ length: 200 }, (_, i) => `k:${i}`);
  // Whole batches (the driver's read by range), then 150 writes one at a time in each page:
  // more journal chunks than a compaction's worth, from both pages at once.
  const { disagree, stored } = await race('race-idb', keys, (page, who, at) =>
    page.evaluate(async ([keys, who, at]) => {
      const idb = { tier: 'indexeddb' };
      while (Date.now() < at) await new Promise((r) => setTimeout(r, 1));
      for (let round = 0; round < 2; round++) await Promise.all(keys.map((k) => window.cache.set(k, { who, k, round }, idb)));
      for (const k of keys.slice(0, 150)) await window.cache.set(k, { who, k, round: 2 }, idb);
    }, [keys, who, at]));
  assert.deepEqual(disagree, [], `${disagree.length} of 200 keys disagree`);
  assert.ok(stored.every((v, i) => v !== null && v.round === (i < 150 ? 2 : 1)), 'every key holds a last write');
});

test('an invalidation in one page racing a write of the same key in the other: both agree', async () => {
  const a = await openTab('race-inv');
  const b = await openTab('race-inv');
  const keys = Array.from({ length: 100 }, (_, i) => `k:${i}`);
  await a.evaluate(async (keys) => Promise.all(keys.map((k) => window.cache.set(k, { v: 'old' }))), keys);
  await settle();
  const at = Date.now() + 300;
  await Promise.all([
    a.evaluate(async ([keys, at]) => {
      while (Date.now() < at) await new Promise((r) => setTimeout(r, 1));
      await Promise.all(keys.map((k) => window.cache.invalidate(k)));
    }, [keys, at]),
    b.evaluate(async ([keys, at]) => {
      while (Date.now() < at) await new Promise((r) => setTimeout(r, 1));
      await Promise.all(keys.map((k) => window.cache.set(k, { v: 'new' })));
    }, [keys, at]),
  ]);
  await settle(1000);
  const [inA, inB] = await Promise.all([readAll(a, keys), readAll(b, keys)]);
  const stored = await readFresh(a, 'race-inv', keys);
  const disagree = keys.filter((_, i) => JSON.stringify(inA[i]) !== JSON.stringify(inB[i]) || JSON.stringify(inB[i]) !== JSON.stringify(stored[i]));
  assert.deepEqual(disagree, [], `${disagree.length} of 100 keys disagree`);
  assert.ok(inA.every((v) => v === null || v.v === 'new'), 'never the old value');
  await a.close();
  await b.close();
});

test("an invalidation follows edges only the other page knows, through memory-only entries and any hops", async () => {
  const a = await openTab('remote-graph');
  const b = await openTab('remote-graph');
  await b.evaluate(async () => {
    await window.cache.set('d', { v: 1 }, { dependsOn: ['src'] });
    await window.cache.set('view', { v: 1 }, { dependsOn: ['d'], tier: 'memory' });
    await window.cache.set('page', { v: 1 }, { dependsOn: ['view'], tier: 'memory' });
  });
  // At once: a has not heard of b's entries (their messages may still be on the way).
  await a.evaluate(() => window.cache.invalidate('src'));
  await settle();
  const inB = await readAll(b, ['d', 'view', 'page']);
  assert.deepEqual(inB, [null, null, null]);
  assert.deepEqual(await readFresh(a, 'remote-graph', ['d']), [null], 'storage keeps nothing');
  await a.close();
  await b.close();
});

test('a getOrLoad made after an invalidation has resolved never joins a load begun before it', async () => {
  const page = await openTab('late-join');
  const result = await page.evaluate(async () => {
    const cache = window.cache;
    const out = {};
    for (const how of ['key', 'dependency', 'tag', 'prefix']) {
      await cache.clear();
      let call = 0;
      let release;
      const gate = new Promise((r) => (release = r));
      const loader = async () => {
        call += 1;
        const mine = call;
        if (mine === 1) await gate;
        return { load: mine };
      };
      const options = { dependsOn: ['src'], tags: ['t'] };
      const first = cache.getOrLoad('c:1', loader, options);
      await new Promise((r) => setTimeout(r, 5));
      if (how === 'key') await cache.invalidate('c:1');
      if (how === 'dependency') await cache.invalidate('src');
      if (how === 'tag') await cache.invalidate('t');
      if (how === 'prefix') await cache.invalidatePrefix('c:');
      const late = cache.getOrLoad('c:1', loader, options);
      release();
      out[how] = { late: (await late).load, first: (await first).load, cached: (await cache.get('c:1'))?.load };
    }
    return out;
  });
  for (const how of ['key', 'dependency', 'tag', 'prefix']) {
    assert.notEqual(result[how].late, 1, `${how}: the late caller got the load begun before`);
    assert.equal(result[how].cached, result[how].late, how);
  }
  await page.close();
});

test('nested loads: a view built from an invalidated inner load is not cached', async () => {
  const page = await openTab('nested');
  const result = await page.evaluate(async () => {
    const cache = window.cache;
    let dataVersion = 1;
    let release;
    const gate = new Promise((r) => (release = r));
    let midCalls = 0;
    const mid = () =>
      cache.getOrLoad('mid', async () => {
        midCalls += 1;
        const seen = dataVersion;
        if (midCalls === 1) await gate;
        return { data: seen };
      }, { dependsOn: ['data'] });
    const view = cache.getOrLoad('view', async () => ({ built: (await mid()).data }));
    await new Promise((r) => setTimeout(r, 5));
    dataVersion = 2;
    await cache.invalidate('data');
    release();
    const got = await view;
    return { got, cached: await cache.get('view'), mid: await cache.get('mid') };
  });
  assert.deepEqual(result.got, { built: 2 });
  assert.ok(result.cached === undefined || result.cached.built === 2, JSON.stringify(result.cached));
  assert.ok(result.mid === undefined || result.mid.data === 2, JSON.stringify(result.mid));
  await page.close();
});

test('two versions side by side never see each other: no shared broadcasts, no shared records', async () => {
  const old = await openTab('versions', 1);
  const neu = await openTab('versions', 2);
  await old.evaluate(async () => {
    await window.cache.set('k', { from: 1 });
    await window.cache.set('big', { from: 1, rows: Array.from({ length: 3000 }, (_, i) => ({ i })) }, { tier: 'indexeddb' });
  });
  await settle();
  assert.deepEqual(await readAll(neu, ['k', 'big']), [null, null]);
  await neu.evaluate(() => window.cache.set('k', { from: 2 }));
  await settle();
  assert.deepEqual((await readAll(old, ['k']))[0], { from: 1 });
  await old.close();
  await neu.close();
});
