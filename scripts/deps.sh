#!/usr/bin/env bash
# Installs the Debian packages that building and testing Otter need. Idempotent: packages that
# are already installed are skipped, and apt-get runs only when something is missing.
# Usage: scripts/deps.sh [extra-package ...]
set -euo pipefail

packages=(
  cmake ninja-build g++ clang libclang-rt-14-dev ccache git
  libgtest-dev libgmock-dev libbenchmark-dev clang-format libfmt-dev libspdlog-dev
  libsqlite3-dev libpq-dev libssl-dev nlohmann-json3-dev postgresql libjemalloc-dev
  libboost-dev libcli11-dev
  "$@"
)

missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done

if ((${#missing[@]})); then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  echo "deps: installing ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi
