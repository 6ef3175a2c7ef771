#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#include <string>
#include <string_view>
#include <vector>

#include "notspot/io/mapped_file.hpp"
#include "notspot/io/zip_archive.hpp"

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
  std::uint64_t line_ends = 0;  ///< Newline characters in text (an upper bound on its rows).
  bool has_quotes = true;       ///< False when text has no '"': rows split at commas only.
  /// Offset in text of its first NUL byte (binary data, never CSV text), or npos.
  std::size_t first_nul = std::string_view::npos;
};

/**
 * Refuses text holding a NUL byte, which no CSV text has: binary data (a compressed or
 * database file renamed .csv, or a copy damaged and filled with zeros).
 * @throws engine::Error (kInput) naming `display`, the line and the byte offset of the first
 *   NUL of `chunks` (from split_csv_rows(); `rows` is the text they were split from).
 */
void refuse_binary(const std::vector<CsvChunk>& chunks, std::string_view rows,
                   const std::string& display);

/**
 * Splits CSV rows into about `count` chunks at line ends, so that threads can parse them at
 * once; line numbers stay exact. Chunks are scanned in parallel for line ends and quotes.
 * When the text contains a quote character, a newline might be inside a quoted field, so the
 * text stays one chunk and is parsed in order.
 *
 * @param mapped when `rows` is a view into this file, each chunk's pages are released
 *   (MappedFile::release) as soon as they are counted: parsing reads them again from the page
 *   cache, and a national file is never resident as a whole (1 GB less at the peak).
 */
std::vector<CsvChunk> split_csv_rows(std::string_view rows, std::uint64_t first_line,
                                     std::size_t count, const InputBytes* mapped = nullptr);

/// The UTF-8 byte-order mark, which OS Open UPRN files start with.
inline constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";

/**
 * The text of a CSV file, without a leading UTF-8 byte-order mark, checked for what makes a
 * file unreadable as a whole rather than row by row.
 * @throws engine::Error (kInput) naming `display` when the file is UTF-16 or UTF-32 (Excel's
 *         "Unicode text"), or uses CR alone as line end.
 */
std::string_view csv_text(std::string_view bytes, const std::string& display);

/// A CSV header: column names and lookup by name.
class CsvHeader {
 public:
  CsvHeader() = default;
  explicit CsvHeader(const CsvRow& row);

  std::size_t size() const { return names_.size(); }
  const std::vector<std::string>& names() const { return names_; }

  /// Column index of `name`: an exact match, else the only case-insensitive match.
  std::optional<std::size_t> find(std::string_view name) const;

  /// Every column `name` could mean: its exact matches, else its case-insensitive ones. More
  /// than one is an ambiguity (a header with the same name twice).
  std::vector<std::size_t> candidates(std::string_view name) const;

  /// find(), but an Error (kStudy) naming the file, the column, its positions and the study
  /// key when `name` matches several columns; nullopt when it matches none.
  std::optional<std::size_t> find_unambiguous(std::string_view name, const std::string& display,
                                              const std::string& study_key) const;

  /// Names that occur more than once in the header (exactly), each once, in header order.
  std::vector<std::string> duplicate_names() const;

  /// "UPRN, X_COORDINATE, ..." for error messages.
  std::string describe() const;

  /// The column nearest to `name` under the one "did you mean" rule (nearest_word()).
  std::optional<std::string> closest(std::string_view name) const;

  /// Index of column `name`, or an Error (kStudy) naming the file, the study key that asked
  /// for it, the columns there are and the nearest one; also an Error when the header has
  /// `name` more than once (find_unambiguous()).
  std::size_t require(const std::string& name, const std::string& display,
                      const std::string& study_key) const;

 private:
  std::vector<std::string> names_;
};

/// A CSV file mapped into memory (or a ZIP member decompressed) with its header read: what
/// every CSV reader starts from.
struct CsvFile {
  InputBytes file;
  CsvHeader header;
  std::string_view rows;             ///< The text after the header line.
  std::uint64_t first_row_line = 2;  ///< The line `rows` starts on.
  /// How messages name it: the caller's name of the file, or for a ZIP member
  /// "ARCHIVE/MEMBER" (e.g. "osopenuprn_202610_csv.zip/osopenuprn_202610.csv").
  std::string display;
};

