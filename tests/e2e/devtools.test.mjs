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

test('a subscribed handle gets batched detailed events (memory hits counted, not streamed), other tabs\' marked remote; none flow unsubscribed', async () => {
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
  // Another tab's write is not in memory here: reading it is a localStorage hit.
  await page.evaluate(() => window.cache.get('remote-key'));
  await page.waitForFunction(() => window.batches.flat().some((e) => e.type === 'hit' && e.key === 'remote-key'));
  const seen = await page.evaluate(async () => {
    const events = window.batches.flat();
    window.unsubscribe();
    const batches = window.batches.length;
    await window.cache.set('after', 1);
    await new Promise((r) => setTimeout(r, 150));
    return { events, batches, afterUnsubscribe: window.batches.length };
  });
  const types = seen.events.map((e) => `${e.type}${e.key ? ` ${e.key}` : ''}`);
  assert.equal(seen.events.find((e) => e.type === 'hit' && e.key === 'remote-key').tier, 'local', types.join(', '));
  assert.ok(!types.includes('hit company:42'), 'memory hits are counted, not streamed (peek stays as fast)');
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
    const callsToRefetch = calls;
    const removed = await handle.command({ type: 'invalidate', key: 'payment:7' });
    const deleted = await handle.command({ type: 'delete', key: 'row:000' });
    // A preload read from memory: the handle knows it was used, though memory hits are not streamed.
    await cache.prefetch('company:9');
    const before = handle.predictions().recent.map(({ key, reason, used }) => ({ key, reason, used }));
    cache.peek('company:9');
    const after = handle.predictions().recent.map(({ key, used }) => ({ key, used }));
    await cache.delete('company:9');
    const exported = await handle.command({ type: 'export' });
    const stats = handle.stats();
    await handle.command({ type: 'clear' });
    return {
      first: [first.entries.length, first.total, first.entries[0].key, first.next],
      second: second.entries[0].key,
      filtered: filtered.entries.map((e) => e.key),
      local: local.total,
      graph,
      refetched: [refetched, callsToRefetch],
      preloads: { before, after },
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
  assert.deepEqual(result.preloads, {
    before: [{ key: 'company:9', reason: 'manual', used: false }],
    after: [{ key: 'company:9', used: true }],
  });
  assert.deepEqual(result.removed, ['company:42', 'payment:7', 'payments:company:42']);
  assert.equal(result.deleted, true);
  assert.deepEqual(result.exported, ['handle-commands', 119], '123 less 3 invalidated, 1 deleted');
  assert.deepEqual(result.budgets, { memory: 50 * 2 ** 20, local: 4 * 2 ** 20, indexeddb: 256 * 2 ** 20 });
  assert.equal(result.afterClear, 0);
  assert.equal(result.unknown, 'TypeError');
  await page.close();
});

/** Installed in the page: a fake adapter over 100,000 synthetic entries, recording its calls. */
const fakeAdapter = () => {
  const entries = Array.from({ length: 100_000 }, (_, i) => ({
    key: `company:${String(i).padStart(6, '0')}`, tier: i % 3 ? 'local' : 'indexeddb', inMemory: i % 2 === 0,
    rawBytes: 2_000 + i, storedBytes: 600, compressed: true, createdAt: Date.now(), expiresAt: Date.now() + 60_000,
    tags: i % 10 ? [] : ['vip'], dependsOn: [`payments:company:${i}`], hits: i % 7,
  }));
  const calls = [];
  let listener = null;
  window.fake = {
    calls,
    emit: (events) => listener?.(events),
    adapter: {
      handles: async () => [{ id: 'fake#1', namespace: 'fake', version: 1 }],
      onHandles: () => () => {},
      subscribe: (id, l) => ((listener = l), () => (listener = null)),
      async call(id, method, ...args) {
        calls.push([method, ...args]);
        if (method === 'entries') {
          const { filter, cursor, limit = 100 } = args[0] ?? {};
          const matching = filter ? entries.filter((e) => e.key.includes(filter) || e.tags.some((t) => t.includes(filter))) : entries;
          const start = cursor ? matching.findIndex((e) => e.key > cursor) : 0;
          const page = matching.slice(start, start + limit);
          return { entries: page, total: matching.length, next: start + limit < matching.length ? page.at(-1).key : undefined };
        }
        if (method === 'graph') {
          const key = args[0];
          return { nodes: [{ key, tier: 'local' }, { key: 'payments:company:1', tier: 'local' }, { key: 'dashboard', tier: 'indexeddb' }],
            edges: [{ from: key, to: 'payments:company:1', kind: 'dependsOn' }, { from: 'dashboard', to: key, kind: 'dependsOn' }] };
        }
        if (method === 'stats') {
          const tier = { entries: 1, bytes: 1_000, hits: 1 };
          return { hits: 3, misses: 1, hitRate: 0.75, memory: tier, local: tier, indexeddb: tier, rawBytes: 10, storedBytes: 5, prefetched: 1, prefetchHits: 1, faults: 0,
            predict: { mode: 'on', issued: 4, used: 3, precision: 0.75, coverage: 0.5, wastedBytes: 100 }, budgets: { memory: 4_000, local: 4_000, indexeddb: 4_000 } };
        }
        return { ok: true };
      },
    },
  };
};

test('the UI over 100,000 entries: first paint, virtualized rows, pages on scroll, filter, graph, actions, timeline', async () => {
  const page = await session.openPage();
  await page.evaluate(fakeAdapter);
  const result = await page.evaluate(async () => {
    const { DevtoolsUI } = await import('/pkg/lib/devtools/ui.js');
    const host = document.createElement('div');
    host.style.cssText = 'width: 1000px; height: 500px; display: flex';
    document.body.append(host);
    const root = host.attachShadow({ mode: 'open' });
    const started = performance.now();
    const ui = new DevtoolsUI(root, window.fake.adapter);
    await ui.ready;
    while (root.querySelectorAll('.row[data-key]').length === 0) await new Promise((r) => setTimeout(r, 1));
    const paintMs = performance.now() - started;
    const rowsInDom = root.querySelectorAll('.row').length;
    const total = root.querySelector('[data-entries-total]').textContent;
    const scroller = root.querySelector('.scroller');
    scroller.scrollTop = 1_000 * 22;
    scroller.dispatchEvent(new Event('scroll'));
    while (!root.querySelector('.row[data-key="company:001000"]')) await new Promise((r) => setTimeout(r, 5));
    const pagesFetched = window.fake.calls.filter((c) => c[0] === 'entries').length;
    const input = root.querySelector('input[aria-label="filter entries"]');
    input.value = 'vip';
    input.dispatchEvent(new Event('input'));
    while (root.querySelector('[data-entries-total]').textContent !== '10,000 entries') await new Promise((r) => setTimeout(r, 5));
    root.querySelector('.row[data-key]').click();
    while (!root.querySelector('[data-detail] svg')) await new Promise((r) => setTimeout(r, 5));
    const drawn = [...root.querySelectorAll('[data-detail] [data-edge]')].map((l) => l.getAttribute('data-edge'));
    root.querySelector('[data-action="invalidate"]').click();
    while (!window.fake.calls.some((c) => c[0] === 'command')) await new Promise((r) => setTimeout(r, 5));
    window.fake.emit([{ type: 'invalidate', key: 'payment:7', removed: ['company:000000', 'payment:7'], at: Date.now() },
      { type: 'set', key: 'x', tier: 'local', remote: true, at: Date.now() }]);
    root.querySelector('[data-tab="timeline"]').click();
    const timeline = [...root.querySelectorAll('[data-event]')].map((e) => e.textContent);
    root.querySelector('[data-tab="tiers"]').click();
    await new Promise((r) => setTimeout(r, 50));
    const bars = [...root.querySelectorAll('[data-bar]')].map((b) => b.firstChild.style.width);
    root.querySelector('[data-tab="predictions"]').click();
    await new Promise((r) => setTimeout(r, 50));
    const predict = root.querySelector('[data-predict]')?.textContent;
    ui.destroy();
    return { paintMs, rowsInDom, total, pagesFetched, drawn, command: window.fake.calls.find((c) => c[0] === 'command'), timeline, bars, predict };
  });
  console.log(`devtools UI first paint over 100,000 entries: ${result.paintMs.toFixed(0)} ms`);
  assert.equal(result.total, '100,000 entries');
  assert.ok(result.rowsInDom < 80, `${result.rowsInDom} rows in the DOM`);
  assert.ok(result.pagesFetched >= 2, 'scrolling fetched the next page');
  assert.deepEqual(result.drawn, ['company:000000 -> payments:company:1', 'dashboard -> company:000000']);
  assert.deepEqual(result.command, ['command', { type: 'invalidate', key: 'company:000000' }]);
  assert.ok(result.timeline.some((t) => t.includes('invalidate') && t.includes('removed 2: company:000000, payment:7')), result.timeline.join('\n'));
  assert.ok(result.timeline.some((t) => t.includes('from another tab')));
  assert.deepEqual(result.bars, ['25%', '25%', '25%']);
  assert.match(result.predict, /guesses 4 · used 3 · precision 75 %/);
  await page.close();
});

test('the in-page panel over a real cache: entries with tiers and bytes, the graph, an invalidation from the panel', async () => {
  const page = await session.openPage();
  const result = await inPage(page, async (m) => {
    const { mountDevtools } = await import('/pkg/devtools.js');
    const cache = await m.SmartCache.open({ namespace: 'panel' });
    await cache.set('payment:7', { amount: 1 }, { tags: ['payments'] });
    await cache.set('payments:company:42', [7], { dependsOn: ['payment:7'] });
    await cache.set('company:42', { id: 42, name: 'Acme '.repeat(300) }, { dependsOn: ['payments:company:42'] });
    await cache.set('dashboard', { big: 'x'.repeat(70_000) }, { tier: 'indexeddb' });
    const unmount = mountDevtools({ cache });
    const root = document.querySelector('[data-smartcache-devtools]').shadowRoot;
    const until = async (check) => {
      while (!check()) await new Promise((r) => setTimeout(r, 5));
    };
    await until(() => root.querySelectorAll('.row[data-key]').length === 4);
    const rows = Object.fromEntries([...root.querySelectorAll('.row[data-key]')].map((r) => [r.dataset.key, [...r.children].map((c) => c.textContent)]));
    root.querySelector('.row[data-key="payments:company:42"]').click();
    await until(() => root.querySelector('[data-detail] svg'));
    const edges = [...root.querySelectorAll('[data-detail] [data-edge]')].map((l) => l.getAttribute('data-edge'));
    root.querySelector('[data-action="invalidate"]').click();
    await until(() => root.querySelectorAll('.row[data-key]').length === 2);
    const left = [...root.querySelectorAll('.row[data-key]')].map((r) => r.dataset.key);
    const inCache = await Promise.all(['company:42', 'payments:company:42', 'payment:7'].map((k) => cache.has(k)));
    unmount();
    return { rows, edges, left, inCache, gone: document.querySelector('[data-smartcache-devtools]') === null };
  });
  assert.deepEqual(result.rows['company:42'].slice(0, 3), ['company:42', 'local', '✓']);
  assert.equal(result.rows.dashboard[1], 'indexeddb');
  assert.ok(Number(result.rows['company:42'][3].replace(/,/g, '')) > 1_500, 'raw bytes');
  assert.ok(Number(result.rows['company:42'][4].replace(/,/g, '')) < 1_000, 'stored bytes, compressed');
  assert.deepEqual(result.edges.sort(), ['company:42 -> payments:company:42', 'payments:company:42 -> payment:7']);
  assert.deepEqual(result.left, ['dashboard', 'payment:7']);
  assert.deepEqual(result.inCache, [false, false, true], 'the entry and what depends on it');
  assert.equal(result.gone, true);
  await page.close();
});
