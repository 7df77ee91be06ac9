// The same simulated API for the three apps: one company view after a 300 ms round trip.
export const ROUND_TRIP_MS = 300;

export interface CompanyView {
  id: number;
  name: string;
  contacts: { id: number; name: string; email: string }[];
  payments: { id: number; amount: number; createdBy: string }[];
}

export const fetches = { count: 0 };

export function fetchCompany(id: number): Promise<CompanyView> {
  fetches.count += 1;
  const contacts = Array.from({ length: 20 }, (_, i) => ({ id: i, name: `Contact ${i}`, email: `contact${i}@company${id}.example` }));
  const payments = Array.from({ length: 50 }, (_, i) => ({ id: i, amount: 100 + i, createdBy: `User ${i % 7}` }));
  return new Promise((resolve) => setTimeout(() => resolve({ id, name: `Company ${id}`, contacts, payments }), ROUND_TRIP_MS));
}
