#!/usr/bin/env python3
# Debian's interpreter: GDAL's Python bindings (python3-gdal) live there, not in a pyenv.
"""`notspot-generate scatter` is deterministic and puts its premises where it says, by GEOS.

    check_scatter.py GENERATOR AREAS WORKDIR [PREMISES]

Scatters PREMISES (default 20,000) over AREAS twice with the same seed and checks that both
files are byte-identical and that another seed gives another premises.csv. Then, independently
of the generator's own crossing test, with GDAL/OGR's GEOS predicates on the features (repaired
with MakeValid when invalid): every premise is inside at most one feature; the number inside no
feature is the report's outside count; per-feature counts differ by at most one. A premise
within 1 m of a feature's boundary may fall either way (the generator tests the rings as read,
GEOS the repaired polygon): such premises widen the tolerances by their number, and there must
be fewer than 0.1% of them. Also checks the CSV layout, that the UPRNs are 1..N, that
LATITUDE/LONGITUDE are the X/Y point (within 5 m: PROJ may pick OSTN15 here, the generator pins
a Helmert), and that an unsupported CRS is refused with exit status 2.
"""
import csv
import filecmp
import json
import os
import shutil
import subprocess
import sys

from osgeo import ogr, osr

ogr.UseExceptions()
osr.UseExceptions()

HEADER = ["UPRN", "X_COORDINATE", "Y_COORDINATE", "LATITUDE", "LONGITUDE"]
TOLERANCE_M = 1.0


def scatter(generator, areas, out, premises, seed, *extra):
    shutil.rmtree(out, ignore_errors=True)
    command = [generator, "scatter", "--areas", areas, "--out", out, "--premises", str(premises),
               "--seed", str(seed), *extra]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"check_scatter.py: {' '.join(command)} failed ({done.returncode}):\n"
                 f"{done.stderr}")
    return out


def features_in_bng(areas):
    """The polygons of AREAS in EPSG:27700, repaired, with their envelopes."""
    dataset = ogr.Open(areas)
    layer = dataset.GetLayer(0)
    bng = osr.SpatialReference()
    bng.ImportFromEPSG(27700)
    bng.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    source = layer.GetSpatialRef()
    if source is None:
        source = osr.SpatialReference()
        source.ImportFromEPSG(4326)
    source.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    transform = osr.CoordinateTransformation(source, bng)
    features = []
    for feature in layer:
        geometry = feature.GetGeometryRef()
        if geometry is None or geometry.GetDimension() != 2:
            continue
        geometry = geometry.Clone()
        geometry.Transform(transform)
        if not geometry.IsValid():
            geometry = geometry.MakeValid()
        features.append((geometry, geometry.GetEnvelope()))  # (minx, maxx, miny, maxy)
    return features


def read_premises(path):
    with open(path, newline="", encoding="utf-8-sig") as f:
        reader = csv.reader(f)
        header = next(reader)
        rows = list(reader)
    if header != HEADER:
        sys.exit(f"check_scatter.py: {path}: header {header}, expected {HEADER}")
    return rows


def where_each_premise_is(features, rows):
    """Per feature, the premises GEOS puts inside it; premises inside none; premises near a
    boundary (within TOLERANCE_M, not inside); premises inside two features."""
    inside = [0] * len(features)
    outside = near = overlapping = 0
    point = ogr.Geometry(ogr.wkbPoint)
    for row in rows:
        x, y = float(row[1]), float(row[2])
        point.SetPoint_2D(0, x, y)
        hits = [i for i, (g, (x0, x1, y0, y1)) in enumerate(features)
                if x0 <= x <= x1 and y0 <= y <= y1 and g.Contains(point)]
        if len(hits) > 1:
            overlapping += 1
        for i in hits:
            inside[i] += 1
        if not hits:
            close = any(x0 - TOLERANCE_M <= x <= x1 + TOLERANCE_M
                        and y0 - TOLERANCE_M <= y <= y1 + TOLERANCE_M
                        and g.Distance(point) <= TOLERANCE_M
                        for g, (x0, x1, y0, y1) in features)
            if close:
                near += 1
            else:
                outside += 1
    return inside, outside, near, overlapping


