// The panel: the devtools UI of the package, over an adapter that calls the inspected tab's
// handles through the service worker (a port "panel:<tabId>"), with timeouts.
import { DevtoolsUI } from './ui/ui.js';

const TIMEOUT_MS = 5_000;
const tabId = Number(new URLSearchParams(location.search).get('tab'));

function portAdapter() {
  const port = chrome.runtime.connect({ name: `panel:${tabId}` });
  const pending = new Map();
  const subscribers = new Map(); // handle id -> listener
  const handleListeners = new Set();
  let next = 0;
  port.onMessage.addListener((json) => {
    const message = JSON.parse(json);
    if (message.type === 'events') subscribers.get(message.handle)?.(message.events);
    else if (message.type === 'handles') handleListeners.forEach((l) => l());
    else if (pending.has(message.id)) {
      const { resolve, reject, timer } = pending.get(message.id);
      pending.delete(message.id);
      clearTimeout(timer);
      if ('error' in message) reject(new Error(message.error));
      else resolve(message.result);
    }
  });
  const request = (method, handle, args) =>
    new Promise((resolve, reject) => {
      const id = (next += 1);
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error(`${method}: no answer from the page in ${TIMEOUT_MS} ms`));
      }, TIMEOUT_MS);
      pending.set(id, { resolve, reject, timer });
      port.postMessage(JSON.stringify({ id, method, handle, args }));
    });
  return {
    handles: () => request('handles'),
    onHandles(listener) {
      handleListeners.add(listener);
      return () => handleListeners.delete(listener);
    },
    call: (handle, method, ...args) => request(method, handle, args),
    subscribe(handle, listener) {
      subscribers.set(handle, listener);
      request('subscribe', handle).catch(() => {});
      return () => {
        subscribers.delete(handle);
        request('unsubscribe', handle).catch(() => {});
      };
    },
  };
}

const ui = new DevtoolsUI(document.getElementById('root'), portAdapter());
// A page reloaded, or a cache opened later: list again.
setInterval(() => ui.listHandles().catch(() => {}), 2_000);
