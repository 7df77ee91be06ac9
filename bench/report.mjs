// Turns benchmark results into the Markdown table the README shows, with each target marked.

const fmt = (n, digits = 1) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const kib = (bytes) => `${fmt(bytes / 1024, 0)} KiB`;
const mark = (met) => (met ? '✅ met' : '❌ missed');

const ops = (n) => (n >= 1e6 ? `${fmt(n / 1e6, 1)} M/s` : `${fmt(n / 1e3, 0)} k/s`);

/** The median of sorted per-round ratios, with their range. */
const medianRange = (sorted) => `${fmt(sorted[sorted.length >> 1], 2)}× (${fmt(sorted[0], 2)}–${fmt(sorted.at(-1), 2)})`;

function memorySection({ entries, reads, rounds, rows, ratios }) {
  const lines = [
    `### Memory hits and sets (workload 1): ${entries.toLocaleString('en-US')} entries, ${reads.toLocaleString('en-US')} Zipf reads, the libraries taking turns for ${rounds} rounds in one page`,
    '',
    '| library | read | reads | sets into an empty container | the same sets again |',
    '|---|---|---:|---:|---:|',
  ];
  for (const r of rows) lines.push(`| ${r.library} | ${r.operation} | ${ops(r.readsPerSecond)} | ${ops(r.setsPerSecond)} | ${ops(r.warmSetsPerSecond)} |`);
  const median = (sorted) => sorted[sorted.length >> 1];
  const { peekVsLru, peekVsMap, coldSets, warmSets } = ratios;
  // Map over peek: how many times slower peek is than the floor.
  const slower = peekVsMap.map((r) => 1 / r).sort((a, b) => a - b);
  lines.push(
    '',
    'Best round of each in the table; each ratio below is the median of the rounds\' ratios (range), smartcache over the peer.',
    '',
    `Targets: \`peek\` at least 1.1× lru-cache's \`get\` in every round — ${medianRange(peekVsLru)} ${mark(peekVsLru[0] >= 1.1)}; within 2× of \`Map.get\` — ${medianRange(slower)} slower ${mark(median(slower) <= 2)}; memory-tier \`set\` at least TanStack's \`setQueryData\` — ${medianRange(coldSets)} into an empty container ${mark(median(coldSets) >= 1)}, ${medianRange(warmSets)} again.`,
  );
  return lines.join('\n');
}

/** smartcache's `key` (a rate or a size) over lz-string's for payloads of `size`: for a rate
 *  measured in rounds, the median of the rounds' ratios; undefined when either row is missing. */
function versusLzString({ rows, ratios }, size, key) {
  const rounds = ratios?.[size]?.[key];
  if (rounds) return rounds[rounds.length >> 1];
  const sc = rows.find((r) => r.size === size && r.library === 'smartcache');
  const lz = rows.find((r) => r.size === size && r.library === 'lz-string');
  return sc && lz ? sc[key] / lz[key] : undefined;
}

/** smartcache's concurrent sets and gets against setMany, localforage and getMany: the median of
 *  the rounds' ratios (`ratios`, sorted), or, for results of one round, the rows' ratio. */
function indexedDbRatios({ rows, ratios }) {
  if (ratios) return Object.fromEntries(Object.entries(ratios).map(([name, sorted]) => [name, sorted[sorted.length >> 1]]));
  const row = (library, mode) => rows.find((r) => r.library === library && r.mode === mode);
  const sc = row('smartcache', 'concurrent');
  const many = row('idb-keyval setMany/getMany', 'batch');
  const lf = row('localforage', 'concurrent');
  const times = (a, b) => (a && b ? a / b : undefined);
  return { writes: times(many?.writeMs, sc?.writeMs), localforage: times(lf?.writeMs, sc?.writeMs), reads: times(many?.readMs, sc?.readMs) };
}