def check_lonlat(rows, failures):
    wgs84 = osr.SpatialReference()
    wgs84.ImportFromEPSG(4326)
    wgs84.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    bng = osr.SpatialReference()
    bng.ImportFromEPSG(27700)
    bng.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    transform = osr.CoordinateTransformation(wgs84, bng)
    worst = 0.0
    for row in rows[::50]:
        x, y, _ = transform.TransformPoint(float(row[4]), float(row[3]))
        worst = max(worst, abs(x - float(row[1])), abs(y - float(row[2])))
    if worst > 5.0:
        failures.append(f"LATITUDE/LONGITUDE are up to {worst:.2f} m off X/Y")


def check_refusal(generator, work, failures):
    """An areas layer in Web Mercator must be refused as a usage error (exit status 2)."""
    path = os.path.join(work, "mercator.geojson")
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(3857)
    dataset = ogr.GetDriverByName("GeoJSON").CreateDataSource(path)
    layer = dataset.CreateLayer("areas", srs, ogr.wkbPolygon)
    feature = ogr.Feature(layer.GetLayerDefn())
    feature.SetGeometry(ogr.CreateGeometryFromWkt(
        "POLYGON ((-250000 6600000, -240000 6600000, -240000 6610000, -250000 6600000))"))
    layer.CreateFeature(feature)
    dataset = None
    done = subprocess.run([generator, "scatter", "--areas", path, "--out",
                           os.path.join(work, "mercator"), "--premises", "10"],
                          capture_output=True, text=True)
    if done.returncode != 2 or "EPSG:27700" not in done.stderr:
        failures.append(f"areas in EPSG:3857: exit {done.returncode}, expected 2 with a message "
                        f"naming the CRSs accepted; stderr: {done.stderr.strip()}")


def main(generator, areas, work, premises):
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    failures = []
    a = scatter(generator, areas, os.path.join(work, "a"), premises, 5)
    b = scatter(generator, areas, os.path.join(work, "b"), premises, 5)
    c = scatter(generator, areas, os.path.join(work, "c"), premises, 6)
    for name in ("premises.csv", "generation_report.json"):
        if not filecmp.cmp(os.path.join(a, name), os.path.join(b, name), shallow=False):
            failures.append(f"{name} differs between two runs with the same seed")
    if filecmp.cmp(os.path.join(a, "premises.csv"), os.path.join(c, "premises.csv"),
                   shallow=False):
        failures.append("premises.csv is the same with another seed")

    with open(os.path.join(a, "generation_report.json")) as f:
        report = json.load(f)["premises"]
    rows = read_premises(os.path.join(a, "premises.csv"))
    if len(rows) != premises or [r[0] for r in rows] != [str(i) for i in range(1, premises + 1)]:
        failures.append(f"expected UPRNs 1..{premises} in order, got {len(rows)} rows")
    expected_outside = premises * 20 // 1000
    if report["outside_every_feature"] != expected_outside:
        failures.append(f"report: {report['outside_every_feature']} outside, expected "
                        f"{expected_outside} (20 per mille)")
    check_lonlat(rows, failures)

    features = features_in_bng(areas)
    inside, outside, near, overlapping = where_each_premise_is(features, rows)
    print(f"{len(features)} features; per feature (GEOS): {inside}; outside {outside}; "
          f"within {TOLERANCE_M:g} m of a boundary {near}; in two features {overlapping}")
    if overlapping:
        failures.append(f"{overlapping} premises inside two features")
    if near > premises / 1000:
        failures.append(f"{near} premises within {TOLERANCE_M:g} m of a boundary (> 0.1%)")
    if not outside <= report["outside_every_feature"] <= outside + near:
        failures.append(f"GEOS finds {outside} premises outside every feature (+{near} near a "
                        f"boundary), the report says {report['outside_every_feature']}")
    if max(inside) - min(inside) > 1 + near:
        failures.append(f"per-feature counts {min(inside)}..{max(inside)} differ by more than 1 "
                        f"(+{near} near a boundary)")
    check_refusal(generator, work, failures)

    for failure in failures:
        print("FAIL:", failure)
    if not failures:
        print(f"ok: {premises} premises, byte-identical runs, placed as reported")
    return 1 if failures else 0


if __name__ == "__main__":
    if len(sys.argv) not in (4, 5):
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1], sys.argv[2], sys.argv[3],
                  int(sys.argv[4]) if len(sys.argv) == 5 else 20000))
