#pragma once

#include "notspot/engine/geometry.hpp"

namespace notspot::engine {

/**
 * Exact orientation of c relative to the directed line a→b: +1 when c lies to the left
 * (counter-clockwise turn), -1 to the right, 0 when the three points are exactly collinear.
 *
 * The sign is exact for finite inputs whose coordinates differ by less than about 1e150 (any
 * real-world coordinates): a floating-point filter answers almost every call, the rare
 * near-collinear case is decided with error-free expansion arithmetic, and inputs of extreme
 * magnitude are rescaled by a power of two first so that products cannot underflow. Exactness is what lets point location agree with GEOS (whose orientation
 * index is also exact) and lets a point on an edge shared by two areas get the same answer
 * from both.
 */
int orientation(Point a, Point b, Point c);

/// The same predicate without the fast filter: used by tests to check the filter.
int orientation_exact(Point a, Point b, Point c);

}  // namespace notspot::engine
