#pragma once

#include <string>
#include <vector>

#include "notspot/study/study.hpp"

namespace notspot::study {

/// Problems found by validate_study(), each a complete message.
struct ValidationReport {
  std::vector<std::string> study_problems;  ///< The study file must change (exit code 2).
  std::vector<std::string> input_problems;  ///< An input file is unusable (exit code 1).
  std::vector<std::string> notes;           ///< What was checked, for the user.
  bool ok() const { return study_problems.empty() && input_problems.empty(); }
};

/**
 * Checks a study without computing: every input opens as its kind of layer, the named layers,
 * fields, columns and bands exist, CRSs are known and a transformation to the study CRS
 * exists. Each layer is inspected by its kind (the table of layer kinds), as the run reads it.
 * Reports all problems, not just the first.
 */
ValidationReport validate_study(const Study& study);

}  // namespace notspot::study
