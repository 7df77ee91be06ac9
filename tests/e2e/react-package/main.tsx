// Two ways a user meets the package: smartcache/react's hooks, and TanStack Query with
// smartcache/tanstack's persister underneath. ?app=smartcache or ?app=tanstack.
import { createRoot } from 'react-dom/client';
import { StrictMode, useEffect } from 'react';
import { SmartCacheProvider } from 'smartcache/react';
import { QueryClient, useQuery } from '@tanstack/react-query';
import { PersistQueryClientProvider } from '@tanstack/react-query-persist-client';
import { createSmartCachePersister } from 'smartcache/tanstack';
import { configure, smartCache } from 'smartcache';
import { useCompanyOptimized } from './company';
import { fetchCompany, fetches } from './api';

type Report = { app: string; name?: string; fetches: number; stored?: string[] };
const report = (r: Report) => {
  (window as unknown as { __result: Report }).__result = r;
};

function SmartCachePage() {
  const { data, status } = useCompanyOptimized(42);
  useEffect(() => {
    if (status === 'success') report({ app: 'smartcache', name: data?.name ?? '', fetches: fetches.count });
  }, [status, data]);
  return <p id="company">{status === 'success' ? data?.name : status}</p>;
}

function TanStackPage() {
  const { data, isSuccess } = useQuery({ queryKey: ['company', 42], queryFn: () => fetchCompany(42), staleTime: Infinity });
  useEffect(() => {
    if (isSuccess) {
      // The persister writes after its throttle; report what the cache holds by then.
      setTimeout(() => report({ app: 'tanstack', name: data.name, fetches: fetches.count, stored: smartCache.entries().map((e) => e.key) }), 1500);
    }
  }, [isSuccess, data]);
  return <p id="company">{isSuccess ? data.name : 'loading'}</p>;
}

const app = new URLSearchParams(location.search).get('app');
const root = createRoot(document.getElementById('root')!);
if (app === 'tanstack') {
  void configure({ namespace: 'tanstack' });
  const queryClient = new QueryClient({ defaultOptions: { queries: { gcTime: Infinity } } });
  const persister = createSmartCachePersister();
  root.render(
    <StrictMode>
      <PersistQueryClientProvider client={queryClient} persistOptions={{ persister }}>
        <TanStackPage />
      </PersistQueryClientProvider>
    </StrictMode>,
  );
} else {
  root.render(
    <StrictMode>
      <SmartCacheProvider options={{ namespace: 'react-app' }} fallback={null}>
        <SmartCachePage />
      </SmartCacheProvider>
    </StrictMode>,
  );
}
