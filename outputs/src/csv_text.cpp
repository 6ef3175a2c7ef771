#include "notspot/outputs/csv_text.hpp"

#include "notspot/io/csv.hpp"

namespace notspot::outputs {
namespace {

// What Excel, LibreOffice and Google Sheets may read as the start of a formula (OWASP), and
// the quote that marks the neutralised ones.
bool starts_formula(std::string_view text) {
  if (text.empty()) return false;
  switch (text.front()) {
    case '=':
    case '+':
    case '-':
    case '@':
    case '\t':
    case '\r':
    case '\'':
      return true;
    default:
      return false;
  }
}

}  // namespace

std::string neutralise_formula_text(std::string_view text) {
  if (!starts_formula(text)) return std::string(text);
  std::string out = "'";
  out += text;
  return out;
}

std::string restore_formula_text(std::string_view cell) {
  if (cell.size() >= 2 && cell.front() == '\'' && starts_formula(cell.substr(1))) {
    return std::string(cell.substr(1));
  }
  return std::string(cell);
}

std::string csv_text_field(std::string_view text) {
  return io::csv_escape(neutralise_formula_text(text));
}

}  // namespace notspot::outputs
