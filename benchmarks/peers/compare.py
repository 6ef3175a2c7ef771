#!/usr/bin/env python3
"""Checks that notspot, PostGIS and GeoPandas give the same per-area counts, and tabulates times.

    compare.py OUT_DIR [KEY=VALUE ...]

Reads what run_peers.sh left in OUT_DIR:
  areas_codes.csv                     every area code in areas.gpkg (header "code")
  timings.csv                         tool,run,load_s,index_s,join_s,total_s (one row per run)
  notspot/run-K/parish_stats.csv      notspot's outputs (rows with level "area")
  postgis/run-K/counts.csv            code,count
  geopandas/run-K/counts.csv          code,count
  postgis/boundary.csv                code,on_boundary (optional diagnostic)
  notspot/run-1/manifest.json         notspot's ledger (assigned, outside, overlaps)
KEY=VALUE pairs (machine, versions, command) are copied into results.json.

Writes results.json, results.csv and count_differences.csv into OUT_DIR, prints the comparison
and the table, and exits 1 when counts differ in a way that premises on a boundary do not
explain, or when a tool's counts change from one run to the next.

A difference in an area is explained when |count - notspot's count| <= the number of premises
on that area's boundary (PostGIS ST_Covers counts such a premise in every area it touches,
GeoPandas "within" in none, notspot in exactly one).
"""
import csv
import json
import os
import statistics
import sys

TOOLS = ("notspot", "postgis", "geopandas")
PHASES = ("load_s", "index_s", "join_s", "total_s")
TARGETS = {"postgis": 25.0, "geopandas": 100.0}  # notspot must be at least this many times faster


def read_codes(path):
    with open(path, newline="", encoding="utf-8-sig") as f:
        return [row["code"] for row in csv.DictReader(f)]


def read_peer_counts(path):
    with open(path, newline="", encoding="utf-8-sig") as f:
        return {row["code"]: int(row["count"]) for row in csv.DictReader(f)}


def read_notspot_counts(path):
    with open(path, newline="", encoding="utf-8-sig") as f:
        reader = csv.DictReader(f)
        for needed in ("level", "area_id", "premises"):
            if needed not in reader.fieldnames:
                sys.exit(f"compare.py: {path} has no column '{needed}' (columns: "
                         f"{', '.join(reader.fieldnames)})")
        return {row["area_id"]: int(row["premises"]) for row in reader if row["level"] == "area"}


def run_dirs(out, tool):
    folder = os.path.join(out, tool)
    if not os.path.isdir(folder):
        return []
    runs = [d for d in os.listdir(folder)
            if d.startswith("run-") and d[4:].isdigit() and os.path.isdir(os.path.join(folder, d))]
    return [os.path.join(folder, d) for d in sorted(runs, key=lambda d: int(d[4:]))]


