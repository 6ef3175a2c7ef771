#include "notspot/outputs/column_catalogue.hpp"

#include <fmt/format.h>

#include <utility>

#include "notspot/engine/error.hpp"

namespace notspot::outputs {
namespace {

constexpr const char* kNeverEmpty = "Never empty.";
constexpr const char* kNoPremises = "The area has no premises, so there is no percentage.";

// "1000", "24", "0.5": a threshold as people write it.
std::string mbps(double v) {
  return fmt::format("{:g}", v);
}

// "FTTP", "FTTP or FTTH", "FTTP, FTTH or G.fast".
std::string listed(const std::vector<std::string>& items, const char* last_separator) {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += i + 1 == items.size() ? last_separator : ", ";
    out += items[i];
  }
  return out;
}

// The parts of a fixed indicator's or an estimate's description that differ by measure.
struct MeasureText {
  std::string measure;
  std::string definition;
  Direction direction;
  bool summary;
};

MeasureText indicator_text(engine::Indicator indicator, const engine::Thresholds& t) {
  const std::string down = mbps(t.decent_down_mbps);
  const std::string up = mbps(t.decent_up_mbps);
  using enum engine::Indicator;
  using enum Direction;
  switch (indicator) {
    case kGigabit:
      return {"Gigabit-capable (>= " + mbps(t.gigabit_mbps) + " Mbit/s)",
              "Premises with a download speed of at least " + mbps(t.gigabit_mbps) +
                  " Mbit/s, or that BDUK records as gigabit-capable (current_gigabit = true).",
              kHigherIsBetter, true};
    case kUltrafast:
      return {"Ultrafast (>= " + mbps(t.ultrafast_mbps) + " Mbit/s)",
              "Premises with a download speed of at least " + mbps(t.ultrafast_mbps) +
                  " Mbit/s; gigabit-capable premises count too.",
              kHigherIsBetter, true};
    case kSuperfast:
      return {"Superfast (>= " + mbps(t.superfast_mbps) + " Mbit/s)",
              "Premises with a download speed of at least " + mbps(t.superfast_mbps) +
                  " Mbit/s; gigabit-capable premises count too.",
              kHigherIsBetter, true};
    case kDecent:
      return {"Decent broadband (USO: >= " + down + "/" + up + " Mbit/s)",
              "Premises that can get decent broadband as the Universal Service Obligation (USO) "
              "defines it: a download speed of at least " +
                  down + " Mbit/s and an upload speed of at least " + up +
                  " Mbit/s; gigabit-capable premises count too.",
              kHigherIsBetter, true};
    case kBelowUso:
      return {"Below the USO (< " + down + "/" + up + " Mbit/s)",
              "Premises whose known speed is below the Universal Service Obligation: a download "
              "speed under " +
                  down + " Mbit/s or an upload speed under " + up +
                  " Mbit/s (and not gigabit-capable by BDUK). They can request a USO connection. "
                  "Premises without speed data are not counted here (see no_data).",
              kLowerIsBetter, true};
    case kFullFibre:
      return {"Full fibre (" + listed(t.full_fibre_technologies, ", ") + ")",
              "Premises whose fixed-speeds row names a full-fibre technology: " +
                  listed(t.full_fibre_technologies, " or ") + " (in any letter case).",
              kHigherIsBetter, true};
    case kBdukWhite:
      return {"BDUK Gigabit White",
              "Premises whose BDUK subsidy control status is Gigabit White: no gigabit-capable "
              "network is present or planned, so public subsidy may be used.",
              kLowerIsBetter, true};
    case kBdukGreyBlack:
      return {"BDUK Gigabit Grey/Black",
              "Premises whose BDUK subsidy control status is Gigabit Grey or Black: one (grey) or "
              "more (black) gigabit-capable networks are present or planned.",
              kHigherIsBetter, false};
    case kBdukUnderReview:
      return {"BDUK Gigabit Under Review",
              "Premises whose BDUK subsidy control status is Gigabit Under Review: BDUK has not "
              "yet decided whether they are white, grey or black.",
              kNeutral, false};
    case kNoData:
      return {"No fixed-broadband data",
              "Premises with no row in any fixed-broadband layer (neither a speed row nor a BDUK "
              "row). They count as not meeting any speed threshold.",
              kLowerIsBetter, true};
  }
  throw engine::internal_error("an indicator without a description; please report this");
}

// Ofcom's own definitions: the estimates apply Ofcom's percentages, whatever the study's
// [thresholds] are.
MeasureText estimate_text(const engine::EstimateInfo& info) {
  using enum engine::Estimate;
  using enum Direction;
  const auto text = [&](std::string measure, std::string what, Direction direction) {
    return MeasureText{"Estimate: " + std::move(measure),
                       "Expected number of premises " + std::move(what) +
                           ", from Ofcom's postcode-level '" + std::string(info.ofcom_column) +
                           "' applied to the premises of each postcode and summed (never "
                           "averaged). An estimate, not a count of known premises; Ofcom's "
                           "definition, not the study's [thresholds].",
                       direction, false};
  };
  switch (info.estimate) {
    case kSuperfast:
      return text("Superfast (Ofcom: >= 30 Mbit/s)",
                  "that can get superfast broadband (download at least 30 Mbit/s)",
                  kHigherIsBetter);
    case kUltrafast:
      return text("Ultrafast (Ofcom: >= 300 Mbit/s)",
                  "that can get ultrafast broadband (download at least 300 Mbit/s)",
                  kHigherIsBetter);
    case kFullFibre:
      return text("Full fibre (Ofcom)", "that can get full fibre", kHigherIsBetter);
    case kGigabit:
      return text("Gigabit-capable (Ofcom: >= 1 Gbit/s)",
                  "that can get gigabit-capable broadband (download at least 1 Gbit/s)",
                  kHigherIsBetter);
    case kBelowUso:
      return text("Below the USO (Ofcom: < 10/1 Mbit/s)",
                  "below the Universal Service Obligation (no 10 Mbit/s download and 1 Mbit/s "
                  "upload)",
                  kLowerIsBetter);
    case kUnable10:
      return text("Unable to receive 10 Mbit/s (Ofcom)", "unable to receive a 10 Mbit/s download",
                  kLowerIsBetter);
  }
  throw engine::internal_error("an estimate without a description; please report this");
}

// Appends columns in order; each kind gets its unit, number format and decimals here.
class Builder {
 public:
  explicit Builder(std::vector<ColumnSpec>& out) : out_(out) {}

