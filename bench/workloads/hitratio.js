// Workload 5: hit ratio of the memory tier's policy (S3-FIFO) against plain LRU, replaying traces
// at budgets of 1%, 5% and 20% of each trace's working set.
import init, { replayTrace } from 'smartcache/wasm';
import { crmSessions, parseTrace, scanMixed, zipf } from '/bench/traces.js';

export async function run({ traceText } = {}) {
  await init();
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
      const s3fifo = replayTrace('s3fifo', budget, keys, sizes) / trace.length;
      const lru = replayTrace('lru', budget, keys, sizes) / trace.length;
      rows.push({ trace: name, budgetShare: share, accesses: trace.length, keys: ids.size, s3fifo, lru });
    }
  }
  return { rows };
}
