#!/usr/bin/env bash
# The station's dashboard in headless Chromium (scripts/dashboard-test.py), on its own empty PC/SC
# bench (both vpcd slots); stops exactly what it started. Needs root.
set -euo pipefail
cd "$(dirname "$0")/.."
export CCCD_TESTBED_DIR="$PWD/.testbed-dashboard" CCCD_TESTBED_NS="cccd-dashboard"
for p in chromium chromium-driver; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" \
    || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; break; }
done
python3 -c 'import selenium' 2>/dev/null || python3 -m pip install -q 'selenium>=4.10,<5'
trap 'scripts/testbed.sh down >/dev/null 2>&1 || true' EXIT
swift build --product cccd >&2 && swift build --product cccd-read >&2
export CCCD_BIN="$(swift build --show-bin-path)"
scripts/testbed.sh up --empty >&2
python3 scripts/dashboard-test.py
