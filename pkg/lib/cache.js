// The SmartCache class: a thin face over the wasm engine. It holds the memory tier's live values in
// a Map so that a hit costs about a Map.get, and reports those hits to the engine's policy in
// batches (the read buffer of Caffeine). Every rule lives in the engine; the face only parses what
// the persistent tiers return and batches IndexedDB flushes per tick.
import { SmartCacheError, checkKey, fromCore, notifyAll } from './error.js';
import { jsonBytes, jsonUtf8 } from './json.js';
import { WasmCache, loadCore } from './wasm.js';
import { DEVTOOLS_ID, INSPECT, IS_LOADED, LIVE, OPEN_EARLY, READ_NOW, WHEN_LOADED, isStale } from './internal.js';
import { Preloads } from './preloads.js';
import { askAhead, dropOtherDatabases, unsupportedReason } from './environment.js';
import { registerHandle } from './devtools-hook.js';
import * as platform from './platform.js';

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

export class SmartCache {
  #core;
  /** key -> { value, id, expiresAt, staleAt } (0 = never for the times) */
  #live = new Map();
  #accesses = new Uint32Array(ACCESS_BATCH);
  #accessCount = 0;
  #peekMisses = 0;
  #listeners = new Set();
  /** The devtools' listeners (INSPECT): every event but the memory hits the face serves, which
   *  they read as counts (stats, entries' hits), so that `peek` stays as fast with a panel open. */
  #inspectors = new Set();
  /** Anybody listening: the engine then sends its detailed events. */
  #watched = false;
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
  /** When to ask the engine what to preload. */
  #preloads;
  /** Whether demand accesses schedule a plan (the predictor learns from them). */
  #predicting;
  /** This cache's handle on the devtools hook: { id, leave } (null without `devtools`). */
  #devtools = null;

  /** Opens a cache; see CacheOptions in index.d.ts. Resolves once IndexedDB's records are
   *  loaded; localStorage's entries are indexed by the first call that needs them all (a read
   *  of one key reads that key), or in a task soon after. */
  static async open(options) {
    const release = askAhead(options);
    let cache;
    try {
      cache = await SmartCache[OPEN_EARLY](options);
    } finally {
      release();
    }
    await cache[WHEN_LOADED]();
    return cache;
  }

