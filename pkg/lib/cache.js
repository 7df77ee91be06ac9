// The SmartCache class: a thin face over the wasm engine. It holds the memory tier's live values in
// a Map so that a hit costs about a Map.get, and reports those hits to the engine's policy in
// batches (the read buffer of Caffeine). Every rule lives in the engine.
import { SmartCacheError, checkKey, fromCore } from './error.js';
import { toJson } from './json.js';
import { WasmCache, loadCore } from './wasm.js';

const ACCESS_BATCH = 1024;
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
  /** key -> { key, value, id, expiresAt } (expiresAt 0 = never) */
  #live = new Map();
  #accesses = new Uint32Array(ACCESS_BATCH);
  #accessCount = 0;
  #peekMisses = 0;
  #listeners = new Set();
  #closed = false;
  #onEvent = (event) => this.#onCoreEvent(event);

  /** Opens a cache; see CacheOptions in index.d.ts. */
  static async open(options) {
    await loadCore();
    return new SmartCache(constructing, call(() => new WasmCache(options)));
  }

  constructor(token, core) {
    if (token !== constructing) throw new TypeError('use SmartCache.open(options)');
    this.#core = core;
    core.setListener(this.#onEvent, false);
  }

  peek(key) {
    const live = this.#live.get(key);
    if (live !== undefined && (live.expiresAt === 0 || Date.now() < live.expiresAt)) {
      const n = this.#accessCount;
      this.#accesses[n] = live.id;
      this.#accessCount = n + 1;
      if (n + 1 === ACCESS_BATCH) this.#drain();
      if (this.#listeners.size !== 0) this.#emit({ type: 'hit', key, tier: 'memory' });
      return live.value;
    }
    // Only valid keys are ever in #live, so keys are checked on the miss path alone.
    this.#ensureOpen();
    checkKey(key);
    if (live !== undefined) {
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
    // The memory tier is the only tier until the persistent tiers land.
    return this.peek(key);
  }

  async set(key, value, options) {
    this.#ensureOpen();
    checkKey(key);
    const json = toJson(value);
    this.#drain();
    const [id, expiresAt] = call(() => this.#core.set(key, json, options));
    this.#live.set(key, { key, value, id, expiresAt });
  }

  async has(key) {
    this.#ensureOpen();
    checkKey(key);
    return call(() => this.#core.has(key));
  }

  async delete(key) {
    this.#ensureOpen();
    checkKey(key);
    return call(() => this.#core.delete(key));
  }

  async clear() {
    this.#ensureOpen();
    call(() => this.#core.clear());
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
    this.#core.close();
    this.#core.free();
    this.#live.clear();
    this.#listeners.clear();
  }

  get closed() {
    return this.#closed;
  }

  #ensureOpen() {
    if (this.#closed) throw new SmartCacheError('CLOSED', 'the cache was closed');
  }

  /** Hands buffered hits and peek misses to the engine's policy and counters. */
  #drain() {
    if (this.#accessCount === 0 && this.#peekMisses === 0) return;
    this.#core.recordAccesses(this.#accesses.subarray(0, this.#accessCount), this.#peekMisses);
    this.#accessCount = 0;
    this.#peekMisses = 0;
  }

  #onCoreEvent(event) {
    switch (event.type) {
      case 'evict':
      case 'expire':
      case 'delete':
        this.#live.delete(event.key);
        break;
      case 'clear':
        this.#live.clear();
        break;
    }
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
