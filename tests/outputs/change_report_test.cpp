// The change report: an earlier run's outputs folder (written here by hand, as notspot writes
// it) compared with a statistics table built by hand. Expected deltas and crossings are worked
// out by hand from the figures below, not taken from the code under test.

#include "notspot/outputs/change_report.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>

#include "notspot/engine/error.hpp"

namespace notspot::outputs {
namespace {

namespace fs = std::filesystem;

constexpr const char* kBng = "EPSG:27700 (OSGB36 / British National Grid)";
constexpr const char* kSha = "8e60e46abac5d9ba6b33eddf53d7b85155ec937f20b4fe358b37146f497262db";

// The previous run. Gamma (E04000003) is not in the current run; Empty has no premises.
// Study: gigabit 260/350 = 74.29%, decent 346/350 = 98.86%.
constexpr const char* kPreviousStats =
    "level,area_id,area_name,premises,gigabit,gigabit_pct,decent,decent_pct,no_data,no_data_pct\n"
    "area,E04000001,Alpha,200,160,80.00,199,99.50,0,0.00\n"
    "area,E04000002,\"Beta, upper\",100,90,90.00,97,97.00,1,1.00\n"
    "area,E04000003,Gamma,50,10,20.00,50,100.00,0,0.00\n"
    "area,E04000005,Empty,0,0,,0,,0,\n"
    "study,,Test study,350,260,74.29,346,98.86,1,0.29\n";

struct ManifestFields {
  std::string gigabit_mbps = "1000.0";
  std::string technologies = R"(["FTTP", "FTTH"])";
  std::string crs = kBng;
  std::string vintage = R"("December 2023")";  // JSON: a string or null
  std::string areas_sha256 = kSha;
};

std::string manifest_text(const ManifestFields& f) {
  return R"({
  "notspot_version": "0.1.0",
  "study": {
    "name": "Test study",
    "file": "study.toml",
    "crs": ")" +
         f.crs + R"(",
    "boundary_vintage": )" +
         f.vintage + R"(
  },
  "thresholds": {
    "gigabit_mbps": )" +
         f.gigabit_mbps + R"(,
    "ultrafast_mbps": 300.0,
    "superfast_mbps": 30.0,
    "decent_down_mbps": 10.0,
    "decent_up_mbps": 1.0,
    "full_fibre_technologies": )" +
         f.technologies + R"(
  },
  "inputs": [
    {"role": "areas", "file": "parishes.gpkg", "sha256": ")" +
         f.areas_sha256 + R"("},
    {"role": "premises", "file": "premises.csv", "sha256": "0000"}
  ]
}
)";
}

class ChangeReportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("notspot_changes_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(previous());
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path previous() const { return dir_ / "previous"; }

  void write(const fs::path& path, const std::string& text) {
    std::ofstream(path, std::ios::binary) << text;
  }
  void write_previous(const ManifestFields& fields = {}) {
    write(previous() / "manifest.json", manifest_text(fields));
    write(previous() / "parish_stats.csv", kPreviousStats);
  }

  static std::string read(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }

  static RunIdentity identity() {
    RunIdentity id;
    id.study_name = "Test study";
    id.crs = kBng;
    id.boundary_vintage = "December 2023";
    id.areas_sha256 = kSha;
    return id;
  }

  // The current run, as build_stats_table() lays it out: counts, then percentages computed
  // from them. Alpha 180/210 gigabit = 85.71 (passes 85), Beta 83/98 = 84.69 (falls below 85),
  // Delta is new. full_fibre_pct is new in this run; no_data_pct is no longer there.
  static StatsTable current_table() {
    StatsTable t;
    const std::string_view columns[] = {"level",      "area_id",       "area_name", "premises",
                                        "gigabit",    "gigabit_pct",   "decent",    "decent_pct",
                                        "full_fibre", "full_fibre_pct"};
    t.columns = ColumnCatalogue(CatalogueOptions{}).subset(columns);
    auto row = [&](std::string level, std::string id, std::string name, std::uint64_t premises,
                   std::uint64_t gigabit, std::uint64_t decent, std::uint64_t fibre) {
      auto pct = [&](std::uint64_t n) {
        return premises == 0 ? std::nan("")
                             : 100.0 * static_cast<double>(n) / static_cast<double>(premises);
      };
      t.rows.push_back({Cell(level), Cell(id), Cell(name), Cell(premises), Cell(gigabit),
                        Cell(pct(gigabit)), Cell(decent), Cell(pct(decent)), Cell(fibre),
                        Cell(pct(fibre))});
    };
    row("area", "E04000001", "Alpha", 210, 180, 209, 100);
    row("area", "E04000002", "Beta, upper", 98, 83, 97, 50);
    row("area", "E04000004", "Delta", 40, 40, 40, 40);
    row("area", "E04000005", "Empty", 0, 0, 0, 0);
    // 303/348 = 87.07 (passes 85), 346/348 = 99.43 (passes 99).
    row("study", "", "Test study", 348, 303, 346, 190);
    return t;
  }

  fs::path dir_;
};

