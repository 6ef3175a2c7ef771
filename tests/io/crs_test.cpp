// CRS handling, checked against PROJ's own cs2cs command.

#include "notspot/io/crs.hpp"

#include <gtest/gtest.h>

#include <memory>
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

}  // namespace
}  // namespace notspot::io
