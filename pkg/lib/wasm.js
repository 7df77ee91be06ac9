// Loads the wasm core once, from beside this package (found relative to import.meta.url).
import init from '../wasm/smartcache.js';

export { WasmCache } from '../wasm/smartcache.js';

let ready;
/** The core, fetched and compiled once; a failed load is tried again by the next call. */
export function loadCore() {
  ready ??= init().catch((error) => {
    ready = undefined;
    throw error;
  });
  return ready;
}

// Fetching and compiling start at import in a page, so that opening a cache later waits for
// less; a failure here is reported by the open that needs the core.
if (typeof window !== 'undefined' && typeof WebAssembly === 'object') loadCore().catch(() => {});

/** Bytes of the core's linear memory (it only grows): what the bounded-memory tests watch. (Its
 *  export has a short name, as all the shipped wasm's have: scripts/minify-wasm-names.mjs.) */
export async function wasmMemoryBytes() {
  const memory = Object.values(await loadCore()).find((value) => value instanceof WebAssembly.Memory);
  return memory.buffer.byteLength;
}
