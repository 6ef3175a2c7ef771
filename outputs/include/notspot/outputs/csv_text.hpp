#pragma once

#include <string>
#include <string_view>

namespace notspot::outputs {

/**
 * Text for a CSV cell that a spreadsheet opens as text, never as a formula (OWASP "CSV
 * injection"): text beginning with `=`, `+`, `-`, `@`, a tab or a carriage return gets a
 * leading `'`, so that `=HYPERLINK(...)` in a parish name is shown, not evaluated. Text that
 * already begins with `'` gets one more, so that restore_formula_text() gives back exactly
 * the original. Only for text columns: numbers (a negative percentage change) are written as
 * numbers, decided by the column's type, never by looking at the value.
 *
 * Typical usage: `line += csv_text_field(area.name);`
 */
std::string neutralise_formula_text(std::string_view text);

/// The inverse of neutralise_formula_text(), for reading back a CSV notspot wrote (the
/// previous run's parish_stats.csv): one leading `'` is removed when a formula character or
/// another `'` follows it.
std::string restore_formula_text(std::string_view cell);

/// neutralise_formula_text() then CSV quoting (RFC 4180): a text cell of every CSV notspot
/// writes (parish_stats.csv, parish_changes.csv, rejected.csv).
std::string csv_text_field(std::string_view text);

}  // namespace notspot::outputs