  /** Resolves as soon as memory and localStorage serve; IndexedDB's records load meanwhile
   *  (`WHEN_LOADED`), and what needs them waits for them. */
  static async [OPEN_EARLY](options) {
    unsupportedReason(); // throws where there is nothing to run on
    try {
      await loadCore();
    } catch (error) {
      throw new SmartCacheError('UNSUPPORTED', `the WebAssembly core could not be loaded: ${error?.message ?? error}`);
    }
    let core;
    try {
      core = WasmCache.open(options, platform);
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
    // The scan of localStorage (about 10 us an entry) waits until IndexedDB's records have loaded
    // and the page has had a task to use them: reads meanwhile read their own key, and whatever
    // needs every entry known (writes, removals, stats) has the engine scan first.
    core.loaded().then(() => setTimeout(() => this.#closed || core.indexLocal()));
    this.#preloads = new Preloads(core, {
      start: (planned) => this.#startPreload(planned),
      cancel: () => this.#cancelPreloads(),
      drain: () => this.#drain(),
    });
    this.#predicting = this.#preloads.predicting;
    const description = core.describe();
    if (description.devtools) this.#devtools = registerHandle(this, core, description, () => this.#drain());
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
      if (this.#watched) this.#emit({ type: 'miss', key });
    }
    return undefined;
  }

  async get(key) {
    return this.#read(key);
  }

  /** A demand read: the value, or a promise of it when IndexedDB must be asked. */
  #read(key) {
    const live = this.#hit(key);
    if (live !== undefined) return live.value;
    this.#ensureOpen();
    checkKey(key);
    this.#drain();
    this.#noteRead(key);
    const found = call(() => this.#core.get(key));
    if (this.#predicting) this.#preloads.demand();
    if (found instanceof Promise) {
      return found.then((stored) => this.#took(key, stored), (error) => Promise.reject(fromCore(error)));
    }
    return this.#took(key, found);
  }

  /** What a read of the persistent tiers found (`found`: { json, stored } or undefined). */
  #took(key, found) {
    // The cache may have been closed while IndexedDB was read.
    if (this.#closed) return found === undefined ? undefined : this.#parse(key, found.json);
    if (this.#core.hasPendingWrites()) this.#flushSoon();
    if (found === undefined) {
      // An IndexedDB read can lose a race with a set of the same key: the newer value is live.
      return this.#live.get(key)?.value;
    }
    const value = this.#parse(key, found.json);
    if (value === undefined) return undefined;
    this.#keep(key, value, found.stored);
    return value;
  }

  [READ_NOW](key) {
    const found = this.#read(key);
    return found instanceof Promise ? { pending: found } : { value: found };
  }

  /** Resolves once IndexedDB's records are loaded (or the cache does without them). */
  [WHEN_LOADED]() {
    // A closed cache has loaded (close waits for it) and has no core left to ask.
    return this.#closed || this.#core.isLoaded() ? Promise.resolve() : this.#core.loaded();
  }

  [IS_LOADED]() {
    return this.#core.isLoaded();
  }

  /** What needs to know every entry (removals, has, prefetch) waits for IndexedDB's records. */
  async #untilLoaded() {
    if (!this.#core.isLoaded()) {
      await this.#core.loaded();
      this.#ensureOpen();
    }
  }

  [LIVE](key) {
    return this.#unexpired(key);
  }

  /** The live entry of `key` unless it has expired. */
  #unexpired(key) {
    const live = this.#live.get(key);
    if (live === undefined || (live.expiresAt !== 0 && Date.now() >= live.expiresAt)) return undefined;
    return live;
  }

  async set(key, value, options) {
    this.#ensureOpen();
    checkKey(key);
    if (options?.tier === 'memory') {
      // Never persisted: the engine needs only the size of its JSON text, not the text.
      const bytes = jsonBytes(value);
      this.#drain();
      // The tier is said by the call: options with nothing else need not cross at all.
      const { ttlMs, staleMs, dependsOn, tags } = options;
      const rest = ttlMs === undefined && staleMs === undefined && dependsOn === undefined && tags === undefined ? undefined : options;
      this.#keep(key, value, call(() => this.#core.setInMemory(key, bytes, rest)));
    } else {
      const json = jsonUtf8(value);
      this.#drain();
      this.#keep(key, value, call(() => this.#core.set(key, json, options)));
    }
    // (A memory-only entry may replace one stored in IndexedDB, whose removal is then pending.)
    if (this.#core.hasPendingWrites()) await this.#flushSoon();
  }

  async getOrLoad(key, loader, options) {
    this.#ensureOpen();
    checkKey(key);
    const { signal, refresh, ...setOptions } = options ?? {};
    const { load, loadOptions } = this.#loaderOf(key, loader, options === undefined ? undefined : setOptions);
    if (load === undefined) {
      throw new SmartCacheError('INVALID_OPTION', `no loader given, and none registered for a prefix of "${key}"`);
    }
    if (signal !== undefined && !(signal instanceof AbortSignal)) {
      throw new SmartCacheError('INVALID_OPTION', 'signal must be an AbortSignal');
    }
    call(() => this.#core.checkOptions(loadOptions));
    signal?.throwIfAborted();
    if (!refresh) {
      const value = await this.get(key);
      if (value !== undefined) {
        if (this.#isStale(key)) {
          // Stale: serve it now, refresh it in the background (one load, however many callers).
          this.#loadOnce(key, load, loadOptions).catch(() => {});
        }
        return value;
      }
      this.#ensureOpen();
    }
    return this.#loadOnce(key, load, loadOptions, { signal });
  }

  /** Loads `key` unless a fresh copy is stored; true once loaded, false when skipped or failed. */
  async prefetch(key, loader) {
    this.#ensureOpen();
    checkKey(key);
    await this.#untilLoaded();
    const { load, loadOptions } = this.#loaderOf(key, loader, undefined);
    if (load === undefined || !call(() => this.#core.needsLoad(key))) return false;
    try {
      await this.#loadOnce(key, load, loadOptions, { preload: { reason: 'manual', probability: 1 } });
      return true;
    } catch {
      return false;
    }
  }

  /** The user is likely to need `key` soon: preload it through its registered loader, ahead of
   *  the predictor's guesses. */
  hint(key) {
    this.#ensureOpen();
    checkKey(key);
    call(() => this.#core.hint(key));
    this.#preloads.soon();
  }

  /** A preload the engine planned (`planned`: { key, probability, reason, guess }). */
  #startPreload(planned) {
    const registered = this.#loaderFor(planned.key);
    if (registered === undefined || this.#closed) return;
    try {
      const options = registered.optionsFor(planned.key);
      this.#loadOnce(planned.key, registered.loader, options, { preload: planned }).catch(() => {});
    } catch {
      // Options the app's function made for this key are invalid: a getOrLoad of it says so.
    }
  }

  /** The page went hidden or offline: preloads nobody waits for stop; their results are not kept. */
  #cancelPreloads() {
    for (const run of [...this.#loads.values()]) {
      if (run.preload === null || run.joined) continue;
      run.cancelled = true;
      run.controller.abort(new DOMException(`the preload of "${run.key}" was cancelled`, 'AbortError'));
      this.#release(run);
    }
  }

  /** The loader for `key`: the one given, else the registered one for its longest prefix, whose
   *  options apply unless the call gave its own. */
  #loaderOf(key, loader, options) {
    if (loader !== undefined) {
      if (typeof loader !== 'function') throw new SmartCacheError('INVALID_OPTION', 'loader must be a function');
      return { load: loader, loadOptions: options };
    }
    const registered = this.#loaderFor(key);
    const given = options !== undefined && Object.keys(options).length !== 0;
    return { load: registered?.loader, loadOptions: given ? options : registered?.optionsFor(key) };
  }

  #isStale(key) {
    return isStale(this.#live.get(key));
  }

  registerLoader(prefix, loader, options) {
    this.#ensureOpen();
    checkKey(prefix);
    if (typeof loader !== 'function') throw new SmartCacheError('INVALID_OPTION', 'loader must be a function');
    // The options may depend on the key (`(key) => ({ dependsOn: [...] })`): checked when used.
    if (typeof options !== 'function') call(() => this.#core.checkOptions(options));
    const entry = { loader, optionsFor: typeof options === 'function' ? options : () => options };
    this.#loaders.set(prefix, entry);
    this.#core.setLoaderPrefixes([...this.#loaders.keys()]);
    return () => {
      if (this.#loaders.get(prefix) !== entry) return;
      this.#loaders.delete(prefix);
      if (!this.#closed) this.#core.setLoaderPrefixes([...this.#loaders.keys()]);
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
    await this.#untilLoaded();
    return call(() => this.#core.has(key));
  }

  delete(key) {
    return this.#change(key, () => this.#core.delete(key));
  }

  async clear() {
    this.#ensureOpen();
    await this.#untilLoaded();
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
    return this.#listen(this.#listeners, listener);
  }

  [INSPECT](listener) {
    return this.#listen(this.#inspectors, listener);
  }

  #listen(set, listener) {
    if (typeof listener !== 'function') {
      throw new SmartCacheError('INVALID_OPTION', 'subscribe takes a function');
    }
    this.#ensureOpen();
    set.add(listener);
    this.#watch();
    return () => {
      set.delete(listener);
      if (!this.#closed) this.#watch();
    };
  }

  /** Detailed events from the engine while anybody listens, none otherwise. */
  #watch() {
    const watched = this.#listeners.size !== 0 || this.#inspectors.size !== 0;
    if (watched !== this.#watched) this.#core.setListener(this.#onEvent, watched);
    this.#watched = watched;
  }

  async close() {
    if (this.#closed) return;
    if (!this.#core.isLoaded()) {
      // IndexedDB's records are still loading: the cache closes once they have.
      await this.#core.loaded();
      if (this.#closed) return;
    }
    this.#drain();
    this.#closed = true;
    this.#preloads.close();
    this.#devtools?.leave();
    for (const run of this.#loads.values()) run.controller.abort(new DOMException('the cache was closed', 'AbortError'));
    this.#loads.clear();
    this.#loading.clear();
    await this.#flushing;
    await this.#core.flush();
    this.#core.close();
    this.#core.free();
    this.#live.clear();
    this.#listeners.clear();
    this.#inspectors.clear();
  }

  get closed() {
    return this.#closed;
  }

  get [DEVTOOLS_ID]() {
    return this.#devtools?.id;
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
    await this.#untilLoaded();
    const result = call(removal);
    if (this.#core.hasPendingWrites()) await this.#flushSoon();
    return result;
  }

  /** Keeps the live copy the engine says the memory tier holds (`stored`: a Float64Array of
   *  id, expiresAt, staleAt, inMemory). */
  #keep(key, value, stored) {
    if (stored[3] === 1) this.#live.set(key, { value, id: stored[0], expiresAt: stored[1], staleAt: stored[2] });
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
   *  was spoiled (its key, a dependency, a tag or something it read changed) is not joined.
   *  `caller.signal`: this caller may leave (its promise rejects); the loader's signal aborts when
   *  every caller has left, unless one came without a signal. */
  #loadOnce(key, load, options, caller = {}, attempt = 0) {
    let run = this.#loading.get(key);
    const preload = caller.preload ?? null;
    if (run === undefined) {
      const token = preload === null
        ? call(() => this.#core.beginLoad(key, options))
        : call(() => this.#core.beginPreload(key, options, preload.reason, preload.guess, preload.probability));
      run = { key, token, controller: new AbortController(), audience: new AbortController(), waiting: 0, anchored: false, preload, joined: false, cancelled: false, promise: null };
      this.#loads.set(token, run);
      this.#loading.set(key, run);
      run.promise = this.#runLoad(run, load, options, attempt);
    } else if (run.preload !== null && preload === null && !run.joined) {
      // A demand access joins a preload: one request, and the preload was worth it.
      run.joined = true;
      this.#core.preloadJoined(run.token);
    }
    return this.#join(run, caller.signal);
  }

  #join(run, signal) {
    if (signal === undefined) {
      run.anchored = true;
      return run.promise;
    }
    if (signal.aborted) return Promise.reject(signal.reason);
    run.waiting += 1;
    return new Promise((resolve, reject) => {
      const leave = () => {
        run.waiting -= 1;
        if (run.waiting === 0 && !run.anchored) {
          run.audience.abort(signal.reason);
          run.controller.abort(signal.reason);
        }
        reject(signal.reason);
      };
      signal.addEventListener('abort', leave, { once: true });
      run.promise.then(
        (value) => {
          signal.removeEventListener('abort', leave);
          resolve(value);
        },
        (error) => {
          signal.removeEventListener('abort', leave);
          reject(error);
        },
      );
    });
  }

  async #runLoad(run, load, options, attempt) {
    const { key, token } = run;
    try {
      let value;
      let failure;
      const started = performance.now();
      try {
        value = await load(key, { signal: run.controller.signal });
      } catch (error) {
        failure = { error };
      }
      if (this.#closed || run.cancelled) {
        if (failure) throw failure.error;
        return value;
      }
      if (this.#watched) {
        this.#emit({ type: 'load', key, ms: performance.now() - started, ok: failure === undefined, prefetch: run.preload !== null });
      }
      // A preload nobody joined is not restarted: it stores nothing, and may be planned again.
      const waited = run.preload === null || run.joined;
      if (waited && attempt < MAX_RESTARTS && this.#core.loadSpoiled(token) && !run.audience.signal.aborted) {
        // Its result is out of date: the callers get what was stored since the change, or a
        // load that began after it (which they may still leave).
        this.#release(run);
        const since = await this.get(key);
        if (since !== undefined) return since;
        const caller = run.anchored ? {} : { signal: run.audience.signal };
        return this.#loadOnce(key, load, options, caller, attempt + 1);
      }
      if (failure) throw failure.error;
      const json = jsonUtf8(value);
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

  /** The load is over (or spoiled and restarted): the engine forgets it, and the next preloads
   *  may start. */
  #release(run) {
    if (this.#loading.get(run.key) === run) this.#loading.delete(run.key);
    if (this.#loads.delete(run.token) && !this.#closed) {
      this.#core.endLoad(run.token);
      if (this.#predicting || run.preload !== null) this.#preloads.ended();
    }
  }

  /** A read while loads are under way: they may build on it, so a change to it spoils them. */
  #noteRead(key) {
    if (this.#loads.size !== 0) this.#core.noteRead(key);
  }

  /** The live entry of `key` if it is fresh, with the hit buffered for the engine. */
  #hit(key) {
    const live = this.#unexpired(key);
    if (live === undefined) return undefined;
    const n = this.#accessCount;
    this.#accesses[n] = live.id;
    this.#accessCount = n + 1;
    if (n + 1 === ACCESS_BATCH) this.#drain();
    if (this.#listeners.size !== 0) notifyAll(this.#listeners, { type: 'hit', key, tier: 'memory' });
    this.#noteRead(key);
    if (this.#predicting) this.#preloads.demand();
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
    if (this.#watched) this.#emit(event);
  }

  #emit(event) {
    notifyAll(this.#listeners, event);
    notifyAll(this.#inspectors, event);
  }
}
