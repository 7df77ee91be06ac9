// Headless Chromium through playwright-core, with the system's browser (no download): CHROME_BIN
// when set, else /usr/bin/chromium. A persistent profile gives real on-disk storage.
import { chromium } from 'playwright-core';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

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

export async function launchBrowser({ extraArgs = [] } = {}) {
  const profile = await mkdtemp(join(tmpdir(), 'smartcache-profile-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROME_BIN || '/usr/bin/chromium',
    headless: true,
    args: [...CHROMIUM_ARGS, ...extraArgs],
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
