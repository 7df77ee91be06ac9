// What the hooks of one cache know per key: the snapshot they render (data, status, staleness,
// whether a load runs), the one load their components share, and which cache events change it.
// The cache decides everything about the data; this only turns its events into snapshots.
import { SmartCacheError } from '../error.js';
import { LIVE, READ_NOW, isStale } from '../internal.js';
import { replaceEqualDeep, shallowEqual } from './share.js';

/** How long a key's record outlives its last component (a remount within it renders at once). */
const UNUSED_RECORD_MS = 30_000;
/** The first retry waits this long; each next one twice as long. */
const RETRY_DELAY_MS = 1000;
const DEFAULT_RETRIES = 2;

const snapshot = (status, more) =>
  Object.freeze({ data: undefined, error: undefined, status, isStale: false, isFetching: false, ...more });
export const IDLE = snapshot('idle');
export const LOADING = snapshot('loading');
export const failed = (error) => snapshot('error', { error });

/** The options of a hook that are the cache's SetOptions (the rest belong to the hook). */
function setOptionsOf(options) {
  if (options === undefined) return undefined;
  const { enabled, select, retry, refetchOnFocus, refetchOnReconnect, keepPreviousData, ...set } = options;
  return Object.keys(set).length === 0 ? undefined : set;
}


function wait(ms, signal) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(signal.reason);
    }, { once: true });
  });
}

/** One key's record. */
class Query {
  snapshot = LOADING;
  listeners = new Set();
  /** The latest rendering hook's { loader, options } */
  query = { loader: undefined, options: undefined };
  /** The load under way: { controller, refresh, promise } */
  #fetch = null;
  /** A read of IndexedDB begun by the first render, which a load waits for. */
  #pendingRead = null;
  /** Resolves when the snapshot leaves 'loading' (what a suspended render waits for). */
  #settled = null;
  #timer = undefined;
  #unusedTimer = undefined;
  /** The record's first read, made when it was created, still stands for its first mount. */
  #readAtCreation = true;

