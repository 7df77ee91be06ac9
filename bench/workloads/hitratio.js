// Workload 5: hit ratio of the tiers' policy (size-aware GDSF behind adaptive TinyLFU admission)
// against plain LRU, replaying traces at budgets of 1%, 5% and 20% of each trace's working set,
// beside the best of 12 reference policies libCacheSim measured on the same traces
// (bench/reference/policies.json, from ../shared/reference/policies.md).
import init, { replayTrace } from 'smartcache/wasm';
import { crmSessions, parseTrace, scanMixed, zipf } from '/bench/traces.js';

export async function run({ traceText } = {}) {
  await init();
  const reference = await (await fetch('/bench/reference/policies.json')).json();
  const traces = {
    'Zipf 0.8': zipf(0.8),
    'Zipf 1.0': zipf(1.0),
    'scan-mixed': scanMixed(),
    'CRM sessions': crmSessions(),
  };
  if (traceText) traces['given trace'] = parseTrace(traceText);
  const rows = [];
  for (const [name, trace] of Object.entries(traces)) {
    const ids = new Map();
    const keys = new Uint32Array(trace.length);
    const sizes = new Uint32Array(trace.length);
    let workingSet = 0;
    trace.forEach(([key, size], i) => {
      let id = ids.get(key);
      if (id === undefined) {
        id = ids.size;
        ids.set(key, id);
        workingSet += size;
      }
      keys[i] = id;
      sizes[i] = size;
    });
    for (const share of [0.01, 0.05, 0.2]) {
      const budget = Math.floor(workingSet * share);
      const gdsf = replayTrace('gdsf', budget, keys, sizes) / trace.length;
      const lru = replayTrace('lru', budget, keys, sizes) / trace.length;
      const best = reference.best[name]?.[`${share * 100}%`] ?? null;
      rows.push({ trace: name, budgetShare: share, accesses: trace.length, keys: ids.size, gdsf, lru, best });
    }
  }
  return { rows };
}
