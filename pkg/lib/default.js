// The seed's functions on a default instance: `configure`, `smartCache`, `getCachedData`,
// `setCachedData`, `invalidateCachedData`. The instance opens on first use.
import { SmartCache } from './cache.js';
import { checkKey } from './error.js';

let current = null;
let opening = null;
/** listener -> its unsubscribe from the current instance (null while none is open) */
const subscriptions = new Map();

const openNow = () => (current && !current.closed ? current : null);

/** (Re)opens the default instance with `options`; the previous one is closed. */
export async function configure(options) {
  const next = await SmartCache.open(options);
  for (const listener of subscriptions.keys()) subscriptions.set(listener, next.subscribe(listener));
  const previous = current;
  current = next;
  await previous?.close();
  return next;
}

function instance() {
  const open = openNow();
  if (open) return Promise.resolve(open);
  opening ??= configure().finally(() => {
    opening = null;
  });
  return opening;
}

const emptyTier = () => ({ entries: 0, bytes: 0, hits: 0 });

/** The default instance, with the methods of SmartCache. */
export const smartCache = {
  get: (key) => instance().then((c) => c.get(key)),
  set: (key, value, options) => instance().then((c) => c.set(key, value, options)),
  has: (key) => instance().then((c) => c.has(key)),
  delete: (key) => instance().then((c) => c.delete(key)),
  clear: () => instance().then((c) => c.clear()),
  peek(key) {
    const open = openNow();
    if (open) return open.peek(key);
    checkKey(key);
    return undefined;
  },
  stats() {
    const open = openNow();
    if (open) return open.stats();
    const counters = { hits: 0, misses: 0, hitRate: 0, rawBytes: 0, storedBytes: 0, prefetched: 0, prefetchHits: 0, faults: 0 };
    return { ...counters, memory: emptyTier(), local: emptyTier(), indexeddb: emptyTier() };
  },
  entries: () => openNow()?.entries() ?? [],
  subscribe(listener) {
    subscriptions.set(listener, openNow()?.subscribe(listener) ?? null);
    return () => {
      subscriptions.get(listener)?.();
      subscriptions.delete(listener);
    };
  },
  async close() {
    const closing = current;
    current = null;
    await closing?.close();
  },
};

export const getCachedData = (key) => smartCache.get(key);
export const setCachedData = (key, value, options) => smartCache.set(key, value, options);

/** Until relationship-based invalidation lands, this removes the key itself. */
export async function invalidateCachedData(keyOrTag) {
  return (await smartCache.delete(keyOrTag)) ? [keyOrTag] : [];
}
