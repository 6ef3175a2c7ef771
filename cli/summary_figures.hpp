#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "notspot/outputs/run_record.hpp"

namespace notspot::cli {

/// One line of the summary: a study-wide figure.
struct SummaryFigure {
  std::string label;                      ///< e.g. "4G indoor: no operator (not-spot)".
  std::optional<std::uint64_t> premises;  ///< Premises counted, when it is a premises figure.
  double share = 0;                       ///< Percentage of premises, or of land (NaN: none).
};

/// The mobile figures of the summary: not-spots, all operators and land per group, and digital
/// exclusion, from the study row of the record's table.
std::vector<SummaryFigure> mobile_summary(const outputs::RunRecord& record);

}  // namespace notspot::cli
