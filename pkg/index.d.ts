// Types of the smartcache package, as ../API.md specifies them.

export type Tier = 'memory' | 'local' | 'indexeddb';

export interface CacheOptions {
  /** "default". Isolates storage keys, database name, broadcast channel. */
  namespace?: string;
  /** 1. Entries written under another version are never returned and are purged. */
  version?: number;
  /** 50 MiB: budget of the memory tier. */
  memoryBytes?: number;
  /** 4 MiB, counted as the browser counts it: 2 bytes per UTF-16 unit, keys included. */
  localStorageBytes?: number;
  /** 256 MiB. */
  indexedDbBytes?: number;
  /** 64 KiB: a persisted entry whose stored size exceeds this goes to IndexedDB. */
  largeEntryBytes?: number;
  /** 512: smaller payloads are stored uncompressed. */
  compressAboveBytes?: number;
  /** None: entries never expire unless a ttl is given. */
  defaultTtlMs?: number;
  /** true: other tabs of the same origin and namespace see writes and invalidations. */
  crossTab?: boolean;
  /** Off unless given. true: predictive preloading through registered loaders; 'shadow': learn
   *  and score predictions, load nothing. */
  predict?: boolean | 'on' | 'shadow' | 'off' | PredictOptions;
  /** true: register a handle with the devtools hook; costs nothing until a panel subscribes. */
  devtools?: boolean;
}

export interface PredictOptions {
  /** 'on' when an options object is given. */
  mode?: 'on' | 'shadow' | 'off';
  /** 0.3: least probability for a preload (at least 0.5 on 3G, 0.8 on 2G). */
  threshold?: number;
  /** 2: preloads started after one demand access. */
  maxPerTrigger?: number;
  /** 2: preloads in flight at once. */
  maxConcurrent?: number;
  /** 4 MiB: preloaded bytes per minute, at most. */
  bytesPerMinute?: number;
}

export interface SetOptions {
  /** After this, get() misses and the entry is purged. */
  ttlMs?: number;
  /** After this, the entry is stale: get() returns it, getOrLoad() returns it and revalidates. */
  staleMs?: number;
  /** 'memory' = never persisted. 'auto' = placement policy. */
  tier?: 'auto' | Tier;
  /** Keys or tags this entry is derived from. */
  dependsOn?: string[];
  /** Labels: invalidate(tag) removes every entry carrying the tag. */
  tags?: string[];
}

export interface TierStats {
  entries: number;
  bytes: number;
  hits: number;
}

export interface CacheStats {
  hits: number;
  misses: number;
  /** hits / (hits + misses), 0 when none. */
  hitRate: number;
  memory: TierStats;
  local: TierStats;
  indexeddb: TierStats;
  /** Persisted payload before compression. */
  rawBytes: number;
  /** Persisted payload after compression. */
  storedBytes: number;
  /** Preloads stored (predicted, hinted, `prefetch`ed). */
  prefetched: number;
  /** Preloaded entries a demand access then read (or joined while loading). */
  prefetchHits: number;
  predict: PredictStats;
  /** Storage faults handled (quota, corrupt entry, unavailable tier). */
  faults: number;
}

export interface PredictStats {
  /** 'paused': precision fell below the floor; preloading rests, guesses go on in shadow. */
  mode: 'on' | 'shadow' | 'off' | 'paused';
  /** Preloads started (in shadow mode: predictions that would have been). */
  issued: number;
  /** Of those, read by a demand access before they were evicted or expired. */
  used: number;
  /** used / issued over the recent window (the last 50), 0 when none. */
  precision: number;
  /** Demand accesses served by a preload / demand accesses that would have missed. */
  coverage: number;
  /** Bytes preloaded and not read. */
  wastedBytes: number;
}

export interface EntryInfo {
  key: string;
  /** The entry's durable home: 'memory' only for entries never persisted. */
  tier: Tier;
  /** A live copy is in the memory tier now. */
  inMemory: boolean;
  rawBytes: number;
  storedBytes: number;
  compressed: boolean;
  /** Epoch ms. */
  createdAt: number;
  expiresAt?: number;
  staleAt?: number;
  tags: string[];
  dependsOn: string[];
  hits: number;
}

export type TierName = 'memory' | 'local' | 'indexeddb';

/** Storage faults: handled by the cache, reported as `fault` events and in `stats().faults`. */
export type FaultCode = 'QUOTA_EXCEEDED' | 'CORRUPT_ENTRY' | 'UNAVAILABLE' | 'WRITE_FAILED' | 'READ_FAILED' | 'NO_ROOM';

