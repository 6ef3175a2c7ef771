#include "notspot/study/study.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <string_view>

#include "notspot/engine/error.hpp"

namespace notspot::study {
namespace {

using io::AreasSource;
using io::LayerKind;
using io::LayerSource;
using io::MobileTags;
using io::PremisesFormat;
using io::PremisesSource;
using io::SourceLine;

namespace fs = std::filesystem;

// The smallest valid study; the line numbers of the tests below count from it.
constexpr std::string_view kMinimal = R"([study]
name = "Test"

[areas]
path = "parishes.gpkg"
id = "PAR23CD"

[premises]
path = "premises.csv"
)";

/// Sets the working directory for one scope, so that a test can load a study from elsewhere.
class WorkingDirectory {
 public:
  explicit WorkingDirectory(const fs::path& path) : saved_(fs::current_path()) {
    fs::current_path(path);
  }
  ~WorkingDirectory() {
    std::error_code ec;
    fs::current_path(saved_, ec);
  }
  WorkingDirectory(const WorkingDirectory&) = delete;
  WorkingDirectory& operator=(const WorkingDirectory&) = delete;

 private:
  fs::path saved_;
};

/// Each test gets a fresh folder with the minimal study's input files in it.
class StudyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device random;
    const std::string test = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    do {
      dir_ = fs::temp_directory_path() / ("notspot-study-" + test + "-" + std::to_string(random()));
    } while (!fs::create_directory(dir_));
    write("parishes.gpkg", "not really a GeoPackage");
    write("premises.csv", "UPRN,X_COORDINATE,Y_COORDINATE\n");
  }

  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  /// Writes `text` to `relative` (under the test folder), creating folders; returns the path.
  fs::path write(const fs::path& relative, std::string_view text) {
    const fs::path path = dir_ / relative;
    fs::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }

  fs::path study(std::string_view text) { return write("study.toml", text); }

  /// The minimal study followed by `extra` (which therefore starts on line 10).
  fs::path minimal_plus(std::string_view extra) {
    return study(std::string(kMinimal) + std::string(extra));
  }

  fs::path dir_;
};

/// The message of the Error that loading `file` throws, or "" (and a failure) when none is.
std::string load_error(const fs::path& file, engine::ErrorKind kind = engine::ErrorKind::kStudy) {
  try {
    load_study(file);
  } catch (const engine::Error& e) {
    EXPECT_EQ(e.kind(), kind) << e.what();
    return e.what();
  } catch (const std::exception& e) {
    ADD_FAILURE() << "not an engine::Error: " << e.what();
    return "";
  }
  ADD_FAILURE() << "loaded " << file << " without an error";
  return "";
}

