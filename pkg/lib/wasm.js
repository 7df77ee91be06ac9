// Loads the wasm core once, from beside this package (found relative to import.meta.url).
import init from '../wasm/smartcache.js';

export { WasmCache } from '../wasm/smartcache.js';

let ready;
export function loadCore() {
  ready ??= init();
  return ready;
}

/** Bytes of the core's linear memory (it only grows): what the bounded-memory tests watch. */
export async function wasmMemoryBytes() {
  return (await loadCore()).memory.buffer.byteLength;
}
