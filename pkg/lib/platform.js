// What the core asks of the page, carried out in JavaScript where that is the shorter way: the
// start-up read of localStorage in one call (crossing into wasm three times an entry cost more
// than everything else the scan does), stored values as UTF-16 units, and IndexedDB
// (src/store/idb.rs decides what to write; a driver in Rust took a fifth of the wasm). No
// imports: the wasm-bindgen tests load this file on its own.

/** Above this many units, a string read nearly whole is flattened first: Chromium hands
 *  localStorage values (and TextDecoder's results) to JavaScript as external strings, whose
 *  `charCodeAt` is about 4× slower than a flat string's (33,889 units: 560 µs, or 120 µs
 *  flattened). Below it the copy does not pay. */
const FLATTEN_ABOVE = 1024;

/** The first `count` UTF-16 units of `text` into `out` from `at`: how packed text reaches the
 *  core (a string would cross as UTF-8, which costs more to make and to read than this copy). */
function copyUnits(text, count, out, at) {
  if (count > FLATTEN_ABOVE && 2 * count > text.length) {
    // A concatenation, which the engine flattens into a string of its own at the first read.
    const flat = ` ${text}`;
    for (let i = 0; i < count; i++) out[at + i] = flat.charCodeAt(i + 1);
    return;
  }
  for (let i = 0; i < count; i++) out[at + i] = text.charCodeAt(i);
}

/** Every localStorage key starting with `prefix`, with its value's length and first `units`
 *  units: `[keys, heads, lengths]`, where `keys` is each key followed by a NUL, `heads` a
 *  Uint16Array of the heads one after another, and `lengths` a Uint32Array of three an entry
 *  (the key's units, the value's, the head's). Nothing when localStorage is refused. */
export function readStorageHeads(prefix, units) {
  const keys = [];
  const values = [];
  const lengths = [];
  let total = 0;
  try {
    const storage = globalThis.localStorage;
    for (let i = 0; i < storage.length; i++) {
      const key = storage.key(i);
      if (key === null || !key.startsWith(prefix)) continue;
      const value = storage.getItem(key);
      if (value === null) continue;
      const head = Math.min(units, value.length);
      keys.push(key);
      values.push(value);
      lengths.push(key.length, value.length, head);
      total += head;
    }
  } catch {
    // Refused or gone: the cache does without what it held.
    return ['', new Uint16Array(0), new Uint32Array(0)];
  }
  const heads = new Uint16Array(total);
  let at = 0;
  for (let i = 0; i < values.length; i++) {
    const head = lengths[3 * i + 2];
    copyUnits(values[i], head, heads, at);
    at += head;
  }
  keys.push('');
  return [keys.join('\0'), heads, Uint32Array.from(lengths)];
}

/** `[length, units]`: the value of `key`'s length and its first `limit` UTF-16 units (a
 *  Uint16Array, `unitsOf`), or null when there is none or localStorage is refused. */
export function readStoredUnits(key, limit) {
  let value;
  try {
    value = globalThis.localStorage.getItem(key);
  } catch {
    return null;
  }
  if (value === null) return null;
  return [value.length, unitsOf(value, Math.min(limit, value.length))];
}

const utf16 = new TextDecoder('utf-16le', { ignoreBOM: true });

/** The string of the UTF-16 units `units` (packed values: no surrogates), in one decode. */
export function textOfUnits(units) {
  return utf16.decode(units);
}

/** Stores the string of the UTF-16 units `units` (a view into wasm memory, read at once) under
 *  `key`; throws what localStorage throws, a full quota among it. */
export function writeStoredUnits(key, units) {
  globalThis.localStorage.setItem(key, textOfUnits(units));
}

let scratch = new Uint16Array(1024);

/** The first `count` UTF-16 units of `text`, as a Uint16Array that is valid until the next call
 *  (the core copies it at once; one reused buffer saves an allocation a read). */
export function unitsOf(text, count = text.length) {
  if (scratch.length < count) scratch = new Uint16Array(Math.max(count, 2 * scratch.length));
  copyUnits(text, count, scratch, 0);
  return scratch.subarray(0, count);
}

const META = 'meta';
const DATA = 'data';
const INFO = 'info';

