#include "notspot/io/problem_log.hpp"

#include <algorithm>
#include <iterator>

namespace notspot::io {

void ProblemLog::reject(RejectedRow row) {
  if (row.record.size() > kMaxRecordBytes) {
    row.record.resize(kMaxRecordBytes);
    row.record += "...";
  }
  rejected_.push_back(std::move(row));
}

void ProblemLog::warn(std::string source, std::string message) {
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
