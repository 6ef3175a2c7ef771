#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace notspot::outputs {

/// How a column's values are typed and written. Formatting is shared by every output, so that
/// the CSV and the GeoPackage hold the same figures.
enum class ColumnKind {
  kText,      ///< Written as is (CSV-quoted when needed).
  kCount,     ///< A whole number of premises.
  kPercent,   ///< A percentage, two decimals; empty when undefined (no premises, no land).
  kEstimate,  ///< An expected (fractional) number of premises, two decimals.
  kArea,      ///< Square kilometres, four decimals.
};

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
