#!/usr/bin/env bash
# Builds the browser extension into target/extension/ (load it unpacked from there): the
# extension's own files (devtools/extension/) and the devtools UI of the package (pkg/lib/devtools/),
# which the panel imports as ui/ui.js. Nothing is downloaded.
set -euo pipefail
cd "$(dirname "$0")/.."
out=target/extension
rm -rf "$out"
mkdir -p "$out/ui"
cp devtools/extension/*.json devtools/extension/*.js devtools/extension/*.html "$out/"
cp pkg/lib/devtools/ui.js pkg/lib/devtools/dom.js pkg/lib/devtools/entries.js pkg/lib/devtools/graph.js pkg/lib/devtools/styles.js "$out/ui/"
echo "extension: $out (chrome://extensions → Developer mode → Load unpacked)"
