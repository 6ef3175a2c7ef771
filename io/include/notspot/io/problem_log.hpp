#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace notspot::io {

/// An input row or feature that could not be used, and why. Written to rejected.csv.
struct RejectedRow {
  std::string source;                   ///< "premises", or the name of an attribute layer.
  std::string file;                     ///< The file as the study names it.
  std::uint64_t line = 0;               ///< CSV line (1-based), 0 when not a CSV row.
  std::optional<std::int64_t> feature;  ///< OGR feature id, when not a CSV row.
  std::string reason;                   ///< What is wrong and what to do, in one sentence.
  std::string record;                   ///< The raw row (truncated), to find it quickly.
};

/**
 * Replaces, in place, each byte of `text` that is not part of well-formed UTF-8 with the four
 * characters "\xNN", so that files and messages quoting input (rejected.csv, the manifest, the
 * report) stay valid UTF-8 for pandas and Excel whatever the input held.
 * @return whether anything was replaced.
 */
bool escape_invalid_utf8(std::string& text);

/**
 * At most `max` bytes of `text` (cut between characters, not inside one) and, when cut,
 * " [cut: N bytes]" saying how many were left out: what problem records quote of a row or a
 * field, so that a 2 GB line costs a kilobyte, not a copy of itself.
 */
std::string excerpt(std::string_view text, std::size_t max);

/// A problem that does not stop the run (a repaired polygon, merged areas, duplicate ids...).
struct Warning {
  std::string source;
  std::string message;
};

/**
 * Collects data problems: rejected rows and warnings. Problems are reported and counted,
 * never dropped silently; the manifest and rejected.csv show them all. Text quoted from the
 * input is kept valid UTF-8 (escape_invalid_utf8), and a rejected row's reason says when it
 * was not.
 *
 * Not thread-safe: parallel readers collect into their own logs and append() them in input
 * order, which keeps outputs identical whatever the number of threads.
 */
class ProblemLog {
 public:
  /// Rows longer than this are cut in `record` (excerpt()).
  static constexpr std::size_t kMaxRecordBytes = 1024;
  /// Reasons longer than this (quoting a huge field) are cut likewise.
  static constexpr std::size_t kMaxReasonBytes = 2048;
  /// What a reason quotes of one field: field() cuts it to this.
  static constexpr std::size_t kMaxFieldBytes = 200;

  /// `value` cut for quoting in a reason (excerpt() to kMaxFieldBytes).
  static std::string field(std::string_view value) { return excerpt(value, kMaxFieldBytes); }
  /// A raw row cut for `record` (excerpt() to kMaxRecordBytes).
  static std::string record(std::string_view raw) { return excerpt(raw, kMaxRecordBytes); }

  void reject(RejectedRow row);
  void warn(std::string source, std::string message);
  void append(ProblemLog&& other);

  const std::vector<RejectedRow>& rejected() const { return rejected_; }
  const std::vector<Warning>& warnings() const { return warnings_; }
  std::uint64_t rejected_count(std::string_view source) const;

 private:
  std::vector<RejectedRow> rejected_;
  std::vector<Warning> warnings_;
};

}  // namespace notspot::io
