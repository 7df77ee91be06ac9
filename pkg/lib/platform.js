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

const utf8 = new TextEncoder();

/** The localStorage keys that start with `prefix`; throws what localStorage throws. */
function keysStartingWith(prefix) {
  const storage = globalThis.localStorage;
  const found = [];
  for (let i = 0; i < storage.length; i++) {
    const key = storage.key(i);
    if (key !== null && key.startsWith(prefix)) found.push(key);
  }
  return found;
}

/** Every localStorage key starting with `prefix`, with its value's length and first `units`
 *  units: `[keys, heads, lengths]`, where `keys` is each key followed by a NUL, in UTF-8 (a lone
 *  surrogate as U+FFFD: one unit still), `heads` the heads one after another (`unitsOf`: valid
 *  until its next call, and the core copies them at once), and `lengths` a Uint32Array of three
 *  an entry (the key's units, the value's, the head's). Nothing when localStorage is refused.
 *  This runs once, cold, mostly in V8's interpreter: the heads are joined into one string and
 *  copied in one loop (a loop per head over the values, external strings, cost more; so did the
 *  browser's UTF-8 of them, decoded in wasm), and the browser encodes the keys (wasm-bindgen's
 *  copy of a string is a loop in JavaScript too). An open over 1,000 entries after the wasm had
 *  loaded took 13.5 and 13.6 ms against 14.9 and 16.0 before (medians of 10 loads, two probes). */
export function readStorageHeads(prefix, units) {
  const keys = [];
  const heads = [];
  const lengths = [];
  try {
    for (const key of keysStartingWith(prefix)) {
      const value = globalThis.localStorage.getItem(key);
      if (value === null) continue;
      const head = Math.min(units, value.length);
      keys.push(key);
      heads.push(head === value.length ? value : value.slice(0, head));
      lengths.push(key.length, value.length, head);
    }
  } catch {
    // Refused or gone: the cache does without what it held.
    return [new Uint8Array(0), new Uint16Array(0), new Uint32Array(0)];
  }
  keys.push('');
  return [utf8.encode(keys.join('\0')), unitsOf(heads.join('')), Uint32Array.from(lengths)];
}

