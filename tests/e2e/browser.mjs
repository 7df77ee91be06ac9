// Headless Chromium through playwright-core, with the system's browser (no download): CHROME_BIN
// when set, else chromium from PATH. A persistent profile gives real on-disk storage.
import { chromium } from 'playwright-core';
import { mkdtemp, rm } from 'node:fs/promises';
import { accessSync, constants } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

export const CHROMIUM_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
];

/** The browser to drive: CHROME_BIN, else `chromium` on PATH (what scripts/setup.sh checks for
 *  and installs), else Debian's path. */
export function chromeBin() {
  if (process.env.CHROME_BIN) return process.env.CHROME_BIN;
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, 'chromium');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return '/usr/bin/chromium';
}

/** `extension`: the folder of an unpacked extension to load (Debian's Chromium honours
 *  --load-extension under --headless=new; Playwright's own headless mode cannot load one). */
export async function launchBrowser({ extraArgs = [], extension } = {}) {
  const profile = await mkdtemp(join(tmpdir(), 'smartcache-profile-'));
  const withExtension = extension ? [`--load-extension=${extension}`, `--disable-extensions-except=${extension}`] : [];
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromeBin(),
    // CHROMIUM_ARGS carry --headless=new; with an extension Playwright must not add its own.
    headless: !extension,
    args: [...CHROMIUM_ARGS, ...withExtension, ...extraArgs],
    ...(extension ? { ignoreDefaultArgs: ['--disable-extensions'] } : {}),
  });
  return {
    context,
    async newPage() {
      const page = await context.newPage();
      page.on('pageerror', (error) => console.error('page error:', error));
      return page;
    },
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}
