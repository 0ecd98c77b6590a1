#!/usr/bin/env bash
# The reader benchmark: a specimen CCCD with a 20 KB portrait read through pcscd + vpcd, once with
# extended length off (first vpcd slot) and once on (second slot). Needs root (network namespace).
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
sim2=""
cleanup() {
  [ -n "$sim2" ] && kill "$sim2" 2>/dev/null || true
  scripts/testbed.sh down >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
swift build -c release --product cccd >&2
rel="$(swift build -c release --show-bin-path)"
"$rel/cccd" specimen --out "$work/short" --face-size 20000 >/dev/null
"$rel/cccd" specimen --out "$work/extended" --face-size 20000 --extended-length >/dev/null
scripts/testbed.sh up "$work/short" >&2
ip netns exec "$(cat .testbed/netns)" "$rel/cccd" sim --vpcd 127.0.0.1:35964 --card "$work/extended" &
sim2=$!
for _ in $(seq 1 40); do
  "$rel/cccd" bench-reader --reader "Virtual PCD 00 01" --can 001234 --reads 1 >/dev/null 2>&1 && break
  sleep 0.25
done
"$rel/cccd" bench-reader --reader "Virtual PCD 00 00" --can 001234 --reads 5
"$rel/cccd" bench-reader --reader "Virtual PCD 00 01" --can 001234 --reads 5
