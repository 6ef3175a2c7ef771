// parish_stats.xlsx with text no workbook can hold as it is: control characters and bytes that
// are not UTF-8 (one makes Excel call the file damaged) and a cell over Excel's 32,767
// characters (libxlsxwriter refuses it, failing the run). The file is checked by Python's own
// zipfile and XML parser, independent of libxlsxwriter; expected strings are written by hand.

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "notspot/outputs/xlsx_writer.hpp"

namespace notspot::outputs {
namespace {

namespace fs = std::filesystem;

// Exit 0 when every XML member parses and the strings are as expected; prints what differs.
constexpr const char* kCheckScript = R"py(
import sys, zipfile, xml.etree.ElementTree as ET
ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
      "dc": "http://purl.org/dc/elements/1.1/"}
bad = []
with zipfile.ZipFile(sys.argv[1]) as z:
    for name in z.namelist():
        if name.endswith(".xml") or name.endswith(".rels"):
            try:
                ET.fromstring(z.read(name))
            except ET.ParseError as e:
                bad.append(f"{name} is not well-formed XML: {e}")
    if bad:
        print("\n".join(bad)); sys.exit(1)
    strings = ["".join(t.text or "" for t in si.iter("{%s}t" % ns["m"]))
               for si in ET.fromstring(z.read("xl/sharedStrings.xml")).findall("m:si", ns)]
    title = ET.fromstring(z.read("docProps/core.xml")).find("dc:title", ns).text
expected = ["E1\ufffd\ufffd[2J", "Bad\ufffd\ufffd name", "x" * 32766 + "\u2026",
            "Study \ufffd]0;t\ufffd"]
for e in expected:
    if e not in strings:
        bad.append(f"no cell {e[:40]!r} (length {len(e)})")
long = [s for s in strings if s.startswith("xxxx")]
if len(long) != 1 or len(long[0].encode("utf-16-le")) // 2 != 32767:
    bad.append(f"the long cell is not 32767 UTF-16 units: {[len(s) for s in long]}")
if title != "Study \ufffd]0;t\ufffd: parish statistics":
    bad.append(f"core.xml title is {title!r}")
print("\n".join(bad) or "ok")
sys.exit(1 if bad else 0)
)py";

TEST(XlsxHostileText, ControlCharactersAndOverlongCellsGiveAValidWorkbook) {
  const fs::path dir =
      fs::temp_directory_path() / ("notspot_xlsx_hostile_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);

  StatsTable t;
  const std::string_view columns[] = {"level", "area_id", "area_name", "premises"};
  t.columns = ColumnCatalogue(CatalogueOptions{}).subset(columns);
  // 32,766 x, then an emoji (2 UTF-16 units, so it no longer fits), then more.
  const std::string overlong = std::string(32766, 'x') + "\xF0\x9F\x98\x80" + "yyy";
  t.rows.push_back({std::string("area"), std::string("E1\x01\x1b[2J"),
                    std::string("Bad\x0b\xff name"), std::uint64_t{1}});
  t.rows.push_back({std::string("area"), std::string("E2"), overlong, std::uint64_t{1}});
  t.rows.push_back({std::string("study"), std::string(), std::string("S"), std::uint64_t{2}});
  WorkbookInfo info;
  info.study_name = "Study \x1b]0;t\x07";  // the study loader refuses this; the writer copes

  const fs::path xlsx = dir / "parish_stats.xlsx";
  const std::vector<std::string> warnings = write_parish_workbook(xlsx, t, info);
  ASSERT_EQ(warnings.size(), 2u);
  // The study name (Summary title A1 and its provenance row), the id and the name; the Summary
  // sheet is written first, so its A1 is named.
  EXPECT_NE(warnings[0].find("4 text cells held control characters"), std::string::npos)
      << warnings[0];
  EXPECT_NE(warnings[0].find("Summary!A1"), std::string::npos) << warnings[0];
  EXPECT_NE(warnings[1].find("1 text cells were longer than Excel's limit of 32767"),
            std::string::npos)
      << warnings[1];
  EXPECT_NE(warnings[1].find("Parishes!C4"), std::string::npos) << warnings[1];

  const fs::path script = dir / "check.py";
  std::ofstream(script) << kCheckScript;
  const std::string command = "python3 " + script.string() + " " + xlsx.string();
  EXPECT_EQ(std::system(command.c_str()), 0) << "see the lines above";
  fs::remove_all(dir);
}

TEST(XlsxHostileText, PlainTextGivesNoWarning) {
  const fs::path dir =
      fs::temp_directory_path() / ("notspot_xlsx_plain_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  StatsTable t;
  const std::string_view columns[] = {"level", "area_id", "area_name", "premises"};
  t.columns = ColumnCatalogue(CatalogueOptions{}).subset(columns);
  // Tabs and newlines are allowed in XML; an exact 32,767-character cell fits.
  t.rows.push_back(
      {std::string("area"), std::string("E1"), std::string(32767, 'x'), std::uint64_t{1}});
  t.rows.push_back({std::string("study"), std::string(), std::string("a\tb\nc"), std::uint64_t{1}});
  WorkbookInfo info;
  info.study_name = "Ünïcode study";
  EXPECT_TRUE(write_parish_workbook(dir / "p.xlsx", t, info).empty());
  fs::remove_all(dir);
}

}  // namespace
}  // namespace notspot::outputs
