// The class breaks and colours shared by report.html's maps and the GeoPackage's QGIS styles,
// checked against breaks worked out by hand from the rule in map_classes.hpp.

#include "notspot/outputs/map_classes.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <set>
#include <vector>

namespace notspot::outputs {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
using V = std::vector<double>;

TEST(MapBreaks, CoverageUsesTheRoundLadderAndTheTargets) {
  // 10 is under 50 and 100 is at least 99: no end class is empty, every break stays.
  EXPECT_EQ(map_breaks(Direction::kHigherIsBetter, V{10, 60, 85, 92, 97, 100}, V{85, 99}),
            (V{50, 80, 85, 90, 95, 99}));
}

TEST(MapBreaks, EmptyEndClassesMergeIntoTheirNeighbour) {
  // Nothing under 50, 80, 90 or 95: those lower classes merge up; 96 is under 99.
  EXPECT_EQ(map_breaks(Direction::kHigherIsBetter, V{96, 97, 100}, V{}), (V{99}));
  // Nothing under 50; nothing at or above 99, 95 or 90; 85 is a target, so it stays even
  // though its class (85% or more) is empty.
  EXPECT_EQ(map_breaks(Direction::kHigherIsBetter, V{60, 70}, V{85}), (V{80, 85}));
}

TEST(MapBreaks, LowerIsBetterGivesZeroItsOwnClass) {
  EXPECT_EQ(map_breaks(Direction::kLowerIsBetter, V{0, 0, 0.5, 3, 12}, V{}), (V{0.005, 1, 5, 10}));
  // No zero and nothing under 1: those classes merge; 5 is a target; 7 is under 10.
  EXPECT_EQ(map_breaks(Direction::kLowerIsBetter, V{2, 7}, V{5}), (V{5}));
}

TEST(MapBreaks, TargetsOutsideZeroToHundredAreNotBreaks) {
  EXPECT_EQ(map_breaks(Direction::kHigherIsBetter, V{10, 100}, V{0, 100}), (V{50, 80, 90, 95, 99}));
}

TEST(MapBreaks, NoValuesLeavesOnlyTheTargets) {
  EXPECT_EQ(map_breaks(Direction::kHigherIsBetter, V{}, V{85}), (V{85}));
  EXPECT_EQ(map_breaks(Direction::kLowerIsBetter, V{}, V{}), (V{}));
}

TEST(ClassifyMap, GigabitClassesLabelsCountsAndColours) {
  // gigabit_pct has Project Gigabit's targets, 85 and 99.
  const V values = {10, 49.99, 50, 84.99, 85, 99, 100, kNaN};
  const MapClassification c = classify_map("gigabit_pct", Direction::kHigherIsBetter, values);
  ASSERT_EQ(c.classes.size(), 7u);  // 0-50-80-85-90-95-99-100
  EXPECT_EQ(c.classes[0].label, "under 50%");
  EXPECT_EQ(c.classes[1].label, "50% to under 80%");
  EXPECT_EQ(c.classes[2].label, "80% to under 85%");
  EXPECT_EQ(c.classes[6].label, "99% or more");
  // By hand: 10, 49.99 | 50 | 84.99 | 85 | - | - | 99, 100; NaN is no data.
  const std::vector<std::size_t> counts = {2, 1, 1, 1, 0, 0, 2};
  for (std::size_t k = 0; k < counts.size(); ++k) EXPECT_EQ(c.classes[k].areas, counts[k]) << k;
  EXPECT_EQ(c.no_data, 1u);
  EXPECT_EQ(c.target_levels, (V{85, 99}));
  // Paler is better: the top class is the palest of YlOrRd (7 classes), the lowest the darkest.
  EXPECT_EQ(c.classes[6].colour, "#ffffb2");
  EXPECT_EQ(c.classes[0].colour, "#b10026");
  EXPECT_EQ(c.colour_of(kNaN), kMapNoDataColour);
  EXPECT_EQ(c.colour_of(100), "#ffffb2");
  EXPECT_EQ(c.best_first().front(), 6u);
  std::set<std::string> colours;
  for (const MapClass& k : c.classes) colours.insert(k.colour);
  EXPECT_EQ(colours.size(), 7u);
  EXPECT_EQ(colours.count(std::string(kMapNoDataColour)), 0u);
}

TEST(ClassifyMap, NotSpotsArePaleAtZeroAndDarkWhenMany) {
  const V values = {0, 0, 0.01, 0.99, 1, 30, kNaN, kNaN};
  const MapClassification c =
      classify_map("mob_4g_indoor_none_pct", Direction::kLowerIsBetter, values);
  // Breaks 0.005, 1, 5 (the local marker), 10, 25; 50 dropped (nothing at or above it).
  ASSERT_EQ(c.classes.size(), 6u);
  EXPECT_EQ(c.classes[0].label, "0% (none)");
  EXPECT_EQ(c.classes[1].label, "over 0% to under 1%");
  EXPECT_EQ(c.classes[5].label, "25% or more");
  const std::vector<std::size_t> counts = {2, 2, 1, 0, 0, 1};
  std::size_t sum = c.no_data;
  for (std::size_t k = 0; k < counts.size(); ++k) {
    EXPECT_EQ(c.classes[k].areas, counts[k]) << k;
    sum += c.classes[k].areas;
  }
  EXPECT_EQ(c.no_data, 2u);
  EXPECT_EQ(sum, values.size());
  EXPECT_EQ(c.classes[0].colour, "#ffffb2");  // none: palest (YlOrRd, 6 classes)
  EXPECT_EQ(c.classes[5].colour, "#bd0026");
  EXPECT_EQ(c.best_first().front(), 0u);
  EXPECT_NE(map_better_text(c).find("lowest share"), std::string::npos);
}

}  // namespace
}  // namespace notspot::outputs
