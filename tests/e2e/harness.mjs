// What every browser test file needs: the repository served on localhost, one headless Chromium
// with a persistent profile for the file, fresh pages, and code run in a page with the package.
import { after, before } from 'node:test';
import { fileURLToPath } from 'node:url';
import { launchBrowser } from './browser.mjs';
import { serveFolder } from '../../scripts/static-server.mjs';

export const root = fileURLToPath(new URL('../..', import.meta.url));

/** Registers the file's before/after hooks; the returned object fills in once they ran. */
export function useBrowser() {
  const session = { server: null, browser: null };
  let started;
  const ready = new Promise((resolve) => (started = resolve));
  before(async () => {
    session.server = await serveFolder(root);
    session.browser = await launchBrowser();
    started();
  });
  after(async () => {
    await session.browser?.close();
    await session.server?.close();
  });
  /** A fresh page at `path` (by default the blank test page). */
  session.openPage = async (path = '/tests/e2e/pages/blank.html') => {
    // Other before hooks of the file may run before this one has finished.
    await ready;
    const page = await session.browser.newPage();
    await page.goto(`${session.server.url}${path}`);
    return page;
  };
  return session;
}

/** Runs `fn(module, arg)` in the page, with the package imported from /pkg/index.js as a plain ES module. */
export const inPage = (page, fn, arg) =>
  page.evaluate(
    async ([source, arg]) => {
      const m = await import('/pkg/index.js');
      return new Function('m', 'arg', `return (${source})(m, arg);`)(m, arg);
    },
    [fn.toString(), arg],
  );
