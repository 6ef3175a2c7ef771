#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include "notspot/engine/geometry.hpp"
#include "notspot/engine/mobile_coverage.hpp"
#include "notspot/engine/point_transform.hpp"

namespace notspot::engine {

/**
 * The CRS an area's land shares are computed in (a raster's), as the areas reach it. Areas
 * (and footprints) are transformed to it; rasters are already in it.
 */
struct LandCrs {
  /// Makes transforms from the areas' CRS to this one; called once per thread that needs one.
  PointTransformFactory from_areas = identity_transform();
  /// Coordinates in degrees: raster-only land shares weight each cell by cos(latitude), so
  /// that shares are shares of real area. DEFAULT: false.
  bool geographic = false;
};

/// A group of operators (one technology and setting) whose layers are all rasters on one grid.
struct RasterLandGroup {
  /// One per operator, in the group's order. REQUIRES: all on one grid, in crss[crs].
  std::vector<const CoverageGrid*> rasters;
  /// Index of the group's LandCrs in the `crss` given with it.
  std::size_t crs = 0;
};

/**
 * Exact land shares of every area for groups of rasters: the exact area of the area polygon in
 * every cell (cell_areas) times which operators cover the cell (group_area_coverage).
 *
 * Runs in parallel over areas, with one transform per thread and LandCrs; each area is summed
 * in a fixed order by one thread, so the result does not depend on the thread count. An area's
 * cells are computed once per frame (an equal grid in the same LandCrs) and shared by the
 * groups on it: nationally every technology is on one 100 m grid, and the cells are the costly
 * part. In a geographic CRS, land off the grid is weighted by the cosine of the area's
 * mid-latitude.
 *
 * Typical usage:
 * @code
 *   const LandCrs crss[] = {{io::transform_factory(study_crs, raster_crs), false}};
 *   const RasterLandGroup groups[] = {{{&ee.coverage, &o2.coverage}, 0}};
 *   std::vector<std::vector<GroupAreaCoverage>> land = raster_land_shares(groups, crss, areas);
 * @endcode
 *
 * @param areas one per area (pointers, so that callers keep their own area records), in the
 *   CRS the LandCrs transforms from.
 * @return per group (in order), per area.
 */
std::vector<std::vector<GroupAreaCoverage>> raster_land_shares(
    std::span<const RasterLandGroup> groups, std::span<const LandCrs> crss,
    std::span<const MultiPolygon* const> areas);

/// One operator's layer in a group with footprints: exactly one of the two is set.
struct LandLayer {
  const CoverageGrid* raster = nullptr;      ///< In the group's LandCrs.
  const MultiPolygon* footprints = nullptr;  ///< Valid, in the areas' CRS.
};

/**
 * Land shares of every area for a group with footprint layers (and any rasters on one grid):
 * each area is overlaid with each operator's footprints through a FootprintIndex (GEOS), and
 * the footprints' union and intersection are combined cell by cell with the rasters' exact
 * cells (a raster covers a cell wholly or not at all). Footprint coverage beyond the grid
 * still counts in `any`.
 *
 * Footprints are transformed to `crs` (and repaired) when it is not the areas' CRS. A
 * geographic `crs` is computed in degrees, without latitude weighting. Sequential, on one GEOS
 * context: the result is the same on every run.
 *
 * @param layers one per operator, in the group's order.
 * @param areas as raster_land_shares().
 * @return per area.
 */
std::vector<GroupAreaCoverage> overlay_land_shares(std::span<const LandLayer> layers,
                                                   const LandCrs& crs,
                                                   std::span<const MultiPolygon* const> areas);

}  // namespace notspot::engine
