// Methods the package's other entries (smartcache/react) use on a SmartCache and that are not
// part of its public surface: keyed by these symbols, invisible to users' code and types.

/** `cache[LIVE](key)`: the live memory copy `{ value, staleAt, expiresAt }` (0 = never), or
 *  undefined; counts nothing, changes nothing. */
export const LIVE = Symbol('smartcache.live');

/** `cache[READ_NOW](key)`: a demand read that answers synchronously from memory or localStorage:
 *  `{ value }` (value undefined on a miss), or `{ pending }` (a promise) when only IndexedDB can tell. */
export const READ_NOW = Symbol('smartcache.readNow');
