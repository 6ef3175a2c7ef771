#include "notspot/engine/simplify.hpp"

#include <boost/geometry/algorithms/simplify.hpp>
#include <boost/geometry/geometries/linestring.hpp>
#include <cmath>

#include "detail/boost_geometry_adapt.hpp"

namespace notspot::engine {
namespace {

using Linestring = boost::geometry::model::linestring<Point>;

// Index of the vertex farthest from the first (the first of equals).
std::size_t farthest_from_front(const Ring& ring) {
  std::size_t far = 0;
  double far_d = -1;
  for (std::size_t i = 1; i < ring.size(); ++i) {
    const double d = std::hypot(ring[i].x - ring[0].x, ring[i].y - ring[0].y);
    if (d > far_d) {
      far_d = d;
      far = i;
    }
  }
  return far;
}

}  // namespace

std::vector<Point> simplify_polyline(const std::vector<Point>& polyline, double tolerance) {
  if (polyline.size() <= 2) return polyline;
  // A linestring, not the Ring that std::vector<Point> is registered as: Boost simplifies rings
  // by its own rotation rule, and this is an open line.
  const Linestring line(polyline.begin(), polyline.end());
  Linestring kept;
  boost::geometry::simplify(line, kept, tolerance);
  return {kept.begin(), kept.end()};
}

Ring simplify_ring(const Ring& ring, double tolerance) {
  if (ring.size() < 3) return ring;
  const std::size_t far = farthest_from_front(ring);
  if (ring[far] == ring.front()) return ring;  // all vertices coincide: nothing to cut
  const auto cut = ring.begin() + static_cast<std::ptrdiff_t>(far);
  std::vector<Point> second(cut, ring.end());
  second.push_back(ring.front());
  Ring out = simplify_polyline(std::vector<Point>(ring.begin(), cut + 1), tolerance);
  const std::vector<Point> rest = simplify_polyline(second, tolerance);
  // `rest` starts at the cut vertex (already the last of `out`) and ends at the closing repeat.
  out.insert(out.end(), rest.begin() + 1, rest.end() - 1);
  if (out.size() < 3) return ring;
  return out;
}

}  // namespace notspot::engine
