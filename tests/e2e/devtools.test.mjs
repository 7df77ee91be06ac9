// The devtools in real Chromium: the hook (any load order, a handle per cache, gone at close),
// the handle (batched detailed events only while subscribed, `remote` on other tabs' events,
// paged entries, the graph, commands), the UI against a fake adapter of 100,000 entries
// (virtualized, paged as it scrolls, filtered, actions), and the in-page panel over a real cache.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inPage, useBrowser } from './harness.mjs';

const session = useBrowser();

test('caches register on the hook in any load order, one handle each, gone when closed', async () => {
  const page = await session.openPage();
  const result = await inPage(page, async (m) => {
    const HOOK = Symbol.for('smartcache.devtools');
    // An extension's hook script was here first: the caches push onto it.
    const pushed = [];
    globalThis[HOOK] = { push: (h) => pushed.push(h.id) };
    const a = await m.SmartCache.open({ namespace: 'hook-a' });
    delete globalThis[HOOK];
    // None yet: the first cache creates the array.
    const b = await m.SmartCache.open({ namespace: 'hook-b', version: 3 });
    const c = await m.SmartCache.open({ namespace: 'hook-c', devtools: false });
    const handles = globalThis[HOOK].map(({ id, namespace, version }) => ({ id, namespace, version }));
    await b.close();
    const afterClose = globalThis[HOOK].length;
    await a.close();
    await c.close();
    return { pushed, handles, afterClose };
  });
  assert.equal(result.pushed.length, 1);
  assert.match(result.pushed[0], /^hook-a@1#/);
  assert.deepEqual(result.handles.map(({ namespace, version }) => ({ namespace, version })), [{ namespace: 'hook-b', version: 3 }]);
  assert.equal(result.afterClose, 0);
  await page.close();
});

test('a subscribed handle gets batched detailed events, other tabs\' marked remote; none flow unsubscribed', async () => {
  const page = await session.openPage();
  const other = await session.openPage();
  await inPage(page, async (m) => {
    window.cache = await m.SmartCache.open({ namespace: 'handle-events' });
    window.handle = globalThis[Symbol.for('smartcache.devtools')].find((h) => h.namespace === 'handle-events');
    window.batches = [];
    await window.cache.set('before', 1);
    window.cache.peek('before');
    window.unsubscribe = window.handle.subscribe((events) => window.batches.push(events));
  });
  await inPage(other, async (m) => {
    window.cache = await m.SmartCache.open({ namespace: 'handle-events' });
  });
  await page.evaluate(async () => {
    const { cache } = window;
    await cache.set('payment:7', { amount: 1 });
    await cache.set('company:42', { id: 42 }, { dependsOn: ['payment:7'] });
    cache.peek('company:42');
    await cache.getOrLoad('loaded', async () => ({ v: 1 }));
    await cache.invalidate('payment:7');
  });
  await other.evaluate(() => window.cache.set('remote-key', 2));
  await page.waitForFunction(() => window.batches.flat().some((e) => e.key === 'remote-key'));
  const seen = await page.evaluate(async () => {
    const events = window.batches.flat();
    window.unsubscribe();
    const batches = window.batches.length;
    await window.cache.set('after', 1);
    await new Promise((r) => setTimeout(r, 150));
    return { events, batches, afterUnsubscribe: window.batches.length };
  });
  const types = seen.events.map((e) => `${e.type}${e.key ? ` ${e.key}` : ''}`);
  assert.ok(types.includes('hit company:42'), types.join(', '));
  assert.ok(seen.events.some((e) => e.type === 'load' && e.key === 'loaded' && typeof e.ms === 'number'));
  const invalidation = seen.events.find((e) => e.type === 'invalidate');
  assert.deepEqual(invalidation.removed, ['company:42', 'payment:7']);
  assert.equal(seen.events.find((e) => e.key === 'remote-key').remote, true);
  assert.ok(seen.events.every((e) => typeof e.at === 'number'));
  assert.ok(!types.includes('set before'), 'nothing from before the subscription');
  assert.ok(seen.batches < seen.events.length, `${seen.events.length} events came in ${seen.batches} batches`);
  assert.equal(seen.afterUnsubscribe, seen.batches, 'nothing after it');
  await page.close();
  await other.close();
});

test('the handle pages entries, draws the graph and runs commands', async () => {
  const page = await session.openPage();
  const result = await inPage(page, async (m) => {
    const cache = await m.SmartCache.open({ namespace: 'handle-commands' });
    const handle = globalThis[Symbol.for('smartcache.devtools')].find((h) => h.namespace === 'handle-commands');
    for (let i = 0; i < 120; i++) await cache.set(`row:${String(i).padStart(3, '0')}`, { i }, { tier: i % 2 ? 'memory' : 'local' });
    await cache.set('payment:7', { amount: 1 }, { tags: ['payments'] });
    await cache.set('payments:company:42', [7], { dependsOn: ['payment:7'] });
    await cache.set('company:42', { id: 42 }, { dependsOn: ['payments:company:42'] });
    let calls = 0;
    // Refetched through its registered loader, the entry keeps its dependencies.
    cache.registerLoader('company:', async () => ({ id: 42, call: (calls += 1) }), (key) => ({ dependsOn: [`payments:${key}`] }));
    const first = handle.entries({ limit: 50 });
    const second = handle.entries({ limit: 50, cursor: first.next });
    const filtered = handle.entries({ filter: 'company' });
    const local = handle.entries({ tier: 'local', limit: 1_000 });
    const graph = handle.graph('payments:company:42');
    const refetched = await handle.command({ type: 'refetch', key: 'company:42' });
    const removed = await handle.command({ type: 'invalidate', key: 'payment:7' });
    const deleted = await handle.command({ type: 'delete', key: 'row:000' });
    const exported = await handle.command({ type: 'export' });
    const stats = handle.stats();
    await handle.command({ type: 'clear' });
    return {
      first: [first.entries.length, first.total, first.entries[0].key, first.next],
      second: second.entries[0].key,
      filtered: filtered.entries.map((e) => e.key),
      local: local.total,
      graph,
      refetched: [refetched, calls],
      removed,
      deleted,
      exported: [exported.namespace, exported.entries.length],
      budgets: stats.budgets,
      afterClear: handle.entries().total,
      unknown: await handle.command({ type: 'explode' }).then(() => 'ran', (e) => e.name),
    };
  });
  assert.deepEqual(result.first, [50, 123, 'company:42', 'row:046']);
  assert.equal(result.second, 'row:047');
  assert.deepEqual(result.filtered, ['company:42', 'payments:company:42']);
  assert.equal(result.local, 63);
  assert.deepEqual(result.graph.edges, [
    { from: 'company:42', to: 'payments:company:42', kind: 'dependsOn' },
    { from: 'payments:company:42', to: 'payment:7', kind: 'dependsOn' },
    { from: 'payment:7', to: 'payments', kind: 'tag' },
  ]);
  assert.deepEqual(result.refetched, [{ id: 42, call: 1 }, 1]);
  assert.deepEqual(result.removed, ['company:42', 'payment:7', 'payments:company:42']);
  assert.equal(result.deleted, true);
  assert.deepEqual(result.exported, ['handle-commands', 119], '123 less 3 invalidated, 1 deleted');
  assert.deepEqual(result.budgets, { memory: 50 * 2 ** 20, local: 4 * 2 ** 20, indexeddb: 256 * 2 ** 20 });
  assert.equal(result.afterClear, 0);
  assert.equal(result.unknown, 'TypeError');
  await page.close();
});
