#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>

#include "detail/run_description.hpp"
#include "notspot/io/areas_reader.hpp"
#include "notspot/io/crs.hpp"
#include "notspot/io/problem_log.hpp"
#include "notspot/outputs/change_report.hpp"
#include "notspot/outputs/html_report.hpp"
#include "notspot/outputs/stats_table.hpp"
#include "notspot/study/study.hpp"
#include "notspot/study/study_run.hpp"

namespace notspot::study::detail {

/**
 * Everything report.html shows besides the figures, from what the run has gathered: the
 * manifest's `inputs` and layer ledger, the summary's row ledger and quality gates, the first
 * 200 warnings, and the changes since a previous run when there is one.
 */
outputs::ReportInput report_input(const Study& study, const io::Crs& study_crs,
                                  std::span<const io::Area> areas, const outputs::StatsTable& table,
                                  const RunDescription& description,
                                  const nlohmann::ordered_json& inputs,
                                  const nlohmann::ordered_json& layer_ledger,
                                  const RunSummary& summary, std::uint64_t premises_read,
                                  const io::ProblemLog& log,
                                  const std::optional<outputs::ChangeReport>& changes);

}  // namespace notspot::study::detail