  constructor(queries, key) {
    this.queries = queries;
    this.cache = queries.cache;
    this.key = key;
    let found;
    try {
      found = this.cache[READ_NOW](key);
    } catch (error) {
      this.snapshot = failed(error);
      return;
    }
    if (found.pending !== undefined) {
      this.#pendingRead = found.pending.then(
        (value) => value !== undefined && this.#took(value),
        () => {},
      );
    } else if (found.value !== undefined) {
      this.#took(found.value);
    }
  }

  use(loader, options) {
    this.query = { loader, options };
  }

  subscribe = (listener) => {
    this.listeners.add(listener);
    clearTimeout(this.#unusedTimer);
    if (this.listeners.size === 1) this.#mounted();
    return () => {
      this.listeners.delete(listener);
      // Later, not now: StrictMode unmounts and at once remounts; a remount keeps the load.
      if (this.listeners.size === 0) setTimeout(() => this.#unmounted(), 0);
    };
  };

  /** Loads the key unless a fresh value is shown; `refresh`: call the loader even so. A load
   *  under way is joined (it calls the loader already). */
  fetch(refresh) {
    if (this.#fetch !== null) return this.#fetch.promise;
    const run = { controller: new AbortController(), refresh, promise: null };
    this.#fetch = run;
    this.#publish({ ...this.snapshot, isFetching: true, status: this.snapshot.status === 'error' && this.snapshot.data === undefined ? 'loading' : this.snapshot.status });
    run.promise = this.#attempts(run);
    run.promise.catch(() => {});
    return run.promise;
  }

  /** What a suspended render waits for: one promise per loading spell. */
  settled() {
    if (this.snapshot.status !== 'loading') return Promise.resolve();
    this.#settled ??= Promise.withResolvers?.() ?? withResolvers();
    return this.#settled.promise;
  }

  /** The cache holds a new value for the key (set here, by a background load or another tab). */
  changed() {
    // The event comes before the cache keeps the new live copy: look once the write is done.
    queueMicrotask(() => {
      const live = this.cache.closed ? undefined : this.cache[LIVE](this.key);
      if (live !== undefined) {
        this.#took(live.value);
      } else if (!this.#unused()) {
        // Stored, not live (another tab wrote it): read it.
        this.cache.get(this.key).then((value) => value !== undefined && this.#took(value), () => {});
      } else {
        this.#forget();
      }
    });
  }

  /** The key left the cache (invalidated, deleted, expired, cleared). Shown, it reloads; the
   *  data on screen stays, marked stale, until the new value arrives. */
  removed() {
    clearTimeout(this.#timer);
    this.#pendingRead = null;
    if (this.#unused() || this.query.options?.enabled === false) {
      this.#forget();
      return;
    }
    this.#publish({ ...this.snapshot, isStale: this.snapshot.data !== undefined });
    this.fetch(false);
  }

  /** No component shows the key, none waits for it (suspended), no load runs for it. */
  #unused() {
    return this.listeners.size === 0 && this.#fetch === null && this.#settled === null;
  }

  /** The window regained focus or the network came back: a stale value shown reloads. */
  revisit(option) {
    if (this.listeners.size !== 0 && this.snapshot.isStale && this.query.options?.[option] !== false) this.fetch(true);
  }

  close() {
    clearTimeout(this.#timer);
    clearTimeout(this.#unusedTimer);
    this.#fetch?.controller.abort(new DOMException('the cache was closed', 'AbortError'));
  }

  #mounted() {
    if (this.query.options?.enabled === false) return;
    // A component showing a value the record already held is a demand read all the same: the
    // cache counts the hit and its eviction policy sees the access.
    // (The first mount's read was the record's own.)
    if (this.#readAtCreation) this.#readAtCreation = false;
    else if (this.snapshot.status === 'success' && this.cache[LIVE](this.key) !== undefined) this.cache.peek(this.key);
    if (this.snapshot.status !== 'success' || this.snapshot.isStale) this.fetch(this.snapshot.isStale);
  }

  #unmounted() {
    if (this.listeners.size !== 0) return;
    // Nobody shows the key any more: its load may stop (the cache aborts the loader's signal
    // once no other caller waits for it).
    this.#fetch?.controller.abort(new DOMException(`no component shows "${this.key}" any more`, 'AbortError'));
    this.#unusedTimer = setTimeout(() => this.#unused() && this.#forget(), UNUSED_RECORD_MS);
  }

  async #attempts(run) {
    const { signal } = run.controller;
    if (this.#pendingRead !== null) {
      await this.#pendingRead;
      if (this.snapshot.status === 'success' && !this.snapshot.isStale && !run.refresh) return this.#done(run, this.snapshot.data);
    }
    for (let attempt = 0; ; attempt += 1) {
      const { loader, options } = this.query;
      try {
        // A load begun while the cache opened (nothing was stored) is taken as it is: asking the
        // cache first would wait for IndexedDB's records, for a value newer than any of them.
        const early = this.queries.takeEarly(this.key);
        const load = early !== undefined ? () => early : loader;
        const refresh = run.refresh || early !== undefined;
        const value = await this.cache.getOrLoad(this.key, load, { ...setOptionsOf(options), signal, refresh });
        return this.#done(run, value);
      } catch (error) {
        const retries = options?.retry === false ? 0 : (options?.retry ?? DEFAULT_RETRIES);
        if (signal.aborted || attempt >= retries || error instanceof SmartCacheError) {
          if (this.#fetch === run) {
            this.#fetch = null;
            this.#publish(signal.aborted ? { ...this.snapshot, isFetching: false } : { ...this.snapshot, status: 'error', error, isFetching: false });
          }
          throw error;
        }
        await wait(RETRY_DELAY_MS * 2 ** attempt, signal);
      }
    }
  }

  #done(run, value) {
    if (this.#fetch === run) this.#fetch = null;
    this.#took(value);
    return value;
  }

  /** Shows `value`, the key's current value in the cache. */
  #took(value) {
    const live = this.cache[LIVE](this.key);
    const data = replaceEqualDeep(this.snapshot.data, value);
    this.#publish({ data, error: undefined, status: 'success', isStale: isStale(live), isFetching: this.#fetch !== null });
    this.#arm(live);
  }

  /** A timer for the moment the value turns stale or expires. */
  #arm(live) {
    clearTimeout(this.#timer);
    if (live === undefined) return;
    const now = Date.now();
    const next = Math.min(...[live.staleAt, live.expiresAt].filter((at) => at > now));
    if (Number.isFinite(next)) this.#timer = setTimeout(() => this.#tick(), next - now + 1);
  }

  #tick() {
    if (this.cache.closed) return;
    const live = this.cache[LIVE](this.key);
    if (live === undefined) {
      // Expired: a peek has the cache purge it, and its `expire` event reaches removed().
      this.cache.peek(this.key);
      return;
    }
    this.#publish({ ...this.snapshot, isStale: isStale(live) });
    this.#arm(live);
  }

  #publish(next) {
    if (shallowEqual(next, this.snapshot)) return;
    this.snapshot = Object.freeze(next);
    if (next.status !== 'loading' && this.#settled !== null) {
      this.#settled.resolve();
      this.#settled = null;
    }
    for (const listener of this.listeners) listener();
  }

  #forget() {
    this.close();
    this.queries.forget(this);
  }
}

