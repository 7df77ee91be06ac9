// A strict type test of smartcache/react and smartcache/tanstack (exactOptionalPropertyTypes on):
// what must compile compiles, and each @ts-expect-error must be an error.
import type { ReactNode } from 'react';
import {
  SmartCacheProvider,
  preload,
  useCachedMutation,
  useCachedQuery,
  useInvalidate,
  usePrefetch,
  useSmartCache,
  useSuspenseCachedQuery,
  type CacheEvent,
  type Loader,
  type QueryOptions,
  type QueryResult,
} from 'smartcache/react';
import { createSmartCachePersister, smartCacheStorage, type Persister } from 'smartcache/tanstack';
import type { SmartCache } from 'smartcache';

interface Company {
  id: number;
  name: string;
}
const loadCompany: Loader<Company> = async (key, { signal }) => ({ id: Number(key.split(':')[1]), name: signal.aborted ? '' : key });

export function Typed(): ReactNode {
  const cache: SmartCache | undefined = useSmartCache();
  const company: QueryResult<Company> = useCachedQuery('company:1', loadCompany);
  const name: QueryResult<string> = useCachedQuery('company:1', loadCompany, { select: (c) => c.name, staleMs: 1_000, retry: false });
  const disabled = useCachedQuery<Company>(null);
  const suspended = useSuspenseCachedQuery('company:2', loadCompany, { keepPreviousData: true });
  const id: number = suspended.data.id;
  const options: QueryOptions<Company, number> = { select: (c) => c.id, dependsOn: ['payments:company:1'], tier: 'local' };
  const mutation = useCachedMutation(async (amount: number) => ({ companyId: 1, amount }), {
    invalidates: (result) => [`payments:company:${result.companyId}`],
    onError: (error) => console.error(error),
  });
  const invalidate: (keyOrTag: string) => Promise<string[]> = useInvalidate();
  const prefetch: (key: string) => void = usePrefetch();
  void mutation.mutate(5).then((r) => r.amount.toFixed(2));
  void company.refetch().then((c) => c.name.toUpperCase());
  void preload();
  const onEvent = (event: CacheEvent): string => (event.type === 'invalidate' ? event.removed.join() : event.type);

  // @ts-expect-error: mutate takes the mutation's argument type
  void mutation.mutate('five');
  // @ts-expect-error: status is one of four
  const wrong: 'done' = company.status;
  // @ts-expect-error: exactOptionalPropertyTypes: an absent option is left out, not undefined
  const loose: QueryOptions<Company> = { enabled: undefined };
  // @ts-expect-error: a tier is one of three (or auto)
  useCachedQuery('k', loadCompany, { tier: 'disk' });

  const persister: Persister = createSmartCachePersister({ throttleMs: 0, key: 'client' });
  const storage = smartCacheStorage({ prefix: 'q:' });
  void storage.setItem('a', 'b');
  void [cache, name, disabled, id, options, invalidate, prefetch, wrong, loose, persister, onEvent];
  return (
    <SmartCacheProvider options={{ namespace: 'typed' }} fallback={<p>opening</p>}>
      <p>{company.data?.name}</p>
    </SmartCacheProvider>
  );
}
