#!/usr/bin/env bash
# A day at the station (scripts/soak-test.py): CARDS insertions (default 10,000; CI runs CARDS=400
# SAMPLE=100) with cards pulled mid-read, slow chips and pcscd restarts; memory, descriptors and
# threads sampled and required flat. Its own bench (namespaces), stopped by PID. Needs root.
set -euo pipefail
cd "$(dirname "$0")/.."
for p in pcscd vsmartcard-vpcd; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" \
    || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq pcscd vsmartcard-vpcd >/dev/null; break; }
done
config="${BUILD:-debug}"
swift build -c "$config" --product cccd >&2 && swift build -c "$config" --product cccd-read >&2
# A copy of the binaries: a run of an hour must not pick up a rebuild half way.
bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT
cp "$(swift build -c "$config" --show-bin-path)"/{cccd,cccd-read} "$bin/"
export CCCD_BIN="$bin"
python3 scripts/soak-test.py