function codecSection(result) {
  const { rows, rounds, ratios } = result;
  const lines = [`### Codec (workload 2)${rounds ? `, the three taking turns for ${rounds} rounds a size` : ''}`, '', '| payload | library | encode MB/s | decode MB/s | stored (localStorage bytes) |', '|---|---|---:|---:|---:|'];
  for (const r of rows) lines.push(`| ${kib(r.size)} | ${r.library} | ${fmt(r.encodeMBps)} | ${fmt(r.decodeMBps)} | ${r.storedBytes.toLocaleString('en-US')} |`);
  const targets = [];
  for (const size of [...new Set(rows.map((r) => r.size))]) {
    const enc = versusLzString(result, size, 'encodeMBps');
    const dec = versusLzString(result, size, 'decodeMBps');
    const size13 = versusLzString(result, size, 'storedBytes');
    // A rate measured in rounds shows the rounds' range beside its median.
    const shown = (key, value) => (ratios?.[size]?.[key] ? medianRange(ratios[size][key]) : `${fmt(value)}×`);
    targets.push(`| ${kib(size)} | ${shown('encodeMBps', enc)} (≥ 10×) ${mark(enc >= 10)} | ${shown('decodeMBps', dec)} (≥ 5×) ${mark(dec >= 5)} | ${fmt(size13, 2)}× (≤ 1.3×) ${mark(size13 <= 1.3)} |`);
  }
  if (rounds) lines.push('', 'Best round of each in the table; each speed ratio below is the median of the rounds\' ratios (range).');
  lines.push('', '| payload | encode vs lz-string | decode vs lz-string | stored size vs lz-string |', '|---|---|---|---|', ...targets);
  return lines.join('\n');
}

function capacitySection({ budget, rows, compressionRatio }) {
  const lines = [`### localStorage capacity (workload 3), budget ${kib(budget)}`, '', '| library | raw CRM JSON held | localStorage bytes used | vs raw JSON |', '|---|---:|---:|---:|'];
  const raw = rows.find((r) => r.library === 'raw JSON').rawHeld;
  for (const r of rows) lines.push(`| ${r.library} | ${kib(r.rawHeld)} | ${kib(r.used)} | ${fmt(r.rawHeld / raw, 2)}× |`);
  const ratio = rows.find((r) => r.library === 'smartcache').rawHeld / raw;
  lines.push('', `Target: at least 3× raw JSON — ${fmt(ratio, 2)}× ${mark(ratio >= 3)}. LZ4 compression ratio on the data held: ${fmt(compressionRatio, 2)}×.`);
  return lines.join('\n');
}

function hitRatioSection({ rows }) {
  const lines = [
    '### Hit ratio (workload 5): the tiers\' policy (GDSF + adaptive TinyLFU admission) against LRU and the best of 12 reference policies',
    '',
    '| trace | budget (of working set) | smartcache | LRU | best reference (libCacheSim) | vs best | target |',
    '|---|---:|---:|---:|---:|---:|---|',
  ];
  for (const r of rows) {
    const best = r.best ? `${fmt(r.best.hitRatio * 100)}% ${r.best.policy}` : '—';
    const diff = r.best ? (r.gdsf - r.best.hitRatio) * 100 : null;
    const vs = diff === null ? '—' : `${diff >= 0 ? '+' : ''}${fmt(diff)}`;
    const target = diff === null ? `≥ LRU ${mark(r.gdsf >= r.lru)}` : `within 1 point of the best ${mark(diff >= -1)}`;
    lines.push(`| ${r.trace} | ${fmt(r.budgetShare * 100, 0)}% | ${fmt(r.gdsf * 100)}% | ${fmt(r.lru * 100)}% | ${best} | ${vs} | ${target} |`);
  }
  lines.push('', 'Reference: request hit ratios from libCacheSim on the same traces and byte budgets (its LRU matches ours to ±0.005 points); the same parameters for every trace. Natively: `cargo run --release --example replay -- TRACE...`.');
  return lines.join('\n');
}

