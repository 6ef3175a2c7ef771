#include "notspot/outputs/run_record.hpp"

#include <algorithm>
#include <array>

namespace notspot::outputs {
namespace {

constexpr std::array<QualityLimitField, 4> kQualityLimitFields = {{
    {"max_rejected_share", &QualityLimits::max_rejected_share},
    {"max_outside_share", &QualityLimits::max_outside_share},
    {"max_no_data_share", &QualityLimits::max_no_data_share},
    {"max_unmatched_share", &QualityLimits::max_unmatched_share},
}};

}  // namespace

std::span<const QualityLimitField, 4> quality_limit_fields() {
  return kQualityLimitFields;
}

bool RunRecord::quality_passed() const {
  return std::all_of(quality.begin(), quality.end(),
                     [](const QualityCheck& q) { return q.passed; });
}

}  // namespace notspot::outputs
