// smartcache: a client-side smart cache for data-heavy web apps. See index.d.ts for the contract.
export { SmartCache } from './lib/cache.js';
export { SmartCacheError } from './lib/error.js';
export { configure, smartCache, getCachedData, setCachedData, invalidateCachedData } from './lib/default.js';

// The rest of the module graph, named here so that a page loading the package unbundled fetches
// every module in one round trip rather than one per level of imports (bundlers make this moot).
import './wasm/smartcache.js';
import './lib/wasm.js';
import './lib/contract.js';
import './lib/devtools-hook.js';
import './lib/environment.js';
import './lib/internal.js';
import './lib/json.js';
import './lib/preloads.js';
import './lib/platform.js';
