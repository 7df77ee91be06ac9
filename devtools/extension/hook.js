// In the page's own world, before its scripts: makes sure the devtools hook exists (caches push
// their handles onto it whenever they open), and answers the relay's calls on those handles.
// Messages are JSON (structured clone fails on some real data), tagged by their source.
(() => {
  const HOOK = Symbol.for('smartcache.devtools');
  if (!Array.isArray(globalThis[HOOK])) globalThis[HOOK] = [...(globalThis[HOOK] ?? [])];
  const FROM_RELAY = 'smartcache-devtools-relay';
  const FROM_HOOK = 'smartcache-devtools-hook';
  const post = (message) => window.postMessage({ source: FROM_HOOK, json: JSON.stringify(message) }, '*');
  const live = () => globalThis[HOOK].filter((h) => h && !h.closed);
  const subscriptions = new Map();
  window.addEventListener('smartcache-devtools', () => post({ type: 'handles' }));
  window.addEventListener('message', async (event) => {
    if (event.source !== window || event.data?.source !== FROM_RELAY) return;
    const { id, method, handle: handleId, args = [] } = JSON.parse(event.data.json);
    try {
      if (method === 'handles') {
        post({ id, result: live().map(({ id: hid, namespace, version }) => ({ id: hid, namespace, version })) });
        return;
      }
      const handle = live().find((h) => h.id === handleId);
      if (!handle) throw new Error(`no cache ${handleId} on this page`);
      if (method === 'subscribe') {
        subscriptions.get(handleId)?.();
        subscriptions.set(handleId, handle.subscribe((events) => post({ type: 'events', handle: handleId, events })));
        post({ id, result: true });
      } else if (method === 'unsubscribe') {
        subscriptions.get(handleId)?.();
        subscriptions.delete(handleId);
        post({ id, result: true });
      } else if (['stats', 'entries', 'graph', 'predictions', 'command'].includes(method)) {
        post({ id, result: (await handle[method](...args)) ?? null });
      } else {
        throw new Error(`unknown method ${method}`);
      }
    } catch (error) {
      post({ id, error: String(error?.message ?? error) });
    }
  });
})();