def main(argv):
    if len(argv) < 2:
        sys.exit(__doc__)
    out = argv[1]
    meta = dict(arg.split("=", 1) for arg in argv[2:])
    codes = read_codes(os.path.join(out, "areas_codes.csv"))

    # --- counts, per tool and run
    counts = {}          # tool -> {code: count} (first run), every code present
    unstable = {}        # tool -> [run numbers whose counts differ from run 1]
    for tool in TOOLS:
        runs = []
        for d in run_dirs(out, tool):
            path = os.path.join(d, "parish_stats.csv" if tool == "notspot" else "counts.csv")
            if not os.path.exists(path):
                continue
            got = read_notspot_counts(path) if tool == "notspot" else read_peer_counts(path)
            unknown = set(got) - set(codes)
            if unknown:
                sys.exit(f"compare.py: {path} names areas that are not in areas.gpkg: "
                         f"{', '.join(sorted(unknown)[:5])}")
            runs.append({c: got.get(c, 0) for c in codes})
        if runs:
            counts[tool] = runs[0]
            unstable[tool] = [i + 1 for i, r in enumerate(runs) if r != runs[0]]
    if "notspot" not in counts:
        sys.exit("compare.py: no notspot counts to compare against")

    boundary = {}
    boundary_path = os.path.join(out, "postgis", "boundary.csv")
    if os.path.exists(boundary_path):
        with open(boundary_path, newline="") as f:
            boundary = {row["code"]: int(row["on_boundary"]) for row in csv.DictReader(f)}

    ledger = {}
    manifest_path = os.path.join(out, "notspot", "run-1", "manifest.json")
    if os.path.exists(manifest_path):
        with open(manifest_path) as f:
            manifest = json.load(f)
        ledger = dict(manifest.get("ledger", {}).get("premises", {}))
        ledger["overlapping_pairs"] = manifest.get("areas", {}).get("overlapping_pairs")
        ledger["areas_repaired"] = manifest.get("areas", {}).get("repaired")

    reference = counts["notspot"]
    differences = []
    for tool in TOOLS[1:]:
        if tool not in counts:
            continue
        for code in codes:
            mine, theirs = reference[code], counts[tool][code]
            if mine != theirs:
                on_boundary = boundary.get(code, 0)
                differences.append({
                    "tool": tool, "code": code, "notspot": mine, tool: theirs, "count": theirs,
                    "difference": theirs - mine, "on_boundary": on_boundary,
                    "explained": abs(theirs - mine) <= on_boundary})

    print(f"Per-area premises counts, {len(codes)} areas "
          f"(areas without premises count as 0 for every tool):")
    print(f"  notspot    assigned {sum(reference.values()):,}"
          + (f", outside every area {ledger['outside']:,}, rejected {ledger['rejected']:,}, "
             f"read {ledger['read']:,}" if ledger else ""))
    for tool in TOOLS[1:]:
        if tool not in counts:
            print(f"  {tool:<10} not run")
            continue
        n_diff = sum(1 for d in differences if d["tool"] == tool)
        print(f"  {tool:<10} assigned {sum(counts[tool].values()):,}; areas differing from "
              f"notspot: {n_diff}")
    if boundary_path and os.path.exists(boundary_path):
        print(f"  premises on an area boundary (PostGIS, covered and not contained): "
              f"{sum(boundary.values()):,} incidences in {len(boundary)} areas")
    for tool, bad in unstable.items():
        if bad:
            print(f"  {tool}: counts of run(s) {bad} differ from run 1 (not deterministic)")

    with open(os.path.join(out, "count_differences.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["tool", "code", "notspot", "count", "difference", "on_boundary", "explained"])
        for d in differences:
            w.writerow([d["tool"], d["code"], d["notspot"], d["count"], d["difference"],
                        d["on_boundary"], d["explained"]])
    if differences:
        print("\nDifferences (tool, area, notspot, tool's count, premises on the area's boundary):")
        for d in differences[:50]:
            print(f"  {d['tool']:<10} {d['code']:<12} {d['notspot']:>10,} {d['count']:>10,} "
                  f"{d['on_boundary']:>6}  {'explained (boundary)' if d['explained'] else 'UNEXPLAINED'}")
        if len(differences) > 50:
            print(f"  ... {len(differences) - 50} more in count_differences.csv")
    unexplained = [d for d in differences if not d["explained"]]
    nondeterministic = {t: r for t, r in unstable.items() if r}
    agree = not unexplained and not nondeterministic
    print("\nCounts: " + ("all tools agree" + (" (up to premises on boundaries)" if differences
                                               else " exactly")
                          if agree else "DISAGREE (see above and count_differences.csv)"))

    # --- timings
    rows = {}
    with open(os.path.join(out, "timings.csv"), newline="") as f:
        for row in csv.DictReader(f):
            rows.setdefault(row["tool"], []).append(row)
    table = []
    for tool in TOOLS:
        if tool not in rows:
            continue
        runs = rows[tool]
        entry = {"tool": tool, "runs": len(runs)}
        for phase in PHASES:
            values = [float(r[phase]) for r in runs if r[phase] not in ("", "nan")]
            entry[phase] = statistics.median(values) if values else None
        loads = [float(r["load_average"]) for r in runs if r.get("load_average")]
        entry["load_average_median"] = statistics.median(loads) if loads else None
        totals = [float(r["total_s"]) for r in runs]
        entry["total_min_s"], entry["total_max_s"] = min(totals), max(totals)
        entry["all_runs"] = [{k: (float(v) if k in PHASES else v) for k, v in r.items()}
                             for r in runs]
        table.append(entry)
    base = next(e["total_s"] for e in table if e["tool"] == "notspot")
    for e in table:
        e["times_notspot"] = e["total_s"] / base if base else None

    def fmt(v, digits=3):
        return "" if v is None else f"{v:.{digits}f}"

    print("\nWall-clock seconds, median of the runs (files on disk to per-area counts; machine "
          "load = 1-minute load average when the run started):")
    header = f"{'tool':<10} {'runs':>4} {'load s':>9} {'index s':>9} {'join+agg s':>11} " \
             f"{'total s':>9} {'vs notspot':>11} {'machine load':>13}"
    print(header)
    print("-" * len(header))
    for e in table:
        print(f"{e['tool']:<10} {e['runs']:>4} {fmt(e['load_s']):>9} {fmt(e['index_s']):>9} "
              f"{fmt(e['join_s']):>11} {fmt(e['total_s']):>9} "
              f"{fmt(e['times_notspot'], 1) + '×':>11} {fmt(e['load_average_median'], 2):>13}")
    targets = {}
    for tool, needed in TARGETS.items():
        e = next((e for e in table if e["tool"] == tool), None)
        if e is not None:
            targets[tool] = {"required_times": needed, "measured_times": e["times_notspot"],
                             "met": e["times_notspot"] >= needed}
            print(f"target: notspot >= {needed:g}× faster than {tool}: "
                  f"{'met' if targets[tool]['met'] else 'NOT met'} "
                  f"({e['times_notspot']:.1f}×)")

    with open(os.path.join(out, "results.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["tool", "runs", "load_s", "index_s", "join_s", "total_s", "total_min_s",
                    "total_max_s", "times_notspot"])
        for e in table:
            w.writerow([e["tool"], e["runs"], fmt(e["load_s"]), fmt(e["index_s"]),
                        fmt(e["join_s"]), fmt(e["total_s"]), fmt(e["total_min_s"]),
                        fmt(e["total_max_s"]), fmt(e["times_notspot"], 2)])
    result = {
        "meta": meta,
        "areas": len(codes),
        "notspot_ledger": ledger,
        "counts_agree": agree,
        "differences": differences,
        "nondeterministic_runs": nondeterministic,
        "premises_on_boundaries": sum(boundary.values()) if boundary else None,
        "timings_median": table,
        "targets": targets,
        "counts": {tool: counts[tool] for tool in counts},
    }
    with open(os.path.join(out, "results.json"), "w") as f:
        json.dump(result, f, indent=1, ensure_ascii=False)
    return 0 if agree else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
