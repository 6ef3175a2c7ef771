#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace notspot::outputs::detail {

/**
 * The plain-words label of a measure's column stem (no "_pct"): the fixed-broadband
 * indicators, the Ofcom estimate measures and digital exclusion, e.g. "gigabit" ->
 * "Gigabit-capable". Thresholds are configurable, so labels name tiers, not speeds. An
 * indicator added to the engine's catalogue later is labelled from its definition
 * ("Label: ..."). nullopt for a stem that is none of these. Shared by the GeoPackage's field
 * labels and the HTML report, so that QGIS and the report name a column alike.
 */
std::optional<std::string> measure_label(std::string_view stem);

}  // namespace notspot::outputs::detail