  ColumnSpec& add(std::string name, ColumnKind kind, ColumnFamily family, std::string measure,
                  std::string definition) {
    ColumnSpec c;
    c.name = std::move(name);
    c.kind = kind;
    c.family = family;
    c.measure = std::move(measure);
    c.label = c.measure;
    c.definition = std::move(definition);
    c.null_meaning = kNeverEmpty;
    switch (kind) {
      case ColumnKind::kText:
        c.unit = "text";
        break;
      case ColumnKind::kCount:
        c.unit = "premises";
        c.number_format = "#,##0";
        break;
      case ColumnKind::kPercent:
        c.number_format = "0.00";
        c.decimals = 2;
        break;
      case ColumnKind::kEstimate:
        c.unit = "expected premises";
        c.number_format = "0.00";
        c.decimals = 2;
        break;
      case ColumnKind::kArea:
        c.unit = "km\xC2\xB2";
        c.number_format = "0.0000";
        c.decimals = 4;
        break;
      case ColumnKind::kIdentifier:
        c.unit = "identifier";
        c.number_format = "0";
        break;
      case ColumnKind::kCoordinate:
        c.unit = "metres";
        c.number_format = "0.00";
        c.decimals = 2;
        break;
      case ColumnKind::kFlag:
        c.unit = "1 = yes, 0 = no";
        c.number_format = "0";
        break;
    }
    out_.push_back(std::move(c));
    return out_.back();
  }

  /// A measure's value column labelled with its unit.
  ColumnSpec& value(std::string name, ColumnKind kind, ColumnFamily family, std::string measure,
                    std::string definition) {
    ColumnSpec& c = add(std::move(name), kind, family, std::move(measure), std::move(definition));
    c.label += ", " + c.unit;
    return c;
  }

