#!/usr/bin/env bash
# Builds the libFuzzer target over the parsers and runs it for a bounded time (seconds, default 60).
# The corpus is seeded from the test vectors and the specimen card; crashes are written to
# fuzz-artifacts/ and make this script fail. Longer runs by hand: scripts/fuzz.sh 3600
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
[ "$seconds" -gt 0 ] || { echo "fuzzing skipped"; exit 0; }

swift build -c release --product cccd-fuzz --sanitize=fuzzer \
  -Xswiftc -sanitize=fuzzer,address --scratch-path .build-fuzz 2>&1 | grep -vE '^\[[0-9]+/[0-9]+\]' || true
fuzzer=.build-fuzz/release/cccd-fuzz
[ -x "$fuzzer" ] || { echo "fuzz target did not build" >&2; exit 1; }

corpus=fuzz-corpus
mkdir -p "$corpus" fuzz-artifacts
scripts/fuzz-seeds.sh "$corpus"
"$fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=70000 \
  -artifact_prefix=fuzz-artifacts/ -print_final_stats=1 "$corpus" 2>&1 | tail -25
if ls fuzz-artifacts/crash-* fuzz-artifacts/timeout-* fuzz-artifacts/oom-* >/dev/null 2>&1; then
  echo "fuzzing found a failure: see fuzz-artifacts/" >&2
  exit 1
fi
