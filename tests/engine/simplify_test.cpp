// Douglas-Peucker simplification of polylines and rings (simplify.hpp). Every expected vertex list
// is worked out by hand in the comment next to it.

#include "notspot/engine/simplify.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace notspot::engine {
namespace {

using Points = std::vector<Point>;

TEST(SimplifyPolyline, ZigZagMiddleVertexWithinOrOverTolerance) {
  // The chord is y = 0 from (0, 0) to (10, 0); the middle vertex is 1 off it.
  const Points zig = {{0, 0}, {5, 1}, {10, 0}};
  EXPECT_EQ(simplify_polyline(zig, 1.5), (Points{{0, 0}, {10, 0}}));
  EXPECT_EQ(simplify_polyline(zig, 0.5), zig);
  // Exactly at the tolerance is within it: only vertices farther away are kept.
  EXPECT_EQ(simplify_polyline(zig, 1.0), (Points{{0, 0}, {10, 0}}));
}

TEST(SimplifyPolyline, RecursesOnBothSidesOfTheKeptVertex) {
  // (4, 3) is 3 off the chord y = 0 and kept at tolerance 1. Against (0,0)-(4,3), i.e.
  // 3x - 4y = 0, (2, 1.2) is |6 - 4.8| / 5 = 0.24 off: dropped. Against (4,3)-(8,0), i.e.
  // 3x + 4y = 24, (6, 0) is |18 - 24| / 5 = 1.2 off: kept.
  const Points line = {{0, 0}, {2, 1.2}, {4, 3}, {6, 0}, {8, 0}};
  EXPECT_EQ(simplify_polyline(line, 1.0), (Points{{0, 0}, {4, 3}, {6, 0}, {8, 0}}));
}

TEST(SimplifyPolyline, MeasuresToTheSegmentNotToTheLine) {
  // (-2, 0) lies on the line through the ends but 2 behind (0, 0): the drawn chord would miss
  // it by 2, so it is kept (a distance to the infinite line, 0, would drop it).
  const Points line = {{0, 0}, {-2, 0}, {10, 0}};
  EXPECT_EQ(simplify_polyline(line, 0.5), line);
}

TEST(SimplifyPolyline, ShortPolylinesAreReturnedAsTheyAre) {
  EXPECT_EQ(simplify_polyline({}, 1), Points{});
  EXPECT_EQ(simplify_polyline({{1, 2}}, 1), (Points{{1, 2}}));
  EXPECT_EQ(simplify_polyline({{1, 2}, {1.1, 2}}, 1), (Points{{1, 2}, {1.1, 2}}));
}

TEST(SimplifyRing, CutsAtTheFarthestVertexAndStaysClosed) {
  // A 10 x 10 square with a 0.2 bump in the middle of each side. The farthest vertex from
  // (0, 0) is (10, 10), so the halves are (0,0)..(10,10) and (10,10)..(0,0); at tolerance 0.5
  // every bump goes, both cut vertices stay, and so do the other two corners (10 off the
  // diagonal chord). The result starts at the ring's first vertex and does not repeat it.
  const Ring bumpy = {{0, 0},   {5, -0.2}, {10, 0}, {10.2, 5},
                      {10, 10}, {5, 10.2}, {0, 10}, {-0.2, 5}};
  EXPECT_EQ(simplify_ring(bumpy, 0.5), (Ring{{0, 0}, {10, 0}, {10, 10}, {0, 10}}));
  // At 0.1 every bump is over the tolerance: nothing is dropped.
  EXPECT_EQ(simplify_ring(bumpy, 0.1), bumpy);
}

TEST(SimplifyRing, KeepsAtLeastThreeVertices) {
  // A sliver: (5, 0.1) and (5, -0.1) are 0.1 off the chord (0,0)-(10,0), under tolerance 1, so
  // both halves shrink to their ends and two vertices would be left: the ring comes back whole.
  const Ring sliver = {{0, 0}, {5, -0.1}, {10, 0}, {5, 0.1}};
  EXPECT_EQ(simplify_ring(sliver, 1), sliver);
  // A triangle keeps its three vertices at any tolerance.
  const Ring triangle = {{0, 0}, {4, 0}, {0, 3}};
  EXPECT_EQ(simplify_ring(triangle, 100), triangle);
  // Fewer than three vertices, or all on one point: returned as they are.
  EXPECT_EQ(simplify_ring({{1, 1}, {2, 2}}, 0.1), (Ring{{1, 1}, {2, 2}}));
  EXPECT_EQ(simplify_ring({{3, 3}, {3, 3}, {3, 3}}, 0.1), (Ring{{3, 3}, {3, 3}, {3, 3}}));
}

}  // namespace
}  // namespace notspot::engine
