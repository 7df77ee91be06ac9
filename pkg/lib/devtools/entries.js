// The entries table: virtualized (only the rows in view are in the DOM, so 100,000 entries scroll
// as smoothly as 100), filled page by page over the handle's cursor as it scrolls, filtered by key
// or tag and by tier; a click selects an entry for its details, actions and graph.
import { countdown, h } from './dom.js';

export const ROW_HEIGHT = 22;
/** Entries fetched per page as the table scrolls. */
const PAGE = 500;
/** Entries of the first page: a screenful and some, so that the first paint is quick. */
const FIRST_PAGE = 100;
/** Rows drawn beyond the viewport on each side. */
const OVERSCAN = 10;

const COLUMNS = ['key', 'tier', 'mem', 'raw B', 'stored B', 'stored/raw', 'ttl', 'stale', 'hits', 'tags', 'depends on'];

export class EntriesTable {
  /** `load(query)` returns a page `{ entries, total, next }`; `select(entry)` is called on a click. */
  constructor({ load, select }) {
    this.load = load;
    this.select = select;
    this.rows = [];
    this.total = 0;
    this.next = undefined;
    this.query = { filter: '', tier: undefined };
    this.selected = null;
    this.loading = null;
    this.generation = 0;
    this.spacer = h('div', { style: 'position: relative' });
    this.scroller = h('div', { class: 'scroller', onscroll: () => this.draw() }, this.spacer);
    this.count = h('span', { class: 'muted', 'data-entries-total': '' });
    this.element = h(
      'div',
      { class: 'table' },
      h('div', { class: 'head' }, COLUMNS.map((c) => h('span', {}, c))),
      this.scroller,
    );
  }

  /** Reloads from the first page (the cache changed, or the filter did). */
  async refresh() {
    const generation = (this.generation += 1);
    const keep = Math.min(Math.max(FIRST_PAGE, this.lastVisible() + OVERSCAN), 1_000);
    const page = await this.load({ ...this.query, limit: keep });
    if (generation !== this.generation) return;
    this.rows = page.entries;
    this.total = page.total;
    this.next = page.next;
    this.count.textContent = `${page.total.toLocaleString('en-US')} entries`;
    this.draw();
  }

  setQuery(query) {
    this.query = { ...this.query, ...query };
    this.scroller.scrollTop = 0;
    return this.refresh();
  }

  lastVisible() {
    return Math.ceil((this.scroller.scrollTop + this.scroller.clientHeight) / ROW_HEIGHT);
  }

  /** Draws the rows in view, and fetches the next page when the view nears the loaded end. */
  draw() {
    this.spacer.style.height = `${this.total * ROW_HEIGHT}px`;
    const first = Math.max(0, Math.floor(this.scroller.scrollTop / ROW_HEIGHT) - OVERSCAN);
    const last = Math.min(this.total, this.lastVisible() + OVERSCAN);
    const now = Date.now();
    const rows = [];
    for (let i = first; i < last; i++) {
      const e = this.rows[i];
      const top = `top: ${i * ROW_HEIGHT}px`;
      if (e === undefined) {
        rows.push(h('div', { class: 'row muted', style: top }, h('span', {}, '…')));
        continue;
      }
      const ratio = e.rawBytes ? (e.storedBytes / e.rawBytes).toFixed(2) : '—';
      rows.push(
        h(
          'div',
          { class: 'row', style: top, 'data-key': e.key, 'aria-selected': e.key === this.selected ? 'true' : 'false', onclick: () => this.pick(e) },
          h('span', { title: e.key }, e.key),
          h('span', {}, e.tier),
          h('span', {}, e.inMemory ? '✓' : ''),
          h('span', { class: 'num' }, e.rawBytes.toLocaleString('en-US')),
          h('span', { class: 'num' }, e.storedBytes.toLocaleString('en-US')),
          h('span', { class: 'num' }, ratio),
          h('span', {}, countdown(e.expiresAt, now)),
          h('span', {}, countdown(e.staleAt, now)),
          h('span', { class: 'num' }, e.hits),
          h('span', { title: e.tags.join(', ') }, e.tags.join(', ')),
          h('span', { title: e.dependsOn.join(', ') }, e.dependsOn.join(', ')),
        ),
      );
    }
    this.spacer.replaceChildren(...rows);
    if (this.next !== undefined && last + OVERSCAN >= this.rows.length && this.loading === null) this.more();
  }

  async more() {
    const generation = this.generation;
    this.loading = this.load({ ...this.query, cursor: this.next, limit: PAGE });
    try {
      const page = await this.loading;
      if (generation !== this.generation) return;
      this.rows.push(...page.entries);
      this.next = page.next;
      this.total = page.total;
    } finally {
      this.loading = null;
    }
    this.draw();
  }

  pick(entry) {
    this.selected = entry.key;
    this.select(entry);
    this.draw();
  }
}
