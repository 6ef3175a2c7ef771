#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <vector>

#include "notspot/engine/geometry.hpp"
#include "notspot/engine/geos_context.hpp"

namespace notspot::generate {

/// Options for tessellate().
struct TessellationOptions {
  /// Largest midpoint displacement of a Voronoi edge, as a fraction of its length (the
  /// displacement is uniform in ±wiggle × length). DEFAULT: 0.05. REQUIRES: 0 <= wiggle < 0.2.
  double wiggle = 0.05;
  /// Ratio of the displacement at each finer level to the one above. DEFAULT: 0.7.
  /// REQUIRES: 0 < roughness < 1.
  double roughness = 0.7;
  /// Wiggly edges are subdivided until segments are about this long (metres). DEFAULT: 60.
  double segment_length = 60;
  /// Most subdivision levels per edge (2^levels segments). DEFAULT: 6.
  int max_levels = 6;
  /// Precision grid (metres) for noding the linework, or 0 for floating-point noding.
  /// DEFAULT: 0. With a grid, snap rounding also bends the boundary by up to half a cell
  /// where edges cross it, so the union of the areas differs from the boundary by slivers;
  /// floating noding keeps every boundary vertex and puts new nodes on the boundary's
  /// segments, so the union is the boundary.
  double grid_size = 0;
  std::uint64_t seed = 1;
};

/// The areas made by tessellate(), and what went into them.
struct Tessellation {
  /// One polygonal geometry per seed, in seed order; null for a seed that got no face.
  std::vector<engine::GeosGeometry> areas;
  std::size_t voronoi_edges = 0;  ///< Distinct straight Voronoi edges near the boundary.
  std::size_t faces = 0;          ///< Faces of the noded linework inside the boundary.
};

/**
 * Cuts `boundary` into parish-like areas, one around each seed: the Voronoi diagram of the
 * seeds, with every edge bent by deterministic midpoint-displacement noise (tapered to zero
 * at the ends so that edges still meet at the Voronoi vertices), noded together with the
 * boundary's rings, polygonised; each face inside the boundary goes to
 * the seed whose straight Voronoi cell overlaps it most, and the faces of a seed are merged
 * with a coverage union.
 *
 * Because every area is assembled from the same noded faces, neighbours share exactly the
 * same vertices along common edges, there are no gaps or overlaps, and the areas' union is
 * the boundary. Areas cut by the coast or by a wiggle may have several parts.
 *
 * @param boundary valid polygonal geometry.
 * @param seeds distinct points, at least 2.
 * @throws Error (kInternal) when a GEOS operation fails.
 */
Tessellation tessellate(const engine::GeosContext& geos, const GEOSGeometry* boundary,
                        std::span<const engine::Point> seeds, const TessellationOptions& options);

/// What verify_tessellation() found.
struct TessellationCheck {
  std::size_t areas = 0;
  double boundary_area = 0;             ///< m².
  double area_sum = 0;                  ///< Sum of the areas' areas, m².
  double relative_area_difference = 0;  ///< |area_sum − boundary_area| / boundary_area.
  double union_difference_area = 0;     ///< Area of (union of areas) △ boundary, m².
  std::size_t pairs_checked = 0;        ///< Neighbour pairs tested for interior overlap.
  std::size_t pairs_sharing_edges = 0;  ///< ... of which share a boundary line.
};

/**
 * Proves that `areas` tessellate `boundary`: every area valid, areas summing to the boundary
 * area within `tolerance` (relative), union equal to the boundary (symmetric difference below
 * `tolerance` × boundary area), and no interior overlap between any two areas whose envelopes
 * intersect (at most `neighbours_per_area` tested per area; DEFAULT: all, which is every
 * pair that could overlap).
 * @throws Error (kInternal) listing what failed.
 */
TessellationCheck verify_tessellation(
    const engine::GeosContext& geos, const GEOSGeometry* boundary,
    std::span<const engine::GeosGeometry> areas, double tolerance = 1e-6,
    std::size_t neighbours_per_area = std::numeric_limits<std::size_t>::max());

}  // namespace notspot::generate
