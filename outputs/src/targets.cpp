#include "notspot/outputs/targets.hpp"

#include <array>

namespace notspot::outputs {
namespace {

using enum Direction;

constexpr std::array<Target, 8> kTargets{{
    {"gigabit_pct", 85, kHigherIsBetter, "2025", "Project Gigabit",
     "gigabit-capable broadband for at least 85% of UK premises by 2025", true, true},
    {"gigabit_pct", 99, kHigherIsBetter, "2030", "Project Gigabit",
     "nationwide gigabit-capable broadband, taken as 99% of premises, by 2030", true, true},
    {"superfast_pct", 95, kHigherIsBetter, "", "National superfast target",
     "superfast broadband for 95% of UK premises, reached nationally at the end of 2017", true,
     true},
    {"decent_pct", 99, kHigherIsBetter, "", "Local marker",
     "decent broadband for 99% of premises: beyond it, the premises left are individual USO "
     "cases",
     false, true},
    {"decent_pct", 100, kHigherIsBetter, "", "Universal Service Obligation",
     "decent broadband is a legal right for every premise", true, false},
    {"below_uso", 1, kLowerIsBetter, "", "Universal Service Obligation",
     "no premise below the USO: each can request a USO connection", true, false},
    {"land_4g_outdoor_any_pct", 95, kHigherIsBetter, "2025", "Shared Rural Network",
     "4G from at least one operator across 95% of the UK's landmass by the end of 2025", true,
     true},
    {"mob_4g_indoor_none_pct", 5, kLowerIsBetter, "", "Local marker",
     "4G indoor not-spots (no operator) at under 5% of premises", false, true},
}};

}  // namespace

bool Target::met(double value) const {
  return direction == kLowerIsBetter ? value < level : value >= level;
}

std::string Target::describe() const {
  return std::string(commitment) + " (" + std::string(programme) + ")";
}

std::span<const Target> targets() {
  return kTargets;
}

std::vector<Target> targets_for(std::string_view column) {
  std::vector<Target> out;
  for (const Target& t : kTargets) {
    if (t.column == column) out.push_back(t);
  }
  return out;
}

}  // namespace notspot::outputs
