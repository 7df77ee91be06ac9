// Realistic CRM JSON from one seed (the demo shows it, the benchmarks measure on it), so that runs are comparable: companies with contacts and an
// owner profile, payments lists of 10 to 5,000 rows, dashboards. Runs in the browser and in Node.

/** mulberry32: a small, fast, seeded PRNG returning floats in [0, 1). */
export function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FIRST = ['Ada', 'Grace', 'Alan', 'Edsger', 'Barbara', 'Donald', 'Margaret', 'Ken', 'Radia', 'Linus', 'Frances', 'John'];
const LAST = ['Lovelace', 'Hopper', 'Turing', 'Dijkstra', 'Liskov', 'Knuth', 'Hamilton', 'Thompson', 'Perlman', 'Torvalds', 'Allen', 'Backus'];
const COMPANY = ['Acme', 'Globex', 'Initech', 'Umbrella', 'Hooli', 'Vandelay', 'Stark', 'Wayne', 'Tyrell', 'Cyberdyne', 'Soylent', 'Wonka'];
const SUFFIX = ['GmbH', 'Ltd', 'Inc', 'AG', 'SAS', 'BV', 'Oy', 'AB'];
const INDUSTRY = ['Retail', 'Logistics', 'Software', 'Energy', 'Finance', 'Healthcare', 'Manufacturing'];
const STATUS = ['paid', 'open', 'overdue', 'refunded', 'disputed'];
const METHOD = ['card', 'sepa', 'wire', 'paypal'];
const CITY = ['Berlin', 'Paris', 'Amsterdam', 'Lisbon', 'Vienna', 'Oslo', 'Dublin', 'Madrid'];

const pick = (r, list) => list[Math.floor(r() * list.length)];
const day = (r) => new Date(Date.UTC(2025, 0, 1) + Math.floor(r() * 700) * 86400000).toISOString();

function person(r, id) {
  const first = pick(r, FIRST);
  const last = pick(r, LAST);
  return {
    id,
    name: `${first} ${last}`,
    email: `${first}.${last}${id}@example.com`.toLowerCase(),
    phone: `+49 30 ${Math.floor(r() * 9e7 + 1e7)}`,
    title: pick(r, ['CEO', 'CFO', 'Head of Sales', 'Buyer', 'Account Manager', 'Controller']),
  };
}

export function company(id) {
  const r = rng(id * 7919);
  const name = `${pick(r, COMPANY)} ${pick(r, SUFFIX)}`;
  return {
    id,
    name,
    domain: `${name.split(' ')[0].toLowerCase()}${id}.example.com`,
    industry: pick(r, INDUSTRY),
    employees: Math.floor(r() * 5000) + 5,
    address: { street: `${Math.floor(r() * 200) + 1} Main Street`, city: pick(r, CITY), country: 'EU' },
    owner: person(r, 100000 + id),
    contacts: Array.from({ length: 3 + Math.floor(r() * 10) }, (_, i) => person(r, id * 100 + i)),
    tags: ['customer', pick(r, ['enterprise', 'smb', 'startup']), pick(r, ['priority', 'standard'])],
    created_at: day(r),
  };
}

export function payments(companyId, rows) {
  const r = rng(companyId * 104729 + rows);
  return Array.from({ length: rows }, (_, i) => ({
    id: companyId * 100000 + i,
    company_id: companyId,
    amount: Math.round(r() * 5e6) / 100,
    currency: pick(r, ['EUR', 'EUR', 'EUR', 'USD', 'GBP']),
    status: pick(r, STATUS),
    method: pick(r, METHOD),
    invoice: `INV-${2025 + Math.floor(r() * 2)}-${String(Math.floor(r() * 1e6)).padStart(6, '0')}`,
    created_at: day(r),
    paid_at: r() < 0.7 ? day(r) : null,
    note: r() < 0.2 ? pick(r, ['late fee waived', 'partial payment', 'customer asked for receipt']) : null,
  }));
}

export function dashboard(id) {
  const r = rng(id * 31337);
  return {
    id,
    period: '2026-Q3',
    revenue: Math.round(r() * 1e9) / 100,
    kpis: Array.from({ length: 12 }, (_, i) => ({ name: `kpi_${i}`, value: Math.round(r() * 1e5) / 100, delta: Math.round((r() - 0.5) * 2e3) / 100 })),
    top_companies: Array.from({ length: 25 }, (_, i) => ({ id: i + 1, name: company(i + 1).name, revenue: Math.round(r() * 1e8) / 100 })),
    series: Array.from({ length: 90 }, (_, d) => ({ day: d, revenue: Math.round(r() * 1e6) / 100, payments: Math.floor(r() * 400) })),
  };
}

/** Payments rows for a target JSON size in bytes (about 200 bytes a row). */
export function paymentsOfSize(companyId, bytes) {
  return payments(companyId, Math.max(1, Math.round(bytes / 200)));
}

/** A mixed CRM working set: the values a session would cache, in a seeded order. */
export function crmValues(count, seed = 1) {
  const r = rng(seed);
  return Array.from({ length: count }, (_, i) => {
    const id = i + 1;
    const kind = r();
    if (kind < 0.4) return [`company:${id}`, company(id)];
    if (kind < 0.9) return [`payments:company:${id}`, payments(id, 10 + Math.floor(r() * r() * 490))];
    return [`dashboard:${id}`, dashboard(id)];
  });
}
