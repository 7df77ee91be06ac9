// The page's data in the three modes a person can switch between: the legacy hooks the plan
// replaces (sequential requests, an N+1 for payment creators), the optimized queries without a
// cache, and the optimized queries through smartcache/react. The mode is fixed for a page load.
import { useEffect, useState } from 'react';
import { useCachedMutation, useCachedQuery, usePrefetch, useSmartCache } from 'smartcache/react';
import { recordPayment, request, type CompanyView, type Dashboard, type Payment, type PaymentsPage, type Profile, type Company } from './api';

export type Mode = 'legacy' | 'optimized' | 'smartcache';
export const MODES: Record<Mode, string> = { legacy: 'legacy hooks', optimized: 'optimized queries', smartcache: 'optimized + smartcache' };
const stored = localStorage.getItem('crm-demo-mode');
export const MODE: Mode = stored === 'legacy' || stored === 'optimized' ? stored : 'smartcache';
export function setMode(mode: Mode) {
  localStorage.setItem('crm-demo-mode', mode);
  location.reload();
}
/** In the smartcache mode: whether the cache preloads what it predicts (`crm-demo-predict`). */
export const PREDICT = localStorage.getItem('crm-demo-predict') !== 'off';
export function setPredict(on: boolean) {
  localStorage.setItem('crm-demo-predict', on ? 'on' : 'off');
  location.reload();
}

/** The cache key of what the current page shows (the status bar names its tier). */
export const current: { key: string | null } = { key: null };
export function showing(key: string | null) {
  current.key = key;
}

export interface Loaded<T> { data: T | undefined; error: unknown; status: string; key: string | null }

/** Without a cache: load on mount and when the key changes; `reload` loads again. */
function useFetch<T>(key: string | null, load: () => Promise<T>): Loaded<T> & { reload(): void } {
  const [state, setState] = useState<{ key: string | null; data?: T; error?: unknown }>({ key });
  const [nonce, setNonce] = useState(0);
  useEffect(() => {
    if (key === null) return undefined;
    let live = true;
    load().then((data) => live && setState({ key, data }), (error) => live && setState({ key, error }));
    return () => {
      live = false;
    };
    // `load` is derived from the key.
  }, [key, nonce]);
  const current = state.key === key ? state : { key };
  const status = current.error !== undefined ? 'error' : current.data === undefined ? 'loading' : 'success';
  return { data: current.data, error: current.error, status, key, reload: () => setNonce((n) => n + 1) };
}

const MINUTE = 60_000;

/** Each cached query once: its key, its loader and the options it is stored with. The hooks use
 *  them, and so do the loaders registered for preloads (hover hints and the predictor). */
const queries = {
  company: (id: number) => ({
    key: `company:${id}`,
    load: () => request<CompanyView>(`/api/companies/${id}/view`),
    options: { dependsOn: [`payments:company:${id}`, `contacts:company:${id}`], staleMs: 5 * MINUTE },
  }),
  paymentsPage: (id: number, page: number) => ({
    key: `payments:company:${id}:page:${page}`,
    load: () => request<PaymentsPage>(`/api/companies/${id}/payments?page=${page}&size=25`),
    options: { dependsOn: [`payments:company:${id}`], staleMs: 5 * MINUTE },
  }),
};

/** Registers the loaders that preloads go through; unregisters them on unmount. */
export function useRegisteredLoaders() {
  const cache = useSmartCache();
  useEffect(() => {
    if (cache === undefined || MODE !== 'smartcache') return undefined;
    const company = (key: string) => queries.company(Number(key.split(':')[1]));
    // payments:company:{id}:page:{page}
    const payments = (key: string) => {
      const [, , id, , page] = key.split(':');
      return queries.paymentsPage(Number(id), Number(page));
    };
    const off = [
      cache.registerLoader('company:', (key) => company(key).load(), (key) => company(key).options),
      cache.registerLoader('payments:company:', (key) => payments(key).load(), (key) => payments(key).options),
    ];
    return () => off.forEach((unregister) => unregister());
  }, [cache]);
}

/** What hovering or focusing a company link does: in the smartcache mode, preload its page. */
export function useCompanyHint() {
  const prefetch = usePrefetch();
  return (id: number) => MODE === 'smartcache' && prefetch(queries.company(id).key);
}

/** The plan's hook: the company page in one round trip, none when cached. */
export function useCompanyOptimized(companyId: number) {
  const q = queries.company(companyId);
  return useCachedQuery<CompanyView>(q.key, q.load, q.options);
}

/** What the old useCompany did: company, contacts, payments, then each creator's profile. */
async function legacyCompany(id: number): Promise<CompanyView> {
  const company = await request<Company & { ownerId: number; createdAt: string }>(`/api/legacy/companies/${id}`);
  const contacts = await request<CompanyView['contacts']>(`/api/legacy/companies/${id}/contacts`);
  const payments = await request<(Omit<Payment, 'createdBy'> & { createdBy: number })[]>(`/api/legacy/companies/${id}/payments`);
  const owner = await request<Profile>(`/api/legacy/profiles/${company.ownerId}`);
  const latestPayments: Payment[] = [];
  for (const p of payments) latestPayments.push({ ...p, createdBy: (await request<Profile>(`/api/legacy/profiles/${p.createdBy}`)).name });
  const totalCents = payments.reduce((sum, p) => sum + p.amountCents, 0);
  return { company, owner, contacts, payments: { count: payments.length, totalCents, lastAt: payments[0]?.createdAt ?? null }, latestPayments };
}

export function useCompany(id: number) {
  const legacy = MODE === 'legacy';
  if (MODE === 'smartcache') return { ...useCompanyOptimized(id), key: `company:${id}` };
  return useFetch(`company:${id}`, () => (legacy ? legacyCompany(id) : request<CompanyView>(`/api/companies/${id}/view`)));
}

/** A PaymentsTable page; not loaded when `enabled` is false (the company view carries page 1). */
export function usePayments(id: number, page: number, enabled: boolean) {
  const q = queries.paymentsPage(id, page);
  const key = enabled ? q.key : null;
  if (MODE === 'smartcache') return { ...useCachedQuery<PaymentsPage>(key, q.load, { ...q.options, keepPreviousData: true }), key };
  return useFetch(key, q.load);
}

export function useDashboard() {
  const load = () => request<Dashboard>('/api/dashboard');
  // A large payload: it belongs in IndexedDB, whatever it compresses to.
  if (MODE === 'smartcache') return { ...useCachedQuery<Dashboard>('dashboard', load, { dependsOn: ['payments'], staleMs: 5 * MINUTE, tier: 'indexeddb' }), key: 'dashboard' };
  return useFetch('dashboard', load);
}

export function useCompanies(search: string) {
  const key = `companies:search:${search}`;
  const load = () => request<{ total: number; companies: Company[] }>(`/api/companies?search=${encodeURIComponent(search)}&limit=50`);
  if (MODE === 'smartcache') return { ...useCachedQuery(key, load, { staleMs: 5 * MINUTE, keepPreviousData: true }), key };
  return useFetch(key, load);
}

/** Records a payment; through smartcache its `invalidates` go to the cache (and every tab). */
export function useRecordPayment(companyId: number, after: () => void) {
  const mutation = useCachedMutation((cents: number) => recordPayment(companyId, cents, 1), {
    invalidates: (result) => (MODE === 'smartcache' ? result.invalidates : []),
    onSuccess: after,
  });
  return mutation;
}
