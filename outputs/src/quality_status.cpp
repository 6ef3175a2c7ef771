// The one wording of a run's quality status: the report's banner, the workbook's Summary and
// the GeoPackage's metadata all say what this file says.

#include "notspot/outputs/quality_status.hpp"

#include <fmt/format.h>

#include <string_view>
#include <utility>

namespace notspot::outputs {
namespace {

// "max_unmatched_share (speeds)" -> {"max_unmatched_share", "speeds"}.
std::pair<std::string_view, std::string_view> split_name(std::string_view name) {
  const std::size_t open = name.find(" (");
  if (open == std::string_view::npos || name.back() != ')') return {name, {}};
  return {name.substr(0, open), name.substr(open + 2, name.size() - open - 3)};
}

// What the check measured and what a failure means, without the check's name.
std::string meaning(std::string_view key, std::string_view layer, const QualityCheck& q) {
  const std::string v = share_text(q.value);
  const std::string limit = share_text(q.limit);
  if (key == "max_rejected_share") {
    return fmt::format(
        "{} of the premises rows read were rejected (limit {}): those premises are left out of "
        "every figure, so counts are too low; rejected.csv gives each row's reason",
        v, limit);
  }
  if (key == "max_outside_share") {
    return fmt::format(
        "{} of the premises read were outside every area (limit {}): figures may be missing "
        "premises; check the premises' CRS and the areas' coverage",
        v, limit);
  }
  if (key == "max_no_data_share") {
    return fmt::format(
        "{} of the premises in the areas have no fixed-broadband row in any layer (limit {}): "
        "they count as not meeting any speed threshold, so coverage figures may be too low; "
        "check that the broadband layers are for this study's area and the premises' vintage",
        v, limit);
  }
  if (key == "max_unmatched_share") {
    return fmt::format(
        "{} of the usable rows of layer {} match no premise (limit {}): the layer may be for "
        "another area or vintage, so premises may lack its data and its figures be too low",
        v, layer.empty() ? std::string_view("?") : layer, limit);
  }
  if (key == "premises_assigned") {
    return fmt::format(
        "no premise read is inside any area ({} assigned; checked in every run, no limit "
        "relaxes it): every figure is zero and must not be used",
        v);
  }
  if (key == "premises_coordinates") {
    return fmt::format(
        "the premises' coordinates look like those of another CRS, or swapped ({} outside "
        "every area; checked in every run, no limit relaxes it): the figures are wrong",
        v);
  }
  if (q.always) {
    return fmt::format("measured {} (checked in every run): the figures may be wrong", v);
  }
  return fmt::format("measured {} (limit {}): the figures may be wrong", v, limit);
}

}  // namespace

std::string share_text(double share) {
  const double pct = 100 * share;
  if (!(pct > 0)) return "0%";  // also NaN: nothing was measured
  if (pct < 0.01) return "under 0.01%";
  return fmt::format("{:.3g}%", pct);
}

std::string failed_check_sentence(const QualityCheck& check) {
  const auto [key, layer] = split_name(check.name);
  std::string sentence = check.name + ": " + meaning(key, layer, check) + ".";
  if (!check.explanation.empty()) sentence += " In detail: " + check.explanation;
  return sentence;
}

QualityStatus quality_status(std::span<const QualityCheck> checks) {
  QualityStatus status;
  std::string names;
  for (const QualityCheck& q : checks) {
    if (q.passed) continue;
    status.passed = false;
    if (!names.empty()) names += ", ";
    names += q.name;
    status.failures.push_back({q.name, failed_check_sentence(q)});
  }
  if (status.passed) {
    status.line = fmt::format("Data quality: passed, {} check{}", checks.size(),
                              checks.size() == 1 ? "" : "s");
  } else {
    status.line = fmt::format(
        "Data quality: FAILED: {} of {} checks failed ({}); do not use these figures until "
        "the data is fixed",
        status.failures.size(), checks.size(), names);
  }
  return status;
}

}  // namespace notspot::outputs
