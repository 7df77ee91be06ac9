// The npm package as a user meets it: `npm pack`, `npm install` of the tarball into a throwaway
// Vite app, a type check of its TypeScript against index.d.ts, `vite build`, and a run in Chromium.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchBrowser } from './browser.mjs';
import { serveFolder } from '../../scripts/static-server.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'smartcache-vite-'));
const run = (cmd, args, cwd) => execFileSync(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });

after(() => rmSync(work, { recursive: true, force: true }));

test('npm pack, npm install into a Vite app, type-check, build and run', async () => {
  const tarball = run('npm', ['pack', '--silent', '--pack-destination', work, join(root, 'pkg')], root).trim().split('\n').pop();
  const app = join(work, 'app');
  cpSync(join(root, 'tests/e2e/vite-app'), app, { recursive: true });
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'vite-app', private: true, type: 'module' }));
  run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', join(work, tarball)], app);

  const installed = readdirSync(join(app, 'node_modules/smartcache')).sort();
  assert.deepEqual(installed, ['index.d.ts', 'index.js', 'lib', 'package.json', 'wasm']);

  run(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', app], app);
  run(process.execPath, [join(root, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'error'], app);
  const assets = readdirSync(join(app, 'dist/assets'));
  assert.ok(assets.some((f) => f.endsWith('.wasm')), `a wasm asset in ${assets}`);

  const server = await serveFolder(join(app, 'dist'));
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage();
    await page.goto(server.url);
    await page.waitForFunction(() => window.__result !== undefined, null, { timeout: 15_000 });
    const result = await page.evaluate(() => window.__result);
    assert.deepEqual(result, { name: 'Acme', rows: 1, code: 'INVALID_KEY', hits: 1, loaded: 'Loaded' });
  } finally {
    await browser.close();
    await server.close();
  }
});
