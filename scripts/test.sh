#!/usr/bin/env bash
# The test command (README, .ci/run): installs what is needed, runs the unit and integration tests,
# the published vector suites through the CLI, the memory bound, and a bounded libFuzzer run of every target.
# FUZZ_SECONDS=0 skips the fuzzing step.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh

# The PC/SC bench (pcscd + vpcd + the virtual card, in a network namespace) needs root.
if [ "$(id -u)" -eq 0 ]; then
  echo "== PC/SC test bench"
  trap 'scripts/testbed.sh down >/dev/null 2>&1 || true' EXIT
  scripts/testbed.sh up
  export CCCD_TESTBED=1
else
  echo "warning: not root, so the PC/SC bench is not started and its tests do not run" >&2
fi

echo "== swift test"
swift test 2>&1 | tee .build-test.log | grep -vE '^(\[[0-9]+/[0-9]+\]|◇ )' || { tail -50 .build-test.log; exit 1; }
grep -qE "Test run with [0-9]+ tests? .*passed|Executed [0-9]+ tests?, with 0 failures" .build-test.log

if [ "$(id -u)" -eq 0 ]; then
  # The README's library example, built as an outside package, reads the bench's card.
  echo "== library example (README, Use as a library)"
  scripts/library-example.sh
fi

if [ "$(id -u)" -eq 0 ]; then
  echo "== HTML report in headless Chromium (screenshots in .build/screenshots)"
  scripts/html-report-test.sh
fi

if [ "$(id -u)" -eq 0 ]; then
  echo "== signing keys in an HSM (SoftHSM2): pki init --pkcs11, perso --signer, a wrong PIN, the key not extractable"
  scripts/hsm-test.sh
fi

if [ "$(id -u)" -eq 0 ]; then
  echo "== .deb for counter PCs, installed into a fresh Debian bookworm root"
  scripts/package-deb.sh
  scripts/deb-install-test.sh
fi

echo "== module diagram (README) matches Package.swift"
scripts/module-diagram.py --check

echo "== every public declaration documented"
scripts/doc-coverage.py

echo "== documentation (DocC catalogue of the library, warnings are errors)"
swift package --disable-sandbox generate-documentation --target Inspection --warnings-as-errors 2>&1 | tail -3

echo "== vector suites"
swift run cccd vectors run TestVectors --junit .build/junit-vectors.xml

echo "== card conformance suite (virtual chip)"
swift run cccd conformance card --simulated --junit .build/junit-conformance-card.xml

if [ "$(id -u)" -eq 0 ]; then
  # The station bench needs both vpcd slots: the shared bench goes down first.
  scripts/testbed.sh down >/dev/null
  echo "== station: 40 cards on two readers"
  scripts/station-test.sh 40
  echo "== counter page (cccd counter) in headless Chromium through pcscd (screenshots in .build/screenshots)"
  scripts/counter-test.sh
  echo "== the station's dashboard in headless Chromium (screenshots in .build/screenshots)"
  scripts/dashboard-test.sh
  echo "== a center: 4 stations, 200 cards, one PostgreSQL audit (restarted mid-run), a station killed"
  scripts/center-test.sh
  echo "== a day at the station, shortened: 300 cards with faults, memory, descriptors and threads flat"
  CARDS=300 SAMPLE=60 RECORDS=20 scripts/soak-test.sh
fi

echo "== memory bound (peak RSS of a full read and verification, honest and hostile chips)"
scripts/bench-memory.sh 64 | tail -3

# Every fuzz target for FUZZ_SECONDS each (default 25), nproc at a time: 21 targets on a 2-core
# runner take about 11 × 25 s ≈ 4.5 minutes of fuzzing (each target starts from its committed
# covering set). Longer runs by hand: scripts/fuzz.sh 3600 (the long runs' figures are in the README).
echo "== fuzzing"
scripts/fuzz.sh "${FUZZ_SECONDS:-25}"
