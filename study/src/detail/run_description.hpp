#pragma once

#include <span>
#include <string>
#include <utility>
#include <vector>

#include "notspot/io/broadband_reader.hpp"
#include "notspot/io/postcode_layer.hpp"
#include "notspot/study/mobile_study.hpp"
#include "notspot/study/study.hpp"

namespace notspot::study::detail {

/// What the people-facing outputs (workbook, HTML report) say about a run besides its figures
/// and their columns (which the column catalogue describes).
struct RunDescription {
  /// The thresholds used, as label and value, e.g. {"Gigabit-capable: download at least
  /// (Mbit/s)", "1000"}.
  std::vector<std::pair<std::string, std::string>> thresholds;
  /// One line per input: role, name and file (the manifest has their digests).
  std::vector<std::string> sources;
};

RunDescription describe_run(const Study& study, const std::string& areas_file,
                            const std::string& premises_file, std::span<const io::LayerLoad> layers,
                            std::span<const io::PostcodeLayerLoad> postcode_layers,
                            const MobileResults& mobile);

}  // namespace notspot::study::detail
