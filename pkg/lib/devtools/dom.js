// The few DOM helpers the panel is written with: no framework, so the panel adds nothing to an
// app that does not mount it, and works in any page and in the extension alike.

/** An element: `h('div', { class: 'x', onclick }, child, 'text', ...)`. */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on')) el.addEventListener(name.slice(2), value);
    else if (name === 'class') el.className = value;
    else el.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

/** An SVG element. */
export function svg(tag, attrs = {}, ...children) {
  const el = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [name, value] of Object.entries(attrs)) el.setAttribute(name, String(value));
  for (const child of children.flat()) el.append(child instanceof Node ? child : String(child));
  return el;
}

export const kib = (bytes) => (bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MiB` : `${(bytes / 1024).toFixed(1)} KiB`);

/** "12 s", "4 min", "2 h" until `at` (epoch ms), "—" for never, "past" when gone by. */
export function countdown(at, now = Date.now()) {
  if (!at) return '—';
  const s = (at - now) / 1000;
  if (s <= 0) return 'past';
  if (s < 90) return `${Math.ceil(s)} s`;
  if (s < 90 * 60) return `${Math.round(s / 60)} min`;
  return `${Math.round(s / 3600)} h`;
}
