#!/usr/bin/env python3
"""Memory at national scale: `notspot run` of a Great-Britain-sized study stays under a limit.

The design promises that the national study (about 41 M premises, about 10,000 parishes, a
dozen mobile layers) fits in one machine's memory; README's Performance section quotes a
3.1 GB peak and the target is at most 4 GB. Only a real run at that size shows whether a
change (a wider per-premise record, a copy of the premises, per-thread buffers) breaks it, so
this test generates the national study with notspot-generate's default size (40 M premises,
10,000 areas, the 12 mobile rasters; about 3 GB of disk and a minute and a half), runs
`notspot run` once with the default thread count, and fails unless
  - it exits 0 (the generated study is designed to pass its quality gates: about 0.5% of
    premises lie off the coast against a limit of 5%, none are rejected);
  - the manifest's premises ledger balances: read = assigned + outside + rejected, and read is
    the number of premises generated;
  - its peak resident set size is at most --limit-bytes.
The peak is the one of the notspot process alone: it is started as its own child and reaped
with os.wait4(), whose rusage covers that child only. (getrusage(RUSAGE_CHILDREN) would give
the largest peak of every child reaped so far, the generator's included.) It counts resident
pages of the memory-mapped inputs as well, like `/usr/bin/time -v`.
It prints the premises, the seconds and the peak. The generated data is deleted at the end,
pass or fail, unless NOTSPOT_SCALE_KEEP=1 is set (then its path is printed); a run killed by
the CTest timeout leaves it behind, and the next run of this test deletes it first.

Exit status 0 when every check holds, 1 otherwise.

Usage: memory_40m.py --notspot BIN --generate BIN --work DIR --limit-bytes N
           [--premises N] [--areas N] [--seed S]
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from scale_support import describe_exit, fail, failures


def gigabytes(n):
    return "%.2f GB" % (n / 1e9)


def run_measured(command, log_path):
    """Runs command with its output going to log_path; returns (exit code, seconds, peak bytes)."""
    with open(log_path, "wb") as log:
        start = time.monotonic()
        child = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.monotonic() - start
    child.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
    return child.returncode, seconds, usage.ru_maxrss * 1024  # ru_maxrss is in KiB on Linux


def print_log(path, last_lines=40):
    lines = Path(path).read_text(encoding="utf-8", errors="replace").splitlines()
    print("\n".join(lines[-last_lines:]))


def check(args, work):
    study_dir, out = work / "study", work / "out"
    log = work / "log.txt"

    print("generating %d premises, %d areas, seed %d..." % (
        args.premises, args.areas, args.seed), flush=True)
    start = time.monotonic()
    generated = subprocess.run([
        str(args.generate), "national", "--out", str(study_dir), "--premises", str(args.premises),
        "--areas", str(args.areas), "--seed", str(args.seed), "--rasters", "1"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if generated.returncode != 0:
        print(generated.stdout)
        fail("notspot-generate: %s" % describe_exit(generated.returncode))
        return
    print("generated in %.1f s" % (time.monotonic() - start), flush=True)

    code, seconds, peak = run_measured(
        [str(args.notspot), "run", str(study_dir / "study.toml"), "--out", str(out)], log)
    print("notspot run: %d premises, %s, %.1f s, peak RSS %d bytes (%s; limit %s)" % (
        args.premises, describe_exit(code), seconds, peak, gigabytes(peak),
        gigabytes(args.limit_bytes)), flush=True)
    if code != 0:
        print_log(log)
        fail("notspot run: %s, expected exit 0" % describe_exit(code))
    if peak > args.limit_bytes:
        fail("peak resident set size %d bytes (%s) is over the limit of %d bytes (%s)" % (
            peak, gigabytes(peak), args.limit_bytes, gigabytes(args.limit_bytes)))

    manifest_path = out / "manifest.json"
    if not manifest_path.is_file():
        fail("no manifest.json in %s" % out)
        return
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    if "run" in manifest:
        timings = manifest["run"].get("timings_seconds", {})
        print("threads %s; phases (s): %s" % (manifest["run"].get("threads"), ", ".join(
            "%s %.1f" % (name, value) for name, value in timings.items())))
    ledger = manifest.get("ledger", {}).get("premises", {})
    try:
        read, assigned, outside, rejected = (int(ledger[k]) for k in
                                             ("read", "assigned", "outside", "rejected"))
    except (KeyError, TypeError, ValueError):
        fail("manifest.json has no complete ledger.premises: %s" % json.dumps(ledger))
        return
    print("ledger: read %d = assigned %d + outside %d + rejected %d" % (read, assigned, outside,
                                                                        rejected))
    if read != assigned + outside + rejected:
        fail("the premises ledger does not balance: %d read, %d assigned + %d outside + %d "
             "rejected = %d" % (read, assigned, outside, rejected, assigned + outside + rejected))
    if ledger.get("balanced") is not True:
        fail("the manifest says the premises ledger is not balanced: %s" % json.dumps(ledger))
    if read != args.premises:
        fail("%d premises read, %d generated" % (read, args.premises))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notspot", required=True, type=Path)
    parser.add_argument("--generate", required=True, type=Path, help="notspot-generate binary")
    parser.add_argument("--work", required=True, type=Path,
                        help="scratch folder (replaced; deleted at the end)")
    parser.add_argument("--limit-bytes", required=True, type=int,
                        help="largest allowed peak resident set size of notspot run")
    # notspot-generate national's defaults, spelled out so that the test keeps its size if they
    # ever change.
    parser.add_argument("--premises", type=int, default=40_000_000)
    parser.add_argument("--areas", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    work = args.work.resolve()
    shutil.rmtree(work, ignore_errors=True)  # left by a run the CTest timeout killed
    work.mkdir(parents=True)
    keep = os.environ.get("NOTSPOT_SCALE_KEEP") == "1"
    try:
        check(args, work)
    finally:
        if keep:
            print("NOTSPOT_SCALE_KEEP=1: generated data and outputs kept in %s" % work)
        else:
            shutil.rmtree(work, ignore_errors=True)
    if failures:
        print("%d check(s) failed" % len(failures))
        return 1
    print("PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
