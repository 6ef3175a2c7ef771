#pragma once

#include "run_state.hpp"

namespace notspot::study {

// The stages of a run, in the order run_study() calls them. Each reads what the stages before
// it left in the Run and adds its own part; each records its timing and its part of the record.

/// Areas stage: reads, reprojects and repairs the areas, builds the AreaIndex and reports
/// overlapping areas. Premises stage, first half: reads the premises. Both at the same time
/// (see the comment in the definition); a failure on the areas' side is reported first.
void read_areas_and_premises(Run& run);

/// Premises stage, second half: assigns every premise to its area (or outside every area),
/// then releases the index; explains an outside share that the coordinates give away; indexes
/// the premises by id for the layers.
void assign_premises(Run& run);

/// Places stage: reads `[report] places` (when the study names them) and ranks them for the
/// maps' labels: by `rank_field`, else a polygon by the premises inside it and points in file
/// order. Runs after assignment, while the premises' coordinates are at hand.
void read_places(Run& run);

/// Joins the fixed-broadband and postcode layers to the premises, in study order.
void join_layers(Run& run);

/// Records in `input` the operation PROJ uses to bring an input from `from` to the study CRS near
/// `near` (a point of the input, in the study CRS) and its accuracy. When PROJ knows a more
/// accurate operation that it cannot use (a grid is not installed), warns once per run saying
/// how to install the grid, or, with `[study] require_best_transformation = true`, throws
/// (kStudy). `display` names the input in the message.
void record_transformation(Run& run, outputs::InputRecord& input, const io::Crs& from,
                           std::optional<engine::Point> near, const std::string& display);

/// Postcode estimates: combines the postcode layers (a premise takes the row of the first
/// layer that has its postcode) into expected counts per area.
void estimate_from_postcodes(Run& run);

/// Mobile stage: evaluates the coverage layers at premises and over each area's land.
void measure_mobile_coverage(Run& run);

/// Indicators stage: counts the fixed-broadband indicators and digital exclusion per area and
/// lays every figure out as the statistics table.
void count_indicators(Run& run);

/// Checks the `[quality]` gates.
void check_quality(Run& run);

/// Publish stage: writes every output into the staging folder, the manifest last, and swaps
/// them into place.
void publish(Run& run);

}  // namespace notspot::study
