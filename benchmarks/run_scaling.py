#!/usr/bin/python3
"""How `notspot run` scales: wall time and peak memory on national synthetic studies of
1, 4, 16 and 40 million premises (10,000 areas) and of 100, 1,000 and 10,000 areas (40 million
premises), each with its fixed-broadband layer and 12 mobile rasters.

    benchmarks/run_scaling.py [--build DIR] [--data DIR] [--repeat N] [--threads N]
                              [--premises N,N,...] [--areas N,N,...] [--at-premises N]

  --build DIR      build folder with notspot and tools/notspot-generate (default: build)
  --data DIR       where the generated studies are kept (default: BUILD/scaling-data); a
                   study already there, made with the same options, is reused (the generator
                   is deterministic), so only the first run pays for generating
  --repeat N       timed runs per study (default 2); the median wall time is reported, and the
                   largest peak memory
  --threads N      notspot --threads (default: notspot's default, every core)
  --premises LIST  premises counts for the first table (default 1000000,4000000,16000000,40000000)
  --areas LIST     area counts for the second table (default 100,1000,10000)
  --at-premises N  premises of the studies in the second table (default 40000000)

Prints two Markdown tables (premises, areas) with wall time, peak resident memory, the time of
each stage from the run's manifest, and nanoseconds per premise; writes them with the raw
figures to BUILD/scaling-results.{md,json}. Peak memory is the largest resident set of the
process (getrusage of the child), so it includes the pages of the input files that are mapped
while being parsed. The machine is shared: the load average is recorded before every run.
Generating the full set needs about 12 GB of disk and 6 minutes; the runs about 3 minutes.
"""
import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
STAGES = ["read_areas", "index_areas", "read_premises", "assign_premises", "join_layers",
          "mobile_coverage", "count_indicators", "write_outputs", "manifest"]


def counts(text):
    try:
        values = [int(v) for v in text.split(",") if v]
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a comma-separated list of counts")
    if not values or min(values) < 1:
        raise argparse.ArgumentTypeError(f"'{text}': counts must be positive")
    return values


def generated(study_dir, premises, areas):
    """True when study_dir holds a complete study generated with these options."""
    report = study_dir / "generation_report.json"
    if not (report.is_file() and (study_dir / "study.toml").is_file()):
        return False
    options = json.loads(report.read_text()).get("options", {})
    return (options.get("premises") == premises and options.get("areas") == areas
            and options.get("seed") == 1 and options.get("rasters") is True)


def ensure_study(build, data, premises, areas):
    study_dir = data / f"p{premises}_a{areas}"
    if generated(study_dir, premises, areas):
        return study_dir
    print(f"generating {premises:,} premises, {areas:,} areas in {study_dir} ...", flush=True)
    started = time.monotonic()
    with open(data / f"generate_p{premises}_a{areas}.log", "w") as log:
        subprocess.run([str(build / "tools" / "notspot-generate"), "national", "--out",
                        str(study_dir), "--premises", str(premises), "--areas", str(areas),
                        "--seed", "1", "--rasters", "1"],
                       stdout=log, stderr=subprocess.STDOUT, check=True)
    print(f"  generated in {time.monotonic() - started:.0f} s", flush=True)
    return study_dir


def timed_run(notspot, study_dir, out_dir, threads):
    """One `notspot run`: wall seconds, peak RSS in MB, stage timings from the manifest."""
    command = [str(notspot), "run", str(study_dir / "study.toml"), "--out", str(out_dir)]
    if threads:
        command += ["--threads", str(threads)]
    # Peak RSS of this child alone: fork a helper that runs it and reports its own rusage.
    wrapper = ("import resource,subprocess,sys,time\n"
               "t=time.monotonic()\n"
               "p=subprocess.run(sys.argv[1:],stdout=subprocess.DEVNULL,stderr=subprocess.PIPE)\n"
               "w=time.monotonic()-t\n"
               "r=resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
               "sys.stderr.write(p.stderr.decode()[-2000:] if p.returncode else '')\n"
               "print(p.returncode,w,r)\n")
    result = subprocess.run([sys.executable, "-c", wrapper] + command, capture_output=True,
                            text=True)
    code, wall, rss_kb = result.stdout.split()
    if int(code) != 0:
        sys.exit(f"notspot run failed on {study_dir} (exit {code}):\n{result.stderr}")
    manifest = json.loads((out_dir / "manifest.json").read_text())
    return float(wall), int(rss_kb) / 1024, manifest["run"]["timings_seconds"]


