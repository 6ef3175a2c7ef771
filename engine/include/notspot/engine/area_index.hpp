#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "notspot/engine/geometry.hpp"

namespace notspot::engine {

/// Tuning knobs of AreaIndex. The defaults suit parish boundaries in metres.
struct AreaIndexOptions {
  /// A boundary cell holding more edges than this is split into four. DEFAULT: 4 (from the
  /// options sweep in benchmarks/README.md). REQUIRES: >= 1.
  std::size_t max_leaf_edges = 4;
  /// Deepest quadtree level below a top-grid cell. DEFAULT: 12. REQUIRES: 0 <= max_depth <= 24.
  int max_depth = 12;
  /// Size of the top grid, in cells per distinct input edge. DEFAULT: 1. REQUIRES: > 0.
  double top_cells_per_edge = 1.0;
  /// Cap on top-grid cells, to bound memory on huge inputs. DEFAULT: 2^24. REQUIRES: >= 1.
  std::size_t max_top_cells = std::size_t{1} << 24;
};

/// Two areas found to overlap while the index was built, with a point near the overlap.
struct AreaOverlap {
  std::uint32_t first;   ///< Lower area index.
  std::uint32_t second;  ///< Higher area index.
  Point near;            ///< A point in or next to the overlap, for the report.
};

/**
 * Assigns points to areas (parishes): a point-in-polygon index tuned so that most points are
 * answered without touching a polygon edge.
 *
 * A uniform top grid covers the areas' extent. A cell that no edge crosses lies wholly in one
 * area (or outside all) and stores that answer. A cell crossed by edges is split as a
 * quadtree until each leaf holds at most `max_leaf_edges` edges; such a leaf stores a
 * reference point whose areas are known and a private copy of its few edges. A point in the
 * leaf is located by counting, per area, the edges crossed by the segment from the reference
 * point to the point; orientation tests are exact (see orientation.hpp), so results agree
 * with GEOS for every point not exactly on a boundary. Edges shared by two areas are stored
 * once.
 *
 * Boundary rule (the "east, then north" rule): a point exactly on an area boundary belongs
 * to the area that lies immediately east of it (larger x); on an east-west edge, to the area
 * immediately north of it (larger y). Formally, a point p is located as p + (ε, δ) with
 * 0 < δ ≪ ε infinitesimal. In a tessellation this puts every point of the covered region in
 * exactly one area, including points on shared edges and at vertices where several areas
 * meet. It is the half-open crossing rule of `contains_half_open`.
 *
 * Overlaps: where areas overlap, a point inside several areas goes to the one with the lowest
 * index; overlaps met during the build are listed by `overlaps()`.
 *
 * Thread safety: const member functions may be called concurrently.
 *
 * Typical usage:
 * @code
 *   AreaIndex index(parish_geometries);
 *   std::uint32_t area = index.locate({x, y});
 *   if (area == AreaIndex::kOutside) { ... }
 * @endcode
 */
class AreaIndex {
 public:
  /// Returned for a point outside every area.
  static constexpr std::uint32_t kOutside = 0xFFFFFFFFu;
  /// Areas beyond this count are not supported (the index packs area numbers in 30 bits).
  static constexpr std::size_t kMaxAreas = (std::size_t{1} << 30) - 2;

  /// What the index is made of, for logs and benchmarks.
  struct Stats {
    std::size_t areas = 0;
    std::size_t input_edges = 0;     ///< Edges over all rings of all areas.
    std::size_t distinct_edges = 0;  ///< After storing each shared edge once.
    std::size_t top_columns = 0;
    std::size_t top_rows = 0;
    std::size_t interior_cells = 0;  ///< Top cells and quadtree leaves with a single answer.
    std::size_t boundary_leaves = 0;
    std::size_t leaf_edges = 0;  ///< Edge copies held by boundary leaves.
    std::size_t quadtree_nodes = 0;
    int deepest_level = 0;
    std::size_t fallback_leaves = 0;  ///< Leaves answered by ray casting: too many areas or
                                      ///< edges, or cells at the resolution of the coordinates.
    std::size_t stalled_leaves = 0;   ///< Leaves with more than max_leaf_edges edges where
                                      ///< subdivision stopped separating them: coincident or
                                      ///< collinear edges, stacked areas.
    bool overlaps_complete = true;    ///< False when overlaps() is not every overlapping pair
                                      ///< (more than kMaxOverlapPairs, or stacked clusters).
    std::size_t largest_overlap = 0;  ///< Most areas found overlapping at one point (0: none).
    std::size_t memory_bytes = 0;
  };

  /**
   * Builds the index.
   * @param areas one multipolygon per area; the area's number is its position. Rings need not
   *   be closed or oriented. Polygons should be valid (repair them first); an invalid polygon
   *   is still indexed consistently under the even-odd (crossing-parity) rule.
   * @throws Error (kInput) when a coordinate is not finite or there are too many areas.
   */
  explicit AreaIndex(std::span<const MultiPolygon> areas, AreaIndexOptions options = {});
  ~AreaIndex();
  AreaIndex(AreaIndex&&) noexcept;
  AreaIndex& operator=(AreaIndex&&) noexcept;
  AreaIndex(const AreaIndex&) = delete;
  AreaIndex& operator=(const AreaIndex&) = delete;

  /// The area containing p under the boundary rule, or kOutside.
  std::uint32_t locate(Point p) const;

  /// Like locate(), and also says whether p lies in more than one area (an overlap).
  std::uint32_t locate(Point p, bool& in_several_areas) const;

  /**
   * Locates many points, using all threads of the current TBB arena.
   * @param xs, ys point coordinates. REQUIRES: same size as out.
   * @param out receives the area of each point, or kOutside.
   * @return the number of points that lay in more than one area.
   */
  std::size_t locate_all(std::span<const double> xs, std::span<const double> ys,
                         std::span<std::uint32_t> out) const;

  /// Every area containing p under the boundary rule, in increasing order (slow: ray casting
  /// over the candidate areas' edges). For reports and tests.
  std::vector<std::uint32_t> areas_containing(Point p) const;

  std::size_t area_count() const;
  Box extent() const;
  const Stats& stats() const;
  std::span<const AreaOverlap> overlaps() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/**
 * Reference point-in-polygon test under the boundary rule of AreaIndex: crossing parity of the
 * ray from p towards +x, with an edge counted when exactly one endpoint lies strictly above p
 * and the crossing lies strictly east of p. O(vertices); used as the oracle for boundary
 * points.
 */
bool contains_half_open(const MultiPolygon& area, Point p);

}  // namespace notspot::engine
