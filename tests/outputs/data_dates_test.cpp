// The data dates (`as_at`) as the outputs show them: validation, wording, the rows listed for a
// run, and how the change section names two runs. Expected texts are written by hand.

#include "notspot/outputs/data_dates.hpp"

#include <gtest/gtest.h>

#include <string>

namespace notspot::outputs {
namespace {

TEST(DataDates, ValidFormsAreYearMonthAndDay) {
  for (const char* good : {"2025", "2025-07", "2025-07-04", "2024-02-29", "2000-02-29",
                           "2025-12-31", "1999-01"}) {
    EXPECT_TRUE(valid_as_at(good)) << good;
  }
  // Month 13 and 00; 29 February in 2025 and 1900 (not leap years); 31 April; missing zero
  // padding; other separators; words; trailing text.
  for (const char* bad : {"2025-13", "2025-00", "2025-02-29", "1900-02-29", "2025-04-31",
                          "2025-7", "2025/07", "July 2025", "2025-07-04T10:00", "25", "",
                          "2025-07-00", "0999", "2025 "}) {
    EXPECT_FALSE(valid_as_at(bad)) << bad;
  }
}

TEST(DataDates, DescribesEachFormInWords) {
  EXPECT_EQ(describe_as_at("2025"), "2025");
  EXPECT_EQ(describe_as_at("2025-07"), "July 2025");
  EXPECT_EQ(describe_as_at("2026-10-01"), "1 October 2026");
  EXPECT_EQ(describe_as_at("2026-01-31"), "31 January 2026");
  EXPECT_EQ(describe_as_at(std::nullopt), "not stated");
  EXPECT_EQ(describe_as_at("2025-13"), "not stated");  // never a made-up date
}

RunRecord sample_record() {
  RunRecord r;
  r.study.as_at = "2026-10";
  InputRecord areas;
  areas.role = "areas";
  areas.file = "parishes.gpkg";
  areas.as_at = "2025";
  InputRecord premises;
  premises.role = "premises";
  premises.file = "premises.csv";
  premises.as_at = "2026-10-01";
  InputRecord speeds;
  speeds.role = "layer";
  speeds.kind = "fixed-speeds";
  speeds.name = "Ofcom";
  speeds.as_at = "2025-07";
  InputRecord bduk;
  bduk.role = "layer";
  bduk.kind = "bduk-premises";
  bduk.name = "bduk";
  InputRecord ee;
  ee.role = "layer";
  ee.kind = "raster";
  ee.name = "EE_4G_indoor";
  ee.as_at = "2025-07";
  r.inputs = {areas, premises, speeds, bduk, ee};
  MobileLayerRecord m;
  m.name = "EE_4G_indoor";
  m.operator_name = "EE";
  m.technology = "4G";
  m.setting = "indoor";
  r.mobile_layers = {m};
  return r;
}

TEST(DataDates, OneRowForTheStudyThenOnePerInput) {
  const auto rows = data_dates(sample_record());
  const std::vector<std::pair<std::string, std::string>> expected = {
      {"Study", "October 2026"},
      {"Areas: parishes.gpkg", "2025"},
      {"Premises: premises.csv", "1 October 2026"},
      {"Fixed broadband: Ofcom", "July 2025"},
      {"BDUK premises: bduk", "not stated"},
      {"Mobile coverage (EE 4G indoor): EE_4G_indoor", "July 2025"},
  };
  EXPECT_EQ(rows, expected);
}

TEST(DataDates, TextJoinsTheRows) {
  RunRecord r;
  InputRecord speeds;
  speeds.role = "layer";
  speeds.kind = "fixed-speeds";
  speeds.name = "Ofcom";
  speeds.as_at = "2025-07";
  r.inputs = {speeds};
  EXPECT_EQ(data_dates_text(r), "Study, not stated; Fixed broadband: Ofcom, July 2025");
}

TEST(DataDates, RunsAreNamedByTheirDatesWhenBothHaveOne) {
  EXPECT_EQ(run_comparison("2026-10", "2026-09", "out_sep"),
            "October 2026 compared with September 2026");
  EXPECT_EQ(run_comparison("2026-10", std::nullopt, "out_sep"),
            "This run compared with the run in out_sep");
  EXPECT_EQ(run_comparison(std::nullopt, "2026-09", "out_sep"),
            "This run compared with the run in out_sep");
}

}  // namespace
}  // namespace notspot::outputs