/**
 * Maps `path` (or decompresses the member of a ZIP archive `member` selects, see
 * open_input_bytes()), checks its text as csv_text() does and reads its header line.
 * @param expected what the header should look like, for the message when there is none.
 * @throws engine::Error (kInput) naming `display` when the file cannot be read, is UTF-16 or
 *   UTF-32, uses CR alone as line end, or is empty; as open_input_bytes() for an archive
 *   (kStudy when `member` matches several members).
 */
CsvFile open_csv_file(const std::filesystem::path& path, const std::optional<std::string>& member,
                      const std::string& display, std::string_view expected = "a header line");

/**
 * As open_csv_file(), but every member of a ZIP archive the glob `member` matches, in the
 * archive's order, as one input: each member's header must be the first one's.
 * @throws engine::Error (kInput) naming the member whose header differs, and how.
 */
std::vector<CsvFile> open_csv_files(const std::filesystem::path& path,
                                    const std::optional<std::string>& member,
                                    const std::string& display,
                                    std::string_view expected = "a header line");

/// The archive members `files` were read from, for the manifest; empty for a plain file.
std::vector<MemberRead> members_read(const std::vector<CsvFile>& files);

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
namespace detail {

/**
 * Calls `on_line(row, line, fields, field_count)` for every line of quote-free text, finding
 * commas and line ends 16 bytes at a time (SSE2): the one pass over the bytes that the fast
 * path makes. Up to `fields.size()` field views are stored; field_count counts them all. A
 * trailing CR is removed from the row and its last field.
 */
template <class OnLine>
void scan_quote_free_lines(std::string_view text, std::uint64_t first_line,
                           std::vector<std::string_view>& fields, OnLine&& on_line);

}  // namespace detail

/**
 * Walks the rows of a chunk: counts and skips blank lines, passes rows that cannot be split
 * into `field_count` fields (an unterminated quote, a wrong number of fields) to
 * `reject(row, reason)`, and every other row to `on_row(row)`. Chunks without quotes take the
 * vectorised fast path.
 */
template <class Reject, class OnRow>
RowTally for_each_row(const CsvChunk& chunk, std::size_t field_count, Reject&& reject,
                      OnRow&& on_row) {
  RowTally tally;
  auto wrong_count = [&](const CsvRow& row, std::size_t got) {
    reject(row, "the row has " + std::to_string(got) + " fields but the header has " +
                    std::to_string(field_count) +
                    "; is a comma missing or extra, or a field not quoted?");
  };
  if (!chunk.has_quotes) {
    CsvRow row;
    row.fields.resize(field_count + 1);
    detail::scan_quote_free_lines(
        chunk.text, chunk.first_line, row.fields,
        [&](std::string_view raw, std::uint64_t line, std::size_t fields) {
          row.raw = raw;
          row.line = line;
          if (row.blank()) {
            ++tally.blank;
            return;
          }
          ++tally.rows;
          if (fields != field_count) {
            wrong_count(row, fields);
            return;
          }
          // The scanner keeps one spare slot to detect extra fields; hide it from on_row.
          row.fields.resize(field_count);
          on_row(row);
          row.fields.resize(field_count + 1);
        });
    return tally;
  }
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
      wrong_count(row, row.fields.size());
    } else {
      on_row(row);
    }
  }
  return tally;
}

/// `value` as a CSV field, quoted when needed (RFC 4180).
std::string csv_escape(std::string_view value);

namespace detail {
std::optional<double> parse_double_slow(std::string_view field);
std::optional<std::uint64_t> parse_uint64_slow(std::string_view field);
}  // namespace detail

/**
 * Parses a whole field as a finite or non-finite double; surrounding spaces are allowed.
 *
 * Inline fast path (Clinger): a plain decimal with at most 15 significant digits and at most
 * 15 decimals is m / 10^k with m and 10^k exact doubles, and IEEE division rounds that
 * correctly, so the result is the same double a full parser gives; coordinates ("400500.25")
 * always qualify. Anything else goes to fast_float.
 */
