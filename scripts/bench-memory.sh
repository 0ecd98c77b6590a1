#!/usr/bin/env bash
# Peak resident memory of a full read and verification (cccd-read --simulated, one process per
# run, measured by GNU time's maximum resident set size): the specimen with PACE and with BAC, the
# specimen with a 60 KB portrait, and the specimen behind every hostile chip fault at every step
# (cccd sim --list-hostile). Fails when any run reaches LIMIT_MB (default 64).
# Usage: scripts/bench-memory.sh [LIMIT_MB]
set -euo pipefail
cd "$(dirname "$0")/.."
limit_mb="${1:-64}"
swift build --product cccd-read >/dev/null && swift build --product cccd >/dev/null
bin="$(swift build --show-bin-path)"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$bin/cccd" specimen --out "$tmp/big" --face-size 60000 >/dev/null 2>&1 || echo "warning: no large-portrait specimen" >&2

worst=0 worst_name="" failed=0 count=0
measure() { # name, cccd-read arguments…
  local name="$1"; shift
  local kb status
  set +e
  /usr/bin/time -f '%M' -o "$tmp/rss" "$bin/cccd-read" --simulated --apdu-timeout 1 --read-timeout 20 "$@" >/dev/null 2>"$tmp/err"
  status=$?
  set -e
  kb=$(tail -1 "$tmp/rss")
  count=$((count + 1))
  if [ "$kb" -gt "$worst" ]; then worst=$kb; worst_name=$name; fi
  if [ "$kb" -ge $((limit_mb * 1024)) ]; then failed=1; echo "OVER LIMIT: $name: $((kb / 1024)) MB" >&2; fi
  printf '%-40s %6.1f MB  exit %s\n' "$name" "$(awk "BEGIN{print $kb/1024}")" "$status"
}
measure "specimen PACE" --json
measure "specimen BAC" --access bac
[ -d "$tmp/big" ] && measure "specimen, 60 KB portrait" "$tmp/big"
for plan in $("$bin/cccd" sim --list-hostile); do
  # BAC's own steps with BAC, PACE's with PACE, the shared ones with both.
  case "$plan" in get-challenge:*|external-authenticate:*) ;; *) measure "hostile $plan" --hostile "$plan" --hostile-delay 2 ;; esac
  case "$plan" in read:*|select:*|ca:*|aa:*|get-challenge:*|external-authenticate:*)
    measure "hostile $plan (BAC)" --access bac --hostile "$plan" --hostile-delay 2 ;;
  esac
done
echo "$count runs; peak $(awk "BEGIN{printf \"%.1f\", $worst/1024}") MB ($worst_name); limit $limit_mb MB"
exit $failed
