// Operator names that would give two layers, or a layer and its group's combinations, one
// column name. Expected column names are spelled out by hand from the documented rule
// (mob_<technology>_<setting>_<operator>, letters and digits kept, lower case).

#include "detail/mobile_column_check.hpp"

#include <gtest/gtest.h>

namespace notspot::study::detail {
namespace {

io::MobileTags tags(std::string op, std::string technology = "4G", std::string setting = "indoor") {
  return {std::move(op), std::move(technology), std::move(setting)};
}

TEST(MobileColumnCheck, DistinctOperatorsPass) {
  MobileColumnCheck check;
  for (const char* op : {"EE", "Three", "O2", "Vodafone", "Virgin Media O2"}) {
    EXPECT_FALSE(check.add(tags(op), op, 10)) << op;
  }
  // The same operator in another group has other columns.
  EXPECT_FALSE(check.add(tags("EE", "5G"), "ee_5g", 20));
  EXPECT_FALSE(check.add(tags("EE", "4G", "outdoor"), "ee_outdoor", 30));
}

TEST(MobileColumnCheck, NamesThatGiveOneColumnNameBothLayers) {
  MobileColumnCheck check;
  EXPECT_FALSE(check.add(tags("Virgin Media"), "vm_a", 12));
  const auto problem = check.add(tags("Virgin-Media"), "vm_b", 20);
  ASSERT_TRUE(problem);
  EXPECT_NE(problem->find("'vm_b'"), std::string::npos) << *problem;
  EXPECT_NE(problem->find("'vm_a' at line 12"), std::string::npos) << *problem;
  EXPECT_NE(problem->find("mob_4g_indoor_virgin_media"), std::string::npos) << *problem;
}

TEST(MobileColumnCheck, AnOperatorsCountMayNotBeAnotherOperatorsPercentage) {
  // "EE pct" -> mob_4g_indoor_ee_pct, the percentage column of "EE".
  MobileColumnCheck check;
  EXPECT_FALSE(check.add(tags("EE"), "ee", 12));
  const auto problem = check.add(tags("EE pct"), "ee_pct", 20);
  ASSERT_TRUE(problem);
  EXPECT_NE(problem->find("mob_4g_indoor_ee_pct"), std::string::npos) << *problem;
}

TEST(MobileColumnCheck, ReservedCombinationNamesAreRefused) {
  for (const char* op : {"Any", "ALL", "none", "Partial", "any pct"}) {
    MobileColumnCheck check;
    const auto problem = check.add(tags(op), "layer", 12);
    ASSERT_TRUE(problem) << op;
    EXPECT_NE(problem->find("a name kept for the 4G indoor premises"), std::string::npos)
        << *problem;
  }
}

}  // namespace
}  // namespace notspot::study::detail
