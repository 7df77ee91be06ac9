// Turns benchmark results into the Markdown table the README shows, with each target marked.

const fmt = (n, digits = 1) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const kib = (bytes) => `${fmt(bytes / 1024, 0)} KiB`;
const mark = (met) => (met ? '✅ met' : '❌ missed');

function codecSection(rows) {
  const lines = ['### Codec (workload 2)', '', '| payload | library | encode MB/s | decode MB/s | stored (localStorage bytes) |', '|---|---|---:|---:|---:|'];
  for (const r of rows) lines.push(`| ${kib(r.size)} | ${r.library} | ${fmt(r.encodeMBps)} | ${fmt(r.decodeMBps)} | ${r.storedBytes.toLocaleString('en-US')} |`);
  const targets = [];
  for (const size of [...new Set(rows.map((r) => r.size))]) {
    const sc = rows.find((r) => r.size === size && r.library === 'smartcache');
    const lz = rows.find((r) => r.size === size && r.library === 'lz-string');
    const enc = sc.encodeMBps / lz.encodeMBps;
    const dec = sc.decodeMBps / lz.decodeMBps;
    const size13 = sc.storedBytes / lz.storedBytes;
    targets.push(`| ${kib(size)} | ${fmt(enc)}× (≥ 10×) ${mark(enc >= 10)} | ${fmt(dec)}× (≥ 5×) ${mark(dec >= 5)} | ${fmt(size13, 2)}× (≤ 1.3×) ${mark(size13 <= 1.3)} |`);
  }
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

function invalidationSection({ entries, removed, ms }) {
  return [`### Invalidation`, '', `A ${removed.toLocaleString('en-US')}-entry cascade inside a ${entries.toLocaleString('en-US')}-entry cache: ${fmt(ms, 2)} ms for \`invalidate()\`, storage writes included.`].join('\n');
}

const SECTIONS = { codec: codecSection, capacity: capacitySection, invalidation: invalidationSection };

export function report(results) {
  const parts = [`## Benchmarks`, '', `${results.date.slice(0, 10)} · ${results.browser} · ${results.machine}`, ''];
  for (const [name, data] of Object.entries(results.workloads)) parts.push(SECTIONS[name](data), '');
  return `${parts.join('\n')}\n`;
}
