// Invalidation and loading in real Chromium: the payment -> list -> company cascade across tiers
// and after a reload, getOrLoad's shared loads, loader errors, loads raced by an invalidation,
// stale-while-revalidate, and registered loaders.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inPage, useBrowser } from './harness.mjs';

const session = useBrowser();
const openPage = () => session.openPage();

test('invalidating a payment removes its payments list and the company page, in every tier and after a reload', async () => {
  const page = await openPage();
  const setUp = async (m) => {
    const cache = await m.SmartCache.open({ namespace: 'cascade' });
    await cache.set('payment:7', { id: 7, amount: 120 }, { tier: 'indexeddb', tags: ['payments'] });
    await cache.set('payments:company:42', [{ id: 7 }], { tier: 'local', dependsOn: ['payment:7'] });
    await cache.set('company:42', { id: 42, payments: 1 }, { dependsOn: ['payments:company:42'] });
    await cache.set('company:43', { id: 43 });
    return cache;
  };
  const now = await inPage(page, async (m, setUpSource) => {
    const cache = await new Function(`return ${setUpSource}`)()(m);
    const events = [];
    cache.subscribe((e) => e.type === 'invalidate' && events.push(e));
    const removed = await cache.invalidate('payment:7');
    const after = await Promise.all(['payment:7', 'payments:company:42', 'company:42', 'company:43'].map((k) => cache.get(k)));
    return { removed, events, after: after.map((v) => v?.id ?? null) };
  }, setUp.toString());
  assert.deepEqual(now.removed, ['company:42', 'payment:7', 'payments:company:42']);
  assert.deepEqual(now.events, [{ type: 'invalidate', key: 'payment:7', removed: now.removed }]);
  assert.deepEqual(now.after, [null, null, null, 43]);

  await inPage(page, async (m, setUpSource) => {
    await new Function(`return ${setUpSource}`)()(m);
  }, setUp.toString());
  await page.reload();
  const reloaded = await inPage(page, async (m) => {
    const cache = await m.SmartCache.open({ namespace: 'cascade' });
    const removed = await cache.invalidate('payments');
    const after = await Promise.all(['payment:7', 'payments:company:42', 'company:42', 'company:43'].map((k) => cache.get(k)));
    const keys = Object.keys(localStorage).filter((k) => k.startsWith('smartcache:7:cascade:')).sort();
    return { removed, after: after.map((v) => v?.id ?? null), keys };
  });
  assert.deepEqual(reloaded.removed, ['company:42', 'payment:7', 'payments:company:42']);
  assert.deepEqual(reloaded.after, [null, null, null, 43]);
  assert.deepEqual(reloaded.keys, ['smartcache:7:cascade:1:company:43']);
  await page.close();
});

test('concurrent getOrLoad calls share one loader call; errors reject every caller and are not cached', async () => {
  const page = await openPage();
  const result = await inPage(page, async (m) => {
    const cache = await m.SmartCache.open({ namespace: 'dedup' });
    let calls = 0;
    const loader = async (key) => {
      calls += 1;
      await new Promise((r) => setTimeout(r, 50));
      return { key, call: calls };
    };
    const values = await Promise.all(Array.from({ length: 10 }, () => cache.getOrLoad('company:1', loader)));
    const same = values.every((v) => v === values[0]);
    const hit = await cache.getOrLoad('company:1', loader);

    let failures = 0;
    const failing = async () => {
      failures += 1;
      await new Promise((r) => setTimeout(r, 20));
      throw new Error('backend down');
    };
    const outcomes = await Promise.allSettled(Array.from({ length: 5 }, () => cache.getOrLoad('company:2', failing)));
    const cachedAfterError = await cache.get('company:2');
    const retried = await cache.getOrLoad('company:2', async () => ({ ok: true }));
    return {
      calls, same, hitCall: hit.call, failures, outcomes: outcomes.map((o) => o.status + ':' + (o.reason?.message ?? '')),
      cachedAfterError: cachedAfterError ?? null, retried,
    };
  });
  assert.equal(result.calls, 1);
  assert.equal(result.same, true);
  assert.equal(result.hitCall, 1);
  assert.equal(result.failures, 1);
  assert.deepEqual(result.outcomes, Array(5).fill('rejected:backend down'));
  assert.equal(result.cachedAfterError, null);
  assert.deepEqual(result.retried, { ok: true });
  await page.close();
});

