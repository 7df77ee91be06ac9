// The in-page half of the soak (bench/soak/run.mjs): opens the cache and carries out batches of
// operations the runner generated, answering what each read returned, so that the runner can
// check it against its model.
import { SmartCache } from '/pkg/index.js';
import { wasmMemoryBytes } from '/pkg/lib/wasm.js';

/** Budgets small enough that every tier evicts and demotes during the run. */
export const OPTIONS = {
  namespace: 'soak',
  memoryBytes: 512 * 1024,
  localStorageBytes: 256 * 1024,
  indexedDbBytes: 4 * 1024 * 1024,
  largeEntryBytes: 4 * 1024,
};

let cache;

export async function open() {
  cache = await SmartCache.open(OPTIONS);
  return true;
}

const value = (key, version, size) => ({ key, version, pad: 'x'.repeat(size) });
const versionOf = (found) => (found === undefined ? null : found.version);

/** Runs `ops` in order; returns one answer per op (a version, null for a miss, or a load flag). */
export async function runBatch(ops) {
  const answers = [];
  for (const op of ops) {
    switch (op.type) {
      case 'set':
        await cache.set(op.key, value(op.key, op.version, op.size), op.group ? { dependsOn: [op.group] } : undefined);
        answers.push(null);
        break;
      case 'get':
        answers.push(versionOf(await cache.get(op.key)));
        break;
      case 'peek':
        answers.push(versionOf(cache.peek(op.key)));
        break;
      case 'load': {
        let loaded = false;
        const got = await cache.getOrLoad(
          op.key,
          async () => {
            loaded = true;
            return value(op.key, op.version, op.size);
          },
          op.group ? { dependsOn: [op.group] } : undefined,
        );
        answers.push({ version: got.version, loaded });
        break;
      }
      case 'invalidate':
        answers.push(await cache.invalidate(op.key));
        break;
      case 'delete':
        answers.push(await cache.delete(op.key));
        break;
      default:
        throw new Error(`unknown op ${op.type}`);
    }
  }
  return answers;
}

/** Budgets as the cache counts them and as localStorage holds them, and memory in use. */
export async function measure() {
  globalThis.gc?.();
  const stats = cache.stats();
  let localUnits = 0;
  for (let i = 0; i < localStorage.length; i++) {
    const key = localStorage.key(i);
    if (key.startsWith('smartcache:4:soak:')) localUnits += key.length + localStorage.getItem(key).length;
  }
  return {
    memory: stats.memory.bytes,
    local: stats.local.bytes,
    localStored: 2 * localUnits,
    indexeddb: stats.indexeddb.bytes,
    faults: stats.faults,
    wasm: await wasmMemoryBytes(),
    heap: performance.memory?.usedJSHeapSize ?? 0,
  };
}
