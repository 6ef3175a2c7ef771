// The real notspot binary on the hand-checked mobile and postcode study
// (tests/data/mobile_study/README.md derives every expected figure).

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <string>

namespace fs = std::filesystem;

namespace {

struct Result {
  int exit_code = -1;
  std::string output;
};

Result run(const std::string& arguments) {
  const std::string command = std::string(NOTSPOT_BINARY) + " " + arguments + " 2>&1";
  Result r;
  FILE* pipe = popen(command.c_str(), "r");
  std::array<char, 4096> buffer{};
  while (std::size_t n = std::fread(buffer.data(), 1, buffer.size(), pipe))
    r.output.append(buffer.data(), n);
  const int status = pclose(pipe);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void replace_in_file(const fs::path& path, const std::string& from, const std::string& to) {
  std::string text = read_file(path);
  const std::size_t at = text.find(from);
  ASSERT_NE(at, std::string::npos) << from;
  text.replace(at, from.size(), to);
  std::ofstream(path, std::ios::binary) << text;
}

class MobileStudy : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device rd;
    dir_ = fs::temp_directory_path() / ("notspot_mobile_" + std::to_string(rd()));
    fs::copy(fs::path(NOTSPOT_TEST_DATA_DIR) / "mobile_study", dir_, fs::copy_options::recursive);
  }
  void TearDown() override { fs::remove_all(dir_); }
  Result run_study(const std::string& extra = "") {
    return run("run " + (dir_ / "study.toml").string() + " --out " + (dir_ / "out").string() + " " +
               extra);
  }
  std::string expected() const {
    return read_file(fs::path(NOTSPOT_TEST_DATA_DIR) / "mobile_study" / "expected" /
                     "parish_stats.csv");
  }
  fs::path dir_;
};

TEST_F(MobileStudy, OutputsMatchTheHandComputedFigures) {
  const Result r = run_study();
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(read_file(dir_ / "out" / "parish_stats.csv"), expected());
}

TEST_F(MobileStudy, FootprintsGiveTheSameFiguresAsTheRaster) {
  replace_in_file(dir_ / "study.toml",
                  "kind = \"raster\"\nname = \"alpha\"\npath = \"alpha_4g_outdoor.asc\"",
                  "kind = \"polygons\"\nname = \"alpha\"\npath = "
                  "\"alpha_4g_outdoor_footprints.geojson\"");
  replace_in_file(dir_ / "study.toml", "setting = \"outdoor\"\ncovered_when = \">= -105\"\n\n[[",
                  "setting = \"outdoor\"\n\n[[");
  const Result r = run_study();
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(read_file(dir_ / "out" / "parish_stats.csv"), expected());
  const auto m = nlohmann::json::parse(read_file(dir_ / "out" / "manifest.json"));
  EXPECT_NE(m["mobile"]["groups"][0]["land_method"].get<std::string>().find("footprints"),
            std::string::npos);
}

TEST_F(MobileStudy, SameBytesWhateverTheThreadCount) {
  std::string first;
  for (int threads : {1, 2, 8}) {
    ASSERT_EQ(run_study("--threads " + std::to_string(threads)).exit_code, 0);
    const std::string csv = read_file(dir_ / "out" / "parish_stats.csv");
    if (first.empty()) first = csv;
    EXPECT_EQ(csv, first) << threads << " threads";
  }
}

TEST_F(MobileStudy, ManifestAccountsForPostcodesAndMobileLayers) {
  ASSERT_EQ(run_study().exit_code, 0);
  const auto m = nlohmann::json::parse(read_file(dir_ / "out" / "manifest.json"));
  const auto& layers = m["ledger"]["layers"];
  const auto ofcom = std::find_if(layers.begin(), layers.end(),
                                  [](const auto& l) { return l["name"] == "ofcom"; });
  ASSERT_NE(ofcom, layers.end());
  EXPECT_EQ((*ofcom)["read"], 6);
  EXPECT_EQ((*ofcom)["postcodes"], 4);
  EXPECT_EQ((*ofcom)["duplicate_keys"], 1);
  EXPECT_EQ((*ofcom)["rejected"], 1);
  EXPECT_EQ((*ofcom)["balanced"], true);
  EXPECT_EQ((*ofcom)["blank_values_read_as_zero"], 1);
  EXPECT_EQ((*ofcom)["postcodes_with_premises"], 3);
  EXPECT_EQ((*ofcom)["postcodes_without_premises"], 1);
  EXPECT_EQ((*ofcom)["premises_with_row"], 7);  // including UPRN 8, outside every area
  EXPECT_EQ((*ofcom)["premises_without_postcode"], 1);
  EXPECT_EQ((*ofcom)["premises_postcode_not_found"], 1);
  const auto& alpha = m["mobile"]["layers"][0];
  EXPECT_EQ(alpha["operator"], "Alpha");
  EXPECT_EQ(alpha["covered_when"], ">= -105");
  EXPECT_EQ(alpha["premises_covered"], 3);  // UPRNs 1, 3, 10 (README)
  EXPECT_EQ(alpha["premises_on_nodata"], 1);
  EXPECT_EQ(alpha["premises_off_layer"], 1);
  EXPECT_EQ(m["mobile"]["layers"][1]["technology"], "4G");  // written "4g" in the study
  EXPECT_EQ(m["mobile"]["digital_exclusion"]["computed"], true);
  EXPECT_NE(read_file(dir_ / "out" / "rejected.csv").find("ofcom,ofcom_postcodes.csv,7,,"),
            std::string::npos);
}

