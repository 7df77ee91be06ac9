// smartcache: a client-side smart cache for data-heavy web apps. See index.d.ts for the contract.
export { SmartCache } from './lib/cache.js';
export { SmartCacheError } from './lib/error.js';
export { configure, smartCache, getCachedData, setCachedData, invalidateCachedData } from './lib/default.js';
