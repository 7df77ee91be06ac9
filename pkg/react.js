// smartcache/react: hooks over a SmartCache, as ../API.md specifies them. See react.d.ts.
import { loadCore } from './lib/wasm.js';

export { SmartCacheProvider } from './lib/react/provider.js';
export {
  useSmartCache,
  useCachedQuery,
  useSuspenseCachedQuery,
  useCachedMutation,
  useInvalidate,
  usePrefetch,
} from './lib/react/hooks.js';

/** Starts fetching and compiling the wasm core; resolves when it is ready. Importing the
 *  package in a browser already starts it, so that opening a cache later waits for less. */
export function preload() {
  return loadCore().then(() => undefined);
}
