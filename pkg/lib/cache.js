// The SmartCache class: a thin face over the wasm engine. It holds the memory tier's live values in
// a Map so that a hit costs about a Map.get, and reports those hits to the engine's policy in
// batches (the read buffer of Caffeine). Every rule lives in the engine; the face only parses what
// the persistent tiers return and batches IndexedDB flushes per tick.
import { SmartCacheError, checkKey, fromCore } from './error.js';
import { toJson } from './json.js';
import { WasmCache, loadCore } from './wasm.js';

const ACCESS_BATCH = 1024;
/** A load spoiled while it ran (something it involves changed) is started again this many times
 *  for its callers; after that they get its value, which is still not stored. */
const MAX_RESTARTS = 3;
const constructing = Symbol('SmartCache.open');

function call(fn) {
  try {
    return fn();
  } catch (error) {
    throw fromCore(error);
  }
}

/** Throws UNSUPPORTED where there is no browser storage or WebAssembly (a server render, Node,
 *  a worker without storage). */
function unsupportedReason() {
  let reason = null;
  if (typeof WebAssembly !== 'object' || typeof WebAssembly.instantiate !== 'function') {
    reason = 'WebAssembly is not available';
  } else {
    try {
      if (typeof window === 'undefined' || !globalThis.localStorage) reason = 'there is no window with localStorage';
    } catch (error) {
      reason = `localStorage is refused (${error?.name ?? error})`;
    }
  }
  if (reason !== null) throw new SmartCacheError('UNSUPPORTED', `smartcache cannot run here: ${reason}`);
}

/** Deletes this namespace's databases of other versions and of the previous release's naming
 *  (best effort: a database another tab still uses goes once that tab closes it). */
function dropOtherDatabases(current) {
  const [, units, ...rest] = current.split(':');
  const namespace = rest.slice(0, -1).join(':');
  const ours = `smartcache:${units}:${namespace}:`;
  const legacy = `smartcache:${namespace}`;
  try {
    const factory = globalThis.indexedDB;
    factory?.databases?.()
      .then((list) => {
        for (const { name } of list) {
          const otherVersion = name?.startsWith(ours) && /^\d+$/.test(name.slice(ours.length)) && name !== current;
          if (otherVersion || name === legacy) factory.deleteDatabase(name);
        }
      })
      .catch(() => {});
  } catch {
    // IndexedDB refused (private mode, a policy): nothing of ours can be there either.
  }
}

export class SmartCache {
  #core;
  /** key -> { value, id, expiresAt, staleAt } (0 = never for the times) */
  #live = new Map();
  #accesses = new Uint32Array(ACCESS_BATCH);
  #accessCount = 0;
  #peekMisses = 0;
  #listeners = new Set();
  #closed = false;
  /** The flush that the writes of the current tick will share. */
  #flushing = null;
  /** key -> the load under way that new callers may join: { key, token, controller, promise } */
  #loading = new Map();
  /** token -> every load the engine tracks, joinable or spoiled */
  #loads = new Map();
  /** prefix -> { loader, options } */
  #loaders = new Map();
  #onEvent = (event) => this.#onCoreEvent(event);

  /** Opens a cache; see CacheOptions in index.d.ts. */
  static async open(options) {
    unsupportedReason(); // throws where there is nothing to run on
    try {
      await loadCore();
    } catch (error) {
      throw new SmartCacheError('UNSUPPORTED', `the WebAssembly core could not be loaded: ${error?.message ?? error}`);
    }
    let core;
    try {
      core = await WasmCache.open(options);
    } catch (error) {
      throw fromCore(error);
    }
    dropOtherDatabases(core.databaseName());
    return new SmartCache(constructing, core);
  }

