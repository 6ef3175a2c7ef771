#include "detail/html_map.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <unordered_map>
#include <utility>

#include "detail/markup.hpp"
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

// A ring already in pixels.
void append_pixel_ring(std::string& out, std::vector<engine::Point> all, double tolerance_px) {
  if (all.size() < 3) return;
  std::vector<engine::Point> kept;
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

void append_ring(std::string& out, const engine::Ring& ring, const MapProjection& projection,
                 double tolerance_px) {
  if (ring.size() < 3) return;
  std::vector<engine::Point> all;
  all.reserve(ring.size());
  for (const engine::Point& p : ring) all.push_back(projection.project(p));
  append_pixel_ring(out, std::move(all), tolerance_px);
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

namespace {

struct LabelBox {
  double x0, y0, x1, y1;
  bool overlaps(const LabelBox& o) const {
    return x0 < o.x1 && o.x0 < x1 && y0 < o.y1 && o.y0 < y1;
  }
};

// Code points, not bytes: "Sturminster Newton" and "Bourton" in UTF-8 alike.
std::size_t characters(std::string_view text) {
  std::size_t n = 0;
  for (unsigned char c : text) n += (c & 0xC0) != 0x80;
  return n;
}

}  // namespace

std::string svg_outline(std::span<const io::Area> areas, const MapProjection& projection) {
  // Vertices on the 0.1 px grid of the path data, packed in one integer each.
  using Vertex = std::uint64_t;
  auto vertex = [&](const engine::Point& p) {
    const engine::Point q = projection.project(p);
    const auto x = static_cast<std::uint32_t>(std::llround(q.x * 10) + (1 << 30));
    const auto y = static_cast<std::uint32_t>(std::llround(q.y * 10) + (1 << 30));
    return (static_cast<Vertex>(x) << 32) | y;
  };
  auto point = [](Vertex v) {
    return engine::Point{(static_cast<double>(v >> 32) - (1 << 30)) / 10,
                         (static_cast<double>(v & 0xFFFFFFFFu) - (1 << 30)) / 10};
  };
  std::vector<std::vector<Vertex>> rings;
  for (const io::Area& a : areas) {
    for (const engine::Polygon& polygon : a.geometry) {
      auto add = [&](const engine::Ring& ring) {
        std::vector<Vertex> r;
        for (const engine::Point& p : ring) {
          const Vertex v = vertex(p);
          if (r.empty() || r.back() != v) r.push_back(v);
        }
        while (r.size() > 1 && r.front() == r.back()) r.pop_back();
        if (r.size() >= 3) rings.push_back(std::move(r));
      };
      add(polygon.exterior);
      for (const engine::Ring& hole : polygon.holes) add(hole);
    }
  }
  // An edge two areas share is inside the study; an edge used once is on its outline.
  auto key = [](Vertex a, Vertex b) { return a < b ? std::pair{a, b} : std::pair{b, a}; };
  struct PairHash {
    std::size_t operator()(const std::pair<Vertex, Vertex>& e) const noexcept {
      return std::hash<Vertex>()(e.first * 0x9E3779B97F4A7C15ull ^ e.second);
    }
  };
  std::unordered_map<std::pair<Vertex, Vertex>, std::uint32_t, PairHash> uses;
  for (const std::vector<Vertex>& r : rings) {
    for (std::size_t i = 0; i < r.size(); ++i) ++uses[key(r[i], r[(i + 1) % r.size()])];
  }
  std::string out;
  for (const std::vector<Vertex>& r : rings) {
    const std::size_t n = r.size();
    auto outer = [&](std::size_t i) { return uses[key(r[i], r[(i + 1) % n])] == 1; };
    std::size_t start = n;  // an edge inside the study, where runs of outline edges begin
    for (std::size_t i = 0; i < n && start == n; ++i) {
      if (!outer(i)) start = i;
    }
    if (start == n) {  // the whole ring is outline: drawn closed and simplified like an area
      std::vector<engine::Point> ring;
      for (Vertex v : r) ring.push_back(point(v));
      append_pixel_ring(out, std::move(ring), 0.5);
      continue;
    }
    // Runs of outline edges as open polylines, vertices closer than half a pixel dropped.
    std::vector<engine::Point> run;
    auto flush = [&] {
      if (run.size() >= 2) {
        out += 'M';
        for (std::size_t k = 0; k < run.size(); ++k) {
          if (k == 1) out += 'L';
          if (k > 1) out += ' ';
          append_coordinate(out, run[k].x);
          out += ' ';
          append_coordinate(out, run[k].y);
        }
      }
      run.clear();
    };
    for (std::size_t k = 1; k <= n; ++k) {
      const std::size_t i = (start + k) % n;
      if (!outer(i)) {
        flush();
        continue;
      }
      const engine::Point from = point(r[i]);
      const engine::Point to = point(r[(i + 1) % n]);
      if (run.empty()) run.push_back(from);
      const double dx = to.x - run.back().x;
      const double dy = to.y - run.back().y;
      const bool last = k == n || !outer((i + 1) % n);
      if (dx * dx + dy * dy >= 0.25 || last) run.push_back(to);
    }
    flush();
  }
  return out;
}

std::vector<MapLabel> place_labels(std::span<const ReportPlace> places,
                                   const MapProjection& projection, std::size_t max_labels) {
  std::vector<const ReportPlace*> order;
  for (const ReportPlace& p : places) order.push_back(&p);
  std::stable_sort(order.begin(), order.end(), [](const auto* a, const auto* b) {
    if (a->rank != b->rank) return a->rank > b->rank;
    return a->name < b->name;
  });
  constexpr double kDot = 3;    // dot radius plus a pixel of clearance
  constexpr double kGap = 4;    // between the dot and the text
  constexpr double kPad = 1.5;  // around each text box
  const double height = kLabelFontPx;
  std::vector<LabelBox> taken;
  std::vector<MapLabel> out;
  for (const ReportPlace* p : order) {
    if (out.size() >= max_labels) break;
    if (p->name.empty()) continue;
    const engine::Point a = projection.project(p->anchor);
    if (a.x < 0 || a.y < 0 || a.x > projection.width || a.y > projection.height) continue;
    const LabelBox dot{a.x - kDot, a.y - kDot, a.x + kDot, a.y + kDot};
    if (std::any_of(taken.begin(), taken.end(), [&](const LabelBox& b) { return b.overlaps(dot); }))
      continue;
    // 0.7 em a character: as wide as semi-bold DejaVu Sans or Verdana set it (measured in
    // Chromium by tests/browser/map_labels.mjs), so that the estimate errs on the side of room.
    const double w = 0.7 * kLabelFontPx * static_cast<double>(characters(p->name));
    struct Candidate {
      LabelBox box;
      engine::Point text;
      const char* anchor;
    };
    const Candidate candidates[] = {
        {{a.x + kGap, a.y - height / 2, a.x + kGap + w, a.y + height / 2},
         {a.x + kGap, a.y + height * 0.35},
         "start"},
        {{a.x - kGap - w, a.y - height / 2, a.x - kGap, a.y + height / 2},
         {a.x - kGap, a.y + height * 0.35},
         "end"},
        {{a.x - w / 2, a.y - kGap - height, a.x + w / 2, a.y - kGap},
         {a.x, a.y - kGap - height * 0.15},
         "middle"},
        {{a.x - w / 2, a.y + kGap, a.x + w / 2, a.y + kGap + height},
         {a.x, a.y + kGap + height * 0.85},
         "middle"},
    };
    for (const Candidate& c : candidates) {
      const LabelBox box{c.box.x0 - kPad, c.box.y0 - kPad, c.box.x1 + kPad, c.box.y1 + kPad};
      if (box.x0 < 0 || box.y0 < 0 || box.x1 > projection.width || box.y1 > projection.height)
        continue;
      if (std::any_of(taken.begin(), taken.end(),
                      [&](const LabelBox& b) { return b.overlaps(box); }))
        continue;
      taken.push_back(box);
      taken.push_back(dot);
      out.push_back({p->name, a, c.text, c.anchor});
      break;
    }
  }
  return out;
}

std::string svg_labels(const std::vector<MapLabel>& labels) {
  if (labels.empty()) return {};
  std::string dots;
  std::string texts;
  for (const MapLabel& l : labels) {
    dots += fmt::format("<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"2.2\"/>", l.anchor.x, l.anchor.y);
    texts += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"{}\">{}</text>", l.text.x,
                         l.text.y, l.text_anchor, markup_escape(l.name));
  }
  // paint-order puts the white stroke under the letters: a halo that reads over any fill.
  return fmt::format(
      "<g class=\"places\" aria-hidden=\"true\"><g fill=\"#1b1b1b\" stroke=\"#fff\" "
      "stroke-width=\"1\">{}</g><g font-size=\"{}\" font-weight=\"600\" fill=\"#1b1b1b\" "
      "stroke=\"#fff\" stroke-width=\"3\" stroke-linejoin=\"round\" paint-order=\"stroke\">"
      "{}</g></g>\n",
      dots, kLabelFontPx, texts);
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
