// Rendered from the Rust core by tests/contract.rs: do not edit by hand.
// `UPDATE_CONTRACT=1 cargo test --test contract` writes it again.

/** Longest key, in UTF-16 units. */
export const MAX_KEY_UNITS = 1024;

/** The codes of SmartCacheError. */
export const ERROR_CODES = ['INVALID_KEY', 'NOT_SERIALIZABLE', 'INVALID_OPTION', 'ENTRY_TOO_LARGE', 'CLOSED', 'UNSUPPORTED'];

/** The codes of `fault` events. */
export const FAULT_CODES = ['QUOTA_EXCEEDED', 'CORRUPT_ENTRY', 'UNAVAILABLE', 'WRITE_FAILED', 'READ_FAILED', 'NO_ROOM'];

/** The tiers, as events and entries name them. */
export const TIERS = ['memory', 'local', 'indexeddb'];

/** What an event's `drop` field may say: which live copies it takes away. */
export const LIVE_DROPS = ['key', 'removed', 'all'];

/** `stats()` of a cache that holds nothing (the default instance before it opens). */
export const EMPTY_STATS = {"hits":0,"misses":0,"hitRate":0,"memory":{"entries":0,"bytes":0,"hits":0},"local":{"entries":0,"bytes":0,"hits":0},"indexeddb":{"entries":0,"bytes":0,"hits":0},"rawBytes":0,"storedBytes":0,"prefetched":0,"prefetchHits":0,"predict":{"mode":"off","issued":0,"used":0,"precision":0,"coverage":0,"wastedBytes":0},"faults":0};