TEST_F(ChangeReportTest, DeltasCrossingsAndAreasInOneRunOnly) {
  write_previous();
  io::ProblemLog log;
  const ChangeReport report = compare_runs(previous(), current_table(), identity(), log);
  ASSERT_TRUE(report.comparable);
  EXPECT_EQ(report.columns, (std::vector<std::string>{"gigabit_pct", "decent_pct"}));
  ASSERT_EQ(report.areas.size(), 6u);  // 5 ids in either run + the study

  const AreaChange& alpha = report.areas[0];
  EXPECT_EQ(alpha.id, "E04000001");
  EXPECT_EQ(alpha.status, AreaStatus::kSame);
  EXPECT_EQ(alpha.premises_change, 10);
  ASSERT_TRUE(alpha.indicators[0].change);
  EXPECT_NEAR(*alpha.indicators[0].change, 5.71, 1e-9);
  ASSERT_EQ(alpha.crossings.size(), 1u);
  EXPECT_EQ(alpha.crossings[0].text(), "gigabit_pct passed 85");
  EXPECT_TRUE(alpha.crossings[0].improvement);

  const AreaChange& beta = report.areas[1];
  EXPECT_EQ(beta.name, "Beta, upper");
  EXPECT_EQ(beta.premises_change, -2);
  EXPECT_NEAR(*beta.indicators[0].change, -5.31, 1e-9);
  ASSERT_EQ(beta.crossings.size(), 1u);
  EXPECT_FALSE(beta.crossings[0].passed);
  EXPECT_FALSE(beta.crossings[0].improvement);

  EXPECT_EQ(report.areas[2].status, AreaStatus::kRemovedArea);
  EXPECT_EQ(report.areas[2].name, "Gamma");
  EXPECT_FALSE(report.areas[2].premises_after);
  EXPECT_EQ(report.areas[3].status, AreaStatus::kNewArea);
  EXPECT_FALSE(report.areas[3].premises_before);
  EXPECT_TRUE(report.areas.back().study_row);
  EXPECT_EQ(report.count(AreaStatus::kNewArea), 1u);
  EXPECT_EQ(report.count(AreaStatus::kRemovedArea), 1u);
  EXPECT_EQ(report.crossing_count(), 2u);  // the study row's are not counted

  // Columns in one run only are named, not silently compared or dropped.
  std::string notes;
  for (const std::string& n : report.notes) notes += n + "\n";
  EXPECT_NE(notes.find("full_fibre_pct"), std::string::npos) << notes;
  EXPECT_NE(notes.find("no_data_pct"), std::string::npos) << notes;
  ASSERT_EQ(log.warnings().size(), 1u);
  EXPECT_NE(log.warnings()[0].message.find("1 areas are new"), std::string::npos);

  const fs::path out = dir_ / "parish_changes.csv";
  write_changes_csv(out, report);
  EXPECT_EQ(read(out),
            "level,area_id,area_name,status,premises_before,premises_after,premises_change,"
            "gigabit_pct_before,gigabit_pct_after,gigabit_pct_change,"
            "decent_pct_before,decent_pct_after,decent_pct_change,crossed\n"
            "area,E04000001,Alpha,same,200,210,10,80.00,85.71,5.71,99.50,99.52,0.02,"
            "gigabit_pct passed 85\n"
            "area,E04000002,\"Beta, upper\",same,100,98,-2,90.00,84.69,-5.31,97.00,98.98,1.98,"
            "gigabit_pct fell below 85\n"
            "area,E04000003,Gamma,removed area,50,,,20.00,,,100.00,,,\n"
            "area,E04000004,Delta,new area,,40,,,100.00,,,100.00,,\n"
            "area,E04000005,Empty,same,0,0,0,,,,,,,\n"
            "study,,Test study,same,350,348,-2,74.29,87.07,12.78,98.86,99.43,0.57,"
            "gigabit_pct passed 85; decent_pct passed 99\n");
}

