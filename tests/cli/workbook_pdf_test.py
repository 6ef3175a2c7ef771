#!/usr/bin/env python3
"""parish_stats.xlsx printed as a user would: LibreOffice converts it to PDF and the pages are
read back with poppler's pdfinfo and pdftotext, then checked against parish_stats.csv.

Usage: workbook_pdf_test.py OUTPUT_DIR ARTIFACT_DIR [MIN_PARISH_PAGES]
  OUTPUT_DIR        holds parish_stats.xlsx and parish_stats.csv (a `notspot run --out` folder)
  ARTIFACT_DIR      receives parish_stats.pdf and page_N.txt (pdftotext -layout of each page)
  MIN_PARISH_PAGES  the Parishes sheet must print on at least this many pages (default 1)

Checks: every page is A4 landscape; every page's footer names the study, the sheet and
"Page n of N"; every page of Parishes carries the header (each column's label and CSV name),
so no column is cut onto a page of its own; every area of the CSV is printed once, its figures
as the CSV has them with percentages printed as "71.4%" (the CSV's 71.42); no cell prints as
"###" (a column too narrow for its figure); the Summary prints the study's shares as
percentages.

Exit codes: 0 pass, 1 fail, 77 skipped (soffice, pdfinfo or pdftotext missing: install Debian's
libreoffice-calc-nogui and poppler-utils).
"""

import csv
import decimal
import os
import re
import shutil
import subprocess
import sys
import tempfile

A4 = (841.89, 595.28)  # points, landscape


def fail(problems):
    for p in problems:
        print("FAIL:", p, file=sys.stderr)
    sys.exit(1)


def run(command, timeout):
    done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        fail([f"{' '.join(command)} exited {done.returncode}: {done.stderr.strip()[-2000:]}"])
    return done.stdout


def squeeze(text):
    """Text without whitespace: a wrapped cell's lines read as one."""
    return re.sub(r"\s+", "", text)


def percent_texts(csv_value):
    """How a percentage of the CSV (0-100, two decimals) prints with the workbook's 0.0%
    format: one decimal and a % sign; a value exactly halfway may round either way."""
    d = decimal.Decimal(csv_value)
    tenth = decimal.Decimal("0.1")
    return {f"{d.quantize(tenth, rounding=r)}%" for r in (decimal.ROUND_HALF_UP,
                                                          decimal.ROUND_HALF_DOWN)}


def expected_texts(name, value):
    """The printed forms of a CSV cell, from the column rules README.md documents: _pct
    columns are percentages, land_km2 has four decimals, est_ figures two, counts a thousands
    separator."""
    if name.endswith("_pct"):
        return percent_texts(value)
    if name == "land_km2" or (name.startswith("est_") and name != "est_premises"):
        return {value}
    return {f"{int(value):,}"}


