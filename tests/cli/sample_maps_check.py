#!/usr/bin/env python3
"""The maps of the Dorset sample's report.html agree with its GeoPackage and CSV (issue 13,
"Maps people can read").

Reads the run's outputs with independent readers (Python's sqlite3 on parish_stats.gpkg's
layer_styles table, xml.etree on the QGIS style, html.parser on report.html, csv on
parish_stats.csv) and checks:
  - every map's legend has the same classes (bounds and colours) as the GeoPackage's QGIS style
    of the same column;
  - the legend's counts add up to the number of areas, and each count is the number of areas
    of parish_stats.csv whose figure lies in that class (lower inclusive, the top class closed);
  - one colour meaning: on every map the legend runs best class first, and its colours get
    darker (relative luminance falls) from the first class to the last;
  - the study outline is drawn on every map, and the place labels include Dorchester and
    Bridport (the sample's [report] places: ONS built-up areas);
  - every map keeps a text alternative that names the labelled places.

Usage: sample_maps_check.py OUTPUTS_DIR
Exit status 0 when every check holds, 1 otherwise.
"""

import csv
import sqlite3
import sys
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

problems = []


def check(ok, what):
    if not ok:
        problems.append(what)


class Maps(HTMLParser):
    """The maps of report.html: per figure.map its column, legend items, labels, outline."""

    def __init__(self):
        super().__init__()
        self.maps = []
        self.in_text = False
        self.in_desc = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "figure" and "map" in a.get("class", "").split():
            self.maps.append({"column": a["data-column"], "legend": [], "labels": [],
                              "outline": False, "desc": ""})
        if not self.maps:
            return
        m = self.maps[-1]
        if tag == "li" and "data-areas" in a:
            m["legend"].append(a)
        if tag == "path" and a.get("class") == "outline" and a.get("d"):
            m["outline"] = True
        if tag == "text" and self.in_places:
            self.in_text = True
            m["labels"].append("")
        if tag == "g" and a.get("class") == "places":
            self.in_places = True
        if tag == "desc":
            self.in_desc = True

    in_places = False

    def handle_endtag(self, tag):
        if tag == "text":
            self.in_text = False
        if tag == "svg":
            self.in_places = False
        if tag == "desc":
            self.in_desc = False

    def handle_data(self, data):
        if self.in_text and self.maps:
            self.maps[-1]["labels"][-1] += data
        if self.in_desc and self.maps:
            self.maps[-1]["desc"] += data


def luminance(hex_colour):
    def channel(c):
        c /= 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def qml_classes(qml):
    """{(lower, upper): '#rrggbb'} of a QGIS graduated style, the null class (-1) left out."""
    root = ET.fromstring(qml.split("\n", 1)[1])  # after the DOCTYPE line
    renderer = root.find("renderer-v2")
    colours = {}
    for symbol in renderer.find("symbols"):
        for prop in symbol.iter("prop"):
            if prop.get("k") == "color":
                r, g, b = (int(x) for x in prop.get("v").split(",")[:3])
                colours.setdefault(symbol.get("name"), f"#{r:02x}{g:02x}{b:02x}")
    out = {}
    for rng in renderer.find("ranges"):
        lower, upper = float(rng.get("lower")), float(rng.get("upper"))
        if lower >= 0:
            out[(lower, upper)] = colours[rng.get("symbol")]
    return out, renderer.get("attr")


def main():
    out = Path(sys.argv[1])
    parser = Maps()
    parser.feed((out / "report.html").read_text(encoding="utf-8"))
    check(len(parser.maps) == 3, f"expected 3 maps in the sample's report, found {len(parser.maps)}")

    with open(out / "parish_stats.csv", encoding="utf-8-sig", newline="") as f:
        areas = [row for row in csv.DictReader(f) if row["level"] == "area"]

    db = sqlite3.connect(f"file:{out / 'parish_stats.gpkg'}?mode=ro", uri=True)
    styles = {}
    for (qml,) in db.execute("SELECT styleQML FROM layer_styles WHERE f_table_name='parish_stats'"):
        classes, attr = qml_classes(qml)
        column = attr.split('"')[1]
        styles[column] = classes

    for m in parser.maps:
        col = m["column"]
        legend = [li for li in m["legend"] if "data-lower" in li]
        ours = {(float(li["data-lower"]), float(li["data-upper"])): li["data-colour"]
                for li in legend}
        check(col in styles, f"{col}: the GeoPackage has no QGIS style for this map's column")
        check(styles.get(col) == ours,
              f"{col}: legend classes {sorted(ours.items())} differ from the QGIS style's "
              f"{sorted(styles.get(col, {}).items())}")
        # Counts: each class from the CSV's figures, by hand; no data = empty figure.
        total = sum(int(li["data-areas"]) for li in m["legend"])
        check(total == len(areas), f"{col}: legend counts add up to {total}, not {len(areas)} areas")
        top = max((u for (_, u) in ours), default=100)
        for li in legend:
            lo, up = float(li["data-lower"]), float(li["data-upper"])
            n = sum(1 for a in areas if a[col] != "" and
                    lo <= float(a[col]) and (float(a[col]) < up or (up == top and float(a[col]) <= up)))
            check(n == int(li["data-areas"]),
                  f"{col}: class {lo}-{up} holds {n} areas of parish_stats.csv, legend says {li['data-areas']}")
        no_data = [li for li in m["legend"] if "data-lower" not in li]
        empty = sum(1 for a in areas if a[col] == "")
        check((int(no_data[0]["data-areas"]) if no_data else 0) == empty,
              f"{col}: {empty} areas without a figure, legend's no-data count differs")
        # Best first, getting darker.
        lum = [luminance(li["data-colour"]) for li in legend]
        check(all(a > b for a, b in zip(lum, lum[1:])),
              f"{col}: legend colours do not get darker from the best class to the worst: {lum}")
        check(m["outline"], f"{col}: no study outline on the map")
        for place in ("Dorchester", "Bridport"):
            check(place in m["labels"], f"{col}: no label '{place}' (labels: {m['labels']})")
            check(place in m["desc"], f"{col}: the map's text alternative does not name {place}")

    for p in problems:
        print("FAIL:", p)
    print(f"{len(parser.maps)} maps checked against parish_stats.gpkg and parish_stats.csv "
          f"({len(areas)} areas), {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
