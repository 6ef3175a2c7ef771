#include "notspot/io/problem_log.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <iterator>

namespace notspot::io {

namespace {

// The length of the well-formed UTF-8 sequence at the start of `s`, or 0 when its first byte
// does not start one (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF).
std::size_t utf8_sequence_length(std::string_view s) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(s[i]); };
  const unsigned char lead = byte(0);
  if (lead < 0x80) return 1;
  std::size_t length = 0;
  unsigned char low = 0x80, high = 0xBF;  // the range of the second byte
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) low = 0xA0;
    if (lead == 0xED) high = 0x9F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) low = 0x90;
    if (lead == 0xF4) high = 0x8F;
  } else {
    return 0;
  }
  if (s.size() < length || byte(1) < low || byte(1) > high) return 0;
  for (std::size_t i = 2; i < length; ++i) {
    if (byte(i) < 0x80 || byte(i) > 0xBF) return 0;
  }
  return length;
}

}  // namespace

bool escape_invalid_utf8(std::string& text) {
  std::size_t i = 0;
  while (i < text.size()) {
    const std::size_t n = utf8_sequence_length(std::string_view(text).substr(i));
    if (n == 0) break;
    i += n;
  }
  if (i == text.size()) return false;  // the common case: nothing to copy
  std::string out(text, 0, i);
  while (i < text.size()) {
    const std::size_t n = utf8_sequence_length(std::string_view(text).substr(i));
    if (n == 0) {
      out += fmt::format("\\x{:02X}", static_cast<unsigned char>(text[i]));
      ++i;
    } else {
      out.append(text, i, n);
      i += n;
    }
  }
  text = std::move(out);
  return true;
}

std::string excerpt(std::string_view text, std::size_t max) {
  if (text.size() <= max) return std::string(text);
  // Cut before a character, not inside one, so a long valid row stays valid UTF-8.
  std::size_t cut = max;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return fmt::format("{} [cut: {} bytes]", text.substr(0, cut), text.size() - cut);
}

void ProblemLog::reject(RejectedRow row) {
  // Records cut already (ProblemLog::record()) carry a marker of at most 32 bytes.
  if (row.record.size() > kMaxRecordBytes + 32) row.record = excerpt(row.record, kMaxRecordBytes);
  if (row.reason.size() > kMaxReasonBytes) row.reason = excerpt(row.reason, kMaxReasonBytes);
  const bool bad_record = escape_invalid_utf8(row.record);
  const bool bad_reason = escape_invalid_utf8(row.reason);
  if (bad_record || bad_reason) {
    row.reason += "; the row is not valid UTF-8 (bytes shown as \\xNN): save the file as UTF-8";
  }
  rejected_.push_back(std::move(row));
}

void ProblemLog::warn(std::string source, std::string message) {
  escape_invalid_utf8(source);
  escape_invalid_utf8(message);
  warnings_.push_back({std::move(source), std::move(message)});
}

void ProblemLog::append(ProblemLog&& other) {
  std::move(other.rejected_.begin(), other.rejected_.end(), std::back_inserter(rejected_));
  std::move(other.warnings_.begin(), other.warnings_.end(), std::back_inserter(warnings_));
  other.rejected_.clear();
  other.warnings_.clear();
}

std::uint64_t ProblemLog::rejected_count(std::string_view source) const {
  return static_cast<std::uint64_t>(
      std::count_if(rejected_.begin(), rejected_.end(),
                    [&](const RejectedRow& r) { return r.source == source; }));
}

}  // namespace notspot::io
