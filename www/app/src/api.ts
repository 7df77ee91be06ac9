// The CRM's API as the app calls it: every call is one round trip, counted for the status bar.
export interface Company { id: number; name: string; industry: string; city: string }
export interface Profile { id: number; name: string; email: string; role: string }
export interface Contact { id: number; name: string; email: string; title: string }
export interface Payment { id: number; amountCents: number; status: string; createdAt: string; createdBy: string }
export interface CompanyView {
  company: Company & { createdAt: string };
  owner: Profile;
  contacts: Contact[];
  payments: { count: number; totalCents: number; lastAt: string | null };
  latestPayments: Payment[];
}
export interface PaymentsPage { page: number; size: number; total: number; rows: Payment[] }
export interface Dashboard {
  companies: number;
  payments: { count: number; totalCents: number };
  byIndustry: { industry: string; companies: number; totalCents: number }[];
  byMonth: { month: string; count: number; totalCents: number }[];
  topCompanies: (Company & { payments: number; totalCents: number })[];
}
export interface Recorded { payment: { id: number; companyId: number; amountCents: number }; invalidates: string[] }

export const session = { roundTrips: 0, listeners: new Set<() => void>() };

export async function request<T>(path: string, init?: RequestInit): Promise<T> {
  session.roundTrips += 1;
  session.listeners.forEach((l) => l());
  const response = await fetch(path, init);
  const body = await response.json().catch(() => ({ error: `${response.status} ${response.statusText}` }));
  if (!response.ok) throw new Error(body.error ?? `HTTP ${response.status}`);
  return body as T;
}

export const recordPayment = (companyId: number, amountCents: number, createdBy: number) =>
  request<Recorded>(`/api/companies/${companyId}/payments`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ amountCents, createdBy }),
  });

export const money = (cents: number) => (cents / 100).toLocaleString('en-US', { style: 'currency', currency: 'EUR' });
