// The devtools UI, one for the in-page panel and the browser extension: the caches of the page,
// and for the chosen one its entries (a virtualized table with details, actions and the dependency
// graph), its tiers against their budgets and the browser's quota, the event timeline, and the
// predictor. It reads through an adapter (adapter.js) and never touches a cache itself.
import { countdown, h, kib, svg } from './dom.js';
import { EntriesTable } from './entries.js';
import { drawGraph } from './graph.js';
import { STYLES } from './styles.js';

const TABS = ['entries', 'tiers', 'timeline', 'graph', 'predictions'];
/** Events the timeline keeps. */
const MAX_EVENTS = 1_000;
/** How often the numbers are read again while the panel is shown. */
const POLL_MS = 1_000;
const EVENT_TYPES = ['set', 'hit', 'miss', 'evict', 'expire', 'delete', 'invalidate', 'clear', 'load', 'prefetch', 'fault'];

export class DevtoolsUI {
  /** Renders into `root` (a shadow root or an element); `onClose` adds a close button; `prefer`
   *  names the handle to show first. */
  constructor(root, adapter, { onClose, prefer } = {}) {
    this.adapter = adapter;
    this.prefer = prefer;
    this.handle = null;
    this.events = [];
    this.samples = [];
    this.graphKey = null;
    this.tab = 'entries';
    this.table = new EntriesTable({
      load: (query) => this.call('entries', query),
      select: (entry) => this.showDetail(entry),
    });
    this.picker = h('select', { 'aria-label': 'cache', onchange: (e) => this.choose(e.target.value) });
    this.tabs = TABS.map((t) => h('button', { role: 'tab', 'data-tab': t, onclick: () => this.show(t) }, t));
    this.views = Object.fromEntries(TABS.map((t) => [t, h('div', { class: 'view', role: 'tabpanel', 'data-view': t })]));
    this.detail = h('div', { class: 'detail', 'data-detail': '' }, h('p', { class: 'muted' }, 'select an entry'));
    const filter = h('input', { type: 'search', placeholder: 'filter by key or tag', 'aria-label': 'filter entries', oninput: (e) => this.table.setQuery({ filter: e.target.value }) });
    const tier = h('select', { 'aria-label': 'tier filter', onchange: (e) => this.table.setQuery({ tier: e.target.value || undefined }) },
      h('option', { value: '' }, 'every tier'), ['memory', 'local', 'indexeddb'].map((t) => h('option', { value: t }, t)));
    this.views.entries.append(
      h('div', { class: 'toolbar' }, filter, tier, this.table.count,
        h('button', { onclick: () => this.command({ type: 'clear' }) }, 'clear cache'),
        h('button', { onclick: () => this.exportJson() }, 'export JSON')),
      h('div', { class: 'split' }, this.table.element, this.detail),
    );
    this.views.entries.classList.add('columns');
    this.timelineFilter = new Set(EVENT_TYPES.filter((t) => t !== 'hit' && t !== 'miss'));
    root.append(
      h('style', {}, STYLES),
      h('div', { class: 'panel', 'data-devtools': '' },
        h('header', {}, h('b', {}, 'smartcache'), this.picker, h('span', { style: 'flex: 1' }),
          onClose && h('button', { 'aria-label': 'close devtools', onclick: onClose }, '×')),
        h('nav', { role: 'tablist' }, this.tabs),
        h('div', { class: 'body' }, Object.values(this.views))),
    );
    this.offHandles = adapter.onHandles(() => this.listHandles());
    this.timer = setInterval(() => this.poll(), POLL_MS);
    this.show('entries');
    this.ready = this.listHandles();
  }

  call(method, ...args) {
    if (this.handle === null) return Promise.resolve(method === 'entries' ? { entries: [], total: 0 } : undefined);
    return this.adapter.call(this.handle, method, ...args);
  }

  async listHandles() {
    const handles = await this.adapter.handles();
    this.picker.replaceChildren(...handles.map((d) => h('option', { value: d.id }, `${d.namespace} v${d.version}`)));
    const preferred = handles.find((d) => d.id === this.prefer) ?? handles[0];
    if (!handles.some((d) => d.id === this.handle)) await this.choose(preferred?.id ?? null);
    else this.picker.value = this.handle;
  }

  async choose(id) {
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.handle = id;
    this.events = [];
    this.samples = [];
    if (id === null) return;
    this.picker.value = id;
    this.unsubscribe = this.adapter.subscribe(id, (events) => this.took(events));
    await Promise.all([this.table.refresh(), this.poll()]);
  }

