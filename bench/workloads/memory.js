// Workload 1: memory hits and sets. 10,000 CRM entries, a million reads in Zipf order:
// smartcache's peek and get against a plain Map (the floor), lru-cache, and TanStack Query's
// QueryClient.getQueryData/setQueryData.
//
// The libraries take turns in one page, round after round, so that each ratio compares runs made
// side by side (on shared cores the machine's speed drifts between pages by a third or more).
// Each round, for each library: 10,000 sets into an empty container (cold: every key new), the
// same sets again (warm: every key replaced with the same value), then the million reads.
import { SmartCache } from 'smartcache';
import { LRUCache } from 'lru-cache';
import { QueryClient } from '@tanstack/query-core';
import { company, rng } from '/www/crm-data.js';
import { zipfSampler } from '/bench/traces.js';

const ENTRIES = 10_000;
const READS = 1_000_000;
const ROUNDS = 7;

async function timed(fn) {
  const started = performance.now();
  await fn();
  return performance.now() - started;
}

/** Each library as: `reset` (an empty container), `set(i)`, and its reads (`read(key)`). */
function contestants(keys, values) {
  let map;
  let lru;
  let query;
  return [
    { library: 'Map', operation: 'get', reset: () => { map = new Map(); }, set: (i) => map.set(keys[i], values[i]), read: (k) => map.get(k) },
    { library: 'lru-cache', operation: 'get', reset: () => { lru = new LRUCache({ max: ENTRIES }); }, set: (i) => lru.set(keys[i], values[i]), read: (k) => lru.get(k) },
    {
      library: 'TanStack QueryClient', operation: 'getQueryData',
      reset: () => { query?.clear(); query = new QueryClient(); },
      set: (i) => query.setQueryData([keys[i]], values[i]),
      read: (k) => query.getQueryData([k]),
    },
  ];
}

export async function run() {
  const keys = Array.from({ length: ENTRIES }, (_, i) => `company:${i}`);
  const values = keys.map((_, i) => company(i));
  const next = zipfSampler(ENTRIES, 1.0, rng(5));
  const order = Array.from({ length: READS }, () => keys[next()]);
  let sink = 0;

  const cache = await SmartCache.open({ namespace: 'memory-bench' });
  const memory = { tier: 'memory' };
  const smartSets = async () => { for (let i = 0; i < ENTRIES; i++) await cache.set(keys[i], values[i], memory); };
  const all = [
    ...contestants(keys, values),
    { library: 'smartcache', operation: 'peek', reset: () => cache.clear(), setAll: smartSets, read: (k) => cache.peek(k) },
    {
      library: 'smartcache', operation: 'get', reset: () => cache.clear(), setAll: smartSets,
      readAll: async () => { for (const k of order) sink += (await cache.get(k)).id; },
    },
  ];
  const samples = all.map(() => ({ cold: [], warm: [], reads: [] }));
  for (let round = 0; round < ROUNDS; round++) {
    for (const [n, c] of all.entries()) {
      const setAll = c.setAll ?? (() => { for (let i = 0; i < ENTRIES; i++) c.set(i); });
      const readAll = c.readAll ?? (() => { const read = c.read; for (const k of order) sink += read(k).id; });
      await c.reset();
      samples[n].cold.push(await timed(setAll));
      samples[n].warm.push(await timed(setAll));
      samples[n].reads.push(await timed(readAll));
    }
  }
  await cache.close();
  const rate = (count, ms) => count / (ms / 1e3);
  const rows = all.map((c, n) => ({
    library: c.library,
    operation: c.operation,
    setsPerSecond: rate(ENTRIES, Math.min(...samples[n].cold)),
    warmSetsPerSecond: rate(ENTRIES, Math.min(...samples[n].warm)),
    readsPerSecond: rate(READS, Math.min(...samples[n].reads)),
  }));
  /** The ratio of two libraries' rates in each round (a over b), sorted. */
  const perRound = (a, b, metric) => {
    const [i, j] = [a, b].map(([library, operation]) => all.findIndex((c) => c.library === library && c.operation === operation));
    return samples[i][metric].map((ms, r) => samples[j][metric][r] / ms).sort((x, y) => x - y);
  };
  const tanstack = ['TanStack QueryClient', 'getQueryData'];
  return {
    entries: ENTRIES,
    reads: READS,
    rounds: ROUNDS,
    rows,
    ratios: {
      peekVsLru: perRound(['smartcache', 'peek'], ['lru-cache', 'get'], 'reads'),
      peekVsMap: perRound(['smartcache', 'peek'], ['Map', 'get'], 'reads'),
      coldSets: perRound(['smartcache', 'peek'], tanstack, 'cold'),
      warmSets: perRound(['smartcache', 'peek'], tanstack, 'warm'),
    },
    sink: sink > 0,
  };
}
