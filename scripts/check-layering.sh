#!/usr/bin/env bash
# Layering (docs/design: core -> otp / ets / io -> apps): the core must not include the layers
# built on it, and ets and io must not include otp.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
status=0
check() {
  local dirs="$1" forbidden="$2"
  local hits
  # shellcheck disable=SC2086
  hits="$(grep -rnE "#include \"(otter/)?($forbidden)/" $dirs 2>/dev/null || true)"
  if [ -n "$hits" ]; then
    echo "layering violation ($dirs must not include $forbidden):"
    echo "$hits"
    status=1
  fi
}
check "include/otter/core src/core" "otp|ets|io"
for layer in ets io; do
  for d in "include/otter/$layer" "src/$layer"; do
    [ -d "$d" ] && check "$d" "otp"
  done
done
[ $status -eq 0 ] && echo "layering: ok"
exit $status
