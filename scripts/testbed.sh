#!/usr/bin/env bash
# The PC/SC test bench without hardware: pcscd with the vsmartcard vpcd driver and the project's
# virtual card (`cccd sim`), both in a private network namespace so vpcd's port (bound to 0.0.0.0)
# is never exposed. PC/SC clients outside reach pcscd through its UNIX socket.
#
#   scripts/testbed.sh up [CARD_DIR] [-- extra cccd sim options]   start (installs packages if needed)
#   scripts/testbed.sh up --empty                                   pcscd and vpcd only: both slots free for the caller
#   scripts/testbed.sh down                                         stop exactly what `up` started
#   scripts/testbed.sh status
#
# State (PIDs, namespace name) lives in $CCCD_TESTBED_DIR (default .testbed/). Needs root (netns).
set -euo pipefail
cd "$(dirname "$0")/.."
state="${CCCD_TESTBED_DIR:-$PWD/.testbed}"
ns="${CCCD_TESTBED_NS:-cccd-testbed}"
mkdir -p "$state"

install_packages() {
  local missing=()
  for p in pcscd libpcsclite-dev vsmartcard-vpcd iproute2; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if ((${#missing[@]})); then
    echo "testbed: installing ${missing[*]}" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

alive() { [ -f "$state/$1.pid" ] && kill -0 "$(cat "$state/$1.pid")" 2>/dev/null; }

wait_listed() {
  # Until `cccd-read --list-readers` shows PATTERN (at most ~15 s): wait_listed CCCD_READ PATTERN WHAT
  local cccd_read="$1" pattern="$2" what="$3"
  for _ in $(seq 1 60); do
    if "$cccd_read" --list-readers 2>/dev/null | grep -q "$pattern"; then return 0; fi
    sleep 0.25
  done
  echo "testbed: $what did not appear in pcscd" >&2
  "$cccd_read" --list-readers >&2 || true
  return 1
}

up() {
  local card="" extra=()
  if [ $# -gt 0 ] && [ "$1" != "--" ]; then card="$1"; shift; fi
  [ "${1:-}" = "--" ] && { shift; extra=("$@"); }
  install_packages
  if alive pcscd || alive sim; then echo "testbed: already up (scripts/testbed.sh down first)" >&2; return 1; fi
  # Another pcscd answering on the default socket would take our clients (the pcscd of another
  # bench, with its socket bound elsewhere in its own mount namespace, is no matter).
  if [ -S /run/pcscd/pcscd.comm ] && python3 -c 'import socket; socket.socket(socket.AF_UNIX).connect("/run/pcscd/pcscd.comm")' 2>/dev/null; then
    echo "testbed: another pcscd answers on /run/pcscd/pcscd.comm; stop it first so clients reach ours" >&2
    return 1
  fi
  swift build --product cccd >&2 && swift build --product cccd-read >&2
  local bin; bin="$(swift build --show-bin-path)"
  ip netns add "$ns" 2>/dev/null || true
  echo "$ns" > "$state/netns"
  ip -n "$ns" link set lo up
  ip netns exec "$ns" pcscd -f > "$state/pcscd.log" 2>&1 &
  echo $! > "$state/pcscd.pid"
  if [ "$card" = "--empty" ]; then
    wait_listed "$bin/cccd-read" "Virtual PCD 00 01" "the vpcd readers"
    echo "testbed: up (pcscd $(cat "$state/pcscd.pid"), no card, namespace $ns)"
    return 0
  fi
  local args=(sim --vpcd 127.0.0.1:35963)
  [ -n "$card" ] && args+=(--card "$card")
  ip netns exec "$ns" "$bin/cccd" "${args[@]}" "${extra[@]}" > "$state/sim.log" 2>&1 &
  echo $! > "$state/sim.pid"
  wait_listed "$bin/cccd-read" "card present" "the virtual card"
  echo "testbed: up (pcscd $(cat "$state/pcscd.pid"), virtual card $(cat "$state/sim.pid"), namespace $ns)"
}

down() {
  local rc=0
  for name in sim pcscd; do
    if [ -f "$state/$name.pid" ]; then
      local pid; pid=$(cat "$state/$name.pid")
      if kill -0 "$pid" 2>/dev/null; then
        kill "$pid" 2>/dev/null || true
        for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
        kill -9 "$pid" 2>/dev/null || true
      fi
      rm -f "$state/$name.pid"
    fi
  done
  if [ -f "$state/netns" ]; then
    ip netns delete "$(cat "$state/netns")" 2>/dev/null || rc=$?
    rm -f "$state/netns"
  fi
  echo "testbed: down"
  return $rc
}

status() {
  for name in pcscd sim; do
    if alive "$name"; then echo "$name: running ($(cat "$state/$name.pid"))"; else echo "$name: stopped"; fi
  done
}

case "${1:-}" in
  up) shift; up "$@" ;;
  down) down ;;
  status) status ;;
  *) echo "usage: scripts/testbed.sh up [CARD_DIR] [-- sim options] | down | status" >&2; exit 2 ;;
esac
