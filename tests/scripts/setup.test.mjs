// The setup script's decisions on a machine unlike this one: CI runs where a browser is already
// installed, so these runs give it a PATH of stubs and check what it would install (--dry-run).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const script = join(root, 'scripts/setup.sh');
const BASICS = ['bash', 'awk', 'grep', 'id', 'dirname', 'cat'];

/** Runs setup.sh with only the basics (plus `extra` stub commands, and `stubs`: name -> the
 *  shell body of a stub) on PATH. */
function setup(args, { extra = [], stubs = {}, env = {}, at = script } = {}) {
  const bin = mkdtempSync(join(tmpdir(), 'smartcache-stub-path-'));
  try {
    for (const tool of BASICS) {
      const found = spawnSync('bash', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).stdout.trim();
      symlinkSync(found, join(bin, tool));
    }
    for (const [tool, body] of [...extra.map((t) => [t, 'exit 0']), ...Object.entries(stubs)]) {
      writeFileSync(join(bin, tool), `#!/bin/sh\n${body}\n`);
      chmodSync(join(bin, tool), 0o755);
    }
    // No stdin: with one, bash may read a startup file that puts this machine's tools back on PATH.
    return spawnSync(join(bin, 'bash'), [at, ...args], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { PATH: bin, HOME: bin, ...env },
    });
  } finally {
    rmSync(bin, { recursive: true, force: true });
  }
}

test('a machine without Chromium: setup chooses to install it, and the toolchain pieces', () => {
  const run = setup(['--browser', '--fuzz', '--dry-run']);
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /would: install chromium chromium-driver \(apt-get\)/);
  assert.match(run.stdout, /would: installing cargo-fuzz/);
  assert.match(run.stdout, /would: adding the wasm32-unknown-unknown target/);
  assert.match(run.stdout, /would: installing wasm-bindgen-cli \d+\.\d+\.\d+/);
});

test('Chromium and its driver on PATH: nothing to install for the browser', () => {
  const run = setup(['--browser', '--dry-run'], { extra: ['chromium', 'chromedriver'], env: { BROWSERS: 'chromium' } });
  assert.equal(run.status, 0, run.stderr);
  assert.doesNotMatch(run.stdout, /chromium/);
});

test('every engine by default: Firefox ESR with geckodriver and WebKitGTK with Xvfb are installed too', () => {
  const run = setup(['--browser', '--dry-run'], { extra: ['chromium', 'chromedriver'] });
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /would: install firefox-esr \(apt-get\)/);
  assert.match(run.stdout, /would: installing geckodriver/);
  assert.match(run.stdout, /would: install webkit2gtk-driver \(apt-get\)/);
  assert.match(run.stdout, /would: install xvfb \(apt-get\)/);
  const present = setup(['--browser', '--dry-run'], { extra: ['chromium', 'chromedriver', 'firefox-esr', 'geckodriver', 'WebKitWebDriver', 'Xvfb'] });
  assert.equal(present.status, 0, present.stderr);
  assert.doesNotMatch(present.stdout, /firefox|gecko|webkit|xvfb/i);
});

test('BROWSERS=chromium installs no other engine; an unknown engine is an error', () => {
  const chromiumOnly = setup(['--browser', '--dry-run'], { extra: ['chromium', 'chromedriver'], env: { BROWSERS: 'chromium' } });
  assert.equal(chromiumOnly.status, 0, chromiumOnly.stderr);
  assert.doesNotMatch(chromiumOnly.stdout, /firefox|gecko|webkit|xvfb/i);
  const unknown = setup(['--browser', '--dry-run'], { env: { BROWSERS: 'chromium netscape' } });
  assert.equal(unknown.status, 2);
  assert.match(unknown.stderr, /unknown engine "netscape"/);
});

test('without root or apt-get, an engine that is missing fails the setup, naming it and the way out', () => {
  const run = setup(['--browser'], { extra: ['chromium', 'chromedriver', 'rustup', 'wasm-bindgen', 'npm', 'cargo'], stubs: { id: 'echo 1000' } });
  assert.equal(run.status, 1);
  assert.match(run.stderr, /firefox-esr missing.*BROWSERS=chromium/);
});

test('as root with apt-get, a missing Chromium is installed through it, whatever `id` on PATH says', { skip: process.getuid?.() !== 0 && 'needs root' }, () => {
  const log = join(mkdtempSync(join(tmpdir(), 'smartcache-apt-')), 'calls');
  const run = setup(['--browser'], {
    extra: ['rustup', 'wasm-bindgen', 'npm', 'cargo', 'touch'],
    stubs: { id: 'echo 1000', 'apt-get': `echo "$@" >> ${log}` },
    env: { BROWSERS: 'chromium' },
  });
  assert.equal(run.status, 0, run.stderr);
  assert.match(readFileSync(log, 'utf8'), /install -y -qq chromium chromium-driver/);
});