TEST_F(ChangeReportTest, ChangesAreExactOnTheWrittenFigures) {
  // 0.1 + 0.2 style noise must not show: 99.50 -> 99.52 is +0.02 exactly, and before + change
  // equals after as written.
  write_previous();
  io::ProblemLog log;
  const ChangeReport report = compare_runs(previous(), current_table(), identity(), log);
  for (const AreaChange& a : report.areas) {
    for (const IndicatorChange& c : a.indicators) {
      if (!c.change) continue;
      EXPECT_EQ(std::llround((*c.before + *c.change) * 100), std::llround(*c.after * 100));
    }
  }
}

TEST_F(ChangeReportTest, ReachingTheLevelExactlyPasses) {
  // 84.99 -> 85.00 passes 85 (a target is met at the level); 85.00 -> 84.99 falls below it.
  write(previous() / "manifest.json", manifest_text({}));
  write(previous() / "parish_stats.csv",
        "level,area_id,area_name,premises,gigabit_pct\n"
        "area,E1,Up,20,84.99\narea,E2,Down,20,85.00\nstudy,,Test study,40,84.99\n");
  StatsTable t;
  const std::string_view columns[] = {"level", "area_id", "area_name", "premises", "gigabit_pct"};
  t.columns = ColumnCatalogue(CatalogueOptions{}).subset(columns);
  t.rows.push_back({Cell(std::string("area")), Cell(std::string("E1")), Cell(std::string("Up")),
                    Cell(std::uint64_t{20}), Cell(85.0)});  // 17 of 20
  t.rows.push_back({Cell(std::string("area")), Cell(std::string("E2")), Cell(std::string("Down")),
                    Cell(std::uint64_t{20}), Cell(84.994)});  // written 84.99
  t.rows.push_back({Cell(std::string("study")), Cell(std::string()),
                    Cell(std::string("Test study")), Cell(std::uint64_t{40}), Cell(84.997)});
  io::ProblemLog log;
  const ChangeReport report = compare_runs(previous(), t, identity(), log);
  ASSERT_EQ(report.areas.size(), 3u);
  ASSERT_EQ(report.areas[0].crossings.size(), 1u);
  EXPECT_EQ(report.areas[0].crossings[0].text(), "gigabit_pct passed 85");
  ASSERT_EQ(report.areas[1].crossings.size(), 1u);
  EXPECT_EQ(report.areas[1].crossings[0].text(), "gigabit_pct fell below 85");
  // 84.997 is written 85.00: the study passes 85 on the figures as published.
  ASSERT_EQ(report.areas[2].crossings.size(), 1u);
  EXPECT_TRUE(report.areas[2].crossings[0].passed);
}

TEST_F(ChangeReportTest, DifferentThresholdsAreNotCompared) {
  ManifestFields fields;
  fields.gigabit_mbps = "900.0";
  write_previous(fields);
  io::ProblemLog log;
  const ChangeReport report = compare_runs(previous(), current_table(), identity(), log);
  EXPECT_FALSE(report.comparable);
  EXPECT_TRUE(report.areas.empty());
  ASSERT_EQ(report.reasons.size(), 1u);
  ASSERT_EQ(log.warnings().size(), 1u);
  const std::string& warning = log.warnings()[0].message;
  EXPECT_NE(warning.find("gigabit_mbps was 900 in the previous run and is 1000"), std::string::npos)
      << warning;

  const fs::path out = dir_ / "parish_changes.csv";
  write_changes_csv(out, report);
  EXPECT_EQ(read(out),
            "not_comparable_reason\nthresholds differ: gigabit_mbps was 900 in the "
            "previous run and is 1000 in this one\n");
}

