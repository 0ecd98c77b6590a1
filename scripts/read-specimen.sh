#!/usr/bin/env bash
# The main job on a fresh machine: install what is needed, build, and read and show the built-in
# specimen CCCD through the virtual chip (BAC + secure messaging). Extra arguments go to cccd-read.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
swift build -c release --product cccd-read >&2
exec .build/release/cccd-read --simulated "$@"
