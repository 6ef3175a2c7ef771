#pragma once

#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "notspot/engine/indicators.hpp"
#include "notspot/io/areas_reader.hpp"
#include "notspot/io/problem_log.hpp"

namespace notspot::io {

/// The columns of parish_stats.csv, in order: level, area_id, area_name, premises, then for
/// each indicator of engine::indicator_catalogue() its count and `<name>_pct`.
std::vector<std::string> parish_stats_columns();

/**
 * Writes parish_stats.csv: one row per area (level "area", in area order), then one row for
 * the whole study (level "study", area_id empty). Percentages have two decimals and are empty
 * for areas without premises. Same inputs, same bytes.
 * @throws engine::Error (kInput) when the file cannot be written.
 */
void write_parish_stats_csv(const std::filesystem::path& path, std::span<const Area> areas,
                            std::span<const engine::AreaCounts> counts,
                            const engine::AreaCounts& study_total, const std::string& study_name);

/// Writes rejected.csv: source,file,line,feature,reason,record — one row per rejected row.
void write_rejected_csv(const std::filesystem::path& path, std::span<const RejectedRow> rows);

/// Formats a percentage with two decimals ("" for NaN), as every output does.
std::string format_percentage(double value);

}  // namespace notspot::io
