// Unit tests of the plain geometry helpers: areas, bounding boxes, vertex counts, finiteness.
// Every expected value is worked out by hand in the comment next to it.

#include "notspot/engine/geometry.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace notspot {
namespace {

using engine::Box;
using engine::MultiPolygon;
using engine::Point;
using engine::Polygon;
using engine::Ring;

Ring square(double x0, double y0, double size) {
  return {{x0, y0}, {x0 + size, y0}, {x0 + size, y0 + size}, {x0, y0 + size}};  // CCW
}

Ring reversed(Ring r) {
  std::reverse(r.begin(), r.end());
  return r;
}

TEST(Geometry, SignedAreaFollowsOrientation) {
  // 10 × 10 square: +100 counter-clockwise, -100 clockwise.
  EXPECT_EQ(engine::signed_area(square(0, 0, 10)), 100.0);
  EXPECT_EQ(engine::signed_area(reversed(square(0, 0, 10))), -100.0);
  // Right triangle with legs 4 and 3: 6.
  EXPECT_EQ(engine::signed_area({{0, 0}, {4, 0}, {0, 3}}), 6.0);
  EXPECT_EQ(engine::signed_area({{0, 0}, {0, 3}, {4, 0}}), -6.0);
  // Any starting vertex gives the same area.
  EXPECT_EQ(engine::signed_area({{4, 0}, {0, 3}, {0, 0}}), 6.0);
  // L-shape: 10 × 10 square minus its 5 × 5 north-east quarter = 75.
  EXPECT_EQ(engine::signed_area({{0, 0}, {10, 0}, {10, 5}, {5, 5}, {5, 10}, {0, 10}}), 75.0);
  // A repeated closing vertex adds a zero-length edge and changes nothing.
  Ring closed = square(0, 0, 10);
  closed.push_back(closed.front());
  EXPECT_EQ(engine::signed_area(closed), 100.0);
}

TEST(Geometry, SignedAreaOfDegenerateRings) {
  EXPECT_EQ(engine::signed_area({}), 0.0);
  EXPECT_EQ(engine::signed_area({{1, 1}}), 0.0);
  EXPECT_EQ(engine::signed_area({{1, 1}, {5, 7}}), 0.0);
  // Collinear vertices enclose nothing.
  EXPECT_EQ(engine::signed_area({{0, 0}, {1, 1}, {2, 2}, {3, 3}}), 0.0);
  // A bow-tie's lobes have opposite orientations (shoelace gives +25 and -25): 0.
  EXPECT_EQ(engine::signed_area({{0, 0}, {10, 10}, {10, 0}, {0, 10}}), 0.0);
}

TEST(Geometry, SignedAreaAtNationalGridCoordinates) {
  // A 0.5 × 0.5 m right triangle at British National Grid magnitudes: exactly 0.125 m² (every
  // coordinate difference and product here is exact in doubles).
  const double x = 412345.25, y = 1087654.5;
  EXPECT_EQ(engine::signed_area({{x, y}, {x + 0.5, y}, {x, y + 0.5}}), 0.125);
  // A 1 m square at 1e7 magnitude: 1.
  EXPECT_EQ(engine::signed_area(square(1e7, 1e7, 1)), 1.0);
}

TEST(Geometry, AreaIgnoresOrientationAndSubtractsHoles) {
  // 10 × 10 square with a 2 × 2 hole and a 1 × 1 hole: 100 - 4 - 1 = 95, whatever the ring
  // orientations.
  const Ring outer = square(0, 0, 10);
  const Ring hole1 = square(2, 2, 2);
  const Ring hole2 = square(6, 6, 1);
  for (bool flip_outer : {false, true}) {
    for (bool flip_holes : {false, true}) {
      Polygon p;
      p.exterior = flip_outer ? reversed(outer) : outer;
      p.holes = {flip_holes ? reversed(hole1) : hole1, flip_holes ? hole2 : reversed(hole2)};
      EXPECT_EQ(engine::area(p), 95.0) << flip_outer << flip_holes;
    }
  }
  // No holes: just the exterior.
  EXPECT_EQ(engine::area(Polygon{reversed(square(0, 0, 3)), {}}), 9.0);
}

TEST(Geometry, AreaOfMultiPolygonSumsParts) {
  // 4 × 4 square (16) with a 1 × 1 hole (-1), plus a clockwise 2 × 2 island (4): 19.
  const MultiPolygon m = {Polygon{square(0, 0, 4), {square(1, 1, 1)}},
                          Polygon{reversed(square(10, 10, 2)), {}}};
  EXPECT_EQ(engine::area(m), 19.0);
  EXPECT_EQ(engine::area(MultiPolygon{}), 0.0);
}

TEST(Geometry, BoundingBox) {
  const MultiPolygon m = {Polygon{square(0, 0, 4), {square(1, 1, 1)}},
                          Polygon{{{10, -3}, {12, 5}, {11, 7}}, {}}};
  const Box b = engine::bounding_box(m);
  EXPECT_EQ(b.xmin, 0);
  EXPECT_EQ(b.ymin, -3);
  EXPECT_EQ(b.xmax, 12);
  EXPECT_EQ(b.ymax, 7);
  EXPECT_FALSE(b.empty());
  EXPECT_EQ(b.width(), 12);
  EXPECT_EQ(b.height(), 10);

  // Hole vertices count too ("all vertices"), even one that pokes out of an invalid polygon.
  const MultiPolygon poke = {Polygon{square(0, 0, 4), {{{1, 1}, {2, 1}, {2, -9}}}}};
  EXPECT_EQ(engine::bounding_box(poke).ymin, -9);

  // Nothing: an empty box.
  EXPECT_TRUE(engine::bounding_box({}).empty());
  EXPECT_TRUE(engine::bounding_box(MultiPolygon{Polygon{}}).empty());
}

TEST(Geometry, AreaOfTriangleWithTriangularHoleAtNationalGridCoordinates) {
  // Right triangle with legs 8 (area 32) less a right-triangle hole with legs 2 (area 2): 30.
  // Both given clockwise, and shifted to British National Grid magnitudes where every coordinate
  // difference is exact: the area must not lose digits to the size of the coordinates.
  const double x = 400000, y = 100000;
  const Polygon p{{{x, y}, {x, y + 8}, {x + 8, y}},
                  {{{x + 1, y + 1}, {x + 1, y + 3}, {x + 3, y + 1}}}};
  EXPECT_EQ(engine::area(p), 30.0);
  EXPECT_EQ(engine::signed_area(p.exterior), -32.0);
  // A 0.1 m square at (412345.7, 1087654.3): its stored sides are the exact differences w and h
  // (neither 0.1 quite), so its area is w * h to a few ulps. Summed without the shift to the
  // first vertex, the terms are ~8e4 and their rounding alone is ~1e-11.
  const double x0 = 412345.7, y0 = 1087654.3;
  const Ring small = square(x0, y0, 0.1);
  const double w = small[1].x - x0, h = small[2].y - y0;
  EXPECT_NEAR(engine::area(Polygon{small, {}}), w * h, 1e-15);
}

TEST(Geometry, AreaOfMultiPolygonWithHolesInSeveralParts) {
  // Part 1: 6 x 4 rectangle (24) with two 1 x 1 holes (-2) = 22. Part 2: clockwise triangle with
  // base 4 and height 3 (6) with a clockwise 1 x 1 hole (-1) = 5. Part 3: a sliver with no area.
  const MultiPolygon m = {
      Polygon{{{0, 0}, {6, 0}, {6, 4}, {0, 4}}, {square(1, 1, 1), reversed(square(3, 2, 1))}},
      Polygon{{{20, 0}, {22, 3}, {24, 0}}, {reversed(square(21.5, 0.5, 1))}},
      Polygon{{{30, 30}, {31, 31}, {32, 32}}, {}}};
  EXPECT_EQ(engine::area(m[0]), 22.0);
  EXPECT_EQ(engine::area(m[1]), 5.0);
  EXPECT_EQ(engine::area(m[2]), 0.0);
  EXPECT_EQ(engine::area(m), 27.0);
}

TEST(Geometry, BoundingBoxSkipsEmptyRingsAndReadsHolesOfEmptyExteriors) {
  // An empty part and an empty hole add nothing; a part with no exterior still has its holes'
  // vertices counted (the box covers every vertex).
  const MultiPolygon m = {Polygon{}, Polygon{square(2, 3, 1), {Ring{}}},
                          Polygon{Ring{}, {{{-5, 10}, {-4, 10}, {-4, 11}}}}};
  const Box b = engine::bounding_box(m);
  EXPECT_EQ(b.xmin, -5);
  EXPECT_EQ(b.ymin, 3);
  EXPECT_EQ(b.xmax, 3);
  EXPECT_EQ(b.ymax, 11);
  // One vertex: a box of no size, not empty.
  const Box point = engine::bounding_box(MultiPolygon{Polygon{{{7, -2}}, {}}});
  EXPECT_FALSE(point.empty());
  EXPECT_EQ(point.xmin, 7);
  EXPECT_EQ(point.xmax, 7);
  EXPECT_EQ(point.ymin, -2);
  EXPECT_EQ(point.ymax, -2);
}

TEST(Geometry, BoxContainsIsClosed) {
  const Box b{0, 0, 10, 5};
  EXPECT_TRUE(b.contains({0, 0}));
  EXPECT_TRUE(b.contains({10, 5}));
  EXPECT_TRUE(b.contains({3, 5}));
  EXPECT_FALSE(b.contains({10.000001, 2}));
  EXPECT_FALSE(b.contains({std::nan(""), 2}));
  EXPECT_TRUE(b.intersects(Box{10, 5, 20, 20}));  // touching at a corner
  EXPECT_FALSE(b.intersects(Box{10.5, 0, 20, 20}));
}

TEST(Geometry, VertexCount) {
  // 4 (exterior) + 4 (hole) + 3 (triangle) = 11.
  const MultiPolygon m = {Polygon{square(0, 0, 4), {square(1, 1, 1)}},
                          Polygon{{{10, -3}, {12, 5}, {11, 7}}, {}}};
  EXPECT_EQ(engine::vertex_count(m), 11u);
  EXPECT_EQ(engine::vertex_count({}), 0u);
}

TEST(Geometry, AllFinite) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  const MultiPolygon good = {Polygon{square(0, 0, 4), {square(1, 1, 1)}}};
  EXPECT_TRUE(engine::all_finite(good));
  EXPECT_TRUE(engine::all_finite({}));

  MultiPolygon bad = good;
  bad[0].exterior[2].x = nan;
  EXPECT_FALSE(engine::all_finite(bad));
  bad = good;
  bad[0].exterior[1].y = -inf;
  EXPECT_FALSE(engine::all_finite(bad));
  // Holes are checked too, and later parts.
  bad = good;
  bad[0].holes[0][3].y = inf;
  EXPECT_FALSE(engine::all_finite(bad));
  bad = good;
  bad.push_back(Polygon{{{0, 0}, {1, 0}, {nan, 1}}, {}});
  EXPECT_FALSE(engine::all_finite(bad));
  // The largest finite double is finite.
  bad = good;
  bad[0].exterior[0].x = std::numeric_limits<double>::max();
  EXPECT_TRUE(engine::all_finite(bad));
}

}  // namespace
}  // namespace notspot
