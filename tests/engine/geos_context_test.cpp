// Unit tests of the GEOS bridge: conversions both ways, validity, and repair. Expected areas
// are computed by hand and cross-checked with GEOS's own GEOSArea / GEOSisValid.

#include "notspot/engine/geos_context.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "notspot/engine/error.hpp"

namespace notspot {
namespace {

using engine::GeosContext;
using engine::GeosGeometry;
using engine::MultiPolygon;
using engine::Point;
using engine::Polygon;
using engine::RepairReport;
using engine::Ring;

Ring rect(double x0, double y0, double x1, double y1) {
  return {{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}};
}

GeosGeometry read_wkt(const GeosContext& geos, const char* wkt) {
  GEOSWKTReader* reader = GEOSWKTReader_create_r(geos.handle());
  GEOSGeometry* g = GEOSWKTReader_read_r(geos.handle(), reader, wkt);
  GEOSWKTReader_destroy_r(geos.handle(), reader);
  return geos.own(g, "WKT read");
}

double geos_area(const GeosContext& geos, const MultiPolygon& m) {
  GeosGeometry g = geos.to_geos(m);
  double a = -1;
  EXPECT_EQ(GEOSArea_r(geos.handle(), g.get(), &a), 1);
  return a;
}

bool geos_valid(const GeosContext& geos, const MultiPolygon& m) {
  GeosGeometry g = geos.to_geos(m);
  return GEOSisValid_r(geos.handle(), g.get()) == 1;
}

// GEOS "contains" of a point (interior only; boundary points are not contained).
bool geos_contains(const GeosContext& geos, const MultiPolygon& m, Point p) {
  GeosGeometry g = geos.to_geos(m);
  GeosGeometry q = geos.to_geos(p);
  return GEOSContains_r(geos.handle(), g.get(), q.get()) == 1;
}

// ---- conversions ------------------------------------------------------------------------

TEST(GeosContext, MultiPolygonRoundTrip) {
  GeosContext geos;
  // A 10 × 10 square with a 2 × 2 hole (96) and a 3 × 3 island (9): 105.
  const MultiPolygon m = {Polygon{rect(0, 0, 10, 10), {rect(2, 2, 4, 4)}},
                          Polygon{rect(20, 0, 23, 3), {}}};
  GeosGeometry g = geos.to_geos(m);
  EXPECT_EQ(GEOSGeomTypeId_r(geos.handle(), g.get()), GEOS_MULTIPOLYGON);
  EXPECT_EQ(GEOSGetNumGeometries_r(geos.handle(), g.get()), 2);
  double a = 0;
  ASSERT_EQ(GEOSArea_r(geos.handle(), g.get(), &a), 1);
  EXPECT_EQ(a, 105.0);
  EXPECT_FALSE(geos.invalid_reason(g.get()).has_value());
  // GEOS closes each ring (5 points for a 4-vertex ring).
  const GEOSGeometry* first = GEOSGetGeometryN_r(geos.handle(), g.get(), 0);
  EXPECT_EQ(GEOSGetNumCoordinates_r(geos.handle(), GEOSGetExteriorRing_r(geos.handle(), first)), 5);
  // Back again: the same vertices in the same order, closing vertex dropped.
  const MultiPolygon back = geos.polygonal_parts(g.get());
  ASSERT_EQ(back.size(), 2u);
  EXPECT_EQ(back[0].exterior, m[0].exterior);
  ASSERT_EQ(back[0].holes.size(), 1u);
  EXPECT_EQ(back[0].holes[0], m[0].holes[0]);
  EXPECT_EQ(back[1].exterior, m[1].exterior);
  EXPECT_TRUE(back[1].holes.empty());
}

TEST(GeosContext, ClosedInputRingStaysValid) {
  GeosContext geos;
  Ring closed = rect(0, 0, 4, 4);
  closed.push_back(closed.front());
  const MultiPolygon m = {Polygon{closed, {}}};
  GeosGeometry g = geos.to_geos(m);
  double a = 0;
  ASSERT_EQ(GEOSArea_r(geos.handle(), g.get(), &a), 1);
  EXPECT_EQ(a, 16.0);
  EXPECT_FALSE(geos.invalid_reason(g.get()).has_value());
  // The ring carries a repeated vertex (closing vertex given, then closed again), which GEOS
  // accepts; read back, one closing copy is dropped, giving the input ring again.
  EXPECT_EQ(geos.polygonal_parts(g.get())[0].exterior, closed);
}

TEST(GeosContext, EmptyMultiPolygon) {
  GeosContext geos;
  GeosGeometry g = geos.to_geos(MultiPolygon{});
  EXPECT_EQ(GEOSisEmpty_r(geos.handle(), g.get()), 1);
  EXPECT_TRUE(geos.polygonal_parts(g.get()).empty());
}

TEST(GeosContext, DegenerateRingIsReportedNotFatal) {
  GeosContext geos;
  // Two vertices: GEOS needs four points per ring; the bridge pads it so that validity
  // checking, not construction, reports the problem.
  const MultiPolygon m = {Polygon{{{0, 0}, {1, 1}}, {}}};
  GeosGeometry g = geos.to_geos(m);
  ASSERT_NE(g.get(), nullptr);
  EXPECT_TRUE(geos.invalid_reason(g.get()).has_value());
}

TEST(GeosContext, PointConversion) {
  GeosContext geos;
  GeosGeometry p = geos.to_geos(Point{412345.25, 98765.5});
  double x = 0, y = 0;
  ASSERT_EQ(GEOSGeomGetX_r(geos.handle(), p.get(), &x), 1);
  ASSERT_EQ(GEOSGeomGetY_r(geos.handle(), p.get(), &y), 1);
  EXPECT_EQ(x, 412345.25);
  EXPECT_EQ(y, 98765.5);
}

TEST(GeosContext, PolygonalPartsKeepsOnlyPolygons) {
  GeosContext geos;
  GeosGeometry g =
      read_wkt(geos,
               "GEOMETRYCOLLECTION(POINT(1 1), LINESTRING(0 0, 5 5), POLYGON((0 0, 1 0, 1 1, 0 0)),"
               " MULTIPOLYGON(((10 10, 11 10, 11 11, 10 10)), ((20 20, 22 20, 22 22, 20 20))),"
               " GEOMETRYCOLLECTION(POLYGON((30 30, 31 30, 31 31, 30 30)), POINT(7 7)))");
  const MultiPolygon parts = geos.polygonal_parts(g.get());
  ASSERT_EQ(parts.size(), 4u);
  EXPECT_EQ(parts[0].exterior, (Ring{{0, 0}, {1, 0}, {1, 1}}));
  EXPECT_EQ(parts[1].exterior, (Ring{{10, 10}, {11, 10}, {11, 11}}));
  EXPECT_EQ(parts[2].exterior, (Ring{{20, 20}, {22, 20}, {22, 22}}));
  EXPECT_EQ(parts[3].exterior, (Ring{{30, 30}, {31, 30}, {31, 31}}));

  EXPECT_TRUE(geos.polygonal_parts(read_wkt(geos, "POINT(1 1)").get()).empty());
  EXPECT_TRUE(geos.polygonal_parts(read_wkt(geos, "LINESTRING(0 0, 1 1)").get()).empty());
  EXPECT_TRUE(geos.polygonal_parts(read_wkt(geos, "POLYGON EMPTY").get()).empty());
  EXPECT_TRUE(geos.polygonal_parts(read_wkt(geos, "MULTIPOLYGON EMPTY").get()).empty());
}

TEST(GeosContext, PolygonalPartsReadsHolesFromWkt) {
  GeosContext geos;
  GeosGeometry g =
      read_wkt(geos, "POLYGON((0 0, 10 0, 10 10, 0 10, 0 0), (4 4, 6 4, 6 6, 4 6, 4 4))");
  const MultiPolygon m = geos.polygonal_parts(g.get());
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].exterior, rect(0, 0, 10, 10));
  ASSERT_EQ(m[0].holes.size(), 1u);
  EXPECT_EQ(m[0].holes[0], rect(4, 4, 6, 6));
  EXPECT_EQ(engine::area(m), 96.0);
}

