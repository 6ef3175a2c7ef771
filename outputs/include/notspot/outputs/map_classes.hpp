#pragma once

// The classes of a choropleth map of one percentage column, computed once and used by every
// writer that maps it: report.html's maps and legends, and the GeoPackage's QGIS styles, so
// that a colour means the same class in both.

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "notspot/outputs/column_catalogue.hpp"
#include "notspot/outputs/stats_table.hpp"

namespace notspot::outputs {

/// Fill of areas without a value (no premises): a neutral grey, unlike every class colour.
inline constexpr std::string_view kMapNoDataColour = "#d9d9d9";

/// One class: the areas whose value v is lower <= v < upper (the top class also holds upper).
struct MapClass {
  double lower = 0;
  double upper = 0;
  std::string label;      ///< e.g. "80% to under 85%", "0% (none)", "99% or more".
  std::string colour;     ///< "#rrggbb".
  std::size_t areas = 0;  ///< Areas of the table in this class.
};

/**
 * How one percentage column is mapped. Colour meaning is the same on every map: PALER IS
 * BETTER. The best class (the highest values of a column where higher is better, the lowest of
 * one where lower is better) gets the palest colour of ColorBrewer's YlOrRd ramp and the worst
 * the darkest red, so that the dark areas of any map are the ones that need attention. YlOrRd
 * is rated colour-blind safe and print-friendly (its lightness falls monotonically).
 *
 * Typical usage:
 * @code
 *   MapClassification c = classify_map(table, "gigabit_pct");
 *   for (const MapClass& k : c.classes) legend(k.colour, k.label, k.areas);
 *   fill = c.colour_of(value);
 * @endcode
 */
struct MapClassification {
  std::string column;
  Direction direction = Direction::kHigherIsBetter;  ///< kNeutral is mapped as higher-is-better.
  std::vector<MapClass> classes;      ///< Ascending by value and adjacent: from 0 to 100.
  std::size_t no_data = 0;            ///< Areas without a value (no premises).
  std::vector<double> target_levels;  ///< The column's targets (targets_for) that are breaks.

  /// The class holding v (the first class below its lower bound, the last above 100), or
  /// classes.size() for NaN (no data).
  std::size_t class_of(double v) const;
  /// The fill of v: its class's colour, or kMapNoDataColour for NaN.
  std::string_view colour_of(double v) const;
  /// Indices of `classes` from the best class to the worst.
  std::vector<std::size_t> best_first() const;
};

/**
 * The inner class breaks of a percentage column: meaningful round numbers.
 * - Higher is better (coverage): 50, 80, 90, 95, 99 and the column's target levels (e.g. 85
 *   for gigabit), strictly between 0 and 100.
 * - Lower is better (premises below the USO, not-spots): 0 gets a class of its own (a break at
 *   0.005, so that every figure written as 0.00 is in it), then 1, 5, 10, 25, 50 and the
 *   column's target levels.
 * Then the classes at the two ends that no value falls in are merged into their neighbour
 * (their break dropped), except at a target's level, so that the legend does not open with
 * empty classes yet a target always shows. NaN values are ignored.
 * @param values the areas' values in percent (as written: two decimals).
 * @param target_levels the levels of the column's targets, kept as breaks.
 * @return ascending breaks, each strictly between 0 and 100.
 */
std::vector<double> map_breaks(Direction direction, std::span<const double> values,
                               std::span<const double> target_levels);

/**
 * The classes of `values` (NaN: no data) with map_breaks(), their labels, colours and counts.
 * @param column names the targets (targets_for(column)) and is copied into the result.
 */
MapClassification classify_map(std::string_view column, Direction direction,
                               std::span<const double> values);

/**
 * The classes of a column of the table over its area rows (`level` = "area"), on the values as
 * the outputs write them (cell_number).
 * REQUIRES: the table has `column` and a `level` column.
 */
MapClassification classify_map(const StatsTable& table, std::string_view column);

/// The columns mapped by report.html and styled in the GeoPackage, in this order, those the
/// table has: gigabit_pct, below_uso_pct, mob_4g_indoor_none_pct.
std::vector<std::string> mapped_columns(const StatsTable& table);

/// "Paler is better: ..." — the sentence every legend carries about which way is better.
std::string map_better_text(const MapClassification& classification);

}  // namespace notspot::outputs
