#!/usr/bin/env bash
# Builds the wasm core in release mode into pkg/wasm/ (wasm-bindgen, web target) and shrinks it
# with wasm-opt. The hand-written JS face in pkg/ loads it relative to its own URL.
set -euo pipefail
cd "$(dirname "$0")/.."

# --bench: the benchmarks' build (trace replay, raw codec) into pkg/wasm-bench/, never shipped.
out=pkg/wasm
features=()
if [ "${1:-}" = "--bench" ]; then
  out=pkg/wasm-bench
  features=(--features bench)
fi
cargo build -q --lib --release --target wasm32-unknown-unknown "${features[@]}"
rm -rf "$out"
wasm-bindgen --target web --out-dir "$out" --out-name smartcache \
  target/wasm32-unknown-unknown/release/smartcache.wasm
# binaryen from npm (Debian's 108 corrupts wasm-bindgen's externref table), with the features
# rustc enables by default for wasm32 so that wasm-opt keeps them.
wasm_features=(--enable-bulk-memory --enable-mutable-globals --enable-nontrapping-float-to-int
  --enable-sign-ext --enable-reference-types --enable-multivalue)
node_modules/.bin/wasm-opt -Os --strip-debug --strip-producers "${wasm_features[@]}" \
  $out/smartcache_bg.wasm -o $out/smartcache_bg.wasm
rm -f "$out/.gitignore"
# What npm ships: short names for the wasm's imports and exports, in it and in its glue; the JS
# face and the glue bundled and minified into pkg/dist/; the license (npm takes a LICENSE file
# from the package's folder whatever `files` lists).
if [ "$out" = pkg/wasm ]; then
  node scripts/minify-wasm-names.mjs "$out" "${wasm_features[@]}"
  node scripts/bundle.mjs
  cp LICENSE pkg/LICENSE
fi
raw=$(stat -c %s $out/smartcache_bg.wasm)
gz=$(gzip -9 -c $out/smartcache_bg.wasm | wc -c)
echo "$out/smartcache_bg.wasm: $raw bytes, $gz gzipped"