/** A request's result. */
function result(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

/** Opens (creating) the database `name`: one per namespace and version, with a `meta` store (each
 *  entry's metadata record), a `data` store (its payload envelope) and an `info` store (the cache
 *  version the data was written under). Rejects when IndexedDB is missing or refuses, or after
 *  `timeoutMs` (another page keeps it blocked; a connection that opens later is closed at once).
 *  `onLost` is called once if another page deletes or upgrades the database: the connection is
 *  closed first, so this cache never blocks them. */
export function openDatabase(name, timeoutMs, onLost) {
  return new Promise((resolve, reject) => {
    // Throws where there is no IndexedDB or it is refused: the promise rejects.
    const request = globalThis.indexedDB.open(name, 1);
    let settled = false;
    const timer = setTimeout(() => {
      settled = true;
      reject(new Error(`did not open within ${timeoutMs} ms (blocked?)`));
    }, timeoutMs);
    request.onupgradeneeded = () => {
      for (const store of [META, DATA, INFO]) {
        if (!request.result.objectStoreNames.contains(store)) request.result.createObjectStore(store);
      }
    };
    request.onsuccess = () => {
      clearTimeout(timer);
      if (settled) request.result.close();
      else resolve(new Database(request.result, onLost));
      settled = true;
    };
    request.onerror = () => {
      clearTimeout(timer);
      if (!settled) reject(request.error);
      settled = true;
    };
  });
}

/** One open database (see `openDatabase`). Every method's failure is a rejection. */
class Database {
  #db;

  constructor(db, onLost) {
    this.#db = db;
    db.onversionchange = () => {
      this.close();
      onLost();
    };
  }

  /** Releases the connection (once its transactions finish). */
  close() {
    if (this.#db === null) return;
    this.#db.onversionchange = null;
    this.#db.close();
    this.#db = null;
  }

  /** `body(transaction)` in one transaction over `stores`, resolved once it has committed; on
   *  any failure nothing of it is kept. */
  async #run(stores, mode, body) {
    if (this.#db === null) throw new DOMException('the connection was closed', 'InvalidStateError');
    const tx = this.#db.transaction(stores, mode);
    const committed = new Promise((resolve, reject) => {
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error ?? new DOMException('the transaction was aborted', 'AbortError'));
    });
    try {
      const value = await body(tx);
      await committed;
      return value;
    } catch (error) {
      committed.catch(() => {});
      try {
        tx.abort();
      } catch {
        // Already finished.
      }
      throw error;
    }
  }

  /** `[keys, records]` of every metadata record, in key order, from one transaction that first
   *  empties the database when it was written under another cache `version`. */
  loadMeta(version) {
    return this.#run([META, DATA, INFO], 'readwrite', async (tx) => {
      const meta = tx.objectStore(META);
      const info = tx.objectStore(INFO);
      if ((await result(info.get('version'))) === version) {
        return Promise.all([result(meta.getAllKeys()), result(meta.getAll())]);
      }
      meta.clear();
      tx.objectStore(DATA).clear();
      info.put(version, 'version');
      return [[], []];
    });
  }

  /** A batch in one transaction, compare-and-set on what is stored: `clear` empties both stores
   *  first; then the metadata stored under `keys` goes to `decide`, which answers per key 1
   *  (write `metas[i]` and `payloads[i]`), 2 (remove) or 0 (leave: another tab wrote later). */
  apply(clear, keys, metas, payloads, decide) {
    return this.#run([META, DATA], 'readwrite', async (tx) => {
      const meta = tx.objectStore(META);
      const data = tx.objectStore(DATA);
      if (clear) {
        meta.clear();
        data.clear();
      }
      const actions = decide(await Promise.all(keys.map((key) => result(meta.get(key)))));
      for (let i = 0; i < keys.length; i++) {
        if (actions[i] === 1) {
          meta.put(metas[i], keys[i]);
          data.put(payloads[i], keys[i]);
        } else if (actions[i] === 2) {
          meta.delete(keys[i]);
          data.delete(keys[i]);
        }
      }
    });
  }

  /** The payload envelopes stored under `keys` (undefined where none), from one transaction. */
  readMany(keys) {
    return this.#run([DATA], 'readonly', (tx) => {
      const data = tx.objectStore(DATA);
      return Promise.all(keys.map((key) => result(data.get(key))));
    });
  }
}