test('a missing wasm-bindgen CLI is installed with --force (cargo skips a crate it has on record, binary gone or not)', () => {
  const log = join(mkdtempSync(join(tmpdir(), 'smartcache-cargo-')), 'calls');
  const run = setup([], { extra: ['rustup', 'npm'], stubs: { cargo: `echo "$@" >> ${log}` } });
  assert.equal(run.status, 0, run.stderr);
  assert.match(readFileSync(log, 'utf8'), /^install -q --force wasm-bindgen-cli --version \d+\.\d+\.\d+$/m);
});

test('a wasm-bindgen CLI of another version than Cargo.lock\'s is replaced; the matching one is kept', () => {
  const locked = /name = "wasm-bindgen"\nversion = "([\d.]+)"/.exec(readFileSync(join(root, 'Cargo.lock'), 'utf8'))[1];
  const stale = setup(['--dry-run'], { stubs: { 'wasm-bindgen': 'echo "wasm-bindgen 0.2.1"' } });
  assert.equal(stale.status, 0, stale.stderr);
  assert.match(stale.stdout, new RegExp(`would: installing wasm-bindgen-cli ${locked.replace(/\./g, '\\.')}`));
  const current = setup(['--dry-run'], { stubs: { 'wasm-bindgen': `echo "wasm-bindgen ${locked}"` } });
  assert.equal(current.status, 0, current.stderr);
  assert.doesNotMatch(current.stdout, /wasm-bindgen-cli/);
});

test('a CHROME_BIN that is not there is an error, not a silent install', () => {
  const run = setup(['--browser', '--dry-run'], { env: { CHROME_BIN: '/nonexistent/chromium' } });
  assert.equal(run.status, 1);
  assert.match(run.stderr, /\/nonexistent\/chromium .* is not an executable/);
});

test('without --browser no browser is considered', () => {
  const run = setup(['--dry-run']);
  assert.equal(run.status, 0, run.stderr);
  assert.doesNotMatch(run.stdout, /chromium/);
});

/** A checkout without node_modules: the script, the lock files, nothing installed. */
function bareCheckout() {
  const dir = mkdtempSync(join(tmpdir(), 'smartcache-bare-'));
  for (const file of ['scripts/setup.sh', 'Cargo.lock', 'package-lock.json', 'tests/react18/package-lock.json']) {
    mkdirSync(join(dir, file, '..'), { recursive: true });
    copyFileSync(join(root, file), join(dir, file));
  }
  return dir;
}

test('missing node_modules, the workspace’s and React 18’s: setup installs both; once there, neither', () => {
  const dir = bareCheckout();
  try {
    const bare = setup(['--dry-run'], { at: join(dir, 'scripts/setup.sh') });
    assert.equal(bare.status, 0, bare.stderr);
    assert.match(bare.stdout, /would: installing npm packages in \.\n/);
    assert.match(bare.stdout, /would: installing npm packages in tests\/react18/);
    for (const folder of ['.', 'tests/react18']) {
      mkdirSync(join(dir, folder, 'node_modules'), { recursive: true });
      writeFileSync(join(dir, folder, 'node_modules/.package-lock.json'), '{}');
      const later = new Date(Date.now() + 60_000);
      utimesSync(join(dir, folder, 'node_modules/.package-lock.json'), later, later);
    }
    const installed = setup(['--dry-run'], { at: join(dir, 'scripts/setup.sh') });
    assert.equal(installed.status, 0, installed.stderr);
    assert.doesNotMatch(installed.stdout, /npm packages/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('node_modules older than package-lock.json (a checkout that added a package, as the bundler was): setup installs again there only', () => {
  const dir = bareCheckout();
  try {
    const earlier = new Date(Date.now() - 60_000);
    for (const folder of ['.', 'tests/react18']) {
      mkdirSync(join(dir, folder, 'node_modules'), { recursive: true });
      writeFileSync(join(dir, folder, 'node_modules/.package-lock.json'), '{}');
    }
    // The workspace's install predates its lock; React 18's is newer than its own.
    utimesSync(join(dir, 'node_modules/.package-lock.json'), earlier, earlier);
    const later = new Date(Date.now() + 60_000);
    utimesSync(join(dir, 'tests/react18/node_modules/.package-lock.json'), later, later);
    const run = setup(['--dry-run'], { at: join(dir, 'scripts/setup.sh') });
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /would: installing npm packages in \.\n/);
    assert.doesNotMatch(run.stdout, /npm packages in tests\/react18/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
