#include "notspot/engine/area_index.hpp"

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/parallel_reduce.h>
#include <tbb/parallel_sort.h>

#include <algorithm>
#include <array>
#include <bit>
#include <boost/container/small_vector.hpp>
#include <cmath>
#include <map>
#include <optional>
#include <string>
#include <utility>

#include "detail/huge_page_allocator.hpp"
#include "notspot/engine/error.hpp"
#include "notspot/engine/orientation.hpp"

namespace notspot::engine {
namespace {

// A cell code packs what a grid cell or quadtree slot holds: the tag in the top two bits, a
// payload below. A label is an area number (kOutsideLabel for none); kTagOverlapLabel is a
// label whose cell lies in several areas (the payload is the lowest).
constexpr std::uint32_t kTagMask = 3u << 30;
constexpr std::uint32_t kTagLabel = 0u << 30;
constexpr std::uint32_t kTagNode = 1u << 30;
constexpr std::uint32_t kTagLeaf = 2u << 30;
constexpr std::uint32_t kTagOverlapLabel = 3u << 30;
constexpr std::uint32_t kPayloadMask = (1u << 30) - 1;
constexpr std::uint32_t kOutsideLabel = kPayloadMask;

constexpr std::uint32_t kNoArea = 0xFFFFFFFFu;
constexpr std::size_t kMaxLeafCandidates = 64;

// Bounds that keep the index finite whatever the overlap (issue 12: 12 identical squares took
// 1.7 GB, 50 were OOM-killed). Subdivision separates edges that run apart; it cannot separate
// edges that coincide or run along the same line (identical or shifted areas), nor reduce the
// areas a cell lies in. A child that keeps more than 3/4 of its parent's edges has "stalled";
// after kMaxStalledLevels such levels in a row the cell becomes a leaf whatever its edge
// count. A leaf with more than kMaxLeafCandidates areas or kMaxCopiedLeafEdges edges is
// answered by exact ray casting over its candidate areas and keeps no copy of its edges.
constexpr int kMaxStalledLevels = 3;
constexpr std::size_t kMaxCopiedLeafEdges = 64;
// Overlap reporting: a set of at most kMaxPairwiseOverlapSet areas contributes all its pairs;
// a larger one (a cluster of stacked areas) contributes the pairs of its lowest area with each
// other member. The kMaxOverlapPairs lowest distinct pairs are kept (per row while building,
// and in all); beyond that the list is marked incomplete.
constexpr std::size_t kMaxPairwiseOverlapSet = 16;
constexpr std::size_t kMaxOverlapPairs = 10000;

// A distinct edge with the (at most two) areas whose boundary it belongs to. An edge shared
// by more areas is split into several records; crossing one toggles membership of its areas.
struct EdgeRecord {
  Point a;
  Point b;
  std::array<std::uint32_t, 2> areas;
};

struct LeafEdge {
  Point a;
  Point b;
  std::uint64_t toggle;  // candidate bits flipped by crossing this edge
  int ref_side;          // orientation(a, b, leaf reference point)
};

struct BoundaryLeaf {
  Point ref;
  std::uint32_t first_edge;
  std::uint32_t edge_count;
  std::uint32_t first_candidate;
  // Number of candidates, and in the top bit whether the leaf is answered by ray casting over
  // them (too many candidates for the bit masks, or no reference point off the edges: cells at
  // the resolution of the coordinates). Packed so that a leaf stays 40 bytes: lookups are
  // memory-bound on large inputs.
  std::uint32_t candidates_and_flag;
  std::uint64_t inside;  // candidates containing ref

