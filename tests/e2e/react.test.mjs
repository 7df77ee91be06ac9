// smartcache/react in a real browser (ENGINE: Chromium, Firefox or WebKit) under StrictMode, with
// React 19 and with React 18: the page
// tests/e2e/react-app/ is built by Vite (development mode, so StrictMode double-invokes) once per
// React version, and each scenario's renders are checked. React's own warnings fail the test.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'vite';
import { onlyIn, openEngine, root } from './harness.mjs';
import { serveFolder } from '../../scripts/static-server.mjs';

const work = mkdtempSync(join(tmpdir(), 'smartcache-react-'));
after(() => rmSync(work, { recursive: true, force: true }));

const REACTS = {
  19: {},
  18: {
    react: join(root, 'tests/react18/node_modules/react'),
    'react-dom': join(root, 'tests/react18/node_modules/react-dom'),
  },
};

async function buildHarness(version) {
  const outDir = join(work, `react${version}`);
  const alias = [
    { find: /^smartcache$/, replacement: join(root, 'pkg/index.js') },
    { find: /^smartcache\/react$/, replacement: join(root, 'pkg/react.js') },
    ...Object.entries(REACTS[version]).map(([name, path]) => ({ find: new RegExp(`^${name}(/.*)?$`), replacement: `${path}$1` })),
  ];
  await build({
    root: join(root, 'tests/e2e/react-app'),
    configFile: false,
    logLevel: 'error',
    mode: 'development',
    define: { 'process.env.NODE_ENV': '"development"' },
    resolve: { alias },
    build: { outDir, emptyOutDir: true, minify: false },
  });
  return outDir;
}