def measure(notspot, study_dir, work, repeat, threads):
    runs = []
    for r in range(repeat):
        load = os.getloadavg()[0]
        wall, rss, stages = timed_run(notspot, study_dir, work / "out", threads)
        runs.append({"wall_s": wall, "peak_rss_mb": rss, "load_before": load, "stages": stages})
        print(f"  run {r + 1}: {wall:.2f} s, {rss:,.0f} MB (load {load:.2f})", flush=True)
    median_wall = statistics.median(run["wall_s"] for run in runs)
    stage_medians = {s: statistics.median(run["stages"].get(s, 0) for run in runs)
                     for s in STAGES}
    return {"runs": runs, "wall_s": median_wall,
            "peak_rss_mb": max(run["peak_rss_mb"] for run in runs), "stages": stage_medians}


def table(rows, key_name):
    header = (f"| {key_name} | premises | areas | wall s | peak MB | ns / premise | "
              + " | ".join(STAGES) + " |")
    lines = [header, "|" + "---|" * (6 + len(STAGES))]
    for row in rows:
        r = row["result"]
        lines.append(f"| {row['key']:,} | {row['premises']:,} | {row['areas']:,} | "
                     f"{r['wall_s']:.2f} | {r['peak_rss_mb']:,.0f} | "
                     f"{1e9 * r['wall_s'] / row['premises']:.0f} | "
                     + " | ".join(f"{r['stages'][s]:.2f}" for s in STAGES) + " |")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", type=Path, default=REPO / "build")
    parser.add_argument("--data", type=Path)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--threads", type=int)
    parser.add_argument("--premises", type=counts,
                        default=[1_000_000, 4_000_000, 16_000_000, 40_000_000])
    parser.add_argument("--areas", type=counts, default=[100, 1_000, 10_000])
    parser.add_argument("--at-premises", type=int, default=40_000_000)
    args = parser.parse_args()
    build = args.build.resolve()
    notspot = build / "notspot"
    if not notspot.is_file():
        sys.exit(f"no notspot in {build}; build it first: cmake --build {build}")
    data = (args.data or build / "scaling-data").resolve()
    data.mkdir(parents=True, exist_ok=True)
    work = data / "work"
    work.mkdir(exist_ok=True)

    plan = [("premises", p, p, 10_000) for p in args.premises]
    plan += [("areas", a, args.at_premises, a) for a in args.areas]
    results = {}
    for kind, key, premises, areas in plan:
        if (premises, areas) not in results:
            study_dir = ensure_study(build, data, premises, areas)
            print(f"{premises:,} premises, {areas:,} areas:", flush=True)
            results[(premises, areas)] = measure(notspot, study_dir, work, args.repeat,
                                                 args.threads)
    rows = {kind: [] for kind in ("premises", "areas")}
    for kind, key, premises, areas in plan:
        rows[kind].append({"key": key, "premises": premises, "areas": areas,
                           "result": results[(premises, areas)]})

    git = subprocess.run(["git", "-C", str(REPO), "describe", "--always", "--dirty"],
                         capture_output=True, text=True).stdout.strip()
    report = (f"notspot {git}, {os.cpu_count()} cores, threads "
              f"{args.threads or 'default'}, median of {args.repeat} run(s)\n\n"
              f"By premises (10,000 areas):\n\n{table(rows['premises'], 'premises')}\n\n"
              f"By areas ({args.at_premises:,} premises):\n\n{table(rows['areas'], 'areas')}\n")
    print("\n" + report)
    (build / "scaling-results.md").write_text(report)
    (build / "scaling-results.json").write_text(json.dumps(
        {"git": git, "threads": args.threads, "repeat": args.repeat,
         "premises": rows["premises"], "areas": rows["areas"]}, indent=1))


if __name__ == "__main__":
    main()
