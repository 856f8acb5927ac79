#!/usr/bin/env bash
# The README's run command. Until the notifier lands, it runs the supervision demo: processes,
# links, a crash that becomes an exit reason, and a restart (examples/03_links_and_restart).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
scripts/deps.sh
cmake --preset release >/dev/null
cmake --build --preset release --target example_03_links_and_restart
exec build/release/examples/example_03_links_and_restart
