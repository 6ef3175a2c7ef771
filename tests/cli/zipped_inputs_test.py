#!/usr/bin/env python3
"""Inputs as they are published (issue 13): ZIP archives and sources GDAL opens that are not files.

1. The Dorset sample with every CSV input zipped (premises, BDUK, speeds), the Ofcom postcode
   CSV cut into three per-area files zipped inside a ZIP inside the release ZIP (read with a
   member pattern), and the parishes GeoPackage zipped: parish_stats.csv is byte-identical to
   the unzipped run's, and the manifest records each archive's SHA-256 (hashlib) and each
   member's name, size and CRC-32 (zlib.crc32 of the original file).
2. The small study's areas served over HTTP (python3 -m http.server) and read through
   /vsicurl/: the same parish_stats.csv as the file run; the manifest records the source and
   the features read, no file hash.
3. A connection failure (a port with no server; a PG: host that does not resolve, with a
   password): exit 1, the message names the source with the password hidden.

Usage: zipped_inputs_test.py --notspot BIN --root REPO --work DIR
"""

import argparse
import hashlib
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import zipfile
import zlib
from pathlib import Path

problems = []


def check(ok, what):
    print(("ok: " if ok else "FAIL: ") + what)
    if not ok:
        problems.append(what)


def run(notspot, study, out, expect=0):
    p = subprocess.run([notspot, "run", str(study), "--out", str(out)], capture_output=True,
                       text=True, timeout=600)
    text = p.stdout + p.stderr
    if p.returncode != expect:
        print(text)
    check(p.returncode == expect, f"{study.name}: exit {p.returncode}, expected {expect}")
    return text


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def zipped_sample(notspot, root, work):
    sample = work / "dorset"
    shutil.copytree(root / "data" / "dorset", sample)
    g = sample / "generated"
    study = (sample / "study.toml").read_text()

    def zip_one(csv, archive):
        with zipfile.ZipFile(g / archive, "w", zipfile.ZIP_DEFLATED) as z:
            z.write(g / csv, "Data/" + csv)
    zip_one("premises.csv", "premises_csv.zip")
    zip_one("bduk_premises.csv", "bduk.zip")
    zip_one("fixed_speeds.csv", "speeds.zip")
    with zipfile.ZipFile(g / "parishes.zip", "w", zipfile.ZIP_DEFLATED) as z:
        z.write(g / "parishes.gpkg", "parishes.gpkg")
    # Ofcom: per-area files (contiguous thirds, so the rows keep their order) in a ZIP nested
    # in the release ZIP, with a PDF beside it that the pattern must skip.
    lines = (g / "ofcom_fixed_postcode_DT.csv").read_text().splitlines(keepends=True)
    header, rows = lines[0], lines[1:]
    third = len(rows) // 3
    parts = [rows[:third], rows[third:2 * third], rows[2 * third:]]
    with zipfile.ZipFile(work / "inner.zip", "w", zipfile.ZIP_DEFLATED) as z:
        for name, part in zip(["a_postcode_files.csv", "b_postcode_files.csv",
                               "c_postcode_files.csv"], parts):
            z.writestr(name, header + "".join(part))
    with zipfile.ZipFile(g / "ofcom_release.zip", "w", zipfile.ZIP_STORED) as z:
        z.write(work / "inner.zip", "202507_fixed_postcode_coverage_r01.zip")
        z.writestr("readme.pdf", "not a CSV")

    for old, new in [('"generated/premises.csv"', '"generated/premises_csv.zip"'),
                     ('"generated/bduk_premises.csv"', '"generated/bduk.zip"'),
                     ('"generated/fixed_speeds.csv"', '"generated/speeds.zip"'),
                     ('"generated/parishes.gpkg"', '"generated/parishes.zip"\nmember = "*.gpkg"'),
                     ('"generated/ofcom_fixed_postcode_DT.csv"',
                      '"generated/ofcom_release.zip"\nmember = "*.zip/*.csv"')]:
        check(old in study, f"the sample study names {old}")
        study = study.replace(old, new)
    (sample / "zipped.toml").write_text(study)

    run(notspot, sample / "study.toml", work / "out_plain")
    run(notspot, sample / "zipped.toml", work / "out_zipped")
    plain = (work / "out_plain" / "parish_stats.csv").read_bytes()
    zipped = (work / "out_zipped" / "parish_stats.csv").read_bytes()
    check(plain == zipped, "zipped inputs give a byte-identical parish_stats.csv")

    manifest = json.loads((work / "out_zipped" / "manifest.json").read_text())
    by_file = {i["file"]: i for i in manifest["inputs"]}
    for archive, member, original in [
            ("premises_csv.zip", "Data/premises.csv", g / "premises.csv"),
            ("bduk.zip", "Data/bduk_premises.csv", g / "bduk_premises.csv"),
            ("speeds.zip", "Data/fixed_speeds.csv", g / "fixed_speeds.csv")]:
        entry = by_file.get("generated/" + archive)
        check(entry is not None, f"manifest lists generated/{archive}")
        if entry is None:
            continue
        check(entry.get("sha256") == hashlib.sha256((g / archive).read_bytes()).hexdigest(),
              f"{archive}: the manifest's sha256 is the archive's")
        data = original.read_bytes()
        check(entry.get("members") == [{"name": member, "uncompressed_size": len(data),
                                        "crc32": "%08x" % zlib.crc32(data)}],
              f"{archive}: the member's name, size and CRC-32 ({entry.get('members')})")
    areas = by_file.get("generated/parishes.zip", {})
    check(areas.get("members") == [{"name": "parishes.gpkg"}] and areas.get("sha256") ==
          hashlib.sha256((g / "parishes.zip").read_bytes()).hexdigest(),
          f"the zipped areas: the archive's sha256 and the member GDAL read ({areas.get('members')})")
    ofcom = by_file.get("generated/ofcom_release.zip", {})
    names = [m["name"] for m in ofcom.get("members", [])]
    check(names == ["202507_fixed_postcode_coverage_r01.zip/" + n for n in
                    ["a_postcode_files.csv", "b_postcode_files.csv", "c_postcode_files.csv"]],
          f"the Ofcom layer's three nested members are recorded in order ({names})")
    check(ofcom.get("rows") == len(rows), f"the Ofcom layer's rows ({ofcom.get('rows')} of "
                                          f"{len(rows)})")


