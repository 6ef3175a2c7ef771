#pragma once

#include <fmt/format.h>

#include <cstdio>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

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

/**
 * The columns `text` takes on a terminal, counted as code points: terminal_text() has left no
 * control character, so each code point takes one column (East Asian wide characters, which
 * take two, and combining marks, which take none, are not told apart).
 */
std::size_t display_width(std::string_view text);

/// How a column of a TextTable is aligned.
enum class Align { kLeft, kRight };

/**
 * A table for a terminal: every cell is escaped with terminal_text() (newlines as `\n`) and
 * padded by display_width(), so that a left-aligned column starts, and a right-aligned one
 * ends, at the same display column on every row, whatever the data holds.
 *
 * Typical usage:
 * @code
 *   TextTable t({{"Area", Align::kLeft}, {"Premises", Align::kRight}});
 *   t.add({"Alpha", "4"});
 *   t.print(stdout, 2);
 * @endcode
 */
class TextTable {
 public:
  struct Column {
    std::string heading;
    Align align = Align::kLeft;
  };
  explicit TextTable(std::vector<Column> columns);
  /// Adds a row of as many cells as there are columns (missing cells are blank).
  void add(std::vector<std::string> cells);
  /// Writes the heading row then every row, each line indented by `indent` spaces, columns
  /// two spaces apart, no trailing spaces.
  void print(std::FILE* out, std::size_t indent) const;

 private:
  std::vector<Column> columns_;
  std::vector<std::vector<std::string>> rows_;  // escaped
};

/// Writes terminal_text(text) to `out`: the one way the CLI prints text for people.
void print_text(std::FILE* out, std::string_view text);

/// fmt::print through print_text(): the whole line, data included, is escaped.
template <typename... Args>
void say(std::FILE* out, fmt::format_string<Args...> format, Args&&... args) {
  print_text(out, fmt::format(format, std::forward<Args>(args)...));
}

}  // namespace notspot::cli
