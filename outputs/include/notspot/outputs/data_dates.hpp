#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "notspot/outputs/run_record.hpp"

namespace notspot::outputs {

/// What an undeclared date reads as, everywhere it is shown (never today's date).
inline constexpr std::string_view kDateNotStated = "not stated";

/// True when `as_at` is "YYYY", "YYYY-MM" or "YYYY-MM-DD" with a real month (01-12) and day
/// (of that month, leap years included), year 1000 to 9999.
bool valid_as_at(std::string_view as_at);

/// "2025" -> "2025", "2025-07" -> "July 2025", "2025-07-04" -> "4 July 2025"; none (or an
/// invalid value) -> "not stated".
std::string describe_as_at(const std::optional<std::string>& as_at);

/**
 * The "Data dates" rows the report, the workbook Summary and the GeoPackage metadata show: the
 * study's date first ("Study"), then one per input in the record's order, labelled by role or
 * layer kind and named by file (areas, premises) or layer name, e.g.
 * {"Fixed broadband: speeds", "July 2025"} or {"Premises: premises.csv", "not stated"}.
 */
std::vector<std::pair<std::string, std::string>> data_dates(const RunRecord& record);

/// The rows of data_dates() as one text, "Label, date" items joined by "; " (GeoPackage
/// metadata item NOTSPOT_DATA_DATES).
std::string data_dates_text(const RunRecord& record);

/**
 * How the change section names the two runs: "October 2026 compared with September 2026" when
 * both declare `[study] as_at`, else "This run compared with the run in FOLDER" (the previous
 * run's folder as the study names it).
 */
std::string run_comparison(const std::optional<std::string>& current_as_at,
                           const std::optional<std::string>& previous_as_at,
                           const std::string& previous_folder);

}  // namespace notspot::outputs