TEST_F(MobileStudy, AddingAnOperatorIsNotReportedAsAChange) {
  // Last month 4G outdoor had operator Alpha only; this month Beta is added. "Any operator",
  // "no operator" and the rest of the group's combinations (and digital exclusion, which uses
  // 4G outdoor's "no operator") change because an operator joined, not because coverage did:
  // not compared. Alpha's own columns are the same layer in both runs: compared.
  const std::string study = read_file(dir_ / "study.toml");
  const std::string beta =
      "[[layers]]\nkind = \"raster\"\nname = \"beta\"\npath = \"beta_4g_outdoor.asc\"\n"
      "operator = \"Beta\"\ntechnology = \"4g\"\nsetting = \"Outdoor\"\n"
      "covered_when = \">= -105\"\n\n";
  replace_in_file(dir_ / "study.toml", beta, "");
  ASSERT_EQ(run_study().exit_code, 0);
  fs::copy(dir_ / "out", dir_ / "previous", fs::copy_options::recursive);
  std::ofstream(dir_ / "study.toml", std::ios::binary) << study;
  const Result r = run_study("--previous " + (dir_ / "previous").string());
  ASSERT_EQ(r.exit_code, 0) << r.output;

  const std::string changes = read_file(dir_ / "out" / "parish_changes.csv");
  const std::string header = changes.substr(0, changes.find('\n') + 1);
  EXPECT_NE(header.find(",mob_4g_outdoor_alpha_pct_change,"), std::string::npos) << header;
  for (const char* gone : {"mob_4g_outdoor_any_pct", "mob_4g_outdoor_none_pct",
                           "mob_4g_outdoor_all_pct", "mob_4g_outdoor_partial_pct",
                           "land_4g_outdoor_any_pct", "land_4g_outdoor_none_pct",
                           "digitally_excluded_pct"}) {
    EXPECT_EQ(header.find("," + std::string(gone) + "_before,"), std::string::npos) << gone;
  }
  const nlohmann::json m = nlohmann::json::parse(read_file(dir_ / "out" / "manifest.json"));
  std::map<std::string, std::string> not_compared;
  for (const auto& n : m["changes"]["columns_not_compared"]) {
    not_compared[n["column"].get<std::string>()] = n["reason"].get<std::string>();
  }
  EXPECT_FALSE(not_compared.contains("mob_4g_outdoor_alpha_pct"));
  ASSERT_TRUE(not_compared.contains("mob_4g_outdoor_none_pct"));
  EXPECT_NE(not_compared["mob_4g_outdoor_none_pct"].find(
                "operators differ: Alpha in the previous run, Alpha, Beta in this one"),
            std::string::npos)
      << not_compared["mob_4g_outdoor_none_pct"];
  EXPECT_TRUE(not_compared.contains("digitally_excluded_pct"));
  EXPECT_TRUE(not_compared.contains("land_4g_outdoor_any_pct"));
  // Beta's columns are new in this run: a note, not a comparison.
  EXPECT_EQ(header.find("beta"), std::string::npos) << header;
}

TEST_F(MobileStudy, RastersOnDifferentGridsGiveNoLandSharesButStillCountPremises) {
  // Shift Beta's grid by half a cell: premises counts stay exact, land shares are left out.
  replace_in_file(dir_ / "beta_4g_outdoor.asc", "xllcorner 400000", "xllcorner 400050");
  const Result r = run_study();
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("not on one grid"), std::string::npos) << r.output;
  const std::string csv = read_file(dir_ / "out" / "parish_stats.csv");
  EXPECT_EQ(csv.find("land_4g_outdoor"), std::string::npos);
  EXPECT_NE(csv.find("mob_4g_outdoor_any"), std::string::npos);
}

TEST_F(MobileStudy, PostcodeLayerWithoutPremisesPostcodesIsAStudyError) {
  replace_in_file(dir_ / "study.toml", "postcode = \"POSTCODE\"\n", "");
  const Result r = run_study();
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("postcode"), std::string::npos) << r.output;
}

TEST_F(MobileStudy, RasterWithoutCrsMustBeDeclared) {
  fs::remove(dir_ / "alpha_4g_outdoor.prj");
  Result r = run_study();
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("alpha_4g_outdoor.asc: the raster has no coordinate reference system"),
            std::string::npos)
      << r.output;
  replace_in_file(dir_ / "study.toml", "path = \"alpha_4g_outdoor.asc\"",
                  "path = \"alpha_4g_outdoor.asc\"\ncrs = \"EPSG:27700\"");
  r = run_study();
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(read_file(dir_ / "out" / "parish_stats.csv"), expected());
}

}  // namespace
