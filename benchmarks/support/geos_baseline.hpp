#pragma once

#include <geos_c.h>

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "notspot/engine/geometry.hpp"
#include "notspot/engine/geos_context.hpp"

namespace notspot::bench {

/**
 * The peers' point-in-polygon assignment, for comparison with AreaIndex: what PostGIS (GiST +
 * prepared geometry), GeoPandas/Shapely (`STRtree.query(..., predicate="covered_by")`) and
 * similar tools do. An STRtree over the areas' envelopes gives candidates; each candidate's
 * prepared geometry (GEOS's IndexedPointInAreaLocator) is asked `covers` until one says yes.
 *
 * Everything lazy in GEOS (the tree, each prepared geometry's locator) is built in the
 * constructor, so that locate() measures queries only.
 *
 * Not thread-safe: one GEOS context, and a scratch candidate list.
 *
 * Typical usage:
 * @code
 *   GeosBaseline baseline(areas);
 *   std::uint32_t area = baseline.locate(x, y);
 * @endcode
 */
class GeosBaseline {
 public:
  static constexpr std::uint32_t kOutside = 0xFFFFFFFFu;

  /// @param node_capacity STRtree node capacity (Shapely's default is 10).
  explicit GeosBaseline(std::span<const engine::MultiPolygon> areas,
                        std::size_t node_capacity = 10);
  ~GeosBaseline();
  GeosBaseline(const GeosBaseline&) = delete;
  GeosBaseline& operator=(const GeosBaseline&) = delete;

  /// The first candidate area (in tree order) that covers (x, y), or kOutside. Creates and
  /// destroys a GEOS point per call, as a GEOS-based pipeline must (GEOS 3.11 has no
  /// coordinate-only prepared predicate; GEOSPreparedContainsXY_r came in 3.12).
  std::uint32_t locate(double x, double y) const;

  /// How many areas' envelopes contain (x, y): the candidates locate() may have to test.
  std::size_t candidate_count(double x, double y) const;

  /// True when (x, y) lies in the interior of `area` (not on its boundary).
  bool contains_properly(std::uint32_t area, double x, double y) const;
  /// True when (x, y) lies in `area` or on its boundary.
  bool covers(std::uint32_t area, double x, double y) const;

  GEOSContextHandle_t handle() const { return geos_.handle(); }

 private:
  struct TreeDeleter {
    GEOSContextHandle_t handle = nullptr;
    void operator()(GEOSSTRtree* tree) const noexcept { GEOSSTRtree_destroy_r(handle, tree); }
  };

  engine::GeosContext geos_;
  std::vector<engine::GeosGeometry> geometries_;
  std::vector<engine::GeosPrepared> prepared_;
  std::vector<std::uint32_t> ids_;  // tree items point here
  std::unique_ptr<GEOSSTRtree, TreeDeleter> tree_;
  mutable std::vector<std::uint32_t> candidates_;
};

}  // namespace notspot::bench