  /// The percentage of the last column's measure (or of `measure`), named `name`.
  ColumnSpec& percent(std::string name, ColumnFamily family, PercentOf of, std::string measure,
                      std::string definition) {
    static constexpr std::pair<PercentOf, const char*> kUnits[] = {
        {PercentOf::kPremises, "% of premises"},
        {PercentOf::kLand, "% of land"},
        {PercentOf::kPremisesWithPostcodeData, "% of premises with postcode data"}};
    ColumnSpec& c = add(std::move(name), ColumnKind::kPercent, family, std::move(measure),
                        std::move(definition));
    c.percent_of = of;
    for (const auto& [kind, unit] : kUnits) {
      if (kind == of) c.unit = unit;
    }
    c.label += ", " + c.unit;
    c.null_meaning = of == PercentOf::kPremises ? kNoPremises
                     : of == PercentOf::kLand
                         ? "The area has no land area to take a share of."
                         : "No premises of the area have a postcode in the Ofcom postcode data.";
    return c;
  }

  /// A count of premises and its percentage of the area's premises, alike but for the unit;
  /// returns both, for the caller to add what they measure.
  std::pair<ColumnSpec*, ColumnSpec*> count_and_percent(const std::string& name,
                                                        ColumnFamily family,
                                                        const std::string& measure,
                                                        const std::string& definition,
                                                        Direction direction, bool summary) {
    value(name, ColumnKind::kCount, family, measure, definition);
    percent(name + "_pct", family, PercentOf::kPremises, measure,
            definition + " As a percentage of the area's premises.");
    ColumnSpec* count = &out_[out_.size() - 2];
    ColumnSpec* pct = &out_.back();
    for (ColumnSpec* c : {count, pct}) {
      c->direction = direction;
      c->summary = summary;
    }
    return {count, pct};
  }

