#pragma once

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

namespace notspot::engine {

/// A point in the study CRS (metres for a projected CRS; x = easting, y = northing).
struct Point {
  double x = 0;
  double y = 0;
  friend bool operator==(const Point&, const Point&) = default;
};

/// An axis-aligned box. Empty when xmin > xmax.
struct Box {
  double xmin = std::numeric_limits<double>::infinity();
  double ymin = std::numeric_limits<double>::infinity();
  double xmax = -std::numeric_limits<double>::infinity();
  double ymax = -std::numeric_limits<double>::infinity();

  bool empty() const { return xmin > xmax || ymin > ymax; }
  double width() const { return xmax - xmin; }
  double height() const { return ymax - ymin; }
  void expand(Point p) {
    xmin = std::min(xmin, p.x);
    ymin = std::min(ymin, p.y);
    xmax = std::max(xmax, p.x);
    ymax = std::max(ymax, p.y);
  }
  void expand(const Box& b) {
    xmin = std::min(xmin, b.xmin);
    ymin = std::min(ymin, b.ymin);
    xmax = std::max(xmax, b.xmax);
    ymax = std::max(ymax, b.ymax);
  }
  /// Closed containment: points on the border are inside.
  bool contains(Point p) const { return p.x >= xmin && p.x <= xmax && p.y >= ymin && p.y <= ymax; }
  bool intersects(const Box& b) const {
    return b.xmin <= xmax && b.xmax >= xmin && b.ymin <= ymax && b.ymax >= ymin;
  }
};

/// A ring of vertices. The closing vertex is not repeated: the edge from back() to front() is
/// implied. Orientation is not significant for point location.
using Ring = std::vector<Point>;

/// A polygon: one exterior ring and any number of holes.
struct Polygon {
  Ring exterior;
  std::vector<Ring> holes;
};

/// The geometry of one area (a parish may have several parts, e.g. islands).
using MultiPolygon = std::vector<Polygon>;

/// Signed area of a ring by the shoelace formula (positive when counter-clockwise).
double signed_area(const Ring& ring);

/// Area of a polygon (exterior minus holes), whatever the ring orientations.
double area(const Polygon& polygon);

/// Area of a multipolygon: the sum of its parts (parts are assumed not to overlap).
double area(const MultiPolygon& multipolygon);

/// Bounding box of all vertices.
Box bounding_box(const MultiPolygon& multipolygon);

/// Number of vertices (= number of edges) over all rings.
std::size_t vertex_count(const MultiPolygon& multipolygon);

/// True when every coordinate is finite.
bool all_finite(const MultiPolygon& multipolygon);

}  // namespace notspot::engine
