// Polygon operations through GEOS: dissolving overlapping parts and the area two multipolygons
// share. Expected areas are worked out by hand next to each case, and the dissolved regions are
// compared with GEOS's own union of the same WKT, computed here directly.

#include "notspot/engine/polygon_ops.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "support/tessellation.hpp"

namespace notspot::engine {
namespace {

Ring rect(double x0, double y0, double x1, double y1) {
  return {{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}};
}

GeosGeometry read_wkt(const GeosContext& geos, const std::string& wkt) {
  GEOSWKTReader* reader = GEOSWKTReader_create_r(geos.handle());
  GEOSGeometry* g = GEOSWKTReader_read_r(geos.handle(), reader, wkt.c_str());
  GEOSWKTReader_destroy_r(geos.handle(), reader);
  return geos.own(g, "WKT read");
}

double geos_area(const GeosContext& geos, const GEOSGeometry* g) {
  double a = -1;
  EXPECT_EQ(GEOSArea_r(geos.handle(), g, &a), 1);
  return a;
}

// The area of the symmetric difference: 0 when both describe the same region.
double difference_area(const GeosContext& geos, const MultiPolygon& ours, const GEOSGeometry* g) {
  const GeosGeometry mine = geos.to_geos(ours);
  const GeosGeometry sym =
      geos.own(GEOSSymDifference_r(geos.handle(), mine.get(), g), "symmetric difference");
  return geos_area(geos, sym.get());
}

TEST(Dissolve, OverlappingSquaresBecomeOneValidPolygon) {
  GeosContext geos;
  // Two 100 x 100 squares overlapping in 50 x 50: 10000 + 10000 - 2500 = 17500.
  const MultiPolygon a = {{rect(0, 0, 100, 100), {}}};
  const MultiPolygon b = {{rect(50, 50, 150, 150), {}}};
  const MultiPolygon d = dissolve(geos, {a, b});
  ASSERT_EQ(d.size(), 1u);
  EXPECT_TRUE(d[0].holes.empty());
  EXPECT_DOUBLE_EQ(area(d), 17500);
  const GeosGeometry g = geos.to_geos(d);
  EXPECT_EQ(GEOSisValid_r(geos.handle(), g.get()), 1);
  // GEOS's union of the same squares, computed directly.
  const GeosGeometry oracle = read_wkt(geos,
                                       "GEOMETRYCOLLECTION(POLYGON((0 0,100 0,100 100,0 100,0 0)),"
                                       "POLYGON((50 50,150 50,150 150,50 150,50 50)))");
  const GeosGeometry oracle_union = geos.own(GEOSUnaryUnion_r(geos.handle(), oracle.get()), "u");
  EXPECT_DOUBLE_EQ(geos_area(geos, oracle_union.get()), 17500);
  EXPECT_NEAR(difference_area(geos, d, oracle_union.get()), 0, 1e-9);
}

TEST(Dissolve, TouchingApartAndNestedParts) {
  GeosContext geos;
  // Two 10 x 10 squares sharing an edge merge into one 20 x 10 rectangle (200); a square apart
  // stays a part of its own (25); a square inside the first adds nothing.
  const MultiPolygon d = dissolve(geos, {{{rect(0, 0, 10, 10), {}}},
                                         {{rect(10, 0, 20, 10), {}}, {rect(2, 2, 4, 4), {}}},
                                         {{rect(50, 50, 55, 55), {}}}});
  EXPECT_EQ(d.size(), 2u);
  EXPECT_DOUBLE_EQ(area(d), 225);
  // A ring of four squares around a hole: the union has a 10 x 10 hole. 30 x 30 - 100 = 800.
  const MultiPolygon ring_of_squares = dissolve(geos, {{{rect(0, 0, 30, 10), {}}},
                                                       {{rect(0, 20, 30, 30), {}}},
                                                       {{rect(0, 10, 10, 20), {}}},
                                                       {{rect(20, 10, 30, 20), {}}}});
  ASSERT_EQ(ring_of_squares.size(), 1u);
  EXPECT_EQ(ring_of_squares[0].holes.size(), 1u);
  EXPECT_DOUBLE_EQ(area(ring_of_squares), 800);
}

TEST(Dissolve, NothingGivesNothing) {
  GeosContext geos;
  EXPECT_TRUE(dissolve(geos, {}).empty());
  EXPECT_TRUE(dissolve(geos, {MultiPolygon{}}).empty());
}

TEST(Dissolve, SameOrderSameResultAndPartsAreReleased) {
  GeosContext geos;
  test::TessellationOptions options;
  options.areas = 12;
  options.seed = 5;
  const test::Tessellation t = test::random_tessellation(options);
  const MultiPolygon first = dissolve(geos, t.areas);
  std::vector<MultiPolygon> parts = t.areas;
  const MultiPolygon second = dissolve(geos, std::move(parts));
  ASSERT_EQ(first.size(), second.size());
  for (std::size_t i = 0; i < first.size(); ++i) {
    EXPECT_EQ(first[i].exterior, second[i].exterior);
    EXPECT_EQ(first[i].holes, second[i].holes);
  }
  // The tessellation covers its rectangle exactly once.
  EXPECT_NEAR(area(first), t.bounds.width() * t.bounds.height(), 1e-9 * area(first));
  GeosGeometry box = geos.to_geos(
      MultiPolygon{{rect(t.bounds.xmin, t.bounds.ymin, t.bounds.xmax, t.bounds.ymax), {}}});
  EXPECT_NEAR(difference_area(geos, first, box.get()), 0, 1e-6);
}

TEST(OverlapArea, HandComputedCases) {
  GeosContext geos;
  const MultiPolygon a = {{rect(0, 0, 100, 100), {rect(40, 40, 60, 60)}}};  // 10000 - 400
  // Overlap 50 x 50 = 2500 with the square's north-east quarter (the hole is not in it).
  EXPECT_DOUBLE_EQ(overlap_area(geos, a, {{rect(50, 50, 150, 150), {}}}), 2500 - 100);
  // Sharing an edge, or apart: no overlap.
  EXPECT_EQ(overlap_area(geos, a, {{rect(100, 0, 200, 100), {}}}), 0);
  EXPECT_EQ(overlap_area(geos, a, {{rect(300, 0, 400, 100), {}}}), 0);
  // Inside the hole: no overlap.
  EXPECT_EQ(overlap_area(geos, a, {{rect(45, 45, 55, 55), {}}}), 0);
  // Two parts each overlapping: 10 x 100 at the west edge + 20 x 20 at the south-east corner.
  const MultiPolygon two_parts = {{rect(-10, 0, 10, 100), {}}, {rect(90, -10, 110, 10), {}}};
  EXPECT_DOUBLE_EQ(overlap_area(geos, a, two_parts), 1000 + 100);
  EXPECT_DOUBLE_EQ(overlap_area(geos, two_parts, a), 1000 + 100);
  EXPECT_EQ(overlap_area(geos, a, {}), 0);
}

// Two unit squares 0.01 apart: on a 0.1 grid the gap closes, so the outline is one 2 x 1
// rectangle (area 2 by hand); without the grid they stay two parts.
TEST(DissolveOnGrid, ClosesGapsNarrowerThanTheGrid) {
  GeosContext geos;
  std::vector<MultiPolygon> parts = {{Polygon{rect(0, 0, 1, 1), {}}},
                                     {Polygon{rect(1.01, 0, 2.01, 1), {}}}};
  EXPECT_EQ(dissolve(geos, parts).size(), 2u);
  const MultiPolygon merged = dissolve_on_grid(geos, parts, 0.1);
  ASSERT_EQ(merged.size(), 1u);
  EXPECT_TRUE(merged[0].holes.empty());
  const GeosGeometry g = geos.to_geos(merged);
  EXPECT_NEAR(geos_area(geos, g.get()), 2.0, 1e-9);
}

// An L whose centroid (about (1.17, 1.17) by hand) lies in the notch, outside the shape: the
// point on the surface is inside it.
TEST(PointOnSurface, LiesInsideAConcaveShape) {
  GeosContext geos;
  const MultiPolygon l = {Polygon{{{0, 0}, {4, 0}, {4, 1}, {1, 1}, {1, 4}, {0, 4}}, {}}};
  const std::optional<Point> p = point_on_surface(geos, l);
  ASSERT_TRUE(p.has_value());
  const bool in_foot = p->x > 0 && p->x < 4 && p->y > 0 && p->y < 1;
  const bool in_leg = p->x > 0 && p->x < 1 && p->y > 0 && p->y < 4;
  EXPECT_TRUE(in_foot || in_leg) << p->x << " " << p->y;
  EXPECT_FALSE(point_on_surface(geos, {}).has_value());
}

}  // namespace
}  // namespace notspot::engine
