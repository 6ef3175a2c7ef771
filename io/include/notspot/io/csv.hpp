#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace notspot::io {

/// One CSV row. Views point into the input or into the cursor's scratch space and stay valid
/// until the cursor's next call to next().
struct CsvRow {
  std::uint64_t line = 0;  ///< 1-based physical line on which the row starts.
  std::vector<std::string_view> fields;
  std::string_view raw;             ///< The row's bytes, without the line terminator.
  bool unterminated_quote = false;  ///< A quoted field ran to the end of the input.
  bool blank() const { return raw.find_first_not_of(" \t\r") == std::string_view::npos; }
};

/**
 * Splits CSV text (RFC 4180) into rows: quoted fields with `""` escapes, delimiters and
 * newlines inside quotes, LF or CRLF line ends. A quote inside an unquoted field is kept as a
 * literal character, as spreadsheets write it (`5'10"`). Rows without any quote are split
 * without copying.
 *
 * Typical usage:
 * @code
 *   CsvCursor cursor(text, 2);  // text starts on line 2, after the header
 *   for (CsvRow row; cursor.next(row);) { ... row.fields[3] ... }
 * @endcode
 */
class CsvCursor {
 public:
  /// @param text bytes starting at the beginning of a row.
  /// @param first_line the line number of text's first byte.
  CsvCursor(std::string_view text, std::uint64_t first_line, char delimiter = ',');

  /// Reads the next row; false at the end of the text.
  bool next(CsvRow& row);

  /// Byte offset in the text where the next row starts.
  std::size_t position() const { return pos_; }
  std::uint64_t line() const { return line_; }

 private:
  bool next_quoted(CsvRow& row, std::size_t start);

  std::string_view text_;
  std::size_t pos_ = 0;
  std::uint64_t line_;
  char delimiter_;
  std::string scratch_;
  std::vector<std::pair<std::size_t, std::size_t>> spans_;
};

/// A run of whole CSV rows and the line its first byte is on.
struct CsvChunk {
  std::string_view text;
  std::uint64_t first_line = 1;
};

/**
 * Splits CSV rows into about `count` chunks at line ends, so that threads can parse them at
 * once; line numbers stay exact. When the text contains a quote character, a newline might
 * be inside a quoted field, so the text stays one chunk and is parsed in order.
 */
std::vector<CsvChunk> split_csv_rows(std::string_view rows, std::uint64_t first_line,
                                     std::size_t count);

/// The UTF-8 byte-order mark, which OS Open UPRN files start with.
inline constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";

/// `text` without a leading UTF-8 byte-order mark.
std::string_view strip_bom(std::string_view text);

/// A CSV header: column names and lookup by name.
class CsvHeader {
 public:
  CsvHeader() = default;
  explicit CsvHeader(const CsvRow& row);

  std::size_t size() const { return names_.size(); }
  const std::vector<std::string>& names() const { return names_; }

  /// Column index of `name`: an exact match, else the only case-insensitive match.
  std::optional<std::size_t> find(std::string_view name) const;

  /// "UPRN, X_COORDINATE, ..." for error messages.
  std::string describe() const;

  /// The known column nearest to `name` (edit distance <= 3), for "did you mean" hints.
  std::optional<std::string> closest(std::string_view name) const;

  /// Index of column `name`, or an Error (kStudy) naming the file, the study key that asked
  /// for it, the columns there are and the nearest one.
  std::size_t require(const std::string& name, const std::string& display,
                      const std::string& study_key) const;

 private:
  std::vector<std::string> names_;
};

/// Rows and blank lines seen by for_each_row().
struct RowTally {
  std::uint64_t rows = 0;   ///< Data rows, good or rejected.
  std::uint64_t blank = 0;  ///< Blank lines, skipped.
};

/**
 * Walks the rows of a chunk: counts and skips blank lines, passes rows that cannot be split
 * into `field_count` fields (an unterminated quote, a wrong number of fields) to
 * `reject(row, reason)`, and every other row to `on_row(row)`.
 */
template <class Reject, class OnRow>
RowTally for_each_row(const CsvChunk& chunk, std::size_t field_count, Reject&& reject,
                      OnRow&& on_row) {
  RowTally tally;
  CsvCursor cursor(chunk.text, chunk.first_line);
  for (CsvRow row; cursor.next(row);) {
    if (row.blank()) {
      ++tally.blank;
      continue;
    }
    ++tally.rows;
    if (row.unterminated_quote) {
      reject(row, std::string("a quoted field is not closed before the end of the file"));
    } else if (row.fields.size() != field_count) {
      reject(row, "the row has " + std::to_string(row.fields.size()) +
                      " fields but the header has " + std::to_string(field_count) +
                      "; is a comma missing or extra, or a field not quoted?");
    } else {
      on_row(row);
    }
  }
  return tally;
}

/// `value` as a CSV field, quoted when needed (RFC 4180).
std::string csv_escape(std::string_view value);

/// Parses a whole field as a finite or non-finite double; surrounding spaces are allowed.
std::optional<double> parse_double(std::string_view field);

/// Parses a whole field as an unsigned 64-bit integer; surrounding spaces are allowed.
std::optional<std::uint64_t> parse_uint64(std::string_view field);

/// `text` without leading and trailing spaces and tabs.
std::string_view trim(std::string_view text);

/// Levenshtein distance, for "did you mean" suggestions.
std::size_t edit_distance(std::string_view a, std::string_view b);

/// Lower-cased ASCII copy.
std::string ascii_lower(std::string_view text);

}  // namespace notspot::io
