#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace notspot::study::detail {

/// The longest `[study] name` accepted, in characters: it titles the report, the workbook
/// (and its document properties), the GeoPackage metadata and the terminal summary.
constexpr std::size_t kMaxStudyNameCharacters = 200;

/**
 * What is wrong with a `[study] name` (or another one-line title text of [study], named by
 * `key`, e.g. "place"), or nullopt when it is fit to title every output: one
 * line of text (no control character: C0 including tab and newline, DEL, C1) of at most
 * kMaxStudyNameCharacters characters (code points). The message says what to do and does not
 * quote the control character itself.
 */
std::optional<std::string> study_name_problem(std::string_view name, std::string_view key = "name");

}  // namespace notspot::study::detail
