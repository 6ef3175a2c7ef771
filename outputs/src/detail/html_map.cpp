#include "detail/html_map.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numbers>

namespace notspot::outputs::detail {
namespace {

// One decimal, without a trailing ".0", and never "-0": short and byte-stable path data.
void append_coordinate(std::string& out, double v) {
  const double r = std::round(v * 10) / 10;
  std::string text = fmt::format("{:.1f}", r == 0 ? 0.0 : r);
  if (text.size() > 2 && text.compare(text.size() - 2, 2, ".0") == 0) text.resize(text.size() - 2);
  out += text;
}

// Douglas-Peucker on kept[first..last]: marks the vertices farther than `tolerance` from the
// chord, recursively. An explicit stack: rings of real boundaries have 100,000s of vertices.
void douglas_peucker(const std::vector<engine::Point>& points, double tolerance,
                     std::vector<bool>& keep) {
  std::vector<std::pair<std::size_t, std::size_t>> stack = {{0, points.size() - 1}};
  while (!stack.empty()) {
    const auto [first, last] = stack.back();
    stack.pop_back();
    if (last <= first + 1) continue;
    const engine::Point a = points[first];
    const engine::Point b = points[last];
    const double dx = b.x - a.x;
    const double dy = b.y - a.y;
    const double length = std::hypot(dx, dy);
    double worst = -1;
    std::size_t worst_at = first;
    for (std::size_t i = first + 1; i < last; ++i) {
      const engine::Point p = points[i];
      const double d = length > 0 ? std::abs(dy * (p.x - a.x) - dx * (p.y - a.y)) / length
                                  : std::hypot(p.x - a.x, p.y - a.y);
      if (d > worst) {
        worst = d;
        worst_at = i;
      }
    }
    if (worst > tolerance) {
      keep[worst_at] = true;
      stack.emplace_back(first, worst_at);
      stack.emplace_back(worst_at, last);
    }
  }
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
  // Then drop vertices within the tolerance of the line through their neighbours. The ring is
  // split at its vertex farthest from the first, so that both halves are open polylines.
  if (kept.size() > 4) {
    std::size_t far = 0;
    double far_d = -1;
    for (std::size_t i = 1; i < kept.size(); ++i) {
      const double d = std::hypot(kept[i].x - kept[0].x, kept[i].y - kept[0].y);
      if (d > far_d) {
        far_d = d;
        far = i;
      }
    }
    std::vector<engine::Point> closed = kept;
    closed.push_back(kept[0]);
    std::vector<bool> keep(closed.size(), false);
    keep[0] = keep[far] = keep[closed.size() - 1] = true;
    std::vector<engine::Point> half(closed.begin(), closed.begin() + static_cast<long>(far) + 1);
    std::vector<bool> keep_half(half.size(), false);
    douglas_peucker(half, tolerance_px, keep_half);
    for (std::size_t i = 0; i < half.size(); ++i) keep[i] = keep[i] || keep_half[i];
    half.assign(closed.begin() + static_cast<long>(far), closed.end());
    keep_half.assign(half.size(), false);
    douglas_peucker(half, tolerance_px, keep_half);
    for (std::size_t i = 0; i < half.size(); ++i) keep[far + i] = keep[far + i] || keep_half[i];
    std::vector<engine::Point> simplified;
    for (std::size_t i = 0; i + 1 < closed.size(); ++i) {
      if (keep[i]) simplified.push_back(closed[i]);
    }
    if (simplified.size() >= 3) kept = std::move(simplified);
  }
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
