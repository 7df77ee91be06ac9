// Predictive preloading in real Chromium: the predictor learns company -> payments on a few
// companies and, on a first visit to a new one, preloads its payments in idle time, so that the
// read is a hit with no second loader call; a read during the preload joins it; saveData, a hidden
// page, a slow connection and the budgets hold preloads back; unused guesses pause it and shadow
// guesses that come true resume it; the model survives a reload, and a damaged one is ignored
// with a fault. saveData and the connection are emulated through the DevTools protocol; a hidden
// page is emulated in the page, since headless Chromium never hides one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inPage, useBrowser } from './harness.mjs';

const session = useBrowser();

/** Installed in the page: a cache of `namespace` with loaders that count their calls. */
const setUp = async (m, { namespace, predict, delayMs = 0 }) => {
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  const calls = [];
  let inFlight = 0;
  let mostInFlight = 0;
  const signals = {};
  const load = async (key, { signal }) => {
    calls.push(key);
    signals[key] = signal;
    inFlight += 1;
    mostInFlight = Math.max(mostInFlight, inFlight);
    try {
      await sleep(delayMs);
      signal.throwIfAborted();
      return { key, rows: Array.from({ length: 20 }, (_, i) => ({ i, amount: i * 10 })) };
    } finally {
      inFlight -= 1;
    }
  };
  const cache = await m.SmartCache.open({ namespace, predict });
  for (const prefix of ['companies', 'company:', 'payments:', 'contacts:', 'notes:']) cache.registerLoader(prefix, load);
  const events = [];
  cache.subscribe((e) => (e.type === 'prefetch' || e.type === 'load') && events.push(e));
  const waitFor = async (check, ms = 3_000) => {
    const until = performance.now() + ms;
    while (!check()) {
      if (performance.now() > until) return false;
      await sleep(10);
    }
    return true;
  };
  /** A visit: the keys read one after another, as pages read them. */
  const visit = async (...keys) => {
    for (const key of keys) await cache.getOrLoad(key);
  };
  /** Lets idle callbacks and the preloads they start run. */
  const settle = async () => {
    await sleep(150);
    await waitFor(() => inFlight === 0);
  };
  const resetMost = () => (mostInFlight = inFlight);
  window.t = { cache, calls, events, signals, waitFor, visit, settle, sleep, most: () => mostInFlight, resetMost };
};

async function openWith(options) {
  const page = await session.openPage();
  await inPage(page, (m, [source, options]) => new Function(`return ${source}`)()(m, options), [setUp.toString(), options]);
  return page;
}

const train = `for (const id of [1, 2, 3]) await t.visit('companies', 'company:' + id, 'payments:company:' + id);`;
const run = (page, body) => page.evaluate(new Function(`return (async () => { ${body} })()`));

test('after a few visits, a first visit to a new company preloads its payments in idle time and the read is a hit', async () => {
  const page = await openWith({ namespace: 'predict-first', predict: true });
  const result = await run(page, `${train}
    await t.settle();
    const before = t.cache.stats().prefetched;
    await t.visit('companies', 'company:99');
    const preloadedAtOnce = t.cache.stats().prefetched > before;
    const preloaded = await t.waitFor(() => t.cache.stats().prefetched > before);
    const callsBefore = t.calls.filter((k) => k === 'payments:company:99').length;
    const hit = t.cache.peek('payments:company:99');
    const value = await t.cache.getOrLoad('payments:company:99');
    return {
      preloadedAtOnce, preloaded, callsBefore, hit: hit?.key, value: value.key,
      calls: t.calls.filter((k) => k === 'payments:company:99').length,
      prefetch: t.events.filter((e) => e.type === 'prefetch').map(({ key, reason, probability }) => ({ key, reason, probability })),
      load: t.events.find((e) => e.type === 'load' && e.key === 'payments:company:99'),
      stats: t.cache.stats(),
    };`);
  assert.equal(result.preloadedAtOnce, false, 'the preload waits for an idle moment');
  assert.ok(result.preloaded, 'preloaded');
  assert.equal(result.callsBefore, 1, 'the preload called the loader once');
  assert.equal(result.hit, 'payments:company:99', 'in memory before it was asked for');
  assert.equal(result.value, 'payments:company:99');
  assert.equal(result.calls, 1, 'no second loader call');
  const { probability, ...prefetch } = result.prefetch.at(-1);
  assert.deepEqual(prefetch, { key: 'payments:company:99', reason: 'predicted' });
  assert.ok(probability >= 0.5 && probability < 1, `3 of 3 visits, with room for the unseen: ${probability}`);
  assert.equal(result.load.prefetch, true);
  assert.equal(result.stats.prefetchHits >= 1, true);
  assert.equal(result.stats.predict.mode, 'on');
  assert.equal(result.stats.predict.wastedBytes, 0, 'every preload was read');
  assert.ok(result.stats.predict.used >= 1 && result.stats.predict.precision > 0.5, JSON.stringify(result.stats.predict));
  assert.ok(result.stats.predict.coverage > 0);
  await page.close();
});