function indexedDbSection(result) {
  const { count, rows, rounds, ratios } = result;
  const title = `### IndexedDB (workload 4): ${count.toLocaleString('en-US')} entries of 16 KB${rounds ? `, the compared rows taking turns for ${rounds} rounds` : ''}`;
  const lines = [title, '', '| library | how | write (ms) | read (ms) |', '|---|---|---:|---:|'];
  for (const r of rows) lines.push(`| ${r.library} | ${r.mode} | ${fmt(r.writeMs, 0)} | ${fmt(r.readMs, 0)} |${r.ok ? '' : ' (values did not come back)'}`);
  const { writes: w, localforage: lfw, reads: r } = indexedDbRatios(result);
  const shown = (name, value) => (ratios ? medianRange(ratios[name]) : `${fmt(value, 2)}×`);
  if (rounds) lines.push('', 'Best round of each compared row in the table; each ratio below is the median of the rounds\' ratios (range).');
  lines.push('', `Targets (smartcache's concurrent sets and gets): writes at least as fast as idb-keyval's \`setMany\` — ${shown('writes', w)} ${mark(w >= 1)}; at least 5× localforage's concurrent sets — ${shown('localforage', lfw)} ${mark(lfw >= 5)}; reads at least as fast as \`getMany\` — ${shown('reads', r)} ${mark(r >= 1)}.`);
  return lines.join('\n');
}

function startupSection({ entries, found, importMs, openMs, totalMs, spreadMs, cached, seed, newTab }, pkg) {
  const lines = ['### Start-up and size (workload 6)', ''];
  const spread = (range) => (range ? `, ${fmt(range[0], 1)}–${fmt(range[1], 1)} over the loads` : '');
  lines.push(`Import to first \`get\` resolved, ${entries.toLocaleString('en-US')} entries persisted, median of page loads: ${fmt(totalMs, 1)} ms (import ${fmt(importMs, 1)}, open ${fmt(openMs, 1)}${spread(spreadMs)})${found ? '' : ' — the value was not found'}; target under 20 ms ${mark(found && totalMs < 20)}.`);
  if (cached) lines.push('', `With the package in the HTTP cache (a returning visit; above, every module is fetched anew from a no-store server whose round trip is 4–25 ms here): ${fmt(cached.totalMs, 1)} ms (import ${fmt(cached.importMs, 1)}, open ${fmt(cached.openMs, 1)}${spread(cached.spreadMs)}) ${mark(cached.found && cached.totalMs < 20)}.`);
  if (seed) lines.push('', `Through the seed's \`getCachedData\` (the default instance, which serves localStorage before IndexedDB's records have loaded; fetched anew as above): ${fmt(seed.totalMs, 1)} ms (import ${fmt(seed.importMs, 1)}${spread(seed.spreadMs)})${seed.found ? '' : ' — the value was not found'} ${mark(seed.found && seed.totalMs < 20)}.`);
  if (newTab) lines.push('', `In a new tab (the page that prepared the entries closed and another opened, as a link opened in a new tab is; fetched anew as above): ${fmt(newTab.totalMs, 1)} ms (import ${fmt(newTab.importMs, 1)}, open ${fmt(newTab.openMs, 1)}${spread(newTab.spreadMs)}) ${mark(newTab.found && newTab.totalMs < 20)}.`);
  if (pkg) lines.push('', `Package (wasm and JS): ${kib(pkg.raw)} raw, ${kib(pkg.gzip)} gzipped (wasm ${kib(pkg.wasmGzip)}, JS ${kib(pkg.gzip - pkg.wasmGzip)}); target under 100 KB gzipped ${mark(pkg.gzip < 100 * 1000)}.`);
  return lines.join('\n');
}

function idbOpenSection({ openMs, timeoutMs, localBytes }) {
  return [
    '### First IndexedDB open of a page load (workload 11)',
    '',
    `After an earlier load wrote ${kib(localBytes)} to localStorage: ${fmt(openMs, 1)} ms, ${fmt((100 * openMs) / timeoutMs, 1)}% of the ${fmt(timeoutMs / 1000, 0)} s open timeout; target under a third of it ${mark(openMs < timeoutMs / 3)}.`,
  ].join('\n');
}

