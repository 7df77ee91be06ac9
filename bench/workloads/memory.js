// Workload 1: memory hits and sets. 10,000 CRM entries, a million reads in Zipf order:
// smartcache's peek and get against a plain Map (the floor), lru-cache, and TanStack Query's
// QueryClient.getQueryData/setQueryData.
import { SmartCache } from 'smartcache';
import { LRUCache } from 'lru-cache';
import { QueryClient } from '@tanstack/query-core';
import { company, rng } from '/www/crm-data.js';
import { zipfSampler } from '/bench/traces.js';
import { bestMs as best } from '/bench/workloads/timing.js';

const ENTRIES = 10_000;
const READS = 1_000_000;

async function bestAsync(times, fn) {
  let ms = Infinity;
  for (let i = 0; i < times; i++) {
    const started = performance.now();
    await fn();
    ms = Math.min(ms, performance.now() - started);
  }
  return ms;
}

export const libraries = ['Map', 'lru-cache', 'TanStack QueryClient', 'smartcache'];

export async function run({ library }) {
  const keys = Array.from({ length: ENTRIES }, (_, i) => `company:${i}`);
  const values = keys.map((_, i) => company(i));
  const next = zipfSampler(ENTRIES, 1.0, rng(5));
  const order = Array.from({ length: READS }, () => keys[next()]);
  let sink = 0;

  const rows = [];
  const measure = async (library, operation, setAll, readAll) => {
    const setMs = await bestAsync(1, setAll);
    const readMs = await readAll();
    rows.push({ library, operation, setsPerSecond: ENTRIES / (setMs / 1e3), readsPerSecond: READS / (readMs / 1e3) });
  };

  if (library === 'Map') {
    const map = new Map();
    await measure('Map', 'get', () => keys.forEach((k, i) => map.set(k, values[i])), () =>
      best(7, () => { for (const k of order) sink += map.get(k).id; }));
  }
  if (library === 'lru-cache') {
    const lru = new LRUCache({ max: ENTRIES });
    await measure('lru-cache', 'get', () => keys.forEach((k, i) => lru.set(k, values[i])), () =>
      best(7, () => { for (const k of order) sink += lru.get(k).id; }));
  }
  if (library === 'TanStack QueryClient') {
    const query = new QueryClient();
    await measure('TanStack QueryClient', 'getQueryData', () => keys.forEach((k, i) => query.setQueryData([k], values[i])), () =>
      best(7, () => { for (const k of order) sink += query.getQueryData([k]).id; }));
    query.clear();
  }
  if (library === 'smartcache') {
    const cache = await SmartCache.open({ namespace: 'memory-bench' });
    await cache.clear();
    const setAll = async () => { for (let i = 0; i < ENTRIES; i++) await cache.set(keys[i], values[i], { tier: 'memory' }); };
    await measure('smartcache', 'peek', setAll, () =>
      best(7, () => { for (const k of order) sink += cache.peek(k).id; }));
    await measure('smartcache', 'get', setAll, () =>
      bestAsync(3, async () => { for (const k of order) sink += (await cache.get(k)).id; }));
    await cache.close();
  }
  return { entries: ENTRIES, reads: READS, rows, sink: sink > 0 };
}
