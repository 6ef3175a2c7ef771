#pragma once

#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "notspot/io/problem_log.hpp"
#include "notspot/outputs/stats_table.hpp"

namespace notspot::outputs {

/**
 * Writes parish_stats.csv from the statistics table: a header of the column names, then each
 * row with the table's formatting (see ColumnKind). Same table, same bytes.
 * @throws engine::Error (kInput) when the file cannot be written.
 */
void write_stats_csv(const std::filesystem::path& path, const StatsTable& table);

/// Writes rejected.csv: source,file,line,feature,reason,record — one row per rejected row.
void write_rejected_csv(const std::filesystem::path& path, std::span<const io::RejectedRow> rows);

}  // namespace notspot::outputs
