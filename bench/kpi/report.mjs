// The seed's table (../shared/seed/crm-database-performance-plan.md), filled with what the KPI
// run measured in each mode; every target is judged on the optimized + smartcache mode.

const ms = (x) => (x === null || x === undefined ? '—' : `${Math.round(x)} ms`);
const mark = (met) => (met ? '✅ met' : '❌ missed');
const MODES = { legacy: 'legacy hooks', optimized: 'optimized queries', smartcache: 'optimized + smartcache', 'smartcache+predict': '+ predictive preloading' };

export function kpiReport({ date, latencyMs, visits, modes }) {
  const { smartcache: sc, optimized } = modes;
  const rows = [
    ['useCompany response, cold (p50 / p95)', '500 ms–2 s → < 100 ms', (m) => `${ms(m.useCompany.cold.p50)} / ${ms(m.useCompany.cold.p95)}`, sc.useCompany.cold.p50 < 100],
    ['useCompany response, warm (p50 / p95)', '< 100 ms', (m) => `${ms(m.useCompany.warm.p50)} / ${ms(m.useCompany.warm.p95)}`, sc.useCompany.warm.p95 < 100],
    ['Company Profile, cold (p50 / p95)', '2–5 s → < 500 ms', (m) => `${ms(m.profile.cold.p50)} / ${ms(m.profile.cold.p95)}`, sc.profile.cold.p95 < 500],
    ['PaymentsTable page (p50)', '1–3 s → < 300 ms', (m) => ms(m.paymentsTable.slice().sort((a, b) => a - b)[1]), sc.paymentsTable.every((t) => t < 300)],
    ['Dashboard load', '3–8 s → < 1 s', (m) => ms(m.dashboard), sc.dashboard < 1000],
    ['round trips per company load, cold / warm', '4 → 1 (0 warm)', (m) => `${m.trips.cold?.toFixed(1)} / ${m.trips.warm?.toFixed(1) ?? '—'}`, sc.trips.cold <= 1 && (sc.trips.warm ?? 0) === 0],
    ['SQL statements per PaymentsTable page', 'N+1 → O(1)', (m) => String(m.statementsPerTablePage ?? '—'), sc.statementsPerTablePage === 1],
    ['cache hit rate on repeat queries (revisits with no round trip)', '30 % → 85 %+', (m) => `${Math.round(m.repeatHitRate * 100)} %`, sc.repeatHitRate >= 0.85],
    ['the cache’s own hit rate (stats().hitRate, every read)', '—', (m) => (m.stored ? `${Math.round(m.hitRate * 100)} %` : '—'), null],
    ['stored / raw bytes', '−60 % (≤ 40 %)', (m) => (m.stored && m.stored.raw ? `${Math.round((m.stored.stored / m.stored.raw) * 100)} %` : '—'), sc.stored && sc.stored.stored / sc.stored.raw <= 0.4],
    ['company page reload, cached data', '50–70 % faster', (m) => ms(m.reload.ms), sc.reload.ms <= optimized.reload.ms * 0.5],
    ['a recorded payment shows on the profile / in another tab’s dashboard', 'yes', (m) => `${m.afterPayment.profile ? 'yes' : 'no'} / ${m.afterPayment.otherTabDashboard ? 'yes' : 'no'}`, sc.afterPayment.profile && sc.afterPayment.otherTabDashboard],
  ];
  const lines = [
    `### The seed's table, on the demo CRM (\`make kpi\`)`,
    '',
    `${date.slice(0, 10)} · API latency ${latencyMs} ms per response · ${visits} company visits from a skewed draw, then payments pages, the dashboard, reloads (the median of ${sc.reload.runs?.length ?? 1}) and a payment, per mode`,
    '',
    `| | seed: before → target | ${Object.values(MODES).join(' | ')} | target (smartcache) |`,
    `|---|---|${Object.keys(MODES).map(() => '---:').join('|')}|---|`,
  ];
  for (const [name, target, show, met] of rows) {
    const judged = met === null ? '—' : mark(Boolean(met));
    lines.push(`| ${name} | ${target} | ${Object.keys(MODES).map((m) => show(modes[m])).join(' | ')} | ${judged} |`);
  }
  const improvement = 1 - sc.reload.ms / optimized.reload.ms;
  const spread = (m) => (m.reload.runs ? ` (${ms(m.reload.runs[0])}–${ms(m.reload.runs.at(-1))})` : '');
  lines.push('', `Page load improvement for cached data (reload to the company's data, against the optimized queries without a cache): ${Math.round(improvement * 100)} %; reloads ${ms(sc.reload.ms)}${spread(sc)} against ${ms(optimized.reload.ms)}${spread(optimized)}.`);
  const predicted = modes['smartcache+predict'];
  if (predicted?.preloads) {
    const p = predicted.preloads;
    lines.push(
      '',
      `Predictive preloading (the last column; targets are judged without it, as \`predict\` is off by default): the cache's hit rate ${Math.round(sc.hitRate * 100)} % off → ${Math.round(predicted.hitRate * 100)} % on; ${p.stored} preloads stored, ${p.read} of them read; the predictor's precision ${p.predict.precision.toFixed(2)} over ${p.predict.issued} guesses, coverage ${Math.round(p.predict.coverage * 100)} %.`,
    );
  }
  return `${lines.join('\n')}\n`;
}
