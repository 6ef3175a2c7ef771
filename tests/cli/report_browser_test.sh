#!/usr/bin/env bash
# report.html in a real browser: headless Chromium loads an outputs folder's report.html and
# the test checks, against the folder's parish_stats.csv, that the page's scripts ran with no
# console error, that every map has one shape per parish, that the table has one row per
# parish with the CSV's names, and that the summary figures are the CSV's study row. It saves a
# screenshot and a print-layout PDF as artifacts.
#
# Usage: report_browser_test.sh OUTPUT_DIR ARTIFACT_DIR [WRITER]
#   OUTPUT_DIR    holds report.html and parish_stats.csv (e.g. a `notspot run --out` folder)
#   ARTIFACT_DIR  receives report.png, report.pdf, dom.html and chromium.log
#   WRITER        optional program run first as `WRITER OUTPUT_DIR` to write the folder
# Environment:
#   NOTSPOT_EXPECT_BANNER  a failed check's name: the report must open with the quality banner
#                          (the first element of <main>, role="alert", naming that check), and
#                          the screenshot must show it within the first 720 pixels; "none": the
#                          report must have no banner; unset: not checked
# Exit codes: 0 pass, 1 fail, 77 skipped (no chromium; install Debian's `chromium` package).
set -euo pipefail

