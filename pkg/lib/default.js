// The seed's functions on a default instance: `configure`, `smartCache`, `getCachedData`,
// `setCachedData`, `invalidateCachedData`. The instance opens on first use.
import { SmartCache } from './cache.js';
import { EMPTY_STATS } from './contract.js';
import { checkKey } from './error.js';
import { OPEN_EARLY, WHEN_LOADED } from './internal.js';

let current = null;
/** The latest configure() call while it is under way: every call made meanwhile waits for it. */
let pending = null;
let calls = 0;
/** listener -> its unsubscribe from the current instance (null while none is open) */
const subscriptions = new Map();
/** { prefix, loader, options, unregister } registered through the default instance, carried over when it reopens */
const loaders = new Set();

/** Notified whenever the default instance changes (smartcache/react follows it). */
const watchers = new Set();
/** The options of the latest configure() call. */
let latestOptions;

const openNow = () => (current && !current.closed ? current : null);

/** What the latest configure() call gives (an earlier call, settling later, gives it too): the
 *  instance as soon as it serves. */
const winner = () => pending?.promise ?? (openNow() ? Promise.resolve(current) : openDefault());

/** instance -> the close of the instance it replaced (which may wait for that one's IndexedDB) */
const replaced = new WeakMap();

/** (Re)opens the default instance with `options`; the previous one is closed. Of several calls
 *  the last one made wins, whichever opens first; the others resolve to its instance. Resolves
 *  once every tier is indexed, as `SmartCache.open` does, and the instance it replaced has
 *  closed. */
export function configure(options) {
  const serving = openDefault(options);
  const { call } = pending;
  return serving.then(async (cache) => {
    await cache[WHEN_LOADED]();
    await replaced.get(cache);
    if (call === calls || current === cache) return cache;
    // Another call won meanwhile: its instance, once indexed too (unless none is open now, when
    // winner() would open one).
    if (!pending && !openNow()) return cache;
    const won = await winner();
    await won[WHEN_LOADED]();
    return won;
  });
}

/** configure() as the default instance's own methods use it: the instance is installed (and the
 *  previous one closed) as soon as it serves memory and localStorage, IndexedDB's records loading
 *  meanwhile: the first `getCachedData` after a page load does not wait for the database unless
 *  it needs it (see `SmartCache[OPEN_EARLY]`). */
function openDefault(options) {
  const call = ++calls;
  latestOptions = options;
  const promise = SmartCache[OPEN_EARLY](options).then(
    async (next) => {
      if (call !== calls) {
        await next.close();
        return winner();
      }
      for (const listener of subscriptions.keys()) {
        subscriptions.get(listener)?.();
        subscriptions.set(listener, next.subscribe(listener));
      }
      for (const entry of loaders) {
        entry.unregister?.();
        entry.unregister = next.registerLoader(entry.prefix, entry.loader, entry.options);
      }
      const previous = current;
      current = next;
      if (pending?.call === call) pending = null;
      for (const watcher of watchers) watcher();
      // The calls waiting for this instance go ahead without waiting for the previous one to
      // close (its close waits for its IndexedDB records, which may be held up); configure()
      // waits for it.
      if (previous) replaced.set(next, previous.close().catch(() => {}));
      return next;
    },
    (error) => {
      if (call !== calls) return winner();
      if (pending?.call === call) pending = null;
      throw error;
    },
  );
  pending = { call, promise };
  return promise;
}

/** The default instance: the one a pending configure() is opening, else the open one, else a new one. */
function instance() {
  if (pending) return pending.promise;
  const open = openNow();
  if (open) return Promise.resolve(open);
  return openDefault();
}

/** For smartcache/react: the default instance as it stands, and its changes. */
export const defaultInstance = {
  open: instance,
  now: openNow,
  options: () => latestOptions,
  watch(watcher) {
    watchers.add(watcher);
    return () => watchers.delete(watcher);
  },
};

/** The default instance, with the methods of SmartCache. */
export const smartCache = {
  get: (key) => instance().then((c) => c.get(key)),
  set: (key, value, options) => instance().then((c) => c.set(key, value, options)),
  has: (key) => instance().then((c) => c.has(key)),
  delete: (key) => instance().then((c) => c.delete(key)),
  clear: () => instance().then((c) => c.clear()),
  getOrLoad: (key, loader, options) => instance().then((c) => c.getOrLoad(key, loader, options)),
  invalidate: (keyOrTag) => instance().then((c) => c.invalidate(keyOrTag)),
  invalidatePrefix: (prefix) => instance().then((c) => c.invalidatePrefix(prefix)),
  prefetch: (key, loader) => instance().then((c) => c.prefetch(key, loader)),
  hint(key) {
    const open = openNow();
    if (open) open.hint(key);
    else checkKey(key);
  },
  registerLoader(prefix, loader, options) {
    // Registered on every instance the default one becomes.
    const entry = { prefix, loader, options, unregister: openNow()?.registerLoader(prefix, loader, options) };
    loaders.add(entry);
    return () => {
      loaders.delete(entry);
      entry.unregister?.();
    };
  },
  peek(key) {
    const open = openNow();
    if (open) return open.peek(key);
    checkKey(key);
    return undefined;
  },
  stats() {
    const open = openNow();
    if (open) return open.stats();
    return structuredClone(EMPTY_STATS);
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
    for (const watcher of watchers) watcher();
    await closing?.close();
  },
};

export const getCachedData = (key) => smartCache.get(key);
export const setCachedData = (key, value, options) => smartCache.set(key, value, options);

export const invalidateCachedData = (keyOrTag) => smartCache.invalidate(keyOrTag);
