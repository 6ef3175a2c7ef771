#include "detail/stats_builder.hpp"

#include <algorithm>
#include <cmath>

#include "notspot/engine/error.hpp"

namespace notspot::study::detail {
namespace {

using outputs::Cell;
using outputs::ColumnFamily;
using outputs::ColumnKind;
using outputs::ColumnSpec;
using outputs::Coverage;

double percent_of(double part, double whole) {
  return whole > 0 ? 100.0 * part / whole : std::nan("");
}

// One row's figures, of an area or summed over the areas for the study row.
struct RowFigures {
  engine::AreaCounts fixed;
  double land_km2 = std::nan("");
  engine::AreaEstimates estimates;
  std::vector<engine::GroupPremisesCounts> premises;  // per mobile group
  std::vector<engine::GroupAreaCoverage> land;        // per mobile group; empty without shares
  std::uint64_t excluded = 0;
};

RowFigures row_figures(const StudyFigures& f, bool study_row, std::size_t a) {
  const std::size_t n = f.areas.size();
  // Sums in area order, so that the study row's reals do not depend on anything else.
  auto over_areas = [&](auto&& value) {
    if (!study_row) return value(a);
    decltype(value(0)) sum{};
    for (std::size_t i = 0; i < n; ++i) sum += value(i);
    return sum;
  };
  RowFigures r;
  r.fixed = over_areas([&](std::size_t i) { return f.fixed[i]; });
  if (!f.land_km2.empty()) r.land_km2 = over_areas([&](std::size_t i) { return f.land_km2[i]; });
  if (f.estimates) r.estimates = over_areas([&](std::size_t i) { return (*f.estimates)[i]; });
  if (f.mobile != nullptr) {
    for (const MobileGroupResult& g : f.mobile->groups) {
      r.premises.push_back(over_areas([&](std::size_t i) { return g.premises[i]; }));
      r.land.push_back(g.land.empty() ? engine::GroupAreaCoverage{}
                                      : over_areas([&](std::size_t i) { return g.land[i]; }));
    }
  }
  if (f.excluded) r.excluded = over_areas([&](std::size_t i) { return (*f.excluded)[i]; });
  return r;
}

std::uint64_t premises_covered(const engine::GroupPremisesCounts& c,
                               const outputs::MobileSubject& s) {
  switch (s.coverage) {
    case Coverage::kOperator:
      return c.by_operator[s.operator_index];
    case Coverage::kAny:
      return c.any;
    case Coverage::kAll:
      return c.all;
    case Coverage::kNone:
      return c.none;
    case Coverage::kPartial:
      return c.partial;
  }
  return 0;
}

double land_covered(const engine::GroupAreaCoverage& l, const outputs::MobileSubject& s) {
  switch (s.coverage) {
    case Coverage::kOperator:
      return l.by_operator[s.operator_index];
    case Coverage::kAny:
      return l.any;
    case Coverage::kAll:
      return l.all;
    case Coverage::kNone:
      return std::max(0.0, l.area - l.any);
    case Coverage::kPartial:
      break;
  }
  throw engine::internal_error("a land share of partial coverage; please report this");
}

// A count column's cell, or its percentage of `base`.
Cell count_cell(const ColumnSpec& c, std::uint64_t n, std::uint64_t base) {
  if (c.kind == ColumnKind::kPercent) {
    return percent_of(static_cast<double>(n), static_cast<double>(base));
  }
  return n;
}

// The cell of one column, from what the column says it measures.
Cell cell_of(const ColumnSpec& c, const RowFigures& r) {
  if (!c.measured) return {};  // null, never a measured zero
  const std::uint64_t premises = r.fixed.premises;
  switch (c.family) {
    case ColumnFamily::kIdentity:
      return {};  // filled by the caller
    case ColumnFamily::kPremises:
      return premises;
    case ColumnFamily::kFixedIndicator:
      return count_cell(c, r.fixed.count(*c.indicator), premises);
    case ColumnFamily::kLandArea:
      return r.land_km2;
    case ColumnFamily::kEstimateBase:
      return r.estimates.premises;
    case ColumnFamily::kEstimate: {
      const double value = r.estimates.value(*c.estimate);
      if (c.kind != ColumnKind::kPercent) return value;
      return percent_of(value, static_cast<double>(r.estimates.premises));
    }
    case ColumnFamily::kMobilePremises:
      return count_cell(c, premises_covered(r.premises[c.mobile->group], *c.mobile), premises);
    case ColumnFamily::kMobileLandShare: {
      const engine::GroupAreaCoverage& l = r.land[c.mobile->group];
      return percent_of(land_covered(l, *c.mobile), l.area);
    }
    case ColumnFamily::kDigitalExclusion:
      return count_cell(c, r.excluded, premises);
    case ColumnFamily::kPremiseSource:
      break;  // premises table only
  }
  throw engine::internal_error("column " + c.name + " has no value; please report this");
}

}  // namespace

outputs::CatalogueOptions catalogue_options(const StudyFigures& f) {
  outputs::CatalogueOptions options;
  options.thresholds = f.thresholds;
  options.land_area = f.mobile != nullptr && !f.mobile->groups.empty();
  options.estimates = f.estimates.has_value();
  options.estimate_measures = f.estimate_measures;
  options.layer_kinds = f.layer_kinds;
  if (f.mobile != nullptr) {
    for (const MobileGroupResult& g : f.mobile->groups) {
      options.mobile_groups.push_back({g.technology, g.setting, g.operators, !g.land.empty()});
    }
  }
  if (f.excluded) {
    options.exclusion_technology = f.digital_exclusion.mobile_technology;
    options.exclusion_setting = f.digital_exclusion.mobile_setting;
  }
  return options;
}

outputs::ColumnCatalogue stats_columns(const StudyFigures& f) {
  return outputs::ColumnCatalogue(catalogue_options(f));
}

outputs::StatsTable build_stats_table(const StudyFigures& f) {
  outputs::StatsTable table;
  table.columns = stats_columns(f);
  const auto level = table.columns.find("level");
  const auto id = table.columns.find("area_id");
  const auto name = table.columns.find("area_name");
  auto emit = [&](bool study_row, std::size_t a) {
    const RowFigures figures = row_figures(f, study_row, a);
    std::vector<Cell> cells;
    cells.reserve(table.columns.size());
    for (const ColumnSpec& c : table.columns) cells.push_back(cell_of(c, figures));
    cells[*level] = std::string(study_row ? "study" : "area");
    cells[*id] = study_row ? std::string() : f.areas[a].id;
    cells[*name] = study_row ? f.study_name : f.areas[a].name;
    table.rows.push_back(std::move(cells));
  };
  for (std::size_t a = 0; a < f.areas.size(); ++a) emit(false, a);
  emit(true, 0);
  return table;
}

}  // namespace notspot::study::detail
