// The cheap validity check (certainly_valid), the grouping of interacting pieces, and the
// part-wise repair built on them. The oracle is GEOS: whatever certainly_valid accepts, GEOS's
// IsValid must accept; every repair must be GEOS-valid and cover exactly what GEOS's make-valid
// of the whole covers (symmetric difference of zero area).

#include "notspot/engine/polygon_validity.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "notspot/engine/geos_context.hpp"

namespace notspot {
namespace {

using engine::certainly_valid;
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

bool geos_valid(const GeosContext& geos, const MultiPolygon& m) {
  GeosGeometry g = geos.to_geos(m);
  return GEOSisValid_r(geos.handle(), g.get()) == 1;
}

double geos_area(const GeosContext& geos, const GEOSGeometry* g) {
  double a = -1;
  EXPECT_EQ(GEOSArea_r(geos.handle(), g, &a), 1);
  return a;
}

// Area of the symmetric difference between `repaired` and GEOS's make-valid of all of `input`
// (the "structure" method notspot uses, which keeps what each ring encloses).
double difference_from_geos(const GeosContext& geos, const MultiPolygon& input,
                            const MultiPolygon& repaired) {
  GeosGeometry whole = geos.to_geos(input);
  GEOSMakeValidParams* params = GEOSMakeValidParams_create_r(geos.handle());
  GEOSMakeValidParams_setMethod_r(geos.handle(), params, GEOS_MAKE_VALID_STRUCTURE);
  GeosGeometry reference =
      geos.own(GEOSMakeValidWithParams_r(geos.handle(), whole.get(), params), "make-valid");
  GEOSMakeValidParams_destroy_r(geos.handle(), params);
  GeosGeometry ours = geos.to_geos(repaired);
  GeosGeometry diff =
      geos.own(GEOSSymDifference_r(geos.handle(), reference.get(), ours.get()), "difference");
  return geos_area(geos, diff.get());
}

// A star-shaped ring around (cx, cy): valid; with `twist`, two vertices swapped (a bow tie).
Ring star(std::mt19937_64& rng, double cx, double cy, double radius, int n, bool twist) {
  std::uniform_real_distribution<double> r(0.5 * radius, radius);
  Ring ring;
  for (int i = 0; i < n; ++i) {
    const double a = 2 * M_PI * i / n;
    const double d = r(rng);
    ring.push_back({cx + d * std::cos(a), cy + d * std::sin(a)});
  }
  if (twist) std::swap(ring[1], ring[n / 2]);
  return ring;
}

// ---- certainly_valid: hand-made cases ------------------------------------------------------

TEST(CertainlyValid, SimplePolygonsAndHoles) {
  EXPECT_TRUE(certainly_valid({Polygon{rect(0, 0, 10, 10), {}}}));
  EXPECT_TRUE(certainly_valid({Polygon{rect(0, 0, 10, 10), {rect(2, 2, 4, 4), rect(5, 5, 8, 8)}}}));
  EXPECT_TRUE(certainly_valid({Polygon{rect(0, 0, 1, 1), {}}, Polygon{rect(2, 0, 3, 1), {}}}));
  // Repeated consecutive vertices are valid (GEOS agrees).
  EXPECT_TRUE(certainly_valid({Polygon{{{0, 0}, {10, 0}, {10, 0}, {10, 10}, {0, 10}}, {}}}));
}

TEST(CertainlyValid, InvalidOrTouchingIsNotCertain) {
  const Ring bow = {{0, 0}, {10, 10}, {10, 0}, {0, 10}};
  EXPECT_FALSE(certainly_valid({Polygon{bow, {}}}));
  // A spike: the ring goes out along an edge and back.
  EXPECT_FALSE(certainly_valid({Polygon{{{0, 0}, {10, 0}, {15, 0}, {10, 0}, {10, 10}, {0, 10}}, {}}}));
  EXPECT_FALSE(certainly_valid({Polygon{rect(0, 0, 10, 10), {rect(20, 20, 22, 22)}}}));  // hole out
  EXPECT_FALSE(certainly_valid({Polygon{rect(0, 0, 10, 10), {rect(1, 1, 9, 9), rect(2, 2, 3, 3)}}}));
  EXPECT_FALSE(certainly_valid({Polygon{rect(0, 0, 1, 1), {}}, Polygon{rect(1, 0, 2, 1), {}}}));
  EXPECT_FALSE(certainly_valid({Polygon{rect(0, 0, 2, 2), {}}, Polygon{rect(1, 1, 3, 3), {}}}));
  // Valid for GEOS, but touching: left to GEOS (a hole meeting the shell at a vertex; an
  // island in another part's lake).
  EXPECT_FALSE(certainly_valid({Polygon{rect(0, 0, 10, 10), {{{0, 5}, {3, 4}, {3, 6}}}}}));
  EXPECT_FALSE(certainly_valid(
      {Polygon{rect(0, 0, 10, 10), {rect(2, 2, 8, 8)}}, Polygon{rect(4, 4, 6, 6), {}}}));
  EXPECT_FALSE(certainly_valid({Polygon{{{0, 0}, {1, 1}, {0, 0}}, {}}}));         // two points
  EXPECT_FALSE(certainly_valid({Polygon{{{0, 0}, {1, 1}, {2, 2}}, {}}}));         // collinear
  EXPECT_FALSE(certainly_valid({Polygon{{{0, 0}, {NAN, 1}, {2, 0}}, {}}}));       // not finite
  EXPECT_FALSE(certainly_valid({}));
}

// ---- certainly_valid against GEOS on random shapes ------------------------------------------

TEST(CertainlyValid, NeverAcceptsWhatGeosRejects) {
  GeosContext geos;
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> pos(0, 100);
  int accepted = 0, geos_valid_count = 0;
  for (int trial = 0; trial < 1500; ++trial) {
    MultiPolygon m;
    const int parts = 1 + trial % 4;
    for (int p = 0; p < parts; ++p) {
      const double cx = pos(rng), cy = pos(rng);
      Polygon polygon{star(rng, cx, cy, 6 + trial % 7, 5 + trial % 40, trial % 11 == 0), {}};
      // Holes of varying size: some stay inside, some cross the shell.
      if (trial % 3 == 0) polygon.holes.push_back(star(rng, cx, cy, 1 + (trial % 5), 6, false));
      m.push_back(std::move(polygon));
    }
    const bool valid = geos_valid(geos, m);
    geos_valid_count += valid;
    if (certainly_valid(m)) {
      ++accepted;
      EXPECT_TRUE(valid) << "trial " << trial;
    }
  }
  // The check must also be useful: it accepts most of what is valid here (nothing touches).
  EXPECT_GT(accepted, geos_valid_count * 9 / 10);
  EXPECT_GT(geos_valid_count, 300);
}

TEST(CertainlyValid, LongRingsAndCrowdedVertices) {
  GeosContext geos;
  // 200,000 vertices on a wiggly circle: the grid path, not brute force.
  Ring big;
  const int n = 200000;
  for (int i = 0; i < n; ++i) {
    const double a = 2 * M_PI * i / n;
    const double r = 1000 + 5 * std::sin(97 * a);
    big.push_back({400000 + r * std::cos(a), 100000 + r * std::sin(a)});
  }
  EXPECT_TRUE(certainly_valid({Polygon{big, {}}}));
  // One vertex moved across the ring's far side: a self-intersection among 200,000 edges.
  Ring crossed = big;
  crossed[n / 4] = {400000, 100000 - 1200};
  EXPECT_FALSE(certainly_valid({Polygon{crossed, {}}}));
  EXPECT_FALSE(geos_valid(geos, {Polygon{crossed, {}}}));
  // A fan of 60 thin triangles meeting at one point (they touch): never "certain".
  MultiPolygon fan;
  for (int i = 0; i < 60; ++i) {
    const double a = 2 * M_PI * i / 60, b = a + 0.05;
    fan.push_back(Polygon{{{0, 0}, {10 * std::cos(a), 10 * std::sin(a)},
                           {10 * std::cos(b), 10 * std::sin(b)}},
                          {}});
  }
  EXPECT_FALSE(certainly_valid(fan));
}

// ---- interacting_groups ---------------------------------------------------------------------

TEST(InteractingGroups, OverlapsTouchesAndIslandsInLakes) {
  const std::vector<MultiPolygon> pieces = {
      {Polygon{rect(0, 0, 2, 2), {}}},                     // 0 overlaps 1
      {Polygon{rect(1, 1, 3, 3), {}}},                     // 1
      {Polygon{rect(10, 0, 11, 1), {}}},                   // 2 alone
      {Polygon{rect(20, 0, 30, 10), {rect(22, 2, 28, 8)}}},  // 3 holds 4 in its lake
      {Polygon{rect(24, 4, 26, 6), {}}},                   // 4
      {Polygon{rect(3, 0, 4, 1), {}}},                     // 5 touches 1 at (3, 1)
  };
  const auto groups = engine::interacting_groups(pieces);
  ASSERT_TRUE(groups);
  const std::vector<std::vector<std::uint32_t>> expected = {{0, 1, 5}, {2}, {3, 4}};
  EXPECT_EQ(*groups, expected);
}

// ---- repair: only the broken parts, same result as GEOS's whole make-valid -------------------

TEST(RepairPolygonal, RepairsOnlyTheBrokenPartAndKeepsTheRestExactly) {
  GeosContext geos;
  MultiPolygon m;
  for (int i = 0; i < 50; ++i) m.push_back(Polygon{rect(i * 3, 0, i * 3 + 2, 2), {}});
  m.push_back(Polygon{{{0, 10}, {10, 20}, {10, 10}, {0, 20}}, {}});  // a bow tie apart
  RepairReport report;
  const MultiPolygon out = geos.repair_polygonal(m, report);
  EXPECT_TRUE(report.was_invalid);
  EXPECT_TRUE(geos_valid(geos, out));
  EXPECT_NEAR(report.area_after, 50 * 4 + 50, 1e-9);
  EXPECT_LT(difference_from_geos(geos, m, out), 1e-9);
  for (int i = 0; i < 50; ++i) EXPECT_EQ(out[i].exterior, m[i].exterior) << "island " << i;
}

TEST(RepairPolygonal, RandomBrokenMultipolygonsMatchGeosMakeValid) {
  GeosContext geos;
  std::mt19937_64 rng(11);
  std::uniform_real_distribution<double> pos(0, 200);
  int repaired = 0;
  for (int trial = 0; trial < 300; ++trial) {
    MultiPolygon m;
    const int parts = 2 + trial % 9;
    for (int p = 0; p < parts; ++p) {
      Polygon polygon{star(rng, pos(rng), pos(rng), 8, 12, p == 0 || trial % 5 == 0), {}};
      m.push_back(std::move(polygon));
    }
    RepairReport report;
    const MultiPolygon out = geos.repair_polygonal(m, report);
    if (!report.was_invalid) continue;
    ++repaired;
    EXPECT_TRUE(geos_valid(geos, out)) << "trial " << trial;
    const double diff = difference_from_geos(geos, m, out);
    EXPECT_LT(diff, 1e-9 * std::max(1.0, report.area_after)) << "trial " << trial;
  }
  EXPECT_GT(repaired, 250);
}

}  // namespace
}  // namespace notspot