  /** A batch of events: the timeline grows, and the table reloads when entries changed. */
  took(events) {
    let changed = false;
    for (const e of events) {
      this.events.push(e);
      if (e.type !== 'hit' && e.type !== 'miss' && e.type !== 'load' && e.type !== 'prefetch') changed = true;
    }
    if (this.events.length > MAX_EVENTS) this.events.splice(0, this.events.length - MAX_EVENTS);
    if (changed && !this.refreshing) {
      this.refreshing = setTimeout(() => {
        this.refreshing = null;
        this.table.refresh();
      }, 200);
    }
    if (this.tab === 'timeline') this.drawTimeline();
  }

  show(tab) {
    this.tab = tab;
    for (const b of this.tabs) b.setAttribute('aria-selected', String(b.dataset.tab === tab));
    for (const [t, v] of Object.entries(this.views)) v.hidden = t !== tab;
    if (tab === 'timeline') this.drawTimeline();
    if (tab === 'graph') this.drawGraphView();
    if (tab === 'tiers' || tab === 'predictions') this.poll();
    if (tab === 'entries') this.table.draw();
  }

  async poll() {
    if (this.handle === null) return;
    const stats = await this.call('stats');
    if (!stats) return;
    this.stats = stats;
    this.samples.push(stats.hitRate);
    if (this.samples.length > 120) this.samples.shift();
    if (this.tab === 'tiers') this.drawTiers();
    if (this.tab === 'predictions') this.drawPredictions();
    if (this.tab === 'entries') this.table.draw();
  }

  async showDetail(entry) {
    this.graphKey = entry.key;
    const action = (type) => h('button', { 'data-action': type, onclick: () => this.command({ type, key: entry.key }) }, type);
    this.detail.replaceChildren(
      ...[h('h3', {}, entry.key),
      h('div', {}, `${entry.tier}${entry.inMemory ? ' + memory' : ''} · ${entry.rawBytes.toLocaleString('en-US')} B raw · ${entry.storedBytes.toLocaleString('en-US')} B stored${entry.compressed ? ' (LZ4)' : ''}`),
      h('div', {}, `hits ${entry.hits} · created ${new Date(entry.createdAt).toLocaleTimeString()} · expires ${countdown(entry.expiresAt)} · stale ${countdown(entry.staleAt)}`),
      entry.tags.length ? h('div', {}, `tags: ${entry.tags.join(', ')}`) : null,
      h('div', { class: 'toolbar' }, action('invalidate'), action('delete'), action('refetch'),
        h('button', { onclick: () => this.show('graph') }, 'graph')),
      h('div', { 'data-detail-graph': '' }, await this.graphOf(entry.key, 1))].filter(Boolean),
    );
  }

  async graphOf(key, depth) {
    const graph = await this.call('graph', key, depth);
    if (!graph) return h('p', { class: 'muted' }, 'no graph');
    const goes = graph.nodes.filter((n, i) => i > 0 && n.tier).length;
    return h('div', {},
      h('p', { class: 'muted' }, `${graph.edges.length} edges; above: what it is built from; below: what goes with it (${goes} cached)`),
      drawGraph(graph, { onPick: (k) => this.pickGraph(k) }));
  }

  pickGraph(key) {
    this.graphKey = key;
    this.drawGraphView();
  }

  async drawGraphView() {
    const view = this.views.graph;
    const input = h('input', { type: 'search', value: this.graphKey ?? '', placeholder: 'key or tag', 'aria-label': 'graph key',
      onchange: (e) => this.pickGraph(e.target.value) });
    const key = this.graphKey;
    const invalidate = key && h('button', { 'data-action': 'invalidate-graph', onclick: async () => {
      await this.command({ type: 'invalidate', key });
      this.drawGraphView();
    } }, `invalidate ${key}`);
    view.replaceChildren(h('div', { class: 'toolbar' }, input, invalidate), key ? await this.graphOf(key, 2) : h('p', { class: 'muted' }, 'select an entry, or type a key'));
  }

  async command(c) {
    try {
      await this.call('command', c);
    } catch (error) {
      this.detail.prepend(h('p', { role: 'alert' }, String(error?.message ?? error)));
    }
    await this.table.refresh();
    if (c.type !== 'refetch') this.detail.replaceChildren(h('p', { class: 'muted' }, `${c.type} done`));
  }

  async exportJson() {
    const data = { ...(await this.call('command', { type: 'export' })), events: this.events };
    const url = URL.createObjectURL(new Blob([JSON.stringify(data, null, 2)], { type: 'application/json' }));
    h('a', { href: url, download: `smartcache-${data.namespace}.json` }).click();
    setTimeout(() => URL.revokeObjectURL(url), 1_000);
  }

