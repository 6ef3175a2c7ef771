#pragma once

#include <span>

#include "notspot/io/areas_reader.hpp"
#include "notspot/outputs/html_report.hpp"
#include "notspot/outputs/run_record.hpp"

namespace notspot::outputs::detail {

/**
 * What report.html shows, from the run record: the table, the inputs and ledgers, the quality
 * gates, the first kMaxListedWarnings warnings, the changes since a previous run.
 * @param areas the area geometries, in the order of the table's area rows.
 */
ReportInput report_input(const RunRecord& record, std::span<const io::Area> areas);

}  // namespace notspot::outputs::detail