function withResolvers() {
  let resolve;
  const promise = new Promise((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** The records of one cache, fed by one subscription to its events. */
class Queries {
  records = new Map();
  /** key -> a load begun before the cache opened (see Source.early) */
  early;
  #unsubscribe = null;
  #onFocus = () => {
    if (document.visibilityState !== 'hidden') this.#revisit('refetchOnFocus');
  };
  #onOnline = () => this.#revisit('refetchOnReconnect');

  constructor(cache, early) {
    this.cache = cache;
    this.early = early;
  }

  record(key) {
    let record = this.records.get(key);
    if (record === undefined) {
      record = new Query(this, key);
      this.records.set(key, record);
      this.#watch();
    }
    return record;
  }

  takeEarly(key) {
    const load = this.early.get(key);
    this.early.delete(key);
    return load;
  }

  forget(record) {
    if (this.records.get(record.key) === record) this.records.delete(record.key);
  }

  #watch() {
    if (this.#unsubscribe !== null || this.cache.closed) return;
    this.#unsubscribe = this.cache.subscribe((event) => this.#onEvent(event));
    if (typeof window !== 'undefined') {
      window.addEventListener('focus', this.#onFocus);
      document.addEventListener('visibilitychange', this.#onFocus);
      window.addEventListener('online', this.#onOnline);
    }
  }

  #revisit(option) {
    if (this.cache.closed) {
      // The cache was closed (its provider unmounted): nothing here will show again.
      window.removeEventListener('focus', this.#onFocus);
      document.removeEventListener('visibilitychange', this.#onFocus);
      window.removeEventListener('online', this.#onOnline);
      for (const record of this.records.values()) record.close();
      this.records.clear();
      return;
    }
    for (const record of this.records.values()) record.revisit(option);
  }

  #onEvent(event) {
    switch (event.type) {
      case 'set':
        this.records.get(event.key)?.changed();
        break;
      case 'delete':
      case 'expire':
        this.records.get(event.key)?.removed();
        break;
      case 'invalidate':
        for (const key of event.removed) this.records.get(key)?.removed();
        break;
      case 'clear':
        for (const record of [...this.records.values()]) record.removed();
        break;
      default:
      // hits, misses, evictions (the value shown is still right), loads, faults: nothing shown changes.
    }
  }
}

const byCache = new WeakMap();

/** The records of `cache`; `early`: the loads its source began while it opened. */
export function queriesOf(cache, early) {
  let queries = byCache.get(cache);
  if (queries === undefined) {
    queries = new Queries(cache, early ?? new Map());
    byCache.set(cache, queries);
  }
  return queries;
}
