#include "detail/stats_builder.hpp"

#include <cmath>

namespace notspot::study::detail {
namespace {

double percent_of(double part, double whole) {
  return whole > 0 ? 100.0 * part / whole : std::nan("");
}

// Builds one row: cells appended in the same order as the columns were declared.
class RowBuilder {
 public:
  explicit RowBuilder(std::vector<outputs::Cell>& row) : row_(row) {}
  void text(std::string s) { row_.emplace_back(std::move(s)); }
  void count(std::uint64_t n) { row_.emplace_back(n); }
  void number(double v) { row_.emplace_back(v); }
  void count_and_percent(std::uint64_t n, std::uint64_t of) {
    count(n);
    number(percent_of(static_cast<double>(n), static_cast<double>(of)));
  }

 private:
  std::vector<outputs::Cell>& row_;
};

std::string group_key(const MobileGroupResult& g) {
  return column_slug(g.technology) + "_" + column_slug(g.setting);
}

}  // namespace

std::string column_slug(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    const bool keep = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (keep) {
      out += c;
    } else if (!out.empty() && out.back() != '_') {
      out += '_';
    }
  }
  while (!out.empty() && out.back() == '_') out.pop_back();
  return out.empty() ? "x" : out;
}

outputs::StatsTable build_stats_table(const StudyFigures& f) {
  outputs::StatsTable table;
  // ---- columns ----
  table.add_column("level", outputs::ColumnKind::kText);
  table.add_column("area_id", outputs::ColumnKind::kText);
  table.add_column("area_name", outputs::ColumnKind::kText);
  table.add_column("premises", outputs::ColumnKind::kCount);
  for (const engine::IndicatorInfo& info : engine::indicator_catalogue()) {
    table.add_column(std::string(info.column), outputs::ColumnKind::kCount);
    table.add_column(std::string(info.column) + "_pct", outputs::ColumnKind::kPercent);
  }
  const bool with_land = f.mobile != nullptr && !f.mobile->groups.empty();
  if (with_land) table.add_column("land_km2", outputs::ColumnKind::kArea);
  if (f.estimates) {
    table.add_column("est_premises", outputs::ColumnKind::kCount);
    for (const engine::EstimateInfo& info : engine::estimate_catalogue()) {
      if (!f.estimate_measures[static_cast<std::size_t>(info.estimate)]) continue;
      table.add_column(std::string(info.column), outputs::ColumnKind::kEstimate);
      table.add_column(std::string(info.column) + "_pct", outputs::ColumnKind::kPercent);
    }
  }
  if (f.mobile != nullptr) {
    for (const MobileGroupResult& g : f.mobile->groups) {
      const std::string prefix = "mob_" + group_key(g) + "_";
      std::vector<std::string> names;
      for (const std::string& op : g.operators) names.push_back(column_slug(op));
      for (const char* combo : {"any", "all", "none", "partial"}) names.emplace_back(combo);
      for (const std::string& n : names) {
        table.add_column(prefix + n, outputs::ColumnKind::kCount);
        table.add_column(prefix + n + "_pct", outputs::ColumnKind::kPercent);
      }
    }
    for (const MobileGroupResult& g : f.mobile->groups) {
      if (g.land.empty()) continue;
      const std::string prefix = "land_" + group_key(g) + "_";
      for (const std::string& op : g.operators) {
        table.add_column(prefix + column_slug(op) + "_pct", outputs::ColumnKind::kPercent);
      }
      for (const char* combo : {"any", "all", "none"}) {
        table.add_column(prefix + combo + "_pct", outputs::ColumnKind::kPercent);
      }
    }
  }
  if (f.excluded) {
    table.add_column("digitally_excluded", outputs::ColumnKind::kCount);
    table.add_column("digitally_excluded_pct", outputs::ColumnKind::kPercent);
  }

  // ---- rows: each area, then the study (sums of the areas) ----
  const std::size_t n = f.areas.size();
  auto emit = [&](bool study_row, std::size_t a) {
    std::vector<outputs::Cell> cells;
    RowBuilder row(cells);
    auto over_areas = [&](auto&& value) {
      if (!study_row) return value(a);
      decltype(value(0)) sum{};
      for (std::size_t i = 0; i < n; ++i) sum += value(i);
      return sum;
    };
    row.text(study_row ? "study" : "area");
    row.text(study_row ? "" : f.areas[a].id);
    row.text(study_row ? f.study_name : f.areas[a].name);
    engine::AreaCounts fixed = over_areas([&](std::size_t i) { return f.fixed[i]; });
    row.count(fixed.premises);
    for (std::size_t k = 0; k < engine::kIndicatorCount; ++k) {
      row.count_and_percent(fixed.counts[k], fixed.premises);
    }
    if (with_land) {
      row.number(f.land_km2.empty() ? std::nan("")
                                    : over_areas([&](std::size_t i) { return f.land_km2[i]; }));
    }
    if (f.estimates) {
      const engine::AreaEstimates e = over_areas([&](std::size_t i) { return (*f.estimates)[i]; });
      row.count(e.premises);
      for (const engine::EstimateInfo& info : engine::estimate_catalogue()) {
        if (!f.estimate_measures[static_cast<std::size_t>(info.estimate)]) continue;
        row.number(e.value(info.estimate));
        row.number(percent_of(e.value(info.estimate), static_cast<double>(e.premises)));
      }
    }
    if (f.mobile != nullptr) {
      for (const MobileGroupResult& g : f.mobile->groups) {
        const engine::GroupPremisesCounts c =
            over_areas([&](std::size_t i) { return g.premises[i]; });
        for (std::uint64_t v : c.by_operator) row.count_and_percent(v, fixed.premises);
        for (std::uint64_t v : {c.any, c.all, c.none, c.partial}) {
          row.count_and_percent(v, fixed.premises);
        }
      }
      for (const MobileGroupResult& g : f.mobile->groups) {
        if (g.land.empty()) continue;
        const engine::GroupAreaCoverage l = over_areas([&](std::size_t i) { return g.land[i]; });
        for (double v : l.by_operator) row.number(percent_of(v, l.area));
        row.number(percent_of(l.any, l.area));
        row.number(percent_of(l.all, l.area));
        row.number(percent_of(std::max(0.0, l.area - l.any), l.area));
      }
    }
    if (f.excluded) {
      row.count_and_percent(over_areas([&](std::size_t i) { return (*f.excluded)[i]; }),
                            fixed.premises);
    }
    table.rows.push_back(std::move(cells));
  };
  for (std::size_t a = 0; a < n; ++a) emit(false, a);
  emit(true, 0);
  return table;
}

}  // namespace notspot::study::detail
