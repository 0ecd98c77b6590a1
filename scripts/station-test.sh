#!/usr/bin/env bash
# The station on a bench of two readers (both vpcd slots), end to end: scripts/station-test.py.
#   scripts/station-test.sh [N]          N cards (default 40), debug build
#   BUILD=release scripts/station-test.sh 40   the benchmark figures (perso ms/card, cards/minute)
# Brings up its own empty test bench (pcscd + vpcd, no card) and stops exactly what it started.
# Needs root (network namespace) and no other test bench running.
set -euo pipefail
cd "$(dirname "$0")/.."
config="${BUILD:-debug}"
export CCCD_TESTBED_DIR="$PWD/.testbed-station" CCCD_TESTBED_NS="cccd-station"
trap 'scripts/testbed.sh down >/dev/null 2>&1 || true' EXIT
swift build -c "$config" --product cccd >&2
swift build -c "$config" --product cccd-read >&2
export CCCD_BIN="$(swift build -c "$config" --show-bin-path)"
scripts/testbed.sh up --empty >&2
python3 scripts/station-test.py "${1:-40}"