/// Whether loading `file` fails with kStudy and a message with `FILE:LINE: fragment`.
::testing::AssertionResult study_error_at(const fs::path& file, int line,
                                          std::string_view fragment) {
  const std::string message = load_error(file);
  const std::string expected =
      file.string() + ":" + std::to_string(line) + ": " + std::string(fragment);
  if (message.find(expected) != std::string::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "expected\n  " << expected << "\nin\n  " << message;
}

// ---- Valid studies --------------------------------------------------------------------------

TEST_F(StudyTest, LoadsEveryKeyOfACompleteStudy) {
  write("data/parishes.gpkg", "");
  write("data/premises.gpkg", "");
  write("layers/bduk.csv", "");
  write("layers/speeds.csv", "");
  const fs::path file = study(R"([study]
name = "Dorset connectivity"
crs = "EPSG:3857"
boundary_vintage = "December 2023"

[areas]
path = "data/parishes.gpkg"
layer = "parishes"
id = "PAR23CD"
name = "PAR23NM"
crs = "EPSG:27700"

[premises]
path = "data/premises.gpkg"
format = "ogr"
layer = "uprn"
id = "ID"
crs = "EPSG:4326"

[[layers]]
kind = "bduk-premises"
name = "bduk"
path = "layers/bduk.csv"
key = "UPRN"

[[layers]]
kind = "fixed-speeds"
name = "speeds"
path = "layers/speeds.csv"
key = "uprn_id"
down = "down"
up = "up"
technology = "tech"

[thresholds]
gigabit_mbps = 900
ultrafast_mbps = 250.5
superfast_mbps = 24
decent_down_mbps = 12
decent_up_mbps = 2
full_fibre_technologies = ["FTTP", "FTTH", "FTTB"]

[quality]
max_rejected_share = 0.05
max_outside_share = 0
max_no_data_share = 0.2
max_unmatched_share = 0.3

[outputs]
dir = "results/2026-11"
)");
  const Study s = load_study(file);
  EXPECT_EQ(s.file, file);
  EXPECT_EQ(s.name, "Dorset connectivity");
  EXPECT_EQ(s.crs, "EPSG:3857");
  EXPECT_EQ(s.boundary_vintage, "December 2023");

  EXPECT_EQ(s.areas.path, dir_ / "data/parishes.gpkg");
  EXPECT_EQ(s.areas.layer, "parishes");
  EXPECT_EQ(s.areas.id_field, "PAR23CD");
  EXPECT_EQ(s.areas.name_field, "PAR23NM");
  EXPECT_EQ(s.areas.crs, "EPSG:27700");

  EXPECT_EQ(s.premises.path, dir_ / "data/premises.gpkg");
  EXPECT_EQ(s.premises.format, PremisesFormat::kOgr);
  EXPECT_EQ(s.premises.layer, "uprn");
  EXPECT_EQ(s.premises.id_field, "ID");
  EXPECT_EQ(s.premises.x_field, std::nullopt);
  EXPECT_EQ(s.premises.crs, "EPSG:4326");

  ASSERT_EQ(s.layers.size(), 2u);
  EXPECT_EQ(s.layers[0].kind, LayerKind::kBdukPremises);
  EXPECT_EQ(s.layers[0].name, "bduk");
  EXPECT_EQ(s.layers[0].path, dir_ / "layers/bduk.csv");
  EXPECT_EQ(s.layers[0].key_field, "UPRN");
  EXPECT_EQ(s.layers[1].kind, LayerKind::kFixedSpeeds);
  EXPECT_EQ(s.layers[1].name, "speeds");
  EXPECT_EQ(s.layers[1].key_field, "uprn_id");
  EXPECT_EQ(s.layers[1].down_field, "down");
  EXPECT_EQ(s.layers[1].up_field, "up");
  EXPECT_EQ(s.layers[1].technology_field, "tech");

  EXPECT_EQ(s.thresholds.gigabit_mbps, 900);
  EXPECT_EQ(s.thresholds.ultrafast_mbps, 250.5);
  EXPECT_EQ(s.thresholds.superfast_mbps, 24);
  EXPECT_EQ(s.thresholds.decent_down_mbps, 12);
  EXPECT_EQ(s.thresholds.decent_up_mbps, 2);
  EXPECT_EQ(s.thresholds.full_fibre_technologies,
            (std::vector<std::string>{"FTTP", "FTTH", "FTTB"}));
  EXPECT_EQ(s.quality.max_rejected_share, 0.05);
  EXPECT_EQ(s.quality.max_outside_share, 0);
  EXPECT_EQ(s.quality.max_no_data_share, 0.2);
  EXPECT_EQ(s.quality.max_unmatched_share, 0.3);
  EXPECT_EQ(s.output_dir, dir_ / "results/2026-11");
}

TEST_F(StudyTest, RecordsTheLineOfEachSourceTable) {
  write("bduk.csv", "");
  const fs::path file = minimal_plus(R"(
[[layers]]
kind = "bduk-premises"
path = "bduk.csv"
)");
  const Study s = load_study(file);
  EXPECT_EQ(s.areas.where.line, 4u);
  EXPECT_EQ(s.premises.where.line, 8u);
  ASSERT_EQ(s.layers.size(), 1u);
  EXPECT_EQ(s.layers[0].where.line, 11u);
  EXPECT_EQ(s.layers[0].where.describe(), file.string() + ":11");
}

TEST_F(StudyTest, SourceLineDescribesFileAndLine) {
  EXPECT_EQ((SourceLine{"study.toml", 12}).describe(), "study.toml:12");
  EXPECT_EQ((SourceLine{"study.toml", 0}).describe(), "study.toml");
}

TEST_F(StudyTest, AppliesDefaultsToOmittedKeysAndTables) {
  const Study s = load_study(study(kMinimal));
  EXPECT_EQ(s.name, "Test");
  EXPECT_EQ(s.crs, "EPSG:27700");
  EXPECT_EQ(s.boundary_vintage, std::nullopt);
  EXPECT_EQ(s.areas.layer, std::nullopt);
  EXPECT_EQ(s.areas.name_field, std::nullopt);
  EXPECT_EQ(s.areas.crs, std::nullopt);
  EXPECT_EQ(s.premises.format, PremisesFormat::kCsv);
  EXPECT_EQ(s.premises.id_field, "UPRN");
  EXPECT_EQ(s.premises.x_field, std::nullopt);
  EXPECT_EQ(s.premises.y_field, std::nullopt);
  EXPECT_EQ(s.premises.crs, std::nullopt);
  EXPECT_EQ(s.premises.postcode_field, std::nullopt);
  EXPECT_TRUE(s.layers.empty());
  const engine::Thresholds defaults;
  EXPECT_EQ(s.thresholds.gigabit_mbps, defaults.gigabit_mbps);
  EXPECT_EQ(s.thresholds.ultrafast_mbps, defaults.ultrafast_mbps);
  EXPECT_EQ(s.thresholds.superfast_mbps, defaults.superfast_mbps);
  EXPECT_EQ(s.thresholds.decent_down_mbps, defaults.decent_down_mbps);
  EXPECT_EQ(s.thresholds.decent_up_mbps, defaults.decent_up_mbps);
  EXPECT_EQ(s.thresholds.full_fibre_technologies, defaults.full_fibre_technologies);
  EXPECT_EQ(s.quality.max_rejected_share, 0.01);
  EXPECT_EQ(s.quality.max_outside_share, 1.0);
  EXPECT_EQ(s.quality.max_no_data_share, 1.0);
  EXPECT_EQ(s.quality.max_unmatched_share, 1.0);
  EXPECT_EQ(s.digital_exclusion.mobile_technology, "4G");
  EXPECT_EQ(s.digital_exclusion.mobile_setting, "indoor");
  EXPECT_EQ(s.output_dir, dir_ / "out");
}

TEST_F(StudyTest, LayerDefaultsToFileStemAndStandardColumns) {
  write("speeds_2026.csv", "");
  const Study s = load_study(minimal_plus(R"(
[[layers]]
kind = "fixed-speeds"
path = "speeds_2026.csv"
)"));
  ASSERT_EQ(s.layers.size(), 1u);
  EXPECT_EQ(s.layers[0].name, "speeds_2026");
  EXPECT_EQ(s.layers[0].key_field, "uprn");
  EXPECT_EQ(s.layers[0].down_field, "max_down_mbps");
  EXPECT_EQ(s.layers[0].up_field, "max_up_mbps");
  EXPECT_EQ(s.layers[0].technology_field, "technology");
}

TEST_F(StudyTest, PremisesFormatDefaultsFromTheExtension) {
  for (const auto& [file_name, expected] :
       {std::pair{"p.CSV", PremisesFormat::kCsv}, std::pair{"p.tsv", PremisesFormat::kOgr},
        std::pair{"p.txt", PremisesFormat::kCsv}, std::pair{"p.gpkg", PremisesFormat::kOgr},
        std::pair{"p", PremisesFormat::kOgr}}) {
    write(file_name, "");
    const Study s = load_study(study(std::string(R"([study]
name = "Test"
[areas]
path = "parishes.gpkg"
id = "PAR23CD"
[premises]
path = ")") + file_name + "\"\n"));
    EXPECT_EQ(s.premises.format, expected) << file_name;
  }
}

TEST_F(StudyTest, AcceptsIntegerAndFloatNumbers) {
  const Study s = load_study(minimal_plus(R"(
[thresholds]
gigabit_mbps = 1000.0
ultrafast_mbps = 300
decent_up_mbps = 0.5
[quality]
max_rejected_share = 1
)"));
  EXPECT_EQ(s.thresholds.gigabit_mbps, 1000);
  EXPECT_EQ(s.thresholds.ultrafast_mbps, 300);
  EXPECT_EQ(s.thresholds.decent_up_mbps, 0.5);
  EXPECT_EQ(s.quality.max_rejected_share, 1);
}

TEST_F(StudyTest, AcceptsFoldersAsOgrDatasets) {
  fs::create_directories(dir_ / "parish shapes");
  fs::create_directories(dir_ / "premises shapes");
  const Study s = load_study(study(R"([study]
name = "Test"
[areas]
path = "parish shapes/"
id = "PAR23CD"
[premises]
path = "premises shapes"
format = "ogr"
)"));
  EXPECT_EQ(s.areas.path, dir_ / "parish shapes");
  EXPECT_EQ(s.premises.path, dir_ / "premises shapes");
}

// ---- Mobile and postcode layers ---------------------------------------------------------------

TEST_F(StudyTest, LoadsEveryKeyOfMobileAndPostcodeLayers) {
  write("ofcom_fixed_postcode_DT.csv", "");
  write("mobile/EE_4G_indoor.tif", "");
  write("mobile/Three_4G_indoor.tif", "");
  write("mobile/O2_5G_outdoor.tif", "");
  fs::create_directories(dir_ / "mobile/EE_4G_outdoor_shapes");
  const fs::path file = study(R"([study]
name = "Dorset mobile"

[areas]
path = "parishes.gpkg"
id = "PAR23CD"

[premises]
path = "premises.csv"
postcode = "POSTCODE"

[[layers]]
kind = "ofcom-postcode"
name = "ofcom_postcodes"
path = "ofcom_fixed_postcode_DT.csv"
key = "postcode_space"

[[layers]]
kind = "raster"
path = "mobile/EE_4G_indoor.tif"
operator = "EE"
technology = "4g"
setting = "Indoor"
covered_when = ">= -105"
band = 2
crs = "EPSG:27700"

[[layers]]
kind = "polygons"
name = "ee_4g_outdoor"
path = "mobile/EE_4G_outdoor_shapes/"
layer = "coverage"
operator = "EE"
technology = "4G"
setting = "OUTDOOR"
crs = "EPSG:4326"

[[layers]]
kind = "raster"
path = "mobile/Three_4G_indoor.tif"
operator = "Three"
technology = "4G"
setting = "indoor"
covered_when = "== 1"

[[layers]]
kind = "raster"
path = "mobile/O2_5G_outdoor.tif"
operator = "O2"
technology = "5G"
setting = "outdoor"
covered_when = "in [2, 3]"

[digital_exclusion]
mobile_technology = "5g"
mobile_setting = "OutDoor"
)");
  const Study s = load_study(file);
  EXPECT_EQ(s.premises.postcode_field, "POSTCODE");
  ASSERT_EQ(s.layers.size(), 5u);

  const LayerSource& ofcom = s.layers[0];
  EXPECT_EQ(ofcom.kind, LayerKind::kOfcomPostcode);
  EXPECT_EQ(ofcom.name, "ofcom_postcodes");
  EXPECT_EQ(ofcom.path, dir_ / "ofcom_fixed_postcode_DT.csv");
  EXPECT_EQ(ofcom.key_field, "postcode_space");

  const LayerSource& ee_indoor = s.layers[1];
  EXPECT_EQ(ee_indoor.kind, LayerKind::kRaster);
  EXPECT_EQ(ee_indoor.name, "EE_4G_indoor");
  EXPECT_EQ(ee_indoor.path, dir_ / "mobile/EE_4G_indoor.tif");
  EXPECT_EQ(ee_indoor.tags.operator_name, "EE");
  EXPECT_EQ(ee_indoor.tags.technology, "4G");
  EXPECT_EQ(ee_indoor.tags.setting, "indoor");
  EXPECT_EQ(ee_indoor.covered_when.describe(), ">= -105");
  EXPECT_TRUE(ee_indoor.covered_when.covered(-98));
  EXPECT_FALSE(ee_indoor.covered_when.covered(-110));
  EXPECT_EQ(ee_indoor.band, 2);
  EXPECT_EQ(ee_indoor.crs, "EPSG:27700");
  EXPECT_EQ(ee_indoor.where.line, 18u);

  const LayerSource& ee_outdoor = s.layers[2];
  EXPECT_EQ(ee_outdoor.kind, LayerKind::kPolygons);
  EXPECT_EQ(ee_outdoor.name, "ee_4g_outdoor");
  EXPECT_EQ(ee_outdoor.path, dir_ / "mobile/EE_4G_outdoor_shapes");
  EXPECT_EQ(ee_outdoor.ogr_layer, "coverage");
  EXPECT_EQ(ee_outdoor.tags.operator_name, "EE");
  EXPECT_EQ(ee_outdoor.tags.technology, "4G");
  EXPECT_EQ(ee_outdoor.tags.setting, "outdoor");
  EXPECT_EQ(ee_outdoor.crs, "EPSG:4326");

  EXPECT_EQ(s.layers[3].tags.operator_name, "Three");
  EXPECT_EQ(s.layers[3].covered_when.describe(), "== 1");
  EXPECT_EQ(s.layers[4].tags.technology, "5G");
  EXPECT_EQ(s.layers[4].tags.setting, "outdoor");
  EXPECT_EQ(s.layers[4].covered_when.describe(), "in [2, 3]");

  EXPECT_EQ(s.digital_exclusion.mobile_technology, "5G");
  EXPECT_EQ(s.digital_exclusion.mobile_setting, "outdoor");
}

TEST_F(StudyTest, MobileAndPostcodeLayersHaveDefaults) {
  write("DT.csv", "");
  write("ee.tif", "");
  write("ee_outdoor.gpkg", "");
  const Study s = load_study(study(std::string(kMinimal) + R"(postcode = "PCDS"

[[layers]]
kind = "ofcom-postcode"
path = "DT.csv"

[[layers]]
kind = "raster"
path = "ee.tif"
operator = "EE"
technology = "4G"
setting = "indoor"
covered_when = ">= -105"

[[layers]]
kind = "polygons"
path = "ee_outdoor.gpkg"
operator = "EE"
technology = "4G"
setting = "outdoor"
)"));
  ASSERT_EQ(s.layers.size(), 3u);
  EXPECT_EQ(s.layers[0].name, "DT");
  EXPECT_EQ(s.layers[0].key_field, "postcode");
  EXPECT_EQ(s.layers[1].band, 1);
  EXPECT_EQ(s.layers[1].crs, std::nullopt);
  EXPECT_EQ(s.layers[2].ogr_layer, std::nullopt);
  EXPECT_EQ(s.layers[2].crs, std::nullopt);
  EXPECT_EQ(s.digital_exclusion.mobile_technology, "4G");
  EXPECT_EQ(s.digital_exclusion.mobile_setting, "indoor");
}

TEST_F(StudyTest, TechnologyIsAColumnForFixedSpeedsAndTheMobileTechnologyForMobileKinds) {
  write("speeds.csv", "");
  write("ee.tif", "");
  const Study s = load_study(minimal_plus(R"(
[[layers]]
kind = "fixed-speeds"
path = "speeds.csv"
technology = "access_tech"
)"));
  ASSERT_EQ(s.layers.size(), 1u);
  EXPECT_EQ(s.layers[0].technology_field, "access_tech");
  EXPECT_EQ(s.layers[0].tags.technology, "");

  EXPECT_TRUE(study_error_at(minimal_plus(R"(
[[layers]]
kind = "raster"
path = "ee.tif"
operator = "EE"
technology = "technology"
setting = "indoor"
covered_when = ">= -105"
)"),
                             15,
                             "[[layers]] technology \"technology\" is not known; expected one of: "
                             "2G, 3G, 4G, 5G (with kind = \"raster\", technology is the mobile "
                             "technology, not a column name)"));
}

TEST_F(StudyTest, MobileLayersRequireOperatorTechnologySettingAndARasterRule) {
  write("ee.tif", "");
  write("ee.gpkg", "");
  const fs::path file = minimal_plus(R"(
[[layers]]
kind = "raster"
path = "ee.tif"

[[layers]]
kind = "polygons"
path = "ee.gpkg"
)");
  for (int line : {11, 15}) {
    EXPECT_TRUE(study_error_at(
        file, line,
        "[[layers]] is missing the required key 'operator'; add e.g. operator = \"EE\""));
    EXPECT_TRUE(study_error_at(
        file, line,
        "[[layers]] is missing the required key 'technology'; add e.g. technology = \"4G\""));
    EXPECT_TRUE(study_error_at(
        file, line,
        "[[layers]] is missing the required key 'setting'; add e.g. setting = \"indoor\""));
  }
  EXPECT_TRUE(study_error_at(file, 11,
                             "[[layers]] is missing the required key 'covered_when'; add e.g. "
                             "covered_when = \">= -105\""));
  // Polygons are coverage where they are: no rule.
  const std::string message = load_error(file);
  EXPECT_EQ(message.find(file.string() + ":15: [[layers]] is missing the required key "
                                         "'covered_when'"),
            std::string::npos)
      << message;
}

TEST_F(StudyTest, MobileOperatorMustNotBeEmpty) {
  write("ee.gpkg", "");
  EXPECT_TRUE(study_error_at(minimal_plus(R"(
[[layers]]
kind = "polygons"
path = "ee.gpkg"
operator = ""
technology = "4G"
setting = "indoor"
)"),
                             14, "[[layers]] operator must not be empty; give a value"));
}

TEST_F(StudyTest, UnknownCrsIsReportedAtItsKeyWithProjsReason) {
  // Both problems at once, each at its own line, with PROJ's reason rather than its error code.
  const fs::path file = study(R"([study]
name = "Test"
crs = "EPSG:99999"

[areas]
path = "parishes.gpkg"
id = "PAR23CD"
crs = "ESPG:27700"

[premises]
path = "premises.csv"
)");
  const std::string message = load_error(file);
  EXPECT_NE(
      message.find(file.string() + ":3: [study] crs: 'EPSG:99999' is not a coordinate "
                                   "reference system PROJ knows (proj_create: crs not found)"),
      std::string::npos)
      << message;
  EXPECT_NE(message.find(file.string() + ":8: [areas] crs: 'ESPG:27700' is not"), std::string::npos)
      << message;
  EXPECT_EQ(message.find("Unknown error"), std::string::npos) << message;
}

TEST_F(StudyTest, UnknownMobileTechnologyListsTheAllowedValuesWithoutGuessing) {
  write("ee.gpkg", "");
  const fs::path file = minimal_plus(R"(
[[layers]]
kind = "polygons"
path = "ee.gpkg"
operator = "EE"
technology = "6G"
setting = "indoor"
)");
  // Every technology is one letter from another, so a suggestion would be a guess.
  EXPECT_EQ(load_error(file), file.string() +
                                  ":15: [[layers]] technology \"6G\" is not known; expected one "
                                  "of: 2G, 3G, 4G, 5G (with kind = \"polygons\", technology is "
                                  "the mobile technology, not a column name)");
}

TEST_F(StudyTest, UnknownMobileSettingSuggestsTheClosest) {
  write("ee.tif", "");
  EXPECT_TRUE(study_error_at(minimal_plus(R"(
[[layers]]
kind = "raster"
path = "ee.tif"
operator = "EE"
technology = "4G"
setting = "indor"
covered_when = ">= -105"
)"),
                             16,
                             "[[layers]] setting \"indor\" is not known; expected one of: indoor, "
                             "outdoor; did you mean \"indoor\"?"));
}

TEST_F(StudyTest, UnparseableCoveredWhenShowsTheAcceptedForms) {
  write("ee.tif", "");
  EXPECT_TRUE(study_error_at(minimal_plus(R"(
[[layers]]
kind = "raster"
path = "ee.tif"
operator = "EE"
technology = "4G"
setting = "indoor"
covered_when = ">= abc"
)"),
                             17,
                             "[[layers]] covered_when \">= abc\" is not a rule; write one of: "
                             ">= N, > N, <= N, < N, == N, != N or in [A, B, ...], e.g. \">= "
                             "-105\""));
  EXPECT_TRUE(study_error_at(minimal_plus(R"(
[[layers]]
kind = "raster"
path = "ee.tif"
operator = "EE"
technology = "4G"
setting = "indoor"
covered_when = -105
)"),
                             17,
                             "[[layers]] covered_when must be a string (in quotes), not an "
                             "integer"));
}

TEST_F(StudyTest, BandMustBeAnIntegerFromOne) {
  write("ee.tif", "");
  const std::string layer = R"(
[[layers]]
kind = "raster"
path = "ee.tif"
operator = "EE"
technology = "4G"
setting = "indoor"
covered_when = ">= -105"
)";
  EXPECT_TRUE(study_error_at(minimal_plus(layer + "band = 0\n"), 18,
                             "[[layers]] band must be 1 or more (the first band is 1), not 0"));
  EXPECT_TRUE(study_error_at(minimal_plus(layer + "band = 1.5\n"), 18,
                             "[[layers]] band must be an integer (a whole number, no quotes), not "
                             "a floating-point number"));
  EXPECT_TRUE(study_error_at(minimal_plus(layer + "band = 4294967297\n"), 18,
                             "[[layers]] band 4294967297 is too large"));
}

TEST_F(StudyTest, KindSpecificKeysOnOtherKindsNameTheirKinds) {
  write("speeds.csv", "");
  write("bduk.csv", "");
  write("ee.tif", "");
  write("ee_outdoor.gpkg", "");
  const fs::path file = minimal_plus(R"(
[[layers]]
kind = "fixed-speeds"
path = "speeds.csv"
technology = "tech"
operator = "EE"
covered_when = "== 1"

[[layers]]
kind = "polygons"
path = "ee_outdoor.gpkg"
operator = "EE"
technology = "4G"
setting = "outdoor"
band = 1
key = "uprn"
down = "down"

[[layers]]
kind = "raster"
path = "ee.tif"
operator = "EE"
technology = "4G"
setting = "indoor"
covered_when = "== 1"
layer = "coverage"

[[layers]]
kind = "bduk-premises"
path = "bduk.csv"
technology = "FTTP"
crs = "EPSG:27700"
setting = "indoor"
)");
  EXPECT_TRUE(study_error_at(file, 15,
                             "[[layers]] operator applies only to kind = \"raster\" or "
                             "\"polygons\", not \"fixed-speeds\"; remove it"));
  EXPECT_TRUE(study_error_at(file, 16,
                             "[[layers]] covered_when applies only to kind = \"raster\", not "
                             "\"fixed-speeds\"; remove it"));
  EXPECT_TRUE(study_error_at(file, 24,
                             "[[layers]] band applies only to kind = \"raster\", not "
                             "\"polygons\"; remove it"));
  EXPECT_TRUE(study_error_at(file, 25,
                             "[[layers]] key applies only to kind = \"bduk-premises\", "
                             "\"fixed-speeds\" or \"ofcom-postcode\", not \"polygons\" (raster "
                             "and polygons layers are matched to premises by location); remove "
                             "it"));
  EXPECT_TRUE(study_error_at(file, 26,
                             "[[layers]] down applies only to kind = \"fixed-speeds\", not "
                             "\"polygons\"; remove it"));
  EXPECT_TRUE(study_error_at(file, 35,
                             "[[layers]] layer applies only to kind = \"polygons\", not "
                             "\"raster\"; remove it"));
  EXPECT_TRUE(study_error_at(file, 40,
                             "[[layers]] technology applies only to kind = \"fixed-speeds\", "
                             "\"raster\" or \"polygons\", not \"bduk-premises\" (for fixed-speeds "
                             "it names the technology column, for raster and polygons it is the "
                             "mobile technology); remove it"));
  EXPECT_TRUE(study_error_at(file, 41,
                             "[[layers]] crs applies only to kind = \"raster\" or \"polygons\", "
                             "not \"bduk-premises\"; remove it"));
  EXPECT_TRUE(study_error_at(file, 42,
                             "[[layers]] setting applies only to kind = \"raster\" or "
                             "\"polygons\", not \"bduk-premises\"; remove it"));
  // Nothing else: technology is a column name for fixed-speeds.
  const std::string message = load_error(file);
  EXPECT_EQ(std::count(message.begin(), message.end(), '\n'), 8) << message;
}

TEST_F(StudyTest, TwoMobileLayersOfOneOperatorTechnologyAndSettingAreAnError) {
  write("ee.tif", "");
  write("ee_shapes.gpkg", "");
  write("ee_outdoor.gpkg", "");
  const fs::path file = minimal_plus(R"(
[[layers]]
kind = "raster"
path = "ee.tif"
operator = "EE"
technology = "4G"
setting = "indoor"
covered_when = ">= -105"

[[layers]]
kind = "polygons"
path = "ee_shapes.gpkg"
operator = "ee"
technology = "4g"
setting = "Indoor"

[[layers]]
kind = "polygons"
path = "ee_outdoor.gpkg"
operator = "EE"
technology = "4G"
setting = "outdoor"
)");
  EXPECT_EQ(load_error(file), file.string() +
                                  ":19: [[layers]] operator \"ee\", technology \"4G\", setting "
                                  "\"indoor\" are the same as for the layer at line 11; that "
                                  "operator's coverage would be counted twice: keep one of the "
                                  "two layers");
}

TEST_F(StudyTest, DigitalExclusionValuesAreChecked) {
  const fs::path file = minimal_plus(R"(
[digital_exclusion]
mobile_technology = "LTE"
mobile_setting = "outdor"
mobile_settings = "indoor"
)");
  EXPECT_TRUE(study_error_at(file, 12,
                             "[digital_exclusion] mobile_technology \"LTE\" is not known; "
                             "expected one of: 2G, 3G, 4G, 5G\n"));
  EXPECT_TRUE(study_error_at(file, 13,
                             "[digital_exclusion] mobile_setting \"outdor\" is not known; "
                             "expected one of: indoor, outdoor; did you mean \"outdoor\"?"));
  EXPECT_TRUE(study_error_at(file, 14,
                             "unknown key 'mobile_settings' in [digital_exclusion]; expected one "
                             "of: mobile_technology, mobile_setting; did you mean "
                             "'mobile_setting'?"));
}

TEST_F(StudyTest, LoadsReportPlaces) {
  write("places/bua.geojson", "{}");
  const Study s = load_study(minimal_plus(R"(
[report]
places = { path = "places/bua.geojson", name_field = "name", layer = "bua", where = "pop > 0", rank_field = "pop", crs = "EPSG:4326", max_labels = 5 }
)"));
  ASSERT_TRUE(s.report_places.has_value());
  const io::PlacesSource& p = *s.report_places;
  EXPECT_EQ(p.path, dir_ / "places" / "bua.geojson");
  EXPECT_EQ(p.name_field, "name");
  EXPECT_EQ(p.layer, "bua");
  EXPECT_EQ(p.attribute_filter, "pop > 0");
  EXPECT_EQ(p.rank_field, "pop");
  EXPECT_EQ(p.crs, "EPSG:4326");
  EXPECT_EQ(p.max_labels, 5u);
  EXPECT_EQ(p.where.line, 12u);
  // The same as a [report.places] table, with the defaults.
  const Study t = load_study(minimal_plus(R"(
[report.places]
path = "places/bua.geojson"
name_field = "name"
)"));
  ASSERT_TRUE(t.report_places.has_value());
  EXPECT_EQ(t.report_places->max_labels, 12u);
  EXPECT_FALSE(t.report_places->rank_field.has_value());
  EXPECT_FALSE(load_study(minimal_plus("")).report_places.has_value());
}

TEST_F(StudyTest, ReportPlacesProblemsNameTheKey) {
  write("bua.geojson", "{}");
  EXPECT_TRUE(study_error_at(minimal_plus("[report]\nplaces = \"bua.geojson\"\n"), 11,
                             "[report] places must be a table, e.g. places = { path = "));
  EXPECT_TRUE(study_error_at(minimal_plus("[report]\nplaces = { path = \"bua.geojson\" }\n"), 11,
                             "[report] places is missing the required key 'name_field'; add e.g. "
                             "name_field = \"name\""));
  EXPECT_TRUE(study_error_at(
      minimal_plus(
          "[report]\nplaces = { path = \"bua.geojson\", name_field = \"n\", name = \"x\" }\n"),
      11,
      "unknown key 'name' in [report] places; expected one of: path, layer, name_field, where, "
      "rank_field, crs, max_labels"));
  EXPECT_TRUE(study_error_at(minimal_plus("[report]\nplaces = { path = \"nowhere.geojson\", "
                                          "name_field = \"n\" }\n"),
                             11, "[report] places path 'nowhere.geojson'"));
  EXPECT_TRUE(study_error_at(minimal_plus("[report]\nplace = 1\n"), 11,
                             "unknown key 'place' in [report]; expected one of: places; did you "
                             "mean 'places'?"));
}

TEST_F(StudyTest, PremisesPostcodeMustBeANonEmptyString) {
  EXPECT_TRUE(study_error_at(minimal_plus("postcode = 5\n"), 10,
                             "[premises] postcode must be a string (in quotes), not an integer"));
  EXPECT_TRUE(study_error_at(minimal_plus("postcode = \"\"\n"), 10,
                             "[premises] postcode must not be empty"));
}

TEST_F(StudyTest, PostcodeLayerNeedsPremisesPostcodes) {
  write("DT.csv", "");
  EXPECT_TRUE(study_error_at(minimal_plus(R"(
[[layers]]
kind = "ofcom-postcode"
path = "DT.csv"
)"),
                             12,
                             "[[layers]] kind = \"ofcom-postcode\" is matched to premises by "
                             "postcode, but [premises] (line 8) names no postcode column; add "
                             "e.g. postcode = \"POSTCODE\" to [premises]"));
}

TEST_F(StudyTest, MobileLayerPathsMustExistAndARasterMustBeAFile) {
  fs::create_directories(dir_ / "ee_raster");
  const fs::path file = minimal_plus(R"(
[[layers]]
kind = "raster"
path = "ee_raster"
operator = "EE"
technology = "4G"
setting = "indoor"
covered_when = ">= -105"

[[layers]]
kind = "polygons"
path = "missing.gpkg"
operator = "EE"
technology = "4G"
setting = "outdoor"
)");
  EXPECT_TRUE(study_error_at(file, 13,
                             "[[layers]] path 'ee_raster' is a folder, not a file; name the "
                             "raster file inside it"));
  EXPECT_TRUE(study_error_at(file, 21, "[[layers]] path 'missing.gpkg' does not exist"));
}

// ---- Paths ----------------------------------------------------------------------------------

TEST_F(StudyTest, ResolvesRelativePathsAgainstTheStudyFolderNotTheWorkingDirectory) {
  write("studies/dorset/parishes.gpkg", "");
  write("studies/dorset/premises.csv", "");
  write("studies/dorset/study.toml", kMinimal);
  fs::create_directories(dir_ / "elsewhere");
  const WorkingDirectory cwd(dir_ / "elsewhere");
  const Study s = load_study("../studies/dorset/study.toml");
  EXPECT_EQ(s.file, dir_ / "studies/dorset/study.toml");
  EXPECT_EQ(s.areas.path, dir_ / "studies/dorset/parishes.gpkg");
  EXPECT_EQ(s.premises.path, dir_ / "studies/dorset/premises.csv");
  EXPECT_EQ(s.output_dir, dir_ / "studies/dorset/out");
  // Messages name the study file as the caller did.
  EXPECT_EQ(s.areas.where.describe(), "../studies/dorset/study.toml:4");
}

TEST_F(StudyTest, NormalisesDotDotComponents) {
  write("shared/parishes.gpkg", "");
  write("studies/premises.csv", "");
  const fs::path file = write("studies/study.toml", R"([study]
name = "Test"
[areas]
path = "../shared/./parishes.gpkg"
id = "PAR23CD"
[premises]
path = "premises.csv"
[outputs]
dir = "../out/../results"
)");
  const Study s = load_study(file);
  EXPECT_EQ(s.areas.path, dir_ / "shared/parishes.gpkg");
  EXPECT_EQ(s.output_dir, dir_ / "results");
}

TEST_F(StudyTest, KeepsAbsolutePaths) {
  const fs::path areas = write("elsewhere/parishes.gpkg", "");
  const fs::path output = dir_ / "absolute out";
  const Study s = load_study(write("studies/study.toml", R"([study]
name = "Test"
[areas]
path = ")" + areas.generic_string() + R"("
id = "PAR23CD"
[premises]
path = "../premises.csv"
[outputs]
dir = ")" + output.generic_string() + "\"\n"));
  EXPECT_EQ(s.areas.path, areas);
  EXPECT_EQ(s.premises.path, dir_ / "premises.csv");
  EXPECT_EQ(s.output_dir, output);
}

TEST_F(StudyTest, AcceptsPathsWithSpaces) {
  write("my data/parish boundaries.gpkg", "");
  const Study s = load_study(study(R"([study]
name = "Test"
[areas]
path = "my data/parish boundaries.gpkg"
id = "PAR23CD"
[premises]
path = "premises.csv"
)"));
  EXPECT_EQ(s.areas.path, dir_ / "my data/parish boundaries.gpkg");
}

TEST_F(StudyTest, OutputFolderNeedNotExist) {
  const Study s = load_study(minimal_plus(R"(
[outputs]
dir = "not/yet/there"
)"));
  EXPECT_EQ(s.output_dir, dir_ / "not/yet/there");
  EXPECT_FALSE(fs::exists(s.output_dir));
}

TEST_F(StudyTest, RejectsAnOutputFolderThatIsAFile) {
  write("out.txt", "");
  EXPECT_TRUE(study_error_at(minimal_plus(R"(
[outputs]
dir = "out.txt"
)"),
                             12, "[outputs] dir 'out.txt' exists and is not a folder"));
}

TEST_F(StudyTest, MissingInputNamesKeyLineAndResolvedPath) {
  const fs::path file = write("studies/study.toml", R"([study]
name = "Test"
[areas]
path = "../boundaries/parishes.gpkg"
id = "PAR23CD"
[premises]
path = "../premises.csv"
)");
  const std::string resolved = (dir_ / "boundaries/parishes.gpkg").string();
  EXPECT_TRUE(study_error_at(file, 4,
                             "[areas] path '../boundaries/parishes.gpkg' does not exist (resolved "
                             "to " +
                                 resolved + ")"));
}

TEST_F(StudyTest, MissingAbsoluteInputIsNamedAsWritten) {
  const fs::path missing = dir_ / "nowhere/premises.csv";
  EXPECT_TRUE(study_error_at(study(R"([study]
name = "Test"
[areas]
path = "parishes.gpkg"
id = "PAR23CD"
[premises]
path = ")" + missing.string() + "\"\n"),
                             7, "[premises] path '" + missing.string() + "' does not exist;"));
}

TEST_F(StudyTest, TildeIsNotExpandedAndTheMessageSaysSo) {
  const fs::path file = study(R"([study]
name = "Test"
[areas]
path = "~/parishes.gpkg"
id = "PAR23CD"
[premises]
path = "premises.csv"
)");
  EXPECT_TRUE(study_error_at(file, 4, "[areas] path '~/parishes.gpkg' does not exist"));
  EXPECT_NE(load_error(file).find("'~' is not expanded"), std::string::npos);
}

TEST_F(StudyTest, RejectsAFolderWhereAFileIsNeeded) {
  fs::create_directories(dir_ / "premises_folder.csv");
  fs::create_directories(dir_ / "bduk");
  const fs::path file = study(R"([study]
name = "Test"
[areas]
path = "parishes.gpkg"
id = "PAR23CD"
[premises]
path = "premises_folder.csv"
[[layers]]
kind = "bduk-premises"
path = "bduk"
)");
  EXPECT_TRUE(study_error_at(file, 7, "[premises] path 'premises_folder.csv' is a folder"));
  EXPECT_TRUE(study_error_at(file, 10, "[[layers]] path 'bduk' is a folder"));
}

// ---- Errors ---------------------------------------------------------------------------------

TEST_F(StudyTest, UnknownKeySuggestsTheClosestKey) {
  EXPECT_TRUE(
      study_error_at(study(R"([study]
name = "Test"

[areas]
path = "parishes.gpkg"
id = "PAR23CD"
nmae = "PAR23NM"

[premises]
path = "premises.csv"
)"),
                     7,
                     "unknown key 'nmae' in [areas]; expected one of: path, member, layer, where, "
                     "id, name, crs, as_at; did you mean 'name'?"));
}

// ---- as_at: the date each input describes ---------------------------------------------------

TEST_F(StudyTest, AsAtIsReadOnStudyAreasPremisesAndEveryLayer) {
  write("speeds.csv", "uprn,max_down_mbps,max_up_mbps,technology\n");
  write("bduk.csv", "uprn\n");
  const Study s = load_study(study(R"([study]
name = "Test"
as_at = "2026-10"

[areas]
path = "parishes.gpkg"
id = "PAR23CD"
as_at = "2025"

[premises]
path = "premises.csv"
as_at = "2026-09-30"

[[layers]]
kind = "fixed-speeds"
path = "speeds.csv"
as_at = "2025-07"

[[layers]]
kind = "bduk-premises"
path = "bduk.csv"
)"));
  EXPECT_EQ(s.as_at, "2026-10");
  EXPECT_EQ(s.areas.as_at, "2025");
  EXPECT_EQ(s.premises.as_at, "2026-09-30");
  ASSERT_EQ(s.layers.size(), 2u);
  EXPECT_EQ(s.layers[0].as_at, "2025-07");
  EXPECT_EQ(s.layers[1].as_at, std::nullopt);  // not declared: never a default date
}

TEST_F(StudyTest, AsAtIsOptional) {
  const Study s = load_study(study(kMinimal));
  EXPECT_EQ(s.as_at, std::nullopt);
  EXPECT_EQ(s.areas.as_at, std::nullopt);
  EXPECT_EQ(s.premises.as_at, std::nullopt);
}

TEST_F(StudyTest, AsAtAcceptsAnUnquotedTomlDate) {
  const Study s = load_study(minimal_plus("as_at = 2024-02-29\n"));  // a leap day
  EXPECT_EQ(s.premises.as_at, "2024-02-29");
}

TEST_F(StudyTest, AsAtMustBeARealYearMonthOrDay) {
  // Hand-checked: month 13 does not exist; 2025 is not a leap year; April has 30 days;
  // "2025-7" lacks the month's leading zero; "July 2025" is not one of the forms.
  for (const char* bad : {"2025-13", "2025-00", "2025-02-29", "2025-04-31", "2025-7", "July 2025",
                          "25-07", "2025-07-01T00:00", "2025/07"}) {
    SCOPED_TRACE(bad);
    const fs::path file = minimal_plus(std::string("as_at = \"") + bad + "\"\n");
    EXPECT_TRUE(study_error_at(
        file, 10,
        std::string("[premises] as_at \"") + bad +
            "\" is not a date the data describes; write \"YYYY\", \"YYYY-MM\" or \"YYYY-MM-DD\""));
  }
  for (const char* good : {"2025", "2025-12", "2025-01-31", "2000-02-29", "2026-04-30"}) {
    SCOPED_TRACE(good);
    EXPECT_EQ(load_study(minimal_plus(std::string("as_at = \"") + good + "\"\n")).premises.as_at,
              good);
  }
}

TEST_F(StudyTest, AsAtOfTheWrongTypeNamesTheAcceptedForms) {
  EXPECT_TRUE(study_error_at(study(R"([study]
name = "Test"
as_at = 2025

[areas]
path = "parishes.gpkg"
id = "PAR23CD"

[premises]
path = "premises.csv"
)"),
                             3,
                             "[study] as_at must be a date written as a string: \"YYYY\", "
                             "\"YYYY-MM\" or \"YYYY-MM-DD\" in quotes, e.g. as_at = \"2025-07\"; "
                             "not an integer"));
}

TEST_F(StudyTest, AsAtOnALayerIsCheckedAndNamesItsTable) {
  write("speeds.csv", "uprn,max_down_mbps,max_up_mbps,technology\n");
  EXPECT_TRUE(study_error_at(minimal_plus(R"(
[[layers]]
kind = "fixed-speeds"
path = "speeds.csv"
as_at = "2025-13"
)"),
                             14, "[[layers]] as_at \"2025-13\" is not a date"));
}

TEST_F(StudyTest, MisspeltAsAtSuggestsAsAt) {
  EXPECT_TRUE(
      study_error_at(minimal_plus("as_of = \"2025-07\"\n"), 10,
                     "unknown key 'as_of' in [premises]; expected one of: path, member, format, "
                     "layer, where, id, postcode, x, y, crs, as_at; did you mean 'as_at'?"));
}

TEST_F(StudyTest, UnknownKeyFarFromEveryKeyHasNoSuggestion) {
  const fs::path file = minimal_plus("colour = \"red\"\n");
  EXPECT_TRUE(study_error_at(file, 10, "unknown key 'colour' in [premises]"));
  EXPECT_EQ(load_error(file).find("did you mean"), std::string::npos);
}

TEST_F(StudyTest, UnknownTableSuggestsTheClosestTable) {
  EXPECT_TRUE(study_error_at(minimal_plus(R"(
[ouputs]
dir = "out"
)"),
                             11,
                             "unknown table [ouputs]; expected one of: study, areas, premises, "
                             "layers, thresholds, digital_exclusion, quality, outputs, report; did "
                             "you mean [outputs]?"));
}

TEST_F(StudyTest, KeyOutsideEveryTableIsAnError) {
  EXPECT_TRUE(study_error_at(study("title = \"x\"\n" + std::string(kMinimal)), 1,
                             "'title' is outside every table"));
}

TEST_F(StudyTest, LayersWrittenAsASingleTableIsAnError) {
  EXPECT_TRUE(study_error_at(minimal_plus(R"(
[layers]
kind = "bduk-premises"
)"),
                             11, "[layers] must be written [[layers]]"));
}

TEST_F(StudyTest, WrongTypeNamesExpectedAndActualType) {
  const fs::path file = minimal_plus(R"(
[thresholds]
gigabit_mbps = "1000"
)");
  EXPECT_TRUE(study_error_at(file, 12, "[thresholds] gigabit_mbps must be a number, not a string"));
}

TEST_F(StudyTest, NumberWhereAStringIsNeededIsAnError) {
  EXPECT_TRUE(study_error_at(study(R"([study]
name = "Test"
[areas]
path = "parishes.gpkg"
id = 5
[premises]
path = "premises.csv"
)"),
                             5, "[areas] id must be a string (in quotes), not an integer"));
}

TEST_F(StudyTest, EmptyStringIsAnError) {
  EXPECT_TRUE(study_error_at(minimal_plus("crs = \"\"\n"), 10, "[premises] crs must not be empty"));
}

TEST_F(StudyTest, MissingRequiredKeyNamesTheTableLine) {
  EXPECT_TRUE(study_error_at(study(R"([study]
name = "Test"

[areas]
path = "parishes.gpkg"

[premises]
path = "premises.csv"
)"),
                             4, "[areas] is missing the required key 'id'"));
}

TEST_F(StudyTest, MissingRequiredTableNamesTheFile) {
  const fs::path file = study(R"([study]
name = "Test"
[areas]
path = "parishes.gpkg"
id = "PAR23CD"
)");
  const std::string message = load_error(file);
  EXPECT_EQ(message.rfind(file.string() + ": the study file has no [premises] table", 0), 0u)
      << message;
}

TEST_F(StudyTest, ThresholdOutOfRangeIsAnError) {
  const fs::path file = minimal_plus(R"(
[thresholds]
gigabit_mbps = 100001
ultrafast_mbps = 0
superfast_mbps = -30
decent_down_mbps = nan
)");
  EXPECT_TRUE(study_error_at(file, 12,
                             "[thresholds] gigabit_mbps must be more than 0 and at most 100000 "
                             "(Mbit/s), not 100001"));
  EXPECT_TRUE(study_error_at(file, 13, "[thresholds] ultrafast_mbps must be more than 0"));
  EXPECT_TRUE(study_error_at(file, 14, "[thresholds] superfast_mbps must be more than 0"));
  EXPECT_TRUE(study_error_at(file, 15, "[thresholds] decent_down_mbps must be more than 0"));
}

TEST_F(StudyTest, ThresholdsMustBeOrderedSuperfastUltrafastGigabit) {
  EXPECT_TRUE(study_error_at(minimal_plus(R"(
[thresholds]
superfast_mbps = 500
)"),
                             12,
                             "[thresholds] superfast_mbps (500) must not exceed ultrafast_mbps "
                             "(300)"));
  EXPECT_TRUE(study_error_at(minimal_plus(R"(
[thresholds]
gigabit_mbps = 100
)"),
                             12,
                             "[thresholds] ultrafast_mbps (300) must not exceed gigabit_mbps "
                             "(100)"));
}

TEST_F(StudyTest, AttributionLinesAndThePreviousRun) {
  const Study s = load_study(study(R"([study]
name = "Test"
attribution = ["Contains OS data © Crown copyright", "Contains Ofcom data © Ofcom 2025"]

[areas]
path = "parishes.gpkg"
id = "PAR23CD"

[premises]
path = "premises.csv"

[outputs]
dir = "out/2026-12"
previous = "out/2026-11"
)"));
  EXPECT_EQ(s.attribution, (std::vector<std::string>{"Contains OS data © Crown copyright",
                                                     "Contains Ofcom data © Ofcom 2025"}));
  // The previous run need not exist when the study is read: it may be the outputs folder.
  EXPECT_EQ(s.previous_dir, dir_ / "out/2026-11");
  EXPECT_TRUE(load_study(study(kMinimal)).attribution.empty());
  EXPECT_FALSE(load_study(study(kMinimal)).previous_dir);
  EXPECT_NE(
      load_error(study(std::string(kMinimal).replace(0, 8, "[study]\nattribution = \"OS\"\n")))
          .find("attribution"),
      std::string::npos);
}

TEST_F(StudyTest, FullFibreTechnologiesMustBeNonEmptyStrings) {
  EXPECT_TRUE(study_error_at(minimal_plus(R"(
[thresholds]
full_fibre_technologies = []
)"),
                             12, "[thresholds] full_fibre_technologies must not be empty"));
  EXPECT_TRUE(study_error_at(minimal_plus(R"(
[thresholds]
full_fibre_technologies = ["FTTP",
  3]
)"),
                             13,
                             "[thresholds] full_fibre_technologies: element 2 must be a "
                             "non-empty string, not an integer"));
}

TEST_F(StudyTest, ShareOutsideZeroToOneIsAnError) {
  const fs::path file = minimal_plus(R"(
[quality]
max_rejected_share = 5
max_outside_share = -0.1
)");
  EXPECT_TRUE(study_error_at(file, 12,
                             "[quality] max_rejected_share must be a share between 0 and 1 (e.g. "
                             "0.01 for 1%), not 5"));
  EXPECT_TRUE(study_error_at(file, 13, "[quality] max_outside_share must be a share between 0"));
}

TEST_F(StudyTest, XWithoutYIsAnError) {
  EXPECT_TRUE(study_error_at(minimal_plus("x = \"EASTING\"\n"), 10,
                             "[premises] x is given without y; give both x and y"));
}

TEST_F(StudyTest, LayerWithCsvPremisesIsAnError) {
  EXPECT_TRUE(study_error_at(minimal_plus("layer = \"uprn\"\n"), 10,
                             "[premises] layer applies only to format \"ogr\", and these premises "
                             "are read as CSV (from the extension '.csv')"));
}

TEST_F(StudyTest, CoordinateColumnsWithOgrPremisesAreAnError) {
  EXPECT_TRUE(study_error_at(minimal_plus(R"(format = "ogr"
x = "E"
y = "N"
)"),
                             11,
                             "[premises] x applies only to format \"csv\", and these premises are "
                             "read with OGR (format = \"ogr\" at line 10)"));
}

TEST_F(StudyTest, UnknownPremisesFormatSuggestsAKnownOne) {
  EXPECT_TRUE(study_error_at(minimal_plus("format = \"cvs\"\n"), 10,
                             "[premises] format \"cvs\" is not known; expected one of: csv, ogr; "
                             "did you mean \"csv\"?"));
}

TEST_F(StudyTest, UnknownLayerKindIsAnError) {
  write("mobile.tif", "");
  const fs::path file = minimal_plus(R"(
[[layers]]
kind = "mobile"
path = "mobile.tif"
)");
  // The only problem: while the kind is unknown, no key is required or rejected for it.
  EXPECT_EQ(load_error(file), file.string() +
                                  ":12: [[layers]] kind \"mobile\" is not known; expected one "
                                  "of: bduk-premises, fixed-speeds, ofcom-postcode, raster, "
                                  "polygons");
}

TEST_F(StudyTest, UnknownLayerKindSuggestsTheClosestKind) {
  write("mobile.tif", "");
  write("coverage.gpkg", "");
  write("DT.csv", "");
  const fs::path file = minimal_plus(R"(
[[layers]]
kind = "rastr"
path = "mobile.tif"

[[layers]]
kind = "polygon"
path = "coverage.gpkg"

[[layers]]
kind = "ofcom_postcode"
path = "DT.csv"
)");
  EXPECT_TRUE(study_error_at(file, 12,
                             "[[layers]] kind \"rastr\" is not known; expected one of: "
                             "bduk-premises, fixed-speeds, ofcom-postcode, raster, "
                             "polygons; did you mean \"raster\"?"));
  EXPECT_TRUE(study_error_at(file, 16,
                             "[[layers]] kind \"polygon\" is not known; expected one of: "
                             "bduk-premises, fixed-speeds, ofcom-postcode, raster, "
                             "polygons; did you mean \"polygons\"?"));
  EXPECT_TRUE(study_error_at(file, 20,
                             "[[layers]] kind \"ofcom_postcode\" is not known; expected one "
                             "of: bduk-premises, fixed-speeds, ofcom-postcode, raster, "
                             "polygons; did you mean \"ofcom-postcode\"?"));
}

TEST_F(StudyTest, SpeedColumnsOnABdukLayerAreAnError) {
  write("bduk.csv", "");
  EXPECT_TRUE(study_error_at(minimal_plus(R"(
[[layers]]
kind = "bduk-premises"
path = "bduk.csv"
down = "speed"
)"),
                             14, "[[layers]] down applies only to kind = \"fixed-speeds\""));
}

TEST_F(StudyTest, DuplicateLayerNamesAreAnError) {
  write("a.csv", "");
  write("b.csv", "");
  EXPECT_TRUE(study_error_at(minimal_plus(R"(
[[layers]]
kind = "bduk-premises"
name = "fixed"
path = "a.csv"

[[layers]]
kind = "fixed-speeds"
name = "fixed"
path = "b.csv"
)"),
                             18,
                             "[[layers]] name 'fixed' is already used by the layer at line 11"));
}

TEST_F(StudyTest, DuplicateDefaultLayerNamesAreAnError) {
  write("2025/speeds.csv", "");
  write("2026/speeds.csv", "");
  EXPECT_TRUE(study_error_at(minimal_plus(R"(
[[layers]]
kind = "fixed-speeds"
path = "2025/speeds.csv"

[[layers]]
kind = "fixed-speeds"
path = "2026/speeds.csv"
)"),
                             17,
                             "[[layers]] name 'speeds' (from the file name) is already used by "
                             "the layer at line 11"));
}

TEST_F(StudyTest, TomlSyntaxErrorGivesLineAndColumn) {
  const fs::path file = study(R"([study]
name = "Test"
[areas]
path = "parishes.gpkg
id = "PAR23CD"
)");
  const std::string message = load_error(file);
  EXPECT_EQ(message.rfind(file.string() + ":4:", 0), 0u) << message;
  EXPECT_NE(message.find("TOML syntax error"), std::string::npos) << message;
}

TEST_F(StudyTest, ReportsEveryProblemInLineOrder) {
  const fs::path file = study(R"([study]
nmae = "Test"
[areas]
path = "parishes.gpkg"
id = 7
[premises]
path = "premises.csv"
)");
  const std::string message = load_error(file);
  const std::size_t unknown = message.find(file.string() + ":2: unknown key 'nmae'");
  const std::size_t missing = message.find(file.string() + ":1: [study] is missing");
  const std::size_t type = message.find(file.string() + ":5: [areas] id must be a string");
  ASSERT_NE(unknown, std::string::npos) << message;
  ASSERT_NE(missing, std::string::npos) << message;
  ASSERT_NE(type, std::string::npos) << message;
  EXPECT_EQ(missing, 0u);
  EXPECT_LT(missing, unknown);
  EXPECT_LT(unknown, type);
}

TEST_F(StudyTest, StudyFileThatCannotBeOpenedIsAnInputError) {
  const std::string missing = load_error(dir_ / "nope.toml", engine::ErrorKind::kInput);
  EXPECT_NE(missing.find("does not exist"), std::string::npos) << missing;
  const std::string folder = load_error(dir_, engine::ErrorKind::kInput);
  EXPECT_NE(folder.find("is a folder"), std::string::npos) << folder;
}

}  // namespace
}  // namespace notspot::study

namespace notspot::study {
namespace {

// ---- where: attribute filters on vector inputs ------------------------------------------------

TEST_F(StudyTest, WhereIsReadForAreasOgrPremisesAndPolygonLayers) {
  write("premises.gpkg", "");
  write("ee.gpkg", "");
  const fs::path file = study(R"([study]
name = "Test"

[areas]
path = "parishes.gpkg"
id = "PAR23CD"
where = "LAD24CD = 'E06000059'"

[premises]
path = "premises.gpkg"
where = "LAD = 'E06000059'"

[[layers]]
kind = "polygons"
path = "ee.gpkg"
operator = "EE"
technology = "4G"
setting = "outdoor"
where = "TECH = '4G'"
)");
  const Study s = load_study(file);
  EXPECT_EQ(s.areas.attribute_filter, "LAD24CD = 'E06000059'");
  EXPECT_EQ(s.premises.attribute_filter, "LAD = 'E06000059'");
  ASSERT_EQ(s.layers.size(), 1u);
  EXPECT_EQ(s.layers[0].attribute_filter, "TECH = '4G'");
  // Absent: every feature.
  const Study minimal = load_study(minimal_plus(""));
  EXPECT_FALSE(minimal.areas.attribute_filter.has_value());
  EXPECT_FALSE(minimal.premises.attribute_filter.has_value());
}

TEST_F(StudyTest, WhereOnACsvInputIsAStudyErrorAtItsLine) {
  write("speeds.csv", "");
  write("ee.tif", "");
  const fs::path file = study(R"([study]
name = "Test"

[areas]
path = "parishes.gpkg"
id = "PAR23CD"

[premises]
path = "premises.csv"
where = "LAD = 'E06000059'"

[[layers]]
kind = "fixed-speeds"
path = "speeds.csv"
where = "uprn > 0"

[[layers]]
kind = "raster"
path = "ee.tif"
operator = "EE"
technology = "4G"
setting = "indoor"
covered_when = "== 1"
where = "x = 1"
)");
  EXPECT_TRUE(study_error_at(file, 10,
                             "[premises] where applies to vector sources read through GDAL, and "
                             "these premises are read as CSV (from the extension '.csv')"));
  EXPECT_TRUE(study_error_at(file, 15,
                             "[[layers]] where applies to vector sources read through GDAL (kind "
                             "= \"polygons\", [areas], OGR [premises]), not kind = "
                             "\"fixed-speeds\", which is read as CSV; remove where"));
  EXPECT_TRUE(study_error_at(file, 24,
                             "[[layers]] where applies to vector sources read through GDAL (kind "
                             "= \"polygons\", [areas], OGR [premises]), not kind = \"raster\", "
                             "a raster, which has cells, not features; remove where"));
}

TEST_F(StudyTest, WhereMustBeANonEmptyString) {
  const fs::path file = study(R"([study]
name = "Test"

[areas]
path = "parishes.gpkg"
id = "PAR23CD"
where = 1
)");
  EXPECT_TRUE(
      study_error_at(file, 7, "[areas] where must be a string (in quotes), not an integer"));
  const fs::path empty = study(R"([study]
name = "Test"

[areas]
path = "parishes.gpkg"
id = "PAR23CD"
where = ""
)");
  EXPECT_TRUE(study_error_at(empty, 7, "[areas] where must not be empty"));
}

TEST_F(StudyTest, MisspeltWhereKeySuggestsIt) {
  const fs::path file = minimal_plus("");
  write("study.toml", std::string(kMinimal).replace(std::string(kMinimal).find("id = "), 0,
                                                    "wehre = \"A = 'b'\"\n"));
  EXPECT_TRUE(study_error_at(file, 6, "unknown key 'wehre' in [areas]"));
  EXPECT_NE(load_error(file).find("did you mean 'where'?"), std::string::npos);
}

}  // namespace
}  // namespace notspot::study
