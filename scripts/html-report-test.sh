#!/usr/bin/env bash
# The HTML report in a real browser: headless Chromium (Debian's package) renders the reports of
# cccd-read and cccd verify (genuine in Vietnamese and English, unverified, not genuine, a card whose
# DG13 holds markup), keeps a screenshot of each in .build/screenshots/, prints each to PDF and checks
# it is one A4 page, and checks that the markup stayed text (no script element in the DOM).
#
#   scripts/html-report-test.sh        (installs chromium and poppler-utils when missing, as root)
set -euo pipefail
cd "$(dirname "$0")/.."
missing=()
for p in chromium poppler-utils; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  [ "$(id -u)" -eq 0 ] || { echo "html report test: needs ${missing[*]} (root installs them)" >&2; exit 1; }
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
bin="$(swift build --show-bin-path)"
out=.build/screenshots
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"
browser() { timeout 60 chromium --headless --no-sandbox --disable-gpu --no-first-run --user-data-dir="$work/profile" "$@" 2>/dev/null; }

# The cards: the specimen, one with DG13 cut short, one with DG1 changed, one whose DG13 holds markup.
"$bin/cccd" specimen --out "$work/specimen" >/dev/null
cp -r "$work/specimen" "$work/truncated"; head -c 300 "$work/specimen/DG13" > "$work/truncated/DG13"
cp -r "$work/specimen" "$work/tampered"; printf 'X' | dd of="$work/tampered/DG1" bs=1 seek=20 conv=notrunc status=none
"$bin/cccd" pki init --out "$work/pki" >/dev/null
"$bin/cccd-read" --simulated --photo "$work/face.jpg" >/dev/null
"$bin/cccd" perso --example-record | python3 -c '
import json, sys; r = json.load(sys.stdin); r["placeOfResidence"] = "<script>alert(1)</script> Hà Nội"; r["photo"] = "face.jpg"
json.dump(r, open(sys.argv[1], "w"), ensure_ascii=False)' "$work/record.json"
"$bin/cccd" perso --record "$work/record.json" --pki "$work/pki" --out "$work/markup" >/dev/null

trust=TestVectors/pki/csca.pem
"$bin/cccd-read" --simulated "$work/specimen" --trust "$trust" --lang vi --html "$work/genuine-vi.html" >/dev/null
"$bin/cccd-read" --simulated "$work/specimen" --trust "$trust" --lang en --html "$work/genuine-en.html" >/dev/null
"$bin/cccd-read" --simulated "$work/truncated" --trust "$trust" --lang vi --html "$work/unverified-vi.html" >/dev/null || true
"$bin/cccd" verify "$work/tampered" --trust "$trust" --lang vi --html "$work/not-genuine-vi.html" >/dev/null || true
"$bin/cccd-read" --simulated "$work/markup" --trust "$work/pki/csca.pem" --lang en --html "$work/markup-en.html" >/dev/null

status=0
check() { echo "html report: $1" >&2; status=1; }
for page in genuine-vi genuine-en unverified-vi not-genuine-vi markup-en; do
  html="$work/$page.html"
  [ -s "$html" ] || { check "$page: no report written"; continue; }
  browser --window-size=900,1300 --screenshot="$out/report-$page.png" "file://$html" >/dev/null
  browser --print-to-pdf="$work/$page.pdf" --no-pdf-header-footer "file://$html" >/dev/null
  pages=$(pdfinfo "$work/$page.pdf" | sed -n 's/^Pages: *//p')
  size=$(pdfinfo "$work/$page.pdf" | sed -n 's/^Page size: *//p')
  [ "$pages" = 1 ] || check "$page prints on $pages pages, not 1"
  grep -q "A4" <<< "$size" || check "$page prints on $size, not A4"
  [ -s "$out/report-$page.png" ] || check "$page: no screenshot"
  echo "html report: $page: $pages page ($size), screenshot $out/report-$page.png"
done
grep -q '<div class="verdict genuine">KẾT LUẬN: THẺ HỢP LỆ' "$work/genuine-vi.html" || check "genuine-vi: no green Vietnamese verdict"
grep -q '<div class="verdict unverified">' "$work/unverified-vi.html" || check "unverified-vi: no amber verdict"
grep -q '<div class="verdict not-genuine">' "$work/not-genuine-vi.html" || check "not-genuine-vi: no red verdict"
# The markup is text in the browser's DOM: no script element, the characters shown.
browser --dump-dom "file://$work/markup-en.html" > "$work/markup-dom.html"
grep -qi '<script' "$work/markup-dom.html" && check "markup-en: a script element reached the DOM"
grep -q '&lt;script&gt;alert(1)&lt;/script&gt; Hà Nội' "$work/markup-dom.html" || check "markup-en: the markup is not shown as text"
grep -q 'src="data:image/jpeg;base64,' "$work/genuine-vi.html" || check "genuine-vi: the photo is not embedded"
exit $status
