// A small W3C WebDriver client: one harness that drives Chromium (chromedriver), Firefox ESR
// (geckodriver) and WebKitGTK (WebKitWebDriver, under a virtual X display) alike. Playwright's
// own Firefox and WebKit builds cannot be downloaded here, and Selenium's client would look for
// drivers online; the protocol is a handful of HTTP calls.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const HEADLESS_CHROMIUM = ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

const which = (command) => spawnSync('bash', ['-c', `command -v ${command}`], { encoding: 'utf8' }).stdout.trim();

/** WebKitGTK's MiniBrowser, which WebKitWebDriver automates (Debian keeps it in libexec). */
function miniBrowser() {
  for (const lib of ['/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib']) {
    if (!existsSync(lib)) continue;
    for (const dir of readdirSync(lib).filter((d) => d.startsWith('webkit2gtk-') || d.startsWith('webkitgtk-'))) {
      const path = join(lib, dir, 'MiniBrowser');
      if (existsSync(path)) return path;
    }
  }
  return '';
}

/** What each engine needs: its driver, its browser and the capabilities that make it headless. */
export const ENGINES = {
  chromium: {
    driver: () => process.env.CHROMEDRIVER || which('chromedriver'),
    browser: () => process.env.CHROME_BIN || which('chromium'),
    args: (port) => [`--port=${port}`],
    capabilities: (browser) => ({ browserName: 'chrome', 'goog:chromeOptions': { binary: browser, args: HEADLESS_CHROMIUM } }),
  },
  firefox: {
    driver: () => process.env.GECKODRIVER || which('geckodriver'),
    browser: () => process.env.FIREFOX_BIN || which('firefox-esr') || which('firefox'),
    args: (port) => ['--port', String(port)],
    capabilities: (browser) => ({ browserName: 'firefox', 'moz:firefoxOptions': { binary: browser, args: ['-headless'] } }),
  },
  webkit: {
    driver: () => process.env.WEBKIT_DRIVER || which('WebKitWebDriver'),
    browser: () => process.env.WEBKIT_BROWSER || miniBrowser(),
    args: (port) => [`--port=${port}`],
    // MiniBrowser has no headless mode here: it runs on the virtual display the driver gets.
    capabilities: (browser) => ({ browserName: 'MiniBrowser', 'webkitgtk:browserOptions': { binary: browser, args: ['--automation'] } }),
    display: true,
  },
};

async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A virtual X display (Xvfb) for engines that need one; stopped with the driver. */
async function startDisplay() {
  const xvfb = which('Xvfb');
  if (!xvfb) throw new Error('Xvfb is missing: install xvfb (scripts/setup.sh --browser does)');
  for (let n = 90; n < 140; n++) {
    if (existsSync(`/tmp/.X11-unix/X${n}`) || existsSync(`/tmp/.X${n}-lock`)) continue;
    const child = spawn(xvfb, [`:${n}`, '-screen', '0', '1280x1024x24', '-nolisten', 'tcp'], { stdio: 'ignore' });
    for (let i = 0; i < 100 && !existsSync(`/tmp/.X11-unix/X${n}`); i++) await new Promise((r) => setTimeout(r, 50));
    if (child.exitCode === null) return { display: `:${n}`, stop: () => child.kill() };
  }
  throw new Error('no free X display for Xvfb');
}

