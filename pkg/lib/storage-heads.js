// The core's start-up read of localStorage, in one call: crossing into wasm three times an entry
// (key, value, head) cost more than everything else the start-up scan does. No imports: the
// wasm-bindgen tests load this file on its own.

/** Every localStorage key starting with `prefix`, with its value's length and first `units`
 *  units: `[text, lengths]`, where `text` is each key and head followed by a NUL (so that no
 *  surrogate pairs across them) and `lengths` a Uint32Array of three an entry (the key's units,
 *  the value's, the head's). Nothing when localStorage is refused. */
export function readStorageHeads(prefix, units) {
  const parts = [];
  const lengths = [];
  try {
    const storage = globalThis.localStorage;
    for (let i = 0; i < storage.length; i++) {
      const key = storage.key(i);
      if (key === null || !key.startsWith(prefix)) continue;
      const value = storage.getItem(key);
      if (value === null) continue;
      const head = value.length > units ? value.slice(0, units) : value;
      parts.push(key, head);
      lengths.push(key.length, value.length, head.length);
    }
  } catch {
    // Refused or gone: the cache does without what it held.
    return ['', new Uint32Array(0)];
  }
  parts.push('');
  return [parts.join('\0'), Uint32Array.from(lengths)];
}
