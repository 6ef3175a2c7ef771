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
  std::string superfast_mbps = "30.0";
  // Further "inputs" entries (each with a leading comma), e.g. the layers; and further top-level
  // members (each with a trailing comma), e.g. "mobile".
  std::string more_inputs;
  std::string more_members;
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
    "superfast_mbps": )" +
         f.superfast_mbps + R"(,
    "decent_down_mbps": 10.0,
    "decent_up_mbps": 1.0,
    "full_fibre_technologies": )" +
         f.technologies + R"(
  },
  "inputs": [
    {"role": "areas", "file": "parishes.gpkg", "sha256": ")" +
         f.areas_sha256 + R"("},
    {"role": "premises", "file": "premises.csv", "sha256": "0000"})" +
         f.more_inputs + R"(
  ],)" + f.more_members +
         R"(
  "columns": []
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
  // ... and listed by name for the report, which shows their measures' names.
  EXPECT_EQ(report.columns_new, (std::vector<std::string>{"full_fibre_pct"}));
  EXPECT_EQ(report.columns_gone, (std::vector<std::string>{"no_data_pct"}));
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

// ---- numbers out of range in the previous run ----------------------------------------------
// Each crafted value below is outside what notspot writes (0..100 for a percentage, 0..1e10
// premises): converting it (llround, int64_t casts) would overflow. The run is then not
// compared, with a message naming the file, the line, the area, the column and the value.

struct OutOfRange {
  std::string premises;  // Alpha's premises
  std::string gigabit;   // Alpha's gigabit_pct
  std::string column;    // the column the message must name
  std::string value;     // the value it must quote
};

class ChangeReportOutOfRange : public ChangeReportTest,
                               public ::testing::WithParamInterface<OutOfRange> {};

TEST_P(ChangeReportOutOfRange, MakesThePreviousRunNotComparable) {
  const OutOfRange& p = GetParam();
  write(previous() / "manifest.json", manifest_text({}));
  write(previous() / "parish_stats.csv",
        "level,area_id,area_name,premises,gigabit_pct,decent_pct\n"
        "area,E04000001,Alpha," +
            p.premises + "," + p.gigabit +
            ",99.50\n"
            "study,,Test study,200,80.00,99.50\n");
  const PreviousRun run = read_previous_run(previous());  // not an error: a reason
  ASSERT_EQ(run.out_of_range.size(), 1u);
  const std::string& message = run.out_of_range[0];
  const std::string file = (previous() / "parish_stats.csv").string();
  for (const std::string& part :
       {file + ":2:", std::string("area 'E04000001'"), p.column + " is " + p.value}) {
    EXPECT_NE(message.find(part), std::string::npos) << message << "\nlacks " << part;
  }
  io::ProblemLog log;
  const ChangeReport report = compare_runs(run, current_table(), identity(), log);
  EXPECT_FALSE(report.comparable);
  EXPECT_TRUE(report.areas.empty());
  ASSERT_EQ(report.reasons.size(), 1u);
  EXPECT_NE(report.reasons[0].find(message), std::string::npos) << report.reasons[0];
  ASSERT_EQ(log.warnings().size(), 1u);
  EXPECT_NE(log.warnings()[0].message.find("not compared"), std::string::npos);
  const fs::path out = dir_ / "parish_changes.csv";
  write_changes_csv(out, report);
  EXPECT_EQ(read(out).rfind("not_comparable_reason\n", 0), 0u);
}

INSTANTIATE_TEST_SUITE_P(
    CraftedValues, ChangeReportOutOfRange,
    ::testing::Values(OutOfRange{"200", "1e300", "gigabit_pct", "1e300"},
                      OutOfRange{"200", "NaN", "gigabit_pct", "NaN"},
                      OutOfRange{"200", "-5", "gigabit_pct", "-5"},
                      OutOfRange{"200", "101", "gigabit_pct", "101"},
                      OutOfRange{"200", "100.01", "gigabit_pct", "100.01"},
                      OutOfRange{"18446744073709551615", "80.00", "premises",
                                 "18446744073709551615"},
                      OutOfRange{"10000000001", "80.00", "premises", "10000000001"},
                      OutOfRange{"1e300", "80.00", "premises", "1e300"},
                      OutOfRange{"-5", "80.00", "premises", "-5"}));

