#pragma once

#include <vector>

#include "notspot/engine/geometry.hpp"

namespace notspot::engine {

/**
 * Douglas-Peucker simplification of an open polyline: keeps the first and the last vertex, and
 * recursively every vertex farther than `tolerance` from the segment joining the vertices kept
 * on either side of it.
 *
 * Typical usage:
 * @code
 *   std::vector<Point> line = simplify_polyline(track, 0.5);
 * @endcode
 *
 * @param polyline vertices in order; with 2 or fewer it is returned as it is.
 * @param tolerance in the polyline's units. REQUIRES: >= 0.
 * @return the kept vertices, a subsequence of `polyline`.
 */
std::vector<Point> simplify_polyline(const std::vector<Point>& polyline, double tolerance);

/**
 * Douglas-Peucker simplification of a ring. A closed ring has no chord to measure against, so it
 * is cut at its first vertex and at the vertex farthest from it, and each half is simplified as
 * a polyline; both cut vertices are kept, which also keeps the ring's extent.
 *
 * @param ring vertices without the closing repeat (geometry.hpp).
 * @param tolerance in the ring's units. REQUIRES: >= 0.
 * @return the kept vertices in order, starting with ring.front(); the ring itself when the
 *   result would have fewer than 3 vertices (so it still encloses something) or when it has
 *   fewer than 3 already.
 */
Ring simplify_ring(const Ring& ring, double tolerance);

}  // namespace notspot::engine