/** The rows that differ by engine, for every engine measured (Chromium's are the sections above). */
function enginesSection(results) {
  const engines = [[results.browser, results.workloads], ...Object.values(results.engines ?? {}).map((e) => [e.browser, e.workloads])];
  const lines = ['### Per engine: start-up, first IndexedDB open, codec and IndexedDB', '', '| engine | import to first get (ms) | first IndexedDB open (ms) | decode vs lz-string (1 KiB / 256 KiB / 4 MiB) | encode vs lz-string (1 KiB / 4 MiB) | IndexedDB writes vs setMany | vs localforage | reads vs getMany |', '|---|---:|---:|---:|---:|---:|---:|---:|'];
  for (const [browser, w] of engines) {
    const times = (ratio, digits = 1) => (ratio === undefined ? '—' : `${fmt(ratio, digits)}×`);
    const codec = (size, key) => times(versusLzString(w.codec ?? { rows: [] }, size, key));
    const idb = indexedDbRatios(w.indexeddb ?? { rows: [] });
    lines.push(`| ${browser} | ${w.startup ? fmt(w.startup.totalMs) : '—'} | ${w.idbopen ? fmt(w.idbopen.openMs) : '—'} | ${codec(1024, 'decodeMBps')} / ${codec(256 * 1024, 'decodeMBps')} / ${codec(4 * 1024 * 1024, 'decodeMBps')} | ${codec(1024, 'encodeMBps')} / ${codec(4 * 1024 * 1024, 'encodeMBps')} | ${times(idb.writes, 2)} | ${times(idb.localforage, 2)} | ${times(idb.reads, 2)} |`);
  }
  return lines.join('\n');
}

function invalidationSection({ entries, removed, ms }) {
  return [`### Invalidation`, '', `A ${removed.toLocaleString('en-US')}-entry cascade inside a ${entries.toLocaleString('en-US')}-entry cache: ${fmt(ms, 2)} ms for \`invalidate()\`, storage writes included.`].join('\n');
}

function budgetSection({ sets, rows }) {
  const lines = [`### Small budgets (workload 7): ${sets.toLocaleString('en-US')} awaited sets`, '', '| localStorage budget | time (ms) | entries in localStorage | in IndexedDB |', '|---|---:|---:|---:|'];
  for (const r of rows) lines.push(`| ${r.library} | ${fmt(r.ms, 0)} | ${r.local.toLocaleString('en-US')} | ${r.indexeddb.toLocaleString('en-US')} |`);
  const ratio = rows.find((r) => r.library === '1 MiB').ms / rows.find((r) => r.library === '4 MiB').ms;
  lines.push('', `Target: the 1 MiB run at most 2× the 4 MiB run — ${fmt(ratio, 2)}× ${mark(ratio <= 2)}.`);
  return lines.join('\n');
}

function reactSection({ roundTripMs, coldVisits, reloads, rows }) {
  const lines = [
    `### React company page (workload 8): ${roundTripMs} ms simulated fetch, medians of ${coldVisits} cold visits and ${reloads} reloads, apps taking turns`,
    '',
    '| app | cold visit to data (ms) | reload to data (ms) | fetches on reloads | bundle added (JS + wasm, gzipped) | lines of the hook |',
    '|---|---:|---:|---:|---:|---:|',
  ];
  for (const r of rows) lines.push(`| ${r.library} | ${fmt(r.coldMs, 0)} | ${fmt(r.reloadMs, 0)} | ${r.fetchesOnReload} | ${kib(r.addedGzip)} | ${r.hookLines} |`);
  const row = (app) => rows.find((r) => r.app === app);
  const sc = row('smartcache');
  const cold = sc.coldMs - row('none').coldMs;
  const reload = sc.reloadMs / row('tanstack').reloadMs;
  lines.push(
    '',
    `Targets: cold visit within 10 ms of no cache — ${cold >= 0 ? '+' : ''}${fmt(cold, 0)} ms ${mark(cold <= 10)}; reload at most TanStack + persister's — ${fmt(reload, 2)}× ${mark(reload <= 1)}; the hook in at most 10 lines — ${sc.hookLines} ${mark(sc.hookLines <= 10)}.`,
  );
  return lines.join('\n');
}

