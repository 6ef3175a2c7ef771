// Unit tests of the fixed-broadband indicators and their per-area counts. Expected flags and
// tables are written out by hand from the definitions in indicators.hpp.

#include "notspot/engine/indicators.hpp"

#include <gtest/gtest.h>
#include <tbb/task_arena.h>

#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "notspot/engine/area_index.hpp"
#include "notspot/engine/error.hpp"

namespace notspot {
namespace {

using engine::AreaCounts;
using engine::FixedBroadband;
using engine::Indicator;
using engine::SubsidyStatus;
using engine::Thresholds;

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

std::uint32_t flags_of(std::initializer_list<Indicator> list) {
  std::uint32_t f = 0;
  for (Indicator i : list) f |= 1u << static_cast<unsigned>(i);
  return f;
}

// Readable failure messages: the column names of the set bits.
std::string names(std::uint32_t flags) {
  std::ostringstream out;
  out << "{";
  for (const auto& info : engine::indicator_catalogue()) {
    if (flags & (1u << static_cast<unsigned>(info.indicator))) out << " " << info.column;
  }
  out << " }";
  return out.str();
}

#define EXPECT_FLAGS(premise, thresholds, ...) \
  EXPECT_EQ(names(engine::indicator_flags(premise, thresholds)), names(flags_of({__VA_ARGS__})))

FixedBroadband speed(float down, float up) {
  FixedBroadband p;
  p.has_speed_record = true;
  p.down_mbps = down;
  p.up_mbps = up;
  return p;
}

FixedBroadband bduk(SubsidyStatus status, bool current_gigabit) {
  FixedBroadband p;
  p.has_bduk_record = true;
  p.subsidy = status;
  p.current_gigabit = current_gigabit;
  return p;
}

const Thresholds kDefault{};

// ---- the catalogue --------------------------------------------------------------------------

TEST(Indicators, CatalogueIsInEnumOrderWithUniqueColumns) {
  const auto catalogue = engine::indicator_catalogue();
  ASSERT_EQ(catalogue.size(), engine::kIndicatorCount);
  std::set<std::string_view> columns;
  for (std::size_t i = 0; i < catalogue.size(); ++i) {
    EXPECT_EQ(static_cast<std::size_t>(catalogue[i].indicator), i);
    EXPECT_FALSE(catalogue[i].definition.empty());
    columns.insert(catalogue[i].column);
  }
  EXPECT_EQ(columns.size(), engine::kIndicatorCount);
  EXPECT_EQ(catalogue[0].column, "gigabit");
  EXPECT_EQ(catalogue[static_cast<std::size_t>(Indicator::kBelowUso)].column, "below_uso");
  EXPECT_EQ(catalogue[static_cast<std::size_t>(Indicator::kNoData)].column, "no_data");
}

// ---- speed thresholds -----------------------------------------------------------------------

TEST(Indicators, ExactlyOnAThresholdCounts) {
  using enum Indicator;
  // Default thresholds: gigabit 1000, ultrafast 300, superfast 30, decent 10 down and 1 up.
  EXPECT_FLAGS(speed(1000, 1), kDefault, kGigabit, kUltrafast, kSuperfast, kDecent);
  EXPECT_FLAGS(speed(300, 1), kDefault, kUltrafast, kSuperfast, kDecent);
  EXPECT_FLAGS(speed(30, 1), kDefault, kSuperfast, kDecent);
  EXPECT_FLAGS(speed(10, 1), kDefault, kDecent);
}

TEST(Indicators, JustBelowAThresholdDoesNot) {
  using enum Indicator;
  EXPECT_FLAGS(speed(999.9f, 50), kDefault, kUltrafast, kSuperfast, kDecent);
  EXPECT_FLAGS(speed(299.9f, 50), kDefault, kSuperfast, kDecent);
  EXPECT_FLAGS(speed(29.9f, 50), kDefault, kDecent);
  // Decent needs both directions: short on download, or short on upload, is below the USO.
  EXPECT_FLAGS(speed(9.99f, 50), kDefault, kBelowUso);
  EXPECT_FLAGS(speed(10, 0.99f), kDefault, kBelowUso);
  EXPECT_FLAGS(speed(80, 0.5f), kDefault, kSuperfast, kBelowUso);
  EXPECT_FLAGS(speed(0, 0), kDefault, kBelowUso);
}

TEST(Indicators, NaNSpeedsNeverCount) {
  using enum Indicator;
  // A speed row with no usable speed: nothing is known, so nothing is flagged, not even
  // below-USO, and it is not "no data" either (a row exists).
  EXPECT_FLAGS(speed(kNaN, kNaN), kDefault);
  EXPECT_FLAGS(speed(kNaN, 100), kDefault);
  // Download known and below 10: below the USO whatever the upload.
  EXPECT_FLAGS(speed(5, kNaN), kDefault, kBelowUso);
  // Download known and fast, upload unknown: superfast, but decent is not established.
  const std::uint32_t f = engine::indicator_flags(speed(50, kNaN), kDefault);
  EXPECT_TRUE(f & flags_of({kSuperfast})) << names(f);
  EXPECT_FALSE(f & flags_of({kDecent})) << names(f);
}

// A premise whose download (50 Mbit/s) meets the decent threshold but whose upload is unknown
// (NaN): whether it is below the USO is unknown, so it must not be flagged below the USO.
// (Regression: found by this test; fixed in 71eb7df.)
TEST(Indicators, UnknownUploadWithDecentDownloadIsNotBelowUso) {
  using enum Indicator;
  const std::uint32_t f = engine::indicator_flags(speed(50, kNaN), kDefault);
  EXPECT_FALSE(f & flags_of({kBelowUso})) << names(f);
}

TEST(Indicators, CustomThresholds) {
  using enum Indicator;
  Thresholds t;
  t.gigabit_mbps = 500;
  t.ultrafast_mbps = 100;
  t.superfast_mbps = 24;
  t.decent_down_mbps = 2;
  t.decent_up_mbps = 0.5;
  EXPECT_FLAGS(speed(500, 0.5f), t, kGigabit, kUltrafast, kSuperfast, kDecent);
  EXPECT_FLAGS(speed(100, 0.5f), t, kUltrafast, kSuperfast, kDecent);
  EXPECT_FLAGS(speed(24, 0.5f), t, kSuperfast, kDecent);
  EXPECT_FLAGS(speed(2, 0.5f), t, kDecent);
  EXPECT_FLAGS(speed(2, 0.25f), t, kBelowUso);
  // The same premise under the default thresholds: 500 is only ultrafast, 0.5 up is below USO.
  EXPECT_FLAGS(speed(500, 0.5f), kDefault, kUltrafast, kSuperfast, kBelowUso);
}

// ---- BDUK and other attributes ------------------------------------------------------------

TEST(Indicators, BdukCurrentGigabitImpliesEverySpeedTier) {
  using enum Indicator;
  // BDUK record only: gigabit, hence ultrafast, superfast and decent; the speed is known, and
  // decent, so not below the USO.
  EXPECT_FLAGS(bduk(SubsidyStatus::kUnknown, true), kDefault, kGigabit, kUltrafast, kSuperfast,
               kDecent);
  // BDUK overrides a slow (or unknown) speed row.
  FixedBroadband p = speed(5, 0.5f);
  p.has_bduk_record = true;
  p.current_gigabit = true;
  EXPECT_FLAGS(p, kDefault, kGigabit, kUltrafast, kSuperfast, kDecent);
  p = speed(kNaN, kNaN);
  p.has_bduk_record = true;
  p.current_gigabit = true;
  EXPECT_FLAGS(p, kDefault, kGigabit, kUltrafast, kSuperfast, kDecent);
}

TEST(Indicators, AttributesWithoutTheirRecordAreIgnored) {
  using enum Indicator;
  // current_gigabit without a BDUK record: ignored, so a slow speed row is below the USO.
  FixedBroadband p = speed(5, 0.5f);
  p.current_gigabit = true;
  p.subsidy = SubsidyStatus::kWhite;  // ignored too: no BDUK record
  EXPECT_FLAGS(p, kDefault, kBelowUso);
  // Speeds without a speed row (stale values): ignored; the BDUK row alone says nothing
  // about speed, so not below the USO either.
  p = bduk(SubsidyStatus::kUnknown, false);
  p.down_mbps = 2000;
  p.up_mbps = 2000;
  p.full_fibre = true;  // the technology comes from the speed row, which is absent
  EXPECT_FLAGS(p, kDefault);
}

TEST(Indicators, FullFibreIsIndependentOfSpeed) {
  using enum Indicator;
  FixedBroadband p = speed(kNaN, kNaN);
  p.full_fibre = true;
  EXPECT_FLAGS(p, kDefault, kFullFibre);
  p = speed(8, 2);
  p.full_fibre = true;
  EXPECT_FLAGS(p, kDefault, kBelowUso, kFullFibre);
}

TEST(Indicators, SubsidyStatuses) {
  using enum Indicator;
  EXPECT_FLAGS(bduk(SubsidyStatus::kWhite, false), kDefault, kBdukWhite);
  EXPECT_FLAGS(bduk(SubsidyStatus::kGreyBlack, false), kDefault, kBdukGreyBlack);
  EXPECT_FLAGS(bduk(SubsidyStatus::kUnderReview, false), kDefault, kBdukUnderReview);
  EXPECT_FLAGS(bduk(SubsidyStatus::kUnknown, false), kDefault);
  EXPECT_FLAGS(bduk(SubsidyStatus::kWhite, true), kDefault, kGigabit, kUltrafast, kSuperfast,
               kDecent, kBdukWhite);
}

TEST(Indicators, NoDataOnlyWithoutAnyRecord) {
  using enum Indicator;
  FixedBroadband p;  // no record; the other fields must not leak into flags
  EXPECT_FLAGS(p, kDefault, kNoData);
  p.down_mbps = 2000;
  p.up_mbps = 2000;
  p.full_fibre = true;
  p.current_gigabit = true;
  p.subsidy = SubsidyStatus::kWhite;
  EXPECT_FLAGS(p, kDefault, kNoData);
  // Either record is data.
  EXPECT_FALSE(engine::indicator_flags(speed(kNaN, kNaN), kDefault) & flags_of({kNoData}));
  EXPECT_FALSE(engine::indicator_flags(bduk(SubsidyStatus::kUnknown, false), kDefault) &
               flags_of({kNoData}));
}

// ---- counting per area --------------------------------------------------------------------

// Ten premises of six kinds, spread over areas 0..2 and three that must not be counted.
struct Block {
  std::vector<std::uint32_t> area;
  std::vector<FixedBroadband> broadband;
};

Block hand_block() {
  FixedBroadband none;                    // {no_data}
  FixedBroadband gig = speed(1000, 100);  // {gigabit ultrafast superfast decent full_fibre}
  gig.full_fibre = true;
  const FixedBroadband sf = speed(50, 10);                          // {superfast decent}
  const FixedBroadband slow = speed(5, 0.5f);                       // {below_uso}
  const FixedBroadband white = bduk(SubsidyStatus::kWhite, false);  // {bduk_white}
  const FixedBroadband bgig = bduk(SubsidyStatus::kGreyBlack, true);
  // bgig: {gigabit ultrafast superfast decent bduk_grey_black}
  const std::uint32_t out = engine::AreaIndex::kOutside;
  return Block{{0, 0, 0, 0, 1, 1, 1, 2, out, 3},
               {gig, sf, slow, none, slow, slow, white, bgig, gig, sf}};
}

// The table, counted by hand from hand_block(); the last two premises are outside / area 3.
std::vector<AreaCounts> hand_table(std::uint64_t times) {
  std::vector<AreaCounts> t(3);
  auto set = [&](std::size_t area, Indicator i, std::uint64_t n) {
    t[area].counts[static_cast<std::size_t>(i)] = n * times;
  };
  using enum Indicator;
  t[0].premises = 4 * times;  // gig, sf, slow, none
  set(0, kGigabit, 1);
  set(0, kUltrafast, 1);
  set(0, kSuperfast, 2);
  set(0, kDecent, 2);
  set(0, kBelowUso, 1);
  set(0, kFullFibre, 1);
  set(0, kNoData, 1);
  t[1].premises = 3 * times;  // slow, slow, white
  set(1, kBelowUso, 2);
  set(1, kBdukWhite, 1);
  t[2].premises = 1 * times;  // bgig
  set(2, kGigabit, 1);
  set(2, kUltrafast, 1);
  set(2, kSuperfast, 1);
  set(2, kDecent, 1);
  set(2, kBdukGreyBlack, 1);
  return t;
}

void expect_tables_equal(const std::vector<AreaCounts>& got, const std::vector<AreaCounts>& want,
                         const std::string& label) {
  ASSERT_EQ(got.size(), want.size()) << label;
  for (std::size_t a = 0; a < want.size(); ++a) {
    EXPECT_EQ(got[a].premises, want[a].premises) << label << ", area " << a;
    for (std::size_t i = 0; i < engine::kIndicatorCount; ++i) {
      EXPECT_EQ(got[a].counts[i], want[a].counts[i])
          << label << ", area " << a << ", " << engine::indicator_catalogue()[i].column;
    }
  }
}

TEST(CountByArea, HandTable) {
  const Block b = hand_block();
  expect_tables_equal(engine::count_by_area(b.area, b.broadband, kDefault, 3), hand_table(1),
                      "hand block");
  // The count() accessor reads the same table.
  const auto got = engine::count_by_area(b.area, b.broadband, kDefault, 3);
  EXPECT_EQ(got[0].count(Indicator::kSuperfast), 2u);
  EXPECT_EQ(got[1].count(Indicator::kBelowUso), 2u);
}

TEST(CountByArea, AreasBeyondTheCountAreIgnored) {
  const Block b = hand_block();
  // With area_count = 4, the premise in area 3 (superfast, decent) is counted.
  const auto got = engine::count_by_area(b.area, b.broadband, kDefault, 4);
  ASSERT_EQ(got.size(), 4u);
  EXPECT_EQ(got[3].premises, 1u);
  EXPECT_EQ(got[3].count(Indicator::kSuperfast), 1u);
  EXPECT_EQ(got[3].count(Indicator::kDecent), 1u);
  EXPECT_EQ(got[3].count(Indicator::kGigabit), 0u);
  // With area_count = 1, only area 0 remains.
  const auto one = engine::count_by_area(b.area, b.broadband, kDefault, 1);
  ASSERT_EQ(one.size(), 1u);
  EXPECT_EQ(one[0].premises, 4u);
  // No areas at all.
  EXPECT_TRUE(engine::count_by_area(b.area, b.broadband, kDefault, 0).empty());
}

TEST(CountByArea, EmptyInputGivesZeroTable) {
  const auto got = engine::count_by_area({}, {}, kDefault, 2);
  ASSERT_EQ(got.size(), 2u);
  for (const AreaCounts& c : got) {
    EXPECT_EQ(c.premises, 0u);
    for (std::uint64_t n : c.counts) EXPECT_EQ(n, 0u);
  }
}

TEST(CountByArea, LengthMismatchThrows) {
  const std::vector<std::uint32_t> areas = {0, 1};
  const std::vector<FixedBroadband> broadband(3);
  try {
    engine::count_by_area(areas, broadband, kDefault, 2);
    FAIL() << "expected an engine::Error";
  } catch (const engine::Error& e) {
    EXPECT_EQ(e.kind(), engine::ErrorKind::kInternal);
  }
}

TEST(CountByArea, SameResultWithOneAndFourThreads) {
  // 60,000 copies of the block: 600,000 premises, several parallel chunks. The expected table
  // is the hand table times 60,000.
  const Block b = hand_block();
  constexpr std::uint64_t kTimes = 60000;
  std::vector<std::uint32_t> area;
  std::vector<FixedBroadband> broadband;
  for (std::uint64_t k = 0; k < kTimes; ++k) {
    area.insert(area.end(), b.area.begin(), b.area.end());
    broadband.insert(broadband.end(), b.broadband.begin(), b.broadband.end());
  }
  std::vector<AreaCounts> serial, parallel;
  tbb::task_arena(1).execute([&] { serial = engine::count_by_area(area, broadband, kDefault, 3); });
  tbb::task_arena(4).execute(
      [&] { parallel = engine::count_by_area(area, broadband, kDefault, 3); });
  expect_tables_equal(serial, hand_table(kTimes), "1 thread");
  expect_tables_equal(parallel, hand_table(kTimes), "4 threads");
}

TEST(CountByArea, CustomThresholdsReachTheCounts) {
  // Under a 40 Mbit/s superfast threshold the 50 Mbit/s premise stays superfast; under 60 it
  // does not: area 0 drops from 2 superfast to 1 (only the gigabit premise).
  const Block b = hand_block();
  Thresholds t;
  t.superfast_mbps = 60;
  const auto got = engine::count_by_area(b.area, b.broadband, t, 3);
  EXPECT_EQ(got[0].count(Indicator::kSuperfast), 1u);
  EXPECT_EQ(got[0].count(Indicator::kDecent), 2u);
}

TEST(AreaCounts, PlusEqualsAddsEverything) {
  AreaCounts a, b;
  a.premises = 3;
  a.counts[0] = 1;
  a.counts[9] = 2;
  b.premises = 4;
  b.counts[0] = 5;
  b.counts[4] = 7;
  a += b;
  EXPECT_EQ(a.premises, 7u);
  EXPECT_EQ(a.counts[0], 6u);
  EXPECT_EQ(a.counts[4], 7u);
  EXPECT_EQ(a.counts[9], 2u);
  EXPECT_EQ(b.premises, 4u);
}

TEST(Percentage, Values) {
  EXPECT_TRUE(std::isnan(engine::percentage(0, 0)));
  EXPECT_EQ(engine::percentage(0, 5), 0.0);
  EXPECT_EQ(engine::percentage(5, 5), 100.0);
  EXPECT_EQ(engine::percentage(1, 4), 25.0);
  EXPECT_DOUBLE_EQ(engine::percentage(1, 3), 100.0 / 3.0);
}

}  // namespace
}  // namespace notspot
