#include "notspot/engine/geometry.hpp"

namespace notspot::engine {

double signed_area(const Ring& ring) {
  const std::size_t n = ring.size();
  if (n < 3) return 0.0;
  // Shoelace relative to the first vertex keeps the products small for coordinates in metres.
  const Point o = ring[0];
  double twice = 0.0;
  for (std::size_t i = 1; i + 1 < n; ++i) {
    twice += (ring[i].x - o.x) * (ring[i + 1].y - o.y) - (ring[i + 1].x - o.x) * (ring[i].y - o.y);
  }
  return twice / 2.0;
}

double area(const Polygon& polygon) {
  double a = std::abs(signed_area(polygon.exterior));
  for (const Ring& hole : polygon.holes) a -= std::abs(signed_area(hole));
  return a;
}

double area(const MultiPolygon& multipolygon) {
  double a = 0.0;
  for (const Polygon& p : multipolygon) a += area(p);
  return a;
}

Box bounding_box(const MultiPolygon& multipolygon) {
  Box box;
  for (const Polygon& p : multipolygon) {
    for (Point v : p.exterior) box.expand(v);
    for (const Ring& hole : p.holes)
      for (Point v : hole) box.expand(v);
  }
  return box;
}

std::size_t vertex_count(const MultiPolygon& multipolygon) {
  std::size_t n = 0;
  for (const Polygon& p : multipolygon) {
    n += p.exterior.size();
    for (const Ring& hole : p.holes) n += hole.size();
  }
  return n;
}

bool all_finite(const MultiPolygon& multipolygon) {
  for (const Polygon& p : multipolygon) {
    for (Point v : p.exterior)
      if (!std::isfinite(v.x) || !std::isfinite(v.y)) return false;
    for (const Ring& hole : p.holes)
      for (Point v : hole)
        if (!std::isfinite(v.x) || !std::isfinite(v.y)) return false;
  }
  return true;
}

}  // namespace notspot::engine