 private:
  std::vector<ColumnSpec>& out_;
};

void add_identity(Builder& b) {
  using enum ColumnFamily;
  b.add("level", ColumnKind::kText, kIdentity, "Level (area or study)",
        "The row's kind: 'area' for an area, 'study' for the whole study (the last row).");
  b.add("area_id", ColumnKind::kText, kIdentity, "Area code",
        "The area's identifier in the boundary file (e.g. the ONS parish code).")
      .null_meaning = "The study row: the whole study has no code.";
  b.add("area_name", ColumnKind::kText, kIdentity, "Area name",
        "The area's name; on the study row, the study's name.");
  b.add("premises", ColumnKind::kCount, kPremises, "Premises",
        "Premises (address points) assigned to the area; the base of every percentage of "
        "premises.");
}

// A column measured from `sources` (any one of them), and whether the run has one.
void set_sources(ColumnSpec& c, const std::vector<std::string_view>& sources,
                 const CatalogueOptions& options) {
  c.sources.assign(sources.begin(), sources.end());
  c.measured = measured_with(c.sources, options.layer_kinds);
  if (!c.measured) {
    std::vector<std::string> kinds;
    for (std::string_view s : sources) kinds.push_back("'" + std::string(s) + "'");
    c.null_meaning = "Not measured: the study has no " + listed(kinds, " or ") +
                     " layer, so every cell is empty (not zero).";
  }
}

void add_fixed_indicators(Builder& b, const CatalogueOptions& options) {
  for (const engine::IndicatorInfo& info : engine::indicator_catalogue()) {
    const MeasureText text = indicator_text(info.indicator, options.thresholds);
    const auto [count, pct] =
        b.count_and_percent(std::string(info.column), ColumnFamily::kFixedIndicator, text.measure,
                            text.definition, text.direction, text.summary);
    count->indicator = pct->indicator = info.indicator;
    for (ColumnSpec* c : {count, pct}) set_sources(*c, indicator_sources(info.indicator), options);
  }
}

void add_estimates(Builder& b, const CatalogueOptions& options) {
  b.add("est_premises", ColumnKind::kCount, ColumnFamily::kEstimateBase,
        "Premises with postcode data (base of the estimates)",
        "Premises whose postcode has a row in the Ofcom postcode-level data: the base of the "
        "est_ percentages.");
  for (const engine::EstimateInfo& info : engine::estimate_catalogue()) {
    if (!options.estimate_measures[static_cast<std::size_t>(info.estimate)]) continue;
    const MeasureText text = estimate_text(info);
    const std::string name(info.column);
    ColumnSpec& value = b.value(name, ColumnKind::kEstimate, ColumnFamily::kEstimate, text.measure,
                                text.definition);
    value.estimate = info.estimate;
    value.direction = text.direction;
    ColumnSpec& pct =
        b.percent(name + "_pct", ColumnFamily::kEstimate, PercentOf::kPremisesWithPostcodeData,
                  text.measure, text.definition + " As a percentage of est_premises.");
    pct.estimate = info.estimate;
    pct.direction = text.direction;
  }
}

// "4G indoor: EE", and the sentence that defines it, for premises; land shares say the same of
// the area's land.
struct CoverageText {
  std::string premises_measure;
  std::string land_measure;
  std::string premises_definition;
  std::string land_definition;
  Direction direction;
};

CoverageText coverage_text(const MobileGroupColumns& g, Coverage coverage,
                           const std::string& operator_name) {
  const std::string group = g.technology + " " + g.setting;
  const std::string premises = "Premises with " + group + " coverage from ";
  const std::string land = "Share of the area's land with " + group + " coverage from ";
  const std::string exact = ", computed exactly from the coverage layers.";
  using enum Direction;
  switch (coverage) {
    case Coverage::kOperator:
      return {group + ": " + operator_name, "Land with " + group + " from " + operator_name,
              premises + operator_name + ".", land + operator_name + exact, kHigherIsBetter};
    case Coverage::kAny:
      return {group + ": at least one operator",
              "Land with " + group + " from at least one operator",
              premises + "at least one operator.", land + "at least one operator" + exact,
              kHigherIsBetter};
    case Coverage::kAll:
      return {group + ": all operators", "Land with " + group + " from all operators",
              premises + "every operator (" + listed(g.operators, " and ") + ").",
              land + "every operator (" + listed(g.operators, " and ") + ")" + exact,
              kHigherIsBetter};
    case Coverage::kNone:
      return {group + ": no operator (not-spot)",
              "Land with no " + group + " from any operator (not-spot)",
              "Premises with no " + group + " coverage from any operator: a not-spot.",
              "Share of the area's land with no " + group + " coverage from any operator" + exact,
              kLowerIsBetter};
    case Coverage::kPartial:
      return {group + ": some but not all operators (partial not-spot)", "",
              premises + "some but not all operators: a partial not-spot.", "", kLowerIsBetter};
  }
  throw engine::internal_error("a coverage without a description; please report this");
}

// Each operator of the group, then the combinations given.
std::vector<std::pair<Coverage, std::size_t>> subjects(const MobileGroupColumns& g,
                                                       std::initializer_list<Coverage> combos) {
  std::vector<std::pair<Coverage, std::size_t>> out;
  for (std::size_t i = 0; i < g.operators.size(); ++i) out.emplace_back(Coverage::kOperator, i);
  for (Coverage c : combos) out.emplace_back(c, 0);
  return out;
}

const char* coverage_slug(Coverage c) {
  switch (c) {
    case Coverage::kAny:
      return "any";
    case Coverage::kAll:
      return "all";
    case Coverage::kNone:
      return "none";
    case Coverage::kPartial:
      return "partial";
    case Coverage::kOperator:
      break;
  }
  return "";
}

void add_mobile(Builder& b, const CatalogueOptions& options) {
  const auto& groups = options.mobile_groups;
  auto subject = [&](std::size_t g, Coverage coverage, std::size_t op) {
    MobileSubject s{g, groups[g].technology, groups[g].setting, coverage, op, {}};
    if (coverage == Coverage::kOperator) s.operator_name = groups[g].operators[op];
    return s;
  };
  auto slug = [&](const MobileSubject& s) {
    return mobile_column_stem(s.technology, s.setting,
                              s.coverage == Coverage::kOperator
                                  ? s.operator_name
                                  : std::string(coverage_slug(s.coverage)));
  };
  for (std::size_t g = 0; g < groups.size(); ++g) {
    for (const auto& [coverage, op] : subjects(
             groups[g], {Coverage::kAny, Coverage::kAll, Coverage::kNone, Coverage::kPartial})) {
      const MobileSubject s = subject(g, coverage, op);
      const CoverageText text = coverage_text(groups[g], coverage, s.operator_name);
      const auto [count, pct] =
          b.count_and_percent("mob_" + slug(s), ColumnFamily::kMobilePremises,
                              text.premises_measure, text.premises_definition, text.direction,
                              coverage == Coverage::kNone || coverage == Coverage::kAll);
      count->mobile = pct->mobile = s;
    }
  }
  for (std::size_t g = 0; g < groups.size(); ++g) {
    if (!groups[g].land_shares) continue;
    for (const auto& [coverage, op] :
         subjects(groups[g], {Coverage::kAny, Coverage::kAll, Coverage::kNone})) {
      const MobileSubject s = subject(g, coverage, op);
      const CoverageText text = coverage_text(groups[g], coverage, s.operator_name);
      ColumnSpec& c = b.percent("land_" + slug(s) + "_pct", ColumnFamily::kMobileLandShare,
                                PercentOf::kLand, text.land_measure, text.land_definition);
      c.mobile = s;
      c.direction = text.direction;
      c.summary = coverage == Coverage::kAny || coverage == Coverage::kAll;
    }
  }
}

void add_digital_exclusion(Builder& b, const CatalogueOptions& options) {
  const std::string group = options.exclusion_technology + " " + options.exclusion_setting;
  const engine::Thresholds& t = options.thresholds;
  // The mobile half is there whenever the column is (its group exists); the speed half needs
  // fixed-speeds.
  const auto [count, pct] = b.count_and_percent(
      "digitally_excluded", ColumnFamily::kDigitalExclusion,
      "Digitally excluded (below the USO, no " + group + ")",
      "Premises below the Universal Service Obligation on a known speed (download under " +
          mbps(t.decent_down_mbps) + " Mbit/s or upload under " + mbps(t.decent_up_mbps) +
          " Mbit/s) and with no " + group +
          " coverage from any operator: neither decent broadband nor a mobile fallback "
          "([digital_exclusion] in the study file).",
      Direction::kLowerIsBetter, true);
  for (ColumnSpec* c : {count, pct}) set_sources(*c, {kFixedSpeedsKind}, options);
}

// A premises-table flag: `name`, counted like the parish_stats column of the same name.
ColumnSpec& flag(Builder& b, const std::string& name, ColumnFamily family,
                 const std::string& measure, const std::string& definition) {
  ColumnSpec& c = b.add(name, ColumnKind::kFlag, family, measure,
                        "1 when the premise is counted in parish_stats' " + name +
                            " column, 0 when it is not: " + definition);
  c.label += " (1 = yes)";
  return c;
}

void add_premise_identity(Builder& b, const CatalogueOptions& options) {
  using enum ColumnFamily;
  b.add("uprn", ColumnKind::kIdentifier, kIdentity, "Premise id (UPRN)",
        "The premise's identifier in the premises file (the Unique Property Reference Number), "
        "for joining back to an address gazetteer.");
  for (const char* axis : {"x", "y"}) {
    ColumnSpec& c =
        b.add(axis, ColumnKind::kCoordinate, kIdentity,
              std::string(axis[0] == 'x' ? "Easting" : "Northing") + " (x)",
              std::string("The premise's ") + (axis[0] == 'x' ? "x (easting)" : "y (northing)") +
                  " in the study CRS, as used to assign it.");
    c.measure = c.label = std::string(axis[0] == 'x' ? "Easting" : "Northing") + " (" + axis + ")";
    if (options.crs_geographic) {
      c.unit = "degrees";
      c.number_format = "0.0000000";
      c.decimals = 7;
      c.measure = c.label = axis[0] == 'x' ? "Longitude (x)" : "Latitude (y)";
    }
    c.label += ", " + c.unit;
  }
  b.add("area_id", ColumnKind::kText, kIdentity, "Area code",
        "The code of the area the premise is assigned to (the boundary rule: a premise on a "
        "boundary belongs to the area east, then north, of it; in overlapping areas, to the "
        "lowest code).")
      .null_meaning = "The premise is outside every area (status = outside).";
  b.add("area_name", ColumnKind::kText, kIdentity, "Area name",
        "The name of the area the premise is assigned to.")
      .null_meaning = "The premise is outside every area (status = outside).";
  b.add("status", ColumnKind::kText, kIdentity, "Assignment status",
        "'assigned' when the premise is inside an area (counted in parish_stats), 'outside' "
        "when it is inside no area (counted in no area, listed in the premises_outside layer). "
        "Rejected rows are not here: they are in rejected.csv.");
}

void add_premise_fixed(Builder& b, const CatalogueOptions& options) {
  for (const engine::IndicatorInfo& info : engine::indicator_catalogue()) {
    const MeasureText text = indicator_text(info.indicator, options.thresholds);
    ColumnSpec& c = flag(b, std::string(info.column), ColumnFamily::kFixedIndicator, text.measure,
                         text.definition);
    c.indicator = info.indicator;
    c.direction = text.direction;
    set_sources(c, indicator_sources(info.indicator), options);
    if (c.measured) c.null_meaning = kNeverEmpty;
  }
  b.add("fixed_source", ColumnKind::kText, ColumnFamily::kPremiseSource,
        "Fixed-broadband layers with a row",
        "The fixed-broadband layers (by their study-file name) that have a row for the "
        "premise, in study order and joined by '+' (e.g. 'bduk+speeds'); 'none' when no layer "
        "has one (no_data = 1). Where two layers of one kind both have a row, the later one "
        "(named here) is used.");
  b.add("gigabit_source", ColumnKind::kText, ColumnFamily::kPremiseSource,
        "Layers saying gigabit-capable",
        "The fixed-broadband layers that make the premise gigabit-capable, joined by '+': a "
        "BDUK layer whose row says current_gigabit = true, a fixed-speeds layer whose download "
        "speed is at least " +
            mbps(options.thresholds.gigabit_mbps) + " Mbit/s.")
      .null_meaning = "The premise is not gigabit-capable (gigabit = 0), or not measured.";
}

void add_premise_mobile(Builder& b, const CatalogueOptions& options) {
  const auto& groups = options.mobile_groups;
  for (std::size_t g = 0; g < groups.size(); ++g) {
    for (const auto& [coverage, op] : subjects(
             groups[g], {Coverage::kAny, Coverage::kAll, Coverage::kNone, Coverage::kPartial})) {
      MobileSubject s{g, groups[g].technology, groups[g].setting, coverage, op, {}};
      if (coverage == Coverage::kOperator) s.operator_name = groups[g].operators[op];
      const CoverageText text = coverage_text(groups[g], coverage, s.operator_name);
      const std::string name =
          "mob_" + mobile_column_stem(s.technology, s.setting,
                                      coverage == Coverage::kOperator
                                          ? s.operator_name
                                          : std::string(coverage_slug(coverage)));
      ColumnSpec& c = flag(b, name, ColumnFamily::kMobilePremises, text.premises_measure,
                           text.premises_definition);
      c.mobile = s;
      c.direction = text.direction;
    }
  }
}

}  // namespace