export type CacheEvent =
  /** `remote`: written by another tab. */
  | { type: 'set'; key: string; tier: TierName; remote?: boolean }
  | { type: 'hit' | 'miss'; key: string; tier?: TierName }
  | { type: 'evict' | 'expire'; key: string; tier: TierName }
  | { type: 'delete'; key: string; tier?: TierName; remote?: boolean }
  | { type: 'clear'; remote?: boolean }
  | { type: 'invalidate'; key: string; removed: string[]; remote?: boolean }
  | { type: 'fault'; tier: TierName; code: FaultCode; message: string; key?: string }
  /** A loader call ended (`prefetch`: it was a preload). */
  | { type: 'load'; key: string; ms: number; ok: boolean; prefetch: boolean }
  /** A preload starts. */
  | { type: 'prefetch'; key: string; probability: number; reason: 'predicted' | 'hint' | 'manual' };

/** The `type`s of CacheEvent. */
export type CacheEventType = CacheEvent['type'];

/**
 * Loads the value of `key`. The signal aborts when the result can no longer be used: the key, a
 * dependency or a tag changed while it loaded (its callers are then served afresh), or the
 * cache was closed.
 */
export type Loader<T> = (key: string, context: { signal: AbortSignal }) => Promise<T>;

/** Beyond API.md: what getOrLoad takes besides SetOptions. */
export interface LoadOptions extends SetOptions {
  /** This caller may leave: its promise then rejects with the signal's reason, and the loader's
   *  own signal aborts once every caller that waits has left. */
  signal?: AbortSignal;
  /** Call the loader even when a fresh value is cached (a load under way is joined). */
  refresh?: boolean;
}

export type SmartCacheErrorCode =
  | 'INVALID_KEY'
  | 'NOT_SERIALIZABLE'
  | 'INVALID_OPTION'
  | 'ENTRY_TOO_LARGE'
  | 'CLOSED'
  /** No browser storage or WebAssembly to run on (Node, a server render, a worker without storage). */
  | 'UNSUPPORTED';

export class SmartCacheError extends Error {
  readonly name: 'SmartCacheError';
  readonly code: SmartCacheErrorCode;
  constructor(code: SmartCacheErrorCode, message: string);
}

/** The methods of a cache, shared by SmartCache instances and the default `smartCache`. */
export interface CacheMethods {
  /** Memory, then localStorage, then IndexedDB; promotes on hit. */
  get<T>(key: string): Promise<T | undefined>;
  /** Synchronous, memory tier only. */
  peek<T>(key: string): T | undefined;
  /** Resolves when the value is readable from its tier after a reload. */
  set<T>(key: string, value: T, options?: SetOptions): Promise<void>;
  has(key: string): Promise<boolean>;
  /** That key only, all tiers. */
  delete(key: string): Promise<boolean>;
  /** This namespace only, every tier. */
  clear(): Promise<void>;
  /**
   * Hit: the value. Miss: one loader call shared by all concurrent callers. Stale: the value now,
   * revalidated in the background. Without a loader, the one registered for the longest matching
   * prefix is used (none: INVALID_OPTION).
   */
  getOrLoad<T>(key: string, loader?: Loader<T>, options?: LoadOptions): Promise<T>;
  /** Loads `key` unless a fresh copy is in some tier; false when skipped or failed (never rejects for loader errors). */
  prefetch(key: string, loader?: Loader<unknown>): Promise<boolean>;
  /** The user is likely to need `key` soon (hover, focus): preload it through its registered loader. */
  hint(key: string): void;
  /** Removes the key, tagged entries and all transitive dependents, in every tier; returns removed keys, sorted. */
  invalidate(keyOrTag: string): Promise<string[]>;
  /** `invalidate` for every key starting with `prefix`. */
  invalidatePrefix(prefix: string): Promise<string[]>;
  /** The loader of every key starting with `prefix` (the longest prefix wins), for getOrLoad
   *  without a loader, `prefetch`, hints and predicted preloads. `options` may depend on the key. */
  registerLoader(prefix: string, loader: Loader<unknown>, options?: SetOptions | ((key: string) => SetOptions)): () => void;
  stats(): CacheStats;
  entries(): EntryInfo[];
  subscribe(listener: (event: CacheEvent) => void): () => void;
  close(): Promise<void>;
}

export interface SmartCache extends CacheMethods {}
export class SmartCache {
  private constructor();
  static open(options?: CacheOptions): Promise<SmartCache>;
  /** Beyond API.md: whether close() was called. */
  readonly closed: boolean;
}

/** (Re)opens the default instance; resolves once every tier is indexed. The default instance's
 *  own methods are served from memory and localStorage before that. */
export function configure(options?: CacheOptions): Promise<SmartCache>;
/** Same methods as SmartCache; async ones open the default instance on first use. */
export const smartCache: CacheMethods;
export function getCachedData<T>(key: string): Promise<T | undefined>;
export function setCachedData<T>(key: string, value: T, options?: SetOptions): Promise<void>;
export function invalidateCachedData(keyOrTag: string): Promise<string[]>;
