#include "summary_figures.hpp"

#include <cmath>

namespace notspot::cli {
namespace {

std::string lower(std::string s) {
  for (char& c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return s;
}

const outputs::Cell* study_cell(const outputs::StatsTable& table, const std::string& column) {
  for (std::size_t i = 0; i < table.columns.size(); ++i) {
    if (table.columns[i].name == column) return &table.rows.back()[i];
  }
  return nullptr;
}

double number(const outputs::Cell* cell) {
  if (cell == nullptr) return std::nan("");
  if (const auto* n = std::get_if<std::uint64_t>(cell)) return static_cast<double>(*n);
  if (const auto* v = std::get_if<double>(cell)) return *v;
  return std::nan("");
}

}  // namespace

std::vector<SummaryFigure> mobile_summary(const outputs::RunRecord& r) {
  std::vector<SummaryFigure> out;
  if (r.table.rows.empty()) return out;
  for (const outputs::MobileGroupRecord& g : r.mobile_groups) {
    const std::string name = g.technology + " " + g.setting;
    const std::string stem = lower(g.technology) + "_" + lower(g.setting);
    for (const auto& [who, label] :
         {std::pair{"none", ": no operator (not-spot)"}, std::pair{"all", ": all operators"}}) {
      const std::string column = "mob_" + stem + "_" + who;
      const double n = number(study_cell(r.table, column));
      out.push_back({name + label, static_cast<std::uint64_t>(n),
                     number(study_cell(r.table, column + "_pct"))});
    }
    const double land = number(study_cell(r.table, "land_" + stem + "_all_pct"));
    if (g.land_method && !std::isnan(land)) {
      out.push_back({name + ": land, all operators", std::nullopt, land});
    }
  }
  if (r.digital_exclusion.computed) {
    out.push_back({"Digitally excluded",
                   static_cast<std::uint64_t>(number(study_cell(r.table, "digitally_excluded"))),
                   number(study_cell(r.table, "digitally_excluded_pct"))});
  }
  return out;
}

}  // namespace notspot::cli