ColumnCatalogue ColumnCatalogue::premises_table(const CatalogueOptions& options) {
  ColumnCatalogue out;
  Builder b(out.columns_);
  add_premise_identity(b, options);
  add_premise_fixed(b, options);
  add_premise_mobile(b, options);
  if (!options.exclusion_technology.empty()) {
    const std::string group = options.exclusion_technology + " " + options.exclusion_setting;
    ColumnSpec& c = flag(b, "digitally_excluded", ColumnFamily::kDigitalExclusion,
                         "Digitally excluded (below the USO, no " + group + ")",
                         "below the Universal Service Obligation on a known speed and with no " +
                             group + " coverage from any operator.");
    c.direction = Direction::kLowerIsBetter;
    set_sources(c, {kFixedSpeedsKind}, options);
    if (c.measured) c.null_meaning = kNeverEmpty;
  }
  return out;
}

ColumnCatalogue::ColumnCatalogue(const CatalogueOptions& options) {
  Builder b(columns_);
  add_identity(b);
  add_fixed_indicators(b, options);
  if (options.land_area) {
    b.value("land_km2", ColumnKind::kArea, ColumnFamily::kLandArea, "Land area",
            "The area's land (polygon) area in square kilometres.")
        .null_meaning = "The study CRS is in degrees, so areas are not measured in km\xC2\xB2.";
  }
  if (options.estimates) add_estimates(b, options);
  add_mobile(b, options);
  if (!options.exclusion_technology.empty()) add_digital_exclusion(b, options);
}

