// What the page offers the cache: whether it can run here at all, and the databases an earlier
// version or release of this namespace left behind.
import { SmartCacheError } from './error.js';

/** Throws UNSUPPORTED where there is no browser storage or WebAssembly (a server render, Node,
 *  a worker without storage). */
export function unsupportedReason() {
  let reason = null;
  if (typeof WebAssembly !== 'object' || typeof WebAssembly.instantiate !== 'function') {
    reason = 'WebAssembly is not available';
  } else {
    try {
      if (typeof window === 'undefined' || !globalThis.localStorage) reason = 'there is no window with localStorage';
    } catch (error) {
      reason = `localStorage is refused (${error?.name ?? error})`;
    }
  }
  if (reason !== null) throw new SmartCacheError('UNSUPPORTED', `smartcache cannot run here: ${reason}`);
}

/** Deletes this namespace's databases of other versions and of the previous release's naming
 *  (best effort: a database another tab still uses goes once that tab closes it). */
export function dropOtherDatabases(current) {
  const [, units, ...rest] = current.split(':');
  const namespace = rest.slice(0, -1).join(':');
  const ours = `smartcache:${units}:${namespace}:`;
  const legacy = `smartcache:${namespace}`;
  try {
    const factory = globalThis.indexedDB;
    factory?.databases?.()
      .then((list) => {
        for (const { name } of list) {
          const otherVersion = name?.startsWith(ours) && /^\d+$/.test(name.slice(ours.length)) && name !== current;
          if (otherVersion || name === legacy) factory.deleteDatabase(name);
        }
      })
      .catch(() => {});
  } catch {
    // IndexedDB refused (private mode, a policy): nothing of ours can be there either.
  }
}
