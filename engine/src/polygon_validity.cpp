#include "notspot/engine/polygon_validity.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <optional>
#include <span>
#include <vector>

#include "notspot/engine/orientation.hpp"

namespace notspot::engine {
namespace {

// One edge of a ring, numbered along the ring once zero-length edges are left out.
struct Edge {
  Point a, b;
  std::uint32_t ring;
  std::uint32_t index;
  std::uint32_t piece;
};

struct Edges {
  std::vector<Edge> edges;
  std::vector<std::uint32_t> ring_edges;  // edges per ring
  Box box;
  bool pieces_valid = false;  // edges of one piece may meet: the piece is known to be valid
};

Box edge_box(const Edge& e) {
  return {std::min(e.a.x, e.b.x), std::min(e.a.y, e.b.y), std::max(e.a.x, e.b.x),
          std::max(e.a.y, e.b.y)};
}

// False when the ring cannot be certainly valid: fewer than three distinct vertices in a row.
bool add_ring(const Ring& ring, std::uint32_t piece, Edges& out) {
  const auto id = static_cast<std::uint32_t>(out.ring_edges.size());
  std::uint32_t count = 0;
  for (std::size_t i = 0; i < ring.size(); ++i) {
    const Point a = ring[i], b = ring[i + 1 == ring.size() ? 0 : i + 1];
    if (a == b) continue;
    out.edges.push_back({a, b, id, count++, piece});
    out.box.expand(a);
  }
  out.ring_edges.push_back(count);
  return count >= 3 && signed_area(ring) != 0;
}

// Two consecutive edges of a ring meet at their shared vertex; they touch anywhere else only by
// folding back along each other (a spike).
bool folds_back(const Edge& first, const Edge& second) {
  if (orientation(first.a, first.b, second.b) != 0) return false;
  const double dot = (first.b.x - first.a.x) * (second.b.x - second.a.x) +
                     (first.b.y - first.a.y) * (second.b.y - second.a.y);
  return dot < 0;
}

// Closed segments s and t share a point (exact).
bool segments_meet(const Edge& s, const Edge& t) {
  if (!edge_box(s).intersects(edge_box(t))) return false;
  const int o1 = orientation(s.a, s.b, t.a), o2 = orientation(s.a, s.b, t.b);
  if (o1 == o2 && o1 != 0) return false;
  const int o3 = orientation(t.a, t.b, s.a), o4 = orientation(t.a, t.b, s.b);
  if (o3 == o4 && o3 != 0) return false;
  return true;  // crossing, touching, or collinear with overlapping boxes
}

// Whether s and t meet other than as consecutive edges of one ring at their shared vertex.
bool contact(const Edges& all, const Edge& s, const Edge& t) {
  if (all.pieces_valid && s.piece == t.piece) return false;
  if (s.ring == t.ring) {
    const std::uint32_t m = all.ring_edges[s.ring];
    if (t.index == s.index + 1 || (s.index == m - 1 && t.index == 0)) return folds_back(s, t);
    if (s.index == t.index + 1 || (t.index == m - 1 && s.index == 0)) return folds_back(t, s);
  }
  return segments_meet(s, t);
}

// Calls meet(s, t) for every pair among `ids` that is in contact; stops when it returns true.
template <class Meet>
bool contact_brute_force(const Edges& all, std::span<const std::uint32_t> ids, Meet& meet) {
  for (std::size_t i = 0; i < ids.size(); ++i)
    for (std::size_t j = i + 1; j < ids.size(); ++j) {
      const Edge &s = all.edges[ids[i]], &t = all.edges[ids[j]];
      if (contact(all, s, t) && meet(s, t)) return true;
    }
  return false;
}

// A uniform grid over a box; an edge is listed in every cell it passes through. Rows and
// crossing points are widened by a margin far above the rounding of their arithmetic (1e-12 of
// the coordinates' magnitude) so that two edges meeting at P are both listed in one cell
// containing P.
struct Grid {
  Box box;
  std::uint32_t nx = 1, ny = 1;
  double cw = 0, ch = 0;
  double margin = 0;

  Grid(const Box& b, std::size_t target_cells) : box(b) {
    const double w = b.width(), h = b.height();
    const double cells = static_cast<double>(std::max<std::size_t>(target_cells, 4));
    if (w > 0 && h > 0) {
      nx = static_cast<std::uint32_t>(std::clamp(std::round(std::sqrt(cells * w / h)), 1.0, cells));
      ny = static_cast<std::uint32_t>(std::clamp(std::round(cells / nx), 1.0, cells));
    } else if (w > 0) {
      nx = static_cast<std::uint32_t>(cells);
    } else if (h > 0) {
      ny = static_cast<std::uint32_t>(cells);
    }
    cw = w / nx;
    ch = h / ny;
    const double magnitude = std::max({std::abs(b.xmin), std::abs(b.xmax), std::abs(b.ymin),
                                       std::abs(b.ymax), w, h});
    margin = 1e-12 * magnitude;
  }