def web_areas(notspot, root, work):
    small = work / "small"
    shutil.copytree(root / "tests" / "data" / "small_study", small)
    served = work / "served"
    served.mkdir()
    shutil.copy(small / "parishes.geojson", served / "parishes.geojson")
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind",
                               "127.0.0.1", "--directory", str(served)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        study = (small / "study.toml").read_text()
        url = f"/vsicurl/http://127.0.0.1:{port}/parishes.geojson"
        (small / "web.toml").write_text(
            study.replace('path = "parishes.geojson"', f'path = "{url}"'))
        run(notspot, small / "study.toml", work / "out_small_file")
        run(notspot, small / "web.toml", work / "out_small_web")
    finally:
        server.terminate()
        server.wait()
    same = ((work / "out_small_file" / "parish_stats.csv").read_bytes() ==
            (work / "out_small_web" / "parish_stats.csv").read_bytes())
    check(same, "areas over /vsicurl/ give the same parish_stats.csv as the file")
    manifest = json.loads((work / "out_small_web" / "manifest.json").read_text())
    areas = [i for i in manifest["inputs"] if i["role"] == "areas"][0]
    check(areas.get("source") == url and "sha256" not in areas and areas.get("features") == 6,
          f"the manifest records the source and its 6 features, no file hash ({areas})")

    # Nothing listens on a fresh port: a connection failure.
    dead = free_port()
    (small / "dead.toml").write_text(study.replace(
        'path = "parishes.geojson"',
        f'path = "/vsicurl/http://127.0.0.1:{dead}/parishes.geojson"'))
    text = run(notspot, small / "dead.toml", work / "out_dead", expect=1)
    check(f"/vsicurl/http://127.0.0.1:{dead}/parishes.geojson: cannot open this source" in text,
          "a connection failure names the source")
    # A database that cannot be reached: the password is never printed nor recorded.
    (small / "pg.toml").write_text(study.replace(
        'path = "parishes.geojson"',
        'path = "PG:host=notspot-no-such-host.invalid dbname=gis user=me password=hunter2"'))
    text = run(notspot, small / "pg.toml", work / "out_pg", expect=1)
    check("PG:host=notspot-no-such-host.invalid dbname=gis user=me password=***: cannot open "
          "this source" in text, "a PG: failure names the source, redacted")
    check("hunter2" not in text, "the PG: password is not printed")
    check(re.search(r"notspot-no-such-host", text) is not None, "GDAL's reason names the host")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--notspot", required=True)
    ap.add_argument("--root", required=True)
    ap.add_argument("--work", required=True)
    a = ap.parse_args()
    work = Path(a.work)
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    zipped_sample(os.path.abspath(a.notspot), Path(a.root), work)
    web_areas(os.path.abspath(a.notspot), Path(a.root), work)
    print("FAILED: " + "; ".join(problems) if problems else "all checks passed")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