TEST_F(ChangeReportTest, TheLimitsThemselvesAreInRange) {
  // 0 and 100 per cent, 0 and 1e10 premises: the ends of the ranges are values notspot writes.
  write(previous() / "manifest.json", manifest_text({}));
  write(previous() / "parish_stats.csv",
        "level,area_id,area_name,premises,gigabit_pct,decent_pct\n"
        "area,E04000001,Alpha,10000000000,0,100.00\n"
        "area,E04000002,Beta,0,,\n"
        "study,,Test study,10000000000,0.00,100\n");
  const PreviousRun run = read_previous_run(previous());
  EXPECT_TRUE(run.out_of_range.empty()) << run.out_of_range.front();
  io::ProblemLog log;
  const ChangeReport report = compare_runs(run, current_table(), identity(), log);
  ASSERT_TRUE(report.comparable);
  // Alpha: 210 - 10,000,000,000 premises, exactly.
  EXPECT_EQ(report.areas[0].premises_change, std::int64_t{210} - std::int64_t{10000000000});
}

TEST_F(ChangeReportTest, OutOfRangeThresholdInTheManifestIsNamed) {
  ManifestFields fields;
  fields.superfast_mbps = "1e300";
  write_previous(fields);
  const PreviousRun run = read_previous_run(previous());
  ASSERT_EQ(run.out_of_range.size(), 1u);
  const std::string& message = run.out_of_range[0];
  EXPECT_NE(message.find((previous() / "manifest.json").string()), std::string::npos) << message;
  EXPECT_NE(message.find("thresholds.superfast_mbps is 1e+300"), std::string::npos) << message;
  fields.superfast_mbps = "18446744073709551615";
  write_previous(fields);
  EXPECT_EQ(read_previous_run(previous()).out_of_range.size(), 1u);
  fields.superfast_mbps = "-5";
  write_previous(fields);
  EXPECT_EQ(read_previous_run(previous()).out_of_range.size(), 1u);
  io::ProblemLog log;
  EXPECT_FALSE(compare_runs(previous(), current_table(), identity(), log).comparable);
}

TEST_F(ChangeReportTest, ManyValuesOutOfRangeAreCountedNotAllListed) {
  std::string csv = "level,area_id,area_name,premises,gigabit_pct\n";
  for (int i = 0; i < 8; ++i) csv += "area,E" + std::to_string(i) + ",A,1,1e300\n";
  csv += "study,,S,8,50.00\n";
  write(previous() / "manifest.json", manifest_text({}));
  write(previous() / "parish_stats.csv", csv);
  const PreviousRun run = read_previous_run(previous());
  ASSERT_EQ(run.out_of_range.size(), kMaxListedOutOfRange + 1);
  EXPECT_EQ(run.out_of_range.back(), "and 3 more values out of range");
}

// ---- per-indicator comparability ------------------------------------------------------------

constexpr const char* kSpeedsLayer =
    R"(,
    {"role": "layer", "name": "speeds", "kind": "fixed-speeds", "file": "s.csv", "sha256": "01"})";
constexpr const char* kBdukLayer =
    R"(,
    {"role": "layer", "name": "bduk", "kind": "bduk-premises", "file": "b.csv", "sha256": "02"})";

