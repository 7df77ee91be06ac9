// scripts/minify-wasm-names.mjs on a small module and a glue laid out as wasm-bindgen's: the
// renamed wasm runs with the rewritten glue, and a glue that does not match is refused with both
// files left as they were.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const script = join(root, 'scripts/minify-wasm-names.mjs');

const WAT = `(module
  (import "./smartcache_bg.js" "__wbg_twice_0123456789abcdef" (func $twice (param i32) (result i32)))
  (import "./smartcache_bg.js" "__wbg_log_fedcba9876543210" (func $log (param i32)))
  (memory (export "memory") 1)
  (func (export "wasmcache_double") (param i32) (result i32)
    (call $log (local.get 0))
    (call $twice (local.get 0)))
  (func (export "wasmcache_double_later") (param i32) (result i32)
    (call $twice (call $twice (local.get 0)))))`;

/** A glue as wasm-bindgen writes one: the import object, and the exports read as `wasm.name`. */
function glueOf(importKeys) {
  const keys = {
    __wbg_twice_0123456789abcdef: 'function(x) {\n            return 2 * x;\n        }',
    __wbg_log_fedcba9876543210: 'function(x) {\n            logged.push(x);\n        }',
  };
  const entries = importKeys.map((key) => `        ${key}: ${keys[key]},`).join('\n');
  return `export const logged = [];
let wasm;
function __wbg_get_imports() {
    const import0 = {
        __proto__: null,
${entries}
    };
    return {
        __proto__: null,
        "./smartcache_bg.js": import0,
    };
}
export function double(x) {
    return wasm.wasmcache_double(x) + wasm.wasmcache_double_later(x) + wasm.memory.buffer.byteLength * 0;
}
export function initSync(bytes) {
    wasm = new WebAssembly.Instance(new WebAssembly.Module(bytes), __wbg_get_imports()).exports;
}
`;
}

function outDir(importKeys) {
  const dir = mkdtempSync(join(tmpdir(), 'smartcache-minify-'));
  writeFileSync(join(dir, 'smartcache.wat'), WAT);
  execFileSync(join(root, 'node_modules/.bin/wasm-as'), [join(dir, 'smartcache.wat'), '-o', join(dir, 'smartcache_bg.wasm')]);
  writeFileSync(join(dir, 'smartcache.js'), glueOf(importKeys));
  return dir;
}

const minify = (dir) => spawnSync(process.execPath, [script, dir], { cwd: root, encoding: 'utf8' });

test('the renamed wasm runs with the rewritten glue, under short names only', async () => {
  const dir = outDir(['__wbg_twice_0123456789abcdef', '__wbg_log_fedcba9876543210']);
  try {
    const run = minify(dir);
    assert.equal(run.status, 0, run.stderr);
    const bytes = readFileSync(join(dir, 'smartcache_bg.wasm'));
    const names = [
      ...WebAssembly.Module.imports(new WebAssembly.Module(bytes)).flatMap(({ module, name }) => [module, name]),
      ...WebAssembly.Module.exports(new WebAssembly.Module(bytes)).map(({ name }) => name),
    ];
    assert.ok(names.every((name) => name.length <= 2), `names left long: ${names.join(', ')}`);
    const glue = readFileSync(join(dir, 'smartcache.js'), 'utf8');
    assert.doesNotMatch(glue, /__wbg_\w+_[0-9a-f]{16}|wasm\.wasmcache_|smartcache_bg\.js/);
    const module = await import(pathToFileURL(join(dir, 'smartcache.js')));
    module.initSync(bytes);
    assert.equal(module.double(5), 10 + 20);
    assert.deepEqual(module.logged, [5]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a glue without one of the imports is refused, and nothing is changed', () => {
  const dir = outDir(['__wbg_twice_0123456789abcdef']);
  try {
    const wasm = readFileSync(join(dir, 'smartcache_bg.wasm'));
    const glue = readFileSync(join(dir, 'smartcache.js'), 'utf8');
    const run = minify(dir);
    assert.notEqual(run.status, 0);
    assert.match(run.stderr, /the glue has no import __wbg_log_fedcba9876543210/);
    assert.deepEqual(readFileSync(join(dir, 'smartcache_bg.wasm')), wasm);
    assert.equal(readFileSync(join(dir, 'smartcache.js'), 'utf8'), glue);
    assert.ok(!existsSync(join(dir, 'smartcache_bg.wasm.minified')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
