// smartcache/devtools: the in-page devtools panel. `mountDevtools()` opens a floating, resizable
// panel in a shadow root (the page's CSS cannot reach it) that lists every cache registered with
// the page's devtools hook. Only apps that import this entry load it.
import { pageAdapter } from './lib/devtools/adapter.js';
import { DevtoolsUI } from './lib/devtools/ui.js';
import { STYLES } from './lib/devtools/styles.js';
import { h } from './lib/devtools/dom.js';
import { DEVTOOLS_ID } from './lib/internal.js';

/** Mounts the panel into `target` (document.body); `open: false` shows only its toggle button.
 *  `cache` chooses that cache first. Returns what unmounts it. */
export function mountDevtools({ cache, target, open = true } = {}) {
  const host = h('div', { 'data-smartcache-devtools': '' });
  const root = host.attachShadow({ mode: 'open' });
  (target ?? document.body).append(host);
  const inner = h('div', { style: 'direction: ltr; width: 100%; height: 100%;' });
  // Anchored bottom-right; right-to-left puts the resize handle in the corner that moves.
  const frame = h('div', {
    style: 'position: fixed; right: 12px; bottom: 12px; width: min(960px, 90vw); height: min(420px, 60vh); ' +
      'resize: both; overflow: hidden; z-index: 2147483647; box-shadow: 0 4px 24px rgba(0,0,0,.25); border: 1px solid #9aa5b1; direction: rtl;',
  }, inner);
  let ui = null;
  const show = async () => {
    toggle.remove();
    root.append(frame);
    ui = new DevtoolsUI(inner, pageAdapter(), { onClose: hide, prefer: cache?.[DEVTOOLS_ID] });
    await ui.ready;
  };
  const hide = () => {
    ui?.destroy();
    ui = null;
    inner.replaceChildren();
    frame.remove();
    root.append(toggle);
  };
  const toggle = h('button', { class: 'toggle', 'aria-label': 'open smartcache devtools', onclick: show }, 'smartcache');
  // The toggle button's style is the panel's (styles.js).
  root.append(h('style', {}, STYLES));
  if (open) show();
  else root.append(toggle);
  return () => {
    ui?.destroy();
    host.remove();
  };
}
