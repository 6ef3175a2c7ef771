// The column catalogue: every column of a run described once, in the documented order, with
// labels that follow the study's [thresholds]. Expected names and labels are written out by
// hand from README.md's column tables, not produced by the code under test.

#include "notspot/outputs/column_catalogue.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "notspot/engine/error.hpp"
#include "notspot/outputs/targets.hpp"

namespace notspot::outputs {
namespace {

// A study with everything: two mobile groups (the second without land shares), two estimate
// measures and digital exclusion.
CatalogueOptions full_options() {
  CatalogueOptions o;
  o.land_area = true;
  o.estimates = true;
  o.estimate_measures[static_cast<std::size_t>(engine::Estimate::kSuperfast)] = true;
  o.estimate_measures[static_cast<std::size_t>(engine::Estimate::kGigabit)] = true;
  o.mobile_groups = {{"4G", "indoor", {"EE", "Virgin Media O2"}, true},
                     {"5G", "outdoor", {"Three"}, false}};
  o.exclusion_technology = "4G";
  o.exclusion_setting = "indoor";
  return o;
}

const ColumnSpec& column(const ColumnCatalogue& c, std::string_view name) {
  const auto at = c.find(name);
  if (!at) throw std::runtime_error("no column " + std::string(name));
  return c[*at];
}

TEST(ColumnCatalogue, DescribesEveryColumnOfAFullStudyInTheDocumentedOrder) {
  const ColumnCatalogue c(full_options());
  std::vector<std::string> names;
  for (const ColumnSpec& s : c) names.push_back(s.name);
  const std::vector<std::string> expected = {"level",
                                             "area_id",
                                             "area_name",
                                             "premises",
                                             "gigabit",
                                             "gigabit_pct",
                                             "ultrafast",
                                             "ultrafast_pct",
                                             "superfast",
                                             "superfast_pct",
                                             "decent",
                                             "decent_pct",
                                             "below_uso",
                                             "below_uso_pct",
                                             "full_fibre",
                                             "full_fibre_pct",
                                             "bduk_white",
                                             "bduk_white_pct",
                                             "bduk_grey_black",
                                             "bduk_grey_black_pct",
                                             "bduk_under_review",
                                             "bduk_under_review_pct",
                                             "no_data",
                                             "no_data_pct",
                                             "land_km2",
                                             "est_premises",
                                             "est_superfast",
                                             "est_superfast_pct",
                                             "est_gigabit",
                                             "est_gigabit_pct",
                                             "mob_4g_indoor_ee",
                                             "mob_4g_indoor_ee_pct",
                                             "mob_4g_indoor_virgin_media_o2",
                                             "mob_4g_indoor_virgin_media_o2_pct",
                                             "mob_4g_indoor_any",
                                             "mob_4g_indoor_any_pct",
                                             "mob_4g_indoor_all",
                                             "mob_4g_indoor_all_pct",
                                             "mob_4g_indoor_none",
                                             "mob_4g_indoor_none_pct",
                                             "mob_4g_indoor_partial",
                                             "mob_4g_indoor_partial_pct",
                                             "mob_5g_outdoor_three",
                                             "mob_5g_outdoor_three_pct",
                                             "mob_5g_outdoor_any",
                                             "mob_5g_outdoor_any_pct",
                                             "mob_5g_outdoor_all",
                                             "mob_5g_outdoor_all_pct",
                                             "mob_5g_outdoor_none",
                                             "mob_5g_outdoor_none_pct",
                                             "mob_5g_outdoor_partial",
                                             "mob_5g_outdoor_partial_pct",
                                             "land_4g_indoor_ee_pct",
                                             "land_4g_indoor_virgin_media_o2_pct",
                                             "land_4g_indoor_any_pct",
                                             "land_4g_indoor_all_pct",
                                             "land_4g_indoor_none_pct",
                                             "digitally_excluded",
                                             "digitally_excluded_pct"};
  EXPECT_EQ(names, expected);

  std::set<std::string> labels;
  for (const ColumnSpec& s : c) {
    SCOPED_TRACE(s.name);
    EXPECT_FALSE(s.measure.empty());
    EXPECT_FALSE(s.label.empty());
    EXPECT_FALSE(s.unit.empty());
    EXPECT_FALSE(s.definition.empty());
    EXPECT_FALSE(s.null_meaning.empty());
    EXPECT_TRUE(labels.insert(s.label).second) << "label used twice: " << s.label;
    EXPECT_EQ(s.number_format.empty(), s.kind == ColumnKind::kText);
    EXPECT_EQ(s.percent_of != PercentOf::kNotAPercentage, s.kind == ColumnKind::kPercent);
    EXPECT_EQ(s.indicator.has_value(), s.family == ColumnFamily::kFixedIndicator);
    EXPECT_EQ(s.estimate.has_value(), s.family == ColumnFamily::kEstimate);
    EXPECT_EQ(s.mobile.has_value(), s.family == ColumnFamily::kMobilePremises ||
                                        s.family == ColumnFamily::kMobileLandShare);
  }
  EXPECT_EQ(column(c, "gigabit").decimals, 0);
  EXPECT_EQ(column(c, "gigabit_pct").decimals, 2);
  EXPECT_EQ(column(c, "est_gigabit").decimals, 2);
  EXPECT_EQ(column(c, "land_km2").decimals, 4);
  EXPECT_EQ(column(c, "gigabit").number_format, "#,##0");
  EXPECT_EQ(column(c, "land_km2").number_format, "0.0000");
  EXPECT_EQ(column(c, "est_superfast_pct").percent_of, PercentOf::kPremisesWithPostcodeData);
  EXPECT_EQ(column(c, "land_4g_indoor_any_pct").percent_of, PercentOf::kLand);
  EXPECT_EQ(column(c, "mob_4g_indoor_any_pct").percent_of, PercentOf::kPremises);
}

TEST(ColumnCatalogue, ARunWithoutLayersHasTheFixedColumnsOnly) {
  const ColumnCatalogue c{CatalogueOptions{}};
  EXPECT_EQ(c.size(), 4u + 2 * engine::kIndicatorCount);
  EXPECT_FALSE(c.find("land_km2"));
  EXPECT_FALSE(c.find("est_premises"));
  EXPECT_FALSE(c.find("digitally_excluded"));
}

TEST(ColumnCatalogue, LabelsAndDefinitionsFollowTheThresholds) {
  CatalogueOptions o = full_options();
  o.thresholds.gigabit_mbps = 900;
  o.thresholds.superfast_mbps = 24;
  o.thresholds.decent_down_mbps = 12;
  o.thresholds.decent_up_mbps = 2;
  o.thresholds.full_fibre_technologies = {"FTTP", "FTTH", "XGS-PON"};
  const ColumnCatalogue c(o);
  EXPECT_EQ(column(c, "superfast").measure, "Superfast (>= 24 Mbit/s)");
  EXPECT_EQ(column(c, "superfast").label, "Superfast (>= 24 Mbit/s), premises");
  EXPECT_EQ(column(c, "superfast_pct").label, "Superfast (>= 24 Mbit/s), % of premises");
  EXPECT_NE(column(c, "superfast").definition.find("at least 24 Mbit/s"), std::string::npos);
  EXPECT_EQ(column(c, "superfast").definition.find("30"), std::string::npos);
  EXPECT_EQ(column(c, "gigabit").measure, "Gigabit-capable (>= 900 Mbit/s)");
  EXPECT_EQ(column(c, "decent").measure, "Decent broadband (USO: >= 12/2 Mbit/s)");
  EXPECT_EQ(column(c, "below_uso").measure, "Below the USO (< 12/2 Mbit/s)");
  EXPECT_NE(column(c, "decent")
                .definition.find("at least 12 Mbit/s and an upload speed of at "
                                 "least 2 Mbit/s"),
            std::string::npos);
  EXPECT_EQ(column(c, "full_fibre").measure, "Full fibre (FTTP, FTTH, XGS-PON)");
  EXPECT_NE(column(c, "full_fibre").definition.find("FTTP, FTTH or XGS-PON"), std::string::npos);
  const std::string& excluded = column(c, "digitally_excluded").definition;
  EXPECT_NE(excluded.find("under 12 Mbit/s or upload under 2 Mbit/s"), std::string::npos);
  EXPECT_NE(excluded.find("no 4G indoor coverage"), std::string::npos);
  EXPECT_EQ(column(c, "digitally_excluded").measure,
            "Digitally excluded (below the USO, no 4G indoor)");
}

TEST(ColumnCatalogue, DefaultThresholdsGiveOfcomsLabels) {
  const ColumnCatalogue c{CatalogueOptions{}};
  EXPECT_EQ(column(c, "gigabit_pct").label, "Gigabit-capable (>= 1000 Mbit/s), % of premises");
  EXPECT_EQ(column(c, "ultrafast").measure, "Ultrafast (>= 300 Mbit/s)");
  EXPECT_EQ(column(c, "superfast").measure, "Superfast (>= 30 Mbit/s)");
  EXPECT_EQ(column(c, "decent").measure, "Decent broadband (USO: >= 10/1 Mbit/s)");
  EXPECT_EQ(column(c, "full_fibre").measure, "Full fibre (FTTP, FTTH)");
  EXPECT_EQ(column(c, "no_data").label, "No fixed-broadband data, premises");
  EXPECT_EQ(column(c, "area_id").label, "Area code");
  EXPECT_EQ(column(c, "premises").label, "Premises");
}

TEST(ColumnCatalogue, EstimatesUseOfcomsDefinitionsNotTheStudysThresholds) {
  CatalogueOptions o = full_options();
  o.thresholds.superfast_mbps = 24;
  const ColumnCatalogue c(o);
  const ColumnSpec& est = column(c, "est_superfast");
  EXPECT_EQ(est.measure, "Estimate: Superfast (Ofcom: >= 30 Mbit/s)");
  EXPECT_EQ(est.label, "Estimate: Superfast (Ofcom: >= 30 Mbit/s), expected premises");
  EXPECT_EQ(column(c, "est_superfast_pct").label,
            "Estimate: Superfast (Ofcom: >= 30 Mbit/s), % of premises with postcode data");
  EXPECT_NE(est.definition.find("SFBB availability (% premises)"), std::string::npos);
  EXPECT_EQ(est.definition.find("24"), std::string::npos);
  EXPECT_EQ(column(c, "est_premises").measure,
            "Premises with postcode data (base of the estimates)");
}

TEST(ColumnCatalogue, CountsAndTheirPercentagesShareTheMeasureLabel) {
  const ColumnCatalogue c(full_options());
  std::size_t pairs = 0;
  for (const Measure& m : c.measures()) {
    SCOPED_TRACE(m.label);
    ASSERT_TRUE(m.value || m.share);
    if (m.value) {
      EXPECT_EQ(c[*m.value].measure, m.label);
    }
    if (m.share) {
      EXPECT_EQ(c[*m.share].measure, m.label);
    }
    if (m.value && m.share) {
      ++pairs;
      EXPECT_EQ(*m.share, *m.value + 1);
      EXPECT_EQ(c[*m.share].name, c[*m.value].name + "_pct");
      EXPECT_EQ(c[*m.share].direction, c[*m.value].direction);
      EXPECT_EQ(c[*m.share].summary, c[*m.value].summary);
      EXPECT_NE(c[*m.share].label, c[*m.value].label);  // the units differ
    }
  }
  // 10 indicators, 2 estimates, 2 + 4 and 1 + 4 mobile premises measures, digital exclusion.
  EXPECT_EQ(pairs, 10u + 2 + 6 + 5 + 1);
  EXPECT_EQ(column(c, "mob_4g_indoor_none").label, "4G indoor: no operator (not-spot), premises");
  EXPECT_EQ(column(c, "mob_4g_indoor_none_pct").label,
            "4G indoor: no operator (not-spot), % of premises");
}

TEST(ColumnCatalogue, MobileColumnsSayWhoCoversAsTheStudyNamesThem) {
  const ColumnCatalogue c(full_options());
  const ColumnSpec& vmo2 = column(c, "mob_4g_indoor_virgin_media_o2");
  ASSERT_TRUE(vmo2.mobile);
  EXPECT_EQ(vmo2.mobile->coverage, Coverage::kOperator);
  EXPECT_EQ(vmo2.mobile->operator_name, "Virgin Media O2");
  EXPECT_EQ(vmo2.mobile->operator_index, 1u);
  EXPECT_EQ(vmo2.mobile->group, 0u);
  EXPECT_EQ(vmo2.label, "4G indoor: Virgin Media O2, premises");
  const ColumnSpec& partial = column(c, "mob_5g_outdoor_partial_pct");
  EXPECT_EQ(partial.mobile->coverage, Coverage::kPartial);
  EXPECT_EQ(partial.mobile->group, 1u);
  EXPECT_EQ(partial.label,
            "5G outdoor: some but not all operators (partial not-spot), % of premises");
  EXPECT_EQ(partial.direction, Direction::kLowerIsBetter);
  EXPECT_NE(partial.definition.find("partial not-spot"), std::string::npos);
  const ColumnSpec& all = column(c, "mob_4g_indoor_all");
  EXPECT_NE(all.definition.find("EE and Virgin Media O2"), std::string::npos);
  const ColumnSpec& land = column(c, "land_4g_indoor_none_pct");
  EXPECT_EQ(land.mobile->coverage, Coverage::kNone);
  EXPECT_EQ(land.label, "Land with no 4G indoor from any operator (not-spot), % of land");
  EXPECT_NE(land.definition.find("land"), std::string::npos);
  EXPECT_EQ(land.direction, Direction::kLowerIsBetter);
  EXPECT_EQ(column(c, "land_4g_indoor_any_pct").direction, Direction::kHigherIsBetter);
}

TEST(ColumnCatalogue, NamesAreMadeFromWhatIsMeasuredAndNeverReadBack) {
  // An operator whose name looks like a setting and a combination: its column name could be
  // read as "5G indoor ... outdoor none", but its label and subject come from the study.
  CatalogueOptions o;
  o.mobile_groups = {{"5G", "indoor", {"Outdoor None"}, true}};
  const ColumnCatalogue c(o);
  const ColumnSpec& op = column(c, "mob_5g_indoor_outdoor_none");
  EXPECT_EQ(op.mobile->coverage, Coverage::kOperator);
  EXPECT_EQ(op.mobile->setting, "indoor");
  EXPECT_EQ(op.label, "5G indoor: Outdoor None, premises");
  EXPECT_EQ(op.direction, Direction::kHigherIsBetter);
  EXPECT_EQ(column(c, "land_5g_indoor_outdoor_none_pct").label,
            "Land with 5G indoor from Outdoor None, % of land");
  EXPECT_EQ(column(c, "mob_5g_indoor_none").mobile->coverage, Coverage::kNone);
}

TEST(ColumnCatalogue, SummaryFiguresAreTheHeadlineMeasures) {
  const ColumnCatalogue c(full_options());
  std::vector<std::string> summary;
  for (const Measure& m : c.measures()) {
    if (m.summary) summary.push_back(c[m.value ? *m.value : *m.share].name);
  }
  EXPECT_EQ(summary, (std::vector<std::string>{
                         "gigabit", "ultrafast", "superfast", "decent", "below_uso", "full_fibre",
                         "bduk_white", "no_data", "mob_4g_indoor_all", "mob_4g_indoor_none",
                         "mob_5g_outdoor_all", "mob_5g_outdoor_none", "land_4g_indoor_any_pct",
                         "land_4g_indoor_all_pct", "digitally_excluded"}));
}

TEST(ColumnCatalogue, SubsetKeepsDescriptionsAndRefusesUnknownColumns) {
  const ColumnCatalogue c(full_options());
  const std::string_view names[] = {"mob_5g_outdoor_none", "level", "land_km2"};
  const ColumnCatalogue some = c.subset(names);
  ASSERT_EQ(some.size(), 3u);
  EXPECT_EQ(some[0].name, "level");  // catalogue order
  EXPECT_EQ(some[1].name, "land_km2");
  EXPECT_EQ(some[2].mobile->group, 1u);
  const std::string_view unknown[] = {"gigabit", "no_such_column"};
  EXPECT_THROW(c.subset(unknown), engine::Error);
}

TEST(ColumnSlug, LowerCasesAndJoinsWords) {
  EXPECT_EQ(column_slug("EE"), "ee");
  EXPECT_EQ(column_slug("Virgin Media O2"), "virgin_media_o2");
  EXPECT_EQ(column_slug("  Three (UK) "), "three_uk");
  EXPECT_EQ(column_slug("--"), "x");
}

TEST(Targets, AreMetAtTheLevelWhenHigherIsBetterAndBelowItOtherwise) {
  const std::vector<Target> gigabit = targets_for("gigabit_pct");
  ASSERT_EQ(gigabit.size(), 2u);
  EXPECT_EQ(gigabit[0].level, 85);
  EXPECT_EQ(gigabit[0].deadline, "2025");
  EXPECT_EQ(gigabit[0].programme, "Project Gigabit");
  EXPECT_TRUE(gigabit[0].met(85.0));
  EXPECT_FALSE(gigabit[0].met(84.99));
  EXPECT_EQ(gigabit[1].level, 99);
  EXPECT_EQ(gigabit[1].deadline, "2030");
  const std::vector<Target> not_spots = targets_for("mob_4g_indoor_none_pct");
  ASSERT_EQ(not_spots.size(), 1u);
  EXPECT_FALSE(not_spots[0].national);
  EXPECT_TRUE(not_spots[0].met(4.99));
  EXPECT_FALSE(not_spots[0].met(5.0));
  const std::vector<Target> uso = targets_for("below_uso");
  ASSERT_EQ(uso.size(), 1u);
  EXPECT_TRUE(uso[0].met(0));
  EXPECT_FALSE(uso[0].met(1));
  EXPECT_NE(targets_for("land_4g_outdoor_any_pct").at(0).describe().find("Shared Rural Network"),
            std::string::npos);
  // Every target is on a column that a full study has.
  CatalogueOptions o = full_options();
  o.mobile_groups.push_back({"4G", "outdoor", {"EE"}, true});
  const ColumnCatalogue c(o);
  for (const Target& t : targets()) EXPECT_TRUE(c.find(t.column)) << t.column;
}

}  // namespace
}  // namespace notspot::outputs
