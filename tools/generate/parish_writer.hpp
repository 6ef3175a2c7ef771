#pragma once

#include <geos_c.h>

#include <filesystem>
#include <span>
#include <string>

#include "notspot/engine/geos_context.hpp"

class OGRSpatialReference;

namespace notspot::generate {

/// One feature of the parishes layer.
struct ParishFeature {
  std::string code;              ///< PAR23CD.
  std::string name;              ///< PAR23NM.
  const GEOSGeometry* geometry;  ///< Polygon or MultiPolygon; written as MultiPolygon.
};

/**
 * Writes a GeoPackage with one MultiPolygon layer (`layer`, fields PAR23CD and PAR23NM, like
 * the ONS parish boundaries) to `path`, replacing any file there.
 *
 * For byte-identical output the caller sets the GDAL option OGR_CURRENT_DATE first (the
 * GeoPackage records a modification time otherwise).
 * @throws Error (kInput) when GDAL cannot create or write the file.
 */
void write_parishes(const std::filesystem::path& path, const std::string& layer,
                    std::span<const ParishFeature> parishes, const engine::GeosContext& geos,
                    const OGRSpatialReference& srs);

}  // namespace notspot::generate
