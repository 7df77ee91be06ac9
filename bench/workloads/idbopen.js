// Workload 11: the first IndexedDB open of a page load, right after an earlier load wrote a few
// megabytes to localStorage (where an on-disk WebKit once took 1.3 s): how much of the cache's
// 3 s open timeout it uses. `prepare` runs in the earlier load; `run` after a reload.
const DATABASE = 'smartcache-bench-open';
const LOCAL_UNITS = 3 * 1024 * 1024 / 2; // 3 MiB of localStorage, in UTF-16 units

const open = () =>
  new Promise((resolve, reject) => {
    const request = indexedDB.open(DATABASE, 1);
    request.onupgradeneeded = () => request.result.createObjectStore('data');
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });

export async function prepare() {
  (await open()).close();
  localStorage.clear();
  // Packed values are CJK-range text, as the cache's are.
  const chunk = String.fromCharCode(...Array.from({ length: 1024 }, (_, i) => 0x4e00 + ((i * 7919) % 0x7fff)));
  for (let i = 0; i < LOCAL_UNITS / (64 * 1024); i++) localStorage.setItem(`bench-open:${i}`, chunk.repeat(64));
}

export async function run() {
  const started = performance.now();
  const db = await open();
  const openMs = performance.now() - started;
  db.close();
  for (const key of Object.keys(localStorage)) if (key.startsWith('bench-open:')) localStorage.removeItem(key);
  return { openMs, timeoutMs: 3000, localBytes: LOCAL_UNITS * 2 };
}
