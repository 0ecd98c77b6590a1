#!/usr/bin/env bash
# The inspection-system bench by hand: the PC/SC bench up, `cccd conformance serve` presenting the
# built-in suite (or SUITE_DIR) in vpcd's second slot, and `cccd-read` reading every document once;
# each verdict is compared with the manifest. Stops exactly what it started.
#
#   scripts/conformance-serve.sh [SUITE_DIR]        (needs root: network namespace)
set -euo pipefail
cd "$(dirname "$0")/.."
ns="${CCCD_TESTBED_NS:-cccd-testbed}"
export CCCD_TESTBED_NS="$ns"
work="$(mktemp -d)"
serve_pid=""
cleanup() {
  [ -n "$serve_pid" ] && kill "$serve_pid" 2>/dev/null || true
  scripts/testbed.sh down >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
scripts/testbed.sh up
bin="$(swift build --show-bin-path)"
suite="${1:-$work/suite}"
[ -n "${1:-}" ] || "$bin/cccd" conformance make-suite "$suite"
ip netns exec "$ns" "$bin/cccd" conformance serve --vpcd 127.0.0.1:35964 --suite "$suite" --timeline "$work/timeline.jsonl" &
serve_pid=$!
python3 - "$bin" "$suite" <<'PY'
import json, subprocess, sys, time
bin, suite = sys.argv[1], sys.argv[2]
manifest = json.load(open(f"{suite}/manifest.json"))
codes = {"genuine": 0, "not-genuine": 1, "unverified": 4, "card-error": 3}
reader = "Virtual PCD 00 01"
bad = 0
start = time.time()
for d in manifest["documents"]:
    key = ["--can", d["key"]["can"]] if d["key"].get("can") else ["--mrz", d["key"]["mrz"]]
    r = subprocess.run([f"{bin}/cccd-read", "--reader", reader, "--wait", "--json", "--trust", f"{suite}/{manifest['trust']}", *key],
                       capture_output=True, text=True)
    ok = r.returncode == codes[d["expected"]]
    bad += not ok
    print(f"{'ok  ' if ok else 'FAIL'} {d['id']:<26} expected {d['expected']:<12} exit {r.returncode}")
    for _ in range(100):
        if f"{reader} (card present" not in subprocess.run([f"{bin}/cccd-read", "--list-readers"], capture_output=True, text=True).stdout:
            break
        time.sleep(0.05)
print(f"{len(manifest['documents']) - bad} as expected, {bad} not, in {time.time() - start:.1f} s")
sys.exit(1 if bad else 0)
PY
rc=$?
wait "$serve_pid" || true
serve_pid=""
echo "timeline:"; cat "$work/timeline.jsonl"
exit $rc
