#include "detail/measure_labels.hpp"

#include <utility>

#include "notspot/engine/indicators.hpp"

namespace notspot::outputs::detail {

std::optional<std::string> measure_label(std::string_view stem) {
  static constexpr std::pair<std::string_view, std::string_view> kLabels[] = {
      {"gigabit", "Gigabit-capable"},
      {"ultrafast", "Ultrafast"},
      {"superfast", "Superfast"},
      {"decent", "Decent broadband (USO)"},
      {"below_uso", "Below the USO"},
      {"full_fibre", "Full fibre"},
      {"bduk_white", "BDUK Gigabit White"},
      {"bduk_grey_black", "BDUK Gigabit Grey/Black"},
      {"bduk_under_review", "BDUK Gigabit Under Review"},
      {"no_data", "No fixed-broadband data"},
      {"unable_10mbps", "Unable to receive 10 Mbit/s"},
      {"digitally_excluded", "Digitally excluded"},
  };
  for (const auto& [name, label] : kLabels) {
    if (name == stem) return std::string(label);
  }
  // An indicator added to the engine's catalogue later: its definition starts "Label: ...".
  for (const engine::IndicatorInfo& info : engine::indicator_catalogue()) {
    if (info.column != stem) continue;
    const std::size_t colon = info.definition.find(':');
    if (colon != std::string_view::npos && colon < 40) {
      return std::string(info.definition.substr(0, colon));
    }
  }
  return std::nullopt;
}

}  // namespace notspot::outputs::detail
