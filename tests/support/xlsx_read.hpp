#pragma once

#include <cstddef>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace notspot::test {

/// One member of a zip file (an .xlsx), extracted by Debian's `unzip -p`, independently of the
/// library that wrote it. @throws std::runtime_error when unzip fails.
std::string unzip_member(const std::filesystem::path& zip, const std::string& member);

/// `&lt;` `&gt;` `&quot;` `&apos;` `&amp;` replaced by their characters.
std::string xml_unescape(std::string s);

/// "A", ..., "Z", "AA": the spreadsheet's column letters of a 0-based column.
std::string column_letters(std::size_t column);

/// A cell of a sheet's XML.
struct XmlCell {
  std::string type;  ///< The t attribute: "s" shared string, "" number.
  int style = 0;
  std::string value;  ///< <v>: a number, or an index into the shared strings.
};

/// Cells of a sheet (xl/worksheets/sheetN.xml) by reference ("B3").
std::map<std::string, XmlCell> cells_of(const std::string& sheet_xml);

/// The shared strings (xl/sharedStrings.xml), unescaped, in order.
std::vector<std::string> shared_strings(const std::string& xml);

}  // namespace notspot::test
