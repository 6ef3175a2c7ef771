// Focused unit tests of AreaIndex: small configurations whose answers are derived by hand from
// the documented boundary rule ("east, then north": a point p is located as p + (ε, δ) with
// 0 < δ ≪ ε). For a square [x0, x1] × [y0, y1] this makes the west and south edges (and the
// south-west corner) part of the square, and the east and north edges (and the other three
// corners) not.

#include "notspot/engine/area_index.hpp"

#include <gtest/gtest.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "notspot/engine/error.hpp"

namespace notspot {
namespace {

using engine::AreaIndex;
using engine::AreaIndexOptions;
using engine::MultiPolygon;
using engine::Point;
using engine::Polygon;
using engine::Ring;

constexpr std::uint32_t kOut = AreaIndex::kOutside;

Ring rect(double x0, double y0, double x1, double y1) {
  return {{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}};
}
MultiPolygon rect_area(double x0, double y0, double x1, double y1) {
  return {Polygon{rect(x0, y0, x1, y1), {}}};
}

// Index shapes from the default to the extremes allowed by AreaIndexOptions' REQUIRES.
std::vector<AreaIndexOptions> index_shapes() {
  return {
      {},
      {.max_leaf_edges = 1, .max_depth = 0},
      // (max_depth 24 with one-edge leaves is exercised in StatsRespectOptions; here it would
      // split collinear overlapping edges, as in the overlap tests, down to 2^-24 cells.)
      {.max_leaf_edges = 1, .max_depth = 16},
      {.max_leaf_edges = 1000, .max_depth = 12},
      {.max_leaf_edges = 2, .max_depth = 6, .top_cells_per_edge = 100.0},
      {.max_leaf_edges = 8, .max_depth = 12, .top_cells_per_edge = 1e-9},
      {.max_leaf_edges = 3, .max_depth = 5, .top_cells_per_edge = 50.0, .max_top_cells = 1},
  };
}

struct Expect {
  Point p;
  std::uint32_t area;
  const char* why;
};

// Checks every expectation under every index shape, with locate, locate(p, several) and
// locate_all, and checks that areas_containing agrees (its lowest entry is the answer).
void check(const std::vector<MultiPolygon>& areas, const std::vector<Expect>& expects,
           bool may_overlap = false) {
  for (const AreaIndexOptions& o : index_shapes()) {
    const AreaIndex index(areas, o);
    const std::string shape = "max_leaf_edges " + std::to_string(o.max_leaf_edges) +
                              ", max_depth " + std::to_string(o.max_depth) +
                              ", top_cells_per_edge " + std::to_string(o.top_cells_per_edge) +
                              ", max_top_cells " + std::to_string(o.max_top_cells);
    std::vector<double> xs, ys;
    for (const Expect& e : expects) {
      xs.push_back(e.p.x);
      ys.push_back(e.p.y);
    }
    std::vector<std::uint32_t> batch(expects.size());
    index.locate_all(xs, ys, batch);
    for (std::size_t i = 0; i < expects.size(); ++i) {
      const Expect& e = expects[i];
      const std::string where = "(" + std::to_string(e.p.x) + ", " + std::to_string(e.p.y) +
                                "): " + e.why + " [" + shape + "]";
      EXPECT_EQ(index.locate(e.p), e.area) << where;
      bool several = true;
      EXPECT_EQ(index.locate(e.p, several), e.area) << where;
      if (!may_overlap) {
        EXPECT_FALSE(several) << where;
      }
      EXPECT_EQ(batch[i], e.area) << where;
      const std::vector<std::uint32_t> all = index.areas_containing(e.p);
      EXPECT_EQ(all.empty() ? kOut : all.front(), e.area) << "areas_containing " << where;
      if (!may_overlap) {
        EXPECT_LE(all.size(), 1u) << where;
      }
    }
  }
}

// ---- empty and trivial inputs --------------------------------------------------------------

TEST(AreaIndex, EmptyInputPutsEverythingOutside) {
  const std::vector<MultiPolygon> none;
  const AreaIndex index(none);
  EXPECT_EQ(index.area_count(), 0u);
  EXPECT_EQ(index.stats().areas, 0u);
  EXPECT_EQ(index.stats().distinct_edges, 0u);
  EXPECT_TRUE(index.overlaps().empty());
  for (Point p : {Point{0, 0}, Point{0.5, 0.5}, Point{1, 1}, Point{-1e9, 3e9}}) {
    EXPECT_EQ(index.locate(p), kOut);
    EXPECT_TRUE(index.areas_containing(p).empty());
  }
}

TEST(AreaIndex, AreasWithoutPolygonsContainNothing) {
  // Area 1 has no geometry (e.g. a parish missing from the boundary file); the others keep
  // their numbers.
  const std::vector<MultiPolygon> areas = {rect_area(0, 0, 10, 10), {}, rect_area(10, 0, 20, 10)};
  check(areas, {
                   {{5, 5}, 0, "inside area 0"},
                   {{15, 5}, 2, "inside area 2: numbers are positions, gaps included"},
                   {{10, 5}, 2, "shared edge: east"},
               });
  const AreaIndex index(areas);
  EXPECT_EQ(index.area_count(), 3u);
}

// ---- one square ------------------------------------------------------------------------

TEST(AreaIndex, OneSquareInsideOutsideEdgesCorners) {
  check({rect_area(0, 0, 10, 10)},
        {
            {{5, 5}, 0, "interior"},
            {{0, 5}, 0, "west edge: east of it is inside"},
            {{10, 5}, kOut, "east edge: east of it is outside"},
            {{5, 0}, 0, "south edge: north of it is inside"},
            {{5, 10}, kOut, "north edge: north of it is outside"},
            {{0, 0}, 0, "south-west corner: north-east of it is inside"},
            {{10, 0}, kOut, "south-east corner: east of it is outside"},
            {{0, 10}, kOut, "north-west corner: north of it is outside"},
            {{10, 10}, kOut, "north-east corner"},
            {{-1, 5}, kOut, "west of the square"},
            {{11, 5}, kOut, "east of the square"},
            {{5, -1}, kOut, "south of the square"},
            {{5, 11}, kOut, "north of the square"},
            {{std::nextafter(10.0, 0.0), std::nextafter(10.0, 0.0)},
             0,
             "one ulp inside the north-east corner"},
            {{std::nextafter(0.0, -1.0), 5}, kOut, "one ulp west of the west edge"},
            {{5, std::nextafter(0.0, -1.0)}, kOut, "one ulp south of the south edge"},
        });
}

TEST(AreaIndex, RingOrientationAndClosingVertexDoNotMatter) {
  Ring cw = rect(0, 0, 10, 10);
  std::reverse(cw.begin(), cw.end());
  Ring closed = rect(0, 0, 10, 10);
  closed.push_back(closed.front());
  for (const Ring& ring : {cw, closed}) {
    check({MultiPolygon{Polygon{ring, {}}}}, {
                                                 {{5, 5}, 0, "interior"},
                                                 {{0, 5}, 0, "west edge"},
                                                 {{10, 5}, kOut, "east edge"},
                                                 {{5, 0}, 0, "south edge"},
                                                 {{5, 10}, kOut, "north edge"},
                                             });
  }
}

// ---- holes, multipolygons ------------------------------------------------------------------

TEST(AreaIndex, SquareWithHole) {
  // [0,10]² minus the hole [4,6]²: the hole's own edges follow the same rule, seen from the
  // hole: its west and south edges belong to the hole (outside), east and north to the area.
  const MultiPolygon a = {Polygon{rect(0, 0, 10, 10), {rect(4, 4, 6, 6)}}};
  check({a}, {
                 {{5, 5}, kOut, "in the hole"},
                 {{2, 2}, 0, "in the area"},
                 {{4, 5}, kOut, "hole's west edge: east of it is the hole"},
                 {{6, 5}, 0, "hole's east edge: east of it is the area"},
                 {{5, 4}, kOut, "hole's south edge: north of it is the hole"},
                 {{5, 6}, 0, "hole's north edge: north of it is the area"},
                 {{4, 4}, kOut, "hole's south-west corner: north-east is the hole"},
                 {{6, 4}, 0, "hole's south-east corner: east is the area"},
                 {{4, 6}, 0, "hole's north-west corner: north is the area"},
                 {{6, 6}, 0, "hole's north-east corner"},
             });
}

TEST(AreaIndex, EnclaveFillsHole) {
  const std::vector<MultiPolygon> areas = {
      {Polygon{rect(0, 0, 10, 10), {rect(4, 4, 6, 6)}}},
      rect_area(4, 4, 6, 6),
  };
  check(areas, {
                   {{5, 5}, 1, "in the enclave"},
                   {{4, 5}, 1, "enclave's west edge: east of it is the enclave"},
                   {{6, 5}, 0, "enclave's east edge: east of it is the surrounding area"},
                   {{5, 4}, 1, "enclave's south edge"},
                   {{5, 6}, 0, "enclave's north edge"},
                   {{4, 4}, 1, "enclave's south-west corner"},
                   {{1, 1}, 0, "surrounding area"},
               });
}

TEST(AreaIndex, MultiPolygonWithIslands) {
  // Area 0: two islands [0,2]² and [5,7]×[0,2]; area 1: a separate square far north.
  const std::vector<MultiPolygon> areas = {
      {Polygon{rect(0, 0, 2, 2), {}}, Polygon{rect(5, 0, 7, 2), {}}},
      rect_area(0, 10, 7, 12),
  };
  check(areas, {
                   {{1, 1}, 0, "first island"},
                   {{6, 1}, 0, "second island"},
                   {{3.5, 1}, kOut, "sea between the islands"},
                   {{2, 1}, kOut, "east edge of the first island"},
                   {{5, 1}, 0, "west edge of the second island"},
                   {{3, 11}, 1, "area 1"},
                   {{3, 5}, kOut, "between the rows"},
               });
}

// ---- shared edges and vertices -----------------------------------------------------------

TEST(AreaIndex, SharedVerticalEdgeGoesEast) {
  const std::vector<MultiPolygon> areas = {rect_area(0, 0, 10, 10), rect_area(10, 0, 20, 10)};
  check(areas, {
                   {{10, 5}, 1, "shared edge: the area to the east"},
                   {{10, 0}, 1, "south end of the shared edge: north-east is area 1"},
                   {{10, 10}, kOut, "north end of the shared edge: north is outside"},
                   {{0, 5}, 0, "west edge of the pair"},
                   {{20, 5}, kOut, "east edge of the pair"},
                   {{std::nextafter(10.0, 0.0), 5}, 0, "one ulp west of the shared edge"},
               });
}

TEST(AreaIndex, SharedHorizontalEdgeGoesNorth) {
  const std::vector<MultiPolygon> areas = {rect_area(0, 0, 10, 10), rect_area(0, 10, 10, 20)};
  check(areas, {
                   {{5, 10}, 1, "shared edge: the area to the north"},
                   {{0, 10}, 1, "west end of the shared edge: north-east is area 1"},
                   {{10, 10}, kOut, "east end of the shared edge: east is outside"},
                   {{5, 20}, kOut, "north edge of the pair"},
                   {{5, std::nextafter(10.0, 0.0)}, 0, "one ulp south of the shared edge"},
               });
}

TEST(AreaIndex, FourSquaresMeetingAtAVertex) {
  // 0 = south-west, 1 = south-east, 2 = north-west, 3 = north-east, meeting at (10, 10).
  const std::vector<MultiPolygon> areas = {rect_area(0, 0, 10, 10), rect_area(10, 0, 20, 10),
                                           rect_area(0, 10, 10, 20), rect_area(10, 10, 20, 20)};
  check(areas, {
                   {{10, 10}, 3, "the common vertex: north-east square"},
                   {{10, 5}, 1, "vertical edge between 0 and 1: east"},
                   {{10, 15}, 3, "vertical edge between 2 and 3: east"},
                   {{5, 10}, 2, "horizontal edge between 0 and 2: north"},
                   {{15, 10}, 3, "horizontal edge between 1 and 3: north"},
                   {{10, 0}, 1, "bottom of the vertical line"},
                   {{0, 10}, 2, "west end of the horizontal line"},
                   {{10, 20}, kOut, "top of the vertical line: north is outside"},
                   {{20, 10}, kOut, "east end of the horizontal line"},
                   {{0, 0}, 0, "south-west corner of the block"},
               });
}

TEST(AreaIndex, DiagonalSharedEdges) {
  // The square [0,10]² cut along y = x: area 0 below (south-east), area 1 above (north-west).
  // p + (ε, δ) with δ < ε lies below y = x, so points on the diagonal go to area 0.
  // A second square [20,30]×[0,10] cut along x + y = 30: area 2 below, area 3 above;
  // p + (ε, δ) has x + y above 30, so points on that diagonal go to area 3.
  const std::vector<MultiPolygon> areas = {
      {Polygon{{{0, 0}, {10, 0}, {10, 10}}, {}}},
      {Polygon{{{0, 0}, {10, 10}, {0, 10}}, {}}},
      {Polygon{{{20, 0}, {30, 0}, {20, 10}}, {}}},
      {Polygon{{{30, 0}, {30, 10}, {20, 10}}, {}}},
  };
  check(areas, {
                   {{5, 5}, 0, "on y = x: below"},
                   {{0.1, 0.1}, 0, "on y = x (both coordinates the same double)"},
                   {{0, 0}, 0, "south-west corner: north-east is below the diagonal"},
                   {{10, 10}, kOut, "north-east corner"},
                   {{3, 4}, 1, "above y = x"},
                   {{4, 3}, 0, "below y = x"},
                   {{25, 5}, 3, "on x + y = 30: above"},
                   {{22.5, 7.5}, 3, "on x + y = 30"},
                   {{20, 10}, kOut, "north-west end of the anti-diagonal: north is outside"},
                   {{30, 0}, kOut, "south-east end of the anti-diagonal: east is outside"},
                   {{24, 5}, 2, "below x + y = 30"},
                   {{26, 5}, 3, "above x + y = 30"},
               });
}

TEST(AreaIndex, RayThroughVertices) {
  // A notched square (0,0) (10,0) (10,10) (5,5) (0,10): horizontal rays through the notch
  // vertex (5,5) and the top vertices are the classic traps of ray casting.
  const std::vector<MultiPolygon> areas = {
      {Polygon{{{0, 0}, {10, 0}, {10, 10}, {5, 5}, {0, 10}}, {}}}};
  check(areas, {
                   {{2, 5}, 0, "ray passes through the notch vertex"},
                   {{7, 5}, 0, "east of the notch vertex, below y = x"},
                   {{5, 5}, 0, "the notch vertex: (5+ε, 5+δ) is below y = x"},
                   {{5, 7}, kOut, "in the notch"},
                   {{-1, 10}, kOut, "ray along the top vertices"},
                   {{-1, 5}, kOut, "west of the square, ray through the notch"},
                   {{0, 10}, kOut, "north-west tip"},
                   {{10, 10}, kOut, "north-east tip"},
                   {{1, 8.5}, 0, "inside the west prong: 8.5 < 10 - 1"},
                   {{1, 9}, kOut, "on the edge y = 10 - x: (1+ε, 9+δ) is above it"},
                   {{9, 9.5}, kOut, "above the east prong's edge y = x"},
               });
}

// ---- invalid and overlapping input ------------------------------------------------------------

TEST(AreaIndex, OverlapLowestIndexWins) {
  const std::vector<MultiPolygon> areas = {rect_area(0, 0, 10, 10), rect_area(5, 0, 15, 10)};
  check(areas,
        {
            {{7, 5}, 0, "in both: the lower index"},
            {{2, 5}, 0, "only in area 0"},
            {{12, 5}, 1, "only in area 1"},
            {{10, 5}, 1, "area 0's east edge inside area 1"},
            {{5, 5}, 0, "area 1's west edge inside area 0: in both"},
        },
        /*may_overlap=*/true);
  const AreaIndex index(areas);
  bool several = false;
  EXPECT_EQ(index.locate({7, 5}, several), 0u);
  EXPECT_TRUE(several);
  EXPECT_EQ(index.locate({2, 5}, several), 0u);
  EXPECT_FALSE(several);
  EXPECT_EQ(index.locate({12, 5}, several), 1u);
  EXPECT_FALSE(several);
  EXPECT_EQ(index.areas_containing({7, 5}), (std::vector<std::uint32_t>{0, 1}));

  // Reversed order: still the lowest index, which is now the other square.
  const std::vector<MultiPolygon> reversed = {areas[1], areas[0]};
  const AreaIndex r(reversed);
  EXPECT_EQ(r.locate({7, 5}), 0u);
  EXPECT_EQ(r.locate({2, 5}), 1u);

  // locate_all counts the points in several areas: (7,5) and (6,1) here.
  const std::vector<double> xs = {7, 2, 12, 6}, ys = {5, 5, 5, 1};
  std::vector<std::uint32_t> out(4);
  EXPECT_EQ(index.locate_all(xs, ys, out), 2u);
}

TEST(AreaIndex, ContainedAreaIsAnOverlap) {
  // Area 1 lies wholly inside area 0; no boundaries cross, yet they overlap.
  const std::vector<MultiPolygon> areas = {rect_area(0, 0, 100, 100), rect_area(40, 40, 60, 60)};
  check(areas,
        {
            {{50, 50}, 0, "inside both: the lower index"},
            {{10, 10}, 0, "only in area 0"},
        },
        /*may_overlap=*/true);
  for (const AreaIndexOptions& o : index_shapes()) {
    const AreaIndex index(areas, o);
    bool several = false;
    EXPECT_EQ(index.locate({50, 50}, several), 0u);
    EXPECT_TRUE(several);
    EXPECT_EQ(index.locate({10, 10}, several), 0u);
    EXPECT_FALSE(several);
  }
}

// overlaps() lists every overlapping pair whatever AreaIndexOptions say, including overlaps
// whose boundaries never cross properly: collinear edges, containment.
// (Regression: with the default options the first two were missed, because detection relied
// on a reference point falling inside the overlap or on a proper crossing; fixed in 71eb7df.)
TEST(AreaIndex, OverlapsListsEveryOverlappingPair) {
  const std::vector<std::vector<MultiPolygon>> configurations = {
      {rect_area(0, 0, 10, 10), rect_area(5, 0, 15, 10)},      // collinear edges, no crossing
      {rect_area(0, 0, 100, 100), rect_area(40, 40, 60, 60)},  // containment
      {rect_area(0, 0, 10, 10), rect_area(5, 5, 15, 15)},      // boundaries cross properly
      {rect_area(0, 0, 10, 10), rect_area(0, 0, 10, 10)},      // identical
  };
  for (std::size_t k = 0; k < configurations.size(); ++k) {
    for (const AreaIndexOptions& o : index_shapes()) {
      const AreaIndex index(configurations[k], o);
      const auto overlaps = index.overlaps();
      EXPECT_EQ(overlaps.size(), 1u)
          << "configuration " << k << ", max_leaf_edges " << o.max_leaf_edges << ", max_depth "
          << o.max_depth << ", top_cells_per_edge " << o.top_cells_per_edge;
      if (overlaps.size() == 1) {
        EXPECT_EQ(overlaps[0].first, 0u);
        EXPECT_EQ(overlaps[0].second, 1u);
      }
    }
  }
}

TEST(AreaIndex, IdenticalAreasOverlap) {
  const std::vector<MultiPolygon> areas = {rect_area(0, 0, 10, 10), rect_area(0, 0, 10, 10)};
  const AreaIndex index(areas);
  bool several = false;
  EXPECT_EQ(index.locate({5, 5}, several), 0u);
  EXPECT_TRUE(several);
  EXPECT_EQ(index.locate({0, 5}, several), 0u);  // west edge: in both
  EXPECT_TRUE(several);
  EXPECT_EQ(index.locate({10, 5}), kOut);
  ASSERT_EQ(index.overlaps().size(), 1u);
  // The 4 edges are shared by both areas and stored once.
  EXPECT_EQ(index.stats().input_edges, 8u);
  EXPECT_EQ(index.stats().distinct_edges, 4u);
}

TEST(AreaIndex, TessellationHasNoOverlaps) {
  const std::vector<MultiPolygon> areas = {rect_area(0, 0, 10, 10), rect_area(10, 0, 20, 10),
                                           rect_area(0, 10, 10, 20), rect_area(10, 10, 20, 20)};
  for (const AreaIndexOptions& o : index_shapes()) {
    EXPECT_TRUE(AreaIndex(areas, o).overlaps().empty());
  }
}

TEST(AreaIndex, BowTieUsesEvenOddParity) {
  // Ring (0,0) (10,10) (10,0) (0,10): two triangular lobes meeting at (5,5), the west lobe
  // between x = 0 and the diagonals, the east lobe between the diagonals and x = 10.
  const MultiPolygon bow = {Polygon{{{0, 0}, {10, 10}, {10, 0}, {0, 10}}, {}}};
  check({bow}, {
                   {{2, 5}, 0, "west lobe"},
                   {{8, 5}, 0, "east lobe"},
                   {{5, 2}, kOut, "below the crossing"},
                   {{5, 8}, kOut, "above the crossing"},
                   {{5, 5}, 0, "the crossing: (5+ε, 5+δ) is in the east lobe"},
                   {{0, 5}, 0, "west side"},
                   {{10, 5}, kOut, "east side"},
               });
  // And the index agrees with contains_half_open on a fine grid, boundaries included.
  for (const AreaIndexOptions& o : index_shapes()) {
    const AreaIndex index(std::vector<MultiPolygon>{bow}, o);
    int mismatches = 0;
    for (int i = -2; i <= 42; ++i) {
      for (int j = -2; j <= 42; ++j) {
        const Point p{i * 0.25, j * 0.25};
        const std::uint32_t want = engine::contains_half_open(bow, p) ? 0 : kOut;
        mismatches += index.locate(p) != want;
      }
    }
    EXPECT_EQ(mismatches, 0) << "max_leaf_edges " << o.max_leaf_edges;
  }
}

TEST(AreaIndex, ContainsHalfOpenHandCases) {
  const MultiPolygon sq = rect_area(0, 0, 10, 10);
  EXPECT_TRUE(engine::contains_half_open(sq, {5, 5}));
  EXPECT_TRUE(engine::contains_half_open(sq, {0, 5}));
  EXPECT_FALSE(engine::contains_half_open(sq, {10, 5}));
  EXPECT_TRUE(engine::contains_half_open(sq, {5, 0}));
  EXPECT_FALSE(engine::contains_half_open(sq, {5, 10}));
  EXPECT_TRUE(engine::contains_half_open(sq, {0, 0}));
  EXPECT_FALSE(engine::contains_half_open(sq, {0, 10}));
  EXPECT_FALSE(engine::contains_half_open(sq, {10, 0}));
  EXPECT_FALSE(engine::contains_half_open({}, {0, 0}));
}

// ---- non-finite input ------------------------------------------------------------------

TEST(AreaIndex, NonFiniteQueriesAreOutside) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  const std::vector<MultiPolygon> areas = {rect_area(0, 0, 10, 10), rect_area(10, 0, 20, 10)};
  for (const AreaIndexOptions& o : index_shapes()) {
    const AreaIndex index(areas, o);
    for (Point p : {Point{nan, 5}, Point{5, nan}, Point{nan, nan}, Point{inf, 5}, Point{-inf, 5},
                    Point{5, inf}, Point{5, -inf}, Point{inf, inf}}) {
      bool several = true;
      EXPECT_EQ(index.locate(p, several), kOut) << p.x << ", " << p.y;
      EXPECT_FALSE(several);
    }
    const std::vector<double> xs = {nan, 5, inf}, ys = {5, 5, 5};
    std::vector<std::uint32_t> out(3);
    EXPECT_EQ(index.locate_all(xs, ys, out), 0u);
    EXPECT_EQ(out, (std::vector<std::uint32_t>{kOut, 0, kOut}));
  }
}

TEST(AreaIndex, NonFiniteCoordinateInAnAreaThrows) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  std::vector<MultiPolygon> areas = {rect_area(0, 0, 10, 10), rect_area(10, 0, 20, 10)};
  areas[1][0].exterior[2].y = nan;
  try {
    const AreaIndex index(areas);
    FAIL() << "expected engine::Error";
  } catch (const engine::Error& e) {
    EXPECT_EQ(e.kind(), engine::ErrorKind::kInput);
    EXPECT_NE(std::string(e.what()).find("#1"), std::string::npos) << e.what();
  }
  areas = {{Polygon{rect(0, 0, 10, 10), {{{1, 1}, {2, 1}, {inf, 2}}}}}};
  EXPECT_THROW(AreaIndex{areas}, engine::Error);  // in a hole
}

