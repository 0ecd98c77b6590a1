#!/usr/bin/env python3
"""The README's module dependency diagram (Mermaid), generated from Package.swift.

  scripts/module-diagram.py           print the diagram
  scripts/module-diagram.py --write   replace the diagram between the README's markers
  scripts/module-diagram.py --check   fail when the README's diagram is not what Package.swift says

Library targets and the CLIs only (no tests, no fuzzing), each edge a declared dependency on
another target of this package; edges implied by another path are kept (they are declared).
"""
import json, subprocess, sys, os

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
dump = json.loads(subprocess.run(["swift", "package", "dump-package"], cwd=root, check=True,
                                 capture_output=True, text=True).stdout)
targets = {t["name"]: t for t in dump["targets"] if t["type"] in ("regular", "executable", "system")}
skip = {"FuzzTargets", "CCCDFuzz"}
lines = ["```mermaid", "graph BT"]
for name in sorted(targets):
    if name in skip:
        continue
    deps = []
    for d in targets[name].get("dependencies", []):
        dep = (d.get("byName") or d.get("target") or [None])[0]
        if dep in targets and dep not in skip:
            deps.append(dep)
    for dep in sorted(set(deps)):
        lines.append(f"    {name} --> {dep}")
lines.append("```")
diagram = "\n".join(lines)

begin, end = "<!-- module-diagram: begin -->", "<!-- module-diagram: end -->"
readme_path = os.path.join(root, "README.md")
readme = open(readme_path, encoding="utf-8").read()
if "--write" in sys.argv or "--check" in sys.argv:
    if begin not in readme or end not in readme:
        sys.exit("README.md has no module-diagram markers")
    head, rest = readme.split(begin, 1)
    current, tail = rest.split(end, 1)
    if "--check" in sys.argv:
        if current.strip() != diagram:
            sys.exit("README.md's module diagram differs from Package.swift: run scripts/module-diagram.py --write")
        print("module diagram: matches Package.swift")
    else:
        open(readme_path, "w", encoding="utf-8").write(head + begin + "\n" + diagram + "\n" + end + tail)
else:
    print(diagram)
