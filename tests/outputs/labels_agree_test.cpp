// One table written as a GeoPackage, a workbook and a report: the labels each output gives a
// column, read back independently (GDAL SQL on gpkg_data_columns, the workbook's XML unzipped,
// the report's table headings), are the same, and follow the study's thresholds.

#include <gdal_priv.h>
#include <gtest/gtest.h>
#include <ogrsf_frmts.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <string>

#include "notspot/engine/area_index.hpp"
#include "notspot/outputs/geopackage_writer.hpp"
#include "notspot/outputs/html_report.hpp"
#include "notspot/outputs/xlsx_writer.hpp"
#include "support/xlsx_read.hpp"

namespace notspot::outputs {
namespace {

namespace fs = std::filesystem;

engine::MultiPolygon square(double x0, double y0, double size) {
  engine::Polygon p;
  p.exterior = {{x0, y0}, {x0 + size, y0}, {x0 + size, y0 + size}, {x0, y0 + size}};
  return {p};
}

// Every kind of column, with [thresholds] superfast_mbps = 24; two areas and the study row,
// figures that need no meaning here.
StatsTable every_kind_of_column() {
  CatalogueOptions o;
  o.thresholds.superfast_mbps = 24;
  o.land_area = true;
  o.estimates = true;
  o.estimate_measures.fill(true);
  o.mobile_groups = {{"4G", "indoor", {"EE", "Virgin Media O2"}, true},
                     {"4G", "outdoor", {"EE"}, true}};
  o.exclusion_technology = "4G";
  o.exclusion_setting = "indoor";
  StatsTable t;
  t.columns = ColumnCatalogue(o);
  for (const char* level : {"area", "area", "study"}) {
    std::vector<Cell> row;
    for (const ColumnSpec& c : t.columns) {
      if (c.kind == ColumnKind::kText) {
        row.emplace_back(c.name == "level" ? std::string(level) : c.name + " " + level);
      } else if (c.kind == ColumnKind::kCount) {
        row.emplace_back(std::uint64_t{10});
      } else {
        row.emplace_back(50.0);
      }
    }
    t.rows.push_back(std::move(row));
  }
  return t;
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class LabelsAgree : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("notspot_labels_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    areas_ = {{"A1", "Alpha", square(0, 0, 1000), {1}}, {"A2", "Beta", square(1000, 0, 1000), {2}}};
    GDALAllRegister();
  }
  void TearDown() override { fs::remove_all(dir_); }

  // gpkg_data_columns of parish_stats: column -> {name, description}.
  std::map<std::string, std::pair<std::string, std::string>> geopackage_labels() {
    const fs::path path = dir_ / "parish_stats.gpkg";
    engine::PremisesTable premises;
    write_parish_geopackage(path, areas_, table_, io::Crs::from_definition("EPSG:27700", "test"),
                            premises, {});
    GDALDatasetUniquePtr ds(GDALDataset::Open(path.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY));
    EXPECT_TRUE(ds);
    std::map<std::string, std::pair<std::string, std::string>> out;
    if (!ds) return out;
    OGRLayer* rows = ds->ExecuteSQL(
        "SELECT column_name, name, description FROM gpkg_data_columns WHERE table_name = "
        "'parish_stats'",
        nullptr, nullptr);
    for (auto& f : *rows) {
      out[f->GetFieldAsString(0)] = {f->GetFieldAsString(1), f->GetFieldAsString(2)};
    }
    ds->ReleaseResultSet(rows);
    return out;
  }

  // The Definitions sheet: column -> {label, definition}.
  std::map<std::string, std::pair<std::string, std::string>> workbook_labels() {
    const fs::path path = dir_ / "parish_stats.xlsx";
    write_parish_workbook(path, table_, WorkbookInfo{});
    const std::vector<std::string> strings =
        test::shared_strings(test::unzip_member(path, "xl/sharedStrings.xml"));
    const auto cells = test::cells_of(test::unzip_member(path, "xl/worksheets/sheet3.xml"));
    const auto text = [&](const std::string& ref) {
      const auto it = cells.find(ref);
      return it == cells.end() ? std::string() : strings.at(std::stoul(it->second.value));
    };
    std::map<std::string, std::pair<std::string, std::string>> out;
    for (std::size_t row = 2; cells.count("A" + std::to_string(row)); ++row) {
      const std::string r = std::to_string(row);
      out[text("A" + r)] = {text("B" + r), text("D" + r)};
    }
    return out;
  }

  // The headings of the report's table of parishes: column -> label.
  std::map<std::string, std::string> report_headings() {
    ReportInput input;
    input.table = &table_;
    input.areas = areas_;
    input.study_name = "Test";
    write_html_report(dir_ / "report.html", input);
    const std::string html = read_text(dir_ / "report.html");
    const std::size_t begin = html.find("<table id=\"parish-table\">");
    const std::string head = html.substr(begin, html.find("</thead>", begin) - begin);
    static const std::regex th_re(
        R"re(<th [^>]*data-column="([a-z0-9_]+)"><button type="button">(.*?)</button>)re");
    std::map<std::string, std::string> out;
    for (auto it = std::sregex_iterator(head.begin(), head.end(), th_re);
         it != std::sregex_iterator(); ++it) {
      out[(*it)[1]] = test::xml_unescape((*it)[2]);
    }
    return out;
  }

  fs::path dir_;
  std::vector<io::Area> areas_;
  StatsTable table_ = every_kind_of_column();
};

TEST_F(LabelsAgree, GeoPackageWorkbookAndReportNameEveryColumnAlike) {
  const auto gpkg = geopackage_labels();
  const auto xlsx = workbook_labels();
  const auto html = report_headings();
  ASSERT_EQ(xlsx.size(), table_.columns.size());
  ASSERT_EQ(gpkg.size(), table_.columns.size() - 1);  // no `level` in the GeoPackage
  for (const auto& [column, label] : gpkg) {
    SCOPED_TRACE(column);
    ASSERT_TRUE(xlsx.count(column));
    EXPECT_EQ(label.first, xlsx.at(column).first);    // the field alias and the label
    EXPECT_EQ(label.second, xlsx.at(column).second);  // the description and the definition
  }
  // The report's table shows some columns; each heading is the same label.
  ASSERT_GE(html.size(), 9u);
  for (const auto& [column, label] : html) {
    SCOPED_TRACE(column);
    ASSERT_TRUE(xlsx.count(column));
    EXPECT_EQ(label, xlsx.at(column).first);
  }
  // The labels say the study's superfast threshold, 24, not Ofcom's 30 ...
  const std::string superfast = "Superfast (>= 24 Mbit/s), % of premises";
  EXPECT_EQ(gpkg.at("superfast_pct").first, superfast);
  EXPECT_EQ(xlsx.at("superfast_pct").first, superfast);
  EXPECT_EQ(html.at("superfast_pct"), superfast);
  // ... while the estimates keep Ofcom's own definition.
  EXPECT_NE(xlsx.at("est_superfast").first.find(">= 30 Mbit/s"), std::string::npos);
}

}  // namespace
}  // namespace notspot::outputs
