#!/usr/bin/env bash
# Cross-runtime benchmark harness: runs each benchmark's Otter program, its Elixir/BEAM twin
# (bench/beam/NAME.exs) and its CAF 0.17 twin (bench/caf/NAME.cpp), RUNS times each, and prints
# a table of medians plus one machine-readable line per metric:
#   RESULT bench=METRIC unit=UNIT otter=X beam=Y caf=Z better=higher|lower
# A peer with no program, or whose program failed, is left out of that line.
#
# Usage: bench/run.sh [NAME...]          (default: every registered benchmark)
# Environment:
#   RUNS=3            runs per program (the median is reported)
#   SIZE_<name>="..." size argument(s) passed to all three programs, e.g. SIZE_ring="10" or
#                     SIZE_ring="10 100" (default: none, i.e. each program's full size)
#   TIMEOUT=900       seconds after which one run is killed and counted as failed
#   SKIP_BUILD=1      use the binaries already built (no package check, no builds)
# Exit status: 0 if every program that exists built, ran and verified its result; 1 otherwise;
# 2 on a usage error. See bench/README.md.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
otter_dir="$root/build/release/bench"
caf_dir="$root/build/caf-bench"
log_dir="$root/build/bench-logs"
RUNS="${RUNS:-3}"
TIMEOUT="${TIMEOUT:-900}"
SKIP_BUILD="${SKIP_BUILD:-0}"
beam_cmd=(elixir --erl "+P 10000000 +S 2:2")
caf_policies=(stealing sharing)

# ---- benchmark registry ------------------------------------------------------------------------
# One block per benchmark: `register NAME METRIC:UNIT:BETTER...`. The programs are found by name:
#   Otter: build/release/bench/otter_NAME   BEAM: bench/beam/NAME.exs   CAF: bench/caf/NAME.cpp
# Each prints `METRIC name=METRIC value=NUMBER` for every metric listed here.
benches=()
declare -A metrics_of=()
register() {
  local name=$1
  shift
  benches+=("$name")
  metrics_of[$name]="$*"
}

register spawn_1m spawn_1m:spawns/s:higher spawn_1m_bytes:bytes/process:lower
register skynet skynet:ms:lower
register ring ring:hops/s:higher
register pingpong pingpong:ns/roundtrip:lower
register call_throughput call_throughput_2:calls/s:higher call_throughput_100:calls/s:higher
register idle_timers idle_timers:workers/s:higher idle_timers_bytes:bytes/worker:lower
register idle_timers_async idle_timers_async:workers/s:higher idle_timers_async_bytes:bytes/worker:lower
register dynsup_churn dynsup_churn:children/s:higher  # BEAM only: CAF has no DynamicSupervisor
register ets_read ets_read:lookups/s:higher ets_entry_bytes:bytes/entry:lower  # no CAF twin
register ets_write ets_write:updates/s:higher                                  # no CAF twin
register registry_lookup registry_lookup:lookups/s:higher registry_bytes:bytes/entry:lower  # BEAM only
register notifier_boot notifier_boot:s:lower notifier_boot_rss:MiB:lower  # the service: no twins
register notifier_load notifier_load:reminders/s:higher notifier_backlog:tasks:lower \
  notifier_backlog_growth:tasks:lower notifier_saturated:reminders/s:higher \
  notifier_bare_insert:entries/s:higher notifier_saturated_ratio:ratio:higher

# ---- helpers -----------------------------------------------------------------------------------
status=0
log() { printf '%s\n' "$*" >&2; }
problem() {
  log "FAIL: $*"
  problems+=("$*")
  status=1
}
problems=()
notes=()

usage() {
  log "usage: bench/run.sh [NAME...]   (names: ${benches[*]})"
  exit 2
}

[[ "$RUNS" =~ ^[1-9][0-9]*$ ]] || { log "RUNS must be a positive integer, got '$RUNS'"; exit 2; }
[[ "$TIMEOUT" =~ ^[1-9][0-9]*$ ]] || { log "TIMEOUT must be a positive integer, got '$TIMEOUT'"; exit 2; }

