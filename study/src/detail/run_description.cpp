#include "detail/run_description.hpp"

#include <fmt/format.h>

#include "notspot/engine/indicators.hpp"

namespace notspot::study::detail {

RunDescription describe_run(const Study& study, const std::string& areas_file,
                            const std::string& premises_file, std::span<const io::LayerLoad> layers,
                            std::span<const io::PostcodeLayerLoad> postcode_layers,
                            const MobileResults& mobile, bool exclusion_computed) {
  RunDescription out;
  const engine::Thresholds& t = study.thresholds;
  std::string fibre;
  for (const std::string& technology : t.full_fibre_technologies)
    fibre += (fibre.empty() ? "" : ", ") + technology;
  for (const engine::SpeedThreshold& speed : engine::speed_thresholds())
    out.thresholds.emplace_back(speed.label, fmt::format("{:g}", t.*speed.value));
  out.thresholds.emplace_back("Full fibre technologies", fibre);
  for (const engine::IndicatorInfo& i : engine::indicator_catalogue())
    out.definitions[std::string(i.column)] = std::string(i.definition);
  if (exclusion_computed) {
    out.definitions["digitally_excluded"] = fmt::format(
        "Premises below the USO (known speed) and with no {} {} coverage from any operator.",
        study.digital_exclusion.mobile_technology, study.digital_exclusion.mobile_setting);
  }
  out.sources.push_back("Areas: " + areas_file +
                        (study.boundary_vintage ? " (" + *study.boundary_vintage + ")" : ""));
  out.sources.push_back("Premises: " + premises_file);
  for (const io::LayerLoad& l : layers)
    out.sources.push_back(fmt::format("{} layer '{}': {}", l.kind, l.name, l.file));
  for (const io::PostcodeLayerLoad& p : postcode_layers)
    out.sources.push_back(fmt::format("ofcom-postcode layer '{}': {}", p.name, p.file));
  for (const MobileLayerLedger& m : mobile.layers) {
    out.sources.push_back(fmt::format("mobile {} layer '{}' ({}, {} {}): {}", m.kind, m.name,
                                      m.operator_name, m.technology, m.setting, m.file));
  }
  out.sources.push_back(
      "Every input with its SHA-256 digest, and the row ledger, are listed in manifest.json.");
  out.sources.insert(out.sources.end(), study.attribution.begin(), study.attribution.end());
  return out;
}

}  // namespace notspot::study::detail
