#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>

#include "detail/run_description.hpp"
#include "notspot/io/areas_reader.hpp"
#include "notspot/io/change_report.hpp"
#include "notspot/io/crs.hpp"
#include "notspot/io/html_report.hpp"
#include "notspot/io/problem_log.hpp"
#include "notspot/io/stats_table.hpp"
#include "notspot/io/study.hpp"
#include "notspot/io/study_run.hpp"

namespace notspot::io::detail {

/**
 * Everything report.html shows besides the figures, from what the run has gathered: the
 * manifest's `inputs` and layer ledger, the summary's row ledger and quality gates, the first
 * 200 warnings, and the changes since a previous run when there is one.
 */
ReportInput report_input(const Study& study, const Crs& study_crs, std::span<const Area> areas,
                         const StatsTable& table, const RunDescription& description,
                         const nlohmann::ordered_json& inputs,
                         const nlohmann::ordered_json& layer_ledger, const RunSummary& summary,
                         std::uint64_t premises_read, const ProblemLog& log,
                         const std::optional<ChangeReport>& changes);

}  // namespace notspot::io::detail
