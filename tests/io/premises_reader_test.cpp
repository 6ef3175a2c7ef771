// Reading premises from an OGR point layer and a generic CSV.

#include "notspot/io/premises_reader.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>
#include <vector>

#include "notspot/engine/error.hpp"
#include "notspot/io/crs.hpp"
#include "support/temp_dir.hpp"

namespace notspot::io {
namespace {

namespace fs = std::filesystem;

using TempDir = test::TempDirTest;

using PremisesReaderTest = TempDir;

TEST_F(PremisesReaderTest, ReadsAnOgrPointLayerAndReprojectsIt) {
  // GeoJSON points in lon/lat; the second is a line (rejected), the third has no id.
  write(
      dir_ / "points.geojson",
      R"({"type":"FeatureCollection","features":[)"
      R"({"type":"Feature","properties":{"UPRN":7},"geometry":{"type":"Point","coordinates":[-2.4,50.7]}},)"
      R"({"type":"Feature","properties":{"UPRN":8},"geometry":{"type":"LineString","coordinates":[[0,0],[1,1]]}},)"
      R"({"type":"Feature","properties":{"UPRN":null},"geometry":{"type":"Point","coordinates":[-2.4,50.7]}}]})");
  PremisesSource source;
  source.path = dir_ / "points.geojson";
  source.format = PremisesFormat::kOgr;
  ProblemLog log;
  Progress progress;
  const PremisesLoad load = read_premises(source, Crs::from_definition("EPSG:27700", "t"),
                                          "points.geojson", log, progress);
  EXPECT_EQ(load.rows_read, 3u);
  ASSERT_EQ(load.table.size(), 1u);
  EXPECT_EQ(load.rejected, 2u);
  EXPECT_EQ(load.table.id[0], 7u);
  EXPECT_NEAR(load.table.x[0], 371847.0757, 1e-3);  // cs2cs, as above
  EXPECT_NEAR(load.table.y[0], 89005.0447, 1e-3);
  ASSERT_EQ(log.rejected().size(), 2u);
  EXPECT_TRUE(log.rejected()[0].feature.has_value());
  EXPECT_NE(log.rejected()[0].reason.find("not a point"), std::string::npos);
  EXPECT_NE(log.rejected()[1].reason.find("UPRN is empty"), std::string::npos);
}

TEST_F(PremisesReaderTest, GenericCsvWithConfiguredColumnsAndCrs) {
  write(dir_ / "p.csv", "id,lon,lat\n1,-2.4,50.7\n2,-2.4,95\n");
  PremisesSource source;
  source.path = dir_ / "p.csv";
  source.id_field = "id";
  source.x_field = "lon";
  source.y_field = "lat";
  source.crs = "EPSG:4326";
  ProblemLog log;
  Progress progress;
  const PremisesLoad load =
      read_premises(source, Crs::from_definition("EPSG:27700", "t"), "p.csv", log, progress);
  EXPECT_EQ(load.rows_read, 2u);
  ASSERT_EQ(load.table.size(), 1u);
  EXPECT_NEAR(load.table.x[0], 371847.0757, 1e-3);
  ASSERT_EQ(log.rejected().size(), 1u);
  EXPECT_EQ(log.rejected()[0].line, 3u);
  EXPECT_NE(log.rejected()[0].reason.find("latitude 95 (lat) is beyond ±90 degrees"),
            std::string::npos);
}

// Row i of the file holds x = 1000 + i, y = 2 * i: a sampled row's own coordinates say which
// row it is, so the spread can be checked against the seek arithmetic.
std::string numbered_rows(std::size_t n) {
  std::string text = "UPRN,X_COORDINATE,Y_COORDINATE\n";
  for (std::size_t i = 0; i < n; ++i) {
    text += std::to_string(i + 1) + "," + std::to_string(1000 + i) + "," + std::to_string(2 * i) +
            "\n";
  }
  return text;
}

TEST_F(PremisesReaderTest, SampleOfASmallFileIsEveryNthRow) {
  write(dir_ / "p.csv", numbered_rows(100) + "101,oops,5\n");
  PremisesSource source;
  source.path = dir_ / "p.csv";
  const PremisesSample sample = sample_premises(source, "p.csv", 10);
  EXPECT_TRUE(sample.whole_file);
  EXPECT_EQ(sample.unparsed, 1u);  // "oops"
  EXPECT_EQ(sample.crs.authority_code(), "EPSG:27700");
  EXPECT_EQ(sample.x_column, "X_COORDINATE");
  ASSERT_EQ(sample.x.size(), 10u);
  for (std::size_t k = 0; k < 10; ++k) {  // row k * 100 / 10 of the 100 good rows
    EXPECT_EQ(sample.x[k], 1000.0 + 10.0 * static_cast<double>(k));
    EXPECT_EQ(sample.y[k], 20.0 * static_cast<double>(k));
  }
}

TEST_F(PremisesReaderTest, SampleOfABigFileSeeksAndSpreadsOverIt) {
  // 20,000 rows, sampled as a big file (threshold 0 bytes): 50 seeks, each to the first row
  // that starts at or after byte k/50 of the rows' text; the expected rows are found here from
  // the rows' own byte offsets.
  const std::string text = numbered_rows(20000);
  write(dir_ / "p.csv", text);
  const std::size_t rows_begin = text.find('\n') + 1;
  const std::size_t rows_size = text.size() - rows_begin;
  std::vector<std::size_t> row_start;  // offsets within the rows' text
  for (std::size_t at = rows_begin; at < text.size(); at = text.find('\n', at) + 1) {
    row_start.push_back(at - rows_begin);
  }
  ASSERT_EQ(row_start.size(), 20000u);
  PremisesSource source;
  source.path = dir_ / "p.csv";
  const PremisesSample sample = sample_premises(source, "p.csv", 50, 0);
  EXPECT_FALSE(sample.whole_file);
  EXPECT_EQ(sample.unparsed, 0u);
  ASSERT_EQ(sample.x.size(), 50u);
  for (std::size_t k = 0; k < 50; ++k) {
    const std::size_t offset = k * rows_size / 50;
    const auto row = static_cast<std::size_t>(
        std::lower_bound(row_start.begin(), row_start.end(), offset) - row_start.begin());
    EXPECT_EQ(sample.x[k], 1000.0 + static_cast<double>(row)) << k;
    EXPECT_EQ(sample.y[k], 2.0 * static_cast<double>(row)) << k;
  }
  EXPECT_GT(sample.x.back(), 1000.0 + 19000);  // the sample reaches the end of the file
}

TEST_F(PremisesReaderTest, SampleOfAnOgrLayerIsSpreadByFeature) {
  // Ten points, x = 0..9; a sample of 5 is features 0, 2, 4, 6, 8 (k * 10 / 5), whether GDAL
  // seeks by index or the layer is read whole. The line is no point: left out, counted.
  std::string json = R"({"type":"FeatureCollection","features":[)";
  for (int i = 0; i < 10; ++i) {
    json += R"({"type":"Feature","properties":{"UPRN":)" + std::to_string(i + 1) +
            R"(},"geometry":{"type":"Point","coordinates":[)" + std::to_string(i) + ",50]}},";
  }
  json += R"({"type":"Feature","properties":{"UPRN":99},"geometry":{"type":"LineString","coordinates":[[0,0],[1,1]]}}]})";
  write(dir_ / "points.geojson", json);
  PremisesSource source;
  source.path = dir_ / "points.geojson";
  source.format = PremisesFormat::kOgr;
  const PremisesSample all = sample_premises(source, "points.geojson", 100);
  EXPECT_TRUE(all.whole_file);
  EXPECT_EQ(all.unparsed, 1u);
  EXPECT_EQ(all.x.size(), 10u);
  EXPECT_TRUE(all.x_column.empty());
  EXPECT_TRUE(all.crs.is_geographic());
  const PremisesSample five = sample_premises(source, "points.geojson", 5);
  ASSERT_EQ(five.x.size(), 5u);
  for (std::size_t k = 0; k < 5; ++k) {
    EXPECT_EQ(five.x[k], 2.0 * static_cast<double>(k));
    EXPECT_EQ(five.y[k], 50.0);
  }
}

}  // namespace
}  // namespace notspot::io