/** The localStorage keys that start with `prefix` but not with `kept`; none when refused. */
export function storageKeysBut(prefix, kept) {
  try {
    return keysStartingWith(prefix).filter((key) => !key.startsWith(kept));
  } catch {
    // Refused or gone: nothing to purge.
    return [];
  }
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
 *  (the core copies it at once; one reused buffer saves an allocation a read): how packed text
 *  reaches the core (a string would cross as UTF-8, which costs more to make and to read). */
export function unitsOf(text, count = text.length) {
  if (scratch.length < count) scratch = new Uint16Array(Math.max(count, 2 * scratch.length));
  if (count > FLATTEN_ABOVE && 2 * count > text.length) {
    // A concatenation, which the engine flattens into a string of its own at the first read.
    const flat = ` ${text}`;
    for (let i = 0; i < count; i++) scratch[i] = flat.charCodeAt(i + 1);
  } else {
    for (let i = 0; i < count; i++) scratch[i] = text.charCodeAt(i);
  }
  return scratch.subarray(0, count);
}

const ENTRIES = 'entries';
const JOURNAL = 'journal';
const INFO = 'info';
/** 2: one record an entry and a journal (1 kept metadata and payloads in two stores). */
const SCHEMA = 2;

/** A request's result. */
function result(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

/** Asks IndexedDB for the database `name` (`openDatabase`'s request: creating it, dropping an
 *  older schema's stores). */
function requestOpen(name) {
  // Throws where there is no IndexedDB or it is refused.
  const request = globalThis.indexedDB.open(name, SCHEMA);
  request.onupgradeneeded = () => {
    const db = request.result;
    for (const store of [...db.objectStoreNames]) db.deleteObjectStore(store);
    db.createObjectStore(ENTRIES);
    db.createObjectStore(JOURNAL, { autoIncrement: true });
    db.createObjectStore(INFO);
  };
  return request;
}

/** Open requests made ahead of the core (`askForDatabase`), by name, until its `openDatabase`
 *  of that name takes one over: `{ request, state, created }`, where `state` is 'pending',
 *  'open', 'failed' or 'lost' (another page closed the connection). */
const askedAhead = new Map();

/** Asks for the database `name` now, for the core's `openDatabase(name)` to take the request
 *  over once the wasm has loaded: in a new tab, IndexedDB takes 15-20 ms to open, which then pass
 *  while the wasm downloads and compiles. Returns what to call once the core has opened: it
 *  closes the connection if the core did not take it (it refused the options), and deletes the
 *  database if this request created it. Until then, another page's upgrade or deletion closes
 *  the connection, and the core opens anew. */
export function askForDatabase(name) {
  if (askedAhead.has(name)) return () => {};
  let request;
  try {
    request = requestOpen(name);
  } catch {
    return () => {}; // refused: the core's own open reports it
  }
  const ahead = { request, state: 'pending', created: false };
  request.addEventListener('upgradeneeded', (event) => {
    ahead.created = event.oldVersion === 0;
  });
  // (readyState is 'done' during an upgrade already: the state says when it has opened.)
  request.onsuccess = () => {
    ahead.state = 'open';
    request.result.onversionchange = () => {
      ahead.state = 'lost';
      request.result.close();
    };
  };
  request.onerror = () => {
    ahead.state = 'failed';
  };
  askedAhead.set(name, ahead);
  return () => {
    if (askedAhead.get(name) !== ahead) return;
    askedAhead.delete(name);
    const drop = () => {
      request.result.close();
      if (ahead.created) globalThis.indexedDB.deleteDatabase(name);
    };
    if (ahead.state === 'open') drop();
    else if (ahead.state === 'pending') request.onsuccess = drop;
  };
}

/** What `askForDatabase` asked for `name`, unless another page has since closed its
 *  connection; it is no longer kept for anyone else. */
function takeAhead(name) {
  const ahead = askedAhead.get(name);
  askedAhead.delete(name);
  return ahead?.state === 'lost' ? undefined : ahead;
}

/** Opens (creating) the database `name`: one per namespace and version, with an `entries` store
 *  (per key, `[metadata record, payload envelope]`: one write an entry), a `journal` store (what
 *  each batch changed, in the order they committed: how start-up learns what is stored without
 *  reading the entries) and an `info` store (the cache version the data was written under). An
 *  older schema's stores are dropped: it is a cache. Takes over the request `askForDatabase`
 *  made, if any. Rejects when IndexedDB is missing or refuses, or after `timeoutMs` (another
 *  page keeps it blocked; a connection that opens later is closed at once). `onLost` is called
 *  once if another page deletes or upgrades the database: the connection is closed first, so
 *  this cache never blocks them. */
export function openDatabase(name, timeoutMs, onLost) {
  return new Promise((resolve, reject) => {
    const ahead = takeAhead(name);
    const request = ahead?.request ?? requestOpen(name);
    let settled = false;
    const timer = setTimeout(() => {
      settled = true;
      reject(new Error(`did not open within ${timeoutMs} ms (blocked?)`));
    }, timeoutMs);
    const succeeded = () => {
      clearTimeout(timer);
      if (settled) request.result.close();
      else resolve(new Database(request.result, onLost));
      settled = true;
    };
    const failed = () => {
      clearTimeout(timer);
      if (!settled) reject(request.error);
      settled = true;
    };
    if (ahead?.state === 'open') succeeded();
    else if (ahead?.state === 'failed') failed();
    else {
      request.onsuccess = succeeded;
      request.onerror = failed;
    }
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
  #run(stores, mode, body) {
    const tx = this.#transaction(stores, mode);
    return runIn(tx, committedOf(tx), body);
  }

  #transaction(stores, mode) {
    if (this.#db === null) throw new DOMException('the connection was closed', 'InvalidStateError');
    return this.#db.transaction(stores, mode);
  }

  /** A batch of writes begun before its `apply`: `add` puts a new entry's record at once, so
   *  that the database writes while the page goes on making the tick's other writes; `apply`
   *  then completes the batch in the same transaction. Throws when the connection was closed. */
  begin() {
    return new WriteBatch(this.#transaction([ENTRIES, JOURNAL], 'readwrite'));
  }

  /** Hands every journal chunk, in the order appended, to `compact`, which answers a chunk to
   *  rewrite them as (or undefined to leave them), in one transaction that first empties the
   *  database when it was written under another cache `version` (and then calls nothing). Where
   *  a chunk did not decode, `compact` answers the keys the journal still names, and is called
   *  again with the other stored keys and their metadata: its answer then is the rewrite. */
  loadMeta(version, compact) {
    return this.#run([ENTRIES, JOURNAL, INFO], 'readwrite', async (tx) => {
      const journal = tx.objectStore(JOURNAL);
      const info = tx.objectStore(INFO);
      if ((await result(info.get('version'))) === version) {
        let rewrite = compact(await result(journal.getAll()));
        if (Array.isArray(rewrite)) {
          // A chunk did not decode (its answer: the keys the journal still names): the entries
          // stored under the other keys give their metadata from their own records.
          const named = new Set(rewrite);
          const lost = (await result(tx.objectStore(ENTRIES).getAllKeys())).filter((key) => !named.has(key));
          const records = await eachRecord(tx.objectStore(ENTRIES), lost);
          rewrite = compact(lost, records.map((record) => part(record, 0)));
        }
        if (rewrite !== undefined) {
          journal.clear();
          journal.put(rewrite);
        }
        return;
      }
      tx.objectStore(ENTRIES).clear();
      journal.clear();
      info.put(version, 'version');
    });
  }

  /** A batch in one transaction, compare-and-set on what is stored: `clear` empties the database
   *  first; then the metadata stored under `keys` goes to `decide`, which answers `[actions,
   *  chunk]`: per key 1 (write `[metas[i], payloads[i]]`), 2 (remove) or 0 (leave: another tab
   *  wrote later), and the journal chunk of what it did (undefined for nothing). Resolves to the
   *  chunk's key in the journal, or 0. With a `batch` (`begin`), in its transaction, after its
   *  adds: where `early[i]` is 1, the last write of `keys[i]` is one the batch added (it holds
   *  the records; `metas[i]` and `payloads[i]` are undefined), and where that add found the key
   *  free it is done (`decide` sees nothing stored). */
  apply(clear, keys, metas, payloads, decide, batch, early) {
    const body = async (tx) => {
      const entries = tx.objectStore(ENTRIES);
      const journal = tx.objectStore(JOURNAL);
      if (clear) {
        entries.clear();
        journal.clear();
      }
      // A key whose last write was added ahead, and found nothing stored, holds it already.
      const done = keys.map((key, i) => early?.[i] === 1 && batch.added(key));
      const stored = await storedOf(entries, keys.filter((_, i) => !done[i]));
      let next = 0;
      const [actions, chunk] = decide(keys.map((_, i) => (done[i] ? undefined : part(stored[next++], 0))));
      for (let i = 0; i < keys.length; i++) {
        if (actions[i] === 1 && !done[i]) entries.put(early?.[i] === 1 ? batch.record(keys[i]) : [metas[i], payloads[i]], keys[i]);
        else if (actions[i] === 2) entries.delete(keys[i]);
      }
      return chunk === undefined ? 0 : result(journal.put(chunk));
    };
    return batch === undefined ? this.#run([ENTRIES, JOURNAL], 'readwrite', body) : batch.complete(body);
  }

  /** The payload envelopes stored under `keys` (undefined where none), from one transaction. */
  readMany(keys) {
    return this.#run([ENTRIES], 'readonly', async (tx) => {
      const records = await eachRecord(tx.objectStore(ENTRIES), keys);
      return records.map((record) => part(record, 1));
    });
  }
}

