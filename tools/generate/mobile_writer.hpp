#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <span>
#include <string>

#include "notspot/engine/geometry.hpp"
#include "notspot/engine/geos_context.hpp"
#include "notspot/engine/grid_coverage.hpp"

class OGRSpatialReference;

namespace notspot::generate {

/**
 * Writes a one-band Int16 GeoTIFF on `grid` (north-up, the grid's geotransform), DEFLATE
 * compressed and tiled, with `nodata` declared and `metadata` as dataset metadata items. The
 * file holds no time stamp, so the same values give the same bytes.
 * @param values row-major, grid.columns × grid.rows.
 * @param compression_threads more than 1: GDAL compresses tiles on that many threads
 *   (NUM_THREADS); the bytes written are the same.
 * @throws Error (kInput) when GDAL cannot write the file.
 */
void write_int16_geotiff(const std::filesystem::path& path, const engine::Grid& grid,
                         std::span<const std::int16_t> values, std::int16_t nodata,
                         const OGRSpatialReference& srs,
                         const std::map<std::string, std::string>& metadata,
                         int compression_threads = 1);

/// The covered cells of a raster as polygons.
struct CoveragePolygons {
  engine::MultiPolygon polygons;  ///< One per connected covered region, largest first.
  std::size_t covered_cells = 0;
  std::size_t polygonized = 0;  ///< Polygons GDALPolygonize made, before the dissolve.
  double area = 0;              ///< Sum of the polygons' areas (m²).
};

/**
 * The cells of `values` (on `grid`) with value >= `threshold` (and not `nodata`) as exact
 * polygons: GDALPolygonize on the covered mask (4-connected), then a GEOS union (which makes
 * rings that touch themselves at a cell corner valid) and removal of the vertices in the
 * middle of straight runs of cell edges, so every vertex is a corner of the footprint.
 * @throws Error (kInternal) when the result is not valid or its area is not the covered
 *   cells' area.
 */
CoveragePolygons polygonize_coverage(const engine::Grid& grid, std::span<const std::int16_t> values,
                                     std::int16_t nodata, int threshold,
                                     const engine::GeosContext& geos);

/// Attributes written with each polygon.
struct CoverageAttributes {
  std::string operator_name;  ///< e.g. "EE".
  std::string technology;     ///< e.g. "4G".
  std::string setting;        ///< e.g. "outdoor".
};

/**
 * Writes the polygons to a new GeoPackage, one feature (Polygon) per connected region, in
 * layer `layer_name` with fields `operator`, `technology`, `setting`.
 * @throws Error (kInput) when GDAL cannot write the file.
 */
void write_coverage_geopackage(const std::filesystem::path& path, const std::string& layer_name,
                               const engine::MultiPolygon& polygons,
                               const CoverageAttributes& attributes,
                               const OGRSpatialReference& srs);

}  // namespace notspot::generate
