// Workload 9: predictive preloading on CRM navigation sessions, replayed through the real cache
// with loaders that take a simulated latency and a user who reads each page for a moment before
// the next. Three sales reps with their own habits (list -> company -> payments -> contacts,
// revisits of their accounts), four sessions each; between sessions the data has expired (the
// cache is emptied) and the learned model is all that remains. Each mode runs in a fresh page:
// prediction off, shadow (guesses scored, nothing loaded), on, and on with the app's hover hints
// (the demo's company links call `hint` on hover, HOVER_MS before the click; in the other modes the
// pointer rests on the link just as long, with no hint).
import { SmartCache } from 'smartcache';
import { rng } from '/www/crm-data.js';
import { zipfSampler } from '/bench/traces.js';

export const libraries = ['off', 'shadow', 'on', 'on + hover hints'];

/** What a loader call costs: the demo API's round trip. */
const LATENCY_MS = 40;
/** How long a person looks at a page before the next click. */
const THINK_MS = 120;
/** From the pointer reaching a link to the click. */
const HOVER_MS = 150;
const USERS = 3;
const SESSIONS = 4;
const PAGES_PER_SESSION = 24;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** The value a key loads: the size of what the demo API answers for it. */
function valueOf(key) {
  const rows = key.startsWith('payments:') ? 25 : key.startsWith('contacts:') ? 8 : key.startsWith('companies:') ? 25 : 1;
  return { key, rows: Array.from({ length: rows }, (_, i) => ({ id: i, name: `row ${i} of ${key}`, amountCents: i * 1234 })) };
}

/** One rep's sessions: the keys each page reads, page after page. A rep works a book of accounts
 *  (Zipf over 300 companies, a third of opens revisit one of the last ten) and has a habit: after
 *  a company, payments (rep 0), contacts then payments (rep 1), or either (rep 2). */
function sessionsOf(user) {
  const r = rng(100 + user);
  const account = zipfSampler(300, 0.8, r);
  const sessions = [];
  for (let s = 0; s < SESSIONS; s++) {
    const pages = [];
    const recent = [];
    let list = 0;
    while (pages.length < PAGES_PER_SESSION) {
      pages.push([`companies:page:${list}`]);
      if (r() < 0.15) list = (list + 1) % 4;
      const id = recent.length && r() < 0.33 ? recent[Math.floor(r() * recent.length)] : account() + user * 1000;
      recent.push(id);
      if (recent.length > 10) recent.shift();
      pages.push([`company:${id}`]);
      const tabs = user === 0 ? ['payments'] : user === 1 ? ['contacts', 'payments'] : [r() < 0.5 ? 'payments' : 'contacts'];
      for (const tab of tabs) if (r() < 0.85) pages.push([`${tab}:company:${id}:page:1`]);
    }
    sessions.push(pages.slice(0, PAGES_PER_SESSION));
  }
  return sessions;
}

export async function run({ library: mode }) {
  localStorage.clear();
  let demandBytes = 0;
  const totals = { reads: 0, loaderReads: 0, preloadReads: 0, hits: 0, waitMs: 0, issued: 0, used: 0, wastedBytes: 0, prefetched: 0, loaderCalls: 0, shadowCovered: 0 };
  for (let user = 0; user < USERS; user++) {
    const namespace = `predict-bench-${user}`;
    for (const pages of sessionsOf(user)) {
      const cache = await SmartCache.open({ namespace, predict: mode === 'off' ? false : mode === 'shadow' ? 'shadow' : true });
      const hovers = mode === 'on + hover hints';
      // The data of the last session has expired; what was learned is kept.
      await cache.clear();
      let calls = 0;
      const load = async (key, { signal }) => {
        calls += 1;
        await sleep(LATENCY_MS);
        signal.throwIfAborted();
        return valueOf(key);
      };
      for (const prefix of ['companies:', 'company:', 'payments:', 'contacts:']) cache.registerLoader(prefix, load);
      const sessionStart = totals.loaderReads;
      for (const keys of pages) {
        if (keys[0].startsWith('company:')) {
          if (hovers) cache.hint(keys[0]);
          await sleep(HOVER_MS);
        }
        for (const key of keys) {
          const before = { calls, prefetchHits: cache.stats().prefetchHits };
          const started = performance.now();
          const value = await cache.getOrLoad(key);
          totals.waitMs += performance.now() - started;
          totals.reads += 1;
          demandBytes += JSON.stringify(value).length;
          if (calls > before.calls) totals.loaderReads += 1;
          else if (cache.stats().prefetchHits > before.prefetchHits) totals.preloadReads += 1;
          else totals.hits += 1;
        }
        await sleep(THINK_MS);
      }
      const stats = cache.stats();
      totals.issued += stats.predict.issued;
      totals.used += stats.predict.used;
      totals.wastedBytes += stats.predict.wastedBytes;
      totals.prefetched += stats.prefetched;
      totals.loaderCalls += calls;
      // Shadow: of this session's would-be misses, the share its guesses foresaw (as it scores it).
      totals.shadowCovered += stats.predict.coverage * (totals.loaderReads - sessionStart);
      await cache.close();
    }
  }
  const wouldMiss = totals.loaderReads + totals.preloadReads;
  return {
    latencyMs: LATENCY_MS,
    thinkMs: THINK_MS,
    hoverMs: HOVER_MS,
    rows: [
      {
        library: mode,
        reads: totals.reads,
        demandHitRatio: (totals.hits + totals.preloadReads) / totals.reads,
        waitMs: totals.waitMs,
        loaderCalls: totals.loaderCalls,
        issued: totals.issued,
        used: totals.used,
        precision: totals.issued === 0 ? 0 : totals.used / totals.issued,
        coverage: mode === 'shadow' ? totals.shadowCovered / Math.max(1, totals.loaderReads) : wouldMiss === 0 ? 0 : totals.preloadReads / wouldMiss,
        wastedShare: totals.wastedBytes / demandBytes,
        demandBytes,
      },
    ],
  };
}
