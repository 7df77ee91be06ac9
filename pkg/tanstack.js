// smartcache/tanstack: TanStack Query keeps `useQuery`; smartcache stores what it persists,
// compressed, in its tiers, shared across tabs. Two shapes of TanStack's persistence contract:
// a whole-client Persister (for PersistQueryClientProvider / persistQueryClient) and an
// AsyncStorage (for createAsyncStoragePersister or the per-query experimental_createQueryPersister).
import { SmartCacheError } from './lib/error.js';
import { smartCache } from './lib/default.js';

/** TanStack's own persisters wait this long between writes of the client. */
const DEFAULT_THROTTLE_MS = 1000;
const DEFAULT_KEY = 'tanstack-query:client';

/** Stores `value`; a value only JSON can carry (Dates, class instances) is stored as JSON makes it,
 *  which is what TanStack's own persisters store. */
async function store(cache, key, value, options) {
  try {
    await cache.set(key, value, options);
  } catch (error) {
    if (!(error instanceof SmartCacheError) || error.code !== 'NOT_SERIALIZABLE') throw error;
    await cache.set(key, JSON.parse(JSON.stringify(value)), options);
  }
}

/** A Persister of the whole QueryClient. `cache`: a SmartCache (default: the default instance). */
export function createSmartCachePersister({ cache = smartCache, key = DEFAULT_KEY, throttleMs = DEFAULT_THROTTLE_MS, setOptions } = {}) {
  let latest;
  let timer;
  let written = Promise.resolve();
  const write = () => {
    timer = undefined;
    const client = latest;
    written = written.then(() => store(cache, key, client, setOptions)).catch((error) => {
      // Storage trouble is the cache's to handle; bad input is the app's to see.
      console.error('smartcache/tanstack: the query client could not be persisted', error);
    });
    return written;
  };
  return {
    persistClient(client) {
      latest = client;
      if (throttleMs <= 0) return write();
      timer ??= setTimeout(write, throttleMs);
      return undefined;
    },
    async restoreClient() {
      return cache.get(key);
    },
    async removeClient() {
      clearTimeout(timer);
      timer = undefined;
      await written;
      await cache.delete(key);
    },
  };
}

/** An AsyncStorage over the cache: getItem, setItem, removeItem (and entries, for per-query GC). */
export function smartCacheStorage({ cache = smartCache, prefix = 'tanstack-query:', setOptions } = {}) {
  return {
    getItem: async (key) => (await cache.get(prefix + key)) ?? null,
    setItem: (key, value) => store(cache, prefix + key, value, setOptions),
    removeItem: async (key) => {
      await cache.delete(prefix + key);
    },
    entries: async () => {
      const keys = cache.entries().map((e) => e.key).filter((k) => k.startsWith(prefix));
      const values = await Promise.all(keys.map((k) => cache.get(k)));
      return keys.map((k, i) => [k.slice(prefix.length), values[i]]).filter(([, v]) => v !== undefined);
    },
  };
}