std::vector<std::string_view> indicator_sources(engine::Indicator indicator) {
  using enum engine::Indicator;
  switch (indicator) {
    case kGigabit:
    case kNoData:
      return {kFixedSpeedsKind, kBdukPremisesKind};
    case kUltrafast:
    case kSuperfast:
    case kDecent:
    case kBelowUso:
    case kFullFibre:
      return {kFixedSpeedsKind};
    case kBdukWhite:
    case kBdukGreyBlack:
    case kBdukUnderReview:
      return {kBdukPremisesKind};
  }
  throw engine::internal_error("an indicator without sources; please report this");
}

bool measured_with(std::span<const std::string> sources, std::span<const std::string> layer_kinds) {
  if (sources.empty()) return true;
  for (const std::string& s : sources) {
    for (const std::string& k : layer_kinds) {
      if (s == k) return true;
    }
  }
  return false;
}

std::optional<std::size_t> ColumnCatalogue::find(std::string_view name) const {
  for (std::size_t i = 0; i < columns_.size(); ++i) {
    if (columns_[i].name == name) return i;
  }
  return std::nullopt;
}

ColumnCatalogue ColumnCatalogue::subset(std::span<const std::string_view> names) const {
  for (std::string_view name : names) {
    if (!find(name)) {
      throw engine::internal_error("the column catalogue has no column '" + std::string(name) +
                                   "'; please report this");
    }
  }
  ColumnCatalogue out;
  for (const ColumnSpec& c : columns_) {
    for (std::string_view name : names) {
      if (c.name == name) out.columns_.push_back(c);
    }
  }
  return out;
}

