// Reading premises from an OGR point layer and a generic CSV.

#include "notspot/io/premises_reader.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>

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

}  // namespace
}  // namespace notspot::io