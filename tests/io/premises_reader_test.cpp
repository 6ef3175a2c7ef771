// Reading premises from an OGR point layer and a generic CSV, and the UPRN key index the
// fixed-broadband layers are joined through.

#include "notspot/io/premises_reader.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "notspot/engine/error.hpp"
#include "notspot/io/broadband_reader.hpp"
#include "notspot/io/crs.hpp"

namespace notspot::io {
namespace {

namespace fs = std::filesystem;

class TempDir : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device rd;
    dir_ = fs::temp_directory_path() / ("notspot_io_" + std::to_string(rd()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  static void write(const fs::path& p, const std::string& text) { std::ofstream(p) << text; }
  static std::string read(const fs::path& p) {
    std::ifstream in(p);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
  fs::path dir_;
};

// The premises (table rows) an index finds for an id.
std::vector<std::uint32_t> premises_with(const PremisesKeyIndex& index, std::uint64_t id,
                                         std::size_t hint = 0) {
  std::vector<std::uint32_t> out;
  const PremisesKeyIndex::Match m = index.find(id, hint);
  for (std::size_t k = m.first; k < m.last; ++k) out.push_back(index.premise(k));
  return out;
}

TEST(PremisesKeyIndex, FindsEveryPremiseWithAnId) {
  const std::vector<std::uint64_t> ids = {30, 10, 20, 10, 999999999999, 10};
  const PremisesKeyIndex index(ids);
  EXPECT_FALSE(index.in_place());
  EXPECT_EQ(premises_with(index, 10), (std::vector<std::uint32_t>{1, 3, 5}));
  EXPECT_EQ(premises_with(index, 999999999999), (std::vector<std::uint32_t>{4}));
  EXPECT_TRUE(index.find(11).empty());
  EXPECT_EQ(index.duplicate_ids(), 1u);
  EXPECT_EQ(index.duplicate_premises(), 2u);
  EXPECT_EQ(index.duplicate_examples(5), (std::vector<std::uint64_t>{10}));
}

TEST(PremisesKeyIndex, SortedIdsAreUsedInPlaceAndAnyHintWorks) {
  std::vector<std::uint64_t> ids;
  for (std::uint64_t i = 0; i < 1000; ++i) ids.push_back(100 + 2 * i);  // even numbers
  ids.insert(ids.begin() + 500, ids[500]);                              // one duplicate
  const PremisesKeyIndex index(ids);
  EXPECT_TRUE(index.in_place());
  EXPECT_EQ(index.duplicate_ids(), 1u);
  // Whatever the hint (before, at, after the answer), the answer is the same.
  for (std::size_t hint : {std::size_t{0}, std::size_t{3}, std::size_t{499}, std::size_t{500},
                           std::size_t{900}, std::size_t{5000}}) {
    EXPECT_EQ(premises_with(index, ids[500], hint), (std::vector<std::uint32_t>{500, 501}))
        << "hint " << hint;
    EXPECT_EQ(premises_with(index, 100, hint), (std::vector<std::uint32_t>{0})) << hint;
    EXPECT_EQ(premises_with(index, 2098, hint), (std::vector<std::uint32_t>{1000})) << hint;
    EXPECT_TRUE(index.find(101, hint).empty()) << hint;   // odd: absent
    EXPECT_TRUE(index.find(99, hint).empty()) << hint;    // before all
    EXPECT_TRUE(index.find(5000, hint).empty()) << hint;  // after all
  }
}

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
  EXPECT_NE(log.rejected()[0].reason.find("outside the area of use of EPSG:4326"),
            std::string::npos);
}

}  // namespace
}  // namespace notspot::io