  drawTiers() {
    const s = this.stats;
    const bar = (name, used, total) => [
      h('div', {}, `${name}: ${kib(used)} of ${kib(total)} (${total ? ((used / total) * 100).toFixed(1) : 0} %)`),
      h('div', { class: 'bar', 'data-bar': name }, h('i', { style: `width: ${total ? Math.min(100, (used / total) * 100) : 0}%` })),
    ];
    const spark = this.samples.map((r, i) => `${i * 3},${40 - r * 40}`).join(' ');
    this.views.tiers.replaceChildren(
      h('h3', {}, 'bytes against budgets'),
      ...['memory', 'local', 'indexeddb'].flatMap((t) => [...bar(t, s[t].bytes, s.budgets?.[t] ?? 0), h('div', { class: 'muted' }, `${s[t].entries} entries, ${s[t].hits} hits`)]),
      ...(s.quota ? bar("the browser's quota (this origin)", s.quota.usage, s.quota.quota) : []),
      h('h3', {}, `hit rate ${(s.hitRate * 100).toFixed(1)} % (${s.hits} hits, ${s.misses} misses) · stored ${kib(s.storedBytes)} of ${kib(s.rawBytes)} raw · ${s.faults} faults`),
      h('div', { 'data-sparkline': '' }, spark
        ? svg('svg', { width: 360, height: 40, 'aria-label': 'hit rate over time' }, svg('polyline', { points: spark, fill: 'none', stroke: '#3e7bfa' }))
        : null),
    );
  }

  drawTimeline() {
    const view = this.views.timeline;
    const boxes = EVENT_TYPES.map((t) => h('label', {}, h('input', { type: 'checkbox', ...(this.timelineFilter.has(t) ? { checked: true } : {}),
      onchange: (e) => { e.target.checked ? this.timelineFilter.add(t) : this.timelineFilter.delete(t); this.drawTimeline(); } }), t));
    const shown = this.events.filter((e) => this.timelineFilter.has(e.type)).slice(-300).reverse();
    view.replaceChildren(
      h('div', { class: 'toolbar' }, boxes),
      ...shown.map((e) => h('div', { class: 'event', 'data-event': e.type },
        h('span', { class: 'muted' }, new Date(e.at).toLocaleTimeString(), ' '),
        h('span', { class: 'type' }, e.type), ' ', e.key ?? '', e.tier ? ` · ${e.tier}` : '', e.remote ? ' · from another tab' : '',
        e.type === 'invalidate' ? ` · removed ${e.removed.length}: ${e.removed.join(', ')}` : '',
        e.type === 'load' ? ` · ${e.ms.toFixed(0)} ms${e.ok ? '' : ' · failed'}${e.prefetch ? ' · preload' : ''}` : '',
        e.type === 'prefetch' ? ` · ${e.reason} · p ${e.probability.toFixed(2)}` : '',
        e.type === 'fault' ? ` · ${e.code}: ${e.message}` : '')),
    );
  }

  async drawPredictions() {
    const p = this.stats.predict;
    // Whether a preload was used is the engine's to say: memory hits do not reach the panel.
    const { transitions: learned = [], recent = [] } = (await this.call('predictions', 20).catch(() => null)) ?? {};
    this.views.predictions.replaceChildren(
      h('h3', {}, 'what it has learned (strongest first; {=} is a parameter taken from what came before)'),
      ...learned.map((t) => h('div', { class: 'event', 'data-transition': '' }, `${t.after}  ⇒  ${t.next} · p ${t.probability.toFixed(2)} · seen ${t.seen.toFixed(1)}`)),
      h('h3', {}, `predictor ${p.mode}`),
      h('div', { 'data-predict': '' }, `guesses ${p.issued} · used ${p.used} · precision ${(p.precision * 100).toFixed(0)} % (last 50) · coverage ${(p.coverage * 100).toFixed(0)} % · wasted ${kib(p.wastedBytes)}`),
      h('div', {}, `preloads stored ${this.stats.prefetched} · read ${this.stats.prefetchHits}`),
      h('h3', {}, 'recent preloads'),
      ...recent.slice().reverse().map((e) => h('div', { class: 'event', 'data-preload': e.key }, `${e.key} · ${e.reason} · p ${e.probability.toFixed(2)} · ${e.used ? 'used' : 'not read yet'}`)),
    );
  }

  destroy() {
    clearInterval(this.timer);
    clearTimeout(this.refreshing);
    this.unsubscribe?.();
    this.offHandles?.();
  }
}
