// The demo page: company pages from a slow, simulated API, read through smartcache's getOrLoad,
// with the cache's live stats and events beside them. A company page depends on its payments
// list, so recording a payment invalidates both; opened companies survive a reload (localStorage).
import { SmartCache } from '/pkg/index.js';
import { company, payments, rng } from './crm-data.js';

const API_DELAY_MS = 400;
const COMPANIES = 40;

// The same seeded CRM on every visit.
function makeCompany(id) {
  const r = rng(id);
  return { ...company(id), payments: payments(id, 10 + Math.floor(r() * 190)) };
}

const api = {
  requests: 0,
  async company(id, delay = API_DELAY_MS) {
    this.requests += 1;
    await new Promise((resolve) => setTimeout(resolve, delay));
    return makeCompany(id);
  },
};

const cache = await SmartCache.open({ namespace: 'demo', memoryBytes: 256 * 1024 });
const $ = (id) => document.getElementById(id);

let current = null;

async function loadCompany(id, delay) {
  const requestsBefore = api.requests;
  const company = await cache.getOrLoad(`company:${id}`, () => api.company(id, delay), {
    ttlMs: 10 * 60_000,
    tags: ['company'],
    dependsOn: [`payments:company:${id}`],
  });
  return { company, hit: api.requests === requestsBefore };
}

function renderCompany({ company, hit }, ms) {
  current = company.id;
  $('record').disabled = false;
  const total = company.payments.reduce((sum, p) => sum + p.amount, 0);
  $('company').innerHTML = `
    <h3>${company.name} <small>#${company.id}</small></h3>
    <p>${company.industry} · owner ${company.owner.name} · ${company.contacts.length} contacts</p>
    <table><tr><th>Payments</th><td class="num">${company.payments.length}</td></tr>
    <tr><th>Total</th><td class="num">${total.toFixed(2)}</td></tr></table>`;
  const timing = $('timing');
  timing.className = `timing ${hit ? 'hit' : 'miss'}`;
  timing.textContent = `${hit ? 'cache hit' : 'API request'}: ${ms.toFixed(1)} ms`;
}

function renderStats() {
  const s = cache.stats();
  const rows = [
    ['hits', s.hits], ['misses', s.misses], ['hit rate', `${(s.hitRate * 100).toFixed(1)} %`],
    ['memory entries', s.memory.entries], ['memory bytes', s.memory.bytes.toLocaleString()],
    ['localStorage entries', s.local.entries], ['localStorage bytes', s.local.bytes.toLocaleString()],
    ['stored / raw', s.rawBytes ? `${((s.storedBytes / s.rawBytes) * 100).toFixed(0)} %` : '–'],
    ['API requests', api.requests],
  ];
  $('stats').innerHTML = rows.map(([name, value]) => `<tr><th>${name}</th><td class="num" data-stat="${name}">${value}</td></tr>`).join('');
}

let pending = false;
function scheduleStats() {
  if (pending) return;
  pending = true;
  requestAnimationFrame(() => {
    pending = false;
    renderStats();
  });
}

const events = [];
cache.subscribe((event) => {
  const removed = event.removed ? ` → removed ${event.removed.join(', ') || 'nothing'}` : '';
  events.unshift(`${event.type} ${event.key ?? ''}${event.tier ? ` (${event.tier})` : ''}${removed}`);
  events.length = Math.min(events.length, 12);
  $('events').innerHTML = events.map((e) => `<li>${e}</li>`).join('');
  scheduleStats();
});

for (let id = 1; id <= COMPANIES; id++) {
  const li = document.createElement('li');
  const button = document.createElement('button');
  button.textContent = `${company(id).name} #${id}`;
  button.dataset.company = String(id);
  button.addEventListener('click', async () => {
    const started = performance.now();
    const result = await loadCompany(id);
    renderCompany(result, performance.now() - started);
  });
  li.append(button);
  $('companies').append(li);
}

$('replay').addEventListener('click', async () => {
  // Zipf-distributed visits (s = 1): a few companies are opened far more often than the rest.
  const r = rng(7);
  const weights = Array.from({ length: COMPANIES }, (_, i) => 1 / (i + 1));
  const sum = weights.reduce((a, b) => a + b, 0);
  for (let n = 0; n < 2000; n++) {
    let x = r() * sum;
    let id = 0;
    while (x > weights[id]) x -= weights[id++];
    await loadCompany(id + 1, 0);
  }
  renderStats();
});

$('record').addEventListener('click', async () => {
  // A new payment makes the payments list stale, and with it the company page built from it.
  await cache.invalidate(`payments:company:${current}`);
  $('timing').className = 'timing';
  $('timing').textContent = `payment recorded: company #${current} will be loaded fresh`;
  renderStats();
});

$('clear').addEventListener('click', async () => {
  await cache.clear();
  renderStats();
});

renderStats();
document.body.dataset.ready = 'true';
