#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "mobile_stage.hpp"
#include "notspot/engine/indicators.hpp"
#include "notspot/engine/postcode.hpp"
#include "notspot/io/areas_reader.hpp"
#include "notspot/outputs/stats_table.hpp"

namespace notspot::study::detail {

/// Everything a run counted, per area, that goes into parish_stats.
struct StudyFigures {
  std::string study_name;
  /// The study's `[thresholds]`, which the indicator columns' labels and definitions name.
  engine::Thresholds thresholds;
  std::span<const io::Area> areas;
  std::span<const engine::AreaCounts> fixed;  ///< Per-premise fixed-broadband indicators.
  /// Land area of each area in km² (empty when the study CRS is not in metres).
  std::vector<double> land_km2;
  /// Postcode-level estimates, when the study has ofcom-postcode layers.
  std::optional<std::vector<engine::AreaEstimates>> estimates;
  std::array<bool, engine::kEstimateCount> estimate_measures{};
  const MobileResults* mobile = nullptr;
  /// Digitally excluded premises per area, when the exclusion's mobile group exists.
  std::optional<std::vector<std::uint64_t>> excluded;
  /// `[digital_exclusion]` (the mobile group that defines digital exclusion).
  DigitalExclusion digital_exclusion;
  /// The kinds of the study's layers (e.g. "fixed-speeds"): columns none of whose source kinds
  /// is here are null (outputs::ColumnSpec::measured).
  std::vector<std::string> layer_kinds;
};

/// The columns the figures call for: what the run has, described by the column catalogue.
outputs::ColumnCatalogue stats_columns(const StudyFigures& figures);

/// What the run has, for the column catalogue: the options stats_columns() (and the premises
/// table's ColumnCatalogue::premises_table()) describe the columns from.
outputs::CatalogueOptions catalogue_options(const StudyFigures& figures);

/**
 * Lays the figures out as the statistics table, in the catalogue's documented column order
 * (stats_columns()): every cell is computed from its column's description, so the table and
 * its catalogue cannot disagree. One row per area, then the study row (sums of the areas).
 */
outputs::StatsTable build_stats_table(const StudyFigures& figures);

}  // namespace notspot::study::detail
