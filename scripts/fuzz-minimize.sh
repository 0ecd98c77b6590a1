#!/usr/bin/env bash
# Keeps, for every fuzz target, the smallest set of inputs that covers what its whole grown corpus
# covers (libFuzzer -merge=1), as its regression inputs in TestVectors/fuzz-regressions/TARGET/.
# Named crash reproducers (files whose name is not a bare hash) are kept as they are.
#
#   scripts/fuzz-minimize.sh [TARGET…]      (after scripts/fuzz.sh has grown fuzz-corpus/)
set -euo pipefail
cd "$(dirname "$0")/.."
fuzzer=.build-fuzz/release/cccd-fuzz
[ -x "$fuzzer" ] || { echo "build the fuzzer first (scripts/fuzz.sh builds it)" >&2; exit 1; }
all=$(CCCD_FUZZ_TARGET=list "$fuzzer" 2>/dev/null | sed -n 's/^  \([a-z0-9-]*\):.*/\1/p')
targets=("$@")
[ ${#targets[@]} -gt 0 ] || read -r -a targets <<< "$(echo $all)"
for t in "${targets[@]}"; do
  corpus="fuzz-corpus/$t"
  [ -d "$corpus" ] || { echo "$t: no corpus, skipped"; continue; }
  out="TestVectors/fuzz-regressions/$t"
  work=$(mktemp -d)
  mkdir -p "$work/min" "$out"
  # Bare hashes are earlier covering inputs: they join the corpus being minimized.
  find "$out" -maxdepth 1 -type f -regextype posix-extended -regex '.*/[0-9a-f]{12,40}' -exec cp {} "$corpus/" \;
  CCCD_FUZZ_TARGET="$t" "$fuzzer" -merge=1 -timeout=5 -rss_limit_mb=1024 -malloc_limit_mb=256 \
    "$work/min" "$corpus" > "$work/log" 2>&1 || { tail -5 "$work/log"; exit 1; }
  find "$out" -maxdepth 1 -type f -regextype posix-extended -regex '.*/[0-9a-f]{12,40}' -delete
  for f in "$work/min"/*; do
    [ -f "$f" ] && cp "$f" "$out/$(basename "$f" | cut -c1-12)"
  done
  printf '%-16s %6s inputs %8s bytes\n' "$t" "$(find "$out" -type f | wc -l)" "$(du -sb "$out" | cut -f1)"
  rm -rf "$work"
done
