// Issue 8, part 5: bookkeeping is bounded by live entries and loads in flight. 10⁵ set/delete
// cycles with a ttl, and 10⁵ invalidations while one getOrLoad never settles, leave the wasm
// core's memory within 1 MiB of where it started (after a warm-up that sizes its allocator).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, inPage } from './harness.mjs';

const session = useBrowser();
const MIB = 1 << 20;

test('10⁵ ttl set/delete cycles and 10⁵ invalidations under a never-settling load stay within 1 MiB', async () => {
  const page = await session.openPage();
  const result = await inPage(page, async (m) => {
    const { wasmMemoryBytes } = await import('/pkg/lib/wasm.js');
    const cache = await m.SmartCache.open({ namespace: 'bounded', crossTab: false });
    const cycles = async (n, from) => {
      for (let i = from; i < from + n; i++) {
        await cache.set(`k:${i}`, { i }, { ttlMs: 3_600_000 });
        await cache.delete(`k:${i}`);
      }
    };
    await cycles(5_000, 0);
    const start = await wasmMemoryBytes();
    await cycles(100_000, 5_000);
    const afterTtl = await wasmMemoryBytes();
    cache.getOrLoad('never', () => new Promise(() => {})).catch(() => {});
    for (let i = 0; i < 100_000; i++) await cache.invalidate(`name:${i}`);
    const afterInvalidations = await wasmMemoryBytes();
    return { start, afterTtl, afterInvalidations };
  });
  console.log(`wasm memory: ${result.start} -> ${result.afterTtl} (ttl cycles) -> ${result.afterInvalidations} (invalidations)`);
  assert.ok(result.afterTtl - result.start <= MIB, `ttl cycles grew ${result.afterTtl - result.start} bytes`);
  assert.ok(result.afterInvalidations - result.start <= MIB, `invalidations grew ${result.afterInvalidations - result.start} bytes`);
  await page.close();
});
