// The Ofcom postcode-level layer: rows joined to premises by normalised postcode, every row
// accounted for, and percentages turned into exact millionths.

#include "notspot/io/postcode_layer.hpp"

#include <gtest/gtest.h>

#include <array>
#include <fstream>
#include <string>
#include <vector>

#include "notspot/engine/error.hpp"
#include "notspot/engine/postcode.hpp"
#include "support/layer_files.hpp"

namespace notspot::io {
namespace {

class OfcomPostcodeTest : public test::LayerFilesTest {
 protected:
  LayerSource postcode_layer(const std::string& csv) {
    std::ofstream(dir_ / "pc.csv") << csv;
    LayerSource layer;
    layer.kind = LayerKind::kOfcomPostcode;
    layer.name = "ofcom";
    layer.path = dir_ / "pc.csv";
    layer.key_field = "postcode";
    layer.where = {dir_ / "study.toml", 20};
    return layer;
  }
  static engine::PremisesTable premises_with(const std::vector<const char*>& postcodes) {
    engine::PremisesTable t;
    t.enable_postcodes();
    for (std::size_t i = 0; i < postcodes.size(); ++i) {
      const auto key = postcodes[i] ? engine::postcode_key(postcodes[i]) : std::nullopt;
      t.push_back(100 + i, 0, 0, i + 2, key.value_or(0));
    }
    return t;
  }
  static std::size_t idx(engine::Estimate e) { return static_cast<std::size_t>(e); }
};

TEST_F(OfcomPostcodeTest, JoinsNormalisedPostcodesAndAccountsForEveryRow) {
  const std::string csv =
      "postcode,postcode_space,postcode area,SFBB availability (% premises),"
      "Gigabit availability (% premises),% of premises below the USO\n"
      "DT11AA,DT1 1AA,DT,97.3,50,0.5\n"        // line 2
      "dt1 1ab,DT1 1AB,DT,100,,\n"             // line 3: two blanks (0)
      "DT1 1AA,DT1 1AA,DT,10,10,10\n"          // line 4: duplicate, the first row wins
      "DT11AC,DT1 1AC,DT,100.5,0,0\n"          // line 5: not a percentage
      "DT1,DT1,DT,1,1,1\n"                     // line 6: not a postcode
      "\n"                                     // line 7: blank line
      "BA215BT,BA21 5BT,BA,-1,0,0\n"           // line 8: negative
      "EC1A 1BB,EC1A 1BB,EC,33.3333,0,12.5\n"  // line 9: no premises have it
      "W1A0AX,W1A 0AX,W,abc,0,0\n"             // line 10: not a number
      "CR26XH,CR2 6XH,CR,1,2\n";               // line 11: a field missing
  const LayerSource layer = postcode_layer(csv);
  const engine::PremisesTable premises =
      premises_with({"DT1 1AA", "dt11aa", "DT1 1AB", nullptr, "DT1 1AC", "W1A 0AX", "M1 1AE"});
  io::ProblemLog log;
  io::Progress progress;
  const io::PostcodeLayerLoad load =
      io::join_ofcom_postcodes(layer, "pc.csv", premises, log, progress);

  EXPECT_EQ(load.rows_read, 9u);
  EXPECT_EQ(load.blank_lines, 1u);
  EXPECT_EQ(load.rejected, 5u);
  EXPECT_EQ(load.duplicate_keys, 1u);
  EXPECT_EQ(load.postcodes, 3u);  // DT11AA, DT11AB, EC1A1BB
  EXPECT_EQ(load.rows_read, load.postcodes + load.duplicate_keys + load.rejected);
  EXPECT_EQ(load.blank_values, 2u);
  EXPECT_EQ(load.measures,
            (std::array<bool, engine::kEstimateCount>{true, false, false, true, true, false}));

  ASSERT_EQ(log.rejected().size(), 5u);
  const std::vector<std::pair<std::uint64_t, std::string>> rejected = {{5, "not a percentage"},
                                                                       {6, "is not a postcode"},
                                                                       {8, "not a percentage"},
                                                                       {10, "not a percentage"},
                                                                       {11, "fields"}};
  for (std::size_t k = 0; k < rejected.size(); ++k) {
    EXPECT_EQ(log.rejected()[k].line, rejected[k].first);
    EXPECT_NE(log.rejected()[k].reason.find(rejected[k].second), std::string::npos)
        << log.rejected()[k].reason;
    EXPECT_EQ(log.rejected()[k].source, "ofcom");
  }

  // Premises: two on DT11AA, one on DT11AB; one without a postcode; DT11AC (rejected row),
  // W1A0AX (rejected row) and M11AE (absent) have no row.
  ASSERT_EQ(load.row_of_premise.size(), 7u);
  EXPECT_EQ(load.premises_with_row, 3u);
  EXPECT_EQ(load.premises_without_postcode, 1u);
  EXPECT_EQ(load.premises_postcode_not_found, 3u);
  EXPECT_EQ(load.postcodes_with_premises, 2u);
  EXPECT_EQ(load.postcodes_without_premises, 1u);
  EXPECT_EQ(load.row_of_premise[0], load.row_of_premise[1]);
  for (std::size_t i = 3; i < 7; ++i) EXPECT_EQ(load.row_of_premise[i], engine::kNoRow);

  // The rates of the first DT11AA row (not the duplicate), in millionths.
  const engine::PostcodeRates& dt11aa = load.rates.at(load.row_of_premise[0]);
  EXPECT_EQ(dt11aa[idx(engine::Estimate::kSuperfast)], 973000);
  EXPECT_EQ(dt11aa[idx(engine::Estimate::kGigabit)], 500000);
  EXPECT_EQ(dt11aa[idx(engine::Estimate::kBelowUso)], 5000);
  EXPECT_EQ(dt11aa[idx(engine::Estimate::kUltrafast)], 0);
  const engine::PostcodeRates& dt11ab = load.rates.at(load.row_of_premise[2]);
  EXPECT_EQ(dt11ab[idx(engine::Estimate::kSuperfast)], 1000000);
  EXPECT_EQ(dt11ab[idx(engine::Estimate::kGigabit)], 0);
  EXPECT_EQ(dt11ab[idx(engine::Estimate::kBelowUso)], 0);

  // Into estimates: premises 0 and 2 in area 0, premise 1 in area 1.
  const std::vector<std::uint32_t> area = {0, 1, 0, 0, 1, 1, 0};
  const auto e = engine::estimate_by_area(area, load.row_of_premise, load.rates, 2);
  EXPECT_EQ(e[0].premises, 2u);
  EXPECT_EQ(e[0].millionths[idx(engine::Estimate::kSuperfast)], 1973000);
  EXPECT_EQ(e[0].millionths[idx(engine::Estimate::kGigabit)], 500000);
  EXPECT_EQ(e[1].premises, 1u);
  EXPECT_EQ(e[1].millionths[idx(engine::Estimate::kBelowUso)], 5000);

  EXPECT_TRUE(contains_text(log, "1 rows repeat a postcode"));
  EXPECT_TRUE(contains_text(log, "3 premises have a postcode with no row"));
}

TEST_F(OfcomPostcodeTest, PercentagesBecomeExactMillionths) {
  const LayerSource layer = postcode_layer(
      "postcode,Full Fibre availability (% premises)\n"
      "AB1 2CD,33.3333\nAB1 2CE,0.0001\nAB1 2CF,100\nAB1 2CG,12.34567\nAB1 2CH,0\n");
  const engine::PremisesTable premises =
      premises_with({"AB12CD", "AB12CE", "AB12CF", "AB12CG", "AB12CH"});
  io::ProblemLog log;
  io::Progress progress;
  const io::PostcodeLayerLoad load =
      io::join_ofcom_postcodes(layer, "pc.csv", premises, log, progress);
  ASSERT_EQ(load.postcodes, 5u);
  const std::vector<std::int64_t> expected = {333333, 1, 1000000, 123457, 0};
  for (std::size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(load.rates.at(load.row_of_premise[i])[idx(engine::Estimate::kFullFibre)],
              expected[i]);
  }
}

// Regression: a row rejected for a bad percentage used to add its earlier blank cells to
// blank_values, although none of its cells is read.
TEST_F(OfcomPostcodeTest, BlankCellsOfRejectedRowsAreNotCounted) {
  // SFBB comes before Gigabit in notspot's measures, so its blank cell is seen first.
  const LayerSource layer = postcode_layer(
      "postcode,SFBB availability (% premises),Gigabit availability (% premises)\n"
      "DT1 1AA,,200\n"
      "DT1 1AB,,5\n");
  const engine::PremisesTable premises = premises_with({"DT1 1AB"});
  io::ProblemLog log;
  io::Progress progress;
  const io::PostcodeLayerLoad load =
      io::join_ofcom_postcodes(layer, "pc.csv", premises, log, progress);
  EXPECT_EQ(load.rejected, 1u);
  EXPECT_EQ(load.blank_values, 1u);  // only DT1 1AB's
}

TEST_F(OfcomPostcodeTest, ByteOrderMarkCrLfAndQuotedFields) {
  const LayerSource layer = postcode_layer(
      "\xEF\xBB\xBFpostcode,\"postcode area\",\"Gigabit availability (% premises)\"\r\n"
      "\"DT1 1AA\",DT,\"62.5\"\r\n"
      "DT11AB,\"DT, Dorchester\",7\r\n");
  const engine::PremisesTable premises = premises_with({"DT1 1AB", "DT1 1AA"});
  io::ProblemLog log;
  io::Progress progress;
  const io::PostcodeLayerLoad load =
      io::join_ofcom_postcodes(layer, "pc.csv", premises, log, progress);
  EXPECT_EQ(load.rejected, 0u);
  EXPECT_EQ(load.postcodes, 2u);
  ASSERT_EQ(load.premises_with_row, 2u);
  EXPECT_EQ(load.rates.at(load.row_of_premise[0])[idx(engine::Estimate::kGigabit)], 70000);
  EXPECT_EQ(load.rates.at(load.row_of_premise[1])[idx(engine::Estimate::kGigabit)], 625000);
}

TEST_F(OfcomPostcodeTest, StudyErrors) {
  io::ProblemLog log;
  io::Progress progress;
  // Premises without postcodes.
  engine::PremisesTable no_postcodes;
  no_postcodes.push_back(1, 0, 0, 2);
  const LayerSource good =
      postcode_layer("postcode,Gigabit availability (% premises)\nDT1 1AA,50\n");
  try {
    io::join_ofcom_postcodes(good, "pc.csv", no_postcodes, log, progress);
    FAIL();
  } catch (const engine::Error& e) {
    EXPECT_EQ(e.kind(), engine::ErrorKind::kStudy);
    EXPECT_NE(std::string(e.what()).find("postcode"), std::string::npos) << e.what();
  }
  // No known percentage column.
  const LayerSource none = postcode_layer("postcode,something else\nDT1 1AA,50\n");
  try {
    io::join_ofcom_postcodes(none, "pc.csv", premises_with({"DT1 1AA"}), log, progress);
    FAIL();
  } catch (const engine::Error& e) {
    EXPECT_EQ(e.kind(), engine::ErrorKind::kStudy);
    EXPECT_NE(std::string(e.what()).find("Gigabit availability (% premises)"), std::string::npos)
        << e.what();
  }
  // No key column.
  const LayerSource no_key = postcode_layer("pcd,Gigabit availability (% premises)\nDT1 1AA,50\n");
  EXPECT_THROW(
      io::join_ofcom_postcodes(no_key, "pc.csv", premises_with({"DT1 1AA"}), log, progress),
      engine::Error);
}

}  // namespace
}  // namespace notspot::io