inline std::optional<double> parse_double(std::string_view field) {
  static constexpr double kPowers[] = {1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                       1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
  const char* p = field.data();
  const char* const end = p + field.size();
  const bool negative = p != end && *p == '-';
  p += negative;
  const char* const digits_begin = p;
  std::uint64_t mantissa = 0;
  int significant = 0;
  int decimals = -1;  // -1: no decimal point yet
  for (; p != end; ++p) {
    const unsigned digit = static_cast<unsigned char>(*p) - unsigned{'0'};
    if (digit <= 9) {
      mantissa = mantissa * 10 + digit;
      significant += mantissa != 0;  // leading zeros are not significant
      decimals += decimals >= 0;
    } else if (*p == '.' && decimals < 0) {
      decimals = 0;
    } else {
      return detail::parse_double_slow(field);
    }
  }
  const int k = decimals < 0 ? 0 : decimals;
  if (significant > 15 || k > 15 || p - digits_begin == (decimals < 0 ? 0 : 1)) {
    return detail::parse_double_slow(field);  // too long, or no digits at all
  }
  const double value = static_cast<double>(mantissa) / kPowers[k];
  return negative ? -value : value;
}

/// Parses a whole field as an unsigned 64-bit integer; surrounding spaces are allowed.
inline std::optional<std::uint64_t> parse_uint64(std::string_view field) {
  // Fast path: up to 19 plain digits cannot overflow.
  if (field.empty() || field.size() > 19) return detail::parse_uint64_slow(field);
  std::uint64_t value = 0;
  for (const char c : field) {
    const unsigned digit = static_cast<unsigned char>(c) - unsigned{'0'};
    if (digit > 9) return detail::parse_uint64_slow(field);
    value = value * 10 + digit;
  }
  return value;
}

/// `text` without leading and trailing spaces and tabs.
std::string_view trim(std::string_view text);

/// Lower-cased ASCII copy.
std::string ascii_lower(std::string_view text);

namespace detail {

template <class OnLine>
void scan_quote_free_lines(std::string_view text, std::uint64_t first_line,
                           std::vector<std::string_view>& fields, OnLine&& on_line) {
  const char* const base = text.data();
  const std::size_t n = text.size();
  const std::size_t capacity = fields.size();
  std::size_t row_start = 0;
  std::size_t field_start = 0;
  std::size_t field_count = 0;
  std::uint64_t line = first_line;
  auto end_field = [&](std::size_t pos) {
    if (field_count < capacity) fields[field_count] = {base + field_start, pos - field_start};
    ++field_count;
    field_start = pos + 1;
  };
  auto end_line = [&](std::size_t pos) {
    std::size_t row_end = pos;
    if (row_end > row_start && base[row_end - 1] == '\r') --row_end;
    end_field(row_end);
    on_line(std::string_view(base + row_start, row_end - row_start), line++, field_count);
    row_start = pos + 1;
    field_start = pos + 1;
    field_count = 0;
  };
  std::size_t i = 0;
#if defined(__SSE2__)
  const __m128i comma = _mm_set1_epi8(',');
  const __m128i newline = _mm_set1_epi8('\n');
  for (; i + 16 <= n; i += 16) {
    const __m128i block = _mm_loadu_si128(reinterpret_cast<const __m128i*>(base + i));
    const auto commas = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(block, comma)));
    const auto line_ends = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(block, newline)));
    for (unsigned mask = commas | line_ends; mask != 0; mask &= mask - 1) {
      const unsigned bit = mask & (0u - mask);
      const std::size_t pos = i + static_cast<std::size_t>(__builtin_ctz(mask));
      if (line_ends & bit) {
        end_line(pos);
      } else {
        end_field(pos);
      }
    }
  }
#endif
  for (; i < n; ++i) {
    if (base[i] == ',') {
      end_field(i);
    } else if (base[i] == '\n') {
      end_line(i);
    }
  }
  if (row_start < n) end_line(n);  // a last line without a line end
}

}  // namespace detail

}  // namespace notspot::io
