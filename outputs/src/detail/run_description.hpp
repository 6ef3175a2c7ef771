#pragma once

#include <string>
#include <utility>
#include <vector>

#include "notspot/outputs/run_record.hpp"

namespace notspot::outputs::detail {

/// What the people-facing outputs (workbook, HTML report) say about a run besides its figures
/// and their columns (which the column catalogue describes).
struct RunDescription {
  /// The thresholds used, as label and value, e.g. {"Gigabit-capable: download at least
  /// (Mbit/s)", "1000"}.
  std::vector<std::pair<std::string, std::string>> thresholds;
  /// One line per input: role, name and file (the manifest has their digests), then the
  /// study's attribution lines.
  std::vector<std::string> sources;
};

RunDescription describe_run(const RunRecord& record);

}  // namespace notspot::outputs::detail
