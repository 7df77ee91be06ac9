// The hooks as an app uses them, in StrictMode: each scenario renders components that log every
// render, does what a person or another tab would do, and returns what was rendered. The test
// file (tests/e2e/react.test.mjs) builds this page with React 19 and with React 18.
import { createElement as h, StrictMode, Suspense, useState, version } from 'react';
import { createRoot } from 'react-dom/client';
import { SmartCache, configure, smartCache } from 'smartcache';
import {
  SmartCacheProvider,
  useCachedMutation,
  useCachedQuery,
  useInvalidate,
  usePrefetch,
  useSmartCache,
  useSuspenseCachedQuery,
} from 'smartcache/react';

const log = [];
const calls = {};
const aborted = [];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function until(check, what, ms = 5000) {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    if (check()) return;
    await sleep(5);
  }
  throw new Error(`timed out: ${what}; log: ${JSON.stringify(log.slice(-12))}`);
}

/** A loader that counts its calls and answers `{ key, n }` after `ms`, honouring its signal. */
const counting = (ms = 20) => (key, { signal }) => {
  calls[key] = (calls[key] ?? 0) + 1;
  const n = calls[key];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => resolve({ key, n }), ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      aborted.push(key);
      reject(signal.reason);
    });
  });
};

function Card({ name, k, loader, options }) {
  const q = useCachedQuery(k, loader, options);
  log.push({ name, status: q.status, data: q.data, isStale: q.isStale, isFetching: q.isFetching, at: performance.now() });
  return h('p', { id: name }, q.status === 'success' ? JSON.stringify(q.data) : q.status);
}

function SuspenseCard({ name, k, loader }) {
  const q = useSuspenseCachedQuery(k, loader);
  log.push({ name, status: 'success', data: q.data, at: performance.now() });
  return h('p', { id: name }, JSON.stringify(q.data));
}

function Fallback({ name }) {
  log.push({ name, status: 'fallback', at: performance.now() });
  return h('p', null, 'fallback');
}

let root;
let handles = {};
function mount(tree) {
  root?.unmount();
  const container = document.createElement('div');
  document.body.replaceChildren(container);
  root = createRoot(container);
  root.render(h(StrictMode, null, tree));
}
const seen = (name) => log.filter((e) => e.name === name);
const last = (name) => seen(name).at(-1);

function Exposer() {
  handles.cache = useSmartCache();
  handles.invalidate = useInvalidate();
  handles.prefetch = usePrefetch();
  return null;
}

function Mutator({ mutate, invalidates }) {
  handles.mutation = useCachedMutation(mutate, { invalidates });
  return null;
}

function Toggle({ children }) {
  const [shown, setShown] = useState(true);
  handles.hide = () => setShown(false);
  return shown ? children : null;
}

