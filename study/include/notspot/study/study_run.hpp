#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "notspot/engine/indicators.hpp"
#include "notspot/io/problem_log.hpp"
#include "notspot/io/progress.hpp"
#include "notspot/outputs/stats_table.hpp"
#include "notspot/study/study.hpp"

namespace notspot::study {

/// Options of one run, on top of the study file.
struct RunOptions {
  /// Outputs folder; overrides the study's `[outputs] dir` when set.
  std::optional<std::filesystem::path> output_dir;
  /// An earlier run's outputs folder to compare with; overrides `[outputs] previous`.
  std::optional<std::filesystem::path> previous_dir;
  /// Threads used (recorded in the manifest; the caller sets up the TBB arena). >= 1.
  int threads = 1;
  /// Receives progress; may be null.
  io::Progress* progress = nullptr;
};

/// One data-quality gate of `[quality]`.
struct QualityCheck {
  std::string name;  ///< e.g. "max_rejected_share".
  double value = 0;  ///< Measured share.
  double limit = 0;  ///< Configured limit.
  bool passed = true;
  std::string explanation;  ///< What the data says about a failure, when it says something.
};

/// What a run did, for the command line's summary. The full record is manifest.json.
struct RunSummary {
  std::filesystem::path output_dir;
  std::size_t areas = 0;
  std::uint64_t premises_read = 0;
  std::uint64_t premises_assigned = 0;
  std::uint64_t premises_outside = 0;
  std::uint64_t premises_rejected = 0;
  engine::AreaCounts study_total;
  /// The columns of parish_stats.csv, described; ColumnSpec::summary marks the headline ones.
  outputs::ColumnCatalogue columns;
  std::vector<outputs::Cell> study_row;  ///< parish_stats.csv's study row, one cell a column.
  std::vector<QualityCheck> quality;
  bool quality_passed = true;
  std::vector<io::Warning> warnings;
  std::vector<std::string> output_files;
  double seconds = 0;
};

/**
 * Runs a study end to end: reads and checks the areas, indexes them, reads and assigns the
 * premises, joins the fixed-broadband layers, counts the indicators per area, and publishes
 * parish_stats.csv, parish_stats.gpkg, rejected.csv and manifest.json atomically.
 *
 * A run whose data-quality gates fail still publishes its outputs, marked as failing quality
 * in the manifest; the summary says so (the command line exits with 3).
 *
 * @throws engine::Error for fatal problems; nothing is published then and the previous
 *   outputs stay as they were.
 */
RunSummary run_study(const Study& study, const RunOptions& options);

/// Problems found by validate_study(), each a complete message.
struct ValidationReport {
  std::vector<std::string> study_problems;  ///< The study file must change (exit code 2).
  std::vector<std::string> input_problems;  ///< An input file is unusable (exit code 1).
  std::vector<std::string> notes;           ///< What was checked, for the user.
  bool ok() const { return study_problems.empty() && input_problems.empty(); }
};

/**
 * Checks a study without computing: every input opens, the named layers, fields and columns
 * exist, CRSs are known and a transformation to the study CRS exists. Reports all problems,
 * not just the first.
 */
ValidationReport validate_study(const Study& study);

/// `path` relative to the study file's folder when it lies below it, else absolute: how
/// inputs are named in messages and in the manifest (so manifests do not depend on the
/// folder the study was run from).
std::string display_path(const Study& study, const std::filesystem::path& path);

}  // namespace notspot::study
