#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace notspot::generate {

/**
 * Splits one CSV record (RFC 4180: fields may be double-quoted, `""` inside quotes is a quote).
 * Enough for the small real-data files this tool reads; a record must not span lines.
 * A trailing `\r` is ignored.
 */
std::vector<std::string> split_csv_record(std::string_view line);

/// Appends a field to a CSV line, quoting it when it holds a comma, a quote or a line break.
void append_csv_field(std::string& line, std::string_view field);

/// Position of `name` in a header, or -1.
int column_index(const std::vector<std::string>& header, std::string_view name);

}  // namespace notspot::generate
