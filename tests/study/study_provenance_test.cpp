// The study file's provenance keys: [study] require_best_transformation and the as_at dates.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <string_view>

#include "notspot/engine/error.hpp"
#include "notspot/study/study.hpp"

namespace notspot::study {
namespace {

namespace fs = std::filesystem;

class StudyProvenanceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device random;
    const std::string test = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    do {
      dir_ = fs::temp_directory_path() / ("notspot-prov-" + test + "-" + std::to_string(random()));
    } while (!fs::create_directory(dir_));
    write("parishes.gpkg", "not really a GeoPackage");
    write("premises.csv", "UPRN,X_COORDINATE,Y_COORDINATE\n");
    write("bduk.csv", "uprn\n");
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  fs::path write(const fs::path& relative, std::string_view text) {
    const fs::path path = dir_ / relative;
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }
  /// A study whose [study] table holds `study_extra` (from line 3), [areas] `areas_extra`,
  /// [premises] `premises_extra` and one [[layers]] `layer_extra`, each one line at most.
  fs::path study(std::string_view study_extra, std::string_view areas_extra = "",
                 std::string_view premises_extra = "", std::string_view layer_extra = "") {
    std::string text = "[study]\nname = \"Test\"\n" + std::string(study_extra) + "\n";
    text += "[areas]\npath = \"parishes.gpkg\"\nid = \"PAR23CD\"\n" + std::string(areas_extra) + "\n";
    text += "[premises]\npath = \"premises.csv\"\n" + std::string(premises_extra) + "\n";
    text += "[[layers]]\nkind = \"bduk-premises\"\npath = \"bduk.csv\"\n" +
            std::string(layer_extra) + "\n";
    return write("study.toml", text);
  }
  fs::path dir_;
};

std::string load_error(const fs::path& file) {
  try {
    load_study(file);
  } catch (const engine::Error& e) {
    EXPECT_EQ(e.kind(), engine::ErrorKind::kStudy) << e.what();
    return e.what();
  }
  ADD_FAILURE() << "loaded " << file << " without an error";
  return "";
}

TEST_F(StudyProvenanceTest, RequireBestTransformationDefaultsToFalse) {
  EXPECT_FALSE(load_study(study("")).require_best_transformation);
}

TEST_F(StudyProvenanceTest, RequireBestTransformationIsRead) {
  EXPECT_TRUE(load_study(study("require_best_transformation = true")).require_best_transformation);
  EXPECT_FALSE(
      load_study(study("require_best_transformation = false")).require_best_transformation);
}

TEST_F(StudyProvenanceTest, RequireBestTransformationMustBeABoolean) {
  const fs::path file = study("require_best_transformation = \"yes\"");
  const std::string message = load_error(file);
  EXPECT_NE(message.find(file.string() +
                         ":3: [study] require_best_transformation must be true or false (no "
                         "quotes), not a string"),
            std::string::npos)
      << message;
}

}  // namespace
}  // namespace notspot::study
