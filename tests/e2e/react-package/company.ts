// The user's data hook, written as the README shows it: the company page in one round trip
// (none when cached), invalidated with its payments and contacts.
import { useCachedQuery } from 'smartcache/react';
import { fetchCompany, type CompanyView } from './api';

export function useCompanyOptimized(companyId: number) {
  return useCachedQuery<CompanyView>(`company:${companyId}`, (_key, { signal }) => fetchCompany(companyId, signal), {
    dependsOn: [`payments:company:${companyId}`, `contacts:company:${companyId}`],
    staleMs: 60_000,
  });
}
