#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "notspot/outputs/column_catalogue.hpp"

namespace notspot::outputs {

struct Column {
  std::string name;
  ColumnKind kind;
};

/// A cell: null (written empty), text, a count, or a real number.
using Cell = std::variant<std::monostate, std::string, std::uint64_t, double>;

/**
 * The per-area statistics of a run as a table: the columns the study's layers call for, one
 * row per area and a last row for the whole study. Both parish_stats.csv and the GeoPackage
 * are written from it.
 */
struct StatsTable {
  std::vector<Column> columns;
  std::vector<std::vector<Cell>> rows;

  /// Appends a column and returns its position.
  std::size_t add_column(std::string name, ColumnKind kind);
};

/// The cell as the outputs write it ("" for null and NaN).
std::string format_cell(const Cell& cell, ColumnKind kind);

/// The cell's numeric value as written (rounded like format_cell), for typed outputs; NaN for
/// null.
double cell_number(const Cell& cell, ColumnKind kind);

}  // namespace notspot::outputs
