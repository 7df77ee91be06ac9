// The CRM's pages: the companies list, a company profile with its payments table and a form to
// record a payment, and the dashboard.
import { useState, type ReactNode } from 'react';
import { money, type PaymentsPage } from './api';
import { MODE, showing, useCompanyHint, useCompanies, useCompany, useDashboard, usePayments, useRecordPayment } from './data';

/** Loading, an error from the server, or the page. */
function Loads<T>({ q, children }: { q: { data: T | undefined; error: unknown; status: string }; children: (data: T) => ReactNode }) {
  if (q.data !== undefined) return <>{children(q.data)}</>;
  if (q.status === 'error') return <p className="error" role="alert">The server said: {String((q.error as Error)?.message ?? q.error)}</p>;
  return <p className="loading">loading…</p>;
}

export function CompaniesList() {
  const [search, setSearch] = useState('');
  const q = useCompanies(search);
  const hint = useCompanyHint();
  showing(q.key);
  return (
    <section>
      <h1>Companies</h1>
      <input type="search" placeholder="Search by name" value={search} onChange={(e) => setSearch(e.target.value)} aria-label="search companies" />
      <Loads q={q}>
        {(list) => (
          <>
            <p className="muted">{list.total.toLocaleString('en-US')} companies</p>
            <ul className="companies">
              {list.companies.map((c) => (
                <li key={c.id}>
                  <a href={`#/company/${c.id}`} data-company={c.id} onMouseEnter={() => hint(c.id)} onFocus={() => hint(c.id)}>{c.name}</a>{' '}
                  <span className="muted">{c.industry} · {c.city}</span>
                </li>
              ))}
            </ul>
          </>
        )}
      </Loads>
    </section>
  );
}

export function CompanyProfile({ id }: { id: number }) {
  const q = useCompany(id);
  showing(q.key);
  const [page, setPage] = useState(1);
  return (
    <Loads q={q}>
      {(view) => (
        <section>
          <h1 id="company-name" data-id={view.company.id}>{view.company.name}</h1>
          <p className="muted">{view.company.industry} · {view.company.city} · owner {view.owner.name}</p>
          <div className="cards">
            <div className="card"><b id="payment-count">{view.payments.count.toLocaleString('en-US')}</b> payments</div>
            <div className="card"><b id="payment-total">{money(view.payments.totalCents)}</b> in total</div>
            <div className="card"><b>{view.contacts.length}</b> contacts</div>
          </div>
          <RecordPayment companyId={id} after={() => ('reload' in q ? q.reload() : undefined)} />
          <PaymentsTable id={id} page={page} setPage={setPage} first={MODE === 'legacy' ? undefined : { page: 1, size: 25, total: view.payments.count, rows: view.latestPayments }} />
          <h2>Contacts</h2>
          <ul>{view.contacts.map((c) => <li key={c.id}>{c.name}, {c.title} · {c.email}</li>)}</ul>
        </section>
      )}
    </Loads>
  );
}

function RecordPayment({ companyId, after }: { companyId: number; after(): void }) {
  const [amount, setAmount] = useState('125.00');
  const mutation = useRecordPayment(companyId, after);
  return (
    <form
      className="record"
      onSubmit={(e) => {
        e.preventDefault();
        mutation.mutate(Math.round(Number(amount) * 100)).catch(() => {});
      }}
    >
      <label>Record a payment of € <input name="amount" value={amount} onChange={(e) => setAmount(e.target.value)} /></label>
      <button type="submit" disabled={mutation.status === 'pending'}>Record</button>
      {mutation.status === 'success' && <span className="ok" id="recorded">recorded #{mutation.data?.payment.id}</span>}
      {mutation.status === 'error' && <span className="error" role="alert">{String((mutation.error as Error).message)}</span>}
    </form>
  );
}

/** `first`: page 1, when the company view brought it (no request of its own). */
function PaymentsTable({ id, page, setPage, first }: { id: number; page: number; setPage(n: number): void; first: PaymentsPage | undefined }) {
  const fetched = usePayments(id, page, first === undefined || page > 1);
  const q = first !== undefined && page === 1 ? { data: first, error: undefined, status: 'success' } : fetched;
  return (
    <section>
      <h2>Payments</h2>
      <Loads q={q}>
        {(p) => (
          <>
            <table className="payments">
              <thead><tr><th>date</th><th>amount</th><th>status</th><th>created by</th></tr></thead>
              <tbody>
                {p.rows.map((r) => <tr key={r.id}><td>{r.createdAt.slice(0, 10)}</td><td>{money(r.amountCents)}</td><td>{r.status}</td><td>{r.createdBy}</td></tr>)}
              </tbody>
            </table>
            <p className="pager">
              <button type="button" disabled={page <= 1} onClick={() => setPage(page - 1)}>previous</button>
              <span id="page" data-page={p.page}>page {page} of {Math.max(1, Math.ceil(p.total / p.size))}</span>
              <button type="button" disabled={page * p.size >= p.total} onClick={() => setPage(page + 1)}>next</button>
            </p>
          </>
        )}
      </Loads>
    </section>
  );
}

export function DashboardPage() {
  const q = useDashboard();
  showing(q.key);
  return (
    <Loads q={q}>
      {(d) => (
        <section>
          <h1>Dashboard</h1>
          <div className="cards">
            <div className="card"><b>{d.companies.toLocaleString('en-US')}</b> companies</div>
            <div className="card"><b id="dashboard-count">{d.payments.count.toLocaleString('en-US')}</b> payments</div>
            <div className="card"><b id="dashboard-total">{money(d.payments.totalCents)}</b></div>
          </div>
          <h2>By industry</h2>
          <table><tbody>{d.byIndustry.map((i) => <tr key={i.industry}><td>{i.industry}</td><td>{i.companies}</td><td>{money(i.totalCents)}</td></tr>)}</tbody></table>
          <h2>Top companies</h2>
          <ol>{d.topCompanies.slice(0, 20).map((c) => <li key={c.id}><a href={`#/company/${c.id}`}>{c.name}</a> · {money(c.totalCents)}</li>)}</ol>
        </section>
      )}
    </Loads>
  );
}
