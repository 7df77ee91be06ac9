// Workload 3: how many bytes of raw CRM JSON fit within a localStorage budget (4 MiB, counted as
// the browser counts: 2 bytes per UTF-16 unit of keys and values): smartcache, the JSON as is,
// and lz-string's compressToUTF16.
import { SmartCache } from 'smartcache';
import { crmValues } from '/www/crm-data.js';
import { utf8Bytes } from './timing.js';

/** Stores values as `encode` makes them until the next would pass the budget. */
function fillPlain(values, budget, encode) {
  localStorage.clear();
  let used = 0;
  let rawHeld = 0;
  for (const { key, json } of values) {
    const stored = encode(json);
    const cost = 2 * (key.length + stored.length);
    if (used + cost > budget) break;
    localStorage.setItem(key, stored);
    used += cost;
    rawHeld += utf8Bytes(json);
  }
  localStorage.clear();
  return { rawHeld, used };
}

export const libraries = ['smartcache', 'raw JSON', 'lz-string'];

export async function run({ library, budget = 4 * 1024 * 1024 }) {
  const values = crmValues(1500, 7).map(([key, value]) => ({ key, value, json: JSON.stringify(value) }));
  if (library === 'raw JSON') return { budget, rows: [{ library, ...fillPlain(values, budget, (json) => json) }] };
  if (library === 'lz-string') {
    const lz = fillPlain(values, budget, (json) => globalThis.LZString.compressToUTF16(json));
    return { budget, rows: [{ library, ...lz }] };
  }

  localStorage.clear();
  // Every value is placed in localStorage; past the budget the policy evicts older entries
  // (IndexedDB is given no room here, so what stays in localStorage is what was measured).
  const namespace = 'capacity';
  const cache = await SmartCache.open({ namespace, localStorageBytes: budget, largeEntryBytes: 2 ** 40, indexedDbBytes: 0 });
  await cache.clear();
  for (const { key, value } of values) await cache.set(key, value, { tier: 'local' });
  const local = cache.entries().filter((e) => e.tier === 'local');
  const rawHeld = local.reduce((sum, e) => sum + e.rawBytes, 0);
  const payloadHeld = local.reduce((sum, e) => sum + e.storedBytes, 0);
  const used = Object.keys(localStorage)
    .filter((k) => k.startsWith(`smartcache:${namespace.length}:${namespace}:`))
    .reduce((sum, k) => sum + 2 * (k.length + localStorage.getItem(k).length), 0);
  const stats = cache.stats();
  await cache.close();
  localStorage.clear();
  return {
    budget,
    rows: [{ library: 'smartcache', rawHeld, used, entries: local.length }],
    compressionRatio: stats.rawBytes / stats.storedBytes,
    smartcacheCountedBytes: payloadHeld,
  };
}
