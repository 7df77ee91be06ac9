// The bridge between a cache and the devtools (the in-page panel, the browser extension): each
// cache opened with `devtools: true` puts a handle on the page's hook,
// `globalThis[Symbol.for('smartcache.devtools')]`, creating it when missing, so that the page,
// the panel and the extension may load in any order. A handle costs one object until someone
// subscribes: only then do detailed events flow, in batches.
import { notifyAll } from './error.js';
import { INSPECT } from './internal.js';

export const HOOK = Symbol.for('smartcache.devtools');
/** Fired on `window` when a handle comes or goes: `{ detail: { type: 'register' | 'unregister', id } }`. */
export const HOOK_EVENT = 'smartcache-devtools';
/** Events of one batch wait at most this long for more. */
const BATCH_MS = 50;

let nextId = 0;

function announce(type, id) {
  try {
    globalThis.dispatchEvent?.(new CustomEvent(HOOK_EVENT, { detail: { type, id } }));
  } catch {
    // No DOM events here (a worker): the hook is read when the panel starts.
  }
}

/** The page's hook: an array, or what an extension's hook script put there (anything with `push`). */
function hook() {
  const found = globalThis[HOOK];
  if (found && typeof found.push === 'function') return found;
  const list = [];
  globalThis[HOOK] = list;
  return list;
}

/** Puts a handle for `cache` on the hook; returns its `id` and `leave()`, which takes it off.
 *  `core` is the engine's boundary (entriesPage, graph, predictions); `description` what
 *  `core.describe()` said of the options; `drain()` hands the engine the memory hits the face
 *  buffered, so that what the handle reads of the engine counts them (as `stats()` does). */
export function registerHandle(cache, core, { namespace, version, budgets }, drain) {
  const id = `${namespace}@${version}#${(nextId += 1)}`;
  const listeners = new Set();
  let unsubscribe = null;
  let batch = [];
  let timer = null;
  let quota;
  const flush = () => {
    timer = null;
    const events = batch;
    batch = [];
    notifyAll(listeners, events);
  };
  const estimate = () => {
    globalThis.navigator?.storage?.estimate?.().then(
      ({ usage, quota: total }) => (quota = { usage, quota: total }),
      () => {},
    );
  };
  // Measured when a panel first asks for stats, not at every open.
  const handle = {
    id,
    namespace,
    version,
    budgets,
    get closed() {
      return cache.closed;
    },
    /** `stats()` with the browser's storage estimate (as last measured) and the tiers' budgets. */
    stats() {
      estimate();
      return { ...cache.stats(), budgets, ...(quota ? { quota } : {}) };
    },
    entries(query = {}) {
      const { filter, tier, cursor, limit } = query;
      drain();
      return core.entriesPage(filter || undefined, tier, cursor, limit);
    },
    graph(key, depth = 2) {
      drain();
      return core.graph(key, depth);
    },
    /** What the predictor has learned (its strongest transitions) and its latest preloads,
     *  each with whether a demand access used it. */
    predictions(limit = 20) {
      drain();
      return core.predictions(limit);
    },
    subscribe(listener) {
      listeners.add(listener);
      unsubscribe ??= cache[INSPECT]((event) => {
        batch.push({ ...event, at: Date.now() });
        timer ??= setTimeout(flush, BATCH_MS);
      });
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0 && unsubscribe !== null) {
          unsubscribe();
          unsubscribe = null;
        }
      };
    },
    async command(c) {
      switch (c?.type) {
        case 'invalidate':
          return cache.invalidate(c.key);
        case 'delete':
          return cache.delete(c.key);
        case 'refetch':
          // Through the key's registered loader, fresh or not.
          return cache.getOrLoad(c.key, undefined, { refresh: true });
        case 'clear':
          return cache.clear();
        case 'export':
          return { namespace, version, at: new Date().toISOString(), stats: handle.stats(), entries: cache.entries() };
        default:
          throw new TypeError(`unknown devtools command ${JSON.stringify(c?.type)}`);
      }
    },
  };
  const list = hook();
  list.push(handle);
  announce('register', id);
  const leave = () => {
    if (timer !== null) clearTimeout(timer);
    listeners.clear();
    unsubscribe = null;
    if (Array.isArray(list)) {
      const at = list.indexOf(handle);
      if (at !== -1) list.splice(at, 1);
    }
    announce('unregister', id);
  };
  return { id, leave };
}
