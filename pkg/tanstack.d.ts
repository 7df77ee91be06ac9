// Types of smartcache/tanstack: TanStack Query's persistence contracts, over a SmartCache.
import type { CacheMethods, SetOptions } from './index.js';

/** TanStack's PersistedClient, as far as this entry needs it. */
export interface PersistedClient {
  timestamp: number;
  buster: string;
  /** TanStack's DehydratedState, opaque here (any, so that TanStack's own type fits either way). */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  clientState: any;
}

/** TanStack's Persister (persistQueryClient, PersistQueryClientProvider). */
export interface Persister {
  persistClient(client: PersistedClient): Promise<void> | void;
  restoreClient(): Promise<PersistedClient | undefined>;
  removeClient(): Promise<void>;
}

export interface SmartCachePersisterOptions {
  /** The cache to store in (default: the default instance). */
  cache?: CacheMethods;
  /** The entry holding the client ("tanstack-query:client"). */
  key?: string;
  /** 1000: least time between two writes of the client, as TanStack's own persisters wait. */
  throttleMs?: number;
  setOptions?: SetOptions;
}
export function createSmartCachePersister(options?: SmartCachePersisterOptions): Persister;

/** TanStack's AsyncStorage (createAsyncStoragePersister, experimental_createQueryPersister). */
export interface SmartCacheStorage {
  getItem(key: string): Promise<string | null>;
  setItem(key: string, value: string): Promise<void>;
  removeItem(key: string): Promise<void>;
  entries(): Promise<Array<[string, string]>>;
}
export function smartCacheStorage(options?: { cache?: CacheMethods; prefix?: string; setOptions?: SetOptions }): SmartCacheStorage;
