#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "notspot/io/progress.hpp"
#include "notspot/outputs/run_record.hpp"
#include "notspot/study/study.hpp"

namespace notspot::study {

/// Options of one run, on top of the study file.
struct RunOptions {
  /// Outputs folder; overrides the study's `[outputs] dir` when set.
  std::optional<std::filesystem::path> output_dir;
  /// An earlier run's outputs folder to compare with; overrides `[outputs] previous`.
  std::optional<std::filesystem::path> previous_dir;
  /// Overrides `[quality] publish_failing` when set (`--publish-failing`).
  std::optional<bool> publish_failing;
  /// Threads used (recorded in the manifest; the caller sets up the TBB arena). >= 1.
  int threads = 1;
  /// Receives progress; may be null.
  io::Progress* progress = nullptr;
};

/**
 * Runs a study end to end, as named stages: reads and checks the areas and indexes them, reads
 * the premises and assigns each to its area, joins the fixed-broadband and postcode layers,
 * makes the postcode-level estimates, evaluates the mobile coverage layers, counts the
 * indicators per area, checks the `[quality]` gates, and publishes parish_stats.csv,
 * parish_stats.gpkg, parish_stats.xlsx, rejected.csv, report.html (and parish_changes.csv with
 * a previous run) and manifest.json atomically.
 *
 * A run whose data-quality gates fail still publishes its outputs, marked as failing quality
 * in the manifest, but beside the outputs folder, in `DIR.failed`, leaving DIR as it was
 * (unless `publish_failing`); record.output_dir says where. The command line exits with 3.
 * A passing run removes an old `DIR.failed` that holds only notspot's outputs.
 *
 * The run checks engine::throw_if_cancelled() between stages and in long loops: on
 * engine::Cancelled nothing is published and the staging folder is removed.
 *
 * Typical usage:
 * @code
 *   const outputs::RunRecord record = run_study(load_study("study.toml"), {});
 *   if (!record.quality_passed()) return 3;
 * @endcode
 *
 * @return the record of the run: what manifest.json, the report and the workbook say.
 * @throws engine::Error for fatal problems; nothing is published then and the previous
 *   outputs stay as they were.
 */
outputs::RunRecord run_study(const Study& study, const RunOptions& options);

/// `path` relative to the study file's folder when it lies below it, else absolute: how
/// inputs are named in messages and in the manifest (so manifests do not depend on the
/// folder the study was run from).
std::string display_path(const Study& study, const std::filesystem::path& path);

}  // namespace notspot::study