TEST(AreaIndex, OptionsOutOfRangeThrow) {
  const std::vector<MultiPolygon> areas = {rect_area(0, 0, 10, 10)};
  EXPECT_THROW(AreaIndex(areas, {.max_leaf_edges = 0}), engine::Error);
  EXPECT_THROW(AreaIndex(areas, {.max_depth = -1}), engine::Error);
  EXPECT_THROW(AreaIndex(areas, {.max_depth = 25}), engine::Error);
  EXPECT_THROW(AreaIndex(areas, {.top_cells_per_edge = 0}), engine::Error);
  EXPECT_THROW(AreaIndex(areas, {.top_cells_per_edge = std::nan("")}), engine::Error);
  EXPECT_THROW(AreaIndex(areas, {.max_top_cells = 0}), engine::Error);
}

// ---- scale --------------------------------------------------------------------------------

TEST(AreaIndex, TinyCoordinates) {
  // Millimetre-sized squares sharing an edge at x = 0.001 (not a dyadic number; both squares
  // use the same double, so the shared-edge rule still applies exactly).
  const std::vector<MultiPolygon> areas = {rect_area(0, 0, 0.001, 0.001),
                                           rect_area(0.001, 0, 0.002, 0.001)};
  check(areas, {
                   {{0.0005, 0.0005}, 0, "west square"},
                   {{0.0015, 0.0005}, 1, "east square"},
                   {{0.001, 0.0005}, 1, "shared edge: east"},
                   {{0.002, 0.0005}, kOut, "east edge"},
                   {{0.0005, 0.001}, kOut, "north edge"},
                   {{0, 0}, 0, "south-west corner"},
               });
}

