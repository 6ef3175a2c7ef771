#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "notspot/engine/area_index.hpp"
#include "notspot/engine/geometry.hpp"

namespace notspot::generate {

/**
 * Distance from each point to its k-th nearest other point: a local density measure that is
 * small in towns and large in the countryside. A uniform grid keeps it O(n) for evenly spread
 * points.
 * @param k REQUIRES: 1 <= k < points.size().
 */
std::vector<double> neighbour_spacing(std::span<const engine::Point> points, int k);

/// A place premises are scattered around: a postcode centroid, or a point standing in for
/// one (e.g. across a border).
struct PlacementSite {
  engine::Point centre;
  double scatter = 50;         ///< Standard deviation of the Gaussian scatter, metres.
  std::uint32_t postcode = 0;  ///< Postcode the premises are placed around (for BDUK rows).
  bool inside = true;          ///< Premises must fall inside some area, or outside all.
  /// Premises must also fall in this box (e.g. north of a coast). DEFAULT: everywhere.
  engine::Box allowed{-1e300, -1e300, 1e300, 1e300};
};

/// Options for place_premises().
struct PlacementOptions {
  /// Premises to place around the inside sites, exactly. REQUIRES: at least one per inside
  /// site.
  std::uint64_t inside_premises = 0;
  /// Premises per outside site: uniform in [min, max]. DEFAULT: 1..4. REQUIRES: min <= max.
  std::uint64_t outside_min = 1;
  std::uint64_t outside_max = 4;
  /// Spread of premises per inside site (standard deviation of its logarithm).
  double count_spread = 0.6;
  /// First UPRN; later ones follow in random order with small random gaps.
  std::uint64_t first_uprn = 100000000001ull;
  std::uint64_t seed = 1;
};

/// One synthetic premise.
struct Premise {
  std::uint64_t uprn = 0;
  engine::Point position;      ///< EPSG:27700, rounded to 0.01 m (what the CSV holds).
  std::uint32_t postcode = 0;  ///< Index of the postcode it was placed around.
  std::uint32_t area = engine::AreaIndex::kOutside;  ///< Area containing it, or kOutside.
  bool inside() const { return area != engine::AreaIndex::kOutside; }
};

/// What place_premises() made.
struct Placement {
  std::vector<Premise> premises;  ///< In increasing UPRN order (spatially random).
  std::size_t inside = 0;
  std::size_t outside = 0;
  std::size_t redrawn = 0;           ///< Draws that fell on the wrong side and were redrawn.
  std::size_t placed_at_centre = 0;  ///< Premises put on the site centre after many redraws.
};

/**
 * Places premises around sites with Gaussian scatter. The inside sites share
 * `inside_premises` (one each, the rest by log-normal weights, exact total) and each of
 * their premises lies inside some area; an outside site gets a few premises, each outside
 * every area. Points that land on the wrong side are redrawn with a shrinking scatter, so the
 * counts are exact. Location uses `areas` with the engine's own rules, on the rounded
 * coordinates, so a study run sees exactly the same split.
 *
 * @param sites REQUIRES: each centre on its own side (inside or outside) and in its box.
 * @throws Error (kInternal) when a site's centre is on the wrong side.
 */
Placement place_premises(std::span<const PlacementSite> sites, const engine::AreaIndex& areas,
                         const PlacementOptions& options);

}  // namespace notspot::generate
