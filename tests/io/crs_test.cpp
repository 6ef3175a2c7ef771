// CRS handling, checked against PROJ's own cs2cs command.

#include "notspot/io/crs.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <sstream>
#include <string>
#include <span>
#include <vector>

#include "notspot/engine/error.hpp"

namespace notspot::io {
namespace {

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

// The engine sees the same transformation through engine::PointTransform, one per thread from
// transform_factory(): same coordinates as cs2cs, for points and polygons alike.
TEST(CoordinateTransform, FactoryMakesIndependentEngineTransforms) {
  const engine::PointTransformFactory factory = transform_factory(
      Crs::from_definition("EPSG:27700", "a"), Crs::from_definition("EPSG:4326", "b"));
  const std::unique_ptr<engine::PointTransform> first = factory();
  const std::unique_ptr<engine::PointTransform> second = factory();
  ASSERT_NE(first.get(), second.get());
  EXPECT_FALSE(first->is_identity());
  std::vector<double> xs = {400000, 400000}, ys = {100000, 100000};
  first->transform(std::span<double>(xs).first(1), std::span<double>(ys).first(1));
  second->transform(std::span<double>(xs).last(1), std::span<double>(ys).last(1));
  for (std::size_t i = 0; i < 2; ++i) {
    EXPECT_NEAR(xs[i], -2.00136712, 1e-7);  // cs2cs, as above
    EXPECT_NEAR(ys[i], 50.79956061, 1e-7);
  }
  engine::MultiPolygon square = {{{{400000, 100000}, {400100, 100000}, {400100, 100100}}, {}}};
  first->transform(square);
  EXPECT_NEAR(square[0].exterior[0].x, -2.00136712, 1e-7);
  EXPECT_NEAR(square[0].exterior[0].y, 50.79956061, 1e-7);
  EXPECT_EQ(square[0].exterior[1], first->transform(engine::Point{400100, 100000}));

  const Crs bng = Crs::from_definition("EPSG:27700", "a");
  EXPECT_TRUE(transform_factory(bng, bng)()->is_identity());
}

// Whether PROJ can find the OSTN15 grid (the EPSG's "OSGB36 to WGS 84 (9)", accuracy 1 m), looked
// for independently of notspot in PROJ's search path and PROJ_DATA. Debian ships without it.
bool ostn15_installed() {
  std::string path = proj_search_path();
  for (const char* var : {"PROJ_DATA", "PROJ_LIB"}) {
    if (const char* v = std::getenv(var)) path += std::string(":") + v;
  }
  std::stringstream folders(path);
  std::string folder;
  while (std::getline(folders, folder, ':')) {
    if (folder.empty()) continue;
    for (const char* name : {"uk_os_OSTN15_NTv2_OSGBtoETRS.tif", "OSTN15_NTv2_OSGBtoETRS.gsb"}) {
      std::error_code ec;
      if (std::filesystem::exists(std::filesystem::path(folder) / name, ec)) return true;
    }
  }
  return false;
}

// The EPSG registry lists for WGS 84 -> OSGB36 in Great Britain: (9) OSTN15 NTv2 grid, 1 m;
// (6) a Helmert transformation, 2 m. PROJ uses the best one it can instantiate.
TEST(ChooseTransformation, LonLatToBritishNationalGridNamesTheOperationUsedAndItsAccuracy) {
  const Crs wgs84 = Crs::from_definition("EPSG:4326", "a");
  const Crs bng = Crs::from_definition("EPSG:27700", "b");
  // A point in Dorset, in the study CRS.
  const TransformationChoice c = choose_transformation(wgs84, bng, engine::Point{371847, 89005});
  EXPECT_FALSE(c.identity);
  if (ostn15_installed()) {
    EXPECT_EQ(c.operation, "Inverse of OSGB36 to WGS 84 (9) + British National Grid");
    ASSERT_TRUE(c.accuracy_m);
    EXPECT_DOUBLE_EQ(*c.accuracy_m, 1.0);
    EXPECT_TRUE(c.is_best());
  } else {
    EXPECT_EQ(c.operation, "Inverse of OSGB36 to WGS 84 (6) + British National Grid");
    ASSERT_TRUE(c.accuracy_m);
    EXPECT_DOUBLE_EQ(*c.accuracy_m, 2.0);
    EXPECT_FALSE(c.is_best());
    EXPECT_EQ(c.best_operation, "Inverse of OSGB36 to WGS 84 (9) + British National Grid");
    ASSERT_TRUE(c.best_accuracy_m);
    EXPECT_DOUBLE_EQ(*c.best_accuracy_m, 1.0);
    EXPECT_EQ(c.missing_grids, std::vector<std::string>{"uk_os_OSTN15_NTv2_OSGBtoETRS.tif"});
  }
  EXPECT_NE(c.describe().find("accuracy"), std::string::npos);
}

TEST(ChooseTransformation, WithoutAPointTheTargetAreaOfUseStandsIn) {
  const TransformationChoice c =
      choose_transformation(Crs::from_definition("EPSG:4326", "a"),
                            Crs::from_definition("EPSG:27700", "b"), std::nullopt);
  EXPECT_NE(c.operation.find("British National Grid"), std::string::npos) << c.operation;
  EXPECT_NE(c.operation.find("OSGB36 to WGS 84"), std::string::npos) << c.operation;
  EXPECT_TRUE(c.accuracy_m);
}

TEST(ChooseTransformation, SameCrsNeedsNoOperation) {
  const Crs bng = Crs::from_definition("EPSG:27700", "a");
  const TransformationChoice c = choose_transformation(bng, bng, engine::Point{400000, 100000});
  EXPECT_TRUE(c.identity);
  EXPECT_TRUE(c.is_best());
  EXPECT_EQ(c.operation, "none (same CRS)");
  EXPECT_FALSE(c.accuracy_m);
}

// A conversion within one datum (UTM 30N on WGS 84) is exact: nothing better to install.
TEST(ChooseTransformation, AProjectionOnTheSameDatumIsBest) {
  const TransformationChoice c =
      choose_transformation(Crs::from_definition("EPSG:4326", "a"),
                            Crs::from_definition("EPSG:32630", "b"), engine::Point{500000, 5600000});
  EXPECT_FALSE(c.identity);
  EXPECT_TRUE(c.is_best()) << c.best_operation;
  EXPECT_NE(c.operation.find("UTM zone 30N"), std::string::npos) << c.operation;
  ASSERT_TRUE(c.accuracy_m);
  EXPECT_DOUBLE_EQ(*c.accuracy_m, 0.0);
}

}  // namespace
}  // namespace notspot::io
