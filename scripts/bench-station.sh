#!/usr/bin/env bash
# Station benchmark on the PC/SC test bench: personalizes N cards (default 40) from generated records
# with Vietnamese names, then inserts them one after the other into vpcd's second slot, while
# `cccd station --in-order` verifies them; prints perso time per card and station cards per minute.
# Needs root (network namespace).
set -euo pipefail
cd "$(dirname "$0")/.."
count="${1:-40}"
work=$(mktemp -d)
station=""
cleanup() {
  [ -n "$station" ] && kill "$station" 2>/dev/null || true
  scripts/testbed.sh down >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
swift build -c release --product cccd >&2
swift build -c release --product cccd-read >&2
bin="$(swift build -c release --show-bin-path)"
"$bin/cccd" pki init --out "$work/pki" >/dev/null
"$bin/cccd" specimen --out "$work/spec" --face-size 20000 >/dev/null
"$bin/cccd-read" --simulated "$work/spec" --photo "$work/face.jpg" >/dev/null 2>&1 || true
"$bin/cccd" perso --example-record > "$work/example.json"
python3 - "$work" "$count" <<'PY'
import json, sys, os
work, count = sys.argv[1], int(sys.argv[2])
example = json.load(open(os.path.join(work, "example.json")))
surnames = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng"]
given = ["Thị Hồng Nhung", "Văn Đức", "Quốc Đạt", "Thị Bích Ngọc", "Minh Khôi", "Thị Ánh Tuyết", "Hữu Phước", "Thị Yến"]
with open(os.path.join(work, "batch.jsonl"), "w") as batch:
    for i in range(count):
        r = dict(example)
        r["personalID"] = "0793%02d%06d" % (i % 100, 100000 + i)
        r["fullName"] = surnames[i % len(surnames)] + " " + given[i % len(given)]
        r["placeOfResidence"] = "Số %d Đường Nguyễn Thị Minh Khai, Phường Đa Kao, Quận 1, Thành phố Hồ Chí Minh" % (i + 1)
        r["photo"] = None
        json.dump(r, open(os.path.join(work, "r%d.json" % i), "w"), ensure_ascii=False)
        batch.write(json.dumps(r, ensure_ascii=False) + "\n")
PY
start=$(date +%s.%N)
for i in $(seq 0 $((count - 1))); do
  "$bin/cccd" perso --record "$work/r$i.json" --photo "$work/face.jpg" --pki "$work/pki" --out "$work/card$i" >/dev/null
done
perso=$(echo "($(date +%s.%N) - $start) / $count" | bc -l)
scripts/testbed.sh up >&2
ns=$(cat .testbed/netns)
# The first slot holds the bench's specimen; the batch goes through the second.
"$bin/cccd" station --records "$work/batch.jsonl" --trust "$work/pki/csca.pem" --db "$work/audit.db" --in-order \
  --reader "Virtual PCD 00 01" --cards "$count" > "$work/station.log" 2>&1 &
station=$!
sleep 1
rows() { python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('select count(*) from attempts').fetchone()[0])" "$work/audit.db" 2>/dev/null || echo 0; }
start=$(date +%s.%N)
for i in $(seq 0 $((count - 1))); do
  ip netns exec "$ns" "$bin/cccd" sim --vpcd "127.0.0.1:35964" --card "$work/card$i" >/dev/null 2>&1 &
  sim=$!
  until [ "$(rows)" -gt "$i" ]; do sleep 0.05; done
  kill -9 "$sim"; wait "$sim" 2>/dev/null || true
  sleep 0.3
done
elapsed=$(echo "$(date +%s.%N) - $start" | bc -l)
wait "$station" || true
station=""
grep -c "genuine" "$work/station.log" | xargs -I{} echo "station: {} of $count cards genuine"
printf 'perso: %.0f ms per card (release build, RSA-2048 AA key generation included)\n' "$(echo "$perso * 1000" | bc -l)"
printf 'station: %d cards in %.1f s = %.1f cards per minute (one reader slot, cards inserted one after another)\n' \
  "$count" "$elapsed" "$(echo "$count * 60 / $elapsed" | bc -l)"