/** Settles once `tx` has committed; rejects when it fails. */
function committedOf(tx) {
  const committed = new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error ?? new DOMException('the transaction was aborted', 'AbortError'));
  });
  committed.catch(() => {});
  return committed;
}

/** `body(tx)` in the transaction `tx` (`committed`: `committedOf(tx)`), resolved once it has
 *  committed; on any failure nothing of it is kept. */
async function runIn(tx, committed, body) {
  try {
    const value = await body(tx);
    await committed;
    return value;
  } catch (error) {
    abort(tx);
    throw error;
  }
}

/** Aborts `tx` unless it has finished already. */
function abort(tx) {
  try {
    tx.abort();
  } catch {
    // Already finished.
  }
}

/** How long a batch keeps its transaction open for its `apply`. */
const WAIT_LIMIT_MS = 1000;

/** See `Database.begin`. A transaction stays open only while its requests' callbacks run, so
 *  `complete`'s body starts in one: the last add's, or, when it comes later, a callback of the
 *  cheap requests the batch makes until then (none in the usual case: the flush completes the
 *  batch in the task of its adds). */
class WriteBatch {
  #tx;
  #committed;
  #entries;
  /** Per key, whether its last add found the key free (true) or taken (false). */
  #added = new Map();
  #records = new Map();
  #adding = 0;
  #waiting = false;
  #waitingSince = undefined;
  #run = null;