test('a read while the preload is under way joins it: one loader call', async () => {
  const page = await openWith({ namespace: 'predict-join', predict: true, delayMs: 300 });
  const result = await run(page, `${train}
    await t.settle();
    await t.visit('companies', 'company:50');
    await t.waitFor(() => t.calls.includes('payments:company:50'));
    const value = await t.cache.getOrLoad('payments:company:50');
    return { value: value.key, calls: t.calls.filter((k) => k === 'payments:company:50').length, stats: t.cache.stats() };`);
  assert.equal(result.value, 'payments:company:50');
  assert.equal(result.calls, 1);
  assert.equal(result.stats.prefetchHits, 1);
  assert.equal(result.stats.predict.wastedBytes, 0);
  await page.close();
});

test('saveData, a hidden page and a slow connection hold preloads back; going offline cancels one under way', async () => {
  const page = await openWith({ namespace: 'predict-held', predict: true, delayMs: 200 });
  const cdp = await page.context().newCDPSession(page);
  // Half the visits go on to payments, half to contacts: each guess has probability 0.5.
  await run(page, `for (const id of [1, 2, 3, 4, 5, 6]) await t.visit('companies', 'company:' + id, (id % 2 ? 'payments' : 'contacts') + ':company:' + id);
    await t.settle();`);
  // A visit that goes on to one of the two tabs, as before: the odds stay even.
  const preloadsAfterVisit = (id) => run(page, `const before = t.calls.length;
    await t.visit('companies', 'company:${id}');
    await t.settle();
    const preloaded = t.calls.slice(before).filter((k) => k !== 'company:${id}').sort();
    await t.visit('${id % 2 ? 'payments' : 'contacts'}:company:${id}');
    return preloaded;`);

  await cdp.send('Emulation.setDataSaverOverride', { dataSaverEnabled: true });
  assert.deepEqual(await preloadsAfterVisit(100), [], 'saveData');
  await cdp.send('Emulation.setDataSaverOverride', { dataSaverEnabled: false });

  await run(page, `Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' });
    document.dispatchEvent(new Event('visibilitychange'));`);
  assert.deepEqual(await preloadsAfterVisit(101), [], 'hidden');
  await run(page, `delete document.visibilityState; document.dispatchEvent(new Event('visibilitychange'));`);

  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 1_500, downloadThroughput: 8_000, uploadThroughput: 8_000 });
  assert.equal(await page.evaluate(() => navigator.connection.effectiveType), '2g');
  assert.deepEqual(await preloadsAfterVisit(102), [], 'a guess of 0.5 is not enough on 2G');
  await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });

  assert.deepEqual(await preloadsAfterVisit(103), ['contacts:company:103', 'payments:company:103'], 'both guesses on a fast connection');

  // Offline while a preload runs: its signal aborts and nothing is stored.
  const started = await run(page, `await t.visit('companies', 'company:104');
    return t.waitFor(() => t.calls.includes('payments:company:104'));`);
  assert.ok(started);
  await page.context().setOffline(true);
  const cancelled = await run(page, `await t.settle();
    return { aborted: t.signals['payments:company:104'].aborted, reason: t.signals['payments:company:104'].reason?.name,
      stored: await t.cache.has('payments:company:104') };`);
  await page.context().setOffline(false);
  assert.deepEqual(cancelled, { aborted: true, reason: 'AbortError', stored: false });
  await page.close();
});

test('maxConcurrent and bytesPerMinute hold', async () => {
  const page = await openWith({ namespace: 'predict-limits', predict: { maxConcurrent: 1, maxPerTrigger: 3, threshold: 0.2 }, delayMs: 100 });
  // From the list, a company leads to its payments, contacts or notes alike: three guesses of 1/4
  // each (3 of 9 visits, room kept for the unseen), above the threshold of 0.2 asked for.
  const kinds = ['payments', 'contacts', 'notes'];
  const result = await run(page, `for (let id = 1; id <= 9; id++) await t.visit('companies', 'company:' + id, ${JSON.stringify(kinds)}[id % 3] + ':company:' + id);
    await t.settle();
    const before = t.calls.length;
    await t.visit('companies', 'company:77');
    t.resetMost();
    await t.sleep(300);
    await t.settle();
    await t.settle();
    return { preloaded: t.calls.slice(before).filter((k) => k !== 'company:77').sort(), most: t.most() };`);
  assert.deepEqual(result.preloaded, ['contacts:company:77', 'notes:company:77', 'payments:company:77'], 'three guesses, one after another');
  assert.equal(result.most, 1, 'never two loads at once');
  await page.close();

  const budget = await openWith({ namespace: 'predict-bytes', predict: { bytesPerMinute: 1, maxPerTrigger: 3 } });
  // Every guess is read at once (joined or already loading): nothing is preloaded while it learns.
  const spent = await run(budget, `${train}
    await t.settle();
    const first = t.cache.stats().prefetched;
    await t.visit('companies', 'company:78');
    await t.settle();
    await t.visit('companies', 'company:79');
    await t.settle();
    return { first, after: t.cache.stats().prefetched };`);
  assert.equal(spent.after - spent.first, 1, 'one preload, then the minute\'s bytes are spent');
  await budget.close();
});

