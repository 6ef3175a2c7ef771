#include "detail/html_map.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numbers>

#include "notspot/engine/simplify.hpp"

namespace notspot::outputs::detail {
namespace {

// One decimal, without a trailing ".0", and never "-0": short and byte-stable path data.
void append_coordinate(std::string& out, double v) {
  const double r = std::round(v * 10) / 10;
  std::string text = fmt::format("{:.1f}", r == 0 ? 0.0 : r);
  if (text.size() > 2 && text.compare(text.size() - 2, 2, ".0") == 0) text.resize(text.size() - 2);
  out += text;
}

void append_ring(std::string& out, const engine::Ring& ring, const MapProjection& projection,
                 double tolerance_px) {
  if (ring.size() < 3) return;
  std::vector<engine::Point> kept;
  std::vector<engine::Point> all;
  all.reserve(ring.size());
  for (const engine::Point& p : ring) all.push_back(projection.project(p));
  const double tolerance2 = tolerance_px * tolerance_px;
  for (const engine::Point& q : all) {
    if (!kept.empty()) {
      const double dx = q.x - kept.back().x;
      const double dy = q.y - kept.back().y;
      if (dx * dx + dy * dy < tolerance2) continue;
    }
    kept.push_back(q);
  }
  // Then Douglas-Peucker (engine::simplify_ring). Rings of 4 vertices or fewer are drawn whole,
  // so that no quadrilateral is cut to a triangle.
  if (kept.size() > 4) kept = engine::simplify_ring(kept, tolerance_px);
  // A ring smaller than the tolerance (a tiny parish or island) still gets drawn, so that
  // every area has a shape a reader can find and focus.
  if (kept.size() < 3) kept = std::move(all);
  out += 'M';
  for (std::size_t i = 0; i < kept.size(); ++i) {
    if (i == 1) out += 'L';
    if (i > 1) out += ' ';
    append_coordinate(out, kept[i].x);
    out += ' ';
    append_coordinate(out, kept[i].y);
  }
  out += 'Z';
}

}  // namespace

MapProjection fit_projection(const engine::Box& bounds, bool geographic, double max_width,
                             double max_height) {
  MapProjection p;
  p.bounds = bounds;
  if (bounds.empty()) {
    p.bounds = {0, 0, 1, 1};
  }
  if (geographic) {
    const double mid_lat = (p.bounds.ymin + p.bounds.ymax) / 2 * std::numbers::pi / 180;
    p.x_factor = std::max(0.01, std::cos(mid_lat));
    p.metres_per_unit = 111320.0;  // metres per degree of latitude (and of scaled longitude)
  }
  const double w = std::max(p.bounds.width() * p.x_factor, 1e-12);
  const double h = std::max(p.bounds.height(), 1e-12);
  p.scale = std::min((max_width - 2 * p.margin) / w, (max_height - 2 * p.margin) / h);
  p.width = std::ceil(w * p.scale + 2 * p.margin);
  p.height = std::ceil(h * p.scale + 2 * p.margin);
  return p;
}

std::string svg_path_data(const engine::MultiPolygon& geometry, const MapProjection& projection,
                          double tolerance_px) {
  std::string out;
  for (const engine::Polygon& polygon : geometry) {
    append_ring(out, polygon.exterior, projection, tolerance_px);
    for (const engine::Ring& hole : polygon.holes) append_ring(out, hole, projection, tolerance_px);
  }
  return out;
}

double nice_scale_length(double max_metres) {
  if (!(max_metres > 0)) return 1;
  const double power = std::pow(10.0, std::floor(std::log10(max_metres)));
  for (double step : {5.0, 2.0, 1.0}) {
    if (step * power <= max_metres) return step * power;
  }
  return power;
}

}  // namespace notspot::outputs::detail
