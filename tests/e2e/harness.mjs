// What every browser test file needs: the repository served on localhost, one browser with a
// persistent profile for the file, fresh pages, and code run in a page with the package.
//
// ENGINE picks the browser: chromium (the default) through Playwright, firefox or webkit through
// WebDriver (webdriver.mjs), behind the same page methods. Tests that need what only Playwright
// and Chromium give (init scripts, CDP, extensions) say so with `onlyIn`.
import { after, before } from 'node:test';
import { fileURLToPath } from 'node:url';
import { launchBrowser } from './browser.mjs';
import { driverPages, launch } from './webdriver.mjs';
import { serveFolder } from '../../scripts/static-server.mjs';

export const root = fileURLToPath(new URL('../..', import.meta.url));

export const ENGINE = process.env.ENGINE || 'chromium';

/** Test options that skip, saying why, on engines other than `engine`. */
export const onlyIn = (engine, why) => ({ skip: ENGINE === engine ? false : `${engine} only: ${why}` });

/** One browser of ENGINE: `newPage()` gives a page with Playwright's evaluate, waitForFunction,
 *  goto, reload and close (the Playwright browser itself as `playwright` in Chromium; the
 *  engine's name and version as `version` elsewhere). */
export async function openEngine() {
  if (ENGINE === 'chromium') {
    const browser = await launchBrowser();
    return { playwright: browser, newPage: () => browser.newPage(), close: () => browser.close() };
  }
  const driver = await launch(ENGINE);
  const pages = driverPages(driver);
  return { playwright: null, newPage: () => pages.newPage(), close: () => driver.close(), version: driver.version };
}

/** Registers the file's before/after hooks; the returned object fills in once they ran. */
export function useBrowser() {
  const session = { server: null, browser: null };
  let started;
  const ready = new Promise((resolve) => (started = resolve));
  before(async () => {
    session.server = await serveFolder(root);
    session.engine = await openEngine();
    session.browser = session.engine.playwright;
    started();
  });
  after(async () => {
    await session.engine?.close();
    await session.server?.close();
  });
  /** A fresh page at `path` (by default the blank test page). */
  session.openPage = async (path = '/tests/e2e/pages/blank.html') => {
    // Other before hooks of the file may run before this one has finished.
    await ready;
    const page = await session.engine.newPage();
    await page.goto(`${session.server.url}${path}`);
    return page;
  };
  return session;
}

/** Runs `fn(module, arg)` in the page, with the package imported from `entry` (its source,
 *  /pkg/index.js, unless told; /pkg/dist/index.js is what npm ships) as a plain ES module. */
export const inPage = (page, fn, arg, entry = '/pkg/index.js') =>
  page.evaluate(
    async ([source, arg, entry]) => {
      const m = await import(entry);
      return new Function('m', 'arg', `return (${source})(m, arg);`)(m, arg);
    },
    [fn.toString(), arg, entry],
  );
