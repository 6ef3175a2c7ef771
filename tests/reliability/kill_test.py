#!/usr/bin/env python3
"""Crash-safety harness for `notspot run` (issue 6, "Crash safety").

1. Kill test. An outputs folder holds a good previous run of the study (run P). Then, at
   least --kills times, `notspot run` of a *different* study (another name and superfast
   threshold, so that every output file differs from P's) is started on that folder and
   killed with SIGKILL after a random delay spread over a whole run (0 to 1.25 x the measured
   duration; seeded, the seed is printed). After each kill the folder must hold either
   exactly P (same file set, same bytes) or exactly one complete new run (the file set is
   complete, manifest.json names the new study and lists every other file with a matching
   SHA-256), never a mixture. The folder is then restored to P for the next trial.
   Publishing takes milliseconds, so random delays seldom land after it: --publish-kills
   more trials watch the folder and kill the run the moment it has been swapped in (its inode
   changes); the folder must then hold the complete new run.
   Leftovers beside the folder (`.NAME.staging-*` of killed runs) are recorded; every few
   kills, and at the end, a run that is not killed must succeed, and must leave no staging
   folder behind.
2. Concurrency test. Two real processes on one outputs folder: the first is started and
   stopped (SIGSTOP) once it holds the lock (its staging folder exists); the second must exit
   1 with "another notspot run is writing to"; the first is continued and must complete.

Exit status 0 when every check holds, 1 otherwise.

Usage: kill_test.py --notspot BIN --study STUDY.toml --work DIR [--kills N] [--publish-kills N]
                    [--check-every N] [--seed S]
"""

import argparse
import hashlib
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

EXPECTED_FILES = {
    "parish_stats.csv",
    "parish_stats.xlsx",
    "parish_stats.gpkg",
    "rejected.csv",
    "report.html",
    "manifest.json",
}
OK_EXIT_CODES = (0, 3)  # 3: quality gate failed, outputs still published (README "Exit codes")

failures = []


def fail(message):
    failures.append(message)
    print("FAIL: " + message, flush=True)


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def snapshot(folder):
    """{name: sha256} of every entry of folder (a sub-folder is recorded as 'DIR')."""
    if not folder.exists():
        return None
    result = {}
    for entry in sorted(folder.iterdir()):
        result[entry.name] = "DIR" if entry.is_dir() else sha256(entry)
    return result


def write_study(source, target, name_suffix, extra):
    """Copy of the study with relative paths made absolute (it lives in another folder)."""
    base = source.parent.resolve()
    text = source.read_text(encoding="utf-8")

    def absolute(match):
        value = match.group(2)
        return match.group(1) + (value if os.path.isabs(value) else str(base / value)) + '"'

    # Keys at the start of a line and inside inline tables ({ path = "..." }) alike.
    text = re.sub(r'((?:^\s*|[{,]\s*)(?:path|dir|previous)\s*=\s*")([^"]*)"', absolute, text,
                  flags=re.M)
    text, count = re.subn(r'^(\s*name\s*=\s*")([^"]*)"', lambda m: m.group(1) + m.group(2) +
                          name_suffix + '"', text, count=1, flags=re.M)
    if count != 1:
        raise SystemExit("cannot find [study] name in " + str(source))
    target.write_text(text + extra, encoding="utf-8")
    return target


def study_name(study):
    match = re.search(r'^\s*name\s*=\s*"([^"]*)"', study.read_text(encoding="utf-8"), re.M)
    return match.group(1)