  constructor(tx) {
    this.#tx = tx;
    this.#committed = committedOf(tx);
    this.#entries = tx.objectStore(ENTRIES);
  }

  /** Puts `[meta, payload]` under `key` unless something is stored there: copies of the bytes
   *  (views of the core's memory would clone all of it), as two views of one buffer, which the
   *  clone writes once (2,000 puts of 16 KB values: 462 ms against 495 with two copies, medians
   *  of 7 alternating rounds). */
  add(key, meta, payload) {
    const bytes = new Uint8Array(meta.length + payload.length);
    bytes.set(meta);
    bytes.set(payload, meta.length);
    const record = [bytes.subarray(0, meta.length), bytes.subarray(meta.length)];
    const request = this.#entries.add(record, key);
    this.#records.set(key, record);
    this.#adding += 1;
    request.onsuccess = () => this.#settle(key, true);
    request.onerror = (event) => {
      if (request.error?.name !== 'ConstraintError') return;
      // Taken: `apply` decides on what is stored, as for any other write.
      event.preventDefault();
      event.stopPropagation();
      this.#settle(key, false);
    };
  }

  /** Whether the last add of `key` stored its record. */
  added(key) {
    return this.#added.get(key) === true;
  }

  /** The record of the last add of `key`. */
  record(key) {
    return this.#records.get(key);
  }

  /** `body(tx)` in the batch's transaction after its adds, resolved once it has committed;
   *  rejects when the transaction fails, before the body or after. */
  complete(body) {
    return new Promise((resolve, reject) => {
      this.#committed.catch(reject);
      this.#run = () => runIn(this.#tx, this.#committed, body).then(resolve, reject);
      if (this.#adding === 0 && !this.#waiting) this.#next();
    });
  }

  #settle(key, added) {
    this.#added.set(key, added);
    this.#adding -= 1;
    if (this.#adding === 0) this.#next();
  }

  /** Nothing of the batch is kept (its `apply` will not come). */
  abandon() {
    this.#run = null;
    abort(this.#tx);
  }

  /** Runs the body, or keeps the transaction open for it with a cheap request; after
   *  `WAIT_LIMIT_MS` without it, the batch is abandoned (its `apply` then fails, and the
   *  writes are handled as any failed batch's). */
  #next() {
    if (this.#run !== null) {
      const run = this.#run;
      this.#run = null;
      run();
      return;
    }
    const now = performance.now();
    this.#waitingSince ??= now;
    if (now - this.#waitingSince > WAIT_LIMIT_MS) return this.abandon();
    this.#waiting = true;
    this.#tx.objectStore(JOURNAL).count(0).onsuccess = () => this.#next();
  }
}

/** Batches of at least this many keys first ask which of them are stored at all. */
const PROBE_FROM = 32;

/** The records stored under `keys` (undefined where none). A large batch first reads the keys
 *  stored between its least and greatest (up to four times its own count: the keys alone, which
 *  cost little), and then reads only the records there are; a batch of new entries reads none. */
async function storedOf(entries, keys) {
  if (keys.length < PROBE_FROM) return eachRecord(entries, keys);
  let [least, greatest] = [keys[0], keys[0]];
  for (const key of keys) {
    if (key < least) least = key;
    else if (key > greatest) greatest = key;
  }
  const limit = 4 * keys.length;
  const present = await result(entries.getAllKeys(IDBKeyRange.bound(least, greatest), limit));
  if (present.length === limit) return eachRecord(entries, keys);
  const stored = new Set(present);
  return Promise.all(keys.map((key) => (stored.has(key) ? result(entries.get(key)) : undefined)));
}

/** The records stored under `keys` (undefined where none), a request each. */
function eachRecord(entries, keys) {
  return Promise.all(keys.map((key) => result(entries.get(key))));
}

/** The metadata (0) or payload (1) of a stored entry record; undefined for anything else. */
function part(record, index) {
  return Array.isArray(record) ? record[index] : undefined;
}
