// Land shares of areas: exact raster cells (raster_land_shares) and footprint overlays
// (overlay_land_shares, through FootprintIndex). Expected areas are worked out by hand next to
// each case; the footprint index is checked against GEOS's own intersection.

#include "notspot/engine/land_coverage.hpp"

#include <gtest/gtest.h>
#include <tbb/task_arena.h>

#include <cmath>
#include <memory>
#include <numbers>
#include <random>
#include <vector>

#include "notspot/engine/error.hpp"
#include "notspot/engine/footprint_index.hpp"
#include "notspot/engine/polygon_ops.hpp"
#include "support/coverage_grids.hpp"
#include "support/tessellation.hpp"

namespace notspot::engine {
namespace {

using test::coverage_grid;
using test::shift;

Ring rect(double x0, double y0, double x1, double y1) {
  return {{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}};
}

MultiPolygon square(double x0, double y0, double x1, double y1) {
  return {{rect(x0, y0, x1, y1), {}}};
}

std::vector<const MultiPolygon*> pointers(const std::vector<MultiPolygon>& areas) {
  std::vector<const MultiPolygon*> out;
  for (const MultiPolygon& a : areas) out.push_back(&a);
  return out;
}

void expect_coverage(const GroupAreaCoverage& got, double area, std::vector<double> by_operator,
                     double any, double all, double nodata) {
  const double tolerance = 1e-9 * area;
  EXPECT_NEAR(got.area, area, tolerance);
  ASSERT_EQ(got.by_operator.size(), by_operator.size());
  for (std::size_t op = 0; op < by_operator.size(); ++op) {
    EXPECT_NEAR(got.by_operator[op], by_operator[op], tolerance) << "operator " << op;
  }
  EXPECT_NEAR(got.any, any, tolerance);
  EXPECT_NEAR(got.all, all, tolerance);
  EXPECT_NEAR(got.nodata, nodata, tolerance);
}

// 2 x 2 cells of 10 x 10 from (0, 20). A covers (0,0) and (1,1); B covers (0,0) and (1,0)
// and has no data at (0,1).
const Grid kGrid{0, 20, 10, 10, 2, 2};

TEST(RasterLandShares, HandComputedCellShares) {
  const CoverageGrid a = coverage_grid(kGrid, "C..C");
  const CoverageGrid b = coverage_grid(kGrid, "CCN.");
  // Area 0, [5, 15] x [5, 15]: a quarter (25) in each cell. Area 1, [15, 25] x [5, 15]: 25 in
  // (1,0) and (1,1), half off the grid.
  const std::vector<MultiPolygon> areas = {square(5, 5, 15, 15), square(15, 5, 25, 15)};
  const LandCrs crss[] = {LandCrs{}};
  const RasterLandGroup groups[] = {{{&a, &b}, 0}, {{&b}, 0}};
  const auto land = raster_land_shares(groups, crss, pointers(areas));
  ASSERT_EQ(land.size(), 2u);
  ASSERT_EQ(land[0].size(), 2u);
  // A: (0,0) + (1,1) = 50; B: (0,0) + (1,0) = 50; any: three cells; all: (0,0); nodata (0,1).
  expect_coverage(land[0][0], 100, {50, 50}, 75, 25, 25);
  // A: (1,1); B: (1,0); nothing both; off the grid counts as nodata.
  expect_coverage(land[0][1], 100, {25, 25}, 50, 0, 50);
  // The second group, on the same frame, is B alone.
  expect_coverage(land[1][0], 100, {50}, 50, 50, 25);
  expect_coverage(land[1][1], 100, {25}, 25, 25, 50);
}

TEST(RasterLandShares, AreasAreTransformedToTheRastersCrs) {
  const CoverageGrid a = coverage_grid(kGrid, "C..C");
  // The same areas 1000 west of the grid's CRS.
  const std::vector<MultiPolygon> areas = {square(-995, 5, -985, 15)};
  const LandCrs crss[] = {{shift(1000, 0), false}};
  const RasterLandGroup groups[] = {{{&a}, 0}};
  const auto land = raster_land_shares(groups, crss, pointers(areas));
  expect_coverage(land[0][0], 100, {50}, 50, 50, 0);
}

TEST(RasterLandShares, GeographicCellsAreWeightedByLatitude) {
  // One column, two rows of 1° x 1° from (0°, 62°N): row 0 is 61-62°N, row 1 60-61°N; the
  // raster covers row 0. The area spans 59-62°N: one degree square off the grid, weighted at
  // the area's mid-latitude, 60.5°.
  const Grid grid{0, 62, 1, 1, 1, 2};
  const CoverageGrid r = coverage_grid(grid, "C.");
  const std::vector<MultiPolygon> areas = {square(0, 59, 1, 62)};
  const LandCrs crss[] = {{identity_transform(), true}};
  const RasterLandGroup groups[] = {{{&r}, 0}};
  const auto land = raster_land_shares(groups, crss, pointers(areas));
  const auto cosd = [](double d) { return std::cos(d * std::numbers::pi / 180); };
  const double total = cosd(61.5) + cosd(60.5) + cosd(60.5);
  expect_coverage(land[0][0], total, {cosd(61.5)}, cosd(61.5), cosd(61.5), cosd(60.5));
}

TEST(RasterLandShares, SameResultWhateverTheThreads) {
  test::TessellationOptions options;
  options.areas = 40;
  const test::Tessellation t = test::random_tessellation(options);
  const Grid grid{t.bounds.xmin - 30,
                  t.bounds.ymax + 20,
                  37,
                  23,
                  static_cast<std::size_t>(t.bounds.width() / 37) + 2,
                  static_cast<std::size_t>(t.bounds.height() / 23) + 2};
  std::mt19937_64 rng(3);
  std::string cells;
  for (std::size_t k = 0; k < grid.columns * grid.rows; ++k) cells += "C.N"[rng() % 3];
  const CoverageGrid r = coverage_grid(grid, cells.c_str());
  const LandCrs crss[] = {LandCrs{}};
  const RasterLandGroup groups[] = {{{&r}, 0}};
  std::vector<std::vector<GroupAreaCoverage>> one, two;
  tbb::task_arena(1).execute([&] { one = raster_land_shares(groups, crss, pointers(t.areas)); });
  tbb::task_arena(2).execute([&] { two = raster_land_shares(groups, crss, pointers(t.areas)); });
  double total = 0;
  for (std::size_t a = 0; a < t.areas.size(); ++a) {
    EXPECT_EQ(one[0][a].area, two[0][a].area);
    EXPECT_EQ(one[0][a].any, two[0][a].any);
    EXPECT_EQ(one[0][a].nodata, two[0][a].nodata);
    total += one[0][a].area;
  }
  // The tessellation covers its rectangle once, all on the grid.
  EXPECT_NEAR(total, t.bounds.width() * t.bounds.height(), 1e-9 * total);
}

TEST(RasterLandShares, AGroupNeedsRastersAndACrs) {
  const CoverageGrid a = coverage_grid(kGrid, "C..C");
  const std::vector<MultiPolygon> areas = {square(5, 5, 15, 15)};
  const LandCrs crss[] = {LandCrs{}};
  const RasterLandGroup no_rasters[] = {{{}, 0}};
  const RasterLandGroup bad_crs[] = {{{&a}, 1}};
  EXPECT_THROW(raster_land_shares(no_rasters, crss, pointers(areas)), Error);
  EXPECT_THROW(raster_land_shares(bad_crs, crss, pointers(areas)), Error);
}

TEST(OverlayLandShares, FootprintsOnlyHandComputed) {
  // Area [0, 100]^2 (10000). Operator 0: [0, 50] x [0, 100] (5000); operator 1: [25, 75] x
  // [-50, 50], of which [25, 75] x [0, 50] (2500) is in the area. Union in the area: 5000 +
  // [50, 75] x [0, 50] = 6250; intersection: [25, 50] x [0, 50] = 1250.
  const MultiPolygon op0 = square(0, 0, 50, 100), op1 = square(25, -50, 75, 50);
  const LandLayer layers[] = {{nullptr, &op0}, {nullptr, &op1}};
  const std::vector<MultiPolygon> areas = {square(0, 0, 100, 100), square(200, 0, 210, 10), {}};
  const auto land = overlay_land_shares(layers, LandCrs{}, pointers(areas));
  ASSERT_EQ(land.size(), 3u);
  expect_coverage(land[0], 10000, {5000, 2500}, 6250, 1250, 0);
  expect_coverage(land[1], 100, {0, 0}, 0, 0, 0);  // away from every footprint
  EXPECT_EQ(land[2].area, 0);                      // an area without polygon
  EXPECT_EQ(land[2].by_operator, (std::vector<double>{0, 0}));
}

TEST(OverlayLandShares, FootprintsCombinedWithRasterCells) {
  // 2 x 2 cells of 50 x 50 over [0, 100]^2; the raster covers cell (1,0) = [50, 100] x [50, 100].
  // The footprint operator covers [25, 75] x [0, 50] plus [110, 130] x [10, 30], off the grid.
  const Grid grid{0, 100, 50, 50, 2, 2};
  const CoverageGrid raster = coverage_grid(grid, ".C..");
  const MultiPolygon footprint = {{rect(25, 0, 75, 50), {}}, {rect(110, 10, 130, 30), {}}};
  const LandLayer layers[] = {{&raster, nullptr}, {nullptr, &footprint}};
  // Area [0, 150] x [0, 100] (15000), 5000 of it off the grid.
  const std::vector<MultiPolygon> areas = {square(0, 0, 150, 100)};
  const auto land = overlay_land_shares(layers, LandCrs{}, pointers(areas));
  // Raster 2500, footprints 2500 + 400; any: the raster's cell, the footprints elsewhere on the
  // grid (2500) and off it (400); all: footprints where the raster covers: none. Nodata: the
  // land off the grid.
  expect_coverage(land[0], 15000, {2500, 2900}, 2500 + 2500 + 400, 0, 5000);
}

TEST(OverlayLandShares, FootprintsAndAreasAreTransformedToTheRastersCrs) {
  // As above, with areas and footprints 1000 south of the raster's CRS.
  const Grid grid{0, 100, 50, 50, 2, 2};
  const CoverageGrid raster = coverage_grid(grid, ".C..");
  const MultiPolygon footprint = {{rect(25, -1000, 75, -950), {}},
                                  {rect(110, -990, 130, -970), {}}};
  const LandLayer layers[] = {{&raster, nullptr}, {nullptr, &footprint}};
  const std::vector<MultiPolygon> areas = {square(0, -1000, 150, -900)};
  const auto land = overlay_land_shares(layers, {shift(0, 1000), false}, pointers(areas));
  expect_coverage(land[0], 15000, {2500, 2900}, 5400, 0, 5000);
  const LandLayer rasters_only[] = {{&raster, nullptr}};
  EXPECT_THROW(overlay_land_shares(rasters_only, LandCrs{}, pointers(areas)), Error);
}

double geos_area(const GeosContext& geos, const GEOSGeometry* g) {
  double a = -1;
  EXPECT_EQ(GEOSArea_r(geos.handle(), g, &a), 1);
  return a;
}

// A footprint of thousands of vertices (split into many pieces) intersected with areas through
// the index, against GEOS's direct intersection with the whole footprint.
TEST(FootprintIndex, IntersectionAgreesWithGeos) {
  GeosContext geos;
  Ring circle;
  for (int k = 0; k < 5000; ++k) {
    const double angle = 2 * std::numbers::pi * k / 5000;
    const double r = 1000 + 80 * std::sin(7 * angle);
    circle.push_back({400000 + r * std::cos(angle), 100000 + r * std::sin(angle)});
  }
  const MultiPolygon footprints = dissolve(
      geos, {{{circle, {}}}, square(400500, 99500, 401500, 100500), square(403000, 0, 403100, 99)});
  const FootprintIndex index(footprints, geos);
  EXPECT_GT(index.piece_count(), 20u);
  const GeosGeometry whole = geos.to_geos(footprints);
  std::mt19937_64 rng(11);
  std::uniform_real_distribution<double> x(398500, 402500), y(98500, 101500), size(50, 900);
  int covered = 0;
  for (int k = 0; k < 40; ++k) {
    const double x0 = x(rng), y0 = y(rng);
    const MultiPolygon area = {{{{x0, y0}, {x0 + size(rng), y0}, {x0, y0 + size(rng)}}, {}}};
    const GeosGeometry g = geos.to_geos(area);
    const GeosGeometry ours = index.intersection(g.get());
    const GeosGeometry direct =
        geos.own(GEOSIntersection_r(geos.handle(), g.get(), whole.get()), "intersection");
    const GeosGeometry sym =
        geos.own(GEOSSymDifference_r(geos.handle(), ours.get(), direct.get()), "difference");
    const double expected = geos_area(geos, direct.get());
    const double tolerance = 1e-9 * expected + 1e-6;
    EXPECT_NEAR(geos_area(geos, ours.get()), expected, tolerance) << "area " << k;
    EXPECT_NEAR(geos_area(geos, sym.get()), 0, tolerance) << "area " << k;
    covered += expected > 0;
  }
  EXPECT_GT(covered, 10);  // most areas meet the footprints
  const GeosGeometry far = geos.to_geos(square(0, 0, 10, 10));
  EXPECT_EQ(geos_area(geos, index.intersection(far.get()).get()), 0);
  const FootprintIndex empty({}, geos);
  EXPECT_EQ(empty.piece_count(), 0u);
  EXPECT_EQ(geos_area(geos, empty.intersection(far.get()).get()), 0);
}

// Boxes are closed, as in GEOS's STRtree that the index used before: a piece whose box only touches
// the area's is still intersected (here along an edge, so the result is a line). An empty area
// has no box and meets nothing.
TEST(FootprintIndex, TouchingBoxesMeetAndEmptyAreasMeetNothing) {
  GeosContext geos;
  const FootprintIndex index(square(0, 0, 10, 10), geos);
  ASSERT_EQ(index.piece_count(), 1u);
  const GeosGeometry touching = geos.to_geos(square(10, 2, 20, 8));
  const GeosGeometry line = index.intersection(touching.get());
  EXPECT_FALSE(GEOSisEmpty_r(geos.handle(), line.get()));
  EXPECT_EQ(geos_area(geos, line.get()), 0);
  double length = 0;
  ASSERT_EQ(GEOSLength_r(geos.handle(), line.get(), &length), 1);
  EXPECT_EQ(length, 6);  // the shared stretch of x = 10, from y = 2 to 8
  const GeosGeometry nothing = geos.own(GEOSGeom_createEmptyPolygon_r(geos.handle()), "empty");
  EXPECT_TRUE(GEOSisEmpty_r(geos.handle(), index.intersection(nothing.get()).get()));
}

}  // namespace
}  // namespace notspot::engine
