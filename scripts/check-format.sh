#!/usr/bin/env bash
# Fails when a C++ file is not formatted with the project's .clang-format (clang-format 14).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
mapfile -t files < <(git ls-files -- 'include/*.hpp' 'src/*.cpp' 'src/*.hpp' 'tests/*.cpp' \
  'tests/*.hpp' 'bench/otter/*' 'bench/micro/*' 'examples/*.cpp' 'apps/*.cpp' 'apps/*.hpp')
if ((${#files[@]})); then
  clang-format --dry-run --Werror "${files[@]}"
fi
echo "format: ${#files[@]} files ok"
