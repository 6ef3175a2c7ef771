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
};

/**
 * Lays the figures out as the statistics table, in the documented column order: the fixed
 * indicators; land_km2 (with mobile layers); the postcode estimates (est_*); for each mobile
 * group its premises counts (mob_<tech>_<setting>_<operator|any|all|none|partial>) then its
 * land shares (land_<tech>_<setting>_<operator|any|all|none>_pct); digitally_excluded. One row
 * per area, then the study row.
 */
outputs::StatsTable build_stats_table(const StudyFigures& figures);

/// "EE" -> "ee", "Virgin Media O2" -> "virgin_media_o2": operator names in column names.
std::string column_slug(std::string_view text);

}  // namespace notspot::study::detail
