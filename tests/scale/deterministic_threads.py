#!/usr/bin/env python3
"""Determinism at scale: the same study gives byte-identical outputs whatever the thread count.

The tests in tests/cli check this on a 20-premise study and on the Dorset sample (197,000
premises); this one checks it where the parallel paths are actually exercised in earnest: a
synthetic national study of millions of premises and thousands of areas, where the premises
file is parsed in many chunks, assignment and aggregation run over many work items, and any
order-dependent floating-point sum or unordered container would show up.

It generates the study once (notspot-generate national, fixed seed), runs `notspot run` once
per --threads value given (the default list 1 2 8 8 includes a repeat, so that run-to-run
variation with the same thread count is caught too), and fails unless
  - every run exits with the same code, 0 or 3 (3: a quality gate failed by design, outputs
    are still written);
  - every run writes the same set of files, and that set is manifest.json plus exactly the
    files the manifest lists under "outputs";
  - every file is byte-identical to the first run's, except manifest.json, which is compared
    as parsed JSON (key order included) with its "run" object (start time, timings, thread
    count) removed, as tests/cli does; that object must say the thread count asked for. The
    manifest lists every other output's SHA-256, so it differs whenever they do.
For each difference it names the file and where it differs: the first differing line of a
CSV (and of the manifest), the first differing byte offset of any other file. The generated
data and the outputs are deleted when the test passes and kept (path printed) when it fails.

Exit status 0 when every check holds, 1 otherwise.

Usage: deterministic_threads.py --notspot BIN --generate BIN --work DIR
           [--premises N] [--areas N] [--seed S] [--rasters 0|1] [--threads N [N ...]]
"""

import argparse
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

from scale_support import describe_exit, fail, failures

OK_EXIT_CODES = (0, 3)  # 3: quality gate failed, outputs still published (README "Exit codes")


def run_command(command):
    """Runs command, returns (exit code, combined output, seconds)."""
    start = time.monotonic()
    r = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    return r.returncode, r.stdout, time.monotonic() - start


def file_set(folder):
    """Paths of every file under folder, relative to it, as POSIX strings."""
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


def manifest_without_run(path):
    """The manifest as indented text without its "run" object, and that object (None if absent)."""
    manifest = json.loads(path.read_text(encoding="utf-8"))
    run = manifest.pop("run", None)
    return json.dumps(manifest, indent=1, ensure_ascii=False) + "\n", run


def shorten(text, limit=160):
    text = text.rstrip("\r\n")
    return text if len(text) <= limit else text[:limit] + "..."


def first_line_difference(a, b):
    """'line N: ... vs ...' for two texts that differ, comparing line by line."""
    lines_a, lines_b = a.splitlines(keepends=True), b.splitlines(keepends=True)
    for number, (x, y) in enumerate(zip(lines_a, lines_b), start=1):
        if x != y:
            return "first difference at line %d:\n      %r\n  vs  %r" % (number, shorten(x),
                                                                       shorten(y))
    return "first difference at line %d: one file has %d lines, the other %d" % (
        min(len(lines_a), len(lines_b)) + 1, len(lines_a), len(lines_b))


def first_byte_difference(a, b):
    """'byte offset N: ... vs ...' for two byte strings that differ."""
    offset = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
    if offset == min(len(a), len(b)) and len(a) != len(b):
        return "first difference at byte offset %d: sizes %d and %d bytes" % (offset, len(a),
                                                                              len(b))
    return "first difference at byte offset %d (sizes %d and %d): %s vs %s" % (
        offset, len(a), len(b), a[offset:offset + 16].hex(" "), b[offset:offset + 16].hex(" "))


def first_difference(name, a, b):
    """Where bytes a and b of file name first differ, or None when they are identical."""
    if a == b:
        return None
    if name.lower().endswith(".csv"):
        return first_line_difference(a.decode("utf-8", "replace"), b.decode("utf-8", "replace"))
    return first_byte_difference(a, b)


