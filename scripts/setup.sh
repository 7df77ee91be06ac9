#!/usr/bin/env bash
# Installs what building and testing smartcache needs, skipping whatever is already there:
# the wasm32 target, a wasm-bindgen CLI matching Cargo.lock, npm packages and, with `--browser`,
# the engines named in BROWSERS (default: chromium firefox webkit): Chromium and its driver
# (CHROME_BIN/CHROMEDRIVER when given, else found on PATH, else Debian's), Firefox ESR with
# geckodriver (crates.io), WebKitGTK's WebKitWebDriver with Xvfb. An engine that cannot be
# installed fails the run; `BROWSERS=chromium` asks for Chromium alone.
# `--fuzz` adds cargo-fuzz. `--dry-run` prints what it would install and changes nothing (tests/scripts/ checks its choices).
set -euo pipefail
cd "$(dirname "$0")/.."

want_browser=false
want_fuzz=false
dry_run=false
for arg in "$@"; do
  case "$arg" in
    --browser) want_browser=true ;;
    --fuzz) want_fuzz=true ;;
    --dry-run) dry_run=true ;;
    *) echo "usage: setup.sh [--browser] [--fuzz] [--dry-run]" >&2; exit 2 ;;
  esac
done

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

# Runs a step, or in a dry run only names it.
step() {
  local what=$1
  shift
  if $dry_run; then
    echo "would: $what"
  else
    say "$what"
    "$@"
  fi
}

apt_install() {
  if $dry_run; then
    echo "would: install $* (apt-get)"
  # EUID is the shell's own geteuid(): an `id` on PATH may say otherwise.
  elif [ "$EUID" = 0 ] && command -v apt-get >/dev/null; then
    say "installing $* (apt-get)"
    if [ ! -f /tmp/.smartcache-apt-updated ]; then
      apt-get update -qq && touch /tmp/.smartcache-apt-updated
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
  else
    echo "error: $* missing; install it (Debian: sudo apt-get install $*), or name fewer engines in BROWSERS (BROWSERS=chromium)" >&2
    exit 1
  fi
}

if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  step "adding the wasm32-unknown-unknown target" rustup target add wasm32-unknown-unknown
fi

bindgen_version=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/[^0-9.]/, ""); print; exit }' Cargo.lock)
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$bindgen_version" ]; then
  # Not --locked: a locked dependency of the CLI is missing from the registry. --force: cargo
  # skips a crate it has on record as installed, even when its binary is gone.
  step "installing wasm-bindgen-cli $bindgen_version (takes a few minutes, once)" \
    cargo install -q --force wasm-bindgen-cli --version "$bindgen_version"
fi

# The workspace's packages, and React 18 apart (the hooks are tested under React 18 and 19).
for dir in . tests/react18; do
  if [ ! -d "$dir/node_modules" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
    step "installing npm packages in $dir" npm ci --prefix "$dir" --no-audit --no-fund --loglevel=error
  fi
done

if $want_fuzz && ! cargo fuzz --version >/dev/null 2>&1; then
  step "installing cargo-fuzz (about a minute, once)" cargo install -q cargo-fuzz
fi

browsers=${BROWSERS:-chromium firefox webkit}
for engine in $browsers; do
  case "$engine" in
    chromium | firefox | webkit) ;;
    *) echo "error: BROWSERS names an unknown engine \"$engine\" (chromium, firefox, webkit)" >&2; exit 2 ;;
  esac
done
wants() { [[ " $browsers " == *" $1 "* ]]; }

if $want_browser && wants firefox; then
  if ! command -v firefox-esr >/dev/null && ! command -v firefox >/dev/null; then
    apt_install firefox-esr
  fi
  if [ -z "${GECKODRIVER:-}" ] && ! command -v geckodriver >/dev/null; then
    step "installing geckodriver (crates.io; a few minutes, once)" cargo install -q geckodriver
  fi
fi

if $want_browser && wants webkit; then
  if ! command -v WebKitWebDriver >/dev/null; then
    apt_install webkit2gtk-driver
  fi
  if ! command -v Xvfb >/dev/null; then
    apt_install xvfb
  fi
fi

if $want_browser && wants chromium; then
  if [ -n "${CHROME_BIN:-}${CHROMEDRIVER:-}" ]; then
    # Given by the caller: used as they are, never replaced behind their back.
    for given in "${CHROME_BIN:-}" "${CHROMEDRIVER:-}"; do
      if [ -n "$given" ] && [ ! -x "$given" ]; then
        echo "error: $given (from CHROME_BIN/CHROMEDRIVER) is not an executable" >&2
        exit 1
      fi
    done
  elif ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
    apt_install chromium chromium-driver
  fi
fi