TEST(AreaIndex, HugeCoordinates) {
  // Squares around 1e7 (beyond British National Grid), with a fine feature: a 0.5 m square
  // notch area 2 inside area 0's hole.
  const double b = 1e7;
  const std::vector<MultiPolygon> areas = {
      {Polygon{rect(b, b, b + 1000, b + 1000), {rect(b + 10, b + 10, b + 10.5, b + 10.5)}}},
      rect_area(b + 1000, b, b + 2000, b + 1000),
      rect_area(b + 10, b + 10, b + 10.5, b + 10.5),
  };
  check(areas, {
                   {{b + 500, b + 500}, 0, "west square"},
                   {{b + 1500, b + 500}, 1, "east square"},
                   {{b + 1000, b + 500}, 1, "shared edge: east"},
                   {{b + 2000, b + 500}, kOut, "east edge of the pair"},
                   {{b + 10.25, b + 10.25}, 2, "inside the small enclave"},
                   {{b + 10, b + 10.25}, 2, "enclave's west edge"},
                   {{b + 10.5, b + 10.25}, 0, "enclave's east edge"},
                   {{b + 10.25, b + 10.5}, 0, "enclave's north edge"},
                   {{b + 10.25, b + 10}, 2, "enclave's south edge"},
                   {{b + 10.5 + std::ldexp(1.0, -29), b + 10.25},
                    0,
                    "one ulp (2^-29 at 1e7) east of the enclave"},
                   {{b + 10.5 - std::ldexp(1.0, -29), b + 10.25},
                    2,
                    "one ulp west of the enclave's east edge"},
               });
}