TEST_F(ChangeReportTest, AnIndicatorWhoseSourceLayersDifferIsNotCompared) {
  // The previous run had speeds only; this one adds a BDUK layer. A BDUK current_gigabit flag
  // alone makes a premise gigabit-capable, and so superfast and decent (engine's
  // indicator_flags()): Alpha's gigabit 80.00 -> 85.71 "passes 85" only because a layer was
  // added, and decent_pct may move for the same reason. Neither is compared. full_fibre_pct
  // comes from the speeds layer alone, which both runs had: still compared.
  ManifestFields fields;
  fields.more_inputs = kSpeedsLayer;
  write(previous() / "manifest.json", manifest_text(fields));
  write(previous() / "parish_stats.csv",
        "level,area_id,area_name,premises,gigabit_pct,decent_pct,full_fibre_pct\n"
        "area,E04000001,Alpha,200,80.00,99.50,40.00\n"
        "area,E04000002,\"Beta, upper\",100,90.00,97.00,50.00\n"
        "study,,Test study,300,83.33,98.67,45.00\n");
  RunIdentity now = identity();
  now.layer_kinds = {"fixed-speeds", "bduk-premises"};
  io::ProblemLog log;
  const ChangeReport report = compare_runs(previous(), current_table(), now, log);
  ASSERT_TRUE(report.comparable);
  EXPECT_EQ(report.columns, (std::vector<std::string>{"full_fibre_pct"}));
  ASSERT_EQ(report.not_compared.size(), 2u);
  EXPECT_EQ(report.not_compared[0].column, "gigabit_pct");
  EXPECT_EQ(report.not_compared[1].column, "decent_pct");
  const std::string& reason = report.not_compared[0].reason;
  EXPECT_NE(reason.find("the previous run measured it from 'fixed-speeds' only; this run "
                        "measured it from 'fixed-speeds' and 'bduk-premises'"),
            std::string::npos)
      << reason;
  EXPECT_EQ(report.crossing_count(), 0u);  // Alpha crossed 85 on gigabit only
  std::string notes;
  for (const std::string& n : report.notes) notes += n + "\n";
  EXPECT_NE(notes.find("gigabit_pct not compared: " + reason), std::string::npos) << notes;
  bool warned = false;
  for (const io::Warning& w : log.warnings()) {
    warned |= w.message.find("2 columns in both runs not compared") != std::string::npos &&
              w.message.find("gigabit_pct, decent_pct") != std::string::npos;
  }
  EXPECT_TRUE(warned);

  const fs::path out = dir_ / "parish_changes.csv";
  write_changes_csv(out, report);
  // full fibre: Alpha 100/210 = 47.62, Beta 50/98 = 51.02, Delta 40/40, study 190/348 = 54.60.
  EXPECT_EQ(read(out),
            "level,area_id,area_name,status,premises_before,premises_after,premises_change,"
            "full_fibre_pct_before,full_fibre_pct_after,full_fibre_pct_change,crossed\n"
            "area,E04000001,Alpha,same,200,210,10,40.00,47.62,7.62,\n"
            "area,E04000002,\"Beta, upper\",same,100,98,-2,50.00,51.02,1.02,\n"
            "area,E04000004,Delta,new area,,40,,,100.00,,\n"
            "area,E04000005,Empty,new area,,0,,,,,\n"
            "study,,Test study,same,300,348,48,45.00,54.60,9.60,\n");
}

TEST_F(ChangeReportTest, AnIndicatorMeasuredInOneRunOnlyIsNotCompared) {
  // The previous run had a BDUK layer only: decent_pct (fixed-speeds) was not measured there.
  ManifestFields fields;
  fields.more_inputs = kBdukLayer;
  write_previous(fields);
  RunIdentity now = identity();
  now.layer_kinds = {"bduk-premises", "fixed-speeds"};
  io::ProblemLog log;
  const ChangeReport report = compare_runs(previous(), current_table(), now, log);
  EXPECT_TRUE(report.columns.empty());
  ASSERT_EQ(report.not_compared.size(), 2u);
  EXPECT_EQ(report.not_compared[1].column, "decent_pct");
  EXPECT_NE(report.not_compared[1].reason.find(
                "the previous run did not measure it (no 'fixed-speeds' layer); this run "
                "measured it from 'fixed-speeds' and 'bduk-premises'"),
            std::string::npos)
      << report.not_compared[1].reason;
}

TEST_F(ChangeReportTest, SameLayerKindsInAnotherOrderAreCompared) {
  ManifestFields fields;
  fields.more_inputs = std::string(kBdukLayer) + kSpeedsLayer;
  write_previous(fields);
  RunIdentity now = identity();
  now.layer_kinds = {"fixed-speeds", "bduk-premises"};
  io::ProblemLog log;
  const ChangeReport report = compare_runs(previous(), current_table(), now, log);
  EXPECT_EQ(report.columns, (std::vector<std::string>{"gigabit_pct", "decent_pct"}));
  EXPECT_TRUE(report.not_compared.empty());
  EXPECT_EQ(report.crossing_count(), 2u);
}

TEST_F(ChangeReportTest, AManifestThatDoesNotRecordItsLayersIsComparedWithANote) {
  write_previous();  // no layer inputs, no `indicators`: an older manifest
  RunIdentity now = identity();
  now.layer_kinds = {"fixed-speeds"};
  io::ProblemLog log;
  const ChangeReport report = compare_runs(previous(), current_table(), now, log);
  EXPECT_EQ(report.columns, (std::vector<std::string>{"gigabit_pct", "decent_pct"}));
  std::string notes;
  for (const std::string& n : report.notes) notes += n + "\n";
  EXPECT_NE(notes.find("does not record its layers"), std::string::npos) << notes;
}