  std::uint32_t candidate_count() const { return candidates_and_flag & 0x7FFFFFFFu; }
  bool ray_cast_only() const { return (candidates_and_flag >> 31) != 0; }
};
static_assert(sizeof(BoundaryLeaf) == 40);

// Sorted, distinct. Nearly always a handful of areas: kept inline, so that building the
// quadtree (several sets per node) does not spend a tenth of its time in malloc and free.
using AreaSet = boost::container::small_vector<std::uint32_t, 8>;

bool in_closed_box(Point a, Point b, Point p) {
  return p.x >= std::min(a.x, b.x) && p.x <= std::max(a.x, b.x) && p.y >= std::min(a.y, b.y) &&
         p.y <= std::max(a.y, b.y);
}

// Conservative segment/box test: the box is already expanded by a margin far above the
// rounding error of this arithmetic, so an edge that touches the true cell is never missed.
bool segment_touches_box(Point a, Point b, const Box& box) {
  if (std::max(a.x, b.x) < box.xmin || std::min(a.x, b.x) > box.xmax ||
      std::max(a.y, b.y) < box.ymin || std::min(a.y, b.y) > box.ymax) {
    return false;
  }
  const double dx = b.x - a.x;
  const double dy = b.y - a.y;
  auto side = [&](double x, double y) { return dx * (y - a.y) - dy * (x - a.x); };
  const double s[4] = {side(box.xmin, box.ymin), side(box.xmax, box.ymin), side(box.xmin, box.ymax),
                       side(box.xmax, box.ymax)};
  const bool all_positive = s[0] > 0 && s[1] > 0 && s[2] > 0 && s[3] > 0;
  const bool all_negative = s[0] < 0 && s[1] < 0 && s[2] < 0 && s[3] < 0;
  return !all_positive && !all_negative;
}

// Half-open crossing test of the ray from p towards +x (see contains_half_open).
inline bool ray_crosses(Point a, Point b, Point p) {
  if ((a.y > p.y) == (b.y > p.y)) return false;
  const int o = orientation(a, b, p);
  return b.y > a.y ? o > 0 : o < 0;
}

enum class Crossing { kNone, kProper, kDegenerate };

// Does the segment r→p cross edge a→b? kDegenerate when it touches the edge anywhere but in a
// single interior point of both (passes through a vertex, runs along the edge, or an endpoint
// lies on the edge): then crossing parity is not well defined and callers fall back.
Crossing segment_crossing(Point r, Point p, Point a, Point b) {
  // Disjoint bounding boxes: the segments share no point. Most calls (edges of a parent cell
  // against a short segment inside one child) end here, before any orientation test.
  if (std::max(r.x, p.x) < std::min(a.x, b.x) || std::min(r.x, p.x) > std::max(a.x, b.x) ||
      std::max(r.y, p.y) < std::min(a.y, b.y) || std::min(r.y, p.y) > std::max(a.y, b.y)) {
    return Crossing::kNone;
  }
  const int o_r = orientation(a, b, r);
  const int o_p = orientation(a, b, p);
  if (o_r == 0 && o_p == 0) {
    const bool overlap =
        std::max(r.x, p.x) >= std::min(a.x, b.x) && std::min(r.x, p.x) <= std::max(a.x, b.x) &&
        std::max(r.y, p.y) >= std::min(a.y, b.y) && std::min(r.y, p.y) <= std::max(a.y, b.y);
    return overlap ? Crossing::kDegenerate : Crossing::kNone;
  }
  if (o_r == 0) return in_closed_box(a, b, r) ? Crossing::kDegenerate : Crossing::kNone;
  if (o_p == 0) return in_closed_box(a, b, p) ? Crossing::kDegenerate : Crossing::kNone;
  if (o_r == o_p) return Crossing::kNone;
  const int s_a = orientation(r, p, a);
  const int s_b = orientation(r, p, b);
  if (s_a == 0 || s_b == 0) return Crossing::kDegenerate;
  return s_a != s_b ? Crossing::kProper : Crossing::kNone;
}

template <class Vector>
std::span<const std::uint32_t> as_span(const Vector& v) {
  return {v.data(), v.size()};
}

bool on_any_edge(Point p, std::span<const std::uint32_t> edge_ids,
                 std::span<const EdgeRecord> edges) {
  for (std::uint32_t id : edge_ids) {
    const EdgeRecord& e = edges[id];
    if (in_closed_box(e.a, e.b, p) && orientation(e.a, e.b, p) == 0) return true;
  }
  return false;
}

// Candidate reference points inside a cell, as fractions of its size: the centre first, then a
// Halton sequence, so that some candidate avoids every edge and vertex.
constexpr std::array<std::pair<double, double>, 12> kReferenceFractions = {{
    {0.5, 0.5},
    {0.25, 1.0 / 3},
    {0.75, 2.0 / 3},
    {0.125, 1.0 / 9},
    {0.625, 4.0 / 9},
    {0.375, 7.0 / 9},
    {0.875, 2.0 / 9},
    {0.0625, 5.0 / 9},
    {0.5625, 8.0 / 9},
    {0.3125, 1.0 / 27},
    {0.8125, 10.0 / 27},
    {0.1875, 19.0 / 27},
}};

// Which of a leaf's candidate areas contain p (bit i = candidate i), by counting the leaf
// edges crossed on the way from the leaf's reference point; nullopt when that count is not
// well defined (p on an edge, or the path through a vertex) and ray casting must decide.
inline std::optional<std::uint64_t> leaf_crossing_mask(const BoundaryLeaf& leaf,
                                                       const LeafEdge* edges, Point p) {
  std::uint64_t toggles = 0;
  for (const LeafEdge* e = edges; e != edges + leaf.edge_count; ++e) {
    const int side = orientation(e->a, e->b, p);
    if (side == 0) {
      // p is on the edge's line: on the edge itself, or collinear with the reference point.
      if (e->ref_side == 0 || in_closed_box(e->a, e->b, p)) return std::nullopt;
      continue;
    }
    if (side == e->ref_side || e->ref_side == 0) continue;
    const int s_a = orientation(leaf.ref, p, e->a);
    const int s_b = orientation(leaf.ref, p, e->b);
    if (s_a == 0 || s_b == 0) return std::nullopt;
    if (s_a != s_b) toggles ^= e->toggle;
  }
  return leaf.inside ^ toggles;
}

// Points just either side of every piece of every edge in a leaf, pieces being cut where other
// edges cross or touch the edge: each face of the leaf that borders an edge gets a sample, so a
// face inside two areas (an overlap) is found unless it is thinner than the offset.
std::vector<Point> overlap_probes(std::span<const LeafEdge> edges, const Box& box) {
  std::vector<Point> probes;
  const double offset = 1e-6 * std::max(box.width(), box.height());
  std::vector<double> cuts;
  for (const LeafEdge& e : edges) {
    const double dx = e.b.x - e.a.x;
    const double dy = e.b.y - e.a.y;
    const double length2 = dx * dx + dy * dy;
    if (length2 == 0) continue;
    // The part of the edge inside the box (Liang-Barsky clipping).
    double t0 = 0, t1 = 1;
    const double p[4] = {-dx, dx, -dy, dy};
    const double q[4] = {e.a.x - box.xmin, box.xmax - e.a.x, e.a.y - box.ymin, box.ymax - e.a.y};
    bool outside = false;
    for (int k = 0; k < 4 && !outside; ++k) {
      if (p[k] == 0) {
        outside = q[k] < 0;
      } else if (p[k] < 0) {
        t0 = std::max(t0, q[k] / p[k]);
      } else {
        t1 = std::min(t1, q[k] / p[k]);
      }
    }
    if (outside || t0 >= t1) continue;
    cuts.assign({t0, t1});
    auto along = [&](Point x) { return ((x.x - e.a.x) * dx + (x.y - e.a.y) * dy) / length2; };
    for (const LeafEdge& f : edges) {
      if (&f == &e) continue;
      // Endpoints of f on e (T-junctions, collinear overlaps), and proper crossings.
      for (Point end : {f.a, f.b})
        if (in_closed_box(e.a, e.b, end) && orientation(e.a, e.b, end) == 0)
          cuts.push_back(along(end));
      const double fx = f.b.x - f.a.x;
      const double fy = f.b.y - f.a.y;
      const double denominator = dx * fy - dy * fx;
      if (denominator != 0 && segment_crossing(e.a, e.b, f.a, f.b) == Crossing::kProper) {
        cuts.push_back(((f.a.x - e.a.x) * fy - (f.a.y - e.a.y) * fx) / denominator);
      }
    }
    std::sort(cuts.begin(), cuts.end());
    const double length = std::sqrt(length2);
    const Point normal{-dy / length * offset, dx / length * offset};
    for (std::size_t i = 0; i + 1 < cuts.size(); ++i) {
      const double lo = std::max(cuts[i], t0);
      const double hi = std::min(cuts[i + 1], t1);
      if ((hi - lo) * length < 4 * offset) continue;  // too short to probe beside
      const double mid = 0.5 * (lo + hi);
      const Point m{e.a.x + mid * dx, e.a.y + mid * dy};
      probes.push_back({m.x + normal.x, m.y + normal.y});
      probes.push_back({m.x - normal.x, m.y - normal.y});
    }
  }
  return probes;
}

// Whether a leaf whose edges all flip the same candidates (one shared boundary between two
// areas, or one area's coastline: nearly every leaf) is free of overlaps without probing. Any
// point of the leaf is reached from the reference point by crossing leaf edges only, so it lies
// in the reference point's areas, or in those with the common toggle applied; when neither set
// holds two areas, no point of the leaf does.
bool uniform_without_overlap(const BoundaryLeaf& leaf, std::span<const LeafEdge> edges) {
  if (edges.empty()) return std::popcount(leaf.inside) <= 1;
  const std::uint64_t toggle = edges[0].toggle;
  for (const LeafEdge& e : edges)
    if (e.toggle != toggle) return false;
  return std::popcount(leaf.inside) <= 1 && std::popcount(leaf.inside ^ toggle) <= 1;
}

std::uint64_t pair_key(std::uint32_t a, std::uint32_t b) {
  return (std::uint64_t{std::min(a, b)} << 32) | std::max(a, b);
}

// What one row of the top grid contributes to the index; rows are built independently (in
// parallel) and appended in row order, so the result does not depend on the thread count.
struct RowResult {
  std::vector<std::uint32_t> codes;  // one per column
  std::vector<std::uint32_t> nodes;  // groups of four child codes (local numbering)
  std::vector<BoundaryLeaf> leaves;
  std::vector<LeafEdge> leaf_edges;
  std::vector<std::uint32_t> candidates;
  std::map<std::uint64_t, Point> overlaps;  // the lowest pairs found, with where first seen
  bool overlaps_complete = true;
  std::size_t largest_overlap = 0;
  std::size_t interior_cells = 0;
  std::size_t fallback_leaves = 0;
  std::size_t stalled_leaves = 0;
  int deepest_level = 0;

  // Empties the row, keeping the vectors' memory for the next row built into it.
  void clear() {
    codes.clear();
    nodes.clear();
    leaves.clear();
    leaf_edges.clear();
    candidates.clear();
    overlaps.clear();
    overlaps_complete = true;
    largest_overlap = 0;
    interior_cells = 0;
    fallback_leaves = 0;
    stalled_leaves = 0;
    deepest_level = 0;
  }
};

}  // namespace

struct AreaIndex::Impl {
  AreaIndexOptions options;
  std::size_t area_count = 0;
  std::vector<Box> area_boxes;
  detail::BigVector<EdgeRecord> edges;
  std::vector<std::uint32_t> area_edge_offsets;  // CSR: edges of each area
  detail::BigVector<std::uint32_t> area_edge_ids;