// Fine features far from the origin: a 6 × 6 jittered lattice of 10 µm quadrilaterals at 1e7
// (about 5,000 units in the last place per quadrilateral), indexed with one-edge leaves and an
// 8-level quadtree. Points on and within two ulps of every edge are checked against
// contains_half_open, the documented rule (brute force over all areas).
//
// History: with max_depth 12 (cells of ~16 ulps) this test found wrong answers, e.g. the point
// (0x1.312d000001535p+23, 0x1.312dp+23) on the study's south border, seed 9, reported outside
// instead of area 1, because the edge-assignment margin was relative to the extent rather than
// to the coordinates' magnitude; fixed in 71eb7df. Splitting stops at a few margins, so the
// deep tree (max_depth 12) builds quickly.
TEST(AreaIndex, FineFeaturesAtLargeMagnitude) {
  constexpr int n = 6;
  const double s = 1e-5, off = 1e7;
  std::size_t wrong = 0, checked = 0;
  for (std::uint64_t seed : {1, 9}) {
    std::mt19937_64 rng(seed);
    auto uniform = [&] { return std::ldexp(static_cast<double>(rng() >> 11), -53); };
    std::vector<Point> v((n + 1) * (n + 1));
    for (int j = 0; j <= n; ++j) {
      for (int i = 0; i <= n; ++i) {
        double x = off + i * s, y = off + j * s;
        if (i > 0 && i < n) x += (uniform() - 0.5) * 0.6 * s;
        if (j > 0 && j < n) y += (uniform() - 0.5) * 0.6 * s;
        v[static_cast<std::size_t>(j * (n + 1) + i)] = {x, y};
      }
    }
    auto at = [&](int i, int j) { return v[static_cast<std::size_t>(j * (n + 1) + i)]; };
    std::vector<MultiPolygon> areas;
    for (int j = 0; j < n; ++j)
      for (int i = 0; i < n; ++i)
        areas.push_back({Polygon{{at(i, j), at(i + 1, j), at(i + 1, j + 1), at(i, j + 1)}, {}}});
    const AreaIndex index(areas, {.max_leaf_edges = 1, .max_depth = 12});
    if (seed == 9) {
      // A point on the south border (y = off exactly; bottom vertices are not jittered in y)
      // between bottom vertices 1 and 2: on quadrilateral 1's south edge, so in area 1.
      const Point p{0x1.312d000001535p+23, 0x1.312dp+23};
      ASSERT_EQ(p.y, off);
      ASSERT_TRUE(at(1, 0).x <= p.x && p.x < at(2, 0).x);
      ASSERT_TRUE(engine::contains_half_open(areas[1], p));
      EXPECT_EQ(index.locate(p), 1u) << "a premise on the study's south border is lost";
    }
    for (const MultiPolygon& area : areas) {
      const Ring& r = area[0].exterior;
      for (std::size_t k = 0; k < r.size(); ++k) {
        const Point a = r[k], b = r[(k + 1) % r.size()];
        for (int q = 0; q < 100; ++q) {
          const double t = uniform();
          const Point on{a.x + t * (b.x - a.x), a.y + t * (b.y - a.y)};
          for (int dx = -2; dx <= 2; ++dx) {
            for (int dy = -2; dy <= 2; ++dy) {
              Point p = on;
              for (int z = 0; z < std::abs(dx); ++z) p.x = std::nextafter(p.x, dx * HUGE_VAL);
              for (int z = 0; z < std::abs(dy); ++z) p.y = std::nextafter(p.y, dy * HUGE_VAL);
              std::uint32_t want = kOut;
              for (std::uint32_t c = 0; c < areas.size(); ++c) {
                if (engine::contains_half_open(areas[c], p)) {
                  want = c;
                  break;
                }
              }
              const std::uint32_t got = index.locate(p);
              ++checked;
              if (got != want && ++wrong <= 5) {
                ADD_FAILURE() << std::hexfloat << "seed " << seed << ", p = (" << p.x << ", " << p.y
                              << "): want " << want << ", got " << got;
              }
            }
          }
        }
      }
    }
  }
  EXPECT_EQ(wrong, 0u) << "of " << checked;
}

