#!/usr/bin/env bash
# The README's run command: builds the notifier (release) and runs it on its embedded SQLite
# with demo data: it prints where its HTTP API listens, a user's token and curl lines that work,
# and logs each reminder (every 10 s in the demo). Ctrl-C stops it gracefully.
#
# Usage: scripts/run.sh [notifier flags...]   e.g. scripts/run.sh --interval 30s
# Environment: NOTIFIER_DB (default build/notifier-demo.db), NOTIFIER_LISTEN (127.0.0.1:8080).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
scripts/deps.sh
export CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/ccache}"
cmake --preset release >/dev/null
cmake --build --preset release --target notifier
exec build/release/apps/notifier/notifier --demo \
  --db "sqlite:${NOTIFIER_DB:-build/notifier-demo.db}" \
  --listen "${NOTIFIER_LISTEN:-127.0.0.1:8080}" "$@"