function predictSection({ latencyMs, thinkMs, hoverMs, rows }) {
  const lines = [
    `### Predictive preloading (workload 9): CRM sessions, ${latencyMs} ms loaders, ${thinkMs} ms on each page, ${hoverMs} ms from hover to click`,
    '',
    '| prediction | demand reads | demand hit ratio | waited for loaders (ms) | loader calls | precision (used / issued) | coverage | wasted bytes (of demand bytes) |',
    '|---|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of rows) {
    lines.push(`| ${r.library} | ${r.reads} | ${fmt(r.demandHitRatio * 100)}% | ${fmt(r.waitMs, 0)} | ${r.loaderCalls} | ${fmt(r.precision, 2)} (${r.used} / ${r.issued}) | ${fmt(r.coverage * 100)}% | ${fmt(r.wastedShare * 100)}% |`);
  }
  const on = rows.find((r) => r.library === 'on');
  const off = rows.find((r) => r.library === 'off');
  const hover = rows.find((r) => r.library === 'on + hover hints');
  if (on && off) {
    const saved = (r) => `${fmt((1 - r.waitMs / off.waitMs) * 100)}% for ${fmt((r.loaderCalls / off.loaderCalls - 1) * 100)}% more loader calls`;
    lines.push(
      '',
      `Loader latency saved against prediction off: ${saved(on)}${hover ? `; with hover hints ${saved(hover)}` : ''}. Targets (on, the predictor alone): precision ≥ 0.6 — ${fmt(on.precision, 2)} ${mark(on.precision >= 0.6)}; coverage ≥ 40% — ${fmt(on.coverage * 100)}% ${mark(on.coverage >= 0.4)}; wasted bytes ≤ 15% of demand bytes — ${fmt(on.wastedShare * 100)}% ${mark(on.wastedShare <= 0.15)}. Anchors: PPM prefetching 40–73% precision for 1–15% extra traffic (Fan et al., SIGMETRICS '99); a first-order dependency graph cut latency up to 45% at about twice the traffic (Padmanabhan & Mogul, 1996).`,
    );
  }
  return lines.join('\n');
}

function devtoolsSection({ panelEntries, paints, shownTotal, reads, peekPerSecond, peekAttachedPerSecond, attachedRatios }) {
  const percent = (ratio) => fmt(ratio * 100, 0);
  const attached = attachedRatios[attachedRatios.length >> 1];
  const [first, ...again] = paints;
  const reopened = [...again].sort((a, b) => a - b);
  return [
    `### Devtools (workload 10)`,
    '',
    `In-page panel, first paint over a ${panelEntries.toLocaleString('en-US')}-entry cache: ${fmt(first, 0)} ms (${shownTotal}); target ≤ 200 ms ${mark(first <= 200)}. Opened again, ${again.length} times: ${fmt(reopened[reopened.length >> 1], 0)} ms median (${fmt(reopened[0], 0)}–${fmt(reopened.at(-1), 0)}).`,
    `\`peek\`, ${reads.toLocaleString('en-US')} Zipf reads: ${ops(peekPerSecond)} without a panel, ${ops(peekAttachedPerSecond)} with one attached (best rounds); with a panel, the median of the rounds' throughput ratios ${percent(attached)} % (${percent(attachedRatios[0])}–${percent(attachedRatios.at(-1))} %); target ≥ 90 % ${mark(attached >= 0.9)}.`,
  ].join('\n');
}

const SECTIONS = { memory: memorySection, codec: codecSection, capacity: capacitySection, indexeddb: indexedDbSection, hitratio: hitRatioSection, startup: startupSection, idbopen: idbOpenSection, invalidation: invalidationSection, budget: budgetSection, react: reactSection, predict: predictSection, devtools: devtoolsSection };

export function report(results) {
  const parts = [`## Benchmarks`, '', `${results.date.slice(0, 10)} · ${results.browser} · ${results.machine}`, ''];
  for (const [name, data] of Object.entries(results.workloads)) parts.push(SECTIONS[name](data, results.package), '');
  if (results.engines) parts.push(enginesSection(results), '');
  return `${parts.join('\n')}\n`;
}