selected=()
if (($#)); then
  for arg in "$@"; do
    case "$arg" in -h | --help) usage ;; esac
    [[ -n "${metrics_of[$arg]+x}" ]] || { log "unknown benchmark '$arg'"; usage; }
    selected+=("$arg")
  done
else
  selected=("${benches[@]}")
fi

mkdir -p "$log_dir" "$caf_dir"

# ---- setup -------------------------------------------------------------------------------------
ensure_packages() {
  # Otter's own build packages (scripts/deps.sh, idempotent) plus the two peers.
  "$root/scripts/deps.sh" elixir erlang-nox libcaf-dev
}

build_otter() {
  local blog="$log_dir/otter-build.log"
  log "build: Otter programs (cmake --build --preset release --target otter_benchmarks)"
  if (cd "$root" && cmake --preset release -S "$root" &&
    cmake --build --preset release --target otter_benchmarks) >"$blog" 2>&1; then
    return 0
  fi
  tail -n 20 "$blog" >&2 || true
  problem "building the Otter benchmarks failed (log: $blog); the otter column stays empty"
  otter_build_failed=1
}

# Builds bench/caf/NAME.cpp into build/caf-bench/NAME when missing or out of date.
build_caf() {
  local name=$1 src="$root/bench/caf/$1.cpp" bin="$caf_dir/$1"
  local blog="$log_dir/caf-$name-build.log"
  if [[ -x "$bin" && "$bin" -nt "$src" && "$bin" -nt "$root/bench/caf/common.hpp" ]]; then
    return 0
  fi
  log "build: CAF twin $name"
  if g++ -O2 -std=c++17 -I"$root/bench/caf" "$src" -o "$bin.tmp" -lcaf_core -pthread >"$blog" 2>&1; then
    mv -f "$bin.tmp" "$bin"
    return 0
  fi
  rm -f "$bin.tmp"
  tail -n 20 "$blog" >&2 || true
  problem "$name: building the CAF twin failed (log: $blog)"
  return 1
}

otter_build_failed=0
if [[ "$SKIP_BUILD" != 1 ]]; then
  ensure_packages
  build_otter
fi

# ---- running -----------------------------------------------------------------------------------
# samples[NAME|RUNTIME|METRIC] = space-separated values; failed[NAME|RUNTIME] = 1 after a failure.
declare -A samples=()
declare -A failed=()

# run_one NAME RUNTIME RUN_INDEX CMD...
run_one() {
  local name=$1 rt=$2 i=$3
  shift 3
  local out="$log_dir/$name.$rt.$i.out" err="$log_dir/$name.$rt.$i.err" rc=0
  if timeout --kill-after=10 "$TIMEOUT" "$@" >"$out" 2>"$err"; then rc=0; else rc=$?; fi
  if ((rc != 0)); then
    local why="exit status $rc"
    ((rc == 124 || rc == 137)) && why="timed out after ${TIMEOUT}s"
    tail -n 5 "$err" | sed 's/^/    /' >&2 || true
    problem "$name: $rt run $i: $why ($*)"
    failed[$name|$rt]=1
    return 0
  fi
  local spec metric value line=""
  for spec in ${metrics_of[$name]}; do
    metric=${spec%%:*}
    value=$(awk -v m="name=$metric" '$1 == "METRIC" && $2 == m { v = $3 } END { sub(/^value=/, "", v); print v }' "$out")
    if ! [[ "$value" =~ ^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$ ]]; then
      problem "$name: $rt run $i: no valid 'METRIC name=$metric value=...' line in its output ($*)"
      failed[$name|$rt]=1
      return 0
    fi
    samples[$name|$rt|$metric]+="$value "
    line+=" $metric=$value"
  done
  log "  $name $rt run $i/$RUNS:$line"
}

median() { # values... -> median (mean of the middle two for an even count)
  printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END {
    if (NR == 0) exit 1
    m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
    s = sprintf("%.3f", m); sub(/0+$/, "", s); sub(/\.$/, "", s); print s }'
}

for name in "${selected[@]}"; do
  log "== $name"
  size_var="SIZE_$name"
  read -r -a size_args <<<"${!size_var:-}"
  runtimes=()

  otter_bin="$otter_dir/otter_$name"
  if ((otter_build_failed)); then
    log "  note: the Otter build failed, so its (possibly stale) program is not run"
  elif [[ -x "$otter_bin" ]]; then
    runtimes+=(otter)
  else
    log "  note: no Otter program $otter_bin; the otter column stays empty"
    notes+=("$name: Otter program missing ($otter_bin)")
  fi

  if [[ -f "$root/bench/beam/$name.exs" ]]; then
    runtimes+=(beam)
  else
    notes+=("$name: no BEAM twin (bench/beam/$name.exs)")
  fi

  if [[ -f "$root/bench/caf/$name.cpp" ]]; then
    caf_ok=1
    if [[ "$SKIP_BUILD" != 1 ]]; then build_caf "$name" || caf_ok=0; fi
    if ((caf_ok)) && [[ -x "$caf_dir/$name" ]]; then
      for pol in "${caf_policies[@]}"; do runtimes+=("caf-$pol"); done
    elif ((caf_ok)); then
      problem "$name: CAF binary $caf_dir/$name missing"
    fi
  else
    notes+=("$name: no CAF twin (bench/caf/$name.cpp)")
  fi

  for ((i = 1; i <= RUNS; i++)); do
    for rt in "${runtimes[@]}"; do
      [[ -n "${failed[$name|$rt]+x}" ]] && continue
      case "$rt" in
        otter) run_one "$name" "$rt" "$i" "$otter_bin" "${size_args[@]}" ;;
        beam) run_one "$name" "$rt" "$i" "${beam_cmd[@]}" "$root/bench/beam/$name.exs" "${size_args[@]}" ;;
        caf-*) run_one "$name" "$rt" "$i" "$caf_dir/$name" "--policy=${rt#caf-}" "${size_args[@]}" ;;
      esac
    done
  done
