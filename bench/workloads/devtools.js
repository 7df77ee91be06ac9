// Workload 10: the devtools' cost. The in-page panel's first paint over a 100,000-entry cache
// (mountDevtools to the first rows on screen; then four mounts more), and `peek` throughput (10,000 entries, a million
// Zipf reads) with the panel's handle subscribed against without, in the same page.
import { SmartCache } from 'smartcache';
import { mountDevtools } from '/pkg/devtools.js';
import { company, rng } from '/www/crm-data.js';
import { zipfSampler } from '/bench/traces.js';
import { bestMs } from '/bench/workloads/timing.js';

const PANEL_ENTRIES = 100_000;
const ENTRIES = 10_000;
const READS = 1_000_000;
const ROUNDS = 7;
const MOUNTS = 5;

export async function run() {
  localStorage.clear();
  const big = await SmartCache.open({ namespace: 'devtools-bench-panel', crossTab: false });
  await big.clear();
  for (let i = 0; i < PANEL_ENTRIES; i++) big.set(`company:${i}`, { id: i, name: `Company ${i}` }, { tier: 'memory' });
  await big.set('last', 1, { tier: 'memory' });
  // The first mount is the target (what opening the panel costs); four more, each a panel opened
  // anew, show what of it is paid once.
  const paints = [];
  let shownTotal;
  for (let mount = 0; mount < MOUNTS; mount++) {
    const started = performance.now();
    const unmount = mountDevtools({ cache: big });
    const root = document.querySelector('[data-smartcache-devtools]').shadowRoot;
    while (root.querySelectorAll('.row[data-key]').length === 0) await new Promise((r) => setTimeout(r, 1));
    paints.push(performance.now() - started);
    shownTotal = root.querySelector('[data-entries-total]').textContent;
    unmount();
    await new Promise((r) => setTimeout(r, 50));
  }
  await big.close();

  const cache = await SmartCache.open({ namespace: 'devtools-bench-peek', crossTab: false });
  await cache.clear();
  const keys = Array.from({ length: ENTRIES }, (_, i) => `company:${i}`);
  for (const [i, key] of keys.entries()) await cache.set(key, company(i), { tier: 'memory' });
  const next = zipfSampler(ENTRIES, 1.0, rng(5));
  const order = Array.from({ length: READS }, () => keys[next()]);
  let sink = 0;
  const read = () => {
    for (const k of order) sink += cache.peek(k).id;
  };
  const handle = globalThis[Symbol.for('smartcache.devtools')].find((h) => h.namespace === 'devtools-bench-peek');
  // Alternating, so that the machine's drift falls on both alike; each round's ratio compares
  // runs made side by side.
  let without = Infinity;
  let attached = Infinity;
  let events = 0;
  const ratios = [];
  for (let round = 0; round < ROUNDS; round++) {
    const alone = bestMs(1, read);
    const off = handle.subscribe((batch) => (events += batch.length));
    const watched = bestMs(1, read);
    off();
    without = Math.min(without, alone);
    attached = Math.min(attached, watched);
    ratios.push(alone / watched);
  }
  ratios.sort((a, b) => a - b);
  await cache.close();
  return {
    panelEntries: PANEL_ENTRIES,
    paints,
    shownTotal,
    reads: READS,
    peekPerSecond: READS / (without / 1e3),
    peekAttachedPerSecond: READS / (attached / 1e3),
    attachedRatios: ratios,
    events,
    sink,
  };
}
