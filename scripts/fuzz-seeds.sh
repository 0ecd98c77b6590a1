#!/usr/bin/env bash
# Writes seed inputs for the fuzz target into DIR: each file is one selector byte (which parser,
# see Sources/CCCDFuzz/FuzzParsers.swift) followed by a real input for that parser.
set -euo pipefail
cd "$(dirname "$0")/.."
dir="$1"
mkdir -p "$dir"
seed() { # selector file
  { printf "\\x$(printf %02x "$1")"; cat "$2"; } > "$dir/seed-$1-$(basename "$2")"
}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
swift build --product cccd >/dev/null 2>&1 && "$(swift build --show-bin-path)/cccd" specimen --out "$tmp/specimen" >/dev/null || echo "warning: no specimen seeds" >&2
if [ -d "$tmp/specimen" ]; then
  seed 0 "$tmp/specimen/DG13"; seed 2 "$tmp/specimen/EF.COM"; seed 3 "$tmp/specimen/DG1"
  seed 4 "$tmp/specimen/DG13"; seed 5 "$tmp/specimen/DG2"; seed 9 "$tmp/specimen/EF.CardAccess"
  seed 11 "$tmp/specimen/card.json"
fi
for f in TestVectors/lds/*.bin; do
  [ -e "$f" ] || continue
  case "$f" in
    *[Dd]*14*) seed 6 "$f" ;;
    *15*) seed 7 "$f" ;;
    *) seed 0 "$f" ;;
  esac
done
printf 'IDVNM1950012347079195001234<<7\n9503146F3503144VNM<<<<<<<<<<<8\nTRAN<<THI<NGOC<ANH<<<<<<<<<<<<' > "$tmp/mrz"
seed 1 "$tmp/mrz"
