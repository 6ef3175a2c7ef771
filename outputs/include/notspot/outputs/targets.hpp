#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "notspot/outputs/column_catalogue.hpp"

namespace notspot::outputs {

/**
 * A national target, or a local marker, that the outputs measure areas against: a level of
 * one parish_stats column. Written here once; the workbook's Summary, the report's summary
 * cards, maps and table filter, the GeoPackage's style descriptions and the change report's
 * crossings all read it.
 *
 * A target is met at or above its level when higher is better, and below its level when lower
 * is better, on the figure as parish_stats.csv writes it (two decimals): the same rule as the
 * change report's crossings ("passed" = reached the level).
 */
struct Target {
  std::string_view column;  ///< e.g. "gigabit_pct".
  double level = 0;         ///< In the column's unit, e.g. 85 (percent).
  Direction direction = Direction::kHigherIsBetter;
  std::string_view deadline;  ///< e.g. "2025"; empty when there is none.
  /// Where it comes from, e.g. "Project Gigabit"; "Local marker" for a marker.
  std::string_view programme;
  /// What is promised, in words, e.g. "gigabit-capable broadband for at least 85% of UK
  /// premises by 2025".
  std::string_view commitment;
  bool national = true;  ///< False for a local marker: a level worth watching, not a target.
  /// Whether parish_changes.csv lists areas crossing this level (`crossed`).
  bool crossings = true;

  bool met(double value) const;
  /// "gigabit-capable broadband for at least 85% of UK premises by 2025 (Project Gigabit)", or
  /// "... (Local marker)".
  std::string describe() const;
};

/**
 * The targets and markers, in this order:
 * - gigabit_pct 85 by 2025 and 99 (nationwide) by 2030: Project Gigabit;
 * - superfast_pct 95: the national superfast target (95% of UK premises, reached nationally at
 *   the end of 2017): parishes still below it are the ones left behind;
 * - decent_pct 99: a local marker: beyond 99% the premises left without decent broadband are
 *   individual Universal Service Obligation cases;
 * - decent_pct 100 and below_uso below 1 (none): the Universal Service Obligation, a right of
 *   every premise (not listed as crossings: the 99% marker stands for it there);
 * - land_4g_outdoor_any_pct 95 by 2025: the Shared Rural Network (4G from at least one
 *   operator across 95% of the UK's landmass);
 * - mob_4g_indoor_none_pct 5: a local marker for 4G indoor not-spots at premises (lower is
 *   better).
 * A target applies to a run when the run has its column.
 */
std::span<const Target> targets();

/// The targets on `column`, in targets() order.
std::vector<Target> targets_for(std::string_view column);

}  // namespace notspot::outputs
