// A user's app: installs the packed smartcache tarball, imports it by name, and is built by Vite.
import { SmartCache, SmartCacheError, getCachedData, setCachedData, type CacheStats, type Loader, type CacheEvent } from 'smartcache';

interface Company {
  id: number;
  name: string;
}

async function run(): Promise<Record<string, unknown>> {
  await setCachedData<Company>('company:42', { id: 42, name: 'Acme' });
  const company = await getCachedData<Company>('company:42');
  const cache = await SmartCache.open({ namespace: 'vite', memoryBytes: 1 << 20, predict: { threshold: 0.5 }, devtools: true });
  cache.registerLoader('contacts:', async (key) => ({ key }), (key) => ({ dependsOn: [key.replace('contacts:', 'company:')] }));
  await cache.set('payments:company:42', [{ id: 1, amount: 10 }], { ttlMs: 60_000, tags: ['payments'] });
  const hit = cache.peek<{ id: number }[]>('payments:company:42');
  let code = '';
  try {
    await cache.set('', 1);
  } catch (e) {
    code = e instanceof SmartCacheError ? e.code : 'wrong class';
  }
  const loadCompany: Loader<Company> = async (key, { signal }) => ({ id: Number(key.split(':')[1]), name: signal.aborted ? 'aborted' : 'Loaded' });
  const loaded = await cache.getOrLoad('company:7', loadCompany);
  const events: CacheEvent['type'][] = [];
  cache.subscribe((event) => events.push(event.type));
  const stats: CacheStats = cache.stats();
  // The devtools entry, loaded on demand: its panel lists this cache.
  const { mountDevtools } = await import('smartcache/devtools');
  const unmount = mountDevtools({ cache, open: false });
  unmount();
  return { name: company?.name, rows: hit?.length, code, hits: stats.hits, loaded: loaded.name, predict: stats.predict.mode };
}

run().then(
  (result) => {
    (window as unknown as { __result: unknown }).__result = result;
    document.getElementById('out')!.textContent = JSON.stringify(result);
  },
  (error) => {
    (window as unknown as { __result: unknown }).__result = { error: String(error) };
  },
);
