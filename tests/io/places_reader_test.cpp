// `[report] places`: named points and polygons read for the maps' labels. The layers are written
// by hand here; where each label anchor may lie is worked out from the shapes.

#include "notspot/io/places_reader.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include "notspot/engine/error.hpp"

namespace notspot::io {
namespace {

namespace fs = std::filesystem;

// An L whose centroid (about (1167, 1167)) lies outside it, a point, and a nameless square.
constexpr const char* kPlaces = R"({"type": "FeatureCollection",
"crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::27700"}},
"features": [
{"type": "Feature", "properties": {"name": "Elbow", "pop": 10},
 "geometry": {"type": "Polygon", "coordinates": [[[0,0],[4000,0],[4000,1000],[1000,1000],[1000,4000],[0,4000],[0,0]]]}},
{"type": "Feature", "properties": {"name": "Pointy", "pop": 99},
 "geometry": {"type": "Point", "coordinates": [500, 600]}},
{"type": "Feature", "properties": {"name": null, "pop": 1},
 "geometry": {"type": "Polygon", "coordinates": [[[5000,0],[6000,0],[6000,1000],[5000,0]]]}}
]})";

class PlacesReaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device random;
    dir_ = fs::temp_directory_path() / ("notspot-places-" + std::to_string(random()));
    fs::create_directories(dir_);
    std::ofstream(dir_ / "places.geojson") << kPlaces;
  }
  void TearDown() override { fs::remove_all(dir_); }

  PlacesSource source() const {
    PlacesSource s;
    s.path = dir_ / "places.geojson";
    s.name_field = "name";
    s.where = SourceLine{"study.toml", 30};
    return s;
  }

  fs::path dir_;
  Crs bng_ = Crs::from_definition("EPSG:27700", "test");
};

TEST_F(PlacesReaderTest, PolygonsAreLabelledInsideThemselvesAndPointsAtThePoint) {
  ProblemLog log;
  PlacesSource s = source();
  s.rank_field = "pop";
  const PlacesLoad load = read_places(s, bng_, "places.geojson", log);
  EXPECT_EQ(load.features_read, 3u);
  ASSERT_EQ(load.places.size(), 2u);
  const Place& elbow = load.places[0];
  EXPECT_EQ(elbow.name, "Elbow");
  const engine::Point a = elbow.anchor;
  const bool in_foot = a.x > 0 && a.x < 4000 && a.y > 0 && a.y < 1000;
  const bool in_leg = a.x > 0 && a.x < 1000 && a.y > 0 && a.y < 4000;
  EXPECT_TRUE(in_foot || in_leg) << a.x << " " << a.y;
  EXPECT_FALSE(elbow.geometry.empty());
  EXPECT_EQ(elbow.rank, 10);
  EXPECT_EQ(load.places[1].name, "Pointy");
  EXPECT_EQ(load.places[1].anchor.x, 500);
  EXPECT_EQ(load.places[1].anchor.y, 600);
  EXPECT_TRUE(load.places[1].geometry.empty());
  // The nameless feature is skipped and said so, once.
  EXPECT_EQ(load.skipped, 1u);
  ASSERT_EQ(log.warnings().size(), 1u);
  EXPECT_NE(log.warnings()[0].message.find("1 feature(s) have no name"), std::string::npos)
      << log.warnings()[0].message;
}

TEST_F(PlacesReaderTest, WhereSelectsThePlaces) {
  ProblemLog log;
  PlacesSource s = source();
  s.attribute_filter = "pop > 50";
  const PlacesLoad load = read_places(s, bng_, "places.geojson", log);
  ASSERT_EQ(load.places.size(), 1u);
  EXPECT_EQ(load.places[0].name, "Pointy");
  ASSERT_TRUE(load.filter.has_value());
  EXPECT_EQ(load.filter->features_selected, 1u);
}

TEST_F(PlacesReaderTest, AMissingNameFieldIsAStudyErrorNamingTheKeyAndTheFields) {
  ProblemLog log;
  PlacesSource s = source();
  s.name_field = "buan";
  try {
    read_places(s, bng_, "places.geojson", log);
    FAIL() << "no error";
  } catch (const engine::Error& e) {
    EXPECT_EQ(e.kind(), engine::ErrorKind::kStudy);
    const std::string m = e.what();
    EXPECT_NE(m.find("[report] places name_field"), std::string::npos) << m;
    EXPECT_NE(m.find("buan"), std::string::npos) << m;
    EXPECT_NE(m.find("name"), std::string::npos) << m;
  }
}

}  // namespace
}  // namespace notspot::io
