#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace notspot::outputs::detail {

/// Excel's limit on the characters of one cell (UTF-16 code units).
constexpr std::size_t kMaxCellCharacters = 32767;

/// Text as the workbook can hold it.
struct XlsxText {
  std::string text;
  bool replaced = false;  ///< A character XML 1.0 forbids was replaced with U+FFFD.
  bool cut = false;       ///< The text was cut to `limit` characters.
};

/**
 * `text` made fit for the XML of an .xlsx file: characters XML 1.0 forbids (C0 controls other
 * than tab, newline and carriage return; U+FFFE, U+FFFF) and bytes that are not well-formed
 * UTF-8 become U+FFFD, since one of them makes Excel report the whole file as damaged; and
 * text longer than `limit` characters (counted as Excel does, in UTF-16 code units) is cut on a
 * character boundary, ending with "…".
 */
XlsxText xlsx_text(std::string_view text, std::size_t limit = kMaxCellCharacters);

}  // namespace notspot::outputs::detail