def main():
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    out_dir, artifacts = sys.argv[1], sys.argv[2]
    min_parish_pages = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    tools = {t: shutil.which(t) for t in ("soffice", "pdfinfo", "pdftotext")}
    missing = [t for t, path in tools.items() if path is None]
    if missing:
        print(f"SKIPPED: {', '.join(missing)} not installed (Debian: apt-get install "
              "libreoffice-calc-nogui poppler-utils); the workbook's print test did not run")
        return 77

    xlsx = os.path.join(out_dir, "parish_stats.xlsx")
    with open(os.path.join(out_dir, "parish_stats.csv"), newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    header, areas, study = rows[0], rows[1:-1], rows[-1]
    study_name = study[header.index("area_name")]

    os.makedirs(artifacts, exist_ok=True)
    for old in os.listdir(artifacts):
        os.remove(os.path.join(artifacts, old))
    # LibreOffice needs a profile folder it can write; a fresh one keeps runs independent.
    with tempfile.TemporaryDirectory() as profile:
        run([tools["soffice"], f"-env:UserInstallation=file://{profile}", "--headless",
             "--convert-to", "pdf", "--outdir", artifacts, xlsx], timeout=240)
    pdf = os.path.join(artifacts, "parish_stats.pdf")
    if not os.path.exists(pdf):
        fail([f"LibreOffice wrote no {pdf}"])

    info = run([tools["pdfinfo"], "-f", "1", "-l", "100000", pdf], timeout=60)
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
    problems = []
    for number, width, height in re.findall(r"^Page\s+(\d+) size:\s+([\d.]+) x ([\d.]+)", info,
                                            re.M):
        w, h = float(width), float(height)
        if abs(w - A4[0]) > 2 or abs(h - A4[1]) > 2:
            problems.append(f"page {number} is {w} x {h} pt, not A4 landscape "
                            f"({A4[0]} x {A4[1]})")

    labels_of = {}  # the catalogue's labels, from the Definitions sheet (column, label) pairs
    sheets = {}  # sheet name -> [(page number, layout text, raw text)]
    for page in range(1, pages + 1):
        common = [tools["pdftotext"], "-f", str(page), "-l", str(page)]
        layout = run(common + ["-layout", pdf, "-"], timeout=60)
        raw = run(common + ["-raw", pdf, "-"], timeout=60)
        with open(os.path.join(artifacts, f"page_{page}.txt"), "w", encoding="utf-8") as f:
            f.write(layout)
        footer = re.search(r"(Summary|Parishes|Definitions)\s+Page (\d+) of (\d+)", layout)
        if not footer:
            problems.append(f"page {page}: no footer with the sheet and 'Page n of N'")
            continue
        if (int(footer.group(2)), int(footer.group(3))) != (page, pages):
            problems.append(f"page {page}: footer says {footer.group(0)!r}")
        if squeeze(study_name)[:40] not in squeeze(layout):
            problems.append(f"page {page}: the study's name is not on the page")
        if "###" in layout:
            problems.append(f"page {page}: a cell prints as ### (its column is too narrow)")
        sheets.setdefault(footer.group(1), []).append((page, layout, raw))

    parish_pages = sheets.get("Parishes", [])
    if len(parish_pages) < min_parish_pages:
        problems.append(f"Parishes printed on {len(parish_pages)} pages, expected at least "
                        f"{min_parish_pages} (the header check needs several)")
    printed = {}  # area_id -> page
    id_at = header.index("area_id")
    by_id = {row[id_at]: row for row in areas}
    for page, layout, raw in parish_pages:
        flat = squeeze(raw)
        # The header on every page: every CSV name (wrapped names read as one in raw order)
        # and the first label; no column is left for a page of its own.
        for name in header:
            if name not in flat:
                problems.append(f"Parishes page {page}: no header for column {name}")
        for label in ("Areacode", "Areaname", "Premises"):
            if label not in flat:
                problems.append(f"Parishes page {page}: no label {label!r} in the header")
        for line in raw.splitlines():
            tokens = line.split()
            if len(tokens) < 3 or tokens[0] != "area" or tokens[1] not in by_id:
                continue
            row = by_id[tokens[1]]
            if tokens[1] in printed:
                problems.append(f"area {tokens[1]} printed on pages {printed[tokens[1]]} and "
                                f"{page}")
            printed[tokens[1]] = page
            # The figures after the name, as the CSV has them (null cells print nothing).
            figures = [(n, v) for n, v in zip(header, row) if v != "" and
                       n not in ("level", "area_id", "area_name")]
            got = tokens[len(tokens) - len(figures):]
            for (name, value), text in zip(figures, got):
                if text not in expected_texts(name, value):
                    problems.append(f"Parishes page {page}, area {tokens[1]}, {name}: printed "
                                    f"{text!r}, CSV {value} (expected one of "
                                    f"{sorted(expected_texts(name, value))})")
                    break
    # Names the raw text wraps are not read; every other area must be printed.
    unprinted = [a for a in by_id if a not in printed]
    if len(unprinted) > len(by_id) // 20:
        problems.append(f"{len(unprinted)} of {len(by_id)} areas not found on the Parishes "
                        f"pages (e.g. {unprinted[:5]})")

    # The Summary's headline shares print as percentages of the study row.
    summary = "".join(layout for _, layout, _ in sheets.get("Summary", []))
    for name in ("gigabit_pct", "superfast_pct"):
        if name in header and study[header.index(name)]:
            if not any(t in summary for t in percent_texts(study[header.index(name)])):
                problems.append(f"Summary: the study's {name} {study[header.index(name)]} is "
                                f"not printed as {sorted(percent_texts(study[header.index(name)]))}")
    if not sheets.get("Definitions"):
        problems.append("the Definitions sheet printed no page")

    if problems:
        fail(problems[:40])
    print(f"ok: {pages} pages, {len(parish_pages)} of Parishes, {len(printed)} of "
          f"{len(by_id)} areas read back")
    return 0


if __name__ == "__main__":
    sys.exit(main())
