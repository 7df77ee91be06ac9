// What the page offers the cache: whether it can run here at all, and the databases an earlier
// version or release of this namespace left behind.
import { SmartCacheError } from './error.js';
import { askForDatabase } from './platform.js';

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

/** The name of the database the core opens for `options` (`database_name` in src/store/idb.rs),
 *  or null where it would refuse them for their namespace or version. */
export function databaseNameOf(options) {
  if (options !== undefined && (options === null || typeof options !== 'object')) return null;
  const { namespace = 'default', version = 1 } = options ?? {};
  if (typeof namespace !== 'string' || namespace.isWellFormed?.() !== true || namespace.length === 0 || namespace.length > 128) return null;
  if (!Number.isSafeInteger(version) || version < 0) return null;
  return `smartcache:${namespace.length}:${namespace}:${version}`;
}

/** Starts, before the wasm core has loaded, the two waits of an open in a new tab: IndexedDB's
 *  open (15-20 ms there; the core takes the request over) and localStorage's first touch, which
 *  loads the origin's whole storage at once (10-15 ms for 1,000 entries), so that they pass
 *  while the wasm downloads. Returns what to call once the core has opened (see
 *  `askForDatabase`). */
export function askAhead(options) {
  let release = () => {};
  try {
    const name = databaseNameOf(options);
    if (name !== null) release = askForDatabase(name);
    void globalThis.localStorage?.length;
  } catch {
    // Refused, or options that throw: the core's open reports what matters.
  }
  return release;
}