TEST_F(ChangeReportTest, DifferentBoundaryVintageOrCrsIsNotCompared) {
  ManifestFields fields;
  fields.vintage = R"("May 2020")";
  fields.crs = "EPSG:4326 (WGS 84)";
  write_previous(fields);
  io::ProblemLog log;
  const ChangeReport report = compare_runs(previous(), current_table(), identity(), log);
  EXPECT_FALSE(report.comparable);
  ASSERT_EQ(report.reasons.size(), 2u);
  EXPECT_NE(report.reasons[0].find("EPSG:4326"), std::string::npos);
  EXPECT_NE(report.reasons[1].find("'May 2020'"), std::string::npos);
  EXPECT_NE(report.reasons[1].find("'December 2023'"), std::string::npos);
  EXPECT_EQ(log.warnings().size(), 2u);
}

TEST_F(ChangeReportTest, FullFibreTechnologiesCompareAsCaseInsensitiveSets) {
  ManifestFields fields;
  fields.technologies = R"(["ftth", "fttp"])";
  write_previous(fields);
  io::ProblemLog log;
  EXPECT_TRUE(compare_runs(previous(), current_table(), identity(), log).comparable);

  fields.technologies = R"(["FTTP"])";
  write_previous(fields);
  const ChangeReport report = compare_runs(previous(), current_table(), identity(), log);
  EXPECT_FALSE(report.comparable);
  EXPECT_NE(report.reasons.at(0).find("full_fibre_technologies was [FTTP]"), std::string::npos);
}

TEST_F(ChangeReportTest, MissingVintageFallsBackOnTheAreasFile) {
  ManifestFields fields;
  fields.vintage = "null";
  write_previous(fields);
  io::ProblemLog same_file;
  EXPECT_TRUE(compare_runs(previous(), current_table(), identity(), same_file).comparable);
  for (const io::Warning& w : same_file.warnings())
    EXPECT_EQ(w.message.find("boundaries"), std::string::npos) << w.message;

  fields.areas_sha256 = "ffff";
  write_previous(fields);
  io::ProblemLog other_file;
  const ChangeReport report = compare_runs(previous(), current_table(), identity(), other_file);
  EXPECT_TRUE(report.comparable);  // compared, but the doubt is said
  ASSERT_FALSE(other_file.warnings().empty());
  EXPECT_NE(other_file.warnings()[0].message.find("could not be confirmed"), std::string::npos);
}

TEST_F(ChangeReportTest, ReadsBackAFileItWrote) {
  // Round trip on the real writer: a table written as parish_stats.csv would be.
  write(previous() / "manifest.json", manifest_text({}));
  write(previous() / "parish_stats.csv",
        "\xEF\xBB\xBFlevel,area_id,area_name,premises,gigabit_pct\r\n"
        "area,E1,\"Quote \"\"this\"\"\",1,100.00\r\nstudy,,S,1,100.00\r\n");
  const PreviousRun run = read_previous_run(previous());
  ASSERT_EQ(run.rows.size(), 2u);
  EXPECT_EQ(run.columns.front(), "level");
  EXPECT_EQ(run.rows[0][2], "Quote \"this\"");
  EXPECT_EQ(run.identity.thresholds.gigabit_mbps, 1000);
  EXPECT_EQ(run.identity.areas_sha256, kSha);
  EXPECT_EQ(run.identity.boundary_vintage, "December 2023");
}

// Errors: each names the file (or folder) and says what to do.
void expect_error(const std::function<void()>& f, engine::ErrorKind kind,
                  const std::vector<std::string>& fragments) {
  try {
    f();
    ADD_FAILURE() << "no error";
  } catch (const engine::Error& e) {
    EXPECT_EQ(e.kind(), kind) << e.what();
    for (const std::string& s : fragments)
      EXPECT_NE(std::string(e.what()).find(s), std::string::npos) << e.what() << "\nlacks " << s;
    EXPECT_NE(std::string(e.what()).find("--previous"), std::string::npos) << e.what();
  }
}

