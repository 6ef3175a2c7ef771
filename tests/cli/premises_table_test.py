#!/usr/bin/env python3
"""The premises table ([outputs] premises = true) on real runs, checked independently.

For each study given, a copy of it (its files symlinked, the study file with `premises = true`
added) is run with --threads 1 and --threads 2, and:
- premises.csv holds every premises row read and not rejected exactly once: its UPRNs are, as a
  multiset, those of the premises file (read here with Python's csv module) minus the rows
  rejected.csv lists for the premises; assigned/outside agree with the manifest's ledger;
- counting each flag over an area's assigned premises gives parish_stats.csv's count column of
  the same name for that area and for the study (empty columns where parish_stats is empty);
- fixed_source names exactly the fixed-broadband layers whose file (read here) has a usable row
  for the UPRN, in study order, 'none' when none; gigabit_source is set exactly when gigabit = 1;
- the bytes of premises.csv and parish_stats.gpkg do not depend on the thread count;
- the GeoPackage passes GDAL's validate_gpkg.py (when installed), its `premises` layer has one
  feature per CSV row in EPSG:27700 (when the study is), an R-tree with one entry per feature,
  and the same values as the CSV, row by row (read with sqlite3, not GDAL);
- the manifest lists premises.csv with its size and SHA-256;
- a run without the key writes no premises.csv and no premises layer.
"""

import argparse
import collections
import csv
import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tomllib

VALIDATE_GPKG = [
    "/usr/lib/python3/dist-packages/osgeo_utils/samples/validate_gpkg.py",
    "/usr/share/doc/python3-gdal/examples/validate_gpkg.py",
]

failures = []


def check(condition, message):
    if not condition:
        failures.append(message)
        print("FAIL: " + message, file=sys.stderr)


def prepare(study_dir, work, premises_on):
    """A folder beside `work` holding links to the study's files and its study file with the
    premises key set (or the study as it is)."""
    folder = os.path.join(work, "study")
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)
    for name in os.listdir(study_dir):
        if name in ("study.toml", "out") or name.startswith("out."):
            continue
        os.symlink(os.path.join(os.path.abspath(study_dir), name), os.path.join(folder, name))
    with open(os.path.join(study_dir, "study.toml"), encoding="utf-8") as f:
        text = f.read()
    if premises_on:
        if re.search(r"^\[outputs\]\s*$", text, re.M):
            text = re.sub(r"^\[outputs\]\s*$", "[outputs]\npremises = true", text, count=1,
                          flags=re.M)
        else:
            text += "\n[outputs]\npremises = true\n"
    with open(os.path.join(folder, "study.toml"), "w", encoding="utf-8") as f:
        f.write(text)
    return folder


def run(notspot, study_folder, out, threads):
    shutil.rmtree(out, ignore_errors=True)
    shutil.rmtree(out + ".failed", ignore_errors=True)
    result = subprocess.run([notspot, "run", os.path.join(study_folder, "study.toml"), "--out",
                             out, "--threads", str(threads)], capture_output=True, text=True)
    if result.returncode != 0:
        print(result.stdout, result.stderr, file=sys.stderr)
        raise SystemExit(f"notspot run exited {result.returncode} for {study_folder}")
    return out


def read_csv(path):
    with open(path, newline="", encoding="utf-8-sig") as f:
        return list(csv.DictReader(f))


def rejected_lines(out, source):
    return {int(r["line"]) for r in read_csv(os.path.join(out, "rejected.csv"))
            if r["source"] == source and r["line"]}


def data_rows_with_lines(path):
    """(line number, row dict) of a CSV file whose rows hold no line breaks."""
    with open(path, newline="", encoding="utf-8-sig") as f:
        reader = csv.DictReader(f)
        for row in reader:
            yield reader.line_num, row