// Quadtree cells near the coordinate resolution: chessboards of tiny squares at 1e7, e.g. 2 × 2
// squares of 2^-22 m (128 ulps each) indexed with the default options. Squares and query points
// are dyadic, so every coordinate is exact and the answers follow by hand: the square
// (floor(x), floor(y)) in square units inside the board, else outside.
//
// Regression: the build used to throw an internal error ("no reference point off the edges")
// here, splitting cells down to one unit in the last place; splitting now stops at a few
// edge-assignment margins and such leaves answer by ray casting.
TEST(AreaIndex, DeepTreesAtCoordinateResolution) {
  struct Setup {
    int size_exponent;
    int board;
    AreaIndexOptions options;
  };
  const Setup setups[] = {
      {-22, 2, {}},
      {-20, 2, {.max_leaf_edges = 4, .top_cells_per_edge = 3.0}},
      {-16, 8, {.max_leaf_edges = 1, .max_depth = 16, .top_cells_per_edge = 0.01}},
  };
  const double off = 1e7;
  for (const Setup& setup : setups) {
    const double s = std::ldexp(1.0, setup.size_exponent);
    const int n = setup.board;
    std::vector<MultiPolygon> areas;
    for (int j = 0; j < n; ++j)
      for (int i = 0; i < n; ++i)
        areas.push_back(rect_area(off + i * s, off + j * s, off + (i + 1) * s, off + (j + 1) * s));
    const std::string label = std::to_string(n) + " x " + std::to_string(n) + " squares of 2^" +
                              std::to_string(setup.size_exponent) + " m, max_leaf_edges " +
                              std::to_string(setup.options.max_leaf_edges) + ", max_depth " +
                              std::to_string(setup.options.max_depth);
    try {
      const AreaIndex index(areas, setup.options);
      std::size_t wrong = 0;
      for (int i = -4; i < 8 * n + 4; ++i) {
        for (int j = -4; j < 8 * n + 4; ++j) {
          const Point p{off + i * s / 8, off + j * s / 8};
          const bool in = i >= 0 && j >= 0 && i < 8 * n && j < 8 * n;
          const std::uint32_t want = in ? static_cast<std::uint32_t>((j / 8) * n + i / 8) : kOut;
          wrong += index.locate(p) != want;
        }
      }
      EXPECT_EQ(wrong, 0u) << label;
    } catch (const engine::Error& e) {
      ADD_FAILURE() << label << ": " << e.what();
    }
  }
}

