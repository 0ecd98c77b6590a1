#!/usr/bin/env bash
# The counter page (`cccd counter`) in headless Chromium through pcscd: see scripts/counter-test.py.
# Brings up the PC/SC bench with both vpcd slots free (scripts/testbed.sh up --empty) unless one is
# up already, and takes it down again if it brought it up. Screenshots in .build/screenshots/.
#
#   scripts/counter-test.sh     (root: installs chromium, chromium-driver and selenium when missing)
set -euo pipefail
cd "$(dirname "$0")/.."
missing=()
for p in chromium chromium-driver; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  [ "$(id -u)" -eq 0 ] || { echo "counter test: needs ${missing[*]} (root installs them)" >&2; exit 1; }
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
python3 -c 'import selenium' 2>/dev/null || python3 -m pip install -q 'selenium>=4.10,<5'
swift build --product cccd >/dev/null && swift build --product cccd-read >/dev/null
bin="$(swift build --show-bin-path)"
work=$(mktemp -d)
own_bench=0
cleanup() {
  [ "$own_bench" = 1 ] && scripts/testbed.sh down >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
if ! scripts/testbed.sh status | grep -q 'pcscd: running'; then
  scripts/testbed.sh up --empty
  own_bench=1
fi
# A specimen with a portrait of a real CCCD's size, and the same card with DG1 changed after signing.
"$bin/cccd" specimen --face-size 20000 --out "$work/specimen" >/dev/null
cp -r "$work/specimen" "$work/tampered"
printf 'X' | dd of="$work/tampered/DG1" bs=1 seek=20 conv=notrunc status=none
python3 scripts/counter-test.py "$bin" "$work"
