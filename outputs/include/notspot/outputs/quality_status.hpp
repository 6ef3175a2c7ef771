#pragma once

#include <span>
#include <string>
#include <vector>

#include "notspot/outputs/run_record.hpp"

namespace notspot::outputs {

/// One failed quality check, worded for the people who read the outputs.
struct FailedCheckText {
  std::string check;     ///< QualityCheck::name, e.g. "max_outside_share".
  std::string sentence;  ///< What failed (measured against its limit) and what it means.
};

/**
 * What a run's quality checks say, in the one wording that report.html (its banner),
 * parish_stats.xlsx (Summary, "Data quality") and parish_stats.gpkg (metadata item
 * NOTSPOT_QUALITY) share. Plain text, no markup; the same checks give the same text.
 */
struct QualityStatus {
  bool passed = true;  ///< Every check passed (also when there were none).
  /// One line: "Data quality: passed, 6 checks" or "Data quality: FAILED: 2 of 6 checks failed
  /// (max_outside_share, premises_assigned); do not use these figures until they are fixed".
  std::string line;
  std::vector<FailedCheckText> failures;  ///< In the order of the checks; empty when passed.
};

/// The status of `checks` (a RunRecord's `quality`).
QualityStatus quality_status(std::span<const QualityCheck> checks);

/**
 * One failed check as a sentence: what was measured against which limit, and what it means
 * for the figures, e.g. "max_outside_share: 2.1% of the premises read were outside every
 * area (limit 1%): figures may be missing premises; check the premises' CRS and the areas'
 * coverage." followed by the check's explanation, when it has one. Shares read as
 * percentages with three significant digits ("under 0.01%" for smaller non-zero ones).
 */
std::string failed_check_sentence(const QualityCheck& check);

/// `share` (0..1) as the sentences write it: "2.1%", "100%", "0%", "under 0.01%".
std::string share_text(double share);

}  // namespace notspot::outputs
