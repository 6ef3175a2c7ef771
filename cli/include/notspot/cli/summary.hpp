#pragma once

#include <string>
#include <vector>

#include "notspot/outputs/run_record.hpp"
#include "notspot/study/study.hpp"

namespace notspot::cli {

/// One line of the summary table: a headline measure of the study row, as parish_stats.csv
/// writes it ("-" where a share is undefined, empty where the measure has no count).
struct SummaryRow {
  std::string label;
  std::string premises;
  std::string share;
};

/// The headline measures of the catalogue (ColumnSpec::summary), for the study row.
std::vector<SummaryRow> summary_rows(const outputs::RunRecord& record);

/// The summary `notspot run` prints for people: the premises ledger, the headline measures,
/// failed quality checks, the first warnings and the outputs written.
void print_summary(const study::Study& study, const outputs::RunRecord& record);

}  // namespace notspot::cli
