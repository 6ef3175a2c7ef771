#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "notspot/io/areas_reader.hpp"
#include "notspot/io/problem_log.hpp"
#include "notspot/outputs/run_record.hpp"
#include "notspot/outputs/stats_table.hpp"

namespace notspot::outputs {

/// A threshold the run used, as the report shows it, e.g. {"Gigabit-capable", ">= 1000 Mbit/s"}.
struct ReportThreshold {
  std::string label;
  std::string value;
};

/// One input file of the run.
struct ReportDataSource {
  std::string file;                   ///< As the study names it (display_path()).
  std::string role;                   ///< "areas", "premises", "layer fixed-speeds"...
  std::optional<std::uint64_t> rows;  ///< Rows or features read, when counted.
  std::string sha256;                 ///< Hex digest (the report shows its first 12 digits).
  std::string note;                   ///< Optional: CRS, release date, description.
};

/// Rows of one attribute layer: read = matched + unmatched + duplicate keys + rejected.
struct ReportLayerLedger {
  std::string name;
  std::uint64_t read = 0;
  std::uint64_t matched = 0;
  std::uint64_t unmatched = 0;
  std::uint64_t duplicate_keys = 0;
  std::uint64_t rejected = 0;
};

/// The data-quality ledger: every premises row is assigned, outside every area, or rejected.
struct ReportLedger {
  std::uint64_t premises_read = 0;
  std::uint64_t premises_assigned = 0;
  std::uint64_t premises_outside = 0;
  std::uint64_t premises_rejected = 0;
  std::vector<ReportLayerLedger> layers;
};

/// A `[quality]` gate: measured share against its limit.
struct ReportQualityCheck {
  std::string name;
  double value = 0;
  double limit = 0;
  bool passed = true;
  bool always = false;      ///< Checked in every run; no limit relaxes it.
  std::string explanation;  ///< What the data says about a failure.
};

/// Change of one indicator in one area since the previous run.
struct ReportIndicatorChange {
  std::string column;  ///< A percentage column of the table, e.g. "gigabit_pct".
  double delta = 0;    ///< Percentage points, current minus previous.
};

/// Changes of one area (or, with an empty area_id, of the whole study).
struct ReportAreaChange {
  std::string area_id;  ///< Empty for the study as a whole.
  std::string area_name;
  std::vector<ReportIndicatorChange> indicators;
};

/// An area that crossed a target's level (see targets()), e.g. {"Z04000017", "Parish 017",
/// "gigabit_pct", 85, true}.
struct ReportThresholdCrossing {
  std::string area_id;
  std::string area_name;
  std::string column;  ///< A percentage column of the table.
  double level = 0;    ///< The target's level.
  bool passed = true;  ///< True: reached the level; false: fell below it.
};

/// "What changed since the previous run", filled from the comparison of two runs.
struct ReportChanges {
  std::string previous_run;  ///< How the previous run is named, e.g. its folder or date.
  std::vector<ReportAreaChange> areas;
  std::vector<ReportThresholdCrossing> crossings;
  std::vector<std::string> notes;  ///< e.g. areas added or removed, premises added.
  /// Why the runs were not compared (different thresholds, boundary vintage...); when not
  /// empty, the report shows these reasons instead of changes.
  std::vector<std::string> not_comparable;
  /// Columns both runs have but not compared, each with why (e.g. a layer added): listed, and
  /// left out of the changes and crossings.
  std::vector<std::pair<std::string, std::string>> columns_not_compared;  ///< {column, reason}
  /// How both runs are named, e.g. "October 2026 compared with September 2026" (their study
  /// as_at), or "This run compared with the run in out_sep" when either run has no date
  /// (run_comparison()). Empty: "Compared with <previous_run>".
  std::string comparison;
};

/// A place named on the maps (`[report] places`): a name at a point in the study CRS, e.g. a
/// built-up area's name at a point inside it.
struct ReportPlace {
  std::string name;
  engine::Point anchor;
  /// Larger first when not every label fits: e.g. the premises inside the built-up area.
  double rank = 0;
};

/**
 * Everything the HTML report shows. A plain struct filled by the run; nothing is read from
 * disk. The report holds only what is given here, so the same input gives the same bytes.
 *
 * Typical usage:
 *   ReportInput input;
 *   input.table = &table;               // the StatsTable written to parish_stats.csv
 *   input.areas = areas.areas;          // same order as the table's area rows
 *   input.study_name = study.name;
 *   ...
 *   write_html_report(out.file("report.html"), input);
 */
struct ReportInput {
  /// The statistics: one row per area, then the study row. REQUIRES: not null; columns
  /// "level", "area_id", "area_name", "premises" as build_stats_table() makes them.
  const StatsTable* table = nullptr;
  /// Area geometries in the study CRS, in the order of the table's area rows. May be empty
  /// (no maps are drawn then); otherwise REQUIRES: one per area row.
  std::span<const io::Area> areas;

