// The short soak of `make test` (the long one is `make soak`): 30,000 mixed operations over
// three tabs with a reload every 10,000, every read checked against the model of
// bench/soak/run.mjs: no stale read, no budget broken.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { soak } from '../../bench/soak/run.mjs';

test('soak: 30,000 operations in 3 tabs, reloads every 10,000: no stale read, budgets held', async () => {
  const result = await soak({ operations: 30_000, tabs: 3, reloadEvery: 10_000, seed: 7 });
  console.log(`soak: ${result.operations} operations, ${result.reloads} reloads, ${result.seconds} s, max wasm ${result.maxWasmBytes} B, max heap ${result.maxHeapBytes} B`);
  assert.equal(result.staleReads, 0, JSON.stringify(result.firstStale));
  assert.equal(result.budgetsBroken, 0, JSON.stringify(result.firstBudgetBroken));
  assert.ok(result.reloads >= 2);
  assert.ok(result.maxWasmBytes < 16 * 1024 * 1024, `wasm memory ${result.maxWasmBytes}`);
});
