#!/usr/bin/env python3
"""Every public declaration of the library's modules has a doc comment (`///`).

  scripts/doc-coverage.py [MODULE…]     list the public declarations without one; exit 1 if any

A declaration counts when a line starts with `public`/`open` (after attributes) and declares a
type, member, case or alias; `public import` and `public extension` lines are not declarations.
Members of an enum case list written on one line share the line's comment. Executable targets
(the CLIs, the fuzzer) are left out: they have no library API.
"""
import os, re, sys

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
skip = {"CCCDCommandLine", "CCCDRead", "CCCDTool", "CCCDFuzz", "FuzzTargets"}
wanted = set(sys.argv[1:])
declaration = re.compile(
    r"^(@[\w.]+(\([^)]*\))?\s+)*(public|open)\s+((static|final|mutating|override|nonisolated|required|convenience|indirect|private\(set\)|internal\(set\))\s+)*"
    r"(func|var|let|init|struct|enum|class|actor|protocol|case|typealias|subscript)\b")
missing = []
for directory, _, files in os.walk(os.path.join(root, "Sources")):
    module = os.path.relpath(directory, os.path.join(root, "Sources")).split(os.sep)[0]
    if module in skip or (wanted and module not in wanted):
        continue
    for name in sorted(files):
        if not name.endswith(".swift"):
            continue
        path = os.path.join(directory, name)
        lines = open(path, encoding="utf-8").read().split("\n")
        for i, line in enumerate(lines):
            text = line.strip()
            if not declaration.match(text):
                continue
            j = i - 1
            while j >= 0 and lines[j].strip().startswith("@"):
                j -= 1
            if j >= 0 and (lines[j].strip().startswith("///") or lines[j].strip().endswith("*/")):
                continue
            missing.append(f"{os.path.relpath(path, root)}:{i + 1}: {text[:100]}")
for entry in missing:
    print(entry)
print(f"{len(missing)} public declarations without a doc comment", file=sys.stderr)
sys.exit(1 if missing else 0)
