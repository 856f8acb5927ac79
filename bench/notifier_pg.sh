#!/usr/bin/env bash
# Runs a notifier benchmark on PostgreSQL instead of SQLite: starts a throwaway server
# (scripts/postgres.sh, as the store tests do), points the program at it through
# NOTIFIER_BENCH_DB, and stops the server afterwards.
#
# Usage: bench/notifier_pg.sh notifier_load|notifier_boot [program arguments...]
# (build first: cmake --preset release && cmake --build --preset release --target otter_benchmarks)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
name="${1:?usage: bench/notifier_pg.sh notifier_load|notifier_boot [args...]}"
shift
state="$(mktemp -d /tmp/notifier-pg-bench.XXXXXX)"
chmod 755 "$state"
trap '"$root/scripts/postgres.sh" stop "$state" >/dev/null 2>&1 || true; rm -rf "$state"' EXIT
"$root/scripts/postgres.sh" start "$state" >/dev/null
NOTIFIER_BENCH_DB="$(cat "$state/url")" "$root/build/release/bench/otter_$name" "$@"