  std::uint32_t column(double x) const { return clamp_index((x - box.xmin) / cw, nx); }
  std::uint32_t row(double y) const { return clamp_index((y - box.ymin) / ch, ny); }
  static std::uint32_t clamp_index(double v, std::uint32_t n) {
    if (!(v > 0)) return 0;  // also NaN, from a zero-sized axis
    return v >= n - 1 ? n - 1 : static_cast<std::uint32_t>(v);
  }
  Box cell_box(std::uint32_t cx, std::uint32_t cy) const {
    return {box.xmin + cx * cw, box.ymin + cy * ch, box.xmin + (cx + 1) * cw,
            box.ymin + (cy + 1) * ch};
  }

  template <class F>
  void for_each_cell(const Edge& e, F&& visit) const {
    const Box eb = edge_box(e);
    const std::uint32_t r0 = row(eb.ymin - margin), r1 = row(eb.ymax + margin);
    const bool sloped = e.a.y != e.b.y;
    const double slope = sloped ? (e.b.x - e.a.x) / (e.b.y - e.a.y) : 0;
    for (std::uint32_t r = r0; r <= r1; ++r) {
      double xlo = eb.xmin, xhi = eb.xmax;
      if (r0 != r1 && sloped) {
        // The edge's x where it enters and leaves this row's band.
        const double y0 = std::max(eb.ymin, box.ymin + r * ch - margin);
        const double y1 = std::min(eb.ymax, box.ymin + (r + 1) * ch + margin);
        const double xa = e.a.x + (y0 - e.a.y) * slope, xb = e.a.x + (y1 - e.a.y) * slope;
        xlo = std::max(eb.xmin, std::min(xa, xb));
        xhi = std::min(eb.xmax, std::max(xa, xb));
      }
      const std::uint32_t c0 = column(xlo - margin), c1 = column(xhi + margin);
      for (std::uint32_t c = c0; c <= c1; ++c) visit(r * nx + c);
    }
  }
};

constexpr std::size_t kBruteForceEdges = 24;
constexpr int kMaxDepth = 8;

// Finds the edges among `ids` (all meeting `box`) that touch: calls meet(s, t) for each pair in
// contact, and stops when it returns true. Where edges crowd one point beyond the grid's
// refinement, crowded(ids) says what to make of them.
template <class Meet, class Crowded>
bool find_contacts(const Edges& all, std::span<const std::uint32_t> ids, const Box& box, int depth,
                   Meet& meet, Crowded& crowded) {
  if (ids.size() <= kBruteForceEdges) return contact_brute_force(all, ids, meet);
  if (depth == kMaxDepth) return crowded(ids);
  const Grid grid(box, ids.size() / 4);
  const std::size_t cells = static_cast<std::size_t>(grid.nx) * grid.ny;
  std::vector<std::uint32_t> start(cells + 1, 0);
  for (std::uint32_t id : ids)
    grid.for_each_cell(all.edges[id], [&](std::size_t c) { ++start[c + 1]; });
  std::partial_sum(start.begin(), start.end(), start.begin());
  std::vector<std::uint32_t> listed(start.back());
  std::vector<std::uint32_t> fill(start.begin(), start.end() - 1);
  for (std::uint32_t id : ids)
    grid.for_each_cell(all.edges[id], [&](std::size_t c) { listed[fill[c]++] = id; });
  for (std::size_t c = 0; c < cells; ++c) {
    const std::span<const std::uint32_t> here(listed.data() + start[c], start[c + 1] - start[c]);
    if (here.size() < 2) continue;
    const Box cell = grid.cell_box(static_cast<std::uint32_t>(c % grid.nx),
                                   static_cast<std::uint32_t>(c / grid.nx));
    if (find_contacts(all, here, cell, depth + 1, meet, crowded)) return true;
  }
  return false;
}

template <class Meet, class Crowded>
void find_contacts(const Edges& all, Meet& meet, Crowded& crowded) {
  std::vector<std::uint32_t> ids(all.edges.size());
  std::iota(ids.begin(), ids.end(), 0);
  find_contacts(all, ids, all.box, 0, meet, crowded);
}

// Even-odd point in ring, exact; `p` is known not to lie on the ring.
bool inside_ring(Point p, const Ring& ring) {
  bool inside = false;
  for (std::size_t i = 0, j = ring.size() - 1; i < ring.size(); j = i++) {
    const Point a = ring[j], b = ring[i];
    if ((a.y <= p.y) == (b.y <= p.y)) continue;
    const int side = orientation(a, b, p);
    if ((b.y > a.y) == (side > 0)) inside = !inside;
  }
  return inside;
}

Box ring_box(const Ring& ring) {
  Box b;
  for (Point p : ring) b.expand(p);
  return b;
}

// Calls nested(a, b) for the rings (which do not touch) that lie one inside the other, skipping
// pairs of one piece when `pieces` is given; stops when it returns true.
template <class Nested>
bool find_nested(const std::vector<const Ring*>& rings, const std::vector<std::uint32_t>* pieces,
                 Nested&& nested) {
  std::vector<Box> boxes;
  boxes.reserve(rings.size());
  for (const Ring* r : rings) boxes.push_back(ring_box(*r));
  std::vector<std::uint32_t> order(rings.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(),
            [&](std::uint32_t a, std::uint32_t b) { return boxes[a].xmin < boxes[b].xmin; });
  for (std::size_t i = 0; i < order.size(); ++i) {
    const std::uint32_t a = order[i];
    for (std::size_t k = i + 1; k < order.size() && boxes[order[k]].xmin <= boxes[a].xmax; ++k) {
      const std::uint32_t b = order[k];
      if (!boxes[a].intersects(boxes[b])) continue;
      if (pieces != nullptr && (*pieces)[a] == (*pieces)[b]) continue;
      if (inside_ring(rings[a]->front(), *rings[b]) || inside_ring(rings[b]->front(), *rings[a]))
        if (nested(a, b)) return true;
    }
  }
  return false;
}

bool any_nested(const std::vector<const Ring*>& rings) {
  return find_nested(rings, nullptr, [](std::uint32_t, std::uint32_t) { return true; });
}

bool rings_placed_right(const MultiPolygon& multipolygon) {
  std::vector<const Ring*> exteriors;
  for (const Polygon& polygon : multipolygon) {
    exteriors.push_back(&polygon.exterior);
    if (polygon.holes.empty()) continue;
    std::vector<const Ring*> holes;
    for (const Ring& hole : polygon.holes) {
      if (!inside_ring(hole.front(), polygon.exterior)) return false;
      holes.push_back(&hole);
    }
    if (any_nested(holes)) return false;
  }
  // An island in another part's lake is valid but left to GEOS.
  return !any_nested(exteriors);
}

bool no_edges_meet(const Edges& all) {
  for (const Edge& e : all.edges)
    if (!std::isfinite(e.a.x) || !std::isfinite(e.a.y)) return false;
  auto stop = [](const Edge&, const Edge&) { return true; };
  auto unsure = [](std::span<const std::uint32_t>) { return true; };
  std::vector<std::uint32_t> ids(all.edges.size());
  std::iota(ids.begin(), ids.end(), 0);
  return !find_contacts(all, ids, all.box, 0, stop, unsure);
}

}  // namespace

bool certainly_valid(const MultiPolygon& multipolygon) {
  if (multipolygon.empty()) return false;
  Edges all;
  for (const Polygon& polygon : multipolygon) {
    if (!add_ring(polygon.exterior, 0, all)) return false;
    for (const Ring& hole : polygon.holes)
      if (!add_ring(hole, 0, all)) return false;
  }
  return no_edges_meet(all) && rings_placed_right(multipolygon);
}

std::optional<std::vector<std::vector<std::uint32_t>>> interacting_groups(
    const std::vector<MultiPolygon>& pieces) {
  Edges all;
  all.pieces_valid = true;
  std::vector<const Ring*> exteriors;
  std::vector<std::uint32_t> piece_of;
  for (std::uint32_t i = 0; i < pieces.size(); ++i) {
    for (const Polygon& polygon : pieces[i]) {
      if (!add_ring(polygon.exterior, i, all)) return std::nullopt;
      for (const Ring& hole : polygon.holes)
        if (!add_ring(hole, i, all)) return std::nullopt;
      exteriors.push_back(&polygon.exterior);
      piece_of.push_back(i);
    }
  }
  for (const Edge& e : all.edges)
    if (!std::isfinite(e.a.x) || !std::isfinite(e.a.y)) return std::nullopt;
  // Union-find: edges of two pieces may meet thousands of times (a shared boundary).
  std::vector<std::uint32_t> parent(pieces.size());
  std::iota(parent.begin(), parent.end(), 0);
  auto root = [&](std::uint32_t i) {
    while (parent[i] != i) i = parent[i] = parent[parent[i]];
    return i;
  };
  auto join = [&](std::uint32_t a, std::uint32_t b) {
    const std::uint32_t ra = root(a), rb = root(b);
    if (ra != rb) parent[std::max(ra, rb)] = std::min(ra, rb);
    return false;
  };
  auto meet = [&](const Edge& s, const Edge& t) { return join(s.piece, t.piece); };
  auto crowded = [&](std::span<const std::uint32_t> ids) {
    for (std::uint32_t id : ids) join(all.edges[ids.front()].piece, all.edges[id].piece);
    return false;
  };
  find_contacts(all, meet, crowded);
  // Pieces that do not touch but lie one in another (an island in a lake) interact too.
  find_nested(exteriors, &piece_of,
              [&](std::uint32_t a, std::uint32_t b) { return join(piece_of[a], piece_of[b]); });
  std::vector<std::vector<std::uint32_t>> groups;
  std::vector<std::int64_t> slot(pieces.size(), -1);
  for (std::uint32_t i = 0; i < pieces.size(); ++i) {
    const std::uint32_t r = root(i);
    if (slot[r] < 0) {
      slot[r] = static_cast<std::int64_t>(groups.size());
      groups.emplace_back();
    }
    groups[static_cast<std::size_t>(slot[r])].push_back(i);
  }
  return groups;
}

}  // namespace notspot::engine