def check_run(label, out, threads, reference):
    """Checks one run's outputs folder; returns its snapshot when it is the reference run."""
    files = file_set(out)
    if "manifest.json" not in files:
        fail("%s: no manifest.json among %s" % (label, files))
        return None
    manifest_text, run = manifest_without_run(out / "manifest.json")
    if run is None:
        fail("%s: manifest.json has no \"run\" object" % label)
    elif run.get("threads") != threads:
        fail("%s: manifest says threads = %r, --threads %d was given" % (label, run.get("threads"),
                                                                         threads))
    listed = {o.get("file") for o in json.loads(manifest_text).get("outputs", [])}
    if set(files) != listed | {"manifest.json"}:
        fail("%s: the folder holds %s but the manifest lists %s" % (label, files, sorted(listed)))

    if reference is None:
        return {"label": label, "out": out, "files": files, "manifest": manifest_text}
    if files != reference["files"]:
        only_here = sorted(set(files) - set(reference["files"]))
        only_there = sorted(set(reference["files"]) - set(files))
        fail("%s wrote a different set of files than %s: only in %s: %s; only in %s: %s" % (
            label, reference["label"], label, only_here, reference["label"], only_there))
    for name in sorted(set(files) & set(reference["files"])):
        if name == "manifest.json":
            where = None
            if manifest_text != reference["manifest"]:
                where = first_line_difference(reference["manifest"], manifest_text)
            what = "manifest.json (\"run\" object removed)"
        else:
            where = first_difference(name, (reference["out"] / name).read_bytes(),
                                     (out / name).read_bytes())
            what = name
        if where:
            fail("%s differs between %s and %s; %s" % (what, reference["label"], label, where))
    return None


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notspot", required=True, type=Path)
    parser.add_argument("--generate", required=True, type=Path, help="notspot-generate binary")
    parser.add_argument("--work", required=True, type=Path, help="scratch folder (replaced)")
    parser.add_argument("--premises", type=int, default=2_000_000)
    parser.add_argument("--areas", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--rasters", choices=("0", "1"), default="0")
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2, 8, 8])
    args = parser.parse_args()
    if len(args.threads) < 2:
        parser.error("--threads needs at least two values to compare")

    work = args.work.resolve()
    shutil.rmtree(work, ignore_errors=True)  # a failed or timed-out earlier run's leftovers
    study_dir = work / "study"
    code, output, seconds = run_command([
        str(args.generate), "national", "--out", str(study_dir), "--premises", str(args.premises),
        "--areas", str(args.areas), "--seed", str(args.seed), "--rasters", args.rasters])
    if code != 0:
        print(output)
        print("FAIL: notspot-generate: %s; data kept in %s" % (describe_exit(code), work))
        return 1
    print("generated %d premises, %d areas, seed %d, rasters %s in %.1f s" % (
        args.premises, args.areas, args.seed, args.rasters, seconds), flush=True)

    reference = None
    exit_codes = []
    for index, threads in enumerate(args.threads, start=1):
        label = "run %d (--threads %d)" % (index, threads)
        out = work / ("out-%d-threads-%d" % (index, threads))
        code, output, seconds = run_command([str(args.notspot), "run",
                                             str(study_dir / "study.toml"), "--out", str(out),
                                             "--threads", str(threads)])
        print("%s: %s in %.1f s" % (label, describe_exit(code), seconds), flush=True)
        exit_codes.append(code)
        if code not in OK_EXIT_CODES:
            print(output)
            fail("%s: %s, expected 0 or 3" % (label, describe_exit(code)))
            continue
        snapshot = check_run(label, out, threads, reference)
        if reference is None:
            reference = snapshot
            if reference is None:  # the reference run itself is unusable
                break
    if len(set(exit_codes)) > 1:
        fail("exit codes differ between runs: %s" % exit_codes)

    if failures:
        print("%d check(s) failed; generated data and outputs kept in %s" % (len(failures), work))
        return 1
    shutil.rmtree(work)
    print("PASS: %d runs (--threads %s) wrote the same %d files byte for byte (%s)" % (
        len(args.threads), " ".join(map(str, args.threads)), len(reference["files"]),
        ", ".join(reference["files"])))
    return 0


if __name__ == "__main__":
    sys.exit(main())
