#!/usr/bin/env bash
# Builds the wasm core in release mode into pkg/wasm/ (wasm-bindgen, web target) and shrinks it
# with wasm-opt. The hand-written JS face in pkg/ loads it relative to its own URL.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build -q --lib --release --target wasm32-unknown-unknown
rm -rf pkg/wasm
wasm-bindgen --target web --out-dir pkg/wasm --out-name smartcache \
  target/wasm32-unknown-unknown/release/smartcache.wasm
# binaryen from npm (Debian's 108 corrupts wasm-bindgen's externref table), with the features
# rustc enables by default for wasm32 so that wasm-opt keeps them.
node_modules/.bin/wasm-opt -Os --strip-debug --strip-producers \
  --enable-bulk-memory --enable-mutable-globals --enable-nontrapping-float-to-int \
  --enable-sign-ext --enable-reference-types --enable-multivalue \
  pkg/wasm/smartcache_bg.wasm -o pkg/wasm/smartcache_bg.wasm
rm -f pkg/wasm/.gitignore
raw=$(stat -c %s pkg/wasm/smartcache_bg.wasm)
gz=$(gzip -9 -c pkg/wasm/smartcache_bg.wasm | wc -c)
echo "pkg/wasm/smartcache_bg.wasm: $raw bytes, $gz gzipped"
