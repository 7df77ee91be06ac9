// What a person does on the demo page: open a company (slow API), open it again (cache hit),
// replay a Zipf session, and read the live stats.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { useBrowser } from './harness.mjs';

const session = useBrowser();

const stat = (page, name) => page.locator(`[data-stat="${name}"]`).textContent();

test('a second visit to a company is served from the cache, and stats show it', async () => {
  const page = await session.openPage('/www/');
  await page.waitForSelector('body[data-ready="true"]');

  await page.click('button[data-company="3"]');
  await page.waitForSelector('#timing.miss');
  assert.match(await page.textContent('#company'), /#3/);

  await page.click('button[data-company="3"]');
  await page.waitForSelector('#timing.hit');
  const hitText = await page.textContent('#timing');
  const hitMs = Number(/([\d.]+) ms/.exec(hitText)[1]);
  assert.ok(hitMs < 100, `a cache hit took ${hitMs} ms`);
  await page.waitForFunction(() => document.querySelector('[data-stat="hits"]').textContent === '1');
  assert.equal(await stat(page, 'API requests'), '1');

  // Recording a payment invalidates the payments list and the company page built from it.
  await page.click('#record');
  await page.waitForFunction(() => document.querySelector('#events').textContent.includes('invalidate payments:company:3 → removed company:3'));
  await page.click('button[data-company="3"]');
  await page.waitForSelector('#timing.miss');
  assert.equal(await stat(page, 'API requests'), '2');

  await page.click('#replay');
  await page.waitForFunction(() => Number(document.querySelector('[data-stat="hits"]').textContent) > 1000, null, { timeout: 20_000 });
  const rate = parseFloat(await stat(page, 'hit rate'));
  assert.ok(rate > 50, `hit rate ${rate} %`);
  assert.match(await page.textContent('#events'), /hit company:/);
  assert.ok(Number(await stat(page, 'localStorage entries')) > 0);
  await page.screenshot({ fullPage: true, path: fileURLToPath(new URL('../../target/demo.png', import.meta.url)) });
});
