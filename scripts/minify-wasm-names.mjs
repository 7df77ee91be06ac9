// Renames the wasm's imports and exports to short names (wasm-opt's
// --minify-imports-and-exports-and-modules) and rewrites wasm-bindgen's glue beside it to match:
// the names are hashed Rust paths (`__wbg_removeItem_6db621e167d16a1c`,
// `wasm_bindgen__convert__closures_____invoke__h…`), written in the wasm and again in the glue,
// where gzip cannot shrink their hashes (3.7 KB of the package gzipped).
//   node scripts/minify-wasm-names.mjs pkg/wasm [wasm-opt feature flags, as scripts/build.sh passes]
// Fails, leaving both files as they were, unless every import of the renamed wasm is a key of the
// glue's import object and every export the glue reads is one the wasm has.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [dir, ...features] = process.argv.slice(2);
if (!dir) throw new Error('usage: node scripts/minify-wasm-names.mjs <wasm-bindgen out dir> [--enable-… ...]');
const wasmPath = join(dir, 'smartcache_bg.wasm');
const gluePath = join(dir, 'smartcache.js');
const renamed = `${wasmPath}.minified`;
const printed = execFileSync('node_modules/.bin/wasm-opt', [
  '--minify-imports-and-exports-and-modules', ...features, wasmPath, '-o', renamed,
], { encoding: 'utf8' });
/** A name as a RegExp source. */
const escape = (text) => text.replace(/[$]/g, '\\$&');
const map = JSON.parse(printed.slice(printed.indexOf('{')));

let glue;
try {
  glue = renamedGlue(readFileSync(gluePath, 'utf8'));
} catch (error) {
  rmSync(renamed, { force: true });
  throw error;
}

writeFileSync(gluePath, glue);
renameSync(renamed, wasmPath);
// The glue's types list the exports (`InitOutput`); the wasm's own types, only them.
const typesPath = join(dir, 'smartcache.d.ts');
if (existsSync(typesPath)) {
  let types = readFileSync(typesPath, 'utf8');
  for (const [name, short] of map.exports) types = types.replace(new RegExp(`\\breadonly ${escape(name)}:`, 'g'), `readonly "${short}":`);
  writeFileSync(typesPath, types);
}
rmSync(join(dir, 'smartcache_bg.wasm.d.ts'), { force: true });

/** `glue` with the names of `map`, checked against the renamed module. */
function renamedGlue(glue) {
  const modules = new Set(map.imports.map(([module]) => module));
  if (modules.size !== 1) throw new Error(`expected the glue's one import module, found ${[...modules].join(', ')}`);
  /** Replaces `pattern` (a RegExp source with one group for what stays before the name), which must occur. */
  function rename(before, name, short, what) {
    const pattern = new RegExp(`(${before})${escape(name)}\\b`, 'g');
    if (!pattern.test(glue)) throw new Error(`the glue has no ${what} ${name}`);
    glue = glue.replace(pattern, (_, kept) => `${kept}${short}`);
  }
  // Import keys: `        __wbg_…: function(` in the glue's import object.
  for (const [, name, short] of map.imports) rename('\\n\\s+', name, `"${short}"`, 'import');
  const [module] = modules;
  const moduleKey = `"${module}": import0`;
  if (!glue.includes(moduleKey)) throw new Error(`the glue has no import module ${module}`);
  glue = glue.replace(moduleKey, '"a": import0');
  // Exports: read as `wasm.name` (the instance's exports).
  for (const [name, short] of map.exports) {
    if (glue.includes(`wasm.${name}`)) rename('\\bwasm\\.', name, short, 'export');
  }

  // Check the result against the renamed module itself.
  const compiled = new WebAssembly.Module(readFileSync(renamed));
  const keys = new Set([...glue.matchAll(/\n\s+"([^"]+)": function/g)].map((m) => m[1]));
  const missing = WebAssembly.Module.imports(compiled).filter(({ module, name }) => module !== 'a' || !keys.has(name));
  if (missing.length !== 0) throw new Error(`the rewritten glue does not provide ${missing.map((i) => i.name).join(', ')}`);
  const exported = new Set(WebAssembly.Module.exports(compiled).map(({ name }) => name));
  const unknown = [...glue.matchAll(/\bwasm\.([\w$]+)/g)].map((m) => m[1]).filter((name) => !exported.has(name));
  if (unknown.length !== 0) throw new Error(`the rewritten glue reads exports the wasm lacks: ${[...new Set(unknown)].join(', ')}`);
  return glue;
}