std::vector<Measure> ColumnCatalogue::measures() const {
  std::vector<Measure> out;
  for (std::size_t i = 0; i < columns_.size(); ++i) {
    const ColumnSpec& c = columns_[i];
    if (c.family == ColumnFamily::kIdentity) continue;
    if (c.kind != ColumnKind::kPercent) {
      out.push_back({c.measure, i, std::nullopt, c.summary, c.family});
    } else if (!out.empty() && out.back().value && !out.back().share &&
               out.back().label == c.measure) {
      out.back().share = i;  // the percentage of the value just before it
      out.back().summary = out.back().summary || c.summary;
    } else {
      out.push_back({c.measure, std::nullopt, i, c.summary, c.family});
    }
  }
  return out;
}

std::string mobile_column_stem(std::string_view technology, std::string_view setting,
                               std::string_view subject) {
  return column_slug(technology) + "_" + column_slug(setting) + "_" + column_slug(subject);
}

std::vector<std::string> mobile_column_names(std::string_view technology, std::string_view setting,
                                             std::string_view subject) {
  const std::string stem = mobile_column_stem(technology, setting, subject);
  return {"mob_" + stem, "mob_" + stem + "_pct", "land_" + stem + "_pct"};
}

std::vector<std::string> mobile_group_column_names(std::string_view technology,
                                                   std::string_view setting) {
  std::vector<std::string> out;
  for (Coverage c : {Coverage::kAny, Coverage::kAll, Coverage::kNone, Coverage::kPartial}) {
    for (std::string& name : mobile_column_names(technology, setting, coverage_slug(c))) {
      out.push_back(std::move(name));
    }
  }
  return out;
}

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

}  // namespace notspot::outputs
