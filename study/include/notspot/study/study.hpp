#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "notspot/engine/indicators.hpp"
#include "notspot/io/sources.hpp"
#include "notspot/outputs/run_record.hpp"

namespace notspot::study {

/// `[digital_exclusion]`: a premise is digitally excluded when it has no decent broadband
/// (known speed below the USO) and no coverage of this technology and setting from any
/// operator.
struct DigitalExclusion {
  std::string mobile_technology = "4G";   ///< `mobile_technology`.
  std::string mobile_setting = "indoor";  ///< `mobile_setting`.
};

/// A parsed and checked study file. Paths are absolute (resolved against the study's folder).
struct Study {
  std::filesystem::path file;      ///< The study file itself (absolute).
  std::string name;                ///< `[study] name`, required.
  std::string crs = "EPSG:27700";  ///< `[study] crs`.
  /// `[study] place`: the place the study covers, as a reader names it ("Dorset"); the
  /// report's first sentence names it.
  std::optional<std::string> place;
  std::optional<std::string> boundary_vintage;  ///< `[study] boundary_vintage`.
  /// `[study] as_at`: the date the study describes ("YYYY", "YYYY-MM" or "YYYY-MM-DD"); names
  /// the run in change reports.
  std::optional<std::string> as_at;
  /// `[study] attribution`: licence and attribution lines the data requires, shown in the
  /// report and the workbook (e.g. "Contains OS data © Crown copyright and database right 2025").
  std::vector<std::string> attribution;
  /// `[study] require_best_transformation`: when PROJ cannot use the most accurate
  /// transformation it knows for an input (its grid is not installed), fail (kStudy) instead of
  /// warning. Default false.
  bool require_best_transformation = false;
  io::AreasSource areas;
  io::PremisesSource premises;
  std::vector<io::LayerSource> layers;
  engine::Thresholds thresholds;   ///< `[thresholds]`.
  outputs::QualityLimits quality;  ///< `[quality]`.
  /// `[quality] publish_failing`: a run that fails a quality gate replaces the outputs folder
  /// (true) or is published beside it in `DIR.failed` (false, the default).
  bool publish_failing = false;
  DigitalExclusion digital_exclusion;  ///< `[digital_exclusion]`.
  std::filesystem::path output_dir;    ///< `[outputs] dir`, default "out"; need not exist yet.
  /// `[outputs] previous`: an earlier run's outputs folder to report changes against.
  std::optional<std::filesystem::path> previous_dir;
  /// `[outputs] premises`: also publish the premises-level table (premises.csv and the
  /// `premises` layer of parish_stats.gpkg), one row per premise read. Default false: the run
  /// then keeps no per-premise state for it.
  bool premises_table = false;
  /// `[report] places`: the places labelled on the report's maps; none by default.
  std::optional<io::PlacesSource> report_places;
};

/**
 * Reads a study file (TOML).
 *
 * Every problem is an Error of kind kStudy whose message starts with "FILE:LINE:" and names the
 * key, e.g. `study.toml:7: unknown key 'nmae' in [areas]; expected one of: path, layer, id,
 * name, crs; did you mean 'name'?`, or `study.toml:12: [thresholds] gigabit_mbps must be a
 * number, not a string`. FILE is `file` as given. All problems found are reported at once, one
 * per line of the message in line order, so that a user can fix them in one go (a TOML syntax
 * error stops the reading, so it is reported alone).
 * Checked here: TOML syntax, unknown tables and keys, types, required keys, value ranges,
 * and that input files exist. Not checked here: the contents of those files (see validate).
 * The reference for users is docs/study-file.md.
 *
 * @throws engine::Error (kStudy) on any problem; (kInput) when the file cannot be read.
 */
Study load_study(const std::filesystem::path& file);

}  // namespace notspot::study