  constructor(token, core) {
    if (token !== constructing) throw new TypeError('use SmartCache.open(options)');
    this.#core = core;
    core.setListener(this.#onEvent, false);
  }

  peek(key) {
    const live = this.#hit(key);
    if (live !== undefined) return live.value;
    // Only valid keys are ever in #live, so keys are checked on the miss path alone.
    this.#ensureOpen();
    checkKey(key);
    if (this.#live.has(key)) {
      // Expired: the engine purges it (its `expire` event drops the live copy) and counts the miss.
      this.#drain();
      call(() => this.#core.miss(key));
    } else {
      this.#peekMisses += 1;
      if (this.#listeners.size !== 0) this.#emit({ type: 'miss', key });
    }
    return undefined;
  }

  async get(key) {
    const live = this.#hit(key);
    if (live !== undefined) return live.value;
    this.#ensureOpen();
    checkKey(key);
    this.#drain();
    this.#noteRead(key);
    let found = call(() => this.#core.get(key));
    if (found instanceof Promise) found = await found.catch((error) => Promise.reject(fromCore(error)));
    // The cache may have been closed while IndexedDB was read.
    if (this.#closed) return found === undefined ? undefined : this.#parse(key, found.json);
    if (this.#core.hasPendingWrites()) this.#flushSoon();
    if (found === undefined) {
      // An IndexedDB read can lose a race with a set of the same key: the newer value is live.
      return this.#live.get(key)?.value;
    }
    const value = this.#parse(key, found.json);
    if (value === undefined) return undefined;
    this.#keep(key, value, found);
    return value;
  }

  async set(key, value, options) {
    this.#ensureOpen();
    checkKey(key);
    const json = toJson(value);
    this.#drain();
    this.#keep(key, value, call(() => this.#core.set(key, json, options)));
    if (this.#core.hasPendingWrites()) await this.#flushSoon();
  }

  async getOrLoad(key, loader, options) {
    this.#ensureOpen();
    checkKey(key);
    let load = loader;
    let loadOptions = options;
    if (load === undefined) {
      const registered = this.#loaderFor(key);
      if (registered === undefined) {
        throw new SmartCacheError('INVALID_OPTION', `no loader given, and none registered for a prefix of "${key}"`);
      }
      load = registered.loader;
      // Options given to the call win over those given at registration.
      loadOptions = options ?? registered.options;
    } else if (typeof load !== 'function') {
      throw new SmartCacheError('INVALID_OPTION', 'loader must be a function');
    }
    call(() => this.#core.checkOptions(loadOptions));
    const value = await this.get(key);
    if (value === undefined) {
      this.#ensureOpen();
      return this.#loadOnce(key, load, loadOptions);
    }
    const live = this.#live.get(key);
    if (live !== undefined && live.staleAt !== 0 && Date.now() >= live.staleAt) {
      // Stale: serve it now, refresh it in the background (one load, however many callers).
      this.#loadOnce(key, load, loadOptions).catch(() => {});
    }
    return value;
  }

  registerLoader(prefix, loader, options) {
    this.#ensureOpen();
    checkKey(prefix);
    if (typeof loader !== 'function') throw new SmartCacheError('INVALID_OPTION', 'loader must be a function');
    call(() => this.#core.checkOptions(options));
    const entry = { loader, options };
    this.#loaders.set(prefix, entry);
    return () => {
      if (this.#loaders.get(prefix) === entry) this.#loaders.delete(prefix);
    };
  }

  invalidate(keyOrTag) {
    return this.#change(keyOrTag, () => this.#core.invalidate(keyOrTag));
  }

  invalidatePrefix(prefix) {
    return this.#change(prefix, () => this.#core.invalidatePrefix(prefix));
  }

  async has(key) {
    this.#ensureOpen();
    checkKey(key);
    return call(() => this.#core.has(key));
  }

  delete(key) {
    return this.#change(key, () => this.#core.delete(key));
  }

  async clear() {
    this.#ensureOpen();
    call(() => this.#core.clear());
    await this.#flushSoon();
  }

  stats() {
    this.#ensureOpen();
    this.#drain();
    return this.#core.stats();
  }

  entries() {
    this.#ensureOpen();
    this.#drain();
    return this.#core.entries();
  }

  subscribe(listener) {
    if (typeof listener !== 'function') {
      throw new SmartCacheError('INVALID_OPTION', 'subscribe takes a function');
    }
    this.#ensureOpen();
    this.#listeners.add(listener);
    this.#core.setListener(this.#onEvent, true);
    return () => {
      this.#listeners.delete(listener);
      if (this.#listeners.size === 0 && !this.#closed) {
        this.#core.setListener(this.#onEvent, false);
      }
    };
  }

  async close() {
    if (this.#closed) return;
    this.#drain();
    this.#closed = true;
    for (const run of this.#loads.values()) run.controller.abort(new DOMException('the cache was closed', 'AbortError'));
    this.#loads.clear();
    this.#loading.clear();
    await this.#flushing;
    await this.#core.flush();
    this.#core.close();
    this.#core.free();
    this.#live.clear();
    this.#listeners.clear();
  }

  get closed() {
    return this.#closed;
  }

  /** The value of a stored JSON text; one that does not parse is a corrupt entry and a miss. */
  #parse(key, json) {
    try {
      return JSON.parse(json);
    } catch (error) {
      if (!this.#closed) call(() => this.#core.refuseRead(key, String(error?.message ?? error)));
      return undefined;
    }
  }

  #ensureOpen() {
    if (this.#closed) throw new SmartCacheError('CLOSED', 'the cache was closed');
  }

  /** Runs a removal in the engine and resolves once storage reflects it. */
  async #change(key, removal) {
    this.#ensureOpen();
    checkKey(key);
    const result = call(removal);
    if (this.#core.hasPendingWrites()) await this.#flushSoon();
    return result;
  }

  /** Keeps the live copy the engine says the memory tier holds (`stored`: { id, expiresAt, staleAt, inMemory }). */
  #keep(key, value, { id, expiresAt, staleAt, inMemory }) {
    if (inMemory) this.#live.set(key, { value, id, expiresAt, staleAt });
    else this.#live.delete(key);
  }

  /** The registered loader with the longest prefix of `key`. */
  #loaderFor(key) {
    let best;
    let bestLength = -1;
    for (const [prefix, entry] of this.#loaders) {
      if (prefix.length > bestLength && key.startsWith(prefix)) {
        best = entry;
        bestLength = prefix.length;
      }
    }
    return best;
  }

  /** One loader call per key at a time; every concurrent caller shares its outcome. A load that
   *  was spoiled (its key, a dependency, a tag or something it read changed) is not joined. */
  #loadOnce(key, load, options, attempt = 0) {
    const current = this.#loading.get(key);
    if (current !== undefined) return current.promise;
    const token = call(() => this.#core.beginLoad(key, options));
    const run = { key, token, controller: new AbortController(), promise: null };
    this.#loads.set(token, run);
    this.#loading.set(key, run);
    run.promise = this.#runLoad(run, load, options, attempt);
    return run.promise;
  }

  async #runLoad(run, load, options, attempt) {
    const { key, token } = run;
    try {
      let value;
      let failure;
      try {
        value = await load(key, { signal: run.controller.signal });
      } catch (error) {
        failure = { error };
      }
      if (this.#closed) {
        if (failure) throw failure.error;
        return value;
      }
      if (attempt < MAX_RESTARTS && this.#core.loadSpoiled(token)) {
        // Its result is out of date: the callers get what was stored since the change, or a
        // load that began after it.
        this.#release(run);
        const since = await this.get(key);
        return since !== undefined ? since : this.#loadOnce(key, load, options, attempt + 1);
      }
      if (failure) throw failure.error;
      const json = toJson(value);
      this.#drain();
      // Not stored when the load was spoiled.
      const stored = call(() => this.#core.storeLoaded(token, key, json, options));
      if (stored !== undefined) {
        this.#keep(key, value, stored);
        if (this.#core.hasPendingWrites()) await this.#flushSoon();
      }
      return value;
    } finally {
      this.#release(run);
    }
  }

  /** The load is over (or spoiled and restarted): the engine forgets it. */
  #release(run) {
    if (this.#loading.get(run.key) === run) this.#loading.delete(run.key);
    if (this.#loads.delete(run.token) && !this.#closed) this.#core.endLoad(run.token);
  }

  /** A read while loads are under way: they may build on it, so a change to it spoils them. */
  #noteRead(key) {
    if (this.#loads.size !== 0) this.#core.noteRead(key);
  }

  /** The live entry of `key` if it is fresh, with the hit buffered for the engine. */
  #hit(key) {
    const live = this.#live.get(key);
    if (live === undefined || (live.expiresAt !== 0 && Date.now() >= live.expiresAt)) return undefined;
    const n = this.#accessCount;
    this.#accesses[n] = live.id;
    this.#accessCount = n + 1;
    if (n + 1 === ACCESS_BATCH) this.#drain();
    if (this.#listeners.size !== 0) this.#emit({ type: 'hit', key, tier: 'memory' });
    this.#noteRead(key);
    return live;
  }

  /** One IndexedDB transaction for all the writes made in this tick. */
  #flushSoon() {
    this.#flushing ??= Promise.resolve().then(() => {
      this.#flushing = null;
      // close() flushes what is pending itself.
      return this.#closed ? undefined : this.#core.flush();
    });
    return this.#flushing;
  }

  /** Hands buffered hits and peek misses to the engine's policy and counters. */
  #drain() {
    if (this.#accessCount === 0 && this.#peekMisses === 0) return;
    this.#core.recordAccesses(this.#accesses.subarray(0, this.#accessCount), this.#peekMisses);
    this.#accessCount = 0;
    this.#peekMisses = 0;
  }

  #onCoreEvent(event) {
    if (event.type === 'spoiled') {
      // Internal: a load under way is out of date. Later callers start afresh; its loader may stop.
      const run = this.#loads.get(event.load);
      if (run === undefined) return;
      if (this.#loading.get(run.key) === run) this.#loading.delete(run.key);
      run.controller.abort(new DOMException(`"${run.key}" changed while it loaded`, 'AbortError'));
      return;
    }
    // Which live copies the event takes away is the engine's decision (`drop`).
    if (event.drop === 'key') this.#live.delete(event.key);
    else if (event.drop === 'removed') for (const key of event.removed) this.#live.delete(key);
    else if (event.drop === 'all') this.#live.clear();
    if (event.drop !== undefined) delete event.drop;
    if (this.#listeners.size !== 0) this.#emit(event);
  }

  #emit(event) {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch (error) {
        // A faulty listener must not break the cache or the other listeners.
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }
}
