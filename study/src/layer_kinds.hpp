#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "notspot/io/crs.hpp"
#include "notspot/io/problem_log.hpp"
#include "notspot/io/sources.hpp"

namespace notspot::study {

/// What a layer contributes to a run, which decides the stage that reads it.
enum class LayerFamily {
  kFixedBroadband,  ///< Per-premise rows joined by UPRN (join_layers).
  kPostcode,        ///< Postcode-level percentages joined by postcode (join_layers, then
                    ///< estimate_from_postcodes).
  kMobileCoverage,  ///< Coverage matched to premises and land by location (the mobile stage).
};

/// What `notspot validate` learns from a layer without reading its rows, cells or features.
struct LayerInspection {
  std::string description;
  /// The layer's CRS, for layers located by coordinates (checked against the study CRS);
  /// nullopt for layers joined by key.
  std::optional<io::Crs> crs;
};

/// Checks a layer as the run will read it (columns, band, OGR layer, CRS) without reading it.
/// @throws engine::Error (kStudy or kInput) for a problem the run would meet.
using InspectLayer = LayerInspection (*)(const io::LayerSource& layer, const std::string& display,
                                         io::ProblemLog& log);

/**
 * One kind of `[[layers]]`. The table of kinds is the one place the study file's parser,
 * `notspot run` and `notspot validate` look up what a kind is spelt, what it contributes and
 * how it is checked, instead of each testing kinds its own way.
 */
struct LayerKindInfo {
  io::LayerKind kind;
  std::string_view name;  ///< As the study file spells it: kind = "fixed-speeds".
  LayerFamily family;
  std::string_view example_path;  ///< Suggested when `path` is missing.
  bool folder_allowed;            ///< Whether `path` may name a folder (an OGR dataset).
  std::string_view folder_hint;   ///< What to name instead of a folder.
  InspectLayer inspect;           ///< What `notspot validate` does with it.
};

/// Every kind, in documentation order.
std::span<const LayerKindInfo> layer_kinds();

/// The entry of `kind`.
const LayerKindInfo& layer_kind_info(io::LayerKind kind);

/// The kind spelt `name` in a study file, if there is one.
const LayerKindInfo* find_layer_kind(std::string_view name);

}  // namespace notspot::study