TEST_F(ChangeReportTest, MissingFolderOrFilesAreStudyErrors) {
  io::ProblemLog log;
  const fs::path missing = dir_ / "no-such-run";
  expect_error([&] { compare_runs(missing, current_table(), identity(), log); },
               engine::ErrorKind::kStudy, {missing.string(), "does not exist"});
  // An empty folder: e.g. the outputs folder of a first run.
  expect_error([&] { read_previous_run(previous()); }, engine::ErrorKind::kStudy,
               {previous().string(), "manifest.json"});
  write(previous() / "manifest.json", manifest_text({}));
  expect_error([&] { read_previous_run(previous()); }, engine::ErrorKind::kStudy,
               {"parish_stats.csv"});
}

TEST_F(ChangeReportTest, CorruptManifestIsAnInputError) {
  write_previous();
  write(previous() / "manifest.json", "{\"study\": {\"crs\": \"EPSG:27700\"");  // truncated
  expect_error([&] { read_previous_run(previous()); }, engine::ErrorKind::kInput,
               {(previous() / "manifest.json").string(), "not valid JSON"});
  write(previous() / "manifest.json", R"({"study": {"crs": "EPSG:27700"}})");
  expect_error([&] { read_previous_run(previous()); }, engine::ErrorKind::kInput,
               {"not a notspot manifest", "'thresholds'"});
  write(previous() / "manifest.json", R"([1, 2, 3])");
  expect_error([&] { read_previous_run(previous()); }, engine::ErrorKind::kInput,
               {"not a notspot manifest", "'study'"});
}

TEST_F(ChangeReportTest, CsvThatIsNotParishStatsIsAnInputError) {
  write_previous();
  const fs::path csv = previous() / "parish_stats.csv";
  write(csv, "source,file,line,feature,reason,record\n");  // rejected.csv, renamed
  expect_error([&] { read_previous_run(previous()); }, engine::ErrorKind::kInput,
               {csv.string(), "not a notspot parish_stats.csv", "'level'"});
  write(csv, "");
  expect_error([&] { read_previous_run(previous()); }, engine::ErrorKind::kInput,
               {csv.string(), "empty"});
  // Truncated: the study row is missing.
  write(csv, "level,area_id,area_name,premises,gigabit_pct\narea,E1,A,3,33.33\n");
  expect_error([&] { read_previous_run(previous()); }, engine::ErrorKind::kInput,
               {csv.string(), "no study row"});
  write(csv, "level,area_id,area_name,premises,gigabit_pct\narea,E1,A,3\nstudy,,S,3,33.33\n");
  expect_error([&] { read_previous_run(previous()); }, engine::ErrorKind::kInput,
               {csv.string() + ":2:", "4 fields but the header has 5"});
  write(csv, "level,area_id,area_name,premises,gigabit_pct\narea,E1,A,3,lots\nstudy,,S,3,1\n");
  expect_error([&] { read_previous_run(previous()); }, engine::ErrorKind::kInput,
               {csv.string() + ":2:", "gigabit_pct is 'lots'"});
}

TEST(ChangeTargets, AreTheDocumentedOnes) {
  // The levels of the header's documentation, from DOMAIN.md's national targets.
  std::vector<std::string> listed;
  for (const Target& t : change_targets()) {
    listed.push_back(std::string(t.column) + " " + std::to_string(static_cast<int>(t.level)) +
                     (t.direction == Direction::kHigherIsBetter ? " up" : " down"));
  }
  EXPECT_EQ(listed,
            (std::vector<std::string>{
                "gigabit_pct 85 up", "gigabit_pct 99 up", "superfast_pct 95 up", "decent_pct 99 up",
                "land_4g_outdoor_any_pct 95 up", "mob_4g_indoor_none_pct 5 down"}));
}

}  // namespace
}  // namespace notspot::outputs
