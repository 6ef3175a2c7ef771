#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "notspot/outputs/column_catalogue.hpp"

namespace notspot::outputs {

/// A cell: null (written empty), text, a count, or a real number.
using Cell = std::variant<std::monostate, std::string, std::uint64_t, double>;

/**
 * The per-area statistics of a run as a table: the described columns the study's layers call
 * for, one row per area and a last row for the whole study. Every output (parish_stats.csv,
 * the GeoPackage, the workbook, the report) is written from it, and names, labels and
 * formats come from its catalogue, so that the table and its descriptions cannot disagree.
 */
struct StatsTable {
  ColumnCatalogue columns;
  std::vector<std::vector<Cell>> rows;  ///< One cell per column each.
};

/// The cell as the outputs write it, as plain text (not CSV-quoted): the column's decimals;
/// "" for null and NaN.
std::string format_cell(const Cell& cell, const ColumnSpec& column);

/// The cell's numeric value as written (rounded like format_cell), for typed outputs; NaN for
/// null.
double cell_number(const Cell& cell, const ColumnSpec& column);

}  // namespace notspot::outputs
