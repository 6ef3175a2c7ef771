#include "detail/run_description.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "notspot/engine/indicators.hpp"

namespace notspot::outputs::detail {
namespace {

std::string describe_file(const RunRecord& r, const InputRecord& input) {
  if (input.role == "areas") {
    const auto& vintage = r.study.boundary_vintage;
    return "Areas: " + input.file + (vintage ? " (" + *vintage + ")" : "");
  }
  if (input.role == "premises") return "Premises: " + input.file;
  if (input.role == "places") return "Map labels (places): " + input.file;
  const auto mobile =
      std::find_if(r.mobile_layers.begin(), r.mobile_layers.end(),
                   [&](const MobileLayerRecord& m) { return m.name == input.name; });
  if (mobile == r.mobile_layers.end()) {
    return fmt::format("{} layer '{}': {}", input.kind, input.name, input.file);
  }
  return fmt::format("mobile {} layer '{}' ({}, {} {}): {}", mobile->kind, mobile->name,
                     mobile->operator_name, mobile->technology, mobile->setting, mobile->file);
}

// The source, and the features `where` selected from it when it has a filter.
std::string describe_source(const RunRecord& r, const InputRecord& input) {
  std::string out = describe_file(r, input);
  if (input.filter) {
    out += fmt::format(", where {} ({} of {} features)", input.filter->clause,
                       input.filter->features_selected, input.filter->features_in_layer);
  }
  return out;
}

}  // namespace

RunDescription describe_run(const RunRecord& r) {
  RunDescription out;
  const engine::Thresholds& t = r.thresholds;
  std::string fibre;
  for (const std::string& technology : t.full_fibre_technologies)
    fibre += (fibre.empty() ? "" : ", ") + technology;
  for (const engine::SpeedThreshold& speed : engine::speed_thresholds())
    out.thresholds.emplace_back(speed.label, fmt::format("{:g}", t.*speed.value));
  out.thresholds.emplace_back("Full fibre technologies", fibre);
  for (const InputRecord& input : r.inputs) out.sources.push_back(describe_source(r, input));
  out.sources.push_back(
      "Every input with its SHA-256 digest, and the row ledger, are listed in manifest.json.");
  out.sources.insert(out.sources.end(), r.study.attribution.begin(), r.study.attribution.end());
  return out;
}

}  // namespace notspot::outputs::detail