TEST_F(ChangeReportTest, MobileCombinationsNeedTheSameOperators) {
  // 4G indoor had EE only last time; Three is added. mob_4g_indoor_ee_pct is the same layer in
  // both runs and is compared; "no operator" (a not-spot) fell from 10.00% to 4.00% (below the
  // target of 5) only because Three was added: not compared, no crossing.
  CatalogueOptions options;
  options.mobile_groups = {{"4G", "indoor", {"EE", "Three"}, false}};
  StatsTable t;
  const std::string_view columns[] = {"level", "area_id", "area_name", "premises",
                                      "mob_4g_indoor_ee_pct", "mob_4g_indoor_none_pct"};
  t.columns = ColumnCatalogue(options).subset(columns);
  t.rows.push_back({Cell(std::string("area")), Cell(std::string("E1")), Cell(std::string("A")),
                    Cell(std::uint64_t{50}), Cell(92.0), Cell(4.0)});
  t.rows.push_back({Cell(std::string("study")), Cell(std::string()), Cell(std::string("S")),
                    Cell(std::uint64_t{50}), Cell(92.0), Cell(4.0)});
  ManifestFields fields;
  fields.more_members = R"(
  "mobile": {"layers": [], "groups": [{"technology": "4G", "setting": "indoor",
             "operators": ["EE"], "land_method": null}]},)";
  write(previous() / "manifest.json", manifest_text(fields));
  write(previous() / "parish_stats.csv",
        "level,area_id,area_name,premises,mob_4g_indoor_ee_pct,mob_4g_indoor_none_pct\n"
        "area,E1,A,50,90.00,10.00\nstudy,,S,50,90.00,10.00\n");
  RunIdentity now = identity();
  now.mobile_groups = std::vector<RunMobileGroup>{{"4G", "indoor", {"EE", "Three"}}};
  io::ProblemLog log;
  const ChangeReport report = compare_runs(previous(), t, now, log);
  ASSERT_TRUE(report.comparable);
  EXPECT_EQ(report.columns, (std::vector<std::string>{"mob_4g_indoor_ee_pct"}));
  ASSERT_EQ(report.not_compared.size(), 1u);
  EXPECT_EQ(report.not_compared[0].column, "mob_4g_indoor_none_pct");
  EXPECT_NE(report.not_compared[0].reason.find(
                "the 4G indoor operators differ: EE in the previous run, EE, Three in this one"),
            std::string::npos)
      << report.not_compared[0].reason;
  EXPECT_EQ(report.crossing_count(), 0u);
  ASSERT_TRUE(report.areas[0].indicators[0].change);
  EXPECT_NEAR(*report.areas[0].indicators[0].change, 2.0, 1e-9);

  // The same operators, spelt with other case and order, are the same group: compared, and the
  // not-spot share crossing below 5 is listed.
  now.mobile_groups = std::vector<RunMobileGroup>{{"4g", "Indoor", {"ee"}}};
  write(previous() / "manifest.json",
        manifest_text(fields));  // unchanged: EE only
  const ChangeReport same = compare_runs(previous(), t, now, log);
  EXPECT_TRUE(same.not_compared.empty());
  ASSERT_EQ(same.crossing_count(), 1u);
  EXPECT_EQ(same.areas[0].crossings[0].text(), "mob_4g_indoor_none_pct fell below 5");
}

TEST_F(ChangeReportTest, ReadsLayerKindsAndMobileGroupsFromTheManifest) {
  ManifestFields fields;
  fields.more_inputs = std::string(kSpeedsLayer) + kBdukLayer;
  fields.more_members = R"(
  "mobile": {"layers": [], "groups": [{"technology": "4G", "setting": "outdoor",
             "operators": ["EE", "Three"], "land_method": null}],
             "digital_exclusion": {"definition": "...", "technology": "4G",
                                   "setting": "outdoor", "computed": true}},)";
  write_previous(fields);
  const RunIdentity id = read_previous_run(previous()).identity;
  ASSERT_TRUE(id.layer_kinds);
  EXPECT_EQ(*id.layer_kinds, (std::vector<std::string>{"fixed-speeds", "bduk-premises"}));
  ASSERT_TRUE(id.mobile_groups);
  ASSERT_EQ(id.mobile_groups->size(), 1u);
  EXPECT_EQ(id.mobile_groups->at(0).operators, (std::vector<std::string>{"EE", "Three"}));
  ASSERT_TRUE(id.exclusion_group);
  EXPECT_EQ(id.exclusion_group->second, "outdoor");

  write_previous();  // neither layers nor mobile recorded
  const RunIdentity old = read_previous_run(previous()).identity;
  EXPECT_FALSE(old.layer_kinds);
  EXPECT_FALSE(old.mobile_groups);
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
