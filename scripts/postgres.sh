#!/usr/bin/env bash
# A throwaway PostgreSQL server for the notifier's store tests (a ctest fixture runs it).
#
#   scripts/postgres.sh start STATE_DIR   installs postgresql if missing, creates a cluster in a
#                                         fresh temporary directory, starts it, writes its URL to
#                                         STATE_DIR/url
#   scripts/postgres.sh stop STATE_DIR    stops the server and removes its directory
#
# The server listens only on a Unix socket inside its temporary directory (no TCP port, so runs
# of several worktrees on one machine never collide), with trust authentication for the database
# superuser `otter` and fsync off: it holds test data only. PostgreSQL refuses to run as root, so
# as root the cluster belongs to the system user `otter-pg` (created if missing). Idempotent:
# start first stops a server left over by an earlier run with the same STATE_DIR.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

usage() {
  echo "usage: $0 start|stop STATE_DIR" >&2
  exit 2
}
[ $# -eq 2 ] || usage
action="$1"
state="$2"
os_user="otter-pg"

# Runs a command as the cluster's owner: otter-pg when we are root, else ourselves.
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u "$os_user" -- "$@"
  else
    "$@"
  fi
}

pg_bin() {
  if [ -n "${PG_BIN:-}" ]; then
    echo "$PG_BIN"
    return
  fi
  local dirs
  dirs="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
  [ -n "$dirs" ] || {
    echo "postgres.sh: no PostgreSQL server binaries under /usr/lib/postgresql" >&2
    exit 1
  }
  echo "$dirs"
}

stop() {
  [ -f "$state/root" ] || return 0
  local dir
  dir="$(cat "$state/root")"
  if [ -f "$dir/data/postmaster.pid" ]; then
    as_owner "$(pg_bin)/pg_ctl" -D "$dir/data" -m fast -w -t 60 stop >/dev/null || true
  fi
  rm -rf "$dir"
  rm -f "$state/root" "$state/url"
}

start() {
  "$root/scripts/deps.sh" postgresql
  local bin
  bin="$(pg_bin)"
  if [ "$(id -u)" -eq 0 ] && ! id "$os_user" >/dev/null 2>&1; then
    # Two runs may race to create it: losing that race is fine.
    useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin \
      "$os_user" 2>/dev/null || id "$os_user" >/dev/null
  fi
  mkdir -p "$state"
  stop

  local dir
  dir="$(mktemp -d /tmp/otter-pg.XXXXXX)"
  # The directory holds the socket: others (the tests) must be able to reach it.
  chmod 755 "$dir"
  if [ "$(id -u)" -eq 0 ]; then chown "$os_user" "$dir"; fi
  echo "$dir" >"$state/root"

  as_owner "$bin/initdb" -D "$dir/data" -U otter --auth=trust -E UTF8 --locale=C.UTF-8 \
    --no-sync >"$dir/initdb.log" 2>&1 || {
    cat "$dir/initdb.log" >&2
    exit 1
  }
  cat >>"$dir/data/postgresql.conf" <<EOF
listen_addresses = ''
unix_socket_directories = '$dir'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 100
EOF
  as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start >/dev/null || {
    cat "$dir/server.log" >&2
    exit 1
  }
  echo "postgresql://otter@/postgres?host=$dir" >"$state/url"
  echo "postgres: running, socket in $dir"
}

case "$action" in
  start) start ;;
  stop) stop ;;
  *) usage ;;
esac