TEST(GeosContext, OwnNullThrowsWithGeosMessage) {
  GeosContext geos;
  GEOSWKTReader* reader = GEOSWKTReader_create_r(geos.handle());
  GEOSGeometry* g = GEOSWKTReader_read_r(geos.handle(), reader, "POLYGON((0 0, 1 0");
  GEOSWKTReader_destroy_r(geos.handle(), reader);
  ASSERT_EQ(g, nullptr);
  EXPECT_FALSE(geos.last_error().empty());
  try {
    geos.own(g, "WKT read");
    FAIL() << "expected engine::Error";
  } catch (const engine::Error& e) {
    EXPECT_EQ(e.kind(), engine::ErrorKind::kInternal);
    const std::string what = e.what();
    EXPECT_NE(what.find("WKT read"), std::string::npos) << what;
    EXPECT_NE(what.find(geos.last_error()), std::string::npos) << what;
  }
}

TEST(GeosContext, PrepareAnswersContainment) {
  GeosContext geos;
  GeosGeometry g = geos.to_geos(MultiPolygon{Polygon{rect(0, 0, 10, 10), {}}});
  const engine::GeosPrepared prepared = geos.prepare(g.get());
  GeosGeometry inside = geos.to_geos(Point{5, 5});
  GeosGeometry outside = geos.to_geos(Point{15, 5});
  EXPECT_EQ(GEOSPreparedContains_r(geos.handle(), prepared.get(), inside.get()), 1);
  EXPECT_EQ(GEOSPreparedContains_r(geos.handle(), prepared.get(), outside.get()), 0);
}

