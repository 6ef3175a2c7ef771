#include "notspot/io/csv.hpp"

#include <fast_float/fast_float.h>
#include <fmt/format.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <charconv>
#include <cstring>

#include "notspot/engine/error.hpp"
#include "notspot/io/suggest.hpp"

namespace notspot::io {

CsvCursor::CsvCursor(std::string_view text, std::uint64_t first_line, char delimiter)
    : text_(text), line_(first_line), delimiter_(delimiter) {}

bool CsvCursor::next(CsvRow& row) {
  if (pos_ >= text_.size()) return false;
  const std::size_t start = pos_;
  const char* base = text_.data();
  const char* newline =
      static_cast<const char*>(std::memchr(base + start, '\n', text_.size() - start));
  const std::size_t end = newline ? static_cast<std::size_t>(newline - base) : text_.size();
  std::string_view line = text_.substr(start, end - start);
  if (line.find('"') != std::string_view::npos) return next_quoted(row, start);

  pos_ = newline ? end + 1 : end;
  row.line = line_++;
  row.unterminated_quote = false;
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  row.raw = line;
  row.fields.clear();
  std::size_t field_start = 0;
  for (;;) {
    const std::size_t comma = line.find(delimiter_, field_start);
    if (comma == std::string_view::npos) {
      row.fields.push_back(line.substr(field_start));
      break;
    }
    row.fields.push_back(line.substr(field_start, comma - field_start));
    field_start = comma + 1;
  }
  return true;
}

// The slow path for rows with quotes: a state machine copying field contents into scratch
// space (so that "" escapes can be undone), then views into it once the row is complete.
bool CsvCursor::next_quoted(CsvRow& row, std::size_t start) {
  scratch_.clear();
  spans_.clear();
  row.line = line_;
  row.unterminated_quote = false;
  std::size_t i = start;
  const std::size_t n = text_.size();
  std::size_t field_begin = 0;
  bool row_done = false;
  while (!row_done) {
    if (i < n && text_[i] == '"') {
      // Quoted field: until a quote not followed by another quote.
      ++i;
      for (;;) {
        if (i >= n) {
          row.unterminated_quote = true;
          break;
        }
        const char c = text_[i];
        if (c == '"') {
          if (i + 1 < n && text_[i + 1] == '"') {
            scratch_.push_back('"');
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        if (c == '\n') ++line_;
        scratch_.push_back(c);
        ++i;
      }
    }
    // Unquoted part (or characters after a closing quote): up to a delimiter or line end.
    while (i < n && text_[i] != delimiter_ && text_[i] != '\n') scratch_.push_back(text_[i++]);
    if (i < n && text_[i] == delimiter_) {
      spans_.emplace_back(field_begin, scratch_.size() - field_begin);
      field_begin = scratch_.size();
      ++i;
      continue;
    }
    // End of row: strip the CR of a CRLF line end from the last field.
    std::size_t last_length = scratch_.size() - field_begin;
    if (last_length > 0 && scratch_.back() == '\r') --last_length;
    spans_.emplace_back(field_begin, last_length);
    row_done = true;
  }
  std::size_t end = std::min(i, n);
  pos_ = end < n ? end + 1 : end;  // past the newline
  ++line_;
  std::string_view raw = text_.substr(start, end - start);
  if (!raw.empty() && raw.back() == '\r') raw.remove_suffix(1);
  row.raw = raw;
  row.fields.clear();
  for (const auto& [offset, length] : spans_) {
    row.fields.emplace_back(scratch_.data() + offset, length);
  }
  return true;
}

std::vector<CsvChunk> split_csv_rows(std::string_view rows, std::uint64_t first_line,
                                     std::size_t count, const InputBytes* mapped) {
  std::vector<CsvChunk> chunks;
  if (rows.empty()) return chunks;
  const std::size_t target = rows.size() / std::max<std::size_t>(count, 1) + 1;
  std::size_t begin = 0;
  while (begin < rows.size()) {
    std::size_t end = std::min(rows.size(), begin + target);
    if (end < rows.size()) {
      const char* nl =
          static_cast<const char*>(std::memchr(rows.data() + end, '\n', rows.size() - end));
      end = nl ? static_cast<std::size_t>(nl - rows.data()) + 1 : rows.size();
    }
    chunks.push_back({rows.substr(begin, end - begin), 0, 0, false});
    begin = end;
  }
  // Line ends and quotes of every chunk, in parallel: one pass over the bytes.
  tbb::parallel_for(std::size_t{0}, chunks.size(), [&](std::size_t c) {
    CsvChunk& chunk = chunks[c];
    const char* p = chunk.text.data();
    const std::size_t n = chunk.text.size();
    std::uint64_t line_ends = 0;
    bool quotes = false;
    std::size_t i = 0;
#if defined(__SSE2__)
    // Per-byte counters (a match subtracts -1), folded into 64-bit sums before they wrap.
    const __m128i newline = _mm_set1_epi8('\n');
    const __m128i quote = _mm_set1_epi8('"');
    const __m128i zero = _mm_setzero_si128();
    __m128i any_quote = zero;
    __m128i any_nul = zero;
    while (i + 16 <= n) {
      __m128i counts = zero;
      for (int k = 0; k < 255 && i + 16 <= n; ++k, i += 16) {
        const __m128i block = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
        counts = _mm_sub_epi8(counts, _mm_cmpeq_epi8(block, newline));
        any_quote = _mm_or_si128(any_quote, _mm_cmpeq_epi8(block, quote));
        any_nul = _mm_or_si128(any_nul, _mm_cmpeq_epi8(block, zero));
      }
      const __m128i sums = _mm_sad_epu8(counts, zero);
      line_ends += static_cast<std::uint64_t>(_mm_cvtsi128_si64(sums)) +
                   static_cast<std::uint64_t>(_mm_cvtsi128_si64(_mm_unpackhi_epi64(sums, sums)));
    }
    quotes = _mm_movemask_epi8(any_quote) != 0;
    bool nul = _mm_movemask_epi8(any_nul) != 0;
#else
    bool nul = false;
#endif
    for (; i < n; ++i) {
      line_ends += p[i] == '\n';
      quotes |= p[i] == '"';
      nul |= p[i] == '\0';
    }
    chunk.line_ends = line_ends;
    chunk.has_quotes = quotes;
    if (nul) chunk.first_nul = chunk.text.find('\0');
    if (mapped != nullptr) mapped->release(chunk.text);
  });
  const bool quoted =
      std::any_of(chunks.begin(), chunks.end(), [](const CsvChunk& c) { return c.has_quotes; });
  if (quoted && chunks.size() > 1) {
    // A quoted field may hold a newline, so chunk borders may be wrong: parse in order.
    std::uint64_t line_ends = 0;
    std::size_t first_nul = std::string_view::npos;
    for (const CsvChunk& c : chunks) {
      if (first_nul == std::string_view::npos && c.first_nul != std::string_view::npos) {
        first_nul = static_cast<std::size_t>(c.text.data() - rows.data()) + c.first_nul;
      }
      line_ends += c.line_ends;
    }
    return {{rows, first_line, line_ends, true, first_nul}};
  }
  std::uint64_t line = first_line;
  for (CsvChunk& chunk : chunks) {
    chunk.first_line = line;
    line += chunk.line_ends;
  }
  return chunks;
}

void refuse_binary(const std::vector<CsvChunk>& chunks, std::string_view rows,
                   const std::string& display) {
  for (const CsvChunk& chunk : chunks) {
    if (chunk.first_nul == std::string_view::npos) continue;
    const std::string_view before = chunk.text.substr(0, chunk.first_nul);
    const auto line =
        chunk.first_line + static_cast<std::uint64_t>(std::count(before.begin(), before.end(), '\n'));
    const auto offset = static_cast<std::size_t>(chunk.text.data() - rows.data()) + chunk.first_nul;
    throw engine::input_error(
        display + ":" + std::to_string(line) + ": binary data (a NUL byte, " +
        std::to_string(offset) + " bytes into the rows after the header), not CSV text; is " +
        "it a compressed, database or spreadsheet file named .csv, or a copy cut short and " +
        "filled with zeros? Use the original text file");
  }
}

namespace {

// The encoding a byte-order mark or the NUL bytes of a wide-character header give away.
std::optional<std::string_view> wide_encoding(std::string_view text) {
  const auto starts = [&](std::string_view bom) { return text.substr(0, bom.size()) == bom; };
  // UTF-32 LE's mark begins with UTF-16 LE's, so test it first.
  if (starts(std::string_view("\xFF\xFE\0\0", 4))) return "UTF-32";
  if (starts(std::string_view("\0\0\xFE\xFF", 4))) return "UTF-32";
  if (starts("\xFF\xFE") || starts("\xFE\xFF")) return "UTF-16";
  // Without a mark: ASCII text saved as UTF-16 has a NUL byte in every other position, and a
  // text CSV has none at all.
  const std::string_view start = text.substr(0, 256);
  if (start.size() >= 4 && start.find('\0') != std::string_view::npos) {
    // ... whereas binary data (or zeros) has NULs in runs: UTF-16 has them in every other
    // byte only, UTF-32 in three bytes of four.
    std::size_t nul[4] = {0, 0, 0, 0};
    for (std::size_t i = 0; i < start.size(); ++i) nul[i % 4] += start[i] == '\0';
    const std::size_t quarter = start.size() / 4;
    const auto all = [&](std::size_t k) { return nul[k] * 10 >= quarter * 9; };
    const auto none = [&](std::size_t k) { return nul[k] * 10 <= quarter; };
    if ((all(0) && all(2) && none(1) && none(3)) || (all(1) && all(3) && none(0) && none(2)))
      return "UTF-16";
    const int full = all(0) + all(1) + all(2) + all(3);
    const int empty = none(0) + none(1) + none(2) + none(3);
    if (full == 3 && empty == 1) return "UTF-32";
    return "binary";
  }
  return std::nullopt;
}

}  // namespace

std::string_view csv_text(std::string_view bytes, const std::string& display) {
  const std::optional<std::string_view> encoding = wide_encoding(bytes);
  if (encoding == "binary") {
    const std::size_t at = bytes.find('\0');
    const auto line = 1 + std::count(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(at), '\n');
    throw engine::input_error(
        display + ":" + std::to_string(line) + ": binary data (a NUL byte, " + std::to_string(at) +
        " bytes into the file), not CSV text; is it a compressed, database or spreadsheet file "
        "named .csv, or a copy cut short and filled with zeros? Use the original text file");
  }
  if (encoding) {
    throw engine::input_error(display + " is " + std::string(*encoding) +
                              " (e.g. Excel's \"Unicode text\"); save it as UTF-8 (\"CSV "
                              "UTF-8\" in Excel, or iconv -f " +
                              std::string(*encoding) + " -t UTF-8)");
  }
  std::string_view text = bytes;
  if (text.substr(0, kUtf8Bom.size()) == kUtf8Bom) text.remove_prefix(kUtf8Bom.size());
  // Old Mac line ends (CR alone) make the whole file one line: its "header" would swallow
  // every row. A header is far shorter than 64 kB, so look there only.
  const std::string_view start = text.substr(0, 64 * 1024);
  if (start.find('\n') == std::string_view::npos && start.find('\r') != std::string_view::npos) {
    throw engine::input_error(display +
                              ": lines end with CR alone (old Mac line ends), so the file reads "
                              "as one line; convert them to LF or CRLF (e.g. tr '\\r' '\\n')");
  }
  return text;
}

namespace {

CsvFile read_header(InputBytes file, std::string display, std::string_view expected) {
  std::string_view text;
  try {
    text = csv_text(file.view(), display);
  } catch (const engine::Error&) {
    file.check_unchanged(display);  // zeros read past a truncation are not an encoding
    throw;
  }
  CsvCursor header_cursor(text, 1);
  CsvRow header_row;
  if (!header_cursor.next(header_row) || header_row.blank()) {
    throw engine::input_error(display + ": the file is empty; expected " + std::string(expected));
  }
  CsvHeader header(header_row);
  const std::string_view rows = text.substr(header_cursor.position());
  return {std::move(file), std::move(header), rows, header_cursor.line(), std::move(display)};
}

std::vector<CsvFile> open_all(const std::filesystem::path& path,
                              const std::optional<std::string>& member, const std::string& display,
                              std::string_view expected, bool allow_several) {
  std::vector<InputBytes> inputs = open_input_bytes(path, member, display, allow_several);
  std::vector<CsvFile> out;
  out.reserve(inputs.size());
  for (InputBytes& bytes : inputs) {
    std::string name = bytes.member() ? display + "/" + bytes.member()->name : display;
    out.push_back(read_header(std::move(bytes), std::move(name), expected));
    if (out.size() > 1 && out.back().header.names() != out.front().header.names()) {
      throw engine::input_error(fmt::format(
          "{}: its header ({}) differs from the first member's, {} ({}); the members matched "
          "by member = \"{}\" are read as one table: narrow the pattern to members of one "
          "layout",
          out.back().display, out.back().header.describe(), out.front().display,
          out.front().header.describe(), member.value_or("")));
    }
  }
  return out;
}

}  // namespace

std::vector<MemberRead> members_read(const std::vector<CsvFile>& files) {
  std::vector<MemberRead> out;
  for (const CsvFile& f : files) {
    if (f.file.member()) out.push_back(*f.file.member());
  }
  return out;
}

CsvFile open_csv_file(const std::filesystem::path& path, const std::optional<std::string>& member,
                      const std::string& display, std::string_view expected) {
  std::vector<CsvFile> files = open_all(path, member, display, expected, false);
  return std::move(files.front());
}

std::vector<CsvFile> open_csv_files(const std::filesystem::path& path,
                                    const std::optional<std::string>& member,
                                    const std::string& display, std::string_view expected) {
  return open_all(path, member, display, expected, true);
}

CsvHeader::CsvHeader(const CsvRow& row) {
  for (std::string_view f : row.fields) names_.emplace_back(trim(f));
}

std::optional<std::size_t> CsvHeader::find(std::string_view name) const {
  for (std::size_t i = 0; i < names_.size(); ++i)
    if (names_[i] == name) return i;
  std::optional<std::size_t> found;
  const std::string lower = ascii_lower(name);
  for (std::size_t i = 0; i < names_.size(); ++i) {
    if (ascii_lower(names_[i]) != lower) continue;
    if (found) return std::nullopt;  // ambiguous
    found = i;
  }
  return found;
}

std::vector<std::size_t> CsvHeader::candidates(std::string_view name) const {
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < names_.size(); ++i)
    if (names_[i] == name) out.push_back(i);
  if (!out.empty()) return out;
  const std::string lower = ascii_lower(name);
  for (std::size_t i = 0; i < names_.size(); ++i)
    if (ascii_lower(names_[i]) == lower) out.push_back(i);
  return out;
}

std::optional<std::size_t> CsvHeader::find_unambiguous(std::string_view name,
                                                       const std::string& display,
                                                       const std::string& study_key) const {
  const std::vector<std::size_t> found = candidates(name);
  if (found.empty()) return std::nullopt;
  if (found.size() == 1) return found.front();
  std::string positions;
  for (std::size_t k = 0; k < found.size(); ++k) {
    if (k > 0) positions += k + 1 == found.size() ? " and " : ", ";
    positions += std::to_string(found[k] + 1);
    if (names_[found[k]] != name) positions += " ('" + names_[found[k]] + "')";
  }
  throw engine::study_error(
      display + ": the header has " + std::to_string(found.size()) + " columns named '" +
      std::string(name) + "' (columns " + positions + ", counting from 1), so it is ambiguous which one " +
      study_key + " means; notspot does not guess: fix the header so that each name occurs once "
      "(e.g. rename the unwanted column), or name another, unique column in " + study_key);
}

std::vector<std::string> CsvHeader::duplicate_names() const {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < names_.size(); ++i) {
    if (std::find(out.begin(), out.end(), names_[i]) != out.end()) continue;
    if (std::find(names_.begin() + static_cast<std::ptrdiff_t>(i) + 1, names_.end(),
                  names_[i]) != names_.end()) {
      out.push_back(names_[i]);
    }
  }
  return out;
}

std::string CsvHeader::describe() const {
  std::string out;
  for (const std::string& n : names_) {
    if (!out.empty()) out += ", ";
    out += n.empty() ? "(empty)" : n;
  }
  return out;
}

std::optional<std::string> CsvHeader::closest(std::string_view name) const {
  return nearest_word(name, names_);
}

std::size_t CsvHeader::require(const std::string& name, const std::string& display,
                               const std::string& study_key) const {
  if (auto index = find_unambiguous(name, display, study_key)) return *index;
  std::string hint;
  if (auto nearest = closest(name)) hint = "; did you mean '" + *nearest + "'?";
  throw engine::study_error(display + ": no column '" + name + "' (" + study_key +
                            "); the header has: " + describe() + hint);
}

std::string csv_escape(std::string_view value) {
  if (value.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(value);
  std::string out = "\"";
  for (char c : value) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

std::string_view trim(std::string_view text) {
  const std::size_t b = text.find_first_not_of(" \t");
  if (b == std::string_view::npos) return {};
  const std::size_t e = text.find_last_not_of(" \t");
  return text.substr(b, e - b + 1);
}

namespace detail {

std::optional<double> parse_double_slow(std::string_view field) {
  field = trim(field);
  if (field.empty()) return std::nullopt;
  if (field.front() == '+') field.remove_prefix(1);
  double value = 0;
  const auto result = fast_float::from_chars(field.data(), field.data() + field.size(), value);
  if (result.ec != std::errc() || result.ptr != field.data() + field.size()) return std::nullopt;
  return value;
}

std::optional<std::uint64_t> parse_uint64_slow(std::string_view field) {
  field = trim(field);
  if (field.empty()) return std::nullopt;
  std::uint64_t value = 0;
  const auto result = std::from_chars(field.data(), field.data() + field.size(), value);
  if (result.ec != std::errc() || result.ptr != field.data() + field.size()) return std::nullopt;
  return value;
}

}  // namespace detail

std::string ascii_lower(std::string_view text) {
  std::string out(text);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

}  // namespace notspot::io