/** Starts `engine`'s driver and one browser session on it. */
export async function launch(engine) {
  const spec = ENGINES[engine];
  if (!spec) throw new Error(`unknown engine ${engine} (chromium, firefox or webkit)`);
  const driver = spec.driver();
  const browser = spec.browser();
  if (!driver || !browser) throw new Error(`${engine}: driver or browser not installed (driver: ${driver || 'missing'}, browser: ${browser || 'missing'}); run scripts/setup.sh --browser`);
  const display = spec.display ? await startDisplay() : null;
  const port = await freePort();
  const home = mkdtempSync(join(tmpdir(), `smartcache-${engine}-`));
  const env = { ...process.env, HOME: home, ...(display ? { DISPLAY: display.display } : {}) };
  const child = spawn(driver, spec.args(port), { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr.on('data', (chunk) => (log = (log + chunk).slice(-4000)));
  const base = `http://127.0.0.1:${port}`;
  const call = async (method, path, body) => {
    const response = await fetch(`${base}${path}`, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    const answer = await response.json();
    if (!response.ok || answer.value?.error) {
      throw new Error(`${engine} WebDriver ${method} ${path}: ${answer.value?.error ?? response.status}: ${answer.value?.message ?? ''}`);
    }
    return answer.value;
  };
  for (let i = 0; ; i++) {
    try {
      if ((await call('GET', '/status')).ready !== false) break;
    } catch (error) {
      if (i > 200 || child.exitCode !== null) throw new Error(`${engine}: the driver did not start: ${error.message}\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const created = await call('POST', '/session', { capabilities: { alwaysMatch: spec.capabilities(browser) } });
  const session = `/session/${created.sessionId}`;
  await call('POST', `${session}/timeouts`, { script: 120_000, pageLoad: 60_000 });
  const caps = created.capabilities;
  const names = { chrome: 'Chromium', firefox: 'Firefox', MiniBrowser: 'WebKitGTK' };
  return {
    engine,
    version: `${names[caps.browserName] ?? caps.browserName} ${caps.browserVersion}`,
    call: (method, path, body) => call(method, `${session}${path}`, body),
    async close() {
      await call('DELETE', session).catch(() => {});
      child.kill();
      display?.stop();
      rmSync(home, { recursive: true, force: true });
    },
  };
}

/** Values cross WebDriver as JSON; these marks keep what JSON would lose (undefined, NaN,
 *  ±Infinity) so that results compare as Playwright's do. */
const PAGE_ENCODE = `(value) => JSON.stringify(value === undefined ? { '#': 'undefined' } : value, (k, v) =>
  v === undefined ? { '#': 'undefined' } : typeof v === 'number' && !Number.isFinite(v) ? { '#': String(v) } : v)`;

function decode(value) {
  if (Array.isArray(value)) return value.map(decode);
  if (value === null || typeof value !== 'object') return value;
  const keys = Object.keys(value);
  if (keys.length === 1 && keys[0] === '#') return value['#'] === 'undefined' ? undefined : Number(value['#']);
  return Object.fromEntries(keys.map((k) => [k, decode(value[k])]));
}

let evaluations = 0;

/** Runs `source` (a function's text, given `arg`; it may return a promise) in the current
 *  window; its result comes back as Playwright's would. A rejection is thrown here with the
 *  page's message.
 *
 *  The code runs in the page's own realm, from a script element: Firefox runs WebDriver scripts
 *  in a sandbox whose globals are not the page's (a module imported from there would see values
 *  the page made, such as IndexedDB's, as foreign). The result comes back through a DOM
 *  attribute, which both sides see. */
export async function evaluate(browser, source, arg) {
  const id = `data-webdriver-${(evaluations += 1)}`;
  const page = `{
    const encode = ${PAGE_ENCODE};
    const attribute = ${JSON.stringify(id)};
    Promise.resolve().then(() => (${source})(${JSON.stringify(arg === undefined ? null : arg)})).then(
      (value) => ({ json: encode(value) }),
      (error) => ({ error: String(error) + (error && error.stack ? ' ' + error.stack : '') }),
    ).then((answer) => document.documentElement.setAttribute(attribute, JSON.stringify(answer)));
  }`;
  const script = `const done = arguments[arguments.length - 1];
    const attribute = arguments[1];
    const element = document.createElement('script');
    element.textContent = arguments[0];
    // A script that does not even parse reports through window.onerror, not the attribute.
    const failed = (event) => document.documentElement.setAttribute(attribute, JSON.stringify({ error: String(event.message) }));
    window.addEventListener('error', failed, { once: true });
    document.documentElement.append(element);
    window.removeEventListener('error', failed);
    element.remove();
    const poll = () => {
      const answer = document.documentElement.getAttribute(attribute);
      if (answer === null) return setTimeout(poll, 2);
      document.documentElement.removeAttribute(attribute);
      done(answer);
    };
    poll();`;
  const answer = JSON.parse(await browser.call('POST', '/execute/async', { script, args: [page, id] }));
  if (answer.error) throw new Error(`in ${browser.engine}: ${answer.error}`);
  return decode(JSON.parse(answer.json));
}

/** Pages in the windows of one WebDriver session, with the part of Playwright's Page the tests
 *  use (evaluate, waitForFunction, goto, reload, close). Commands are queued: one window at a
 *  time has the driver's attention. */
export function driverPages(browser) {
  let queue = Promise.resolve();
  let current = null;
  let first = true;
  const run = (handle, command) => {
    const next = queue.then(async () => {
      if (handle !== null && current !== handle) {
        await browser.call('POST', '/window', { handle });
        current = handle;
      }
      return command();
    });
    queue = next.catch(() => {});
    return next;
  };
  const page = (handle) => ({
    evaluate: (fn, arg) => run(handle, () => evaluate(browser, fn.toString(), arg)),
    async waitForFunction(fn, arg, { timeout = 30_000 } = {}) {
      const until = Date.now() + timeout;
      for (;;) {
        const value = await this.evaluate(fn, arg);
        if (value) return { jsonValue: async () => value };
        if (Date.now() > until) throw new Error(`waitForFunction timed out after ${timeout} ms`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    goto: (url) => run(handle, () => browser.call('POST', '/url', { url })),
    reload: () => run(handle, () => browser.call('POST', '/refresh', {})),
    close: () =>
      run(handle, async () => {
        // The session's last window stays (closing it would end the session): it goes blank.
        const handles = await browser.call('GET', '/window/handles');
        if (handles.length > 1) {
          const left = await browser.call('DELETE', '/window');
          // The driver has no current window now: the next command needs one.
          await browser.call('POST', '/window', { handle: left[0] });
          current = left[0];
        } else await browser.call('POST', '/url', { url: 'about:blank' });
      }),
    on() {
      // Console events are not part of WebDriver classic.
    },
  });
  return {
    async newPage() {
      const handle = await run(null, async () => {
        if (first) {
          first = false;
          return browser.call('GET', '/window');
        }
        const { handle } = await browser.call('POST', '/window/new', { type: 'window' });
        return handle;
      });
      return page(handle);
    },
  };
}