// ---- validity and repair ------------------------------------------------------------------

TEST(GeosContext, RepairLeavesValidPolygonUnchanged) {
  GeosContext geos;
  const MultiPolygon m = {Polygon{rect(0, 0, 10, 10), {rect(2, 2, 4, 4)}}};
  RepairReport report;
  report.was_invalid = true;  // must be reset
  report.reason = "stale";
  const MultiPolygon out = geos.repair_polygonal(m, report);
  EXPECT_FALSE(report.was_invalid);
  EXPECT_TRUE(report.reason.empty());
  EXPECT_EQ(report.area_before, 96.0);
  EXPECT_EQ(report.area_after, 96.0);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].exterior, m[0].exterior);
  EXPECT_EQ(out[0].holes, m[0].holes);
}

TEST(GeosContext, RepairBowTie) {
  GeosContext geos;
  // Ring (0,0) (10,10) (10,0) (0,10): two triangles meeting at (5,5), each with base 10 and
  // height 5, so 25 + 25 = 50 once repaired. The shoelace of the invalid ring gives 0 (the
  // lobes wind in opposite directions).
  const MultiPolygon bow = {Polygon{{{0, 0}, {10, 10}, {10, 0}, {0, 10}}, {}}};
  GeosGeometry g = geos.to_geos(bow);
  const auto reason = geos.invalid_reason(g.get());
  ASSERT_TRUE(reason.has_value());
  EXPECT_NE(reason->find("Self-intersection"), std::string::npos) << *reason;

  RepairReport report;
  const MultiPolygon fixed = geos.repair_polygonal(bow, report);
  EXPECT_TRUE(report.was_invalid);
  EXPECT_NE(report.reason.find("Self-intersection"), std::string::npos) << report.reason;
  EXPECT_EQ(report.area_before, 0.0);
  EXPECT_EQ(report.area_after, 50.0);
  EXPECT_TRUE(geos_valid(geos, fixed));
  EXPECT_EQ(geos_area(geos, fixed), 50.0);
  EXPECT_EQ(fixed.size(), 2u) << "one polygon per lobe";
  EXPECT_TRUE(geos_contains(geos, fixed, {2, 5}));   // west lobe
  EXPECT_TRUE(geos_contains(geos, fixed, {8, 5}));   // east lobe
  EXPECT_FALSE(geos_contains(geos, fixed, {5, 2}));  // between the lobes
  EXPECT_FALSE(geos_contains(geos, fixed, {5, 8}));
}

TEST(GeosContext, RepairSelfTouchingRing) {
  GeosContext geos;
  // A 10 × 10 square whose ring dips to (6,5) and (4,5) and comes back to touch itself at
  // (5,10): an "inverted hole", the triangle (4,5) (6,5) (5,10) of area 2 × 5 / 2 = 5.
  // Area 100 - 5 = 95 before and after; GEOS wants the triangle as a proper hole.
  const MultiPolygon touching = {
      Polygon{{{0, 0}, {10, 0}, {10, 10}, {5, 10}, {6, 5}, {4, 5}, {5, 10}, {0, 10}}, {}}};
  RepairReport report;
  const MultiPolygon fixed = geos.repair_polygonal(touching, report);
  EXPECT_TRUE(report.was_invalid);
  EXPECT_NE(report.reason.find("Self-intersection"), std::string::npos) << report.reason;
  EXPECT_EQ(report.area_before, 95.0);
  EXPECT_EQ(report.area_after, 95.0);
  EXPECT_TRUE(geos_valid(geos, fixed));
  EXPECT_EQ(geos_area(geos, fixed), 95.0);
  EXPECT_TRUE(geos_contains(geos, fixed, {5, 2}));
  EXPECT_FALSE(geos_contains(geos, fixed, {5, 7}));  // inside the inverted hole
}

TEST(GeosContext, RepairOverlappingParts) {
  GeosContext geos;
  // Two parts of one multipolygon overlapping on [5,10] × [0,10]: 100 + 100 = 200 summed,
  // 150 as a union.
  const MultiPolygon m = {Polygon{rect(0, 0, 10, 10), {}}, Polygon{rect(5, 0, 15, 10), {}}};
  RepairReport report;
  const MultiPolygon fixed = geos.repair_polygonal(m, report);
  EXPECT_TRUE(report.was_invalid);
  EXPECT_FALSE(report.reason.empty());
  EXPECT_EQ(report.area_before, 200.0);
  EXPECT_EQ(report.area_after, 150.0);
  EXPECT_TRUE(geos_valid(geos, fixed));
  EXPECT_EQ(geos_area(geos, fixed), 150.0);
}

}  // namespace
}  // namespace notspot
