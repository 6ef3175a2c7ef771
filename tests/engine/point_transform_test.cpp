// The engine's view of a reprojection: the vertex-by-vertex helpers of PointTransform, checked
// with a hand-written shift, and the identity factory.

#include "notspot/engine/point_transform.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <vector>

namespace notspot::engine {
namespace {

// Moves every point by (+10, -5) and counts the calls, to see how the helpers batch.
class Shift final : public PointTransform {
 public:
  using PointTransform::transform;
  void transform(std::span<double> x, std::span<double> y) const override {
    ++calls;
    for (double& v : x) v += 10;
    for (double& v : y) v -= 5;
  }
  mutable int calls = 0;
};

TEST(PointTransform, PointsAndEveryRingOfAMultiPolygon) {
  const Shift shift;
  EXPECT_EQ(shift.transform(Point{1, 2}), (Point{11, -3}));
  MultiPolygon m = {{{{0, 0}, {4, 0}, {4, 4}}, {{{1, 1}, {2, 1}, {1, 2}}}},
                    {{{10, 10}, {12, 10}, {12, 12}}, {}}};
  shift.calls = 0;
  shift.transform(m);
  EXPECT_EQ(shift.calls, 3);  // one batch per ring
  EXPECT_EQ(m[0].exterior, (Ring{{10, -5}, {14, -5}, {14, -1}}));
  EXPECT_EQ(m[0].holes[0], (Ring{{11, -4}, {12, -4}, {11, -3}}));
  EXPECT_EQ(m[1].exterior, (Ring{{20, 5}, {22, 5}, {22, 7}}));
  EXPECT_FALSE(shift.is_identity());
}

TEST(PointTransform, IdentityLeavesPointsWhereTheyAre) {
  const PointTransformFactory factory = identity_transform();
  const std::unique_ptr<PointTransform> a = factory(), b = factory();
  ASSERT_NE(a.get(), b.get());
  EXPECT_TRUE(a->is_identity());
  std::vector<double> xs = {1.5, -2}, ys = {3, 4.25};
  a->transform(xs, ys);
  EXPECT_EQ(xs, (std::vector<double>{1.5, -2}));
  EXPECT_EQ(ys, (std::vector<double>{3, 4.25}));
  MultiPolygon m = {{{{0, 0}, {1, 0}, {0, 1}}, {}}};
  b->transform(m);
  EXPECT_EQ(m[0].exterior, (Ring{{0, 0}, {1, 0}, {0, 1}}));
}

}  // namespace
}  // namespace notspot::engine
