#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "notspot/engine/indicators.hpp"
#include "notspot/io/problem_log.hpp"
#include "notspot/outputs/stats_table.hpp"
#include "notspot/outputs/targets.hpp"

namespace notspot::outputs {

/// A mobile group as a run had it, for comparing its combination columns (any, all, none...).
struct RunMobileGroup {
  std::string technology;
  std::string setting;
  std::vector<std::string> operators;  ///< As the study names them.
};

/**
 * What decides whether two runs can be compared, and what names them. The current run's comes
 * from the study; the previous run's is read from its manifest.json (`study.name`, `study.crs`,
 * `study.boundary_vintage`, `thresholds`, and the sha256 of the input whose role is "areas").
 * The indicator columns are the columns of the two parish_stats tables; what each was measured
 * from is here (layer kinds, mobile groups), so that an indicator is compared only when both
 * runs measured it from the same kinds of layer (and, for a mobile group's combinations, the
 * same operators).
 */
struct RunIdentity {
  std::string study_name;  ///< For information only.
  std::string crs;  ///< As the manifest writes it: io::Crs::describe(), e.g. "EPSG:27700 (...)".
  std::optional<std::string> boundary_vintage;  ///< `[study] boundary_vintage`; none when unset.
  engine::Thresholds thresholds;
  std::string areas_sha256;     ///< Of the areas input; empty when unknown.
  std::string notspot_version;  ///< For information; empty for the current run.
  /// `[study] as_at` (manifest `study.as_at`): the date the run describes; names the run in the
  /// change section. None when unset (or, in a previous manifest, not a valid date).
  std::optional<std::string> as_at;
  /// The kinds of the run's layers (study-file spelling, e.g. "fixed-speeds"; the manifest's
  /// inputs with role "layer"). Nullopt when unknown (a manifest that records neither layers nor
  /// `indicators`): the source layers of the fixed indicators are then not checked.
  std::optional<std::vector<std::string>> layer_kinds;
  /// The mobile groups (the manifest's `mobile.groups`); nullopt when unknown (no `mobile`).
  std::optional<std::vector<RunMobileGroup>> mobile_groups;
  /// `[digital_exclusion]`'s technology and setting; nullopt when not recorded (then taken to
  /// be the other run's).
  std::optional<std::pair<std::string, std::string>> exclusion_group;
};

/// Whether an area is in both runs or in one only.
enum class AreaStatus { kSame, kNewArea, kRemovedArea };

/// "same", "new area", "removed area": the `status` column of parish_changes.csv.
std::string_view status_text(AreaStatus status);

/**
 * The targets (targets()) whose crossings parish_changes.csv lists (`crossed`), in targets()
 * order: gigabit_pct 85 and 99, superfast_pct 95, decent_pct 99, land_4g_outdoor_any_pct 95 and
 * mob_4g_indoor_none_pct 5. Crossing means going from below the level to at least the level
 * ("passed"), or back ("fell below"), on the figures as parish_stats.csv writes them (two
 * decimals). A target applies when its column is in both runs (mobile columns need mobile
 * layers).
 */
std::vector<Target> change_targets();

/// One crossing of a target by one area between the two runs.
struct Crossing {
  std::string column;       ///< e.g. "gigabit_pct".
  double level = 0;         ///< e.g. 85.
  bool passed = true;       ///< True: went from below to at least the level; false: fell below it.
  bool improvement = true;  ///< Whether the move is good news (Target::direction).
  /// "gigabit_pct passed 85" or "gigabit_pct fell below 85".
  std::string text() const;
};

/// One percentage column of one area in both runs, as parish_stats.csv writes them.
struct IndicatorChange {
  std::optional<double> before;  ///< Empty: the area is new, or had no premises (no land).
  std::optional<double> after;   ///< Empty: the area was removed, or has no premises (no land).
  /// after - before in percentage points, exact on the written two-decimal figures (so
  /// before + change == after as written); empty unless both are known.
  std::optional<double> change;
};

/// One row of parish_changes.csv: an area, or the whole study (last).
struct AreaChange {
  bool study_row = false;  ///< The whole study: area_id empty, area_name the study's name.
  std::string id;
  std::string name;  ///< The current name (the previous one for a removed area).
  AreaStatus status = AreaStatus::kSame;
  std::optional<std::uint64_t> premises_before;  ///< Empty for a new area.
  std::optional<std::uint64_t> premises_after;   ///< Empty for a removed area.
  /// Net change in premises counted in the area (after - before). The outputs keep counts, not
  /// lists of UPRNs, so premises added and premises removed cannot be told apart: 5 new homes
  /// and 5 demolished give 0. Empty for new and removed areas: their premises mostly moved to
  /// or from neighbouring areas rather than being built or demolished.
  std::optional<std::int64_t> premises_change;
  std::vector<IndicatorChange> indicators;  ///< Parallel to ChangeReport::columns.
  std::vector<Crossing> crossings;          ///< In change_targets() order.
};

/// A percentage column both runs have but that is not compared, and why (one sentence naming
/// what each run had, e.g. the previous run measured gigabit_pct from fixed-speeds only).
struct ColumnNotCompared {
  std::string column;  ///< e.g. "gigabit_pct".
  std::string reason;
};

/**
 * The comparison of a run with a previous one, for parish_changes.csv and the HTML report.
 *
 * When `comparable` is false, `reasons` says why (e.g. a threshold differs) and `areas` is
 * empty: figures made under different definitions or boundaries are not compared.
 */
struct ChangeReport {
  std::filesystem::path previous_dir;
  RunIdentity previous;
  RunIdentity current;
  bool comparable = true;
  std::vector<std::string> reasons;  ///< Why not comparable, one sentence each.
  /// Comparable, but worth knowing: columns in one run only, boundaries not confirmed the same.
  std::vector<std::string> notes;
  /// The percentage columns compared: those of the current table also in the previous run's
  /// parish_stats.csv and measured by both runs from the same kinds of source layer (mobile
  /// combinations: the same operators), in the current table's order (e.g. "gigabit_pct").
  std::vector<std::string> columns;
  /// Percentage columns in both tables that are not compared, in the current table's order:
  /// their changes would come from a layer added or removed, not from the data.
  std::vector<ColumnNotCompared> not_compared;
  /// Percentage columns of this run that the previous one does not have, and the reverse
  /// (sorted); each list is also summed up in `notes`.
  std::vector<std::string> columns_new;
  std::vector<std::string> columns_gone;
  /// Areas sorted by id (byte order, as parish_stats.csv), then the study row. Areas in only one
  /// run are kept, with status kNewArea or kRemovedArea.
  std::vector<AreaChange> areas;