test('a load raced by an invalidation stores nothing: its loader is aborted and its callers get a load begun after the change', async () => {
  const page = await openPage();
  const result = await inPage(page, async (m) => {
    const cache = await m.SmartCache.open({ namespace: 'race' });
    const out = {};
    for (const how of ['key', 'tag', 'prefix', 'dependency', 'delete', 'clear']) {
      let release;
      const gate = new Promise((r) => (release = r));
      let calls = 0;
      let aborted = false;
      const loading = cache.getOrLoad('company:42', async (key, { signal }) => {
        calls += 1;
        if (calls > 1) return { version: 'loaded after the change' };
        signal.addEventListener('abort', () => (aborted = true));
        await gate;
        return { version: 'loaded before the change' };
      }, { tags: ['company'], dependsOn: ['payments:company:42'] });
      await new Promise((r) => setTimeout(r, 10));
      if (how === 'key') await cache.invalidate('company:42');
      if (how === 'tag') await cache.invalidate('company');
      if (how === 'prefix') await cache.invalidatePrefix('company:');
      if (how === 'dependency') await cache.invalidate('payments:company:42');
      if (how === 'delete') await cache.delete('company:42');
      if (how === 'clear') await cache.clear();
      release();
      const value = await loading;
      out[how] = { caller: value.version, cached: (await cache.get('company:42'))?.version ?? null, calls, aborted };
      await cache.delete('company:42');
    }
    let calls = 0;
    await cache.getOrLoad('company:42', async () => ({ calls: ++calls }));
    out.nextLoads = calls;
    return out;
  });
  for (const how of ['key', 'tag', 'prefix', 'dependency', 'delete', 'clear']) {
    assert.deepEqual(result[how], { caller: 'loaded after the change', cached: 'loaded after the change', calls: 2, aborted: true }, how);
  }
  assert.equal(result.nextLoads, 1);
  await page.close();
});

test('stale-while-revalidate: past staleMs the old value comes at once and one background load refreshes it', async () => {
  const page = await openPage();
  const result = await inPage(page, async (m) => {
    const cache = await m.SmartCache.open({ namespace: 'swr' });
    let version = 0;
    let calls = 0;
    const loader = async () => {
      calls += 1;
      await new Promise((r) => setTimeout(r, 30));
      return { version: ++version };
    };
    const options = { staleMs: 50, ttlMs: 400 };
    const first = await cache.getOrLoad('dashboard', loader, options);
    const fresh = await cache.getOrLoad('dashboard', loader, options);
    await new Promise((r) => setTimeout(r, 80));
    const stale = await Promise.all([1, 2, 3].map(() => cache.getOrLoad('dashboard', loader, options)));
    const callsRightAfter = calls;
    // The background load lands when it lands: wait for it rather than for a fixed time.
    let refreshed = await cache.get('dashboard');
    for (let waited = 0; refreshed.version === 1 && waited < 2000; waited += 10) {
      await new Promise((r) => setTimeout(r, 10));
      refreshed = await cache.get('dashboard');
    }
    await new Promise((r) => setTimeout(r, 450));
    const expired = await cache.get('dashboard');
    const reloaded = await cache.getOrLoad('dashboard', loader, options);
    return { first: first.version, fresh: fresh.version, stale: stale.map((v) => v.version), callsRightAfter, refreshed: refreshed.version, expired: expired ?? null, reloaded: reloaded.version, calls };
  });
  assert.deepEqual(result, { first: 1, fresh: 1, stale: [1, 1, 1], callsRightAfter: 2, refreshed: 2, expired: null, reloaded: 3, calls: 3 });
  await page.close();
});

test('registered loaders: the longest matching prefix wins, and without one getOrLoad is INVALID_OPTION', async () => {
  const page = await openPage();
  const result = await inPage(page, async (m) => {
    const cache = await m.SmartCache.open({ namespace: 'loaders' });
    cache.registerLoader('company:', async (key) => ({ from: 'company', key }));
    const unregister = cache.registerLoader('company:vip:', async (key) => ({ from: 'vip', key }), { tags: ['vip'] });
    const a = await cache.getOrLoad('company:1');
    const b = await cache.getOrLoad('company:vip:2');
    const tags = cache.entries().find((e) => e.key === 'company:vip:2').tags;
    // Options given to the call win over the registered ones.
    await cache.getOrLoad('company:vip:4', undefined, { tags: ['given'] });
    const given = cache.entries().find((e) => e.key === 'company:vip:4').tags;
    unregister();
    const c = await cache.getOrLoad('company:vip:3');
    let code = null;
    try {
      await cache.getOrLoad('invoice:1');
    } catch (e) {
      code = e.code;
    }
    let badLoader = null;
    try {
      await cache.getOrLoad('invoice:1', 'not a function');
    } catch (e) {
      badLoader = e.code;
    }
    await m.configure({ namespace: 'loaders-default' });
    m.smartCache.registerLoader('user:', async (key) => ({ user: key }));
    const viaDefault = await m.smartCache.getOrLoad('user:9');
    return { a: a.from, b: b.from, tags, c: c.from, given, code, badLoader, viaDefault };
  });
  assert.deepEqual(result, { a: 'company', b: 'vip', tags: ['vip'], c: 'company', given: ['given'], code: 'INVALID_OPTION', badLoader: 'INVALID_OPTION', viaDefault: { user: 'user:9' } });
  await page.close();
});