test('unused guesses pause preloading; shadow guesses that come true resume it; shadow mode loads nothing', async () => {
  const page = await openWith({ namespace: 'predict-pause', predict: true });
  // The payments are invalidated before the user reads them: every preload is wasted, while the
  // model goes on being right about what is read next.
  const paused = await run(page, `${train}
    await t.settle();
    let id = 100;
    const round = async () => {
      await t.visit('companies', 'company:' + ++id);
      await t.settle();
      await t.cache.invalidatePrefix('payments:');
      await t.visit('payments:company:' + id);
    };
    while (t.cache.stats().predict.mode === 'on' && id < 200) await round();
    const atPause = t.cache.stats();
    await round();
    const whilePaused = t.cache.stats();
    let visits = 1;
    while (t.cache.stats().predict.mode === 'paused' && visits < 60) {
      visits += 1;
      await round();
    }
    return { atPause: atPause.predict, prefetchedAtPause: atPause.prefetched, whilePaused: whilePaused.predict,
      prefetchedWhilePaused: whilePaused.prefetched, visits, mode: t.cache.stats().predict.mode };`);
  assert.equal(paused.atPause.mode, 'paused', JSON.stringify(paused.atPause));
  assert.ok(paused.atPause.issued >= 50, JSON.stringify(paused.atPause));
  assert.ok(paused.atPause.wastedBytes > 0);
  assert.equal(paused.prefetchedWhilePaused, paused.prefetchedAtPause, 'paused: nothing loads');
  assert.equal(paused.whilePaused.issued, paused.atPause.issued + 1, 'but it goes on guessing');
  assert.equal(paused.mode, 'on', `resumed after ${paused.visits} visits`);
  assert.equal(paused.visits, 20, 'each shadow guess came true: 20 of them resume it');
  await page.close();

  const shadow = await openWith({ namespace: 'predict-shadow', predict: 'shadow' });
  const result = await run(shadow, `${train}
    await t.visit('companies', 'company:9');
    await t.settle();
    const loadedAhead = t.calls.includes('payments:company:9');
    await t.visit('payments:company:9');
    return { loadedAhead, stats: t.cache.stats() };`);
  assert.equal(result.loadedAhead, false);
  assert.equal(result.stats.prefetched, 0);
  assert.equal(result.stats.predict.mode, 'shadow');
  assert.ok(result.stats.predict.issued >= 1 && result.stats.predict.used >= 1, JSON.stringify(result.stats.predict));
  await shadow.close();
});

test('the model survives a reload; a damaged one is ignored with a fault', async () => {
  const page = await openWith({ namespace: 'predict-reload', predict: true });
  const saved = await run(page, `${train}
    await t.cache.close();
    return Object.keys(localStorage).filter((k) => k.startsWith('smartcache-predict:') && k.endsWith(':predict-reload'));`);
  assert.deepEqual(saved, ['smartcache-predict:14:predict-reload']);
  await page.reload();
  await inPage(page, (m, [source, options]) => new Function(`return ${source}`)()(m, options), [setUp.toString(), { namespace: 'predict-reload', predict: true }]);
  const reloaded = await run(page, `await t.visit('companies', 'company:31');
    await t.settle();
    const stats = t.cache.stats();
    await t.cache.close();
    return { preloaded: t.calls.includes('payments:company:31'), faults: stats.faults, localBytes: stats.local.bytes,
      model: localStorage.getItem('smartcache-predict:14:predict-reload').length };`);
  assert.deepEqual({ preloaded: reloaded.preloaded, faults: reloaded.faults }, { preloaded: true, faults: 0 });
  assert.ok(reloaded.localBytes >= 2 * reloaded.model, 'the model counts in localStorage bytes');

  await run(page, `const key = 'smartcache-predict:14:predict-reload';
    const value = localStorage.getItem(key);
    localStorage.setItem(key, value.slice(0, 20) + String.fromCharCode(value.charCodeAt(20) ^ 1) + value.slice(21));`);
  await page.reload();
  await inPage(page, (m, [source, options]) => new Function(`return ${source}`)()(m, options), [setUp.toString(), { namespace: 'predict-reload', predict: true }]);
  const damaged = await run(page, `const faults = t.cache.stats().faults;
    await t.visit('companies', 'company:32');
    await t.settle();
    return { faults, preloaded: t.calls.includes('payments:company:32') };`);
  assert.deepEqual(damaged, { faults: 1, preloaded: false });
  await page.close();
});