  std::size_t count(AreaStatus status) const;  ///< Areas (not the study row) with this status.
  std::size_t crossing_count() const;          ///< Crossings of all areas, study row excluded.
  /// Position of `column` in `columns`, when compared.
  std::optional<std::size_t> column_index(std::string_view column) const;
};

/// An earlier run as read back from its outputs folder.
struct PreviousRun {
  std::filesystem::path dir;  ///< The folder it was read from.
  RunIdentity identity;
  /// parish_stats.csv as written: header names, and each row's fields as text.
  std::vector<std::string> columns;
  std::vector<std::vector<std::string>> rows;
  /// Values out of range (a percentage not finite or outside 0..100, premises outside
  /// 0..1e10, a threshold not finite or outside (0, 100000]), one message each naming the file,
  /// the line, the area and column and the value (at most kMaxListedOutOfRange, then a count).
  /// Not empty: the run is not compared (compare_runs() gives these as its reasons).
  std::vector<std::string> out_of_range;
};

/// How many out-of-range values PreviousRun::out_of_range lists one by one.
inline constexpr std::size_t kMaxListedOutOfRange = 5;

/**
 * Reads an earlier run's manifest.json and parish_stats.csv.
 * @throws engine::Error (kStudy) when the folder or one of the two files does not exist;
 *   (kInput) when manifest.json is not a notspot manifest (not JSON, or missing `study.crs` or
 *   `thresholds`) or parish_stats.csv is not a notspot parish_stats.csv (missing columns,
 *   malformed rows, a field that is not a number where one is expected, no study row).
 *   Messages name the file and what to do. Numbers that parse but are out of range are not
 *   errors: they are listed in PreviousRun::out_of_range and make the run not comparable.
 */
PreviousRun read_previous_run(const std::filesystem::path& previous_dir);

/**
 * Compares the current run's statistics with the run in `previous_dir`.
 *
 * Not comparable (report.comparable false, no areas, one warning per reason in `log` naming
 * both values) when the thresholds differ (any speed; full-fibre technologies compared as
 * case-insensitive sets), the CRS differs, or both runs record a boundary vintage and they
 * differ, or a value of the previous run is out of range (PreviousRun::out_of_range). When a
 * vintage is missing from either run, the boundaries count as the same if the areas files have the
 * same sha256; if not, the runs are compared and a warning says the boundaries could not be
 * confirmed the same. Areas in one run only are reported (warning with their counts) and listed,
 * not dropped. A percentage column in both runs is compared only when both had the same of the
 * layer kinds that can move its figures (RunIdentity::layer_kinds; for gigabit, ultrafast,
 * superfast, decent, below_uso, no_data and digitally_excluded both fixed-speeds and bduk-premises,
 * since a BDUK current_gigabit flag alone makes a premise gigabit-capable; full_fibre fixed-speeds;
 * bduk_* bduk-premises) and, for a mobile group's any/all/none/partial columns (and
 * digitally_excluded_pct), when both groups had the same operators; the others are listed in
 * ChangeReport::not_compared, in `notes` (one each) and in one warning.
 *
 * Typical usage (before the outputs are published, so `previous_dir` may be the outputs folder):
 * @code
 *   const ChangeReport changes = compare_runs(*study.previous_dir, table, identity, log);
 *   write_changes_csv(out.file("parish_changes.csv"), changes);
 * @endcode
 * @param current the run's statistics table (columns level, area_id, area_name, premises, ...;
 *   last row the study), as build_stats_table() makes it.
 * @throws engine::Error as read_previous_run() does.
 */
ChangeReport compare_runs(const std::filesystem::path& previous_dir, const StatsTable& current,
                          const RunIdentity& current_identity, io::ProblemLog& log);

/**
 * The same, on a previous run already read: a run reads it before its long work, so that a
 * wrong `previous` fails in a second rather than after the whole study.
 */
ChangeReport compare_runs(const PreviousRun& previous, const StatsTable& current,
                          const RunIdentity& current_identity, io::ProblemLog& log);

/**
 * Writes parish_changes.csv. Same report, same bytes. Two layouts, told apart by the first
 * header field, which a batch job can check:
 * - `level`: the runs were compared. Columns: level (area / study), area_id, area_name, status
 *   (same / new area / removed area), premises_before, premises_after, premises_change, then
 *   for each compared percentage column `<col>_before`, `<col>_after`, `<col>_change`
 *   (percentage points, two decimals; empty when either side is), then `crossed`: the targets
 *   crossed, "; "-separated (e.g. `gigabit_pct passed 85; decent_pct fell below 99`). One row
 *   per area sorted by id, then the study row.
 * - `not_comparable_reason`: the runs were not compared; one row per reason.
 * @throws engine::Error (kInput) when the file cannot be written.
 */
void write_changes_csv(const std::filesystem::path& path, const ChangeReport& report);

}  // namespace notspot::outputs
