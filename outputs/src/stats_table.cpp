#include "notspot/outputs/stats_table.hpp"

#include <fmt/format.h>

#include <cmath>

namespace notspot::outputs {

std::string format_cell(const Cell& cell, const ColumnSpec& column) {
  if (const auto* text = std::get_if<std::string>(&cell)) return *text;
  if (const auto* count = std::get_if<std::uint64_t>(&cell)) return std::to_string(*count);
  if (const auto* value = std::get_if<double>(&cell)) {
    if (std::isnan(*value)) return {};
    return fmt::format("{:.{}f}", *value, column.decimals);
  }
  return {};
}

double cell_number(const Cell& cell, const ColumnSpec& column) {
  if (const auto* count = std::get_if<std::uint64_t>(&cell)) return static_cast<double>(*count);
  if (std::holds_alternative<std::string>(cell)) return std::nan("");
  // The written text read back: typed outputs then hold exactly the CSV's figures.
  const std::string text = format_cell(cell, column);
  return text.empty() ? std::nan("") : std::stod(text);
}

}  // namespace notspot::outputs
