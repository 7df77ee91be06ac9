// Access traces for the hit-ratio workload, from one seed: Zipf 0.8 and 1.0, a scan-mixed trace
// (a loop over many cold keys interleaved with a hot set) and a CRM session trace. Each access is
// [key, size in bytes]; `parseTrace` reads other traces from text, one `key size` a line.
import { rng } from '/www/crm-data.js';

/** A size for a key: most CRM values are small, a few are large lists. */
function sizer(seed) {
  const r = rng(seed);
  const sizes = new Map();
  return (key) => {
    let size = sizes.get(key);
    if (size === undefined) {
      size = r() < 0.9 ? 200 + Math.floor(r() * 2_000) : 5_000 + Math.floor(r() * 50_000);
      sizes.set(key, size);
    }
    return size;
  };
}

export function zipfSampler(n, alpha, r) {
  const cdf = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < n; i++) cdf[i] = sum += 1 / (i + 1) ** alpha;
  return () => {
    const x = r() * sum;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid] < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

export function zipf(alpha, { keys = 10_000, accesses = 200_000, seed = 11 } = {}) {
  const r = rng(seed);
  const size = sizer(seed);
  const next = zipfSampler(keys, alpha, r);
  return Array.from({ length: accesses }, () => {
    const key = `k:${next()}`;
    return [key, size(key)];
  });
}

/** A hot set read in Zipf order, interleaved with a loop over many cold keys read once a lap. */
export function scanMixed({ hot = 10_000, cold = 100_000, accesses = 400_000, seed = 12 } = {}) {
  const r = rng(seed);
  const size = sizer(seed);
  const next = zipfSampler(hot, 0.9, r);
  let scan = 0;
  return Array.from({ length: accesses }, (_, i) => {
    const key = i % 2 === 0 ? `hot:${next()}` : `cold:${scan++ % cold}`;
    return [key, size(key)];
  });
}

/** Sales reps: list -> company -> payments -> contacts, revisits of recent companies, and a
 *  monthly report that scans every company's summary. */
export function crmSessions({ companies = 5_000, accesses = 200_000, seed = 13 } = {}) {
  const r = rng(seed);
  const size = sizer(seed);
  const popular = zipfSampler(companies, 0.9, r);
  const recent = [];
  const out = [];
  const push = (key) => out.push([key, size(key)]);
  while (out.length < accesses) {
    const roll = r();
    if (roll < 0.0005) {
      // The monthly report: every company's summary, once.
      for (let id = 0; id < companies && out.length < accesses; id++) push(`report:summary:${id}`);
      continue;
    }
    push(`list:companies:page:${Math.floor(r() * 5)}`);
    const id = roll < 0.4 && recent.length ? recent[Math.floor(r() * recent.length)] : popular();
    recent.push(id);
    if (recent.length > 20) recent.shift();
    push(`company:${id}`);
    push(`payments:company:${id}`);
    if (r() < 0.5) push(`contacts:company:${id}`);
  }
  return out.slice(0, accesses);
}

/** One access a line: `key size`. */
export function parseTrace(text) {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => {
      const [key, size] = line.split(/\s+/);
      return [key, Number(size) || 1];
    });
}
