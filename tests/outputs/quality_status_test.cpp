// The one wording of a run's quality status (quality_status.hpp): the status line, and per
// failed check what was measured against which limit and what it means. Expected texts are
// written out by hand from the checks given.

#include "notspot/outputs/quality_status.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace notspot::outputs {
namespace {

// The six checks of a run with one fixed-broadband layer "speeds", all passing.
std::vector<QualityCheck> passing_checks() {
  return {
      {"max_rejected_share", "rejected_share", 0.002, 0.01, true, "", false},
      {"max_outside_share", "outside_share", 0.004, 0.01, true, "", false},
      {"max_no_data_share", "no_data_share", 0.0, 1.0, true, "", false},
      {"max_unmatched_share (speeds)", "unmatched_share (speeds)", 0.01, 1.0, true, "", false},
      {"premises_assigned", "assigned_share", 0.994, 0, true, "", true},
      {"premises_coordinates", "outside_share", 0.004, 0, true, "", true},
  };
}

TEST(QualityStatus, PassedSaysHowManyChecks) {
  const QualityStatus s = quality_status(passing_checks());
  EXPECT_TRUE(s.passed);
  EXPECT_EQ(s.line, "Data quality: passed, 6 checks");
  EXPECT_TRUE(s.failures.empty());
}

TEST(QualityStatus, FailedNamesEachFailedCheckInOrder) {
  std::vector<QualityCheck> checks = passing_checks();
  checks[1].value = 0.021;  // 2.1% outside, limit 1%
  checks[1].passed = false;
  checks[4] = {"premises_assigned", "assigned_share", 0, 0, false, "", true};
  const QualityStatus s = quality_status(checks);
  EXPECT_FALSE(s.passed);
  EXPECT_EQ(s.line,
            "Data quality: FAILED: 2 of 6 checks failed (max_outside_share, premises_assigned); "
            "do not use these figures until the data is fixed");
  ASSERT_EQ(s.failures.size(), 2u);
  EXPECT_EQ(s.failures[0].check, "max_outside_share");
  EXPECT_EQ(s.failures[0].sentence,
            "max_outside_share: 2.1% of the premises read were outside every area (limit 1%): "
            "figures may be missing premises; check the premises' CRS and the areas' coverage.");
  EXPECT_EQ(s.failures[1].check, "premises_assigned");
  EXPECT_EQ(s.failures[1].sentence,
            "premises_assigned: no premise read is inside any area (0% assigned; checked in "
            "every run, no limit relaxes it): every figure is zero and must not be used.");
}

TEST(QualityStatus, SentencesSayMeasuredLimitAndMeaningForEachKindOfCheck) {
  // 3 of 200 rows rejected = 1.5%, limit 1%.
  EXPECT_EQ(failed_check_sentence(
                {"max_rejected_share", "rejected_share", 3.0 / 200, 0.01, false, "", false}),
            "max_rejected_share: 1.5% of the premises rows read were rejected (limit 1%): those "
            "premises are left out of every figure, so counts are too low; rejected.csv gives "
            "each row's reason.");
  // 1 of 3 premises without data = 33.3%, limit 10%.
  EXPECT_EQ(failed_check_sentence(
                {"max_no_data_share", "no_data_share", 1.0 / 3, 0.1, false, "", false}),
            "max_no_data_share: 33.3% of the premises in the areas have no fixed-broadband row "
            "in any layer (limit 10%): they count as not meeting any speed threshold, so "
            "coverage figures may be too low; check that the broadband layers are for this "
            "study's area and the premises' vintage.");
  // The layer is named from the check's name; the explanation follows.
  EXPECT_EQ(failed_check_sentence({"max_unmatched_share (speeds)", "unmatched_share (speeds)",
                                   0.5, 0.05, false,
                                   "speeds.csv: 10 of 20 rows have a uprn that matches no premise",
                                   false}),
            "max_unmatched_share (speeds): 50% of the usable rows of layer speeds match no "
            "premise (limit 5%): the layer may be for another area or vintage, so premises may "
            "lack its data and its figures be too low. In detail: speeds.csv: 10 of 20 rows "
            "have a uprn that matches no premise");
  EXPECT_EQ(failed_check_sentence({"premises_coordinates", "outside_share", 1.0, 0, false,
                                   "x looks like longitude", true}),
            "premises_coordinates: the premises' coordinates look like those of another CRS, "
            "or swapped (100% outside every area; checked in every run, no limit relaxes it): "
            "the figures are wrong. In detail: x looks like longitude");
  // A check this wording does not know still says measured and limit.
  EXPECT_EQ(failed_check_sentence({"max_new_share", "new_share", 0.25, 0.2, false, "", false}),
            "max_new_share: measured 25% (limit 20%): the figures may be wrong.");
}

TEST(QualityStatus, SharesAsPercentages) {
  EXPECT_EQ(share_text(0.021), "2.1%");
  EXPECT_EQ(share_text(0.01), "1%");
  EXPECT_EQ(share_text(1.0), "100%");
  EXPECT_EQ(share_text(0.0), "0%");
  EXPECT_EQ(share_text(2.0 / 3), "66.7%");
  EXPECT_EQ(share_text(0.00123), "0.123%");
  EXPECT_EQ(share_text(0.00001), "under 0.01%");
}

TEST(QualityStatus, NoChecksIsPassedWithZeroChecks) {
  const QualityStatus s = quality_status({});
  EXPECT_TRUE(s.passed);
  EXPECT_EQ(s.line, "Data quality: passed, 0 checks");
}

}  // namespace
}  // namespace notspot::outputs
