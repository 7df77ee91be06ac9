// The devtools page: adds the "smartcache" panel for the inspected tab.
chrome.devtools.panels.create('smartcache', '', `panel.html?tab=${chrome.devtools.inspectedWindow.tabId}`);
