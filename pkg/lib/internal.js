// Methods the package's other entries (smartcache/react) use on a SmartCache and that are not
// part of its public surface: keyed by these symbols, invisible to users' code and types.

/** `cache[LIVE](key)`: the live memory copy `{ value, staleAt, expiresAt }` (0 = never), or
 *  undefined; counts nothing, changes nothing. */
export const LIVE = Symbol('smartcache.live');

/** `cache[READ_NOW](key)`: a demand read that answers synchronously from memory or localStorage:
 *  `{ value }` (value undefined on a miss), or `{ pending }` (a promise) when only IndexedDB can tell. */
export const READ_NOW = Symbol('smartcache.readNow');

/** `SmartCache[OPEN_EARLY](options)`: a cache that serves memory and localStorage before
 *  IndexedDB's records have loaded; `cache[WHEN_LOADED]()` resolves once they have. Until then
 *  `stats()` and `entries()` leave IndexedDB's entries out (removals and `has` wait). */
export const OPEN_EARLY = Symbol('smartcache.openEarly');
export const WHEN_LOADED = Symbol('smartcache.whenLoaded');

/** `cache[IS_LOADED]()`: whether WHEN_LOADED has resolved. */
export const IS_LOADED = Symbol('smartcache.isLoaded');

/** `cache[DEVTOOLS_ID]`: the id of the cache's handle on the devtools hook (undefined without one). */
export const DEVTOOLS_ID = Symbol('smartcache.devtoolsId');

/** `cache[INSPECT](listener)`: `subscribe` for the devtools: every event but the memory hits the
 *  face serves (counted in stats and entries instead, so that a panel costs `peek` nothing). */
export const INSPECT = Symbol('smartcache.inspect');

/** Whether a live entry (`{ staleAt }`, 0 = never) is past its staleMs. */
export const isStale = (live) => live !== undefined && live.staleAt !== 0 && Date.now() >= live.staleAt;