// ---- stats, batch and threads ------------------------------------------------------------

TEST(AreaIndex, StatsCountSharedEdgesOnce) {
  const std::vector<MultiPolygon> areas = {rect_area(0, 0, 10, 10), rect_area(10, 0, 20, 10)};
  const AreaIndex index(areas);
  const AreaIndex::Stats& s = index.stats();
  EXPECT_EQ(s.areas, 2u);
  EXPECT_EQ(s.input_edges, 8u);
  EXPECT_EQ(s.distinct_edges, 7u) << "the shared edge x = 10 is stored once";
  EXPECT_GT(s.boundary_leaves, 0u);
  EXPECT_GE(s.top_columns, 1u);
  EXPECT_GE(s.top_rows, 1u);
  EXPECT_GT(s.memory_bytes, 0u);
  EXPECT_EQ(s.fallback_leaves, 0u);
  // The extent covers both squares.
  const engine::Box e = index.extent();
  EXPECT_LE(e.xmin, 0);
  EXPECT_LE(e.ymin, 0);
  EXPECT_GE(e.xmax, 20);
  EXPECT_GE(e.ymax, 10);

  // A closing vertex repeated at the end adds a zero-length edge that is not indexed.
  std::vector<MultiPolygon> closed = areas;
  closed[0][0].exterior.push_back(closed[0][0].exterior.front());
  EXPECT_EQ(AreaIndex(closed).stats().distinct_edges, 7u);
}

