// Types of smartcache/react, as ../API.md specifies them.
import type { ReactNode } from 'react';
import type { CacheEvent, CacheOptions, CacheStats, EntryInfo, Loader, SetOptions, SmartCache } from './index.js';

export type { CacheEvent, CacheOptions, CacheStats, EntryInfo, Loader, SetOptions };

export interface SmartCacheProviderProps {
  /** A cache the app opened: handed down as it is (the app closes it). */
  cache?: SmartCache;
  /** Without `cache`: the provider opens one cache with these options (read once, at mount)
   *  and closes it on unmount. */
  options?: CacheOptions;
  /** Rendered instead of the children until the cache is open. Without it the children render
   *  at once and their queries show `loading` (on a cold start their loaders run meanwhile). */
  fallback?: ReactNode;
  children?: ReactNode;
}
/** The cache of a subtree. Without a provider the hooks use the default instance (configure()). */
export function SmartCacheProvider(props: SmartCacheProviderProps): ReactNode;

/** The cache the hooks use; undefined until it is open (and on the server). */
export function useSmartCache(): SmartCache | undefined;

export interface QueryOptions<T, S = T> extends SetOptions {
  /** true. false: status 'idle', no load. */
  enabled?: boolean;
  /** Derives what the component shows; it re-renders only when the derived value changes. */
  select?: (data: T) => S;
  /** 2: calls after a failure (n + 1 in all), with delays doubling from 1 s. false: none. */
  retry?: number | false;
  /** true: a stale entry reloads when the window regains focus. */
  refetchOnFocus?: boolean;
  /** true: a stale entry reloads when the network comes back. */
  refetchOnReconnect?: boolean;
  /** false. true: while a new key loads, show the last key's data (`isPreviousData`). */
  keepPreviousData?: boolean;
}

export interface QueryResult<S> {
  data: S | undefined;
  error: unknown;
  status: 'idle' | 'loading' | 'success' | 'error';
  /** Past its staleMs, or removed from the cache (invalidated) while a reload runs. */
  isStale: boolean;
  /** A load for the key is under way (the data shown stays until it ends). */
  isFetching: boolean;
  /** Beyond API.md: the data shown is the previous key's (keepPreviousData). */
  isPreviousData?: boolean;
  /** Calls the loader (fresh or not); resolves with the new value. */
  refetch(): Promise<S>;
}

/**
 * The value of `key`: from memory on the first render when it is there; else loaded once for all
 * components on the key. Re-renders when the key is set (here, by a background refresh, in another
 * tab), invalidated (directly or by cascade), deleted, expired or cleared. Without a loader, the
 * one registered for the longest prefix of the key is used. A null key: status 'idle'.
 */
export function useCachedQuery<T, S = T>(key: string | null, loader?: Loader<T>, options?: QueryOptions<T, S>): QueryResult<S>;

/** useCachedQuery for a Suspense boundary: suspends (one stable promise per key) until the data is
 *  there, and throws a load's error to the nearest error boundary. */
export function useSuspenseCachedQuery<T, S = T>(
  key: string,
  loader?: Loader<T>,
  options?: QueryOptions<T, S>,
): Omit<QueryResult<S>, 'data' | 'status' | 'error'> & { data: S };

export interface MutationOptions<A, R> {
  /** Invalidated once the mutation succeeds: keys, tags, or prefixes ending in ':'. */
  invalidates?: string[] | ((result: R, args: A) => string[]);
  onSuccess?(result: R, args: A): void;
  onError?(error: unknown, args: A): void;
}
export interface MutationResult<A, R> {
  /** Runs the mutation, then its invalidations; rejects with the mutation's error. */
  mutate(args: A): Promise<R>;
  status: 'idle' | 'pending' | 'success' | 'error';
  data: R | undefined;
  error: unknown;
  reset(): void;
}
export function useCachedMutation<A, R>(mutate: (args: A) => Promise<R>, options?: MutationOptions<A, R>): MutationResult<A, R>;

export function useInvalidate(): (keyOrTag: string) => Promise<string[]>;

/** `cache.hint(key)`, e.g. on hover: preload the key through its registered loader. */
export function usePrefetch(): (key: string) => void;

/** Fetches and compiles the wasm core (importing this entry in a browser starts it already). */
export function preload(): Promise<void>;
