// The npm package as a user meets it: `npm pack`, `npm install` of the tarball into throwaway
// Vite apps, a strict type check of their TypeScript against the package's types, `vite build`,
// and a run in Chromium. The React app also renders on the server, in Node.
import { after, before, test } from 'node:test';
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
let tarball;

before(() => {
  tarball = join(work, run('npm', ['pack', '--silent', '--pack-destination', work, join(root, 'pkg')], root).trim().split('\n').pop());
});
after(() => rmSync(work, { recursive: true, force: true }));

/** Copies the app folder, installs the tarball and `linked` packages of this workspace (linked,
 *  not downloaded), type-checks and builds it; returns its folder. */
function buildApp(name, linked = []) {
  const app = join(work, name);
  cpSync(join(root, 'tests/e2e', name), app, { recursive: true });
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name, private: true, type: 'module' }));
  const links = linked.map((dep) => join(root, 'node_modules', dep));
  run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', '--install-links=false', tarball, ...links], app);
  run(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', app], app);
  run(process.execPath, [join(root, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'error'], app);
  const assets = readdirSync(join(app, 'dist/assets'));
  assert.ok(assets.some((f) => f.endsWith('.wasm')), `a wasm asset in ${assets}`);
  return app;
}

async function inBrowser(app, visit) {
  const server = await serveFolder(join(app, 'dist'));
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage();
    const result = async (path) => {
      if (path === undefined) await page.reload();
      else await page.goto(`${server.url}${path}`);
      await page.waitForFunction(() => window.__result !== undefined, null, { timeout: 15_000 });
      return page.evaluate(() => window.__result);
    };
    await visit(result);
  } finally {
    await browser.close();
    await server.close();
  }
}

test('npm pack, npm install into a Vite app, type-check, build and run', async () => {
  const app = buildApp('vite-app');
  const installed = readdirSync(join(app, 'node_modules/smartcache')).sort();
  assert.deepEqual(installed, ['LICENSE', 'devtools.d.ts', 'dist', 'index.d.ts', 'package.json', 'react.d.ts', 'tanstack.d.ts', 'wasm']);
  // What ships: the bundles (with their maps) and the wasm, not the sources they are made from.
  const shipped = readdirSync(join(app, 'node_modules/smartcache/dist')).filter((f) => f.endsWith('.js'));
  for (const entry of ['index.js', 'react.js', 'tanstack.js', 'devtools.js']) assert.ok(shipped.includes(entry), `${entry} in ${shipped}`);
  assert.deepEqual(readdirSync(join(app, 'node_modules/smartcache/wasm')), ['smartcache_bg.wasm']);
  await inBrowser(app, async (result) => {
    assert.deepEqual(await result('/'), { name: 'Acme', rows: 1, code: 'INVALID_KEY', hits: 1, loaded: 'Loaded', predict: 'on' });
  });
});

test('a React app: smartcache/react and smartcache/tanstack type-check strictly, build, render on the server and survive a reload', async () => {
  const react = ['react', 'react-dom', '@types/react', '@types/react-dom', '@tanstack/react-query', '@tanstack/react-query-persist-client'];
  const app = buildApp('react-package', react);

  const html = run(process.execPath, ['ssr.mjs'], app);
  for (const part of ['company:1:loading', 'company:3:idle', 'company:4:loading', '<i>opening</i>', '<b>suspended</b>']) {
    assert.ok(html.includes(part), `${part} in ${html}`);
  }

  await inBrowser(app, async (result) => {
    assert.deepEqual(await result('/?app=smartcache'), { app: 'smartcache', name: 'Company 42', fetches: 1 });
    assert.deepEqual(await result(), { app: 'smartcache', name: 'Company 42', fetches: 0 }, 'a reload renders from the cache');

    const cold = await result('/?app=tanstack');
    assert.deepEqual(cold, { app: 'tanstack', name: 'Company 42', fetches: 1, stored: ['tanstack-query:client'] });
    const reload = await result();
    assert.equal(reload.fetches, 0, 'the persisted client, restored from smartcache, answers the query');
    assert.equal(reload.name, 'Company 42');
  });
});
