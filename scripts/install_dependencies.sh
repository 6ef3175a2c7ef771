#!/bin/sh
# Installs everything notspot needs to build, test and benchmark, from Debian 12 packages.
# Run as root (or with sudo). Idempotent.
set -eu
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends \
  build-essential cmake ninja-build pkg-config ca-certificates \
  libgdal-dev libsqlite3-dev libgeos-dev libproj-dev proj-data \
  libboost-dev libtbb-dev \
  libfast-float-dev libtomlplusplus-dev libcli11-dev nlohmann-json3-dev libfmt-dev libssl-dev \
  libgtest-dev libgmock-dev libbenchmark-dev \
  libxlsxwriter-dev libdeflate-dev unzip time python3 python3-gdal gdal-bin chromium clang poppler-utils \
  > /dev/null
# The print check of parish_stats.xlsx (tests/cli/workbook_pdf_test.py): LibreOffice converts
# it to PDF, poppler-utils reads the pages; Carlito has Calibri's metrics (the workbook's font),
# so that columns print as wide as in Excel.
apt-get install -y -qq --no-install-recommends \
  libreoffice-calc-nogui poppler-utils fonts-crosextra-carlito > /dev/null
# The browser checks of report.html (tests/browser: axe-core, playwright-core driving Debian's
# Chromium) come from npm, pinned by tests/browser/package-lock.json.
if ! command -v npm > /dev/null; then
  apt-get install -y -qq --no-install-recommends nodejs npm > /dev/null
fi
npm ci --prefix "$(dirname "$0")/../tests/browser" --no-audit --no-fund --loglevel=error