TEST(AreaIndex, StatsRespectOptions) {
  // A 6 × 6 chessboard of unit squares: with max_depth = 0 no quadtree is built; with
  // max_leaf_edges = 1 and a single top cell the tree must go deep.
  std::vector<MultiPolygon> areas;
  for (int i = 0; i < 6; ++i)
    for (int j = 0; j < 6; ++j) areas.push_back(rect_area(i, j, i + 1, j + 1));
  const AreaIndex flat(areas, {.max_leaf_edges = 1, .max_depth = 0});
  EXPECT_EQ(flat.stats().quadtree_nodes, 0u);
  EXPECT_EQ(flat.stats().deepest_level, 0);
  const AreaIndex deep(areas, {.max_leaf_edges = 1, .max_depth = 24, .max_top_cells = 1});
  EXPECT_EQ(deep.stats().top_columns * deep.stats().top_rows, 1u);
  EXPECT_GT(deep.stats().quadtree_nodes, 0u);
  EXPECT_GT(deep.stats().deepest_level, 0);
  EXPECT_LE(deep.stats().deepest_level, 24);
  // Distinct edges of a 6 × 6 grid: 7 lines × 6 unit segments, horizontal and vertical.
  EXPECT_EQ(deep.stats().distinct_edges, 84u);
  EXPECT_EQ(deep.stats().input_edges, 144u);
}

