#!/usr/bin/env bash
# The main job on a fresh machine: install what is needed, build, bring up the PC/SC test bench
# (pcscd + the vpcd driver + the virtual specimen CCCD, in a private network namespace), read the
# card through pcscd with cccd-read and verify it against the shipped test CSCA, then stop exactly
# what was started. Without root (no network namespace) it reads the virtual chip in process.
# Extra arguments go to cccd-read (e.g. --json, --access bac, --photo face.jpg).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
trust=(--trust TestVectors/pki/csca.pem --trust TestVectors/pki/crl.pem)
if [ "$(id -u)" -eq 0 ]; then
  trap 'scripts/testbed.sh down >&2 || true' EXIT
  scripts/testbed.sh up >&2
  bin="$(swift build --show-bin-path)"
  # The specimen's CAN: the last 6 digits of its ID number (079195001234).
  echo "CAN 001234" | "$bin/cccd-read" --reader "Virtual PCD 00 00" --key-stdin "${trust[@]}" "$@"
else
  echo "note: not root, so no PC/SC bench; reading the virtual chip in process" >&2
  swift build --product cccd-read >&2
  "$(swift build --show-bin-path)/cccd-read" --simulated "${trust[@]}" "$@"
fi
