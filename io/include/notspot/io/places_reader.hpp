#pragma once

#include <optional>
#include <string>
#include <vector>

#include "notspot/engine/geometry.hpp"
#include "notspot/io/attribute_filter.hpp"
#include "notspot/io/crs.hpp"
#include "notspot/io/problem_log.hpp"
#include "notspot/io/sources.hpp"

namespace notspot::io {

/// One place to label on the maps, in the study CRS.
struct Place {
  std::string name;
  engine::Point anchor;           ///< A point on the polygon's surface (GEOS), or the point.
  engine::MultiPolygon geometry;  ///< Empty for a point place.
  std::optional<double> rank;     ///< The `rank_field` value, when the study names one.
};

/// The places of `[report] places` and what was done to read them.
struct PlacesLoad {
  std::vector<Place> places;  ///< In file order.
  std::string layer;          ///< Layer name in the source.
  std::string source_crs;     ///< The layer's CRS, described.
  std::uint64_t features_read = 0;
  std::uint64_t skipped = 0;  ///< Features without a name or a usable geometry (warned).
  std::optional<AttributeFilterResult> filter;
};

/**
 * Reads the places layer (any OGR vector format of points or polygons), reprojects it to the
 * study CRS and puts each polygon's label anchor on its surface (GEOS PointOnSurface; a
 * multipolygon's in its largest part). A feature with no name or no point or polygon is
 * skipped with one warning in `log` that counts them.
 * @param display the file as the study names it, for messages.
 * @throws engine::Error (kStudy) for a missing layer or field, an unknown CRS, a `where` GDAL
 *   cannot run; (kInput) when the file cannot be read.
 */
PlacesLoad read_places(const PlacesSource& source, const Crs& study_crs, const std::string& display,
                       ProblemLog& log);

}  // namespace notspot::io
