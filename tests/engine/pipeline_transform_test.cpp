// engine::PipelineTransform step by step, against values that need no PROJ: the ellipsoid's
// own geometry, EPSG's definition of the Helmert conventions, and the meridian arc.
// (tests/io/pipeline_transform_test.cpp compares whole pipelines with PROJ.)

#include "notspot/engine/pipeline_transform.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace notspot::engine {
namespace {

using K = PipelineStep::Kind;
constexpr double kPi = 3.14159265358979323846;
constexpr double kDeg = kPi / 180;
const Ellipsoid kWgs84{6378137.0, 0.00669437999014};  // EPSG:7030: a, e^2

PipelineStep step(K kind) {
  PipelineStep s;
  s.kind = kind;
  s.ellipsoid = kWgs84;
  return s;
}

// Runs one point through the pipeline (2D: h = 0) and returns (x, y).
Point run(const std::vector<PipelineStep>& steps, Point p) {
  return PipelineTransform(steps).transform(p);
}

TEST(PipelineTransform, SwapAndScale) {
  PipelineStep scale = step(K::kScaleXY);
  scale.factor = kDeg;
  const Point p = run({step(K::kSwapXY), scale}, {10, 20});
  EXPECT_DOUBLE_EQ(p.x, 20 * kDeg);
  EXPECT_DOUBLE_EQ(p.y, 10 * kDeg);
}

TEST(PipelineTransform, GeocentricOnTheEquatorAndThePole) {
  const double a = kWgs84.a;
  // (lon 90, lat 0) lies on the Y axis at distance a.
  const Point q = run({step(K::kGeodeticToCartesian)}, {kPi / 2, 0});
  EXPECT_NEAR(q.x, 0, 1e-9);
  EXPECT_NEAR(q.y, a, 1e-9);
  // Geocentric and back: the equator, the pole (height from the polar radius b) and Dorset.
  for (const Point p : {Point{0.3, 0}, Point{0, kPi / 2}, Point{-2.4 * kDeg, 50.7 * kDeg}}) {
    const Point r = run({step(K::kGeodeticToCartesian), step(K::kCartesianToGeodetic)}, p);
    EXPECT_NEAR(r.x, p.x, 1e-12);
    EXPECT_NEAR(r.y, p.y, 1e-12);
  }
}

TEST(PipelineTransform, HelmertConventionsAsEpsgDefinesThem) {
  // A point on the X axis (lon 0, lat 0 -> X = a), rotated by rz = 1 arc second: the position
  // vector convention (EPSG 9606) turns the point towards +Y, coordinate frame (9607) towards
  // -Y, by a * 1" = 6378137 * 4.8481368e-6 m. Back to geodetic, the longitude shows it.
  PipelineStep h = step(K::kHelmert);
  h.rz = 1;
  for (const bool pv : {true, false}) {
    h.position_vector = pv;
    const Point r = run({step(K::kGeodeticToCartesian), h, step(K::kCartesianToGeodetic)}, {0, 0});
    const double arcsec = kPi / 180 / 3600;
    EXPECT_NEAR(r.x, pv ? arcsec : -arcsec, 1e-15) << pv;
    EXPECT_NEAR(r.y, 0, 1e-15);
  }
  // A translation and a scale of 1 ppm, and the inverse step undoing them.
  PipelineStep t = step(K::kHelmert);
  t.tx = 100;
  t.s_ppm = 1;
  const Point f = run({step(K::kGeodeticToCartesian), t, step(K::kCartesianToGeodetic)}, {0, 0});
  EXPECT_NEAR(f.x, 0, 1e-15);
  PipelineStep inv = t;
  inv.inverse = true;
  const Point back =
      run({step(K::kGeodeticToCartesian), t, inv, step(K::kCartesianToGeodetic)}, {0.1, 0.2});
  EXPECT_NEAR(back.x, 0.1, 1e-14);
  EXPECT_NEAR(back.y, 0.2, 1e-14);
}

TEST(PipelineTransform, TransverseMercatorAlongTheCentralMeridianIsTheMeridianArc) {
  // WGS84 meridian arc from the equator to 45 degrees: 4,984,944.378 m (published value, e.g.
  // Snyder's "Map projections: a working manual", meridian distance tables / GeographicLib).
  PipelineStep tm = step(K::kTransverseMercator);
  tm.lon0 = 3 * kDeg;
  tm.k0 = 0.9996;
  tm.x0 = 500000;
  const Point direct = run({tm}, {3 * kDeg, 45 * kDeg});
  EXPECT_NEAR(direct.x, 500000, 1e-6);
  EXPECT_NEAR(direct.y, 0.9996 * 4984944.378, 2e-3);
  // The same through geocentric coordinates (the fused path: sin/cos of latitude and
  // longitude handed over from X, Y, Z) lands on the same point, here and off the meridian.
  const std::vector<PipelineStep> fused = {step(K::kPushZ), step(K::kGeodeticToCartesian),
                                           step(K::kCartesianToGeodetic), step(K::kPopZ), tm};
  for (const Point p :
       {Point{3 * kDeg, 45 * kDeg}, Point{-1 * kDeg, 60 * kDeg}, Point{7.5 * kDeg, -33 * kDeg}}) {
    const Point a = run({tm}, p), b = run(fused, p);
    EXPECT_NEAR(a.x, b.x, 1e-6);
    EXPECT_NEAR(a.y, b.y, 1e-6);
  }
  // The origin goes to the false origin.
  tm.lat0 = 49 * kDeg;
  tm.y0 = -100000;
  const Point o = run({tm}, {3 * kDeg, 49 * kDeg});
  EXPECT_NEAR(o.x, 500000, 1e-6);
  EXPECT_NEAR(o.y, -100000, 1e-6);
}

TEST(PipelineTransform, TransformWithinLeavesOutsidePointsAndNamesThem) {
  PipelineStep scale = step(K::kScaleXY);
  scale.factor = 2;
  const PipelineTransform t({scale});
  std::vector<double> x = {1, 5, NAN, 2}, y = {1, 1, 1, 2};
  const auto outside = t.transform_within(x, y, Box{0, 0, 3, 3});
  EXPECT_EQ(outside, (std::vector<std::uint32_t>{1, 2}));
  EXPECT_EQ(x[0], 2);
  EXPECT_EQ(x[1], 5);
  EXPECT_EQ(x[3], 4);
  EXPECT_EQ(y[3], 4);
}

}  // namespace
}  // namespace notspot::engine
