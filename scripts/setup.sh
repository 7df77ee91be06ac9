#!/usr/bin/env bash
# Installs what building and testing smartcache needs, skipping whatever is already there:
# the wasm32 target, a wasm-bindgen CLI matching Cargo.lock, wasm-opt, npm packages and, with
# `--browser`, Chromium and its driver (from CHROME_BIN/CHROMEDRIVER, else the system's).
set -euo pipefail
cd "$(dirname "$0")/.."

want_browser=false
[ "${1:-}" = "--browser" ] && want_browser=true

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

apt_install() {
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    say "installing $* (apt-get)"
    if [ ! -f /tmp/.smartcache-apt-updated ]; then
      apt-get update -qq && touch /tmp/.smartcache-apt-updated
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
  else
    echo "error: $* missing; install it (Debian: sudo apt-get install $*)" >&2
    exit 1
  fi
}

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

bindgen_version=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/[^0-9.]/, ""); print; exit }' Cargo.lock)
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$bindgen_version" ]; then
  say "installing wasm-bindgen-cli $bindgen_version (takes a few minutes, once)"
  # Not --locked: a locked dependency of the CLI is missing from the registry.
  cargo install -q wasm-bindgen-cli --version "$bindgen_version"
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing npm packages"
  npm ci --no-audit --no-fund --loglevel=error
fi

if $want_browser; then
  chrome=${CHROME_BIN:-/usr/bin/chromium}
  driver=${CHROMEDRIVER:-/usr/bin/chromedriver}
  if [ ! -x "$chrome" ] || [ ! -x "$driver" ]; then
    if [ -n "${CHROME_BIN:-}${CHROMEDRIVER:-}" ]; then
      echo "error: CHROME_BIN=$chrome or CHROMEDRIVER=$driver is not an executable" >&2
      exit 1
    fi
    apt_install chromium chromium-driver
  fi
fi
