#include "detail/run_description.hpp"

#include <fmt/format.h>

namespace notspot::study::detail {

RunDescription describe_run(const Study& study, const std::string& areas_file,
                            const std::string& premises_file, std::span<const io::LayerLoad> layers,
                            std::span<const io::PostcodeLayerLoad> postcode_layers,
                            const MobileResults& mobile) {
  RunDescription out;
  const engine::Thresholds& t = study.thresholds;
  std::string fibre;
  for (const std::string& technology : t.full_fibre_technologies)
    fibre += (fibre.empty() ? "" : ", ") + technology;
  out.thresholds = {
      {"Gigabit-capable: download at least (Mbit/s)", fmt::format("{:g}", t.gigabit_mbps)},
      {"Ultrafast: download at least (Mbit/s)", fmt::format("{:g}", t.ultrafast_mbps)},
      {"Superfast: download at least (Mbit/s)", fmt::format("{:g}", t.superfast_mbps)},
      {"Decent broadband (USO): download at least (Mbit/s)",
       fmt::format("{:g}", t.decent_down_mbps)},
      {"Decent broadband (USO): upload at least (Mbit/s)", fmt::format("{:g}", t.decent_up_mbps)},
      {"Full fibre technologies", fibre},
  };
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
