// parish_stats.xlsx, read back without libxlsxwriter: the file is unzipped with Debian's
// `unzip` and the sheets' XML is checked against parish_stats.csv written from the same table.

#include "notspot/outputs/xlsx_writer.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "notspot/engine/error.hpp"
#include "notspot/io/csv.hpp"
#include "notspot/outputs/csv_writers.hpp"
#include "support/xlsx_read.hpp"

namespace notspot::outputs {
namespace {

namespace fs = std::filesystem;

const std::string kAwkwardName = "Ash & <Bourne> \"St\"";

class TempDir {
 public:
  TempDir() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    path_ = fs::temp_directory_path() /
            ("notspot_xlsx_" + std::to_string(::getpid()) + "_" + info->name());
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() { fs::remove_all(path_); }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

std::string read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

using test::cells_of;
using test::column_letters;
using test::shared_strings;
using test::xml_unescape;
using test::XmlCell;

// One member of the zip file, extracted by `unzip -p` (independent of libxlsxwriter).
std::string unzip_member(const fs::path& zip, const std::string& member) {
  try {
    return test::unzip_member(zip, member);
  } catch (const std::exception& e) {
    ADD_FAILURE() << e.what();
    return {};
  }
}

// The number format code of each cell style (xf) index, from styles.xml.
std::vector<std::string> style_number_formats(const std::string& xml) {
  std::map<int, std::string> codes = {{0, "General"}, {2, "0.00"}, {3, "#,##0"}};  // built-ins
  static const std::regex numfmt_re(R"re(<numFmt numFmtId="([0-9]+)" formatCode="([^"]*)")re");
  for (auto it = std::sregex_iterator(xml.begin(), xml.end(), numfmt_re);
       it != std::sregex_iterator(); ++it) {
    codes[std::stoi((*it)[1])] = xml_unescape((*it)[2]);
  }
  std::vector<std::string> out;
  const std::size_t begin = xml.find("<cellXfs");
  const std::size_t end = xml.find("</cellXfs>");
  if (begin == std::string::npos || end == std::string::npos) return out;
  const std::string xfs = xml.substr(begin, end - begin);
  static const std::regex xf_re(R"re(<xf numFmtId="([0-9]+)")re");
  for (auto it = std::sregex_iterator(xfs.begin(), xfs.end(), xf_re); it != std::sregex_iterator();
       ++it) {
    const int id = std::stoi((*it)[1]);
    out.push_back(codes.count(id) ? codes[id] : "numFmtId " + std::to_string(id));
  }
  return out;
}

// "96.12" -> "0.9612", "100.00" -> "1.0000", "0.05" -> "0.0005": a percentage's text as a
// fraction, by moving the decimal point (no arithmetic on doubles).
std::string percent_as_fraction(const std::string& percent) {
  const std::size_t point = percent.find('.');
  std::string digits = percent;
  std::size_t whole = digits.size();
  if (point != std::string::npos) {
    digits.erase(point, 1);
    whole = point;
  }
  while (whole < 3) {
    digits.insert(digits.begin(), '0');
    ++whole;
  }
  return digits.substr(0, whole - 2) + "." + digits.substr(whole - 2);
}

// A table with columns of every kind, values that need rounding, nulls, and an area name that
// needs escaping in XML and quoting in CSV.
StatsTable sample_table() {
  StatsTable t;
  CatalogueOptions options;
  options.land_area = true;
  options.estimates = true;
  options.estimate_measures[static_cast<std::size_t>(engine::Estimate::kGigabit)] = true;
  options.mobile_groups = {{"4G", "outdoor", {"EE"}, true}};
  const std::string_view columns[] = {"level",
                                      "area_id",
                                      "area_name",
                                      "premises",
                                      "gigabit",
                                      "gigabit_pct",
                                      "decent",
                                      "decent_pct",
                                      "below_uso",
                                      "below_uso_pct",
                                      "land_km2",
                                      "est_premises",
                                      "est_gigabit",
                                      "est_gigabit_pct",
                                      "mob_4g_outdoor_ee",
                                      "mob_4g_outdoor_none",
                                      "mob_4g_outdoor_none_pct",
                                      "land_4g_outdoor_any_pct"};
  t.columns = ColumnCatalogue(options).subset(columns);
  const double nan = std::nan("");
  using U = std::uint64_t;
  t.rows.push_back({std::string("area"), std::string("E04000001"), kAwkwardName, U{1234567},
                    U{1049999}, 100.0 * 1049999 / 1234567, U{1200000}, 100.0 * 1200000 / 1234567,
                    U{4321}, 100.0 * 4321 / 1234567, 12.345678912, U{1000}, 3.14159, 0.314159,
                    U{1234000}, U{567}, 100.0 * 567 / 1234567, 96.123456});
  // No premises: percentages undefined (null); 2.005 and 0.00004 test rounding.
  t.rows.push_back({std::string("area"), std::string("E04000002"), std::string("Øvre, Ünïcode"),
                    U{0}, U{0}, nan, U{0}, nan, U{0}, nan, 0.00004, U{0}, 2.005, nan, U{0}, U{0},
                    nan, nan});
  // 0.125 sits exactly between two hundredths.
  t.rows.push_back({std::string("area"), std::string("E04000003"), std::string("Chettle"), U{10},
                    U{3}, 30.0, U{10}, 100.0, U{0}, 0.0, 5.55555, U{8}, 0.125, 1.5625, U{9}, U{1},
                    10.0, 40.0});
  t.rows.push_back({std::string("study"), std::string(), std::string("Test study"), U{1234577},
                    U{1050002}, 100.0 * 1050002 / 1234577, U{1200010}, 100.0 * 1200010 / 1234577,
                    U{4321}, 100.0 * 4321 / 1234577, 17.9012689, U{1008}, 5.27159,
                    100.0 * 5.27159 / 1008, U{1234009}, U{568}, 100.0 * 568 / 1234577, 95.5});
  return t;
}

WorkbookInfo sample_info() {
  WorkbookInfo info;
  info.study_name = "Test study";
  info.crs = "EPSG:27700 (OSGB36 / British National Grid)";
  info.boundary_vintage = "December 2023";
  info.notspot_version = "9.9.9";
  info.thresholds = {{"Gigabit-capable: download (Mbit/s)", "1000"},
                     {"Full fibre technologies", "FTTP, FTTH"}};
  info.sources = {"Contains OS data © Crown copyright and database right 2026"};
  info.data_dates = {{"Study", "October 2026"},
                     {"Fixed broadband: speeds", "July 2025"},
                     {"Premises: premises.csv", "not stated"}};
  return info;
}

std::vector<std::vector<std::string>> read_csv(const fs::path& path) {
  const std::string text = read_bytes(path);
  std::vector<std::vector<std::string>> rows;
  io::CsvCursor cursor(text, 1);
  for (io::CsvRow row; cursor.next(row);) rows.emplace_back(row.fields.begin(), row.fields.end());
  return rows;
}

// The workbook written once for the read-back tests.
class XlsxReadBack : public ::testing::Test {
 protected:
  void SetUp() override {
    write_stats_csv(dir_.path() / "parish_stats.csv", table_);
    xlsx_ = dir_.path() / "parish_stats.xlsx";
    write_parish_workbook(xlsx_, table_, sample_info());
    csv_ = read_csv(dir_.path() / "parish_stats.csv");
    strings_ = shared_strings(unzip_member(xlsx_, "xl/sharedStrings.xml"));
    styles_ = style_number_formats(unzip_member(xlsx_, "xl/styles.xml"));
  }
  std::string sheet(int n) {
    return unzip_member(xlsx_, "xl/worksheets/sheet" + std::to_string(n) + ".xml");
  }
  std::string text_of(const XmlCell& c) {
    EXPECT_EQ(c.type, "s");
    const std::size_t i = std::stoul(c.value);
    return i < strings_.size() ? strings_[i] : "<no shared string " + c.value + ">";
  }

  TempDir dir_;
  StatsTable table_ = sample_table();
  fs::path xlsx_;
  std::vector<std::vector<std::string>> csv_;
  std::vector<std::string> strings_;
  std::vector<std::string> styles_;
};

TEST_F(XlsxReadBack, SheetsInOrder) {
  const std::string workbook = unzip_member(xlsx_, "xl/workbook.xml");
  const std::size_t summary = workbook.find(R"(<sheet name="Summary" sheetId="1")");
  const std::size_t parishes = workbook.find(R"(<sheet name="Parishes" sheetId="2")");
  const std::size_t definitions = workbook.find(R"(<sheet name="Definitions" sheetId="3")");
  EXPECT_NE(summary, std::string::npos) << workbook;
  EXPECT_NE(parishes, std::string::npos) << workbook;
  EXPECT_NE(definitions, std::string::npos) << workbook;
}

// Row 1 of Parishes holds the labels; row 2 the CSV's header; the CSV's row r is row r + 2.
TEST_F(XlsxReadBack, EveryParishCellEqualsTheCsv) {
  const std::map<std::string, XmlCell> cells = cells_of(sheet(2));
  ASSERT_EQ(csv_.size(), table_.rows.size() + 1);
  const std::map<ColumnKind, std::string> expected_format = {{ColumnKind::kCount, "#,##0"},
                                                             {ColumnKind::kPercent, "0.0%"},
                                                             {ColumnKind::kEstimate, "0.00"},
                                                             {ColumnKind::kArea, "0.0000"}};
  std::size_t checked = 0;
  for (std::size_t r = 0; r < csv_.size(); ++r) {
    ASSERT_EQ(csv_[r].size(), table_.columns.size()) << "CSV row " << r;
    for (std::size_t c = 0; c < csv_[r].size(); ++c) {
      const std::string ref = column_letters(c) + std::to_string(r + 2);
      const std::string& expected = csv_[r][c];
      const auto it = cells.find(ref);
      if (expected.empty()) {
        // Null in the CSV: no value in the sheet.
        EXPECT_TRUE(it == cells.end() || it->second.value.empty()) << ref << " should be empty";
        continue;
      }
      ASSERT_NE(it, cells.end()) << ref << " missing; CSV has " << expected;
      const XmlCell& cell = it->second;
      const ColumnKind kind = table_.columns[c].kind;
      if (r == 0 || kind == ColumnKind::kText) {
        EXPECT_EQ(text_of(cell), expected) << ref;
      } else {
        EXPECT_EQ(cell.type, "") << ref << " must be stored as a number";
        if (kind == ColumnKind::kPercent) {
          // A fraction: the CSV's digits with the decimal point moved two places left, read as
          // the nearest double (96.12 -> 0.9612, not 96.12 / 100).
          EXPECT_EQ(std::stod(cell.value), std::stod(percent_as_fraction(expected)))
              << ref << ": sheet " << cell.value << ", CSV " << expected;
        } else {
          EXPECT_EQ(std::stod(cell.value), std::stod(expected))
              << ref << ": sheet " << cell.value << ", CSV " << expected;
        }
        ASSERT_LT(static_cast<std::size_t>(cell.style), styles_.size()) << ref;
        EXPECT_EQ(styles_[cell.style], expected_format.at(kind)) << ref;
      }
      ++checked;
    }
  }
  EXPECT_GT(checked, 60u);
  // Spot checks against figures worked out by hand, not by the code under test.
  EXPECT_EQ(cells.at("C3").type, "s");
  EXPECT_EQ(text_of(cells.at("C3")), kAwkwardName);
  EXPECT_EQ(cells.at("F3").value, "0.8505");   // 1049999 / 1234567 = 85.0484...% -> 85.05%
  EXPECT_EQ(cells.at("J3").value, "0.0035");   // 4321 / 1234567 = 0.350...% -> 0.35%
  EXPECT_EQ(cells.at("F5").value, "0.3");      // 3 of 10 premises
  EXPECT_EQ(cells.at("H5").value, "1");        // 10 of 10 premises
  EXPECT_EQ(cells.at("Q3").value, "0.0005");   // 567 / 1234567 = 0.0459...% -> 0.05%
  EXPECT_EQ(cells.at("M4").value, "2");        // 2.005 is 2.00499... in binary
  EXPECT_EQ(cells.at("K4").value, "0");        // 0.00004 km² at four decimals
  EXPECT_EQ(cells.at("M5").value, "0.12");     // 0.125 rounds half to even
  EXPECT_EQ(cells.at("D6").value, "1234577");  // the study row comes last
  EXPECT_EQ(cells.count("F4"), 0u);            // no premises: null percentage
}

TEST_F(XlsxReadBack, ParishesHeaderIsLabelsAboveTheCsvNames) {
  const std::map<std::string, XmlCell> cells = cells_of(sheet(2));
  // Row 2: the CSV's header, name for name.
  for (std::size_t c = 0; c < csv_[0].size(); ++c) {
    const std::string ref = column_letters(c) + "2";
    ASSERT_TRUE(cells.count(ref)) << ref;
    EXPECT_EQ(text_of(cells.at(ref)), csv_[0][c]) << ref;
  }
  // Row 1: the human labels, as README's column table words them.
  EXPECT_EQ(text_of(cells.at("A1")), "Level (area or study)");
  EXPECT_EQ(text_of(cells.at("B1")), "Area code");
  EXPECT_EQ(text_of(cells.at("C1")), "Area name");
  EXPECT_EQ(text_of(cells.at("D1")), "Premises");
  EXPECT_EQ(text_of(cells.at("F1")), "Gigabit-capable (>= 1000 Mbit/s), % of premises");
  EXPECT_EQ(text_of(cells.at("K1")), "Land area, km\u00b2");
  EXPECT_EQ(text_of(cells.at("R1")), "Land with 4G outdoor from at least one operator, % of land");
  // The names are small grey text, the labels bold.
  const std::string styles = unzip_member(xlsx_, "xl/styles.xml");
  EXPECT_NE(styles.find(R"(<sz val="8"/><color rgb="FF4D4D4D"/>)"), std::string::npos) << styles;
}

// The XML element of `sheet_xml` named `tag` (its opening tag), or "" when it has none.
std::string element(const std::string& sheet_xml, const std::string& tag) {
  const std::size_t begin = sheet_xml.find("<" + tag + " ");
  if (begin == std::string::npos) return "";
  return sheet_xml.substr(begin, sheet_xml.find('>', begin) - begin + 1);
}

TEST_F(XlsxReadBack, EverySheetPrintsLandscapeOnePageWideWithRepeatedHeaderAndFooter) {
  const std::string workbook = unzip_member(xlsx_, "xl/workbook.xml");
  // The rows repeated on every printed page: the Summary's title, both header rows of
  // Parishes, the header of Definitions.
  const std::pair<const char*, const char*> titles[] = {
      {"0", "Summary!$1:$1"}, {"1", "Parishes!$1:$2"}, {"2", "Definitions!$1:$1"}};
  for (const auto& [sheet_index, rows] : titles) {
    const std::string name =
        std::string(R"(<definedName name="_xlnm.Print_Titles" localSheetId=")") + sheet_index +
        R"(">)" + rows + "</definedName>";
    EXPECT_NE(workbook.find(name), std::string::npos) << name << "\n" << workbook;
  }
  for (int n = 1; n <= 3; ++n) {
    const std::string xml = sheet(n);
    const std::string setup = element(xml, "pageSetup");
    EXPECT_NE(setup.find(R"(orientation="landscape")"), std::string::npos) << n << setup;
    EXPECT_NE(setup.find(R"(paperSize="9")"), std::string::npos) << n << setup;  // A4
    // fitToWidth is 1 by default (absent); 0 pages high means as many as needed.
    EXPECT_EQ(setup.find("fitToWidth="), std::string::npos) << n << setup;
    EXPECT_NE(setup.find(R"(fitToHeight="0")"), std::string::npos) << n << setup;
    EXPECT_NE(xml.find(R"(<pageSetUpPr fitToPage="1"/>)"), std::string::npos) << n;
    EXPECT_NE(xml.find("<oddFooter>&amp;LTest study&amp;C&amp;A&amp;RPage &amp;P of "
                       "&amp;N</oddFooter>"),
              std::string::npos)
        << n << xml.substr(xml.find("<headerFooter"));
  }
}

TEST_F(XlsxReadBack, SharedStringsAreEscapedAndReadBack) {
  const std::string xml = unzip_member(xlsx_, "xl/sharedStrings.xml");
  // Quotes need no escaping in element text; & < > do.
  EXPECT_NE(xml.find("<t>Ash &amp; &lt;Bourne&gt; \"St\"</t>"), std::string::npos) << xml;
  EXPECT_EQ(xml.find("<Bourne>"), std::string::npos);
  EXPECT_NE(std::find(strings_.begin(), strings_.end(), kAwkwardName), strings_.end());
  EXPECT_NE(std::find(strings_.begin(), strings_.end(), "Øvre, Ünïcode"), strings_.end());
}

TEST_F(XlsxReadBack, ParishesSheetHasRowsFrozenPaneAndFilter) {
  const std::string xml = sheet(2);
  std::size_t rows = 0;
  for (std::size_t at = 0; (at = xml.find("<row ", at)) != std::string::npos; ++at) ++rows;
  EXPECT_EQ(rows, table_.rows.size() + 2);
  // Frozen: both header rows and level, area_id, area_name.
  static const std::regex pane_re(R"re(<pane [^>]*/>)re");
  std::smatch pane;
  ASSERT_TRUE(std::regex_search(xml, pane, pane_re)) << xml;
  EXPECT_NE(pane.str().find(R"(xSplit="3")"), std::string::npos) << pane.str();
  EXPECT_NE(pane.str().find(R"(ySplit="2")"), std::string::npos) << pane.str();
  EXPECT_NE(pane.str().find(R"(state="frozen")"), std::string::npos) << pane.str();
  // The filter spans the CSV names' row (row 2) and the three areas, not the study row (6).
  const std::string last = column_letters(table_.columns.size() - 1);
  EXPECT_NE(xml.find(R"(<autoFilter ref="A2:)" + last + R"(5"/>)"), std::string::npos) << xml;
  EXPECT_NE(xml.find("<cols>"), std::string::npos) << "column widths are set";
}

TEST_F(XlsxReadBack, SummaryHasProvenanceAndHeadlinesFromTheStudyRow) {
  const std::map<std::string, XmlCell> cells = cells_of(sheet(1));
  std::map<std::string, std::string> row_of_label;  // label in column A -> row number
  for (const auto& [ref, cell] : cells) {
    if (ref[0] == 'A' && ref[1] >= '0' && ref[1] <= '9' && cell.type == "s") {
      row_of_label[text_of(cell)] = ref.substr(1);
    }
  }
  ASSERT_TRUE(row_of_label.count("Boundary vintage"));
  EXPECT_EQ(text_of(cells.at("B" + row_of_label["Boundary vintage"])), "December 2023");
  EXPECT_EQ(text_of(cells.at("B" + row_of_label["notspot version"])), "9.9.9");
  EXPECT_TRUE(row_of_label.count("Contains OS data © Crown copyright and database right 2026"));
  ASSERT_TRUE(row_of_label.count("Gigabit-capable: download (Mbit/s)"));
  // A threshold is a number (the unit is in its label), not the text "1000".
  const XmlCell& threshold = cells.at("B" + row_of_label["Gigabit-capable: download (Mbit/s)"]);
  EXPECT_EQ(threshold.type, "");
  EXPECT_EQ(threshold.value, "1000");
  EXPECT_EQ(text_of(cells.at("B" + row_of_label["Full fibre technologies"])), "FTTP, FTTH");

  const std::vector<std::string>& study = csv_.back();  // the study row of the CSV
  // Labels as the column catalogue writes them (they were "Gigabit-capable broadband", "Below
  // the USO (speed known)", "4G outdoor: premises in a not-spot (no operator)" and "4G outdoor:
  // land covered by at least one operator" before the catalogue).
  ASSERT_TRUE(row_of_label.count("Gigabit-capable (>= 1000 Mbit/s)"));
  const std::string g = row_of_label["Gigabit-capable (>= 1000 Mbit/s)"];
  EXPECT_EQ(std::stod(cells.at("B" + g).value), std::stod(study[4]));
  EXPECT_NEAR(std::stod(cells.at("C" + g).value) * 100, std::stod(study[5]), 1e-9);
  EXPECT_EQ(cells.at("C" + g).value, "0.8505");  // 1050002 / 1234577 = 85.049...%
  EXPECT_EQ(styles_[cells.at("C" + g).style], "0.0%");
  EXPECT_EQ(cells.at("D" + g).value, "0.85");  // Project Gigabit's 85%, as a fraction
  EXPECT_EQ(styles_[cells.at("D" + g).style], "0.0%");
  EXPECT_EQ(text_of(cells.at("F" + g)), "yes");  // 85.05% >= 85%
  EXPECT_NE(text_of(cells.at("E" + g)).find("85%"), std::string::npos);

  const std::string u = row_of_label["Below the USO (< 10/1 Mbit/s)"];
  ASSERT_FALSE(u.empty());
  EXPECT_EQ(std::stod(cells.at("B" + u).value), 4321);
  EXPECT_EQ(cells.at("D" + u).value, "1");  // the USO: below 1 premise, a count
  EXPECT_EQ(styles_[cells.at("D" + u).style], "#,##0");
  EXPECT_EQ(text_of(cells.at("F" + u)), "no");

  const std::string n = row_of_label["4G outdoor: no operator (not-spot)"];
  ASSERT_FALSE(n.empty());
  EXPECT_EQ(std::stod(cells.at("B" + n).value), std::stod(study[15]));
  EXPECT_NEAR(std::stod(cells.at("C" + n).value) * 100, std::stod(study[16]), 1e-9);

  const std::string l = row_of_label["Land with 4G outdoor from at least one operator"];
  ASSERT_FALSE(l.empty());
  EXPECT_EQ(cells.at("C" + l).value, "0.955");  // 95.5% of land
  EXPECT_EQ(cells.at("D" + l).value, "0.95");
  EXPECT_EQ(text_of(cells.at("F" + l)), "yes");  // Shared Rural Network: 95% of land
}

TEST_F(XlsxReadBack, SummaryListsTheDataDatesUnderTheirHeading) {
  const std::map<std::string, XmlCell> cells = cells_of(sheet(1));
  std::map<std::string, int> row_of_label;  // label in column A -> row number
  for (const auto& [ref, cell] : cells) {
    if (ref[0] == 'A' && ref[1] >= '0' && ref[1] <= '9' && cell.type == "s") {
      row_of_label[text_of(cell)] = std::stoi(ref.substr(1));
    }
  }
  ASSERT_TRUE(row_of_label.count("Data dates"));
  const int heading = row_of_label["Data dates"];
  // The rows follow the heading in the order given, each date in column B.
  const std::pair<const char*, const char*> expected[] = {
      {"Study", "October 2026"},
      {"Fixed broadband: speeds", "July 2025"},
      {"Premises: premises.csv", "not stated"}};
  for (int i = 0; i < 3; ++i) {
    const std::string row = std::to_string(heading + 1 + i);
    ASSERT_TRUE(cells.count("A" + row) && cells.count("B" + row)) << row;
    EXPECT_EQ(text_of(cells.at("A" + row)), expected[i].first);
    EXPECT_EQ(text_of(cells.at("B" + row)), expected[i].second);
  }
  // Near the top: before the headline figures.
  EXPECT_LT(heading, row_of_label["Headline figures for the whole study"]);
}

TEST_F(XlsxReadBack, DefinitionsListEveryColumn) {
  const std::map<std::string, XmlCell> cells = cells_of(sheet(3));
  EXPECT_EQ(text_of(cells.at("A1")), "Column");
  EXPECT_EQ(text_of(cells.at("B1")), "Label");
  EXPECT_EQ(text_of(cells.at("E1")), "An empty cell means");
  for (std::size_t c = 0; c < table_.columns.size(); ++c) {
    const std::string row = std::to_string(c + 2);
    ASSERT_TRUE(cells.count("A" + row)) << table_.columns[c].name;
    EXPECT_EQ(text_of(cells.at("A" + row)), table_.columns[c].name);
    ASSERT_TRUE(cells.count("B" + row)) << "label of " << table_.columns[c].name;
    EXPECT_EQ(text_of(cells.at("B" + row)), table_.columns[c].label);
    EXPECT_TRUE(cells.count("C" + row)) << "unit of " << table_.columns[c].name;
    ASSERT_TRUE(cells.count("D" + row)) << "definition of " << table_.columns[c].name;
    EXPECT_FALSE(text_of(cells.at("D" + row)).empty());
    ASSERT_TRUE(cells.count("E" + row)) << "null meaning of " << table_.columns[c].name;
  }
  EXPECT_EQ(cells.count("A" + std::to_string(table_.columns.size() + 2)), 0u);
  // The catalogue's definition of gigabit (column 4: row 6), with the threshold, and of its
  // percentage (row 7). (The caller gave the definitions before the catalogue.)
  EXPECT_NE(text_of(cells.at("D6")).find("at least 1000 Mbit/s"), std::string::npos);
  EXPECT_NE(text_of(cells.at("D6")).find("current_gigabit"), std::string::npos);
  EXPECT_NE(text_of(cells.at("D7")).find("percentage"), std::string::npos);
  EXPECT_EQ(text_of(cells.at("C7")),
            "% of premises; a fraction shown as a percentage (parish_stats.csv: 0-100, 2 "
            "decimals)");
  EXPECT_EQ(text_of(cells.at("C6")), "premises, whole number");
  EXPECT_EQ(text_of(cells.at("E7")), "The area has no premises, so there is no percentage.");
  EXPECT_EQ(text_of(cells.at("B18")), "4G outdoor: no operator (not-spot), % of premises");
}

// Column A label -> row number of the Summary sheet, and the text of a shared-string cell.
struct SummaryRows {
  std::map<std::string, XmlCell> cells;
  std::vector<std::string> strings;
  std::map<std::string, std::string> row_of_label;

  explicit SummaryRows(const fs::path& xlsx)
      : cells(cells_of(unzip_member(xlsx, "xl/worksheets/sheet1.xml"))),
        strings(shared_strings(unzip_member(xlsx, "xl/sharedStrings.xml"))) {
    for (const auto& [ref, cell] : cells) {
      if (ref[0] == 'A' && ref[1] >= '0' && ref[1] <= '9' && cell.type == "s") {
        row_of_label[text(ref)] = ref.substr(1);
      }
    }
  }
  std::string text(const std::string& ref) const {
    const auto it = cells.find(ref);
    if (it == cells.end() || it->second.type != "s") return "<no text in " + ref + ">";
    return strings.at(std::stoul(it->second.value));
  }
};

TEST(XlsxWriter, SummaryCarriesTheFailedQualityStatusAndEachFailedCheck) {
  TempDir dir;
  WorkbookInfo info = sample_info();
  // As quality_status() words a failed run (its own test checks the wording).
  info.quality = QualityStatus{
      false,
      "Data quality: FAILED: 1 of 6 checks failed (max_outside_share); do not use these figures "
      "until the data is fixed",
      {{"max_outside_share", "max_outside_share: 2.1% of the premises read were outside every "
                             "area (limit 1%): figures may be missing premises."}}};
  const fs::path xlsx = dir.path() / "parish_stats.xlsx";
  write_parish_workbook(xlsx, sample_table(), info);
  const SummaryRows s(xlsx);
  ASSERT_TRUE(s.row_of_label.count("Data quality"));
  const int row = std::stoi(s.row_of_label.at("Data quality"));
  EXPECT_EQ(s.text("B" + std::to_string(row)), info.quality->line);
  // Near the top: before the provenance.
  EXPECT_LT(row, std::stoi(s.row_of_label.at("Boundary vintage")));
  const std::string next = std::to_string(row + 1);
  EXPECT_EQ(s.text("A" + next), "Failed check: max_outside_share");
  EXPECT_EQ(s.text("B" + next), info.quality->failures[0].sentence);
}

TEST(XlsxWriter, SummaryCarriesAPassedQualityStatusAndNoFailedChecks) {
  TempDir dir;
  WorkbookInfo info = sample_info();
  info.quality = QualityStatus{true, "Data quality: passed, 6 checks", {}};
  const fs::path xlsx = dir.path() / "parish_stats.xlsx";
  write_parish_workbook(xlsx, sample_table(), info);
  const SummaryRows s(xlsx);
  ASSERT_TRUE(s.row_of_label.count("Data quality"));
  EXPECT_EQ(s.text("B" + s.row_of_label.at("Data quality")), "Data quality: passed, 6 checks");
  for (const auto& [label, row] : s.row_of_label) {
    EXPECT_EQ(label.find("Failed check"), std::string::npos) << label;
  }
  // Without a status (no run), no row.
  write_parish_workbook(dir.path() / "plain.xlsx", sample_table(), sample_info());
  EXPECT_FALSE(SummaryRows(dir.path() / "plain.xlsx").row_of_label.count("Data quality"));
}

// The height (points) notspot sets on row `row` of `sheet_xml`; 0 when it sets none.
double row_height(const std::string& sheet_xml, int row) {
  const std::regex row_re("<row r=\"" + std::to_string(row) + "\"[^>]*?ht=\"([0-9.]+)\"");
  std::smatch m;
  return std::regex_search(sheet_xml, m, row_re) ? std::stod(m[1]) : 0;
}

// LibreOffice does not size wrapped rows of an .xlsx: without heights, wrapped lines print over
// each other (Definitions) or are cut (the Parishes labels).
TEST_F(XlsxReadBack, WrappedRowsAreTallEnoughForTheirLines) {
  const std::string parishes = sheet(2);
  // "Land with 4G outdoor from at least one operator, % of land" (59 characters) wraps in a
  // column of about ten characters: five lines or more of 9-point text.
  EXPECT_GE(row_height(parishes, 1), 5 * 11.0) << parishes.substr(0, 2000);
  EXPECT_GE(row_height(parishes, 2), 2 * 10.0);  // mob_4g_outdoor_none_pct wraps
  const std::string definitions = sheet(3);
  // gigabit's definition is 109 characters in a 70-character column: two lines of 15 points.
  EXPECT_GE(row_height(definitions, 6), 2 * 15.0) << definitions.substr(0, 2000);
  // A row whose cells fit on one line stays one line high.
  EXPECT_LT(row_height(definitions, 4), 2 * 15.0);  // area_name
}

TEST(XlsxWriter, FooterDoublesAmpersandsAndCutsALongStudyName) {
  TempDir dir;
  WorkbookInfo info = sample_info();
  info.study_name = "Ash & Bourne &P &G &[Picture]";
  write_parish_workbook(dir.path() / "a.xlsx", sample_table(), info);
  const std::string xml = unzip_member(dir.path() / "a.xlsx", "xl/worksheets/sheet2.xml");
  // "&&" prints one "&"; "&P" alone would print the page number. Before "G" and "[" a
  // zero-width space keeps libxlsxwriter from taking them for image placeholders.
  EXPECT_NE(xml.find("<oddFooter>&amp;LAsh &amp;&amp; Bourne &amp;&amp;P &amp;&amp;\u200bG "
                     "&amp;&amp;\u200b[Picture]&amp;C"),
            std::string::npos)
      << xml.substr(xml.find("<headerFooter"));

  // Excel's limit is 255 characters: a 400-character name is cut, ending with "…".
  info.study_name = std::string(400, 'x');
  write_parish_workbook(dir.path() / "b.xlsx", sample_table(), info);
  const std::string long_xml = unzip_member(dir.path() / "b.xlsx", "xl/worksheets/sheet1.xml");
  const std::size_t begin = long_xml.find("<oddFooter>");
  const std::size_t end = long_xml.find("</oddFooter>");
  ASSERT_NE(begin, std::string::npos);
  const std::string footer = xml_unescape(long_xml.substr(begin + 11, end - begin - 11));
  EXPECT_LE(footer.size(), 255u) << footer;
  EXPECT_NE(footer.find("xxx\u2026&C&A&RPage &P of &N"), std::string::npos) << footer;
}

TEST(XlsxWriter, SameTableGivesSameBytes) {
  TempDir dir;
  const StatsTable table = sample_table();
  write_parish_workbook(dir.path() / "a.xlsx", table, sample_info());
  // Past a second (core.xml) and the 2-second resolution of zip entry times.
  std::this_thread::sleep_for(std::chrono::milliseconds(2100));
  write_parish_workbook(dir.path() / "b.xlsx", table, sample_info());
  const std::string a = read_bytes(dir.path() / "a.xlsx");
  EXPECT_GT(a.size(), 1000u);
  EXPECT_TRUE(a == read_bytes(dir.path() / "b.xlsx")) << "the two workbooks differ";
  const std::string core = unzip_member(dir.path() / "a.xlsx", "docProps/core.xml");
  EXPECT_NE(core.find("2000-01-01T00:00:00Z"), std::string::npos) << core;
}

TEST(XlsxWriter, UnwritablePathIsAnOutputErrorNamingIt) {
  TempDir dir;
  const fs::path path = dir.path() / "no_such_folder" / "parish_stats.xlsx";
  try {
    write_parish_workbook(path, sample_table(), sample_info());
    FAIL() << "expected an error";
  } catch (const engine::Error& e) {
    EXPECT_EQ(e.kind(), engine::ErrorKind::kOutput);
    EXPECT_NE(std::string(e.what()).find(path.string()), std::string::npos) << e.what();
    EXPECT_FALSE(fs::exists(path));
  }
}

}  // namespace
}  // namespace notspot::outputs
