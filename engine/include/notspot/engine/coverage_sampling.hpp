#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "notspot/engine/geometry.hpp"
#include "notspot/engine/mobile_coverage.hpp"
#include "notspot/engine/point_transform.hpp"

namespace notspot::engine {

/// Premises covered by one layer, and those the layer says nothing about.
struct PremisesCoverage {
  BitVector covered;            ///< One bit per premise.
  std::uint64_t on_nodata = 0;  ///< On a nodata cell.
  std::uint64_t off_layer = 0;  ///< Outside the raster's extent.
};

/**
 * Samples a raster at every premise. A premise on a cell border takes the cell to its east,
 * then to its north: the boundary rule of areas (Grid::cell_of).
 *
 * @param x, y the premises' coordinates. REQUIRES: same size.
 * @param to_grid makes transforms from the premises' CRS to the raster's, one per thread.
 */
PremisesCoverage premises_coverage(const CoverageGrid& raster, std::span<const double> x,
                                   std::span<const double> y, const PointTransformFactory& to_grid);

/**
 * The same for several rasters on one grid, in one pass over the premises: each premise's cell
 * is found once and one memory access gives every layer's bits (16 layers packed in one 32-bit
 * word per cell), instead of two random accesses per layer. Returns one result per raster, in
 * order. Uses 4 bytes per cell while it runs. In parallel over blocks of premises, with one
 * transform per thread; the result does not depend on the thread count.
 *
 * Typical usage:
 * @code
 *   std::vector<PremisesCoverage> c =
 *       premises_coverage(rasters, premises.x, premises.y, io::transform_factory(study, raster));
 * @endcode
 *
 * @param rasters REQUIRES: all in the CRS `to_grid` transforms to.
 * @throws Error (kInternal) unless every raster has the grid of the first.
 */
std::vector<PremisesCoverage> premises_coverage(std::span<const CoverageGrid* const> rasters,
                                                std::span<const double> x,
                                                std::span<const double> y,
                                                const PointTransformFactory& to_grid);

/// Premises inside footprints (the same boundary rule as parishes: east, then north).
/// REQUIRES: footprints and premises in the same CRS; footprints valid (e.g. from dissolve()).
PremisesCoverage premises_coverage(const MultiPolygon& footprints, std::span<const double> x,
                                   std::span<const double> y);

}  // namespace notspot::engine
