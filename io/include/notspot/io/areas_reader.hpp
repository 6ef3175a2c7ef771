#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "notspot/engine/geometry.hpp"
#include "notspot/io/attribute_filter.hpp"
#include "notspot/io/crs.hpp"
#include "notspot/io/problem_log.hpp"
#include "notspot/io/sources.hpp"

namespace notspot::io {

/// One area (parish), in the study CRS, valid.
struct Area {
  std::string id;
  std::string name;
  engine::MultiPolygon geometry;       ///< Empty when the source feature had no polygon.
  std::vector<std::int64_t> features;  ///< Source feature ids (several when merged by id).
};

/// The areas of a study and what was done to read them.
struct AreasLoad {
  std::vector<Area> areas;          ///< Sorted by id (byte order): the area numbers of the run.
  std::string layer;                ///< Layer name in the source.
  std::string source_crs;           ///< The layer's CRS, described.
  Crs crs;                          ///< The layer's CRS.
  std::string transformation;       ///< PROJ's description of the reprojection to the study CRS.
  std::uint64_t features_read = 0;  ///< Features read: those `where` selects, when given.
  std::optional<AttributeFilterResult> filter;  ///< `where` as applied; none without one.
  std::uint64_t repaired = 0;                   ///< Invalid polygons made valid.
  std::uint64_t without_polygon = 0;            ///< Features with no polygonal geometry.
  std::uint64_t merged = 0;  ///< Features folded into another feature with the same id.
};

/// What an areas source looks like, found without reading its features.
struct AreasInspection {
  std::string description;  ///< e.g. "parishes.gpkg layer 'parishes', 250 features".
  Crs crs;                  ///< The CRS its coordinates will be read in.
  /// The bounding box in `crs` of the features read (GDAL's layer extent; with `where`, that
  /// of the selected features), when GDAL can give one.
  std::optional<engine::Box> extent;
  std::optional<AttributeFilterResult> filter;  ///< `where` as applied; none without one.
};

/// Opens the areas source and checks its layer, fields and CRS, like read_areas() does.
/// @throws engine::Error as read_areas().
AreasInspection inspect_areas(const AreasSource& source, const std::string& display,
                              ProblemLog& log);

/**
 * Reads the areas layer (any OGR vector format), reprojects it to the study CRS with PROJ,
 * repairs invalid polygons with GEOS make-valid, and merges features that share an id.
 * Repairs, merges and features without a polygon are reported as warnings in `log`.
 *
 * @param display the file as the study names it, for messages.
 * @throws engine::Error (kStudy) for a missing layer or field or CRS; (kInput) when the file
 *   cannot be read, a feature has no id, or two features share an id with different names.
 */
AreasLoad read_areas(const AreasSource& source, const Crs& study_crs, const std::string& display,
                     ProblemLog& log);

}  // namespace notspot::io
