// smartcache/react.
import { createRoot } from 'react-dom/client';
import { SmartCacheProvider, useCachedQuery } from 'smartcache/react';
import { fetchCompany } from '../api';
import { CompanyPage } from '../page';

// hook:start
function useCompanyOptimized(companyId: number) {
  return useCachedQuery(`company:${companyId}`, () => fetchCompany(companyId), {
    dependsOn: [`payments:company:${companyId}`, `contacts:company:${companyId}`],
    staleMs: 60_000,
  });
}
// hook:end

createRoot(document.getElementById('root')!).render(
  <SmartCacheProvider options={{ namespace: 'bench-react' }}>
    <CompanyPage useCompany={useCompanyOptimized} />
  </SmartCacheProvider>,
);
