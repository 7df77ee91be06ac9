// A stand-in for the CRM's API: one simulated round trip per call, counted per page load.
export interface CompanyView {
  id: number;
  name: string;
  payments: { id: number; amount: number }[];
}

export const fetches = { count: 0 };

export function fetchCompany(id: number, signal?: AbortSignal): Promise<CompanyView> {
  fetches.count += 1;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => resolve({ id, name: `Company ${id}`, payments: [{ id: 1, amount: 120 }] }), 50);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(signal.reason);
    });
  });
}