  Box extent;
  double margin = 0;  // tolerance added to cell boxes when assigning edges
  double x0 = 0, y0 = 0, cell_w = 1, cell_h = 1, inv_cell_w = 1, inv_cell_h = 1;
  std::size_t cols = 1, rows = 1;
  detail::BigVector<std::uint32_t> grid;
  detail::BigVector<std::uint32_t> nodes;
  detail::BigVector<BoundaryLeaf> leaves;
  detail::BigVector<LeafEdge> leaf_edges;
  detail::BigVector<std::uint32_t> leaf_candidates;
  std::vector<AreaOverlap> overlaps;
  Stats stats;

  // ---- construction -------------------------------------------------------------------

  void collect_edges(std::span<const MultiPolygon> areas);
  void choose_grid();
  detail::BigVector<std::uint32_t> assign_edges_to_cells(
      detail::BigVector<std::uint32_t>& offsets) const;
  void build_row(std::size_t row, const detail::BigVector<std::uint32_t>& cell_offsets,
                 std::span<const std::uint32_t> cell_edges, RowResult& out) const;

  Box cell_box(std::size_t col, std::size_t row) const {
    const double xmin = x0 + static_cast<double>(col) * cell_w;
    const double ymin = y0 + static_cast<double>(row) * cell_h;
    return {xmin, ymin, xmin + cell_w, ymin + cell_h};
  }
  Box expanded(const Box& b) const {
    return {b.xmin - margin, b.ymin - margin, b.xmax + margin, b.ymax + margin};
  }

  bool area_contains(std::uint32_t area, Point p) const {
    bool inside = false;
    for (std::uint32_t i = area_edge_offsets[area]; i < area_edge_offsets[area + 1]; ++i) {
      const EdgeRecord& e = edges[area_edge_ids[i]];
      if (ray_crosses(e.a, e.b, p)) inside = !inside;
    }
    return inside;
  }

