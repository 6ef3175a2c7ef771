#pragma once

#include <map>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "mobile_stage.hpp"
#include "notspot/io/broadband_reader.hpp"
#include "notspot/io/postcode_layer.hpp"
#include "notspot/study/study.hpp"

namespace notspot::study::detail {

/// What the people-facing outputs (workbook, HTML report) say about a run besides its figures.
struct RunDescription {
  /// The thresholds used, as label and value, e.g. {"Gigabit-capable: download at least
  /// (Mbit/s)", "1000"}.
  std::vector<std::pair<std::string, std::string>> thresholds;
  /// Column name -> plain-language definition: the indicator catalogue, and digital exclusion
  /// as the study defines it.
  std::map<std::string, std::string> definitions;
  /// One line per input: role, name and file (the manifest has their digests).
  std::vector<std::string> sources;
};

RunDescription describe_run(const Study& study, const std::string& areas_file,
                            const std::string& premises_file, std::span<const io::LayerLoad> layers,
                            std::span<const io::PostcodeLayerLoad> postcode_layers,
                            const MobileResults& mobile, bool exclusion_computed);

}  // namespace notspot::study::detail
