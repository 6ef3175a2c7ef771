#pragma once

#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "notspot/engine/geometry.hpp"
#include "notspot/io/attribute_filter.hpp"
#include "notspot/io/crs.hpp"
#include "notspot/io/gdal.hpp"
#include "notspot/io/problem_log.hpp"

namespace notspot::io::detail {

/// Opens a vector dataset read-only. @throws engine::Error (kInput) naming `display`.
GDALDatasetUniquePtr open_vector(const std::filesystem::path& path, const std::string& display);

/// Picks a layer by name, or the only one. @throws engine::Error (kStudy) listing the layers.
OGRLayer* pick_layer(GDALDataset& dataset, const std::optional<std::string>& name,
                     const std::string& display, const std::string& study_key);

/// Names of a layer's fields, "a, b, c", for error messages.
std::string field_list(OGRLayer& layer);

/// Index of a field, or an Error (kStudy) naming the file, the field, the study key, the
/// fields there are and the nearest one.
int require_field(OGRLayer& layer, const std::string& field, const std::string& display,
                  const std::string& study_key);

/**
 * Applies a study's `where` clause to `layer` (OGRLayer::SetAttributeFilter) and counts what it
 * selects, so that the readers then see only the selected features. Call it after the fields the
 * study names are checked. Nothing is done when `clause` is absent.
 * @param study_key the study-file location of the key, e.g. "study.toml:7 [areas] where".
 * @return the clause with the layer's feature count before and after it; nullopt without one.
 * @throws engine::Error (kStudy) when GDAL cannot parse or run the clause (an unknown field,
 *   bad syntax), naming the file, layer, clause and GDAL's message and listing the layer's
 *   fields with the nearest one to a misspelt name; (kInput) when it selects no feature.
 */
std::optional<AttributeFilterResult> apply_attribute_filter(
    OGRLayer& layer, const std::optional<std::string>& clause, const std::string& display,
    const std::string& study_key);

/**
 * The CRS to read a layer or raster in: the file's own (`file_crs` non-null), or the study's
 * declaration (`declared`, which wins, with a warning when it differs from the file's), or an
 * Error (kStudy) asking for a declaration when there is neither.
 * @param what the dataset's name in messages ("layer 'parishes'").
 * @param key the study-file location of the table, for messages.
 */
Crs resolve_crs(const OGRSpatialReference* file_crs, const std::optional<std::string>& declared,
                const std::string& display, const std::string& what, const std::string& key,
                const std::string& source, ProblemLog& log);

/// Appends the polygonal parts of an OGR geometry (polygons, multipolygons, curved polygons,
/// those inside collections) to `out`; points and lines have no area and are skipped.
/// @return how many rings were not closed in the source (closed in `out`): callers report them.
/// @param curved when given, counts the curved polygons (arcs) linearised on the way, which
///   callers report with curve_warning().
[[nodiscard]] std::size_t collect_polygons(const OGRGeometry* g, engine::MultiPolygon& out,
                                           std::size_t* curved = nullptr);

/// The warning for `features` features of `display` whose arcs (CURVEPOLYGON, MULTISURFACE,
/// CIRCULARSTRING rings) were linearised: how (GDAL's OGR_ARC_STEPSIZE) and how closely.
std::string curve_warning(const std::string& display, std::uint64_t features);

}  // namespace notspot::io::detail
