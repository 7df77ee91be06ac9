// TanStack Query with its localStorage persister.
import { createRoot } from 'react-dom/client';
import { QueryClient, useQuery } from '@tanstack/react-query';
import { PersistQueryClientProvider } from '@tanstack/react-query-persist-client';
import { createSyncStoragePersister } from '@tanstack/query-sync-storage-persister';
import { fetchCompany } from '../api';
import { CompanyPage } from '../page';

const queryClient = new QueryClient({ defaultOptions: { queries: { gcTime: Infinity, staleTime: 60_000 } } });
const persister = createSyncStoragePersister({ storage: window.localStorage });

// hook:start
function useCompanyOptimized(companyId: number) {
  return useQuery({ queryKey: ['company', companyId], queryFn: () => fetchCompany(companyId) });
}
// hook:end

createRoot(document.getElementById('root')!).render(
  <PersistQueryClientProvider client={queryClient} persistOptions={{ persister }}>
    <CompanyPage useCompany={useCompanyOptimized} />
  </PersistQueryClientProvider>,
);
