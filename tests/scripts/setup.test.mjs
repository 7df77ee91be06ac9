// The setup script's decisions on a machine unlike this one: CI runs where a browser is already
// installed, so these runs give it a PATH of stubs and check what it would install (--dry-run).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const script = fileURLToPath(new URL('../../scripts/setup.sh', import.meta.url));
const BASICS = ['bash', 'awk', 'grep', 'id', 'dirname', 'cat'];

/** Runs setup.sh with only the basics (plus `extra` stub commands) on PATH. */
function setup(args, { extra = [], env = {} } = {}) {
  const bin = mkdtempSync(join(tmpdir(), 'smartcache-stub-path-'));
  try {
    for (const tool of BASICS) {
      const found = spawnSync('bash', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).stdout.trim();
      symlinkSync(found, join(bin, tool));
    }
    for (const tool of extra) {
      writeFileSync(join(bin, tool), '#!/bin/sh\nexit 0\n');
      chmodSync(join(bin, tool), 0o755);
    }
    // No stdin: with one, bash may read a startup file that puts this machine's tools back on PATH.
    return spawnSync(join(bin, 'bash'), [script, ...args], {
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
  const run = setup(['--browser', '--dry-run'], { extra: ['chromium', 'chromedriver'] });
  assert.equal(run.status, 0, run.stderr);
  assert.doesNotMatch(run.stdout, /chromium/);
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