if [[ $# -lt 2 ]]; then
  echo "usage: $0 OUTPUT_DIR ARTIFACT_DIR [WRITER]" >&2
  exit 2
fi
out_dir=$1
artifacts=$2
writer=${3:-}

browser=""
for candidate in chromium chromium-browser; do
  if command -v "$candidate" >/dev/null 2>&1; then
    browser=$(command -v "$candidate")
    break
  fi
done
if [[ -z $browser ]]; then
  echo "SKIPPED: chromium is not installed (Debian: apt-get install chromium); the browser" \
    "test of report.html did not run"
  exit 77
fi

mkdir -p "$artifacts"
if [[ -n $writer ]]; then
  "$writer" "$out_dir"
fi
report=$(realpath "$out_dir/report.html")
csv=$(realpath "$out_dir/parish_stats.csv")
[[ -f $report ]] || { echo "FAIL: no report.html in $out_dir" >&2; exit 1; }
[[ -f $csv ]] || { echo "FAIL: no parish_stats.csv in $out_dir" >&2; exit 1; }

# A profile of our own keeps runs independent of any user profile and of each other.
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
flags=(--headless=new --disable-gpu --no-sandbox --no-first-run --no-default-browser-check
  --disable-extensions --disable-background-networking --disable-sync --mute-audio
  --user-data-dir="$profile" --enable-logging=stderr --v=0 --virtual-time-budget=10000)
url="file://$report"

# Chromium prints console messages and uncaught exceptions to stderr as "CONSOLE(line)".
timeout 180 "$browser" "${flags[@]}" --dump-dom "$url" >"$artifacts/dom.html" \
  2>"$artifacts/chromium.log" || {
  echo "FAIL: chromium could not load $url (log: $artifacts/chromium.log)" >&2
  tail -20 "$artifacts/chromium.log" >&2
  exit 1
}
timeout 180 "$browser" "${flags[@]}" --window-size=1280,2000 --hide-scrollbars \
  --screenshot="$artifacts/report.png" "$url" 2>>"$artifacts/chromium.log" || true
timeout 180 "$browser" "${flags[@]}" --no-pdf-header-footer \
  --print-to-pdf="$artifacts/report.pdf" "$url" 2>>"$artifacts/chromium.log" || true

status=0
if grep -E "CONSOLE|Uncaught|Content Security Policy|Refused to" "$artifacts/chromium.log" \
  >"$artifacts/console.log"; then
  echo "FAIL: the page logged console messages:" >&2
  cat "$artifacts/console.log" >&2
  status=1
fi
for artifact in report.png report.pdf; do
  if [[ ! -s $artifacts/$artifact ]]; then
    echo "FAIL: chromium wrote no $artifacts/$artifact" >&2
    status=1
  fi
done
# The print stylesheet asks for A4: every page of the PDF must be 595 x 842 points (portrait),
# or 842 x 595 (the landscape pages of the table of all parishes).
if [[ -s $artifacts/report.pdf ]] && ! python3 - "$artifacts/report.pdf" <<'PY'; then
import re
import sys
pdf = open(sys.argv[1], "rb").read()
boxes = re.findall(rb"/MediaBox\s*\[\s*([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)\s*\]", pdf)
if not pdf.startswith(b"%PDF-") or not boxes:
    sys.exit("not a PDF with pages")
for box in boxes:
    w, h = float(box[2]) - float(box[0]), float(box[3]) - float(box[1])
    if abs(min(w, h) - 595.28) > 1.5 or abs(max(w, h) - 841.89) > 1.5:
        sys.exit(f"a page is {w:.1f} x {h:.1f} pt, not A4")
print(f"report.pdf: {len(boxes)} A4 pages")
PY
  echo "FAIL: $artifacts/report.pdf is not an A4 PDF" >&2
  status=1
fi

# The quality banner: in the DOM as the first element of <main>, and on screen at the top (the
# screenshot, decoded here without any imaging library, has the banner's border colour #8a1c1c
# and background #fdecea within its first 720 rows, i.e. on a first screen of a laptop).
if [[ -n ${NOTSPOT_EXPECT_BANNER:-} ]]; then
  python3 - "$artifacts/dom.html" "$artifacts/report.png" "$NOTSPOT_EXPECT_BANNER" <<'PY' || status=1
import struct
import sys
import zlib
from html.parser import HTMLParser

dom_path, png_path, expect = sys.argv[1], sys.argv[2], sys.argv[3]


class Main(HTMLParser):
    """The first element inside <main>, and the text of the quality banner."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.in_main = False
        self.first = None         # (tag, attrs) of <main>'s first element
        self.banners = 0
        self.depth = 0            # inside the banner section
        self.text = ""

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if self.in_main and self.first is None:
            self.first = (tag, a)
        if tag == "main":
            self.in_main = True
        if tag == "section" and "quality-banner" in (a.get("class") or "").split():
            self.banners += 1
            self.depth = 1
        elif tag == "section" and self.depth:
            self.depth += 1

    def handle_endtag(self, tag):
        if tag == "section" and self.depth:
            self.depth -= 1

    def handle_data(self, data):
        if self.depth:
            self.text += data


def rows_of_png(path, limit):
    """The first `limit` rows of an 8-bit RGB or RGBA PNG, as (width, channels, [bytes])."""
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        sys.exit(f"FAIL: {path} is not a PNG")
    at, idat, width, channels = 8, b"", 0, 0
    while at < len(data):
        length, kind = struct.unpack(">I4s", data[at:at + 8])
        body = data[at + 8:at + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", body)
            if depth != 8 or colour not in (2, 6) or interlace:
                sys.exit(f"FAIL: {path}: PNG depth {depth}, colour type {colour} not decoded")
            channels = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat += body
        at += 12 + length
    raw = zlib.decompress(idat)
    stride = width * channels
    rows, prev = [], bytearray(stride)
    for y in range(min(limit, len(raw) // (stride + 1))):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            up = prev[i]
            if f == 1:
                line[i] = (line[i] + left) & 255
            elif f == 2:
                line[i] = (line[i] + up) & 255
            elif f == 3:
                line[i] = (line[i] + (left + up) // 2) & 255
            elif f == 4:
                ul = prev[i - channels] if i >= channels else 0
                p = left + up - ul
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - ul)
                line[i] = (line[i] + (left if pa <= pb and pa <= pc else up if pb <= pc else ul)) & 255
        rows.append(bytes(line))
        prev = line
    return width, channels, rows


with open(dom_path, encoding="utf-8") as f:
    page = Main()
    page.feed(f.read())
failures = []
if expect == "none":
    if page.banners:
        failures.append(f"{page.banners} quality banners, expected none (every check passed)")
else:
    if page.banners != 1:
        failures.append(f"{page.banners} quality banners, expected 1")
    tag, attrs = page.first or ("(nothing)", {})
    if tag != "section" or "quality-banner" not in (attrs.get("class") or "").split():
        failures.append(f"<main> opens with <{tag}>, not the quality banner")
    elif attrs.get("role") != "alert":
        failures.append("the quality banner has no role=\"alert\"")
    if expect not in page.text or "Data quality: FAILED" not in page.text:
        failures.append(f"the banner does not name {expect!r}: {page.text.strip()[:300]!r}")
    width, channels, rows = rows_of_png(png_path, 720)
    def near(px, rgb):
        return all(abs(px[k] - rgb[k]) <= 6 for k in range(3))
    border = background = 0
    first_row = None
    for y, line in enumerate(rows):
        hits = 0
        for x in range(0, width, 2):
            px = line[x * channels:x * channels + 3]
            if near(px, (0x8a, 0x1c, 0x1c)):
                border += 1
                hits += 1
            elif near(px, (0xfd, 0xec, 0xea)):
                background += 1
                hits += 1
        if hits > 50 and first_row is None:
            first_row = y
    if border < 200 or background < 2000:
        failures.append(f"the screenshot's first 720 rows show no banner (border pixels {border}, "
                        f"background pixels {background})")
    else:
        print(f"report.png: the quality banner starts at row {first_row} of the screenshot")
if failures:
    for f in failures:
        print("FAIL:", f, file=sys.stderr)
    sys.exit(1)
print("report.html: quality banner as expected:", expect)
PY
fi

python3 - "$artifacts/dom.html" "$csv" <<'PY' || status=1
import csv
import sys
from html.parser import HTMLParser

dom_path, csv_path = sys.argv[1], sys.argv[2]
with open(csv_path, newline="", encoding="utf-8") as f:
    rows = list(csv.DictReader(f))
areas = [r for r in rows if r["level"] == "area"]
study = [r for r in rows if r["level"] == "study"]
assert len(study) == 1, "parish_stats.csv has no single study row"
study = study[0]


class Dom(HTMLParser):
    """Collects what the checks need from the DOM as it was after the scripts ran."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ready = False
        self.maps = {}            # figure data-column -> number of parish shapes
        self.map = None
        self.in_summary = 0
        self.summary = []         # (data-column, value) of summary figures
        self.stack = []
        self.table_rows = []      # first cell text of each parish-table body row
        self.in_table = False
        self.in_tbody = False
        self.cell = None
        self.cell_index = 0
        self.scripts = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "html" and a.get("data-report-ready") == "1":
            self.ready = True
        if tag == "script":
            self.scripts += 1
        if tag == "section" and a.get("id") == "summary":
            self.in_summary = 1
        elif tag == "section" and self.in_summary:
            self.in_summary += 1
        if tag == "figure" and "map" in (a.get("class") or "").split():
            self.map = a.get("data-column")
            self.maps[self.map] = 0
        if tag == "path" and self.map and "area" in (a.get("class") or "").split():
            self.maps[self.map] += 1
        if tag == "data" and self.in_summary and "data-column" in a:
            self.summary.append((a["data-column"], a.get("value")))
        if tag == "table" and a.get("id") == "parish-table":
            self.in_table = True
        if self.in_table and tag == "tbody":
            self.in_tbody = True
        if self.in_tbody and tag == "tr":
            self.cell_index = 0
            self.table_rows.append("")
        if self.in_tbody and tag in ("td", "th"):
            self.cell = self.cell_index == 0
            self.cell_index += 1

    def handle_endtag(self, tag):
        if tag == "section" and self.in_summary:
            self.in_summary -= 1
        if tag == "figure":
            self.map = None
        if tag == "tbody":
            self.in_tbody = False
        if tag == "table":
            self.in_table = False
        if tag in ("td", "th"):
            self.cell = None

    def handle_data(self, data):
        if self.in_tbody and self.cell:
            self.table_rows[-1] += data


with open(dom_path, encoding="utf-8") as f:
    dom = Dom()
    dom.feed(f.read())

failures = []
if not dom.ready:
    failures.append("the report's script did not run to the end (no data-report-ready)")
if dom.scripts != 1:
    failures.append(f"{dom.scripts} script elements in the DOM, expected the report's own one")
expected_maps = [c for c in ("gigabit_pct", "below_uso_pct", "mob_4g_indoor_none_pct")
                 if c in study]
if sorted(dom.maps) != sorted(expected_maps):
    failures.append(f"maps {sorted(dom.maps)}, expected {sorted(expected_maps)}")
for column, shapes in dom.maps.items():
    if shapes != len(areas):
        failures.append(f"map {column}: {shapes} parish shapes, expected {len(areas)}")
if len(dom.table_rows) != len(areas):
    failures.append(f"parish table: {len(dom.table_rows)} rows, expected {len(areas)}")
# Names shown as text, exactly as in the CSV (markup in a name would have become elements).
if sorted(dom.table_rows) != sorted(r["area_name"] for r in areas):
    differ = set(r["area_name"] for r in areas) ^ set(dom.table_rows)
    failures.append(f"parish table names differ from the CSV, e.g. {sorted(differ)[:3]}")
if not dom.summary:
    failures.append("no summary figures found")
for column, value in dom.summary:
    if study.get(column) != value:
        failures.append(f"summary {column} = {value!r}, parish_stats.csv has {study.get(column)!r}")
for column in ("premises", "gigabit_pct"):
    if column in study and column not in dict(dom.summary):
        failures.append(f"summary does not show {column}")

if failures:
    for f in failures:
        print("FAIL:", f, file=sys.stderr)
    sys.exit(1)
print(f"report.html: {len(areas)} parishes, maps {sorted(dom.maps)}, "
      f"{len(dom.summary)} summary figures equal to parish_stats.csv")
PY

if [[ $status -eq 0 ]]; then
  echo "PASS: report.html in $browser; artifacts in $artifacts (report.png, report.pdf)"
fi
exit $status
