// Workload 6: time from importing the package to the first `get` resolved, with 1,000 entries
// persisted by an earlier page load. `prepare` runs in that earlier load; `run` after a reload.
// The package, as npm ships it, is imported dynamically so that its loading is inside the
// measured time. With `via: 'default'`, the first `getCachedData` of the default instance instead.

const ENTRIES = 1_000;
/** What npm ships, as a page without a bundler imports it (the bundles, not their sources). */
const SHIPPED = '/pkg/dist/index.js';

export async function prepare() {
  const { SmartCache } = await import(SHIPPED);
  const { company } = await import('/www/crm-data.js');
  const cache = await SmartCache.open({ namespace: 'startup' });
  await cache.clear();
  for (let i = 0; i < ENTRIES; i++) await cache.set(`company:${i}`, company(i));
  await cache.close();
}

export async function run({ via } = {}) {
  if (via === 'default') return runDefault();
  const started = performance.now();
  const { SmartCache } = await import(SHIPPED);
  const imported = performance.now();
  const cache = await SmartCache.open({ namespace: 'startup' });
  const opened = performance.now();
  const value = await cache.get('company:500');
  const firstGet = performance.now();
  const entries = cache.entries().length;
  await cache.clear();
  await cache.close();
  return {
    entries,
    found: value?.id === 500,
    importMs: imported - started,
    openMs: opened - imported,
    totalMs: firstGet - started,
  };
}

/** The same through the seed's functions: the default instance serves localStorage before
 *  IndexedDB's records have loaded, so its first `getCachedData` need not wait for them. */
async function runDefault() {
  const started = performance.now();
  const { configure, getCachedData, smartCache } = await import(SHIPPED);
  const imported = performance.now();
  const configured = configure({ namespace: 'startup' });
  const value = await getCachedData('company:500');
  const firstGet = performance.now();
  await configured;
  const entries = smartCache.entries().length;
  await smartCache.clear();
  await smartCache.close();
  return { entries, found: value?.id === 500, importMs: imported - started, totalMs: firstGet - started };
}
