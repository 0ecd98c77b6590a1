#!/usr/bin/env bash
# Runs the libFuzzer targets (Sources/FuzzTargets) for a bounded time each.
#
#   scripts/fuzz.sh SECONDS_PER_TARGET [TARGET…]     (default: every target; 0 skips fuzzing)
#
# One sanitizer build (ASan + libFuzzer) serves every target; CCCD_FUZZ_TARGET picks one. Targets
# run FUZZ_JOBS at a time (default: nproc), each with its own corpus in fuzz-corpus/<target>/
# (seeded by scripts/fuzz-seeds.sh and kept between runs) and its own artifacts in
# fuzz-artifacts/<target>/. Limits per input: -timeout=5 s, -rss_limit_mb=1024, -malloc_limit_mb=256
# (one allocation over 256 MB is a finding: nothing may allocate from a length field).
# FUZZ_RUNS=N stops each target after N executions (the time limit still applies).
# Prints each target's executions (libFuzzer's stat::number_of_executed_units) and the total, and
# fails on any crash, leak, timeout or out-of-memory. A finding: minimize it
# (CCCD_FUZZ_TARGET=T .build-fuzz/release/cccd-fuzz -minimize_crash=1 -runs=10000 ARTIFACT), store it
# as TestVectors/fuzz-regressions/T/<what-it-was>, fix, and the regression test replays it.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"; shift || true
[ "$seconds" -gt 0 ] || { echo "fuzzing skipped"; exit 0; }
jobs="${FUZZ_JOBS:-$(nproc)}"

# FUZZ_BUILD=0 runs the fuzzer already built (a long run by hand while the sources change).
if [ "${FUZZ_BUILD:-1}" != 0 ]; then
  swift build -c release --product cccd-fuzz --sanitize=fuzzer \
    -Xswiftc -sanitize=fuzzer,address --scratch-path .build-fuzz 2>&1 | grep -vE '^\[[0-9]+/[0-9]+\]' || true
fi
fuzzer=.build-fuzz/release/cccd-fuzz
[ -x "$fuzzer" ] || { echo "fuzz target did not build" >&2; exit 1; }

all=$(CCCD_FUZZ_TARGET=list "$fuzzer" 2>/dev/null | sed -n 's/^  \([a-z0-9-]*\):.*/\1/p')
targets=("$@")
[ ${#targets[@]} -gt 0 ] || read -r -a targets <<< "$(echo $all)"
for t in "${targets[@]}"; do
  grep -qx "$t" <<< "$all" || { echo "unknown fuzz target $t (known: $(echo $all))" >&2; exit 2; }
done

seeds=$(mktemp -d)
trap 'rm -rf "$seeds"' EXIT
scripts/fuzz-seeds.sh "$seeds" "${FUZZ_CCCD:-}" >&2
mkdir -p fuzz-corpus fuzz-artifacts fuzz-logs

run_target() {
  local t="$1" max_len=4096 largest
  mkdir -p "fuzz-corpus/$t" "fuzz-artifacts/$t"
  [ -d "$seeds/$t" ] && cp -n "$seeds/$t"/* "fuzz-corpus/$t/" 2>/dev/null || true
  largest=$(find "fuzz-corpus/$t" -type f -printf '%s\n' | sort -n | tail -1)
  [ -n "$largest" ] && [ "$largest" -gt "$max_len" ] && max_len=$((largest < 200000 ? largest : 200000))
  CCCD_FUZZ_TARGET="$t" nice -n "${FUZZ_NICE:-0}" "$fuzzer" -max_total_time="$seconds" ${FUZZ_RUNS:+-runs="$FUZZ_RUNS"} -timeout=5 \
    -rss_limit_mb=1024 -malloc_limit_mb=256 -max_len="$max_len" -print_final_stats=1 \
    -artifact_prefix="fuzz-artifacts/$t/" "fuzz-corpus/$t" > "fuzz-logs/$t.log" 2>&1
}

status=0
running=0
for t in "${targets[@]}"; do
  if [ "$running" -ge "$jobs" ]; then wait -n || true; running=$((running - 1)); fi
  run_target "$t" &
  running=$((running + 1))
done
wait || true

total=0
printf '%-16s %14s %10s  %s\n' target executions corpus result
for t in "${targets[@]}"; do
  log="fuzz-logs/$t.log"
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  [ -n "$execs" ] || execs=$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$log" | tail -1)
  execs=${execs:-0}
  total=$((total + execs))
  corpus=$(find "fuzz-corpus/$t" -type f | wc -l)
  result=ok
  # (ls with several globs fails as soon as one matches nothing: find each kind instead.)
  if find "fuzz-artifacts/$t" -type f \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \
       -o -name 'slow-unit-*' \) | grep -q . \
     || grep -qE '^==[0-9]+==ERROR|SUMMARY: (Address|Leak)Sanitizer|libFuzzer: (deadly signal|timeout|out-of-memory)' "$log"; then
    result="FAILED (see $log and fuzz-artifacts/$t/)"
    status=1
  elif [ "$execs" -eq 0 ]; then
    result="FAILED (did not run, see $log)"
    status=1
  fi
  printf '%-16s %14s %10s  %s\n' "$t" "$execs" "$corpus" "$result"
done
printf '%-16s %14s\n' total "$total"
exit $status