def run(notspot, study, out):
    return subprocess.run([str(notspot), "run", str(study), "--out", str(out)],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def leftovers(out):
    """Entries beside the outputs folder other than the folder and its lock file."""
    return sorted(p.name for p in out.parent.iterdir()
                  if p.name not in (out.name, "." + out.name + ".lock"))


def complete_run_problems(state, folder, new_name):
    """Why `state` (a snapshot of folder) is not one complete run of the new study; [] if it is."""
    problems = []
    if set(state) != EXPECTED_FILES:
        problems.append("file set %s, expected %s" % (sorted(state), sorted(EXPECTED_FILES)))
    if "manifest.json" not in state:
        return problems + ["no manifest.json"]
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as e:
        return problems + ["manifest.json does not parse: %s" % e]
    if new_name not in json.dumps(manifest.get("study", manifest), ensure_ascii=False):
        problems.append("manifest.json does not name the new study '%s'" % new_name)
    listed = {o.get("file"): o.get("sha256") for o in manifest.get("outputs", [])}
    if set(listed) | {"manifest.json"} != set(state):
        problems.append("manifest lists %s but the folder holds %s" % (sorted(listed), sorted(state)))
    for name, digest in listed.items():
        if state.get(name) != digest:
            problems.append("%s: sha256 %s, manifest says %s" % (name, state.get(name), digest))
    return problems


def kill_test(args, work, notspot, previous_study, new_study):
    out = work / "kill" / "outputs"
    reference = work / "reference_previous"
    out.parent.mkdir(parents=True)
    new_name = study_name(new_study)

    r = run(notspot, previous_study, out)
    if r.returncode not in OK_EXIT_CODES:
        raise SystemExit("the previous run failed (exit %d):\n%s" % (r.returncode, r.stdout))
    previous = snapshot(out)
    if set(previous) != EXPECTED_FILES:
        raise SystemExit("the previous run wrote %s, expected %s" % (sorted(previous),
                                                                    sorted(EXPECTED_FILES)))
    print("previous run: %d files" % len(previous))
    for name, digest in sorted(previous.items()):
        print("  %s  %s" % (digest, name))
    shutil.copytree(out, reference)

    # How long a run takes, measured the way the trials start it (from spawn to exit).
    scratch = work / "timing" / "outputs"
    durations = []
    for _ in range(3):
        start = time.monotonic()
        r = run(notspot, new_study, scratch)
        durations.append(time.monotonic() - start)
        if r.returncode not in OK_EXIT_CODES:
            raise SystemExit("the new study fails (exit %d):\n%s" % (r.returncode, r.stdout))
    new_state = snapshot(scratch)
    same = sorted(n for n in EXPECTED_FILES - {"manifest.json"} if new_state[n] == previous[n])
    if same:
        print("note: the new study writes the same bytes as the previous one for %s" % same)
    duration = sorted(durations)[1]
    max_delay = 1.25 * duration
    print("run duration: %.3f s (median of %s); kill delays uniform in [0, %.3f] s" %
          (duration, ", ".join("%.3f" % d for d in durations), max_delay), flush=True)

    rng = random.Random(args.seed)
    kills = before = after = finished_first = checked_runs = 0
    max_leftovers = 0
    attempts = 0
    while kills < args.kills and attempts < args.kills * 4:
        attempts += 1
        delay = rng.uniform(0.0, max_delay)
        proc = subprocess.Popen([str(notspot), "run", str(new_study), "--out", str(out)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)  # no-op if it has exited but not been reaped
        code = proc.wait()
        killed = code == -signal.SIGKILL
        state = snapshot(out)
        left = leftovers(out)
        max_leftovers = max(max_leftovers, len(left))
        if killed:
            kills += 1
        else:
            finished_first += 1
            if code not in OK_EXIT_CODES:
                fail("attempt %d: run exited %d before the kill" % (attempts, code))
        if state == previous:
            verdict = "previous"
            if killed:
                before += 1
        else:
            problems = (["the outputs folder is missing"] if state is None else
                        complete_run_problems(state, out, new_name))
            if problems:
                verdict = "MIXTURE"
                fail("attempt %d (delay %.3f s, exit %d): neither the previous outputs nor a "
                     "complete new run: %s" % (attempts, delay, code, "; ".join(problems)))
                keep = work / ("failed_attempt_%d" % attempts)
                if state is not None:
                    shutil.copytree(out, keep)
                    print("  kept the folder as %s" % keep)
            else:
                verdict = "new"
                if killed:
                    after += 1
        print("attempt %2d: delay %.3f s, %s, folder holds %s; beside it: %s" %
              (attempts, delay, "killed" if killed else "finished (exit %d)" % code, verdict,
               ", ".join(left) or "nothing"), flush=True)

        # Restore the previous run for the next trial (outputs only; leftovers stay, for the
        # next run to deal with).
        if state != previous:
            shutil.rmtree(out, ignore_errors=True)
            shutil.copytree(reference, out)

        # Now and then, and at the end: a run that is not killed must succeed over whatever
        # the killed runs left, and must leave nothing behind.
        if killed and (kills % args.check_every == 0 or kills == args.kills):
            checked_runs += 1
            r = run(notspot, new_study, out)
            state = snapshot(out)
            left = leftovers(out)
            if r.returncode not in OK_EXIT_CODES:
                fail("after kill %d, an unkilled run exits %d:\n%s" % (kills, r.returncode,
                                                                      r.stdout))
            else:
                problems = complete_run_problems(state, out, new_name) if state else ["no folder"]
                if problems:
                    fail("after kill %d, an unkilled run published an incomplete run: %s" %
                         (kills, "; ".join(problems)))
            if left:
                fail("after kill %d, an unkilled run left beside the outputs folder: %s" %
                     (kills, ", ".join(left)))
            shutil.rmtree(out, ignore_errors=True)
            shutil.copytree(reference, out)

    if kills < args.kills:
        fail("only %d of %d runs were killed mid-run in %d attempts" % (kills, args.kills,
                                                                        attempts))

    # Publishing takes milliseconds of a run, so random delays seldom land after it. These
    # trials watch the outputs folder and kill the run the moment it has been swapped (its
    # inode changes), i.e. while the run removes the previous outputs and exits.
    window_kills = window_missed = 0
    for trial in range(1, args.publish_kills + 1):
        inode = out.stat().st_ino
        proc = subprocess.Popen([str(notspot), "run", str(new_study), "--out", str(out)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        while proc.poll() is None:
            try:
                if out.stat().st_ino != inode:
                    proc.send_signal(signal.SIGKILL)
                    break
            except FileNotFoundError:
                pass
        code = proc.wait()
        state = snapshot(out)
        left = leftovers(out)
        problems = (["the outputs folder is missing"] if state is None else
                    complete_run_problems(state, out, new_name))
        if problems:
            fail("publish-window trial %d (exit %d): not a complete new run: %s" %
                 (trial, code, "; ".join(problems)))
        if code == -signal.SIGKILL:
            window_kills += 1
        else:
            window_missed += 1
        print("publish-window trial %2d: %s, folder holds %s; beside it: %s" %
              (trial, "killed" if code == -signal.SIGKILL else "finished (exit %d)" % code,
               "MIXTURE" if problems else "new", ", ".join(left) or "nothing"), flush=True)
        shutil.rmtree(out, ignore_errors=True)
        shutil.copytree(reference, out)
    if args.publish_kills:
        r = run(notspot, new_study, out)
        if r.returncode not in OK_EXIT_CODES:
            fail("after the publish-window trials, a run exits %d:\n%s" % (r.returncode, r.stdout))
        if leftovers(out):
            fail("after the publish-window trials, a run left: " + ", ".join(leftovers(out)))
    after += window_kills
    kills += window_kills
    print("kills: %d (seed %d): %d before publishing (previous outputs intact), %d after "
          "(new run complete; %d of them aimed at the publish window, which %d runs finished "
          "before the kill); %d runs finished before a random kill; %d unkilled runs after "
          "kills checked; at most %d leftover entries beside the folder after a kill" %
          (kills, args.seed, before, after, window_kills, window_missed, finished_first,
           checked_runs, max_leftovers), flush=True)


def concurrency_test(work, notspot, new_study):
    out = work / "concurrent" / "outputs"
    out.parent.mkdir(parents=True)
    new_name = study_name(new_study)
    first = subprocess.Popen([str(notspot), "run", str(new_study), "--out", str(out)],
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    staging = out.parent / (".%s.staging-%d" % (out.name, first.pid))
    deadline = time.monotonic() + 60
    # The staging folder is made right after the lock is taken (io/src/output_directory.cpp).
    while not staging.exists() and first.poll() is None and time.monotonic() < deadline:
        time.sleep(0.001)
    if not staging.exists():
        first.kill()
        first.wait()
        fail("concurrency: the first run never made %s (exit %s)" % (staging, first.returncode))
        return
    first.send_signal(signal.SIGSTOP)  # holds the lock for as long as the second run needs
    try:
        second = subprocess.run([str(notspot), "run", str(new_study), "--out", str(out)],
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                timeout=120)
    finally:
        first.send_signal(signal.SIGCONT)
    first_output = first.communicate(timeout=300)[0]
    print("concurrency: second run exit %d: %s" % (second.returncode, second.stdout.strip()))
    if second.returncode != 1:
        fail("concurrency: the second run exited %d, expected 1" % second.returncode)
    if "another notspot run is writing to" not in second.stdout or str(out) not in second.stdout:
        fail("concurrency: the second run's message does not say another run holds %s: %r" %
             (out, second.stdout))
    print("concurrency: first run exit %d" % first.returncode)
    if first.returncode not in OK_EXIT_CODES:
        fail("concurrency: the first run exited %d:\n%s" % (first.returncode, first_output))
    state = snapshot(out)
    problems = complete_run_problems(state, out, new_name) if state else ["no outputs folder"]
    if problems:
        fail("concurrency: the first run's outputs are incomplete: " + "; ".join(problems))
    if leftovers(out):
        fail("concurrency: left beside the outputs folder: " + ", ".join(leftovers(out)))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--notspot", required=True, type=Path)
    parser.add_argument("--study", required=True, type=Path)
    parser.add_argument("--work", required=True, type=Path)
    parser.add_argument("--kills", type=int, default=50)
    parser.add_argument("--check-every", type=int, default=10)
    parser.add_argument("--publish-kills", type=int, default=10,
                        help="extra kills aimed just after the swap")
    parser.add_argument("--seed", type=int,
                        default=int(os.environ.get("NOTSPOT_KILL_SEED", "0")) or None)
    args = parser.parse_args()
    if args.seed is None:
        args.seed = random.SystemRandom().randrange(1, 2**31)
    print("seed %d (rerun with --seed %d or NOTSPOT_KILL_SEED=%d)" % (args.seed, args.seed,
                                                                    args.seed), flush=True)
    started = time.monotonic()

    work = args.work.resolve()
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    notspot = args.notspot.resolve()
    previous_study = write_study(args.study, work / "previous_study.toml",
                                 " (kill test: previous run)", "")
    # Another name and superfast threshold: every output file differs from the previous run's.
    new_study = write_study(args.study, work / "new_study.toml", " (kill test: new run)",
                            "\n[thresholds]\nsuperfast_mbps = 25\n")

    kill_test(args, work, notspot, previous_study, new_study)
    concurrency_test(work, notspot, new_study)

    print("%.1f s" % (time.monotonic() - started))
    if failures:
        print("%d check(s) failed (seed %d)" % (len(failures), args.seed))
        return 1
    print("all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
