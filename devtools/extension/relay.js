// In the content script's isolated world: carries messages between the page's hook (window
// messages) and the extension's service worker (a port named "tab").
let port = null;
function connect() {
  port = chrome.runtime.connect({ name: 'tab' });
  port.onMessage.addListener((message) => window.postMessage({ source: 'smartcache-devtools-relay', json: message }, '*'));
  port.onDisconnect.addListener(() => (port = null));
}
window.addEventListener('message', (event) => {
  if (event.source !== window || event.data?.source !== 'smartcache-devtools-hook') return;
  if (port === null) connect();
  port.postMessage(event.data.json);
});
connect();
