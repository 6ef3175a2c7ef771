#pragma once

#include <fmt/format.h>

#include <cstdio>
#include <string>
#include <string_view>
#include <utility>

namespace notspot::cli {

/// Whether a newline in the text is kept (a multi-line message) or shown as `\n`.
enum class Newlines { kKeep, kEscape };

/**
 * `text` made safe to print on a terminal: data (area ids and names, file names, the study
 * name) can hold escape sequences that retitle, clear or rewrite the terminal (`ESC]0;...BEL`,
 * `ESC[2J`). Every C0 control character (newline only with Newlines::kEscape), DEL and every
 * C1 control character (U+0080 to U+009F) is shown as an escape instead: `\x1b`, `\x7f`,
 * `\u009b`, and `\t`, `\r`, `\n`; a byte that is not part of well-formed UTF-8 is shown as
 * `\xNN`. Other text, including backslashes, is unchanged, and the result has no control
 * character left, so escaping twice changes nothing.
 */
std::string terminal_text(std::string_view text, Newlines newlines = Newlines::kKeep);

/// Writes terminal_text(text) to `out`: the one way the CLI prints text for people.
void print_text(std::FILE* out, std::string_view text);

/// fmt::print through print_text(): the whole line, data included, is escaped.
template <typename... Args>
void say(std::FILE* out, fmt::format_string<Args...> format, Args&&... args) {
  print_text(out, fmt::format(format, std::forward<Args>(args)...));
}

}  // namespace notspot::cli
