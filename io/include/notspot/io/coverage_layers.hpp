#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "notspot/engine/geometry.hpp"
#include "notspot/engine/mobile_coverage.hpp"
#include "notspot/io/attribute_filter.hpp"
#include "notspot/io/crs.hpp"
#include "notspot/io/problem_log.hpp"
#include "notspot/io/sources.hpp"

namespace notspot::io {

/// A mobile coverage raster, read and turned into covered/nodata bits by its rule.
struct CoverageRaster {
  engine::CoverageGrid coverage;  ///< In the raster's own CRS.
  Crs crs;
  std::string description;  ///< e.g. "1100 x 700 cells of 100 x 100, Int16, nodata -32768".
  std::uint64_t covered_cells = 0;
  std::uint64_t nodata_cells = 0;
  double scale = 1;   ///< The band's scale, applied: covered_when tests raw * scale + offset.
  double offset = 0;  ///< The band's offset, applied (nodata is compared on raw values).
};

/**
 * Reads one band of any GDAL raster and applies the layer's `covered_when` rule to every
 * cell's unscaled value, raw * scale + offset (GDAL band metadata; 1 and 0 when absent).
 * Nodata is whatever GDAL's mask band says (a nodata value, an alpha band, a mask file) plus
 * NaN, compared on raw values; nodata cells are never covered.
 *
 * @throws engine::Error (kStudy) for a missing CRS or band; (kInput) for an unreadable file or
 *   a rotated or south-up raster (warp it north-up first, e.g. with gdalwarp).
 */
CoverageRaster read_coverage_raster(const LayerSource& layer, const std::string& display,
                                    ProblemLog& log);

/// Coverage footprints of one operator: the union of a layer's polygons, valid, in `crs`.
struct CoverageFootprints {
  engine::MultiPolygon union_geometry;
  std::uint64_t features = 0;  ///< Features read: those `where` selects, when given.
  std::optional<AttributeFilterResult> filter;  ///< `where` as applied; none without one.
  std::uint64_t repaired = 0;                   ///< Invalid footprints made valid.
  std::uint64_t not_polygons = 0;  ///< Features without polygonal geometry (skipped, reported).
  double overlap_area = 0;         ///< Area counted twice by overlapping footprints (merged).
  std::string source_crs;
  Crs layer_crs;  ///< The layer's own CRS (source_crs describes it).
};

/**
 * Reads any OGR polygon layer of coverage footprints, reprojects it to `crs`, repairs invalid
 * polygons with GEOS make-valid and dissolves overlapping footprints into one union, reporting
 * each repair and the overlapping area as warnings.
 */
CoverageFootprints read_coverage_footprints(const LayerSource& layer, const Crs& crs,
                                            const std::string& display, ProblemLog& log);

/// What `notspot validate` learns from a coverage layer without reading its cells or features.
struct CoverageInspection {
  std::string description;  ///< Grid and cell type (raster), or layer and feature count.
  Crs crs;                  ///< The layer's CRS, as the run resolves it.
  std::optional<AttributeFilterResult> filter;  ///< Footprints: `where` as applied.
};

/**
 * Checks a coverage raster as read_coverage_raster() does (format, band, georeferencing,
 * north-up, CRS) without reading its cells.
 * @throws engine::Error as read_coverage_raster().
 */
CoverageInspection inspect_coverage_raster(const LayerSource& layer, const std::string& display,
                                           ProblemLog& log);

/**
 * Checks a footprint layer as read_coverage_footprints() does (format, OGR layer, CRS) without
 * reading its geometries.
 * @throws engine::Error as read_coverage_footprints().
 */
CoverageInspection inspect_coverage_footprints(const LayerSource& layer, const std::string& display,
                                               ProblemLog& log);

}  // namespace notspot::io
