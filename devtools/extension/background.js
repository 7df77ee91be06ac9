// The service worker: routes messages between each tab's relay (port "tab") and the panels that
// inspect that tab (ports "panel:<tabId>"). Messages are JSON strings; nothing is kept but ports.
const tabs = new Map(); // tabId -> { port, url }
const panels = new Map(); // tabId -> Set of ports
globalThis.smartcacheTabs = tabs;

chrome.runtime.onConnect.addListener((port) => {
  if (port.name === 'tab') {
    const tabId = port.sender?.tab?.id;
    if (tabId === undefined) return;
    tabs.set(tabId, { port, url: port.sender.url });
    port.onMessage.addListener((json) => {
      for (const panel of panels.get(tabId) ?? []) panel.postMessage(json);
    });
    port.onDisconnect.addListener(() => {
      if (tabs.get(tabId)?.port === port) tabs.delete(tabId);
      for (const panel of panels.get(tabId) ?? []) panel.postMessage(JSON.stringify({ type: 'handles' }));
    });
  } else if (port.name.startsWith('panel:')) {
    const tabId = Number(port.name.slice('panel:'.length));
    if (!panels.has(tabId)) panels.set(tabId, new Set());
    panels.get(tabId).add(port);
    port.onMessage.addListener((json) => {
      const tab = tabs.get(tabId);
      if (tab) tab.port.postMessage(json);
      else port.postMessage(JSON.stringify({ id: JSON.parse(json).id, error: 'the page has no smartcache hook (reload it)' }));
    });
    port.onDisconnect.addListener(() => panels.get(tabId)?.delete(port));
  }
});
