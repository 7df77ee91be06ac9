// The devtools UI talks to caches only through an adapter, so that one UI serves the in-page
// panel (this adapter: the page's hook, called directly) and the browser extension (an adapter
// over messages). Every call is asynchronous, as it is across the extension's ports.
//
//   handles(): Promise<{ id, namespace, version }[]>
//   onHandles(listener): unsubscribe            the list changed
//   call(id, method, ...args): Promise<result>  stats | entries | graph | predictions | command
//   subscribe(id, listener(events[])): unsubscribe
import { HOOK, HOOK_EVENT } from '../devtools-hook.js';

const describe = ({ id, namespace, version }) => ({ id, namespace, version });

export function pageAdapter() {
  const live = () => [...(globalThis[HOOK] ?? [])].filter((h) => h && !h.closed);
  const find = (id) => {
    const handle = live().find((h) => h.id === id);
    if (!handle) throw new Error(`no cache ${id} on this page`);
    return handle;
  };
  return {
    async handles() {
      return live().map(describe);
    },
    onHandles(listener) {
      const on = () => listener();
      globalThis.addEventListener?.(HOOK_EVENT, on);
      return () => globalThis.removeEventListener?.(HOOK_EVENT, on);
    },
    async call(id, method, ...args) {
      const handle = find(id);
      if (!['stats', 'entries', 'graph', 'predictions', 'command'].includes(method)) throw new Error(`unknown method ${method}`);
      return handle[method](...args);
    },
    subscribe(id, listener) {
      return find(id).subscribe(listener);
    },
  };
}
