#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "detail/stats_builder.hpp"
#include "mobile_stage.hpp"
#include "notspot/engine/area_index.hpp"
#include "notspot/engine/indicators.hpp"
#include "notspot/io/areas_reader.hpp"
#include "notspot/io/broadband_reader.hpp"
#include "notspot/io/crs.hpp"
#include "notspot/io/postcode_layer.hpp"
#include "notspot/io/premises_reader.hpp"
#include "notspot/io/problem_log.hpp"
#include "notspot/io/progress.hpp"
#include "notspot/outputs/change_report.hpp"
#include "notspot/outputs/html_report.hpp"
#include "notspot/outputs/output_directory.hpp"
#include "notspot/outputs/run_record.hpp"
#include "notspot/study/run.hpp"

namespace notspot::study {

class BackgroundDigests;

/// Seconds between laps, for the manifest's stage timings.
class Stopwatch {
 public:
  double lap();

 private:
  std::chrono::steady_clock::time_point last_ = std::chrono::steady_clock::now();
};

/**
 * What the stages of one run share: the study, the locked outputs folder, the problem log, what
 * each stage has read or computed for the next ones, and the record that the last stage
 * publishes. Made by the first step of run_study(); each stage adds to it in turn.
 */
struct Run {
  Run(const Study& study, const RunOptions& options);
  ~Run();
  Run(const Run&) = delete;
  Run& operator=(const Run&) = delete;

  /// `path` as the study names it in messages and the manifest (display_path()).
  std::string display(const std::filesystem::path& path) const;
  /// Records how long the stage that has just ended took.
  void time_stage(const std::string& stage);

  const Study& study;
  const RunOptions& options;
  io::Progress& progress;
  Stopwatch clock;
  Stopwatch whole_run;  // the stages overlap, so their sum is not the run's duration
  outputs::OutputDirectory out;
  std::optional<std::filesystem::path> previous_dir;
  std::optional<outputs::PreviousRun> previous;
  io::Crs crs;  // the study CRS
  io::ProblemLog log;
  outputs::RunRecord record;
  /// The input paths, parallel to record.inputs, hashed in the background from the end of
  /// premises reading.
  std::vector<std::filesystem::path> input_paths;
  std::unique_ptr<BackgroundDigests> digests;

  // Areas stage.
  io::AreasLoad areas;
  std::unique_ptr<const engine::AreaIndex> index;  // released after assignment
  // Premises stage.
  io::PremisesLoad premises;
  std::vector<std::uint32_t> area_of;  // per premise; engine::AreaIndex::kOutside when outside
  std::optional<std::string> outside_explanation;
  /// The better transformations already warned about (by name): the warning is given once.
  std::vector<std::string> transformations_warned;
  std::unique_ptr<const engine::PremisesKeyIndex> keys;
  // Layers.
  std::vector<engine::FixedBroadband> broadband;  // per premise
  std::vector<io::PostcodeLayerLoad> postcode_layers;
  // Mobile and indicators.
  MobileResults mobile;
  const MobileGroupResult* exclusion_group = nullptr;
  detail::StudyFigures figures;
  std::vector<engine::AreaCounts> counts;
  // Places stage: the labels of the report's maps (`[report] places`).
  std::vector<outputs::ReportPlace> places;
};

}  // namespace notspot::study