done

# ---- report ------------------------------------------------------------------------------------
# med NAME RUNTIME METRIC -> median, or empty when the runtime has no (complete) samples.
med() {
  local key="$1|$2|$3"
  [[ -n "${failed[$1|$2]+x}" ]] && return 0
  [[ -n "${samples[$key]:-}" ]] || return 0
  # shellcheck disable=SC2086
  median ${samples[$key]}
}

fmt() { # number -> short human form
  [[ -z "$1" ]] && { printf -- '-'; return; }
  awk -v v="$1" 'BEGIN { a = v < 0 ? -v : v
    if (a >= 100) printf "%.0f", v; else if (a >= 1) printf "%.2f", v; else printf "%.4g", v }'
}

ratio() { # otter peer better -> ratio oriented so that > 1 means Otter is better
  [[ -z "$1" || -z "$2" ]] && { printf -- '-'; return; }
  awk -v o="$1" -v p="$2" -v b="$3" 'BEGIN {
    if (o <= 0 || p <= 0) { printf "-"; exit }
    printf "%.2fx", (b == "higher") ? o / p : p / o }'
}

better_of() { # better a b -> the better of two values (either may be empty)
  local better=$1 a=$2 b=$3
  [[ -z "$a" ]] && { printf '%s' "$b"; return; }
  [[ -z "$b" ]] && { printf '%s' "$a"; return; }
  awk -v a="$a" -v b="$b" -v h="$better" 'BEGIN {
    if (h == "higher") print (a + 0 >= b + 0) ? a : b; else print (a + 0 <= b + 0) ? a : b }'
}

table_fmt='%-20s %-14s %12s %12s %12s %-9s %10s %10s\n'
results=()
echo
echo "Benchmarks: ${selected[*]} (median of RUNS=$RUNS; caf = better of the stealing and sharing policies)"
# shellcheck disable=SC2059
printf "$table_fmt" benchmark unit otter beam caf caf-pol otter/beam otter/caf
# shellcheck disable=SC2059
printf "$table_fmt" -------------------- -------------- ------------ ------------ ------------ --------- ---------- ----------
for name in "${selected[@]}"; do
  for spec in ${metrics_of[$name]}; do
    IFS=: read -r metric unit better <<<"$spec"
    o=$(med "$name" otter "$metric")
    b=$(med "$name" beam "$metric")
    c=""
    pol=""
    for p in "${caf_policies[@]}"; do
      v=$(med "$name" "caf-$p" "$metric")
      [[ -z "$v" ]] && continue
      best=$(better_of "$better" "$c" "$v")
      if [[ "$best" == "$v" && "$v" != "$c" ]]; then pol=$p; fi
      c=$best
    done
    # shellcheck disable=SC2059
    printf "$table_fmt" "$metric" "$unit" "$(fmt "$o")" "$(fmt "$b")" "$(fmt "$c")" "${pol:--}" \
      "$(ratio "$o" "$b" "$better")" "$(ratio "$o" "$c" "$better")"
    line="RESULT bench=$metric unit=$unit"
    [[ -n "$o" ]] && line+=" otter=$o"
    [[ -n "$b" ]] && line+=" beam=$b"
    [[ -n "$c" ]] && line+=" caf=$c"
    results+=("$line better=$better")
  done
done
echo
for n in ${notes[@]+"${notes[@]}"}; do echo "note: $n"; done
for p in ${problems[@]+"${problems[@]}"}; do echo "FAILED: $p"; done
printf '%s\n' "${results[@]}"
if ((status != 0)); then
  log "bench/run.sh: ${#problems[@]} problem(s); logs in $log_dir"
fi
exit "$status"
