#include "notspot/outputs/stats_table.hpp"

#include <fmt/format.h>

#include <cmath>

#include "notspot/io/csv.hpp"

namespace notspot::outputs {
namespace {

int decimals(ColumnKind kind) {
  switch (kind) {
    case ColumnKind::kPercent:
    case ColumnKind::kEstimate:
      return 2;
    case ColumnKind::kArea:
      return 4;
    default:
      return 0;
  }
}

}  // namespace

std::size_t StatsTable::add_column(std::string name, ColumnKind kind) {
  columns.push_back({std::move(name), kind});
  return columns.size() - 1;
}

std::string format_cell(const Cell& cell, ColumnKind kind) {
  if (const auto* text = std::get_if<std::string>(&cell)) return io::csv_escape(*text);
  if (const auto* count = std::get_if<std::uint64_t>(&cell)) return std::to_string(*count);
  if (const auto* value = std::get_if<double>(&cell)) {
    if (std::isnan(*value)) return {};
    return fmt::format("{:.{}f}", *value, decimals(kind));
  }
  return {};
}

double cell_number(const Cell& cell, ColumnKind kind) {
  if (const auto* count = std::get_if<std::uint64_t>(&cell)) return static_cast<double>(*count);
  // The written text read back: typed outputs then hold exactly the CSV's figures.
  const std::string text = format_cell(cell, kind);
  return text.empty() ? std::nan("") : std::stod(text);
}

}  // namespace notspot::outputs
