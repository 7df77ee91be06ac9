// Two pages of one browser profile: writes, invalidations, deletes and clears in one reach the
// other through BroadcastChannel, its memory copies are dropped, and its listeners see the events.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser } from './harness.mjs';

const session = useBrowser();

async function openTab() {
  const page = await session.openPage();
  await page.evaluate(async () => {
    const m = await import('/pkg/index.js');
    window.cache = await m.SmartCache.open({ namespace: 'tabs' });
    window.seen = [];
    window.cache.subscribe((e) => window.seen.push({ ...e, at: Date.now() }));
  });
  return page;
}

/** Waits until the page has seen an event of `type` for `key` from the other tab; returns it. */
const waitFor = (page, type, key) =>
  page
    .waitForFunction(
      ([type, key]) => window.seen.find((e) => e.type === type && e.key === key && (type !== 'set' || e.remote)),
      [type, key],
      { timeout: 2000 },
    )
    .then((h) => h.jsonValue());

test('two pages see each other’s writes, invalidations, deletes and clears within 200 ms', async () => {
  const a = await openTab();
  const b = await openTab();

  // A write in B replaces A's copy.
  await a.evaluate(() => window.cache.set('company:42', { version: 'a' }));
  let sentAt = await b.evaluate(async () => {
    await window.cache.set('company:42', { version: 'b' }, { dependsOn: ['payment:7'] });
    return Date.now();
  });
  const setEvent = await waitFor(a, 'set', 'company:42');
  assert.equal(setEvent.remote, true);
  assert.ok(setEvent.at - sentAt <= 200, `set arrived after ${setEvent.at - sentAt} ms`);
  console.log(`cross-tab set arrived after ${setEvent.at - sentAt} ms`);
  assert.equal(await a.evaluate(() => window.cache.peek('company:42')), undefined, 'the stale memory copy is gone');
  assert.deepEqual(await a.evaluate(() => window.cache.get('company:42')), { version: 'b' });

  // An invalidation in B removes what A holds in memory.
  assert.deepEqual(await a.evaluate(() => window.cache.peek('company:42')), { version: 'b' });
  sentAt = await b.evaluate(async () => {
    await window.cache.invalidate('payment:7');
    return Date.now();
  });
  const invalidation = await waitFor(a, 'invalidate', 'payment:7');
  assert.deepEqual(invalidation.removed, ['company:42']);
  assert.ok(invalidation.at - sentAt <= 200, `invalidation arrived after ${invalidation.at - sentAt} ms`);
  console.log(`cross-tab invalidation arrived after ${invalidation.at - sentAt} ms`);
  assert.equal(await a.evaluate(() => window.cache.peek('company:42')), undefined);
  assert.equal(await a.evaluate(() => window.cache.get('company:42')), undefined);

  // Deletes and clears too.
  await a.evaluate(async () => {
    await window.cache.set('x', 1);
    await window.cache.set('y', 2);
  });
  await waitFor(b, 'set', 'y');
  await a.evaluate(() => window.cache.delete('x'));
  await waitFor(b, 'delete', 'x');
  assert.equal(await b.evaluate(() => window.cache.get('x')), undefined);
  assert.equal(await b.evaluate(() => window.cache.get('y')), 2);
  await b.evaluate(() => window.cache.clear());
  await a.waitForFunction(() => window.seen.some((e) => e.type === 'clear'));
  assert.equal(await a.evaluate(() => window.cache.peek('y')), undefined);
  assert.equal(await a.evaluate(() => window.cache.entries().length), 0);
  await a.close();
  await b.close();
});
