// Where the hooks' cache comes from: a provider's own cache, a cache handed to a provider, or
// the default instance. A source opens its cache (in the browser only), tells its hooks when it
// is open, and keeps the loads that started while it opened.
import { SmartCache } from '../cache.js';
import { OPEN_EARLY, WHEN_LOADED } from '../internal.js';
import { defaultInstance } from '../default.js';
import { failed } from './queries.js';

const inBrowser = () => typeof window !== 'undefined';

class Source {
  /** The open cache, or undefined while opening (always on the server). */
  cache = undefined;
  /** Why opening failed, if it did, and the snapshot the hooks show for it. */
  error = undefined;
  failure = undefined;
  /** key -> a load that began before the cache opened (a cold start), handed to the cache once open */
  early = new Map();
  #listeners = new Set();
  #ready = null;
  #empty = undefined;
  #early = new AbortController();

  constructor(options) {
    this.options = options;
  }

  subscribe = (listener) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };

  /** The open cache, once it is. */
  ready() {
    if (this.cache !== undefined && !this.cache.closed) return Promise.resolve(this.cache);
    this.#ready ??= new Promise((resolve, reject) => {
      const check = () => {
        if (this.cache !== undefined) resolve(this.cache);
        else if (this.error !== undefined) reject(this.error);
        else return;
        stop();
        this.#ready = null;
      };
      const stop = this.subscribe(check);
      this.start();
      check();
    });
    return this.#ready;
  }

  /** Whether this namespace stores nothing in localStorage, read without the cache: a cold start,
   *  on which a loader may run while the cache opens. (IndexedDB-only entries are not seen, so a
   *  namespace holding only those gets an early load it did not need; never a wrong value.) */
  looksEmpty() {
    if (!inBrowser()) return false;
    try {
      const namespace = this.options?.namespace ?? 'default';
      const prefix = `smartcache:${namespace.length}:${namespace}:`;
      const storage = globalThis.localStorage;
      for (let i = 0; i < storage.length; i += 1) {
        if (storage.key(i)?.startsWith(prefix)) return false;
      }
      return true;
    } catch {
      return false;
    }
  }

  /** On a cold start (nothing stored), runs `loader` while the cache opens; the cache takes its
   *  result as the key's load once open. On a warm start the cache is asked first. */
  loadEarly(key, loader) {
    if (this.early.has(key) || !inBrowser()) return;
    this.#empty ??= this.looksEmpty();
    if (!this.#empty) return;
    const load = Promise.resolve().then(() => loader(key, { signal: this.#early.signal }));
    load.catch(() => {});
    this.early.set(key, load);
  }

  stopEarly() {
    this.#early.abort(new DOMException('the cache was closed', 'AbortError'));
  }

  settle(cache, error) {
    this.cache = cache;
    this.error = error;
    this.failure = error === undefined ? undefined : failed(error);
    // Not now: this may run during a render, and hooks re-render in their own time.
    queueMicrotask(() => {
      for (const listener of this.#listeners) listener();
    });
  }
}

/** A provider's own cache: opened on start, closed by the provider. */
class OwnSource extends Source {
  #opening = null;

  start() {
    if (this.#opening !== null || !inBrowser()) return;
    // Serving from memory and localStorage before IndexedDB's records have loaded: a reload
    // renders cached data without waiting for the database.
    this.#opening = SmartCache[OPEN_EARLY](this.options).then(
      (cache) => {
        this.settle(cache, undefined);
        return cache[WHEN_LOADED]().then(() => this.settle(cache, undefined));
      },
      (error) => this.settle(undefined, error),
    );
  }

  async close() {
    this.stopEarly();
    await this.#opening;
    await this.cache?.close();
  }
}

/** A cache the app opened itself. */
class GivenSource extends Source {
  constructor(cache) {
    super(undefined);
    this.cache = cache;
  }

  start() {}
}

/** The default instance (configure()), followed when it is reconfigured. */
class DefaultSource extends Source {
  #watching = false;
  #opening = false;

  get options() {
    return defaultInstance.options();
  }

  set options(_) {}

  start() {
    if (!inBrowser()) return;
    if (!this.#watching) {
      this.#watching = true;
      defaultInstance.watch(() => this.settle(defaultInstance.now() ?? undefined, undefined));
    }
    const open = defaultInstance.now();
    if (open) {
      if (this.cache !== open) this.settle(open, undefined);
      return;
    }
    if (this.#opening) return;
    this.#opening = true;
    defaultInstance.open().then(
      (cache) => {
        this.#opening = false;
        if (this.cache !== cache) this.settle(cache, undefined);
      },
      (error) => {
        this.#opening = false;
        this.settle(undefined, error);
      },
    );
  }
}

export const ownSource = (options) => new OwnSource(options);
export const givenSource = (cache) => new GivenSource(cache);
export const defaultSource = new DefaultSource(undefined);
