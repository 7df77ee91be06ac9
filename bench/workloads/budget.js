// Issue 8, part 6: no cliff under small budgets. 20,000 awaited sets of small CRM records with a
// 4 MiB and a 1 MiB localStorage budget: past the budget, demotions to IndexedDB come in batches
// (a full tier frees 1/16 of its budget at once), so the 1 MiB run should cost at most 2× the
// 4 MiB one.
import { SmartCache } from 'smartcache';
import { crmValues } from '/www/crm-data.js';

export const libraries = ['4 MiB', '1 MiB'];
const SETS = 20_000;

export async function run({ library }) {
  const budget = library === '1 MiB' ? 1 << 20 : 4 << 20;
  localStorage.clear();
  const namespace = `budget-${library.replace(' ', '')}`;
  const cache = await SmartCache.open({ namespace, localStorageBytes: budget, crossTab: false });
  await cache.clear();
  // Small records (company summaries), each well under the large-entry threshold.
  const values = crmValues(200, 11)
    .filter(([, value]) => JSON.stringify(value).length < 4096)
    .map(([, value]) => value);
  const started = performance.now();
  for (let i = 0; i < SETS; i++) await cache.set(`row:${i}`, values[i % values.length]);
  const ms = performance.now() - started;
  const stats = cache.stats();
  await cache.close();
  localStorage.clear();
  return { sets: SETS, rows: [{ library, budget, ms, local: stats.local.entries, indexeddb: stats.indexeddb.entries }] };
}
