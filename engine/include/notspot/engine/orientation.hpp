#pragma once

#include "notspot/engine/geometry.hpp"

namespace notspot::engine {

/**
 * Exact orientation of c relative to the directed line a→b: +1 when c lies to the left
 * (counter-clockwise turn), -1 to the right, 0 when the three points are exactly collinear.
 *
 * The sign is exact for every finite input: a floating-point filter answers almost every
 * call, the rare near-collinear case is decided with error-free expansion arithmetic, and
 * the pathological case of products that could underflow or overflow (differences beyond
 * 1e±240, never met in real coordinates) with big integers. Non-finite inputs give 0. Exactness is
 * what lets point location agree with GEOS (whose orientation index is also exact) and lets a point
 * on an edge shared by two areas get the same answer from both.
 */
int orientation(Point a, Point b, Point c);

/// The same predicate without the fast filter: used by tests to check the filter.
int orientation_exact(Point a, Point b, Point c);

}  // namespace notspot::engine
