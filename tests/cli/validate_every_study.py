#!/usr/bin/env python3
"""`notspot validate` agrees with `notspot run` on every study file of the repository.

Finds every study file (a .toml file with a [study] table) under data/, tests/, fuzz/ and
benchmarks/ of the source tree, plus any given with --study (e.g. generated ones). For each, it
runs `notspot run` into a temporary folder; where the run succeeds (exit 0, or 3 for a study
whose data fails a quality gate), `notspot validate` must exit 0 too: validate checks every
input the way the run reads it, so a study that runs must validate. Study files that do not
run where they stand (bad-input fragments, seeds whose data is elsewhere) are listed as skipped;
at least --min-checked studies must have been checked.

Usage: validate_every_study.py --notspot BIN --root SOURCE_DIR [--study FILE ...] [--min-checked N]
"""
import argparse
import os
import subprocess
import sys
import tempfile
import tomllib

FOLDERS = ["data", "tests", "fuzz", "benchmarks"]


def study_files(root):
    for folder in FOLDERS:
        for base, dirs, files in os.walk(os.path.join(root, folder)):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for f in sorted(files):
                if not f.endswith(".toml"):
                    continue
                path = os.path.join(base, f)
                try:
                    with open(path, "rb") as fh:
                        if "study" in tomllib.load(fh):
                            yield path
                except (tomllib.TOMLDecodeError, UnicodeDecodeError):
                    continue  # a deliberately broken study file: nothing to run


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--notspot", required=True)
    ap.add_argument("--root", required=True)
    ap.add_argument("--study", action="append", default=[])
    ap.add_argument("--min-checked", type=int, default=3)
    a = ap.parse_args()
    failures, checked = [], 0
    for study in list(study_files(a.root)) + a.study:
        name = os.path.relpath(study, a.root) if study.startswith(a.root) else study
        with tempfile.TemporaryDirectory() as tmp:
            run = subprocess.run([a.notspot, "run", study, "--out", os.path.join(tmp, "out")],
                                 capture_output=True, text=True, timeout=600)
        if run.returncode not in (0, 3):
            print(f"skipped  {name}: run exits {run.returncode}")
            continue
        validate = subprocess.run([a.notspot, "validate", study], capture_output=True, text=True,
                                  timeout=600)
        checked += 1
        if validate.returncode == 0:
            print(f"ok       {name}: run exits {run.returncode}, validate exits 0")
        else:
            print(f"FAILED   {name}: run exits {run.returncode}, validate exits "
                  f"{validate.returncode}:\n{validate.stdout}{validate.stderr}")
            failures.append(name)
    print(f"{checked} studies checked, {len(failures)} failed")
    if checked < a.min_checked:
        print(f"expected at least {a.min_checked} studies that run; is the sample generated?")
        return 1
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
