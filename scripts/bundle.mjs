// Bundles the package's hand-written JS face (pkg/*.js over pkg/lib/) and wasm-bindgen's glue into
// what npm ships: minified ES modules in pkg/dist/, one per entry (index, react, tanstack,
// devtools), with source maps. `dist/index.js` holds the whole core (the face's lib/*.js and the
// glue) and imports nothing, so that a page without a bundler is one round trip from starting the
// wasm's fetch (its chunks were a second one); the other entries import what they share from it,
// through extra bindings with the minifier's short names (`preserveEntrySignatures:
// 'allow-extension'`), which index.d.ts does not declare. React and TanStack stay imports (peers).
// The wasm itself stays in pkg/wasm/.
import { build } from 'rolldown';
import { fileURLToPath } from 'node:url';
import { readFile, rm } from 'node:fs/promises';

const pkg = fileURLToPath(new URL('../pkg/', import.meta.url));
/** Every entry pkg/package.json exports, by name: its `./dist/<name>.js` is made from `./<name>.js`. */
const { exports } = JSON.parse(await readFile(`${pkg}package.json`, 'utf8'));
const entries = Object.values(exports)
  .filter((target) => typeof target === 'object')
  .map(({ default: shipped }) => {
    const name = /^\.\/dist\/([\w-]+)\.js$/.exec(shipped)?.[1];
    if (name === undefined) throw new Error(`pkg/package.json exports ${shipped}, not a bundle in ./dist/`);
    return name;
  });
/** wasm-bindgen's glue finds the wasm beside itself; the bundles sit in dist/, it in wasm/. */
const GLUE_URL = "new URL('smartcache_bg.wasm', import.meta.url)";

const glueUrl = {
  name: 'smartcache-wasm-url',
  transform(code, id) {
    if (!id.endsWith('/pkg/wasm/smartcache.js')) return null;
    if (!code.includes(GLUE_URL)) this.error(`the wasm-bindgen glue no longer says ${GLUE_URL}: update scripts/bundle.mjs`);
    // The same lines (only the rest of that one moves), so a line-by-line map is exact enough.
    const lines = code.split('\n').length;
    const mappings = ['AAAA', ...Array(lines - 1).fill('AACA')].join(';');
    return { code: code.replace(GLUE_URL, "new URL('../wasm/smartcache_bg.wasm', import.meta.url)"), map: { version: 3, sources: [id], names: [], mappings } };
  },
};

await rm(`${pkg}dist`, { recursive: true, force: true });
const { output } = await build({
  input: Object.fromEntries(entries.map((name) => [name, `${pkg}${name}.js`])),
  external: [/^react($|\/)/, /^react-dom($|\/)/, /^@tanstack\//],
  plugins: [glueUrl],
  preserveEntrySignatures: 'allow-extension',
  output: {
    dir: `${pkg}dist`,
    format: 'esm',
    minify: true,
    sourcemap: true,
    chunkFileNames: '[name]-[hash].js',
    // The core, in the index entry's chunk (which `allow-extension` lets stay the entry itself).
    codeSplitting: { groups: [{ name: 'index', test: /\/pkg\/(index\.js|lib\/[\w-]+\.js|wasm\/)/ }] },
  },
  logLevel: 'warn',
});
const index = output.find((chunk) => chunk.fileName === 'index.js');
if (index.imports.length + index.dynamicImports.length !== 0) {
  throw new Error(`dist/index.js imports ${[...index.imports, ...index.dynamicImports].join(', ')}: the core should be in it alone`);
}