const scenarios = {
  async memoryHit({ namespace }) {
    const cache = await SmartCache.open({ namespace });
    await cache.set('company:1', { name: 'Acme' });
    mount(h(SmartCacheProvider, { cache }, h(Card, { name: 'a', k: 'company:1', loader: counting() })));
    await until(() => seen('a').length >= 1, 'a render');
    await sleep(100);
    return { renders: seen('a').map((e) => e.status), data: last('a').data, calls: calls['company:1'] ?? 0 };
  },

  async sharedLoadAndAbort({ namespace }) {
    const cache = await SmartCache.open({ namespace });
    const loader = counting(50);
    mount(h(SmartCacheProvider, { cache }, [1, 2, 3].map((i) => h(Card, { key: i, name: `c${i}`, k: 'company:2', loader }))));
    await until(() => [1, 2, 3].every((i) => last(`c${i}`)?.status === 'success'), 'three cards loaded');
    const shared = { calls: calls['company:2'], data: last('c1').data };
    // A slow load, then the only component showing it unmounts.
    mount(h(SmartCacheProvider, { cache }, h(Toggle, null, h(Card, { name: 'slow', k: 'company:slow', loader: counting(10_000) }))));
    await until(() => calls['company:slow'] === 1, 'slow load started');
    handles.hide();
    await until(() => aborted.includes('company:slow'), 'slow load aborted', 2000);
    return { ...shared, slowCalls: calls['company:slow'], aborted: aborted.includes('company:slow') };
  },

  async invalidation({ namespace }) {
    const cache = await SmartCache.open({ namespace });
    const loader = counting(10);
    mount(
      h(SmartCacheProvider, { cache },
        h(Exposer), h(Card, { name: 'company', k: 'company:3', loader, options: { dependsOn: ['payments:company:3'] } }),
        h(Card, { name: 'payments', k: 'payments:company:3', loader }),
        h(Card, { name: 'other', k: 'company:4', loader })),
    );
    await until(() => ['company', 'payments', 'other'].every((n) => last(n)?.status === 'success'), 'loaded');
    const otherBefore = seen('other').length;
    // A sibling invalidates the payments: the cascade takes the company view, both reload.
    const removed = await handles.invalidate('payments:company:3');
    await until(() => last('company').data?.n === 2 && last('payments').data?.n === 2, 'both reloaded');
    const loadingFlash = seen('company').some((e, i, all) => e.status === 'loading' && all.slice(0, i).some((p) => p.status === 'success'));
    // A set of the key re-renders it; the same value again re-renders nothing.
    await cache.set('company:3', { name: 'Set here' });
    await until(() => last('company').data?.name === 'Set here', 'set shown');
    await sleep(30);
    const afterSet = seen('company').length;
    await cache.set('company:3', { name: 'Set here' });
    await sleep(30);
    const afterSameSet = seen('company').length;
    const otherAfter = seen('other').length;
    await cache.delete('company:3');
    await until(() => last('company').data?.n === 3, 'reload after delete');
    await cache.clear();
    await until(() => last('company').data?.n === 4 && last('other').data?.n === 2, 'reload after clear');
    return {
      removed,
      loadingFlash,
      rendersOnSameValue: afterSameSet - afterSet,
      otherRendersMeanwhile: otherAfter - otherBefore,
      companyCalls: calls['company:3'],
    };
  },

  async staleRefresh({ namespace }) {
    const cache = await SmartCache.open({ namespace });
    await cache.set('company:5', { key: 'company:5', n: 0 }, { staleMs: 1 });
    await sleep(10);
    mount(h(SmartCacheProvider, { cache }, h(Card, { name: 'a', k: 'company:5', loader: counting(30), options: { staleMs: 60_000 } })));
    await until(() => last('a')?.data?.n === 1, 'refreshed');
    return { shown: seen('a').map((e) => [e.status, e.data?.n, e.isStale, e.isFetching]) };
  },

  async refetchOnFocusAndReconnect({ namespace }) {
    const cache = await SmartCache.open({ namespace });
    const loader = counting(5);
    mount(
      h(SmartCacheProvider, { cache },
        h(Card, { name: 'stale', k: 'company:40', loader, options: { staleMs: 300 } }),
        h(Card, { name: 'fresh', k: 'company:41', loader, options: { staleMs: 60_000 } }),
        h(Card, { name: 'off', k: 'company:42', loader, options: { staleMs: 300, refetchOnFocus: false, refetchOnReconnect: false } })),
    );
    await until(() => ['stale', 'fresh', 'off'].every((n) => last(n)?.data?.n === 1), 'loaded');
    await until(() => last('stale').isStale && last('off').isStale, 'stale after 1 ms');
    window.dispatchEvent(new Event('focus'));
    await until(() => last('stale').data.n === 2, 'reloaded on focus');
    await until(() => last('stale').isStale, 'stale again');
    window.dispatchEvent(new Event('online'));
    await until(() => last('stale').data.n === 3, 'reloaded on reconnect');
    await sleep(50);
    return { stale: calls['company:40'], fresh: calls['company:41'], off: calls['company:42'] };
  },

  /** Card B appears while card A's load runs, and B's load ends first. */
  async overlappingLoads({ namespace }) {
    const cache = await SmartCache.open({ namespace });
    let showB;
    function Later() {
      const [shown, setShown] = useState(false);
      showB = () => setShown(true);
      return shown ? h(Card, { name: 'b', k: 'company:61', loader: counting(5) }) : null;
    }
    mount(h(SmartCacheProvider, { cache }, h(Card, { name: 'a', k: 'company:60', loader: counting(150) }), h(Later)));
    await until(() => calls['company:60'] === 1, 'a loading');
    showB();
    await until(() => last('a')?.status === 'success' && last('b')?.status === 'success', 'both loaded');
    await sleep(50);
    return { a: calls['company:60'], b: calls['company:61'], stored: cache.entries().map((e) => e.key).sort() };
  },

  async options({ namespace }) {
    const cache = await SmartCache.open({ namespace });
    let failures = 0;
    const flaky = async (key) => {
      failures += 1;
      if (failures < 2) throw new Error('flaky');
      return { key, after: failures };
    };
    mount(
      h(SmartCacheProvider, { cache },
        h(Card, { name: 'disabled', k: 'company:6', loader: counting(), options: { enabled: false } }),
        h(Card, { name: 'null', k: null, loader: counting() }),
        h(Card, { name: 'selected', k: 'company:7', loader: counting(), options: { select: (d) => d.key.toUpperCase() } }),
        h(Card, { name: 'retried', k: 'company:8', loader: flaky, options: { retry: 1 } }),
        h(Card, { name: 'failed', k: 'company:9', loader: () => Promise.reject(new Error('down')), options: { retry: false } })),
    );
    await until(() => last('selected')?.status === 'success' && last('failed')?.status === 'error', 'settled');
    await until(() => last('retried')?.status === 'success', 'retried after 1 s', 4000);
    return {
      disabled: last('disabled').status,
      null: last('null').status,
      disabledCalls: calls['company:6'] ?? 0,
      selected: last('selected').data,
      retried: last('retried').data,
      failed: last('failed').status,
    };
  },

  async keepPrevious({ namespace }) {
    const cache = await SmartCache.open({ namespace });
    const loader = counting(40);
    let setKey;
    function Pager() {
      const [k, set] = useState('page:1');
      setKey = set;
      return h(Card, { name: 'pager', k, loader, options: { keepPreviousData: true } });
    }
    mount(h(SmartCacheProvider, { cache }, h(Pager)));
    await until(() => last('pager')?.data?.key === 'page:1', 'page 1');
    const mark = seen('pager').length;
    setKey('page:2');
    await until(() => last('pager')?.data?.key === 'page:2', 'page 2');
    return { between: seen('pager').slice(mark).map((e) => [e.status, e.data?.key]) };
  },

  async mutation({ namespace }) {
    const cache = await SmartCache.open({ namespace });
    const loader = counting(10);
    const server = { payments: 0 };
    mount(
      h(SmartCacheProvider, { cache },
        h(Mutator, { mutate: async (amount) => ((server.payments += amount), { companyId: 10 }), invalidates: (r) => [`payments:company:${r.companyId}`] }),
        h(Card, { name: 'company', k: 'company:10', loader, options: { dependsOn: ['payments:company:10'] } }),
        h(Card, { name: 'payments', k: 'payments:company:10', loader }),
        h(Card, { name: 'dashboard', k: 'dashboard', loader, options: { dependsOn: ['company:10'] } })),
    );
    await until(() => ['company', 'payments', 'dashboard'].every((n) => last(n)?.data?.n === 1), 'loaded');
    const result = await handles.mutation.mutate(25);
    await until(() => ['company', 'payments', 'dashboard'].every((n) => last(n)?.data?.n === 2), 'every card reloaded');
    await until(() => handles.mutation.status === 'success', 'mutation status');
    return { result, status: handles.mutation.status, server };
  },

  async prefetchHint({ namespace }) {
    const cache = await SmartCache.open({ namespace });
    cache.registerLoader('company:', counting(5));
    mount(h(SmartCacheProvider, { cache }, h(Exposer)));
    await until(() => handles.prefetch !== undefined, 'mounted');
    handles.prefetch('company:77');
    await until(() => cache.peek('company:77') !== undefined, 'hinted key loaded');
    return { value: cache.peek('company:77'), calls: calls['company:77'] };
  },

  /** The provider opens its own cache (once, in StrictMode) and renders `fallback` meanwhile. */
  async providerOpens({ namespace }) {
    mount(h(SmartCacheProvider, { options: { namespace }, fallback: h(Fallback, { name: 'fb' }) }, h(Exposer), h(Card, { name: 'a', k: 'company:11', loader: counting() })));
    await until(() => last('a')?.status === 'success', 'loaded');
    await until(() => handles.cache !== undefined, 'useSmartCache gives the cache once it knows every entry');
    const dbs = (await indexedDB.databases()).filter((d) => d.name.includes(namespace)).length;
    return { fallback: seen('fb').length > 0, calls: calls['company:11'], databases: dbs, namespace: handles.cache?.entries().map((e) => e.key) };
  },

  /** No provider: the hooks use the default instance, as configure() left it. */
  async withoutProvider({ namespace }) {
    configure({ namespace });
    mount(h(Card, { name: 'default', k: 'company:50', loader: counting(5) }));
    await until(() => last('default')?.status === 'success', 'loaded');
    return { keys: smartCache.entries().map((e) => e.key), data: last('default').data };
  },

  /** A first visit: nothing stored, the provider's cache still opening. */
  async coldStart({ namespace }) {
    mount(h(SmartCacheProvider, { options: { namespace } }, h(Card, { name: 'cold', k: 'company:cold', loader: counting(10) })));
    await until(() => last('cold')?.status === 'success', 'loaded', 10_000);
    return { calls: calls['company:cold'], data: last('cold').data };
  },

  /** Writes a value another tab reads (tabs scenario, first page). */
  async tabWriter({ namespace, key, value, invalidate }) {
    handles.tabCache ??= await SmartCache.open({ namespace });
    if (invalidate) return handles.tabCache.invalidate(key);
    await handles.tabCache.set(key, value);
    return true;
  },

  async tabReader({ namespace, key }) {
    mount(h(SmartCacheProvider, { options: { namespace } }, h(Card, { name: 'tab', k: key, loader: counting() })));
    await until(() => last('tab')?.status === 'success', 'loaded');
    return last('tab').data;
  },

  /** A reload: the page renders a Suspense query for a key stored before it (or loads it). */
  async suspenseReload({ namespace, key }) {
    const started = performance.now();
    mount(
      h(SmartCacheProvider, { options: { namespace }, fallback: null },
        h(Suspense, { fallback: h(Fallback, { name: 'suspended' }) }, h(SuspenseCard, { name: 's', k: key, loader: counting(30) }))),
    );
    await until(() => last('s') !== undefined, 'data');
    await sleep(50);
    return { suspended: seen('suspended').length, data: last('s').data, ms: last('s').at - started, calls: calls[key] ?? 0 };
  },
};

window.react = version;
window.state = { log, calls, aborted };
window.run = async (name, arg) => {
  log.length = 0;
  return scenarios[name](arg);
};
window.ready = true;
