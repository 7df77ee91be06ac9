// Imported by e2e tests in the page: an IndexedDB request as a promise; another connection that
// keeps a read-write transaction over a cache's stores busy, so that the cache's start-up load of
// its records waits for it; and what the tests ask of the default instance meanwhile.
import { defaultInstance } from '/pkg/lib/default.js';
import { IS_LOADED } from '/pkg/lib/internal.js';

export { defaultInstance };

/** Resolves to the request's result, rejects with its error. */
export const request = (r) => new Promise((resolve, reject) => {
  r.onsuccess = () => resolve(r.result);
  r.onerror = () => reject(r.error);
});

/** Holds the database of the namespace `namespace` until `release()` resolves (the transaction
 *  complete and the connection closed). */
export async function holdIndexedDb(namespace) {
  const name = (await indexedDB.databases()).map((d) => d.name).find((n) => n.includes(`:${namespace}:`));
  const holder = await request(indexedDB.open(name));
  const held = holder.transaction(holder.objectStoreNames, 'readwrite');
  const store = held.objectStore(holder.objectStoreNames[0]);
  let holding = true;
  const spin = () => {
    if (holding) store.count().onsuccess = spin;
  };
  spin();
  return {
    async release() {
      holding = false;
      await new Promise((resolve) => (held.oncomplete = resolve));
      holder.close();
    },
  };
}

/** Resolves to 'waited' after `ms`: what a race against a call that should not wait loses to. */
export const timeout = (ms) => new Promise((resolve) => setTimeout(() => resolve('waited'), ms));

/** Whether the default instance open now has IndexedDB's records. */
export const defaultLoaded = () => defaultInstance.now()?.[IS_LOADED]();
