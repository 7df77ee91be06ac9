#!/usr/bin/env bash
# Coverage-guided fuzzing of every decoder of stored or received data (fuzz/fuzz_targets/):
# SECONDS_EACH seconds per target (default 10). cargo-fuzz on the machine's stable toolchain
# (RUSTC_BOOTSTRAP lets it pass its -Z flags) under AddressSanitizer: this crate has no unsafe,
# but lz4_flex decodes in its checked unsafe mode, so an out-of-bounds access is looked for beside
# panics (overflow checks are on). Prints the executions of each target.
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
seconds=${1:-10}
export RUSTC_BOOTSTRAP=1
cargo fuzz build -s address -O 2>&1 | grep -v '^\s*Compiling' || true
total=0
for target in $(cargo fuzz list); do
  mkdir -p "corpus/$target"
  out=$(cargo fuzz run -s address -O "$target" "corpus/$target" -- -max_total_time="$seconds" 2>&1) || {
    echo "$out" | tail -30
    echo "fuzz target $target failed" >&2
    exit 1
  }
  runs=$(echo "$out" | awk '/^Done [0-9]+ runs/ { print $2 }')
  echo "fuzz $target: ${runs:-0} executions in ${seconds} s, no crash"
  total=$((total + ${runs:-0}))
done
echo "fuzz: $total executions in all, 0 crashes"