def check_study(notspot, study_dir, work):
    label = os.path.basename(os.path.normpath(study_dir))
    folder = prepare(study_dir, work, True)
    study = tomllib.load(open(os.path.join(folder, "study.toml"), "rb"))
    out1 = run(notspot, folder, os.path.join(work, "out_t1"), 1)
    out2 = run(notspot, folder, os.path.join(work, "out_t2"), 2)
    manifest = json.load(open(os.path.join(out1, "manifest.json"), encoding="utf-8"))
    rows = read_csv(os.path.join(out1, "premises.csv"))
    ledger = manifest["premises"] if "premises" in manifest else manifest["ledger"]["premises"]

    # Every premise read and not rejected, exactly once.
    premises_input = next(i for i in manifest["inputs"] if i["role"] == "premises")
    id_column = premises_input["columns"]["id"]
    rejected = rejected_lines(out1, "premises")
    expected_ids = collections.Counter()
    premises_path = os.path.join(folder, study["premises"]["path"])
    for line, row in data_rows_with_lines(premises_path):
        if line in rejected or not any((v or "").strip() for v in row.values()):
            continue
        expected_ids[int(row[id_column])] += 1
    check(collections.Counter(int(r["uprn"]) for r in rows) == expected_ids,
          f"{label}: premises.csv UPRNs differ from the premises file minus rejected rows")
    statuses = collections.Counter(r["status"] for r in rows)
    check(statuses["assigned"] == ledger["assigned"] and statuses["outside"] == ledger["outside"]
          and len(rows) == ledger["read"] - ledger["rejected"],
          f"{label}: statuses {dict(statuses)} disagree with the ledger {ledger}")
    check(all((r["area_id"] == "") == (r["status"] == "outside") for r in rows),
          f"{label}: area_id empty exactly for outside premises")

    # Flags aggregated per area agree with parish_stats.csv.
    stats = read_csv(os.path.join(out1, "parish_stats.csv"))
    flag_columns = [c for c in rows[0].keys() if c in stats[0] and c not in
                    ("area_id", "area_name")]
    check(len(flag_columns) >= 10, f"{label}: only {flag_columns} shared with parish_stats")
    per_area = collections.defaultdict(collections.Counter)
    premises_per_area = collections.Counter()
    for r in rows:
        if r["status"] != "assigned":
            continue
        premises_per_area[r["area_id"]] += 1
        for c in flag_columns:
            if r[c] == "1":
                per_area[r["area_id"]][c] += 1
            elif r[c] not in ("0", ""):
                check(False, f"{label}: {c} = {r[c]!r} for uprn {r['uprn']}")
    checked = 0
    for s in stats:
        key = s["area_id"] if s["level"] == "area" else None
        for c in flag_columns:
            if key is None:
                got = sum(per_area[a][c] for a in per_area)
            else:
                got = per_area[key][c]
            if s[c] == "":
                check(all(r[c] == "" for r in rows), f"{label}: {c} empty in parish_stats only")
                continue
            check(int(s[c]) == got, f"{label}: {c} of {key or 'study'}: parish_stats {s[c]}, "
                                    f"premises.csv {got}")
            checked += 1
        if key is not None:
            check(int(s["premises"]) == premises_per_area[key],
                  f"{label}: premises of {key}: {s['premises']} vs {premises_per_area[key]}")
    print(f"{label}: {len(rows)} rows, {checked} area/indicator counts agree with parish_stats")

    # Sources, from the layer files themselves.
    fixed = [l for l in study.get("layers", [])
             if l["kind"] in ("bduk-premises", "fixed-speeds")]
    has_row = []
    for layer in fixed:
        name = layer.get("name", layer["kind"])
        skip = rejected_lines(out1, name)
        key = layer.get("key", "uprn")
        ids = set()
        for line, row in data_rows_with_lines(os.path.join(folder, layer["path"])):
            if line in skip or not row.get(key, "").strip():
                continue
            ids.add(int(row[key]))
        has_row.append((name, ids))
    for r in rows:
        names = [n for n, ids in has_row if int(r["uprn"]) in ids]
        expected = "+".join(names) if names else "none"
        if r["fixed_source"] != expected:
            check(False, f"{label}: uprn {r['uprn']}: fixed_source {r['fixed_source']!r}, "
                         f"expected {expected!r}")
            break
        if (r["gigabit_source"] != "") != (r["gigabit"] == "1"):
            check(False, f"{label}: uprn {r['uprn']}: gigabit_source {r['gigabit_source']!r} "
                         f"with gigabit {r['gigabit']}")
            break
        if (r["no_data"] == "1") != (r["fixed_source"] == "none"):
            check(False, f"{label}: uprn {r['uprn']}: no_data vs fixed_source")
            break

    # Deterministic whatever the thread count.
    for name in ("premises.csv", "parish_stats.gpkg"):
        same = open(os.path.join(out1, name), "rb").read() == open(os.path.join(out2, name),
                                                                   "rb").read()
        check(same, f"{label}: {name} differs between --threads 1 and 2")

    # The manifest lists it with size and SHA-256.
    listed = {o["file"]: o for o in manifest["outputs"]}
    data = open(os.path.join(out1, "premises.csv"), "rb").read()
    entry = listed.get("premises.csv")
    check(entry is not None and entry.get("sha256") == hashlib.sha256(data).hexdigest()
          and entry.get("size_bytes") == len(data),
          f"{label}: manifest entry of premises.csv: {entry}")

    # The GeoPackage layer.
    gpkg = os.path.join(out1, "parish_stats.gpkg")
    for script in VALIDATE_GPKG:
        if os.path.exists(script):
            v = subprocess.run([sys.executable, script, gpkg], capture_output=True, text=True)
            check(v.returncode == 0, f"{label}: validate_gpkg.py: {v.stdout}{v.stderr}")
            break
    info = subprocess.run(["ogrinfo", "-so", "-ro", gpkg, "premises"], capture_output=True,
                          text=True)
    check(info.returncode == 0 and f"Feature Count: {len(rows)}" in info.stdout,
          f"{label}: ogrinfo premises: {info.stdout[-2000:]}{info.stderr}")
    if study.get("study", {}).get("crs", "EPSG:27700") == "EPSG:27700":
        check('ID["EPSG",27700]' in info.stdout, f"{label}: premises layer not in EPSG:27700")
    db = sqlite3.connect(f"file:{gpkg}?mode=ro", uri=True)
    check(db.execute("SELECT count(*) FROM gpkg_extensions WHERE table_name = 'premises' AND "
                     "extension_name = 'gpkg_rtree_index'").fetchone()[0] == 1,
          f"{label}: no gpkg_rtree_index extension for premises")
    check(db.execute("SELECT count(*) FROM rtree_premises_geom").fetchone()[0] == len(rows),
          f"{label}: rtree_premises_geom does not hold every premise")
    check(db.execute("SELECT rtreecheck('rtree_premises_geom')").fetchone()[0] == "ok",
          f"{label}: rtreecheck() of the premises R-tree fails")
    # The index finds each premise (a sample of them) where the CSV says it is.
    for fid in range(1, len(rows) + 1, max(1, len(rows) // 500)):
        r = rows[fid - 1]
        x, y = float(r["x"]), float(r["y"])
        found = [f for (f,) in db.execute(
            "SELECT id FROM rtree_premises_geom WHERE minx <= ? AND maxx >= ? AND miny <= ? AND "
            "maxy >= ?", (x + 0.01, x - 0.01, y + 0.01, y - 0.01))]
        if fid not in found:
            check(False, f"{label}: the R-tree does not find premise {fid} at ({x}, {y})")
            break
    columns = list(rows[0].keys())
    quoted = ", ".join(f'"{c}"' for c in columns)
    mismatch = 0
    for r, g in zip(rows, db.execute(f"SELECT {quoted} FROM premises ORDER BY fid")):
        for c, v in zip(columns, g):
            cell = "" if v is None else (f"{v:.2f}" if isinstance(v, float) else str(v))
            if c in ("x", "y"):
                cell = "" if v is None else f"{v:.{len(r[c].split('.')[1])}f}"
            if cell != r[c] and not (c in ("area_id", "area_name", "fixed_source",
                                           "gigabit_source") and r[c].startswith("'")):
                mismatch += 1
                if mismatch <= 3:
                    check(False, f"{label}: GeoPackage {c} = {v!r}, CSV {r[c]!r}")
    check(mismatch == 0, f"{label}: {mismatch} GeoPackage cells differ from the CSV")

    # Off by default: no premises.csv, no premises layer.
    off = run(notspot, prepare(study_dir, work, False), os.path.join(work, "out_off"), 2)
    check(not os.path.exists(os.path.join(off, "premises.csv")), f"{label}: premises.csv when off")
    db = sqlite3.connect(f"file:{os.path.join(off, 'parish_stats.gpkg')}?mode=ro", uri=True)
    check(db.execute("SELECT count(*) FROM gpkg_contents WHERE table_name = 'premises'")
          .fetchone()[0] == 0, f"{label}: premises layer when off")


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--notspot", required=True)
    parser.add_argument("--work", required=True)
    parser.add_argument("studies", nargs="+", help="study folders (holding study.toml)")
    args = parser.parse_args()
    for i, study in enumerate(args.studies):
        work = os.path.join(args.work, str(i))
        shutil.rmtree(work, ignore_errors=True)
        os.makedirs(work)
        check_study(args.notspot, study, work)
    if failures:
        print(f"{len(failures)} check(s) failed", file=sys.stderr)
        return 1
    print("premises table: all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