  AreaSet areas_of(std::span<const std::uint32_t> edge_ids) const {
    AreaSet out;
    for (std::uint32_t id : edge_ids) {
      for (std::uint32_t a : edges[id].areas)
        if (a != kNoArea) out.push_back(a);
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
  }

  // Areas containing `to`, given those containing `from`, where both points lie in the region
  // covered by `edge_ids` (so no other area's boundary separates them).
  AreaSet derive(Point from, const AreaSet& at_from, Point to,
                 std::span<const std::uint32_t> edge_ids) const {
    AreaSet toggled;
    bool degenerate = false;
    for (std::uint32_t id : edge_ids) {
      const EdgeRecord& e = edges[id];
      const Crossing c = segment_crossing(from, to, e.a, e.b);
      if (c == Crossing::kDegenerate) {
        degenerate = true;
        break;
      }
      if (c == Crossing::kProper) {
        for (std::uint32_t a : e.areas)
          if (a != kNoArea) toggled.push_back(a);
      }
    }
    if (degenerate) return recompute(at_from, to, edge_ids);
    if (toggled.empty()) return at_from;
    std::sort(toggled.begin(), toggled.end());
    AreaSet odd;
    for (std::size_t i = 0; i < toggled.size();) {
      std::size_t j = i;
      while (j < toggled.size() && toggled[j] == toggled[i]) ++j;
      if ((j - i) % 2 == 1) odd.push_back(toggled[i]);
      i = j;
    }
    AreaSet result;
    std::set_symmetric_difference(at_from.begin(), at_from.end(), odd.begin(), odd.end(),
                                  std::back_inserter(result));
    return result;
  }

  // Fallback of derive(): ray casting for the areas whose edges are nearby.
  AreaSet recompute(const AreaSet& at_from, Point to,
                    std::span<const std::uint32_t> edge_ids) const {
    const AreaSet nearby = areas_of(edge_ids);
    AreaSet result;
    std::set_difference(at_from.begin(), at_from.end(), nearby.begin(), nearby.end(),
                        std::back_inserter(result));
    for (std::uint32_t a : nearby)
      if (area_contains(a, to)) result.push_back(a);
    std::sort(result.begin(), result.end());
    return result;
  }

  // ---- queries --------------------------------------------------------------------------

  std::uint32_t locate(Point p, bool& several) const {
    several = false;
    const double fx = (p.x - x0) * inv_cell_w;
    const double fy = (p.y - y0) * inv_cell_h;
    // The comparisons are written so that NaN lands outside.
    if (!(fx >= 0.0 && fx < static_cast<double>(cols) && fy >= 0.0 &&
          fy < static_cast<double>(rows))) {
      return kOutside;
    }
    const std::size_t col = static_cast<std::size_t>(fx);
    const std::size_t row = static_cast<std::size_t>(fy);
    std::uint32_t code = grid[row * cols + col];
    if ((code & kTagMask) == kTagNode) {
      double xmin = x0 + static_cast<double>(col) * cell_w;
      double ymin = y0 + static_cast<double>(row) * cell_h;
      double w = cell_w;
      double h = cell_h;
      do {
        w *= 0.5;
        h *= 0.5;
        std::uint32_t quadrant = 0;
        if (p.x >= xmin + w) {
          xmin += w;
          quadrant |= 1;
        }
        if (p.y >= ymin + h) {
          ymin += h;
          quadrant |= 2;
        }
        code = nodes[(code & kPayloadMask) * 4 + quadrant];
      } while ((code & kTagMask) == kTagNode);
    }
    switch (code & kTagMask) {
      case kTagLabel: {
        const std::uint32_t label = code & kPayloadMask;
        return label == kOutsideLabel ? kOutside : label;
      }
      case kTagOverlapLabel:
        several = true;
        return code & kPayloadMask;
      default:
        return locate_in_leaf(leaves[code & kPayloadMask], p, several);
    }
  }

  std::uint32_t locate_in_leaf(const BoundaryLeaf& leaf, Point p, bool& several) const {
    if (leaf.ray_cast_only()) return ray_cast_leaf(leaf, p, several);
    const std::optional<std::uint64_t> inside =
        leaf_crossing_mask(leaf, leaf_edges.data() + leaf.first_edge, p);
    if (!inside) return ray_cast_leaf(leaf, p, several);
    if (*inside == 0) return kOutside;
    several = (*inside & (*inside - 1)) != 0;  // more than one bit (no library popcount call)
    return leaf_candidates[leaf.first_candidate + std::countr_zero(*inside)];
  }

  // Exact answer under the boundary rule for points the crossing count cannot settle: on an
  // edge, or collinear with the reference point and a vertex. Candidates are sorted, so the
  // first hit is the lowest area.
  std::uint32_t ray_cast_leaf(const BoundaryLeaf& leaf, Point p, bool& several) const {
    std::uint32_t found = kOutside;
    for (std::uint32_t i = 0; i < leaf.candidate_count(); ++i) {
      const std::uint32_t area = leaf_candidates[leaf.first_candidate + i];
      if (!area_contains(area, p)) continue;
      if (found != kOutside) {
        several = true;
        break;
      }
      found = area;
    }
    return found;
  }
};

void AreaIndex::Impl::collect_edges(std::span<const MultiPolygon> areas) {
  struct RawEdge {
    Point lo;
    Point hi;
    std::uint32_t area;
  };
  auto key_less = [](const RawEdge& l, const RawEdge& r) {
    if (l.lo.x != r.lo.x) return l.lo.x < r.lo.x;
    if (l.lo.y != r.lo.y) return l.lo.y < r.lo.y;
    if (l.hi.x != r.hi.x) return l.hi.x < r.hi.x;
    if (l.hi.y != r.hi.y) return l.hi.y < r.hi.y;
    return l.area < r.area;
  };
  auto point_less = [](Point l, Point r) { return l.x < r.x || (l.x == r.x && l.y < r.y); };

  // Areas are checked and their edges counted, then written to their own slots, in parallel;
  // the slots follow area order, so the result is the same on any number of threads.
  auto for_each_edge = [](const MultiPolygon& area, auto&& visit) {
    auto ring_edges = [&](const Ring& ring) {
      const std::size_t n = ring.size();
      if (n == 0) return;
      for (std::size_t k = 0; k + 1 < n; ++k)
        if (ring[k] != ring[k + 1]) visit(ring[k], ring[k + 1]);
      // zero-length edges (incl. a repeated closing vertex) cross nothing
      if (ring[n - 1] != ring[0]) visit(ring[n - 1], ring[0]);
    };
    for (const Polygon& polygon : area) {
      ring_edges(polygon.exterior);
      for (const Ring& hole : polygon.holes) ring_edges(hole);
    }
  };
  area_boxes.resize(areas.size());
  std::vector<std::size_t> vertices(areas.size(), 0);
  std::vector<unsigned char> finite(areas.size(), 1);
  tbb::parallel_for(tbb::blocked_range<std::size_t>(0, areas.size(), 16),
                    [&](const tbb::blocked_range<std::size_t>& r) {
                      for (std::size_t i = r.begin(); i != r.end(); ++i) {
                        if (!all_finite(areas[i])) {
                          finite[i] = 0;
                          continue;
                        }
                        area_boxes[i] = bounding_box(areas[i]);
                        vertices[i] = vertex_count(areas[i]);
                      }
                    });
  Box all;
  for (std::uint32_t i = 0; i < areas.size(); ++i) {
    if (!finite[i]) {
      throw input_error("area #" + std::to_string(i) +
                        " has a coordinate that is not a finite number; fix or remove it");
    }
    stats.input_edges += vertices[i];
    if (!area_boxes[i].empty()) all.expand(area_boxes[i]);
  }

  // The edges are sorted by their lower end's x first, so they can be gathered, sorted and
  // grouped one vertical stripe of x at a time (the stripe of an edge is a non-decreasing
  // function of that x, so concatenated stripes are in sorted order): one buffer of about
  // kStripeEdges raw edges serves every stripe, instead of one for all edges (2 GB at 50 M
  // vertices), and each sort is smaller. Each area visits only the stripes its box spans.
  constexpr std::size_t kStripeEdges = std::size_t{1} << 20;
  const std::size_t stripes = std::clamp<std::size_t>(
      stats.input_edges / kStripeEdges, 1,
      std::max<std::size_t>(
          1, std::min<std::size_t>(
                 4096, (std::size_t{1} << 26) / std::max<std::size_t>(1, areas.size()))));
  const double stripe_x0 = all.empty() ? 0.0 : all.xmin;
  const double stripe_scale =
      all.empty() || !(all.width() > 0) ? 0.0 : static_cast<double>(stripes) / all.width();
  auto stripe_of = [&](double x) -> std::size_t {
    const double f = std::floor((x - stripe_x0) * stripe_scale);
    return static_cast<std::size_t>(std::clamp(f, 0.0, static_cast<double>(stripes - 1)));
  };
  // Per area, its edges in each stripe its box spans (CSR: the area's first stripe, counts).
  std::vector<std::size_t> first_stripe(areas.size(), 0);
  std::vector<std::size_t> count_offsets(areas.size() + 1, 0);
  for (std::size_t i = 0; i < areas.size(); ++i) {
    const bool has_box = !area_boxes[i].empty();
    first_stripe[i] = has_box ? stripe_of(area_boxes[i].xmin) : 0;
    const std::size_t spanned = has_box ? stripe_of(area_boxes[i].xmax) - first_stripe[i] + 1 : 0;
    count_offsets[i + 1] = count_offsets[i] + spanned;
  }
  std::vector<std::size_t> stripe_counts(count_offsets.back(), 0);
  tbb::parallel_for(tbb::blocked_range<std::size_t>(0, areas.size(), 16),
                    [&](const tbb::blocked_range<std::size_t>& r) {
                      for (std::size_t i = r.begin(); i != r.end(); ++i) {
                        std::size_t* counts = stripe_counts.data() + count_offsets[i];
                        const std::size_t first = first_stripe[i];
                        for_each_edge(areas[i], [&](Point a, Point b) {
                          ++counts[stripe_of(std::min(a.x, b.x)) - first];
                        });
                      }
                    });
  std::size_t total_raw = 0;
  std::size_t largest_stripe = 0;
  {
    std::vector<std::size_t> per_stripe(stripes, 0);
    for (std::size_t i = 0; i < areas.size(); ++i)
      for (std::size_t k = count_offsets[i]; k < count_offsets[i + 1]; ++k)
        per_stripe[first_stripe[i] + k - count_offsets[i]] += stripe_counts[k];
    for (std::size_t c : per_stripe) {
      total_raw += c;
      largest_stripe = std::max(largest_stripe, c);
    }
  }
  detail::BigVector<RawEdge> raw;
  raw.reserve(largest_stripe);
  edges.reserve(total_raw);  // an upper bound: pages never written are never resident
  std::vector<std::size_t> raw_offsets(areas.size() + 1, 0);
  std::vector<std::uint32_t> odd_areas;
  for (std::size_t stripe = 0; stripe < stripes; ++stripe) {
    for (std::size_t i = 0; i < areas.size(); ++i) {
      const bool spans = count_offsets[i + 1] > count_offsets[i] && stripe >= first_stripe[i] &&
                         stripe - first_stripe[i] < count_offsets[i + 1] - count_offsets[i];
      raw_offsets[i + 1] =
          raw_offsets[i] +
          (spans ? stripe_counts[count_offsets[i] + stripe - first_stripe[i]] : std::size_t{0});
    }
    raw.resize(raw_offsets.back());
    tbb::parallel_for(tbb::blocked_range<std::size_t>(0, areas.size(), 16),
                      [&](const tbb::blocked_range<std::size_t>& r) {
                        for (std::size_t i = r.begin(); i != r.end(); ++i) {
                          if (raw_offsets[i + 1] == raw_offsets[i]) continue;
                          RawEdge* out = raw.data() + raw_offsets[i];
                          const auto area = static_cast<std::uint32_t>(i);
                          for_each_edge(areas[i], [&](Point a, Point b) {
                            if (stripe_of(std::min(a.x, b.x)) != stripe) return;
                            *out++ = point_less(a, b) ? RawEdge{a, b, area} : RawEdge{b, a, area};
                          });
                        }
                      });
    tbb::parallel_sort(raw.begin(), raw.end(), key_less);

    // Group identical segments; an area that has the same segment an even number of times
    // (e.g. a slit) is not separated by it, so only odd multiplicities are kept.
    for (std::size_t i = 0; i < raw.size();) {
      std::size_t j = i;
      while (j < raw.size() && raw[j].lo == raw[i].lo && raw[j].hi == raw[i].hi) ++j;
      odd_areas.clear();
      for (std::size_t k = i; k < j;) {
        std::size_t m = k;
        while (m < j && raw[m].area == raw[k].area) ++m;
        if ((m - k) % 2 == 1) odd_areas.push_back(raw[k].area);
        k = m;
      }
      for (std::size_t k = 0; k < odd_areas.size(); k += 2) {
        const std::uint32_t second = k + 1 < odd_areas.size() ? odd_areas[k + 1] : kNoArea;
        edges.push_back({raw[i].lo, raw[i].hi, {odd_areas[k], second}});
      }
      i = j;
    }
  }
  if (edges.size() >= kPayloadMask) {
    throw input_error("areas have " + std::to_string(edges.size()) +
                      " distinct edges; notspot indexes at most 2^30 edges");
  }
  stats.distinct_edges = edges.size();

  area_edge_offsets.assign(area_count + 1, 0);
  for (const EdgeRecord& e : edges)
    for (std::uint32_t a : e.areas)
      if (a != kNoArea) ++area_edge_offsets[a + 1];
  for (std::size_t a = 0; a < area_count; ++a) area_edge_offsets[a + 1] += area_edge_offsets[a];
  area_edge_ids.resize(area_edge_offsets[area_count]);
  std::vector<std::uint32_t> fill(area_edge_offsets.begin(), area_edge_offsets.end() - 1);
  for (std::uint32_t id = 0; id < edges.size(); ++id)
    for (std::uint32_t a : edges[id].areas)
      if (a != kNoArea) area_edge_ids[fill[a]++] = id;
}

void AreaIndex::Impl::choose_grid() {
  for (const Box& b : area_boxes)
    if (!b.empty()) extent.expand(b);
  if (extent.empty()) {
    extent = {0, 0, 1, 1};
  }
  const double size = std::max({extent.width(), extent.height(), 1e-300});
  // Rounding in cell arithmetic is a few units in the last place of the coordinates: relative
  // to their magnitude, not to the extent (small areas far from the origin, e.g. 10 µm
  // features at 1e7, must still work). The edge-assignment margin is far above that error
  // and far below any real feature; the extent is padded so that no area touches its border.
  const double magnitude = std::max(
      {std::abs(extent.xmin), std::abs(extent.xmax), std::abs(extent.ymin), std::abs(extent.ymax)});
  const double rounding = magnitude * 0x1p-44;
  margin = std::max(size * 1e-9, rounding);
  const double pad = std::max(size * 1e-6, 4 * rounding) + 1e-300;
  extent = {extent.xmin - pad, extent.ymin - pad, extent.xmax + pad, extent.ymax + pad};

  const double wanted =
      std::clamp(std::ceil(static_cast<double>(edges.size()) * options.top_cells_per_edge), 1.0,
                 static_cast<double>(options.max_top_cells));
  const double aspect = extent.width() / extent.height();
  cols = static_cast<std::size_t>(std::clamp(std::round(std::sqrt(wanted * aspect)), 1.0, wanted));
  rows = static_cast<std::size_t>(std::max(1.0, std::ceil(wanted / static_cast<double>(cols))));
  x0 = extent.xmin;
  y0 = extent.ymin;
  cell_w = extent.width() / static_cast<double>(cols);
  cell_h = extent.height() / static_cast<double>(rows);
  inv_cell_w = 1.0 / cell_w;
  inv_cell_h = 1.0 / cell_h;
  stats.top_columns = cols;
  stats.top_rows = rows;
}

detail::BigVector<std::uint32_t> AreaIndex::Impl::assign_edges_to_cells(
    detail::BigVector<std::uint32_t>& offsets) const {
  auto cell_range = [&](double lo, double hi, double origin, double inv, std::size_t n) {
    const double f_lo = std::floor((lo - margin - origin) * inv);
    const double f_hi = std::floor((hi + margin - origin) * inv);
    const auto clampi = [&](double f) {
      return static_cast<std::size_t>(std::clamp(f, 0.0, static_cast<double>(n - 1)));
    };
    return std::pair{clampi(f_lo), clampi(f_hi)};
  };
  // Each edge's cells are found in parallel (counted, then written to the edge's own slots),
  // then a counting sort by cell lists each cell's edges in increasing id order.
  auto visit_cells = [&](std::uint32_t id, auto&& visit) {
    const EdgeRecord& e = edges[id];
    const auto [c0, c1] =
        cell_range(std::min(e.a.x, e.b.x), std::max(e.a.x, e.b.x), x0, inv_cell_w, cols);
    const auto [r0, r1] =
        cell_range(std::min(e.a.y, e.b.y), std::max(e.a.y, e.b.y), y0, inv_cell_h, rows);
    for (std::size_t r = r0; r <= r1; ++r) {
      for (std::size_t c = c0; c <= c1; ++c) {
        if (segment_touches_box(e.a, e.b, expanded(cell_box(c, r))))
          visit(static_cast<std::uint32_t>(r * cols + c));
      }
    }
  };
  const std::size_t n = edges.size();
  detail::BigVector<std::size_t> first(n + 1);
  first[0] = 0;
  tbb::parallel_for(
      tbb::blocked_range<std::size_t>(0, n, 4096), [&](const tbb::blocked_range<std::size_t>& r) {
        for (std::size_t id = r.begin(); id != r.end(); ++id) {
          std::size_t count = 0;
          visit_cells(static_cast<std::uint32_t>(id), [&](std::uint32_t) { ++count; });
          first[id + 1] = count;
        }
      });
  for (std::size_t id = 0; id < n; ++id) first[id + 1] += first[id];
  detail::BigVector<std::uint32_t> incidence_cell(first[n]);
  tbb::parallel_for(
      tbb::blocked_range<std::size_t>(0, n, 4096), [&](const tbb::blocked_range<std::size_t>& r) {
        for (std::size_t id = r.begin(); id != r.end(); ++id) {
          std::uint32_t* out = incidence_cell.data() + first[id];
          visit_cells(static_cast<std::uint32_t>(id), [&](std::uint32_t cell) { *out++ = cell; });
        }
      });
  offsets.assign(cols * rows + 1, 0);
  for (std::uint32_t cell : incidence_cell) ++offsets[cell + 1];
  for (std::size_t c = 0; c < cols * rows; ++c) offsets[c + 1] += offsets[c];
  detail::BigVector<std::uint32_t> cell_edges(offsets.back());
  detail::BigVector<std::uint32_t> fill(offsets.begin(), offsets.end() - 1);
  for (std::size_t id = 0; id < n; ++id)
    for (std::size_t j = first[id]; j < first[id + 1]; ++j)
      cell_edges[fill[incidence_cell[j]]++] = static_cast<std::uint32_t>(id);
  return cell_edges;
}

void AreaIndex::Impl::build_row(std::size_t row,
                                const detail::BigVector<std::uint32_t>& cell_offsets,
                                std::span<const std::uint32_t> cell_edges, RowResult& out) const {
  out.clear();
  out.codes.resize(cols);
  auto edges_of_cell = [&](std::size_t col) {
    const std::size_t cell = row * cols + col;
    return std::span<const std::uint32_t>(cell_edges.data() + cell_offsets[cell],
                                          cell_offsets[cell + 1] - cell_offsets[cell]);
  };
  // The kMaxOverlapPairs lowest distinct pairs of this row (lowest area numbers first, as
  // listed); the same set met again (neighbouring cells, probes) is skipped. Pairs are added in
  // increasing order within a row of a set, so a loop stops at the first pair above a full map.
  AreaSet last_noted;
  auto add_pair = [&](std::uint32_t a, std::uint32_t b, Point where) {
    const std::uint64_t key = pair_key(a, b);
    if (out.overlaps.size() >= kMaxOverlapPairs) {
      if (key > out.overlaps.rbegin()->first) {
        out.overlaps_complete = false;
        return false;
      }
      if (!out.overlaps.emplace(key, where).second) return true;
      out.overlaps.erase(std::prev(out.overlaps.end()));
      out.overlaps_complete = false;
      return true;
    }
    out.overlaps.emplace(key, where);
    return true;
  };
  auto note_overlap = [&](const AreaSet& set, Point where) {
    if (set.size() < 2) return;
    out.largest_overlap = std::max(out.largest_overlap, set.size());
    if (set == last_noted) return;
    last_noted = set;
    if (set.size() <= kMaxPairwiseOverlapSet) {
      for (std::size_t i = 0; i < set.size(); ++i)
        for (std::size_t j = i + 1; j < set.size(); ++j)
          if (!add_pair(set[i], set[j], where)) break;
    } else {
      out.overlaps_complete = false;
      for (std::size_t j = 1; j < set.size(); ++j)
        if (!add_pair(set[0], set[j], where)) break;
    }
  };
  auto label_code = [&](const AreaSet& set, Point where) {
    ++out.interior_cells;
    if (set.empty()) return kTagLabel | kOutsideLabel;
    if (set.size() == 1) return kTagLabel | set[0];
    note_overlap(set, where);
    return kTagOverlapLabel | set[0];
  };
  // A reference point in `box` off every one of `edge_ids`: the centre, else the first of a
  // Halton sequence that is. Cells so small that every candidate is on an edge get the centre,
  // and their leaves answer by ray casting.
  auto reference_point = [&](const Box& box, std::span<const std::uint32_t> edge_ids) {
    for (const auto& [fx, fy] : kReferenceFractions) {
      const Point p{box.xmin + fx * box.width(), box.ymin + fy * box.height()};
      if (!on_any_edge(p, edge_ids, edges)) return p;
    }
    return Point{box.xmin + 0.5 * box.width(), box.ymin + 0.5 * box.height()};
  };

  struct Task {
    Box box;
    Point ref;
    AreaSet inside;
    // Inline: nearly every cell holds a few edges, and a heap block per quadtree node was a
    // twentieth of the build.
    boost::container::small_vector<std::uint32_t, 14> edge_ids;
    int depth;
    int stalled = 0;  // levels in a row that kept more than 3/4 of their parent's edges
  };

  // Builds the subtree of a boundary cell and returns its code (local numbering).
  auto build_subtree = [&](auto&& self, Task task) -> std::uint32_t {
    if (task.edge_ids.empty()) return label_code(task.inside, task.ref);
    out.deepest_level = std::max(out.deepest_level, task.depth);
    AreaSet candidates = areas_of(as_span(task.edge_ids));
    {
      AreaSet merged;
      std::set_union(candidates.begin(), candidates.end(), task.inside.begin(), task.inside.end(),
                     std::back_inserter(merged));
      candidates = std::move(merged);
    }
    const bool small =
        task.edge_ids.size() <= options.max_leaf_edges && candidates.size() <= kMaxLeafCandidates;
    // Below a few edge-assignment margins, children would hold the same edges: stop.
    const bool at_resolution = std::min(task.box.width(), task.box.height()) < 64 * margin;
    // Too many candidates, most of them areas stacked over the reference point: splitting
    // would copy that stack into every leaf (1,000 areas shifted by 1 m each: a gigabyte)
    // without bringing it down to kMaxLeafCandidates.
    const bool stacked = candidates.size() > kMaxLeafCandidates &&
                         task.inside.size() * 2 > kMaxLeafCandidates;
    const bool stalled = task.stalled >= kMaxStalledLevels;
    if (small || at_resolution || task.depth >= options.max_depth || stacked || stalled) {
      if ((stacked || stalled) && !small) ++out.stalled_leaves;
      BoundaryLeaf leaf{};
      leaf.ref = task.ref;
      // Too many areas or edges for the crossing count: exact ray casting over the candidates,
      // and no copy of the edges.
      const bool too_big = candidates.size() > kMaxLeafCandidates ||
                           task.edge_ids.size() > kMaxCopiedLeafEdges;
      leaf.first_edge = static_cast<std::uint32_t>(out.leaf_edges.size());
      leaf.edge_count = too_big ? 0u : static_cast<std::uint32_t>(task.edge_ids.size());
      leaf.first_candidate = static_cast<std::uint32_t>(out.candidates.size());
      const bool ray_cast_only = too_big || on_any_edge(task.ref, as_span(task.edge_ids), edges);
      leaf.candidates_and_flag =
          static_cast<std::uint32_t>(candidates.size()) | (ray_cast_only ? 0x80000000u : 0u);
      auto bit_of = [&](std::uint32_t area) -> std::uint64_t {
        if (area == kNoArea || candidates.size() > kMaxLeafCandidates) return 0;
        const auto it = std::lower_bound(candidates.begin(), candidates.end(), area);
        return std::uint64_t{1} << (it - candidates.begin());
      };
      for (std::uint32_t a : task.inside) leaf.inside |= bit_of(a);
      if (!too_big) {
        for (std::uint32_t id : task.edge_ids) {
          const EdgeRecord& e = edges[id];
          out.leaf_edges.push_back({e.a, e.b, bit_of(e.areas[0]) ^ bit_of(e.areas[1]),
                                    orientation(e.a, e.b, task.ref)});
        }
      }
      out.candidates.insert(out.candidates.end(), candidates.begin(), candidates.end());
      if (ray_cast_only) ++out.fallback_leaves;
      if (task.inside.size() > 1) note_overlap(task.inside, task.ref);
      // Overlaps: probe beside every edge piece; a probe in two areas lies in an overlap.
      const std::span<const LeafEdge> own(out.leaf_edges.data() + leaf.first_edge, leaf.edge_count);
      if (too_big && candidates.size() > 1) {
        // A fixed lattice of probes, ray cast: probing beside every piece of every edge would
        // cost edges^2 per leaf. Such leaves hold stacked areas whose overlap the reference
        // point and the neighbouring cells have nearly always shown already.
        for (int i = 0; i < 3; ++i) {
          for (int j = 0; j < 3; ++j) {
            const Point probe{task.box.xmin + (0.5 + i) / 3.0 * task.box.width(),
                              task.box.ymin + (0.5 + j) / 3.0 * task.box.height()};
            AreaSet members;
            for (std::uint32_t a : candidates)
              if (area_contains(a, probe)) members.push_back(a);
            note_overlap(members, probe);
          }
        }
      } else if (candidates.size() > 1 &&
                 !(!leaf.ray_cast_only() && uniform_without_overlap(leaf, own))) {
        for (Point probe : overlap_probes(own, task.box)) {
          std::uint64_t mask = 0;
          if (!leaf.ray_cast_only()) {
            const std::optional<std::uint64_t> m = leaf_crossing_mask(leaf, own.data(), probe);
            if (m) {
              mask = *m;
            } else {
              for (std::size_t i = 0; i < candidates.size(); ++i)
                if (area_contains(candidates[i], probe)) mask |= std::uint64_t{1} << i;
            }
            if (std::popcount(mask) < 2) continue;
            AreaSet members;
            for (std::uint64_t bits = mask; bits != 0; bits &= bits - 1)
              members.push_back(candidates[static_cast<std::size_t>(std::countr_zero(bits))]);
            note_overlap(members, probe);
          } else {
            AreaSet members;
            for (std::uint32_t a : candidates)
              if (area_contains(a, probe)) members.push_back(a);
            if (members.size() > 1) note_overlap(members, probe);
          }
        }
      }
      out.leaves.push_back(leaf);
      return kTagLeaf | static_cast<std::uint32_t>(out.leaves.size() - 1);
    }

    const std::size_t node = out.nodes.size() / 4;
    out.nodes.resize(out.nodes.size() + 4);
    const double w = task.box.width() * 0.5;
    const double h = task.box.height() * 0.5;
    for (std::uint32_t quadrant = 0; quadrant < 4; ++quadrant) {
      Task child;
      child.depth = task.depth + 1;
      const double xmin = (quadrant & 1) ? task.box.xmin + w : task.box.xmin;
      const double ymin = (quadrant & 2) ? task.box.ymin + h : task.box.ymin;
      child.box = {xmin, ymin, xmin + w, ymin + h};
      const Box grown = expanded(child.box);
      for (std::uint32_t id : task.edge_ids) {
        if (segment_touches_box(edges[id].a, edges[id].b, grown)) child.edge_ids.push_back(id);
      }
      child.stalled = child.edge_ids.size() * 4 > task.edge_ids.size() * 3 ? task.stalled + 1 : 0;
      child.ref = reference_point(child.box, as_span(child.edge_ids));
      child.inside = derive(task.ref, task.inside, child.ref, as_span(task.edge_ids));
      const std::uint32_t code = self(self, std::move(child));
      out.nodes[node * 4 + quadrant] = code;
    }
    return kTagNode | static_cast<std::uint32_t>(node);
  };

  // March along the row's centre line from the east, where no area is, carrying the set of
  // areas containing the current point from one cell to the next.
  const double y_line = y0 + (static_cast<double>(row) + 0.5) * cell_h;
  Point previous{x0 + static_cast<double>(cols) * cell_w, y_line};
  AreaSet inside_previous;
  std::vector<std::uint32_t> span_edges;
  for (std::size_t col = cols; col-- > 0;) {
    const auto own = edges_of_cell(col);
    // Both lists are sorted (cells list their edges in increasing id order): merge them.
    span_edges.clear();
    if (col + 1 < cols) {
      const auto east = edges_of_cell(col + 1);
      std::set_union(own.begin(), own.end(), east.begin(), east.end(),
                     std::back_inserter(span_edges));
    } else {
      span_edges.assign(own.begin(), own.end());
    }
    const Box box = cell_box(col, row);
    Point on_line{box.xmin + 0.5 * box.width(), y_line};
    const AreaSet inside_on_line = derive(previous, inside_previous, on_line, span_edges);
    if (own.empty()) {
      out.codes[col] = label_code(inside_on_line, on_line);
    } else {
      Task task;
      task.box = box;
      task.depth = 0;
      task.edge_ids.assign(own.begin(), own.end());
      task.ref = on_line;
      if (on_any_edge(on_line, own, edges)) {
        task.ref = reference_point(box, own);
        task.inside = derive(on_line, inside_on_line, task.ref, own);
      } else {
        task.inside = inside_on_line;
      }
      out.codes[col] = build_subtree(build_subtree, std::move(task));
    }
    previous = on_line;
    inside_previous = inside_on_line;
  }
}

AreaIndex::AreaIndex(std::span<const MultiPolygon> areas, AreaIndexOptions options)
    : impl_(std::make_unique<Impl>()) {
  Impl& m = *impl_;
  if (options.max_leaf_edges < 1 || options.max_depth < 0 || options.max_depth > 24 ||
      !(options.top_cells_per_edge > 0) || options.max_top_cells < 1) {
    throw internal_error("AreaIndexOptions out of range");
  }
  if (areas.size() > kMaxAreas) {
    throw input_error("too many areas (" + std::to_string(areas.size()) + "); notspot supports " +
                      std::to_string(kMaxAreas));
  }
  m.options = options;
  m.area_count = areas.size();
  m.stats.areas = areas.size();
  m.collect_edges(areas);
  m.choose_grid();

  detail::BigVector<std::uint32_t> cell_offsets;
  const detail::BigVector<std::uint32_t> cell_edges = m.assign_edges_to_cells(cell_offsets);

  // Rows are built in parallel, a batch at a time, into buffers reused from batch to batch,
  // and appended in row order, renumbering their local nodes and leaves: the result does not
  // depend on the thread count, and the rows' memory is that of one batch (fresh memory costs a
  // page fault per page; it was a tenth of the build).
  constexpr std::size_t kBatchRows = 32;
  std::vector<RowResult> rows(std::min(kBatchRows, m.rows));
  struct Bases {
    std::size_t node = 0, leaf = 0, edge = 0, candidate = 0;
  };
  std::vector<Bases> bases(rows.size() + 1);
  m.grid.resize(m.cols * m.rows);
  std::map<std::uint64_t, Point> overlap_first_seen;
  for (std::size_t batch = 0; batch < m.rows; batch += kBatchRows) {
    const std::size_t count = std::min(kBatchRows, m.rows - batch);
    tbb::parallel_for(std::size_t{0}, count, [&](std::size_t i) {
      m.build_row(batch + i, cell_offsets, cell_edges, rows[i]);
    });
    bases[0] = {m.nodes.size(), m.leaves.size(), m.leaf_edges.size(), m.leaf_candidates.size()};
    for (std::size_t i = 0; i < count; ++i) {
      bases[i + 1].node = bases[i].node + rows[i].nodes.size();
      bases[i + 1].leaf = bases[i].leaf + rows[i].leaves.size();
      bases[i + 1].edge = bases[i].edge + rows[i].leaf_edges.size();
      bases[i + 1].candidate = bases[i].candidate + rows[i].candidates.size();
    }
    const Bases& total = bases[count];
    if (total.edge >= 0xFFFFFFFFull || total.node / 4 >= kPayloadMask ||
        total.leaf >= kPayloadMask || total.candidate >= 0xFFFFFFFFull) {
      throw input_error("areas too detailed to index (more than 2^30 cells)");
    }
    // Capacity for the rest in proportion to what the rows so far needed, so that the arrays
    // are seldom moved.
    const double scale = 1.1 * static_cast<double>(m.rows) / static_cast<double>(batch + count);
    auto grow = [&](auto& v, std::size_t size) {
      // At least doubling: the first rows (the south coast) predict the rest poorly, and a
      // move per batch would copy the arrays over and over.
      if (size > v.capacity())
        v.reserve(std::max(static_cast<std::size_t>(static_cast<double>(size) * scale),
                           2 * v.capacity()));
      v.resize(size);
    };
    grow(m.nodes, total.node);
    grow(m.leaves, total.leaf);
    grow(m.leaf_edges, total.edge);
    grow(m.leaf_candidates, total.candidate);
    tbb::parallel_for(std::size_t{0}, count, [&](std::size_t i) {
      const RowResult& row = rows[i];
      const std::size_t r = batch + i;
      const Bases& at = bases[i];
      const auto node_base = static_cast<std::uint32_t>(at.node / 4);
      const auto leaf_base = static_cast<std::uint32_t>(at.leaf);
      const auto edge_base = static_cast<std::uint32_t>(at.edge);
      const auto candidate_base = static_cast<std::uint32_t>(at.candidate);
      auto renumber = [&](std::uint32_t code) {
        switch (code & kTagMask) {
          case kTagNode:
            return code + node_base;
          case kTagLeaf:
            return code + leaf_base;
          default:
            return code;
        }
      };
      for (std::size_t c = 0; c < m.cols; ++c) m.grid[r * m.cols + c] = renumber(row.codes[c]);
      std::uint32_t* nodes = m.nodes.data() + at.node;
      for (std::uint32_t code : row.nodes) *nodes++ = renumber(code);
      BoundaryLeaf* leaves = m.leaves.data() + at.leaf;
      for (BoundaryLeaf leaf : row.leaves) {
        leaf.first_edge += edge_base;
        leaf.first_candidate += candidate_base;
        *leaves++ = leaf;
      }
      std::copy(row.leaf_edges.begin(), row.leaf_edges.end(), m.leaf_edges.begin() + at.edge);
      std::copy(row.candidates.begin(), row.candidates.end(),
                m.leaf_candidates.begin() + at.candidate);
    });
    for (std::size_t i = 0; i < count; ++i) {
      const RowResult& row = rows[i];
      // The lowest kMaxOverlapPairs pairs over all rows; a pair seen in several rows keeps the
      // point of the first.
      for (const auto& [key, where] : row.overlaps) {
        if (overlap_first_seen.size() >= kMaxOverlapPairs &&
            key > overlap_first_seen.rbegin()->first) {
          m.stats.overlaps_complete = false;
          break;
        }
        if (!overlap_first_seen.emplace(key, where).second) continue;
        if (overlap_first_seen.size() > kMaxOverlapPairs) {
          overlap_first_seen.erase(std::prev(overlap_first_seen.end()));
          m.stats.overlaps_complete = false;
        }
      }
      m.stats.overlaps_complete = m.stats.overlaps_complete && row.overlaps_complete;
      m.stats.largest_overlap = std::max(m.stats.largest_overlap, row.largest_overlap);
      m.stats.interior_cells += row.interior_cells;
      m.stats.fallback_leaves += row.fallback_leaves;
      m.stats.stalled_leaves += row.stalled_leaves;
      m.stats.deepest_level = std::max(m.stats.deepest_level, row.deepest_level);
    }
  }
  // The arrays keep the capacity estimated above (about 10% over): huge-page-backed memory
  // that was never touched is not resident, and shrinking would copy them.
  if (m.leaf_edges.size() >= 0xFFFFFFFFull || m.nodes.size() / 4 >= kPayloadMask ||
      m.leaves.size() >= kPayloadMask) {
    throw input_error("areas too detailed to index (more than 2^30 cells)");
  }
  for (const auto& [key, where] : overlap_first_seen) {
    m.overlaps.push_back({static_cast<std::uint32_t>(key >> 32),
                          static_cast<std::uint32_t>(key & 0xFFFFFFFFu), where});
  }

  m.stats.boundary_leaves = m.leaves.size();
  m.stats.leaf_edges = m.leaf_edges.size();
  m.stats.quadtree_nodes = m.nodes.size() / 4;
  m.stats.memory_bytes =
      m.grid.size() * sizeof(std::uint32_t) + m.nodes.size() * sizeof(std::uint32_t) +
      m.leaves.size() * sizeof(BoundaryLeaf) + m.leaf_edges.size() * sizeof(LeafEdge) +
      m.leaf_candidates.size() * sizeof(std::uint32_t) + m.edges.size() * sizeof(EdgeRecord) +
      (m.area_edge_ids.size() + m.area_edge_offsets.size()) * sizeof(std::uint32_t) +
      m.area_boxes.size() * sizeof(Box);
}

AreaIndex::~AreaIndex() = default;
AreaIndex::AreaIndex(AreaIndex&&) noexcept = default;
AreaIndex& AreaIndex::operator=(AreaIndex&&) noexcept = default;

std::uint32_t AreaIndex::locate(Point p) const {
  bool several = false;
  return impl_->locate(p, several);
}

std::uint32_t AreaIndex::locate(Point p, bool& in_several_areas) const {
  return impl_->locate(p, in_several_areas);
}

std::size_t AreaIndex::locate_all(std::span<const double> xs, std::span<const double> ys,
                                  std::span<std::uint32_t> out) const {
  if (xs.size() != out.size() || ys.size() != out.size()) {
    throw internal_error("AreaIndex::locate_all: spans of different sizes");
  }
  const Impl& m = *impl_;
  const std::size_t n = out.size();
  // Small inputs, or an index small enough to stay in cache: input order is fine.
  if (n < (std::size_t{1} << 20) || m.stats.memory_bytes < (std::size_t{8} << 20)) {
    return tbb::parallel_reduce(
        tbb::blocked_range<std::size_t>(0, n, 4096), std::size_t{0},
        [&](const tbb::blocked_range<std::size_t>& r, std::size_t count) {
          for (std::size_t i = r.begin(); i != r.end(); ++i) {
            bool several = false;
            out[i] = m.locate({xs[i], ys[i]}, several);
            count += several;
          }
          return count;
        },
        std::plus<>());
  }
  // Large inputs in no spatial order (premises files are sorted by UPRN, which says nothing
  // about position): points are grouped by square tiles of top-grid cells, so that
  // consecutive lookups touch the same part of the index instead of missing the cache every
  // time. A counting sort gathers each batch's coordinates in tile order; results go back to
  // each point's own slot, so the order changes nothing but speed. About a thousand tiles:
  // more make the scatter miss the cache (national: 65,536 tiles ran 12% slower), fewer lose
  // locality; a second sort by cell within each tile gained nothing.
  int shift = 0;
  while (((m.cols >> shift) + 1) * ((m.rows >> shift) + 1) > 1024) ++shift;
  const std::size_t tile_cols = (m.cols >> shift) + 1;
  const std::size_t tiles = tile_cols * ((m.rows >> shift) + 1);
  const std::size_t buckets = tiles + 1;  // the last one: points off the grid
  auto bucket_of = [&](std::size_t i) -> std::size_t {
    const double fx = (xs[i] - m.x0) * m.inv_cell_w;
    const double fy = (ys[i] - m.y0) * m.inv_cell_h;
    if (!(fx >= 0.0 && fx < static_cast<double>(m.cols) && fy >= 0.0 &&
          fy < static_cast<double>(m.rows))) {
      return tiles;
    }
    return (static_cast<std::size_t>(fy) >> shift) * tile_cols +
           (static_cast<std::size_t>(fx) >> shift);
  };
  // Batches bound the extra memory (20 bytes a point) whatever the input's size; parts are
  // fixed, so the grouping is the same on any machine.
  constexpr std::size_t kBatch = std::size_t{1} << 22;
  constexpr std::size_t kParts = 16;
  std::vector<std::vector<std::uint32_t>> next(kParts, std::vector<std::uint32_t>(buckets));
  std::vector<double> sorted_x(std::min(n, kBatch)), sorted_y(sorted_x.size());
  std::vector<std::uint32_t> order(sorted_x.size());
  std::size_t several_total = 0;
  for (std::size_t batch = 0; batch < n; batch += kBatch) {
    const std::size_t size = std::min(kBatch, n - batch);
    const std::size_t part_size = (size + kParts - 1) / kParts;
    auto part_range = [&](std::size_t part) {
      return std::pair{batch + std::min(size, part * part_size),
                       batch + std::min(size, (part + 1) * part_size)};
    };
    tbb::parallel_for(std::size_t{0}, kParts, [&](std::size_t part) {
      std::vector<std::uint32_t>& h = next[part];
      std::fill(h.begin(), h.end(), 0);
      const auto [begin, end] = part_range(part);
      for (std::size_t i = begin; i < end; ++i) ++h[bucket_of(i)];
    });
    std::uint32_t position = 0;
    for (std::size_t b = 0; b < buckets; ++b) {
      for (std::size_t part = 0; part < kParts; ++part) {
        const std::uint32_t count = next[part][b];
        next[part][b] = position;
        position += count;
      }
    }
    tbb::parallel_for(std::size_t{0}, kParts, [&](std::size_t part) {
      std::vector<std::uint32_t>& slot = next[part];
      const auto [begin, end] = part_range(part);
      for (std::size_t i = begin; i < end; ++i) {
        const std::uint32_t at = slot[bucket_of(i)]++;
        sorted_x[at] = xs[i];
        sorted_y[at] = ys[i];
        order[at] = static_cast<std::uint32_t>(i - batch);
      }
    });
    several_total += tbb::parallel_reduce(
        tbb::blocked_range<std::size_t>(0, size, 16384), std::size_t{0},
        [&](const tbb::blocked_range<std::size_t>& r, std::size_t count) {
          for (std::size_t j = r.begin(); j != r.end(); ++j) {
            bool several = false;
            out[batch + order[j]] = m.locate({sorted_x[j], sorted_y[j]}, several);
            count += several;
          }
          return count;
        },
        std::plus<>());
  }
  return several_total;
}

std::vector<std::uint32_t> AreaIndex::areas_containing(Point p) const {
  const Impl& m = *impl_;
  std::vector<std::uint32_t> out;
  for (std::uint32_t a = 0; a < m.area_count; ++a) {
    if (m.area_boxes[a].contains(p) && m.area_contains(a, p)) out.push_back(a);
  }
  return out;
}

std::size_t AreaIndex::area_count() const {
  return impl_->area_count;
}
Box AreaIndex::extent() const {
  return impl_->extent;
}
const AreaIndex::Stats& AreaIndex::stats() const {
  return impl_->stats;
}
std::span<const AreaOverlap> AreaIndex::overlaps() const {
  return impl_->overlaps;
}

bool contains_half_open(const MultiPolygon& area, Point p) {
  bool inside = false;
  auto ring_crossings = [&](const Ring& ring) {
    const std::size_t n = ring.size();
    for (std::size_t k = 0; k < n; ++k) {
      if (ray_crosses(ring[k], ring[(k + 1) % n], p)) inside = !inside;
    }
  };
  for (const Polygon& polygon : area) {
    ring_crossings(polygon.exterior);
    for (const Ring& hole : polygon.holes) ring_crossings(hole);
  }
  return inside;
}

}  // namespace notspot::engine
