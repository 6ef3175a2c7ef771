#pragma once

#include <cmath>

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
inline int orientation(Point a, Point b, Point c);

/// The same predicate without the fast filter: used by tests to check the filter.
int orientation_exact(Point a, Point b, Point c);

namespace detail {
/// The filter's fallback: near-collinear inputs and extreme magnitudes.
int orientation_slow(Point a, Point b, Point c);
}  // namespace detail

// The floating-point filter is inline: it is the innermost operation of point location.
inline int orientation(Point a, Point b, Point c) {
  const double adx = a.x - c.x, ady = a.y - c.y, bdx = b.x - c.x, bdy = b.y - c.y;
  const double det_left = adx * bdy;
  const double det_right = ady * bdx;
  const double det = det_left - det_right;
  // Shewchuk's bound for the rounding error of the expression above.
  constexpr double kEpsilon = 0x1p-53;
  constexpr double kErrorBound = (3.0 + 16.0 * kEpsilon) * kEpsilon;
  const double det_sum = std::abs(det_left) + std::abs(det_right);
  // Products far from underflow and overflow, and a determinant clear of the error bound:
  // the sign is certain. (Exact zeros from equal coordinates, e.g. on axis-aligned edges,
  // are decided by the slow path's first checks.)
  if (det_sum > 0x1p-600 && det_sum < 0x1p600 && std::abs(det) >= kErrorBound * det_sum) {
    return (det > 0) - (det < 0);
  }
  return detail::orientation_slow(a, b, c);
}

}  // namespace notspot::engine
