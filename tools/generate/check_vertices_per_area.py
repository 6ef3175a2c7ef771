#!/usr/bin/env python3
# Debian's interpreter: GDAL's Python bindings (python3-gdal) live there, not in a pyenv.
"""`notspot-generate national --vertices-per-area N` gives areas of about N vertices each.

    check_vertices_per_area.py GENERATOR WORKDIR

Generates 300 areas at the default detail and at 2,000 vertices per area, counts the vertices
of areas.gpkg with GDAL's own reader (every ring, without its repeated closing vertex), and
checks that the means are within 10% of 500 and 2,000, that generation_report.json says the
same, and that a value out of range is a usage error (exit 2).
"""
import json
import os
import shutil
import subprocess
import sys

from osgeo import ogr


def vertices(path):
    ds = ogr.Open(path)
    layer = ds.GetLayer("areas")
    total = areas = 0
    for feature in layer:
        areas += 1
        geometry = feature.GetGeometryRef()
        for p in range(geometry.GetGeometryCount()):
            polygon = geometry.GetGeometryRef(p)
            for r in range(polygon.GetGeometryCount()):
                total += polygon.GetGeometryRef(r).GetPointCount() - 1
    return total, areas


def main(generator, work):
    shutil.rmtree(work, ignore_errors=True)
    failures = []
    for per_area in (None, 2000):
        out = os.path.join(work, str(per_area))
        command = [generator, "national", "--out", out, "--premises", "1000", "--areas", "300",
                   "--rasters", "0"]
        if per_area is not None:
            command += ["--vertices-per-area", str(per_area)]
        subprocess.run(command, check=True, capture_output=True)
        total, areas = vertices(os.path.join(out, "areas.gpkg"))
        expected = per_area or 500
        mean = total / areas
        if areas != 300 or abs(mean - expected) > 0.1 * expected:
            failures.append(f"{command}: {areas} areas, {mean:.1f} vertices per area, "
                            f"expected about {expected}")
        report = json.load(open(os.path.join(out, "generation_report.json")))
        if report["areas"]["vertices_total"] != total:
            failures.append(f"{command}: report says {report['areas']['vertices_total']} "
                            f"vertices, areas.gpkg has {total}")
    bad = subprocess.run([generator, "national", "--out", os.path.join(work, "bad"),
                          "--vertices-per-area", "5"], capture_output=True, text=True)
    if bad.returncode != 2 or "--vertices-per-area" not in bad.stderr:
        failures.append(f"--vertices-per-area 5: exit {bad.returncode}, {bad.stderr!r}")
    for f in failures:
        print("FAIL:", f)
    return 1 if failures else 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1], sys.argv[2]))
