#!/usr/bin/env bash
# A throw-away PostgreSQL server from Debian's packages, for tests: its own folder, its own port on
# loopback, trust authentication for the user `cccd`, started and stopped by PID.
#
#   scripts/postgres.sh start DIR PORT     prints the URL (postgresql://cccd@127.0.0.1:PORT/postgres)
#   scripts/postgres.sh stop DIR           stops the server started in DIR (SIGINT: fast shutdown)
#   scripts/postgres.sh restart DIR        stop, then start again on the same port
# Needs root (it installs postgresql when missing and runs the server as the `postgres` user).
set -euo pipefail
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
fi
# setpriv executes the program itself (runuser and su fork and wait): the PID started is the server's.
as_postgres() { setpriv --reuid=postgres --regid=postgres --init-groups -- "$@"; }

start() {
  local dir="$1" port="$2"
  mkdir -p "$dir"
  chown postgres "$dir"
  if [ ! -f "$dir/data/PG_VERSION" ]; then
    as_postgres "$bin/initdb" -D "$dir/data" -U cccd --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; exit 1; }
  fi
  echo "$port" > "$dir/port"
  # Not through pg_ctl: the PID written is the postmaster's own, and stop kills exactly it.
  setpriv --reuid=postgres --regid=postgres --init-groups -- "$bin/postgres" -D "$dir/data" -p "$port" -k "$dir" \
    -c listen_addresses=127.0.0.1 -c fsync=on -c max_connections=50 >"$dir/server.log" 2>&1 &
  local started=$!
  echo "$started" > "$dir/pid"
  for _ in $(seq 1 100); do
    kill -0 "$started" 2>/dev/null || { cat "$dir/server.log" >&2; echo "postgres: exited at start" >&2; exit 1; }
    if as_postgres "$bin/pg_isready" -q -h 127.0.0.1 -p "$port" \
       && [ "$(head -1 "$dir/data/postmaster.pid" 2>/dev/null)" = "$started" ]; then
      echo "postgresql://cccd@127.0.0.1:$port/postgres"
      return 0
    fi
    sleep 0.1
  done
  cat "$dir/server.log" >&2
  echo "postgres: did not start" >&2
  exit 1
}

stop() {
  local dir="$1" pid
  [ -f "$dir/pid" ] || return 0
  pid=$(cat "$dir/pid")
  # Gone, or a zombie nobody reaped (the script that started it has exited): stopped either way.
  running() { ps -o stat= -p "$1" 2>/dev/null | grep -qv '^Z'; }
  if running "$pid"; then
    kill -INT "$pid"
    for _ in $(seq 1 100); do running "$pid" || break; sleep 0.1; done
    running "$pid" && kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$dir/pid"
}

case "${1:-}" in
  start) start "$2" "$3" ;;
  stop) stop "$2" ;;
  restart) stop "$2"; start "$2" "$(cat "$2/port")" ;;
  *) echo "usage: scripts/postgres.sh start DIR PORT | stop DIR | restart DIR" >&2; exit 2 ;;
esac
