#!/usr/bin/env python3
"""SIGTERM and SIGINT during `notspot run` (issue 12, "Data it does not own").

An outputs folder holds a good previous run (the small study). A run of a big study (the small
study's areas with millions of generated premises) is started on the same folder and sent
SIGTERM or SIGINT, once as soon as its staging folder appears and once half-way through a
measured uninterrupted run. After each signal:
  - the exit status is 143 (SIGTERM) or 130 (SIGINT), and the output says, in one line, that
    nothing was published;
  - no `.out.staging-*` folder is left beside the outputs folder;
  - the lock is released (another process can take it at once with flock);
  - the previous outputs are byte-identical, and nothing is published beside them (out.failed).

Usage: signal_test.py --notspot BIN --study SMALL_STUDY_DIR --work DIR [--rows N]
Exit status 0 when every check holds, 1 otherwise.
"""

import argparse
import fcntl
import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

EXPECTED_STATUS = {signal.SIGTERM: 143, signal.SIGINT: 130}
problems = []


def check(ok, what):
    if not ok:
        problems.append(what)
        print(f"FAIL: {what}")


def snapshot(folder):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.iterdir()) if p.is_file()}


def write_premises(path, rows):
    """rows premises on a regular grid over the small study's areas (x 400000-405000,
    y 100000-101000), unique UPRNs: the same file every time."""
    with open(path, "w") as f:
        f.write("UPRN,X_COORDINATE,Y_COORDINATE\n")
        block = []
        for i in range(rows):
            block.append(f"{10_000_000 + i},{400000 + (i * 7919) % 5000}.5,"
                         f"{100000 + (i * 104729) % 1000}.25\n")
            if len(block) == 100_000:
                f.write("".join(block))
                block.clear()
        f.write("".join(block))


def make_studies(small, work, rows):
    previous = work / "previous"
    big = work / "big"
    for folder in (previous, big):
        folder.mkdir(parents=True)
        for f in small.iterdir():
            if f.is_file() and f.name != "README.md":
                shutil.copy(f, folder / f.name)
    write_premises(big / "premises.csv", rows)
    return previous / "study.toml", big / "study.toml"


def lock_is_free(lock):
    fd = os.open(lock, os.O_RDWR | os.O_NOFOLLOW)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        fcntl.flock(fd, fcntl.LOCK_UN)
        return True
    except BlockingIOError:
        return False
    finally:
        os.close(fd)


def staging_folders(out):
    return sorted(p.name for p in out.parent.glob(f".{out.name}.staging-*"))


def interrupted_run(notspot, study, out, sig, when):
    """Starts a run, sends sig at `when` ("staging" or seconds after start); returns the
    process's exit status and output."""
    p = subprocess.Popen([notspot, "run", str(study), "--out", str(out)],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    start = time.monotonic()
    while p.poll() is None:
        if (when == "staging" and staging_folders(out)) or \
           (when != "staging" and time.monotonic() - start >= when):
            p.send_signal(sig)
            break
        time.sleep(0.005)
    output = p.communicate(timeout=300)[0].decode("utf-8", "replace")
    return p.returncode, output


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--notspot", required=True)
    ap.add_argument("--study", required=True, type=Path)
    ap.add_argument("--work", required=True, type=Path)
    ap.add_argument("--rows", type=int, default=2_000_000)
    a = ap.parse_args()

    shutil.rmtree(a.work, ignore_errors=True)
    a.work.mkdir(parents=True)
    previous_study, big_study = make_studies(a.study, a.work, a.rows)
    out = a.work / "out"
    lock = a.work / ".out.lock"

    p = subprocess.run([a.notspot, "run", str(previous_study), "--out", str(out)],
                       capture_output=True, text=True)
    if p.returncode != 0:
        print(f"the previous run failed ({p.returncode}):\n{p.stdout}{p.stderr}")
        return 1
    before = snapshot(out)

    # How long an uninterrupted run of the big study takes, on a scratch folder.
    start = time.monotonic()
    p = subprocess.run([a.notspot, "run", str(big_study), "--out", str(a.work / "scratch")],
                       capture_output=True, text=True)
    duration = time.monotonic() - start
    if p.returncode not in (0, 3):
        print(f"the big study's run failed ({p.returncode}):\n{p.stdout}{p.stderr}")
        return 1
    print(f"an uninterrupted run of {a.rows:,} premises takes {duration:.2f} s")

    for sig in (signal.SIGTERM, signal.SIGINT):
        for when in ("staging", duration / 2):
            label = f"{sig.name} at {'the staging folder' if when == 'staging' else f'{when:.2f} s'}"
            status, output = interrupted_run(a.notspot, big_study, out, sig, when)
            print(f"{label}: exit {status}; {output.strip().splitlines()[-1:]}")
            if status in (0, 3):
                print(f"  (the run finished before the signal; not counted)")
                before = snapshot(out)  # it published: the new baseline
                continue
            check(status == EXPECTED_STATUS[sig],
                  f"{label}: exit {status}, expected {EXPECTED_STATUS[sig]}")
            lines = [l for l in output.splitlines() if "nothing was published" in l]
            check(len(lines) == 1, f"{label}: one line saying nothing was published, got "
                  f"{len(lines)}:\n{output}")
            check(not staging_folders(out), f"{label}: staging left: {staging_folders(out)}")
            check(lock_is_free(lock), f"{label}: the lock {lock} is still held")
            check(snapshot(out) == before, f"{label}: the previous outputs changed")
            check(not (a.work / "out.failed").exists(), f"{label}: out.failed was published")

    if problems:
        print(f"{len(problems)} problem(s)")
        return 1
    print("every check held")
    return 0


if __name__ == "__main__":
    sys.exit(main())
