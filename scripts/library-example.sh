#!/usr/bin/env bash
# The README's "Use as a library" example, as an outside package: the Package.swift and main.swift
# blocks are copied out of README.md into a fresh package that depends on this one by path, built,
# and run against the card in the PC/SC bench's first slot (scripts/testbed.sh up). It must print
# GENUINE and the holder's name.
#
#   scripts/library-example.sh          (the bench must be up; scripts/test.sh runs it)
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
work="${CCCD_LIBRARY_EXAMPLE_DIR:-$root/.build-library-example}"
mkdir -p "$work"
rm -rf "$work/counter" "$work/cccd-toolkit"
# The example names the dependency ../cccd-toolkit: a link to this checkout, whatever its folder's name.
ln -s "$root" "$work/cccd-toolkit"
python3 - "$root/README.md" "$work/counter" <<'PY'
import os, re, sys
readme, out = sys.argv[1], sys.argv[2]
text = open(readme, encoding="utf-8").read()
blocks = re.findall(r"<!-- library-example: (\S+) -->\n```swift\n(.*?)```", text, re.S)
assert [b[0] for b in blocks] == ["Package.swift", "Sources/counter/main.swift"], f"README example blocks: {[b[0] for b in blocks]}"
for path, body in blocks:
    full = os.path.join(out, path)
    os.makedirs(os.path.dirname(full), exist_ok=True)
    open(full, "w", encoding="utf-8").write(body)
PY
cd "$work/counter"
echo "library example: building (an outside package depending on cccd-toolkit by path)"
swift build 2>&1 | grep -vE '^\[[0-9]+/[0-9]+\]' | tail -5
out=$(swift run -q counter "$root/TestVectors/pki/csca.pem")
echo "$out"
grep -qx "GENUINE" <<< "$(head -1 <<< "$out")" || { echo "library example: expected GENUINE" >&2; exit 1; }
grep -q "Trần Thị Ngọc Ánh" <<< "$out" || { echo "library example: the holder's name is missing" >&2; exit 1; }
echo "library example: ok"
