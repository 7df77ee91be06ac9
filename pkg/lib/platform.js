// What the core asks of the page, carried out in JavaScript where that is the shorter way: the
// start-up read of localStorage in one call (crossing into wasm three times an entry cost more
// than everything else the scan does), and IndexedDB (src/store/idb.rs decides what to write; a
// driver in Rust took a fifth of the wasm). No imports: the wasm-bindgen tests load this file
// on its own.

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
