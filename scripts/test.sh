#!/usr/bin/env bash
# Runs every test of Otter (the README's test command; .ci/run calls it):
#   1. installs what is missing (scripts/deps.sh);
#   2. the dev build (Debug, ASan+UBSan, -Werror): builds everything, examples and benchmarks
#      included, and runs every test: unit, conformance, stress, examples, benchmark smoke runs;
#   3. the tsan build (clang, ThreadSanitizer): builds and runs the runtime tests;
#   4. the format and layering checks.
# One build tree per configuration under build/, compiled through ccache.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

scripts/deps.sh
export CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/ccache}"
ccache --max-size=12G >/dev/null

summary=()
run_preset() {
  local preset="$1"
  echo "== $preset: configure and build"
  cmake --preset "$preset" >/dev/null
  cmake --build --preset "$preset"
  echo "== $preset: test"
  local log
  log="$(mktemp)"
  if ! ctest --preset "$preset" 2>&1 | tee "$log"; then
    echo "== $preset: FAILED"
    exit 1
  fi
  if grep -q "tests failed" "$log" && ! grep -q "100% tests passed" "$log"; then
    exit 1
  fi
  summary+=("$preset: $(grep -E 'tests passed|tests failed' "$log" | tail -1)")
  rm -f "$log"
}

run_preset dev
run_preset tsan

echo "== checks"
scripts/check-format.sh
scripts/check-layering.sh

echo "== summary"
printf '%s\n' "${summary[@]}"