  /// Places labelled on every map (largest rank first, as many as fit without collisions, at
  /// most max_place_labels). May be empty.
  std::vector<ReportPlace> places;
  std::size_t max_place_labels = 12;  ///< DEFAULT: 12.

  std::string study_name;
  /// The place the study covers ("Dorset"), named by the report's first sentence; empty: the
  /// study name stands in.
  std::string place;
  /// `[study] as_at` ("YYYY", "YYYY-MM" or "YYYY-MM-DD"): the date the first sentence names.
  std::optional<std::string> as_at;
  std::string crs_description;  ///< e.g. "EPSG:27700 (OSGB36 / British National Grid)".
  /// True when the study CRS is lon/lat: maps are then drawn with x scaled by cos(latitude)
  /// and the scale bar is approximate.
  bool crs_geographic = false;
  std::optional<std::string> boundary_vintage;
  std::string software_version;

  std::vector<ReportThreshold> thresholds;
  std::vector<ReportDataSource> sources;
  std::vector<std::string> attribution;  ///< Licence and attribution lines, one a line.
  ReportLedger ledger;
  std::vector<ReportQualityCheck> quality;
  std::vector<io::Warning> warnings;  ///< The first warnings (the report lists at most 200).
  std::uint64_t warnings_total = 0;   ///< All warnings, when more than `warnings` were kept.
  std::optional<ReportChanges> changes;
  /// "Data dates": what each input describes, e.g. {"Fixed broadband: speeds", "July 2025"};
  /// "not stated" when the study does not say. The study's own date first.
  std::vector<std::pair<std::string, std::string>> data_dates;
};

/**
 * Writes report.html: one self-contained file (inline CSS, JS and SVG; no external resource)
 * with a plain-language summary against the national targets (targets()), choropleth maps, a
 * sortable and filterable table of all areas, a profile per area, and the methodology (with
 * every measure's definition) and data-quality ledger. When a check of `input.quality` failed,
 * the page opens (first in <main>) with a `<section class="quality-banner" role="alert">`
 * holding quality_status()'s line and a sentence per failed check. Headings, labels and definitions
 * are the table's column catalogue's. Every string from the input is HTML-escaped; numbers are
 * formatted with format_cell(), so they read exactly as in parish_stats.csv. No timestamp is
 * written: the same input gives the same bytes.
 *
 * @throws engine::Error (kInput) when the file cannot be written; (kInternal) when the input
 *   breaks its REQUIRES.
 */
void write_html_report(const std::filesystem::path& path, const ReportInput& input);

/**
 * Writes report.html for a run, from its record (the figures, inputs, ledgers, quality gates,
 * warnings and changes) and the area geometries in the order of the table's area rows.
 * @throws as write_html_report(path, ReportInput).
 */
void write_html_report(const std::filesystem::path& path, const RunRecord& record,
                       std::span<const io::Area> areas, std::vector<ReportPlace> places = {},
                       std::size_t max_place_labels = 12);

/// `text` with &, <, >, " and ' replaced by character references: safe in element content
/// and in quoted attribute values.
std::string html_escape(std::string_view text);

}  // namespace notspot::outputs