TEST(AreaIndex, LocateAllEqualsLocateWithAnyThreadCount) {
  // Chessboard of 8 × 8 unit squares; 200,000 points on a 1/64 lattice (many on edges and
  // vertices) plus some outside. Each answer is hand-derivable: floor(x), floor(y) inside
  // [0,8)², else outside.
  std::vector<MultiPolygon> areas;
  for (int j = 0; j < 8; ++j)
    for (int i = 0; i < 8; ++i) areas.push_back(rect_area(i, j, i + 1, j + 1));
  std::vector<double> xs, ys;
  std::vector<std::uint32_t> want;
  for (int i = -20; i < 8 * 64 + 20; ++i) {
    for (int j = -20; j < 8 * 64 + 20; j += 1) {
      const double x = i / 64.0, y = j / 64.0;
      xs.push_back(x);
      ys.push_back(y);
      const bool in = x >= 0 && x < 8 && y >= 0 && y < 8;
      want.push_back(in ? static_cast<std::uint32_t>(std::floor(y) * 8 + std::floor(x)) : kOut);
    }
  }
  ASSERT_GT(xs.size(), 200000u);
  for (const AreaIndexOptions& o : index_shapes()) {
    std::vector<std::uint32_t> one(xs.size()), four(xs.size());
    std::size_t several_one = 1, several_four = 1;
    tbb::task_arena(1).execute([&] {
      const AreaIndex index(areas, o);
      several_one = index.locate_all(xs, ys, one);
    });
    tbb::task_arena(4).execute([&] {
      const AreaIndex index(areas, o);
      several_four = index.locate_all(xs, ys, four);
      std::size_t mismatches = 0;
      for (std::size_t k = 0; k < xs.size(); ++k)
        mismatches += index.locate({xs[k], ys[k]}) != four[k];
      EXPECT_EQ(mismatches, 0u);
    });
    EXPECT_EQ(several_one, 0u);
    EXPECT_EQ(several_four, 0u);
    std::size_t wrong = 0;
    for (std::size_t k = 0; k < want.size(); ++k) wrong += one[k] != want[k] || four[k] != want[k];
    EXPECT_EQ(wrong, 0u) << "max_leaf_edges " << o.max_leaf_edges << ", max_depth " << o.max_depth;
  }
}

TEST(AreaIndex, LocateAllRejectsMismatchedSpans) {
  const std::vector<MultiPolygon> areas = {rect_area(0, 0, 10, 10)};
  const AreaIndex index(areas);
  const std::vector<double> xs = {1, 2}, ys = {1};
  std::vector<std::uint32_t> out(2);
  EXPECT_THROW(index.locate_all(xs, ys, out), engine::Error);
}

TEST(AreaIndex, MoveKeepsTheIndex) {
  const std::vector<MultiPolygon> areas = {rect_area(0, 0, 10, 10), rect_area(10, 0, 20, 10)};
  AreaIndex a(areas);
  AreaIndex b(std::move(a));
  EXPECT_EQ(b.locate({10, 5}), 1u);
  AreaIndex c(std::vector<MultiPolygon>{});
  c = std::move(b);
  EXPECT_EQ(c.locate({10, 5}), 1u);
  EXPECT_EQ(c.area_count(), 2u);
}

}  // namespace
}  // namespace notspot
