// The hooks of smartcache/react. Each reads its key's record (queries.js) through
// useSyncExternalStore; the record reads the cache, the cache decides.
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react';
import { queriesOf, IDLE, LOADING } from './queries.js';
import { replaceEqualDeep, shallowEqual } from './share.js';
import { defaultSource } from './source.js';
import { IS_LOADED } from '../internal.js';

export const SourceContext = createContext(null);

const useSource = () => useContext(SourceContext) ?? defaultSource;

/** The source's open cache (undefined while it opens, and on the server); starts opening it. */
function useOpenCache(source) {
  if (source.cache === undefined && typeof window !== 'undefined') source.start();
  return useSyncExternalStore(source.subscribe, () => source.cache, () => undefined);
}

/** The cache, once it knows every entry (a provider's cache serves the hooks a little sooner). */
export function useSmartCache() {
  const source = useSource();
  useOpenCache(source);
  const loaded = () => (source.cache !== undefined && source.cache[IS_LOADED]() ? source.cache : undefined);
  return useSyncExternalStore(source.subscribe, loaded, () => undefined);
}

const noSubscription = () => () => {};

/** Derives what a component shows from its key's snapshot: `select`, the previous key's data,
 *  and the same object as last time when nothing it shows changed. */
function useView(options) {
  const view = useRef({ raw: undefined, select: undefined, shown: undefined, previous: undefined });
  return (raw) => {
    const state = view.current;
    const select = options?.select;
    if (raw === state.raw && select === state.select) return state.shown;
    let data = raw.data !== undefined && select !== undefined ? select(raw.data) : raw.data;
    data = replaceEqualDeep(state.shown?.data, data);
    let shown = { ...raw, data };
    if (data === undefined && raw.status === 'loading' && options?.keepPreviousData && state.previous !== undefined) {
      shown = { ...raw, data: state.previous, status: 'success', isStale: true, isPreviousData: true };
    }
    if (!shallowEqual(shown, state.shown)) state.shown = Object.freeze(shown);
    state.raw = raw;
    state.select = select;
    if (raw.data !== undefined) state.previous = data;
    return state.shown;
  };
}

export function useCachedQuery(key, loader, options) {
  const source = useSource();
  const cache = useOpenCache(source);
  const enabled = key !== null && key !== undefined && options?.enabled !== false;
  const queries = cache !== undefined && enabled ? queriesOf(cache, source.early) : null;
  if (queries !== null) queries.record(key).use(loader, options);
  else if (enabled && cache === undefined && loader !== undefined) source.loadEarly(key, loader);

  const subscribe = useMemo(
    () => (queries !== null ? (notify) => queries.record(key).subscribe(notify) : noSubscription),
    [queries, key],
  );
  const derive = useView(options);
  const rawSnapshot = () => {
    if (!enabled) return IDLE;
    if (queries !== null) return queries.record(key).snapshot;
    return source.error !== undefined ? source.failure : LOADING;
  };
  const shown = useSyncExternalStore(subscribe, () => derive(rawSnapshot()), () => derive(enabled ? LOADING : IDLE));

  const select = options?.select;
  const refetch = useCallback(async () => {
    const open = await source.ready();
    const value = await queriesOf(open, source.early).record(key).fetch(true);
    return select !== undefined ? select(value) : value;
  }, [source, key, select]);
  return useMemo(() => ({ ...shown, refetch }), [shown, refetch]);
}

export function useSuspenseCachedQuery(key, loader, options) {
  const source = useSource();
  const result = useCachedQuery(key, loader, options);
  if (result.status === 'success') return result;
  if (result.status === 'error') throw result.error;
  // Suspends on one promise per key and loading spell, so React never sees an uncached one.
  const cache = source.cache;
  if (cache === undefined) throw source.ready();
  const record = queriesOf(cache, source.early).record(key);
  const settled = record.settled();
  // After this render: a load publishes its progress to the key's other components.
  queueMicrotask(() => record.fetch(false));
  throw settled;
}

/** Runs `mutate`, then invalidates what it changed: keys, tags, or prefixes ending in ':'. */
export function useCachedMutation(mutate, options) {
  const source = useSource();
  const [state, setState] = useState({ status: 'idle', data: undefined, error: undefined });
  const latest = useRef({ mutate, options });
  latest.current = { mutate, options };
  const mounted = useRef(true);
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);
  const show = (next) => mounted.current && setState(next);

  const run = useCallback(
    async (args) => {
      const { mutate: call, options: given } = latest.current;
      show({ status: 'pending', data: undefined, error: undefined });
      try {
        const result = await call(args);
        const targets = typeof given?.invalidates === 'function' ? given.invalidates(result, args) : (given?.invalidates ?? []);
        if (targets.length !== 0) {
          const cache = await source.ready();
          await Promise.all(targets.map((t) => (t.endsWith(':') ? cache.invalidatePrefix(t) : cache.invalidate(t))));
        }
        show({ status: 'success', data: result, error: undefined });
        given?.onSuccess?.(result, args);
        return result;
      } catch (error) {
        show({ status: 'error', data: undefined, error });
        given?.onError?.(error, args);
        throw error;
      }
    },
    [source],
  );
  const reset = useCallback(() => show({ status: 'idle', data: undefined, error: undefined }), []);
  return useMemo(() => ({ ...state, mutate: run, reset }), [state, run, reset]);
}

export function useInvalidate() {
  const source = useSource();
  return useCallback((keyOrTag) => source.ready().then((cache) => cache.invalidate(keyOrTag)), [source]);
}

/** `cache.hint(key)`: preload through the key's registered loader (on hover, on focus). */
export function usePrefetch() {
  const source = useSource();
  return useCallback(
    (key) => {
      if (source.cache !== undefined) source.cache.hint(key);
      else if (typeof window !== 'undefined') source.ready().then((cache) => cache.hint(key), () => {});
    },
    [source],
  );
}
