// The company page the three apps share; it reports when its data is first on screen
// (milliseconds since navigation started) and how many fetches this page load made.
import { useEffect } from 'react';
import { fetches, type CompanyView } from './api';

export function CompanyPage({ useCompany }: { useCompany: (id: number) => { data: CompanyView | undefined } }) {
  const { data } = useCompany(42);
  (window as any).__marks?.push(['render:' + (data ? 'data' : 'none'), performance.now()]);
  useEffect(() => {
    if (data !== undefined) {
      (window as unknown as { __ttd: unknown }).__ttd = { ms: performance.now(), fetches: fetches.count };
    }
  }, [data]);
  if (data === undefined) return <p>loading</p>;
  return (
    <section>
      <h1>{data.name}</h1>
      <p>{data.contacts.length} contacts, {data.payments.length} payments</p>
    </section>
  );
}
