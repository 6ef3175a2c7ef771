#!/usr/bin/env python3
"""The five libraries use only those to their left: engine <- io <- outputs <- study <- cli.

Scans every source and header of each library for `#include "notspot/<lib>/..."` and fails,
naming the file and line, on an include of a library to its right; also fails on a GEOS C-API
call (GEOS*_r) outside engine/, which owns all geometry.
Usage: check_dependencies.py SOURCE_DIR
"""
import os
import re
import sys

ORDER = ["engine", "io", "outputs", "study", "cli"]
INCLUDE = re.compile(r'^\s*#\s*include\s*[<"]notspot/(\w+)/')
GEOS_CALL = re.compile(r"\bGEOS\w*_r\b")


def sources(folder):
    for base, _, files in os.walk(folder):
        for f in sorted(files):
            if f.endswith((".cpp", ".hpp", ".h", ".in")):
                yield os.path.join(base, f)


def main():
    root = sys.argv[1]
    problems, scanned = [], 0
    for rank, lib in enumerate(ORDER):
        for path in sources(os.path.join(root, lib)):
            scanned += 1
            with open(path, encoding="utf-8") as fh:
                for number, line in enumerate(fh, 1):
                    m = INCLUDE.match(line)
                    if m and m.group(1) in ORDER and ORDER.index(m.group(1)) > rank:
                        problems.append(f"{os.path.relpath(path, root)}:{number}: {lib} includes "
                                        f"notspot/{m.group(1)}/, a library to its right")
                    if lib != "engine" and GEOS_CALL.search(line.split("//")[0]):
                        problems.append(f"{os.path.relpath(path, root)}:{number}: GEOS C-API "
                                        "call outside engine/")
    for p in problems:
        print(p)
    print(f"{scanned} files scanned, {len(problems)} problem(s)")
    return 1 if problems or scanned < 50 else 0


if __name__ == "__main__":
    sys.exit(main())
