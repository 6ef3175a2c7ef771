#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "notspot/engine/mobile_coverage.hpp"
#include "notspot/engine/premises.hpp"
#include "notspot/io/areas_reader.hpp"
#include "notspot/io/crs.hpp"
#include "notspot/io/problem_log.hpp"
#include "notspot/io/progress.hpp"
#include "notspot/outputs/run_record.hpp"
#include "notspot/study/study.hpp"

namespace notspot::study {

/// A group of mobile layers: one technology and setting (e.g. 4G indoor), one layer per
/// operator, in study order.
struct MobileGroupResult {
  std::string technology;  ///< "4G".
  std::string setting;     ///< "indoor".
  std::vector<std::string> operators;
  std::vector<engine::GroupPremisesCounts> premises;  ///< Per area.
  /// Per area; empty when the group's land shares cannot be computed exactly (rasters on
  /// different grids).
  std::vector<engine::GroupAreaCoverage> land;
  std::string land_method;        ///< How land shares were computed, for the manifest.
  engine::BitVector any_covered;  ///< Per premise: covered by at least one operator.
  /// Per operator (as `operators`), per premise: covered by it. Kept only for the premises
  /// table (Study::premises_table); empty otherwise.
  std::vector<engine::BitVector> operator_covered;
};

struct MobileResults {
  std::vector<MobileGroupResult> groups;  ///< In order of first appearance in the study.
  std::vector<outputs::MobileLayerRecord> layers;
  std::vector<io::Crs> layer_crs;  ///< Parallel to `layers`: each layer's own CRS.
};

/**
 * The run's mobile stage: reads the study's raster and polygons layers (io), evaluates them at
 * every premise (engine::premises_coverage), groups them by technology and setting, and has
 * engine compute each area's exact land shares per group: with rasters that share one grid,
 * from the exact area of the area polygon in every cell (engine::raster_land_shares); with
 * footprint layers, by overlaying the area with the footprints through a tile index
 * (engine::overlay_land_shares). Areas are transformed to each raster's CRS with PROJ
 * (io::transform_factory, one transformation per thread); a geographic raster CRS weights
 * each cell by the cosine of its latitude. What cannot be computed is warned about in `log`.
 */
MobileResults run_mobile_layers(const Study& study, const io::Crs& study_crs,
                                std::span<const io::Area> areas,
                                const engine::PremisesTable& premises,
                                std::span<const std::uint32_t> area_of_premise, io::ProblemLog& log,
                                io::Progress& progress);

}  // namespace notspot::study
