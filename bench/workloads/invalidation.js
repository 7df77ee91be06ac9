// The time to invalidate a 1,000-entry cascade (payment -> 10 lists -> 989 pages, persisted in
// localStorage) inside a 100,000-entry cache, through the public API.
import { SmartCache } from 'smartcache';

export async function run() {
  localStorage.clear();
  const cache = await SmartCache.open({ namespace: 'invalidation', localStorageBytes: 64 * 2 ** 20 });
  await cache.clear();
  for (let i = 0; i < 99_000; i++) await cache.set(`company:${i}`, { id: i, name: 'Acme' }, { tier: 'memory' });
  await cache.set('payment:root', { id: 1 });
  for (let list = 0; list < 10; list++) await cache.set(`payments:list:${list}`, [1], { dependsOn: ['payment:root'] });
  for (let page = 0; page < 989; page++) await cache.set(`page:${page}`, {}, { dependsOn: [`payments:list:${page % 10}`] });
  const entries = cache.entries().length;
  const started = performance.now();
  const removed = await cache.invalidate('payment:root');
  const ms = performance.now() - started;
  await cache.clear();
  await cache.close();
  return { entries, removed: removed.length, ms };
}
