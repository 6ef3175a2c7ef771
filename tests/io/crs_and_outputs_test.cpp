// CRS handling (checked against PROJ's own cs2cs command), the outputs folder, the UPRN key
// index, and reading premises from an OGR point layer.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/file.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "notspot/engine/error.hpp"
#include "notspot/io/broadband_reader.hpp"
#include "notspot/io/crs.hpp"
#include "notspot/io/output_directory.hpp"
#include "notspot/io/premises_reader.hpp"

namespace notspot::io {
namespace {

namespace fs = std::filesystem;

TEST(Crs, KnowsBritishNationalGrid) {
  const Crs bng = Crs::from_definition("EPSG:27700", "test");
  EXPECT_EQ(bng.authority_code(), "EPSG:27700");
  EXPECT_FALSE(bng.is_geographic());
  EXPECT_NE(bng.describe().find("British National Grid"), std::string::npos);
  ASSERT_TRUE(bng.bounds());
  // Great Britain lies within the area of use; a point far away does not.
  EXPECT_TRUE(bng.bounds()->contains({400000, 100000}));
  EXPECT_TRUE(bng.bounds()->contains({460000, 1200000}));  // Shetland
  EXPECT_FALSE(bng.bounds()->contains({9000000, 9000000}));
}

TEST(Crs, GeographicBoundsAreInDegreesInGisOrder) {
  const Crs wgs84 = Crs::from_definition("EPSG:4326", "test");
  EXPECT_TRUE(wgs84.is_geographic());
  ASSERT_TRUE(wgs84.bounds());
  EXPECT_DOUBLE_EQ(wgs84.bounds()->xmin, -180);
  EXPECT_DOUBLE_EQ(wgs84.bounds()->ymax, 90);
}

TEST(Crs, UnknownDefinitionIsAStudyErrorNamingTheContext) {
  try {
    Crs::from_definition("EPSG:99999", "study.toml:3: [study] crs");
    FAIL();
  } catch (const engine::Error& e) {
    EXPECT_EQ(e.kind(), engine::ErrorKind::kStudy);
    EXPECT_NE(std::string(e.what()).find("study.toml:3: [study] crs: 'EPSG:99999'"),
              std::string::npos);
  }
}

TEST(Crs, EquivalenceIgnoresHowTheCrsWasWritten) {
  const Crs a = Crs::from_definition("EPSG:27700", "a");
  const Crs b = Crs::from_wkt(a.wkt(), "b");
  EXPECT_TRUE(a.equivalent_to(b));
  EXPECT_EQ(b.authority_code(), "EPSG:27700");
  EXPECT_FALSE(a.equivalent_to(Crs::from_definition("EPSG:4326", "c")));
}

TEST(CoordinateTransform, LonLatToBritishNationalGridInGisOrder) {
  // Expected values from PROJ's cs2cs: echo "50.7 -2.4" | cs2cs EPSG:4326 EPSG:27700
  const CoordinateTransform t(Crs::from_definition("EPSG:4326", "a"),
                              Crs::from_definition("EPSG:27700", "b"));
  EXPECT_FALSE(t.is_identity());
  const engine::Point p = t.transform(engine::Point{-2.4, 50.7});  // x = longitude
  EXPECT_NEAR(p.x, 371847.0757, 1e-3);
  EXPECT_NEAR(p.y, 89005.0447, 1e-3);
}

TEST(CoordinateTransform, BritishNationalGridToLonLat) {
  // echo "400000 100000" | cs2cs EPSG:27700 EPSG:4326 → 50.79956061 -2.00136712
  const CoordinateTransform t(Crs::from_definition("EPSG:27700", "a"),
                              Crs::from_definition("EPSG:4326", "b"));
  const engine::Point p = t.transform(engine::Point{400000, 100000});
  EXPECT_NEAR(p.x, -2.00136712, 1e-7);
  EXPECT_NEAR(p.y, 50.79956061, 1e-7);
}

TEST(CoordinateTransform, SameCrsIsIdentity) {
  const Crs bng = Crs::from_definition("EPSG:27700", "a");
  const CoordinateTransform t(bng, bng);
  EXPECT_TRUE(t.is_identity());
  EXPECT_EQ(t.transform(engine::Point{1.5, 2.5}), (engine::Point{1.5, 2.5}));
}

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

using OutputDirectoryTest = TempDir;

TEST_F(OutputDirectoryTest, NothingIsVisibleUntilPublished) {
  const fs::path out = dir_ / "out";
  {
    OutputDirectory staged(out);
    write(staged.file("a.csv"), "new");
    EXPECT_FALSE(fs::exists(out));
    staged.publish();
  }
  EXPECT_EQ(read(out / "a.csv"), "new");
}

TEST_F(OutputDirectoryTest, UnpublishedRunLeavesPreviousOutputsAndNoStaging) {
  const fs::path out = dir_ / "out";
  fs::create_directories(out);
  write(out / "manifest.json", "{\"notspot_version\": \"0\"}");
  {
    OutputDirectory staged(out);
    write(staged.file("manifest.json"), "half-written");
  }  // abandoned, as after an exception
  EXPECT_EQ(read(out / "manifest.json"), "{\"notspot_version\": \"0\"}");
  for (const auto& e : fs::directory_iterator(dir_)) {
    EXPECT_EQ(e.path().filename().string().find("staging"), std::string::npos);
  }
}

TEST_F(OutputDirectoryTest, PublishSwapsWholeFolders) {
  const fs::path out = dir_ / "out";
  fs::create_directories(out);
  write(out / "manifest.json", "{\"notspot_version\": \"0\"}");
  write(out / "old_only.csv", "old");
  OutputDirectory staged(out);
  write(staged.file("manifest.json"), "{\"notspot_version\": \"1\"}");
  staged.publish();
  EXPECT_EQ(read(out / "manifest.json"), "{\"notspot_version\": \"1\"}");
  EXPECT_FALSE(fs::exists(out / "old_only.csv"));
}

TEST_F(OutputDirectoryTest, StaleStagingFromAKilledRunIsCleanedUp) {
  const fs::path stale = dir_ / ".out.staging-999999";
  fs::create_directories(stale);
  write(stale / "x", "partial");
  OutputDirectory staged(dir_ / "out");
  EXPECT_FALSE(fs::exists(stale));
}

TEST_F(OutputDirectoryTest, RefusesWhileAnotherRunHoldsTheLock) {
  OutputDirectory first(dir_ / "out");
  EXPECT_THROW(OutputDirectory second(dir_ / "out"), engine::Error);
}

TEST_F(OutputDirectoryTest, RefusesAFolderOfOtherFilesAndAFile) {
  fs::create_directories(dir_ / "docs");
  write(dir_ / "docs" / "letter.txt", "keep me");
  EXPECT_THROW(OutputDirectory(dir_ / "docs"), engine::Error);
  write(dir_ / "plainfile", "x");
  EXPECT_THROW(OutputDirectory(dir_ / "plainfile"), engine::Error);
  fs::create_directories(dir_ / "empty");
  EXPECT_TRUE(is_replaceable_output_dir(dir_ / "empty"));
}

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