for (const version of Object.keys(REACTS)) {
  describe(`React ${version}`, () => {
    let server;
    let browser;
    const warnings = [];
    let n = 0;
    before(async () => {
      server = await serveFolder(await buildHarness(version));
      browser = await openEngine();
    });
    after(async () => {
      await browser?.close();
      await server?.close();
    });

    async function page() {
      const p = await browser.newPage();
      await p.goto(server.url);
      await p.waitForFunction(() => window.ready);
      assert.equal((await p.evaluate(() => window.react)).split('.')[0], version);
      const close = p.close.bind(p);
      // What React printed in the page (index.html keeps it) is collected as the page closes.
      p.close = async () => {
        warnings.push(...((await p.evaluate(() => window.consoleWarnings).catch(() => [])) ?? []));
        await close();
      };
      return p;
    }
    const namespace = () => `react${version}-${(n += 1)}`;
    async function run(name, arg = {}) {
      const p = await page();
      try {
        return await p.evaluate(([name, arg]) => window.run(name, arg), [name, { namespace: namespace(), ...arg }]);
      } finally {
        await p.close();
      }
    }

    test('a value in memory renders on the first render: no loading state, no loader call', async () => {
      const r = await run('memoryHit');
      assert.deepEqual(new Set(r.renders), new Set(['success']));
      assert.deepEqual(r.data, { name: 'Acme' });
      assert.equal(r.calls, 0);
    });

    test('three components on one key share one load; unmounting the last aborts its loader', async () => {
      const r = await run('sharedLoadAndAbort');
      assert.equal(r.calls, 1, 'one loader call for three components in StrictMode');
      assert.deepEqual(r.data, { key: 'company:2', n: 1 });
      assert.equal(r.slowCalls, 1);
      assert.equal(r.aborted, true);
    });

    test('invalidation by a sibling, its cascade, set, delete and clear re-render what changed only', async () => {
      const r = await run('invalidation');
      assert.deepEqual(r.removed, ['company:3', 'payments:company:3']);
      assert.equal(r.loadingFlash, false, 'the old data stays until the reload arrives');
      assert.equal(r.rendersOnSameValue, 0, 'setting an equal value renders nothing');
      assert.equal(r.otherRendersMeanwhile, 0, 'an unrelated card does not re-render');
      assert.equal(r.companyCalls, 4);
    });

    test('a stale value shows at once and a background refresh reaches the screen', async () => {
      const { shown } = await run('staleRefresh');
      assert.deepEqual(shown[0].slice(0, 3), ['success', 0, true]);
      assert.ok(shown.some(([, n, , fetching]) => n === 0 && fetching), 'isFetching while refreshing');
      assert.deepEqual(shown.at(-1), ['success', 1, false, false]);
    });

    test('enabled, a null key, select, retry and errors', async () => {
      const r = await run('options');
      assert.equal(r.disabled, 'idle');
      assert.equal(r.null, 'idle');
      assert.equal(r.disabledCalls, 0);
      assert.equal(r.selected, 'COMPANY:7');
      assert.deepEqual(r.retried, { key: 'company:8', after: 2 });
      assert.equal(r.failed, 'error');
    });

    test('a stale entry on screen reloads when the window regains focus or the network returns', async () => {
      assert.deepEqual(await run('refetchOnFocusAndReconnect'), { stale: 3, fresh: 1, off: 1 });
    });

    test('a component appearing while another loads does not spoil that load', async () => {
      assert.deepEqual(await run('overlappingLoads'), { a: 1, b: 1, stored: ['company:60', 'company:61'] });
    });

    test('keepPreviousData shows the last key’s data while the next loads', async () => {
      const { between } = await run('keepPrevious');
      assert.ok(between.every(([status]) => status === 'success'), JSON.stringify(between));
      assert.deepEqual(between.at(-1), ['success', 'page:2']);
      assert.ok(between.some(([, key]) => key === 'page:1'));
    });

    test('a mutation invalidates what it changed and every card reloads', async () => {
      const r = await run('mutation');
      assert.deepEqual(r.result, { companyId: 10 });
      assert.equal(r.status, 'success');
      assert.equal(r.server.payments, 25);
    });

    test('usePrefetch hints a key through its registered loader', async () => {
      const r = await run('prefetchHint');
      assert.deepEqual(r.value, { key: 'company:77', n: 1 });
      assert.equal(r.calls, 1);
    });

    test('a provider with options opens one cache in StrictMode and shows its fallback meanwhile', async () => {
      const r = await run('providerOpens');
      assert.equal(r.fallback, true);
      assert.equal(r.calls, 1);
      assert.equal(r.databases, 1);
      assert.deepEqual(r.namespace, ['company:11']);
    });

    test('without a provider the hooks use the default instance', async () => {
      const r = await run('withoutProvider');
      assert.deepEqual(r.keys, ['company:50']);
      assert.deepEqual(r.data, { key: 'company:50', n: 1 });
    });

    test('another tab’s write and invalidation re-render the component', async () => {
      const ns = namespace();
      const reader = await page();
      const writer = await page();
      try {
        await writer.evaluate((ns) => window.run('tabWriter', { namespace: ns, key: 'company:20', value: { v: 'first' } }), ns);
        const first = await reader.evaluate((ns) => window.run('tabReader', { namespace: ns, key: 'company:20' }), ns);
        assert.deepEqual(first, { v: 'first' });
        await writer.evaluate((ns) => window.run('tabWriter', { namespace: ns, key: 'company:20', value: { v: 'second' } }), ns);
        await reader.waitForFunction(() => document.querySelector('#tab')?.textContent === '{"v":"second"}', null, { timeout: 3000 });
        await writer.evaluate((ns) => window.run('tabWriter', { namespace: ns, key: 'company:20', invalidate: true }), ns);
        await reader.waitForFunction(() => document.querySelector('#tab')?.textContent === '{"key":"company:20","n":1}', null, { timeout: 3000 });
      } finally {
        await reader.close();
        await writer.close();
      }
    });

    test('a reload renders a stored value through Suspense without showing the fallback', async () => {
      const ns = namespace();
      const p = await page();
      try {
        const cold = await p.evaluate((ns) => window.run('suspenseReload', { namespace: ns, key: 'company:30' }), ns);
        assert.equal(cold.calls, 1);
        await p.reload();
        await p.waitForFunction(() => window.ready);
        const warm = await p.evaluate((ns) => window.run('suspenseReload', { namespace: ns, key: 'company:30' }), ns);
        assert.equal(warm.suspended, 0, 'no fallback on a reload');
        assert.equal(warm.calls, 0);
        assert.deepEqual(warm.data, { key: 'company:30', n: 1 });
      } finally {
        await p.close();
      }
    });

    test('a cold start runs the loader while the cache opens, and the cache keeps its result', onlyIn('chromium', 'holding the wasm back needs request interception'), async () => {
      const p = await browser.newPage();
      let release;
      const held = new Promise((resolve) => (release = resolve));
      // The wasm core is held back: the cache cannot open until the loader has been called.
      await p.route('**/*.wasm', async (route) => {
        await held;
        await route.continue();
      });
      try {
        await p.goto(server.url);
        await p.waitForFunction(() => window.ready);
        const result = p.evaluate((ns) => window.run('coldStart', { namespace: ns }), namespace());
        await p.waitForFunction(() => window.state.calls['company:cold'] === 1, null, { timeout: 5000 });
        release();
        assert.deepEqual(await result, { calls: 1, data: { key: 'company:cold', n: 1 } });
        const stored = await p.evaluate(() => localStorage.length);
        assert.ok(stored >= 1, 'the early result was stored');
      } finally {
        release();
        await p.close();
      }
    });

    test('React printed no warning', () => {
      assert.deepEqual(warnings.filter((w) => !w.includes('Download the React DevTools')), []);
    });
  });
}
