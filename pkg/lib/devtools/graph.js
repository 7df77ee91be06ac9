// An entry's dependency neighbourhood, drawn: what it is built from above it, what would go with it
// below (what invalidating it removes), one row per step; dashed lines are tags.
import { h, svg } from './dom.js';

const ROW = 56;
const CHAR = 6.8;
const PAD = 8;
const GAP = 14;
/** Marker ids are per drawing: several graphs may share a shadow root. */
let drawings = 0;

/** Levels from the key: negative upward (what it depends on), positive downward (what depends on it). */
export function levels({ nodes, edges }) {
  const key = nodes[0]?.key;
  const level = new Map(key === undefined ? [] : [[key, 0]]);
  const queue = key === undefined ? [] : [key];
  while (queue.length) {
    const name = queue.shift();
    const at = level.get(name);
    for (const e of edges) {
      // Upward from the key and from what lies above it; downward likewise.
      if (e.from === name && at <= 0 && !level.has(e.to)) {
        level.set(e.to, at - 1);
        queue.push(e.to);
      }
      if (e.to === name && at >= 0 && !level.has(e.from)) {
        level.set(e.from, at + 1);
        queue.push(e.from);
      }
    }
  }
  return level;
}

/** The SVG of a neighbourhood `{ nodes, edges }` (its first node is the selected key). */
export function drawGraph(graph, { onPick } = {}) {
  if (graph.nodes.length === 0) return h('p', { class: 'muted' }, 'nothing to draw');
  const level = levels(graph);
  const rows = new Map();
  for (const node of graph.nodes) {
    const at = level.get(node.key) ?? 0;
    if (!rows.has(at)) rows.set(at, []);
    rows.get(at).push(node);
  }
  const order = [...rows.keys()].sort((a, b) => a - b);
  const place = new Map();
  let width = 0;
  order.forEach((at, row) => {
    let x = PAD;
    for (const node of rows.get(at)) {
      const w = node.key.length * CHAR + 2 * PAD;
      place.set(node.key, { x, y: PAD + row * ROW, w, node });
      x += w + GAP;
    }
    width = Math.max(width, x);
  });
  const height = PAD + order.length * ROW;
  const arrow = `arrow-${(drawings += 1)}`;
  const lines = graph.edges
    .filter((e) => place.has(e.from) && place.has(e.to))
    .map((e) => {
      const a = place.get(e.from);
      const b = place.get(e.to);
      const below = a.y >= b.y;
      return svg('line', {
        x1: a.x + a.w / 2, y1: below ? a.y : a.y + 22,
        x2: b.x + b.w / 2, y2: below ? b.y + 22 : b.y,
        stroke: '#7b8794', 'stroke-width': 1.2, 'marker-end': `url(#${arrow})`,
        ...(e.kind === 'tag' ? { 'stroke-dasharray': '4 3' } : {}),
        'data-edge': `${e.from} -> ${e.to}`,
      });
    });
  const boxes = [...place.values()].map(({ x, y, w, node }) =>
    svg(
      'g',
      { 'data-node': node.key, transform: `translate(${x}, ${y})`, style: 'cursor: pointer' },
      svg('rect', {
        width: w, height: 22, rx: 4,
        fill: node.key === graph.nodes[0].key ? '#d9e8ff' : node.tier ? '#f5f7fa' : '#fff',
        stroke: node.tier ? '#3e7bfa' : '#9aa5b1', ...(node.tier ? {} : { 'stroke-dasharray': '3 2' }),
      }),
      svg('text', { x: PAD, y: 15 }, node.key),
      svg('title', {}, node.tier ? `${node.key} (${node.tier})` : `${node.key} (a tag or a key not cached)`),
    ),
  );
  for (const box of boxes) box.addEventListener('click', () => onPick?.(box.getAttribute('data-node')));
  const defs = svg('defs', {}, svg('marker', { id: arrow, viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 6, markerHeight: 6, orient: 'auto-start-reverse' },
    svg('path', { d: 'M 0 0 L 10 5 L 0 10 z', fill: '#7b8794' })));
  return svg('svg', { width, height, viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': 'dependency graph' }, defs, lines, boxes);
}
