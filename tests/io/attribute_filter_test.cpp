// `where` on vector inputs: areas, OGR premises and footprint layers read only the features an
// OGR SQL clause selects. Expectations come from the small study's README (which parish holds
// which premise, worked out by hand) and from `ogrinfo -where` (GDAL's own count), never from
// notspot's output.

#include <gdal_utils.h>
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include "notspot/engine/error.hpp"
#include "notspot/io/areas_reader.hpp"
#include "notspot/io/coverage_layers.hpp"
#include "notspot/io/premises_reader.hpp"
#include "support/layer_files.hpp"

namespace notspot::io {
namespace {

namespace fs = std::filesystem;
using AttributeFilterTest = test::LayerFilesTest;

const fs::path kParishes = fs::path(NOTSPOT_TEST_DATA_DIR) / "small_study" / "parishes.geojson";

AreasSource small_study_areas(const fs::path& path, std::optional<std::string> where) {
  AreasSource source;
  source.path = path;
  source.id_field = "code";
  source.name_field = "label";
  source.attribute_filter = std::move(where);
  source.where = SourceLine{"study.toml", 7};
  return source;
}

std::vector<std::string> ids(const AreasLoad& load) {
  std::vector<std::string> out;
  for (const Area& a : load.areas) out.push_back(a.id);
  return out;
}

// Copies the small study's parishes into a GeoPackage with GDAL's own ogr2ogr (the library
// call), so that a clause is checked by SQLite as well as by OGR SQL (GeoJSON).
fs::path parishes_as_geopackage(const fs::path& dir) {
  const fs::path out = dir / "parishes.gpkg";
  GDALAllRegister();
  GDALDatasetH source = GDALOpenEx(kParishes.c_str(), GDAL_OF_VECTOR, nullptr, nullptr, nullptr);
  EXPECT_NE(source, nullptr);
  const char* args[] = {"-f", "GPKG", "-nln", "parishes", nullptr};
  GDALVectorTranslateOptions* options =
      GDALVectorTranslateOptionsNew(const_cast<char**>(args), nullptr);
  int failed = 0;
  GDALDatasetH written = GDALVectorTranslate(out.c_str(), nullptr, 1, &source, options, &failed);
  GDALVectorTranslateOptionsFree(options);
  EXPECT_EQ(failed, 0);
  GDALClose(written);
  GDALClose(source);
  return out;
}

// "Feature Count: N" from `ogrinfo -ro -so -where CLAUSE FILE LAYER`, GDAL's own count.
std::optional<long> ogrinfo_count(const fs::path& file, const std::string& layer,
                                  const std::string& clause) {
  const std::string command =
      "ogrinfo -ro -so -where \"" + clause + "\" '" + file.string() + "' " + layer + " 2>/dev/null";
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"), pclose);
  if (!pipe) return std::nullopt;
  std::string text;
  std::array<char, 4096> buffer{};
  while (std::fgets(buffer.data(), buffer.size(), pipe.get()) != nullptr) text += buffer.data();
  std::smatch match;
  if (!std::regex_search(text, match, std::regex("Feature Count: (\\d+)"))) return std::nullopt;
  return std::stol(match[1]);
}

std::string error_of(const std::function<void()>& call, engine::ErrorKind& kind) {
  try {
    call();
  } catch (const engine::Error& e) {
    kind = e.kind();
    return e.what();
  }
  ADD_FAILURE() << "no error";
  return "";
}

TEST_F(AttributeFilterTest, AreasReadOnlyTheFeaturesTheClauseSelects) {
  for (const fs::path& path : {kParishes, parishes_as_geopackage(dir_)}) {
    SCOPED_TRACE(path.string());
    ProblemLog log;
    // README: six areas; leaving out Foxtrot (the bow-tie) leaves five, and no repair.
    const AreasLoad load =
        read_areas(small_study_areas(path, "code <> 'E04000006'"), bng_, "parishes", log);
    EXPECT_EQ(ids(load), (std::vector<std::string>{"E04000001", "E04000002", "E04000003",
                                                   "E04000004", "E04000005"}));
    EXPECT_EQ(load.features_read, 5u);
    EXPECT_EQ(load.repaired, 0u);  // the bow-tie was the only invalid polygon
    ASSERT_TRUE(load.filter.has_value());
    EXPECT_EQ(load.filter->clause, "code <> 'E04000006'");
    EXPECT_EQ(load.filter->features_in_layer, 6u);
    EXPECT_EQ(load.filter->features_selected, 5u);

    const AreasLoad two =
        read_areas(small_study_areas(path, "label IN ('Alpha', 'Bravo')"), bng_, "parishes", log);
    EXPECT_EQ(ids(two), (std::vector<std::string>{"E04000001", "E04000002"}));
  }
}

TEST_F(AttributeFilterTest, SelectedCountAgreesWithOgrinfo) {
  const std::string clause = "code IN ('E04000001', 'E04000004', 'E04000005') OR label LIKE 'F%'";
  const std::optional<long> expected = ogrinfo_count(kParishes, "parishes", clause);
  if (!expected) GTEST_SKIP() << "ogrinfo is not available";
  EXPECT_EQ(*expected, 4);  // and by hand: Alpha, Delta, Echo, Foxtrot
  ProblemLog log;
  const AreasInspection inspection =
      inspect_areas(small_study_areas(kParishes, clause), "parishes.geojson", log);
  ASSERT_TRUE(inspection.filter.has_value());
  EXPECT_EQ(static_cast<long>(inspection.filter->features_selected), *expected);
  EXPECT_NE(inspection.description.find("6 features, 4 selected by where"), std::string::npos)
      << inspection.description;
  const AreasLoad load = read_areas(small_study_areas(kParishes, clause), bng_, "parishes", log);
  EXPECT_EQ(static_cast<long>(load.areas.size()), *expected);
}

TEST_F(AttributeFilterTest, InspectionGivesTheExtentOfTheSelectedAreas) {
  for (const fs::path& path : {kParishes, parishes_as_geopackage(dir_)}) {
    SCOPED_TRACE(path.string());
    ProblemLog log;
    // README: Bravo is [401000, 402000] x [100000, 101000].
    const AreasInspection inspection =
        inspect_areas(small_study_areas(path, "label = 'Bravo'"), "parishes", log);
    ASSERT_TRUE(inspection.extent.has_value());
    EXPECT_EQ(inspection.extent->xmin, 401000);
    EXPECT_EQ(inspection.extent->ymin, 100000);
    EXPECT_EQ(inspection.extent->xmax, 402000);
    EXPECT_EQ(inspection.extent->ymax, 101000);
  }
}

TEST_F(AttributeFilterTest, WithoutAClauseEveryFeatureIsReadAndNoFilterIsRecorded) {
  ProblemLog log;
  const AreasLoad load = read_areas(small_study_areas(kParishes, std::nullopt), bng_, "p", log);
  EXPECT_EQ(load.areas.size(), 6u);
  EXPECT_FALSE(load.filter.has_value());
}

TEST_F(AttributeFilterTest, AMisspeltFieldIsAStudyErrorListingTheFieldsAndTheNearest) {
  for (const fs::path& path : {kParishes, parishes_as_geopackage(dir_)}) {
    SCOPED_TRACE(path.string());
    ProblemLog log;
    engine::ErrorKind kind{};
    const std::string message = error_of(
        [&] { read_areas(small_study_areas(path, "cdoe = 'E04000001'"), bng_, "parishes.x", log); },
        kind);
    EXPECT_EQ(kind, engine::ErrorKind::kStudy);
    for (const char* part :
         {"parishes.x: layer 'parishes': where \"cdoe = 'E04000001'\"",
          "study.toml:7 [areas] where", "cannot be used: ",
          "the layer has no field 'cdoe' (did you mean 'code'?)", "its fields are: code, label"}) {
      EXPECT_NE(message.find(part), std::string::npos) << part << "\n" << message;
    }
  }
}

TEST_F(AttributeFilterTest, AClauseGdalCannotParseIsAStudyErrorWithGdalsMessage) {
  for (const fs::path& path : {kParishes, parishes_as_geopackage(dir_)}) {
    SCOPED_TRACE(path.string());
    ProblemLog log;
    engine::ErrorKind kind{};
    const std::string message = error_of(
        [&] { inspect_areas(small_study_areas(path, "code = = 'E04000001'"), "parishes.x", log); },
        kind);
    EXPECT_EQ(kind, engine::ErrorKind::kStudy);
    EXPECT_NE(message.find("where \"code = = 'E04000001'\""), std::string::npos) << message;
    // GDAL's message follows "cannot be used: " and is not empty.
    const std::size_t at = message.find("cannot be used: ");
    ASSERT_NE(at, std::string::npos) << message;
    EXPECT_NE(message.substr(at + 16, 1), ";") << message;
    EXPECT_EQ(message.find("the layer has no field"), std::string::npos) << message;
    // GDAL's parser message spans lines; the error is one line for terminals and logs.
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  }
}

TEST_F(AttributeFilterTest, AClauseSelectingNothingIsAnInputErrorWithTheCount) {
  for (const fs::path& path : {kParishes, parishes_as_geopackage(dir_)}) {
    SCOPED_TRACE(path.string());
    ProblemLog log;
    engine::ErrorKind kind{};
    const std::string message = error_of(
        [&] { read_areas(small_study_areas(path, "code = 'E09999999'"), bng_, "parishes.x", log); },
        kind);
    EXPECT_EQ(kind, engine::ErrorKind::kInput);
    EXPECT_NE(message.find("parishes.x: layer 'parishes': where \"code = 'E09999999'\" "
                           "(study.toml:7 [areas] where) selects 0 of 6 features; check the value"),
              std::string::npos)
        << message;
  }
}

TEST_F(AttributeFilterTest, OgrPremisesReadOnlyTheSelectedPoints) {
  std::ofstream(dir_ / "points.geojson") << R"({"type": "FeatureCollection",
"crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::27700"}},
"features": [
{"type": "Feature", "properties": {"UPRN": 1, "LAD": "E06000059"}, "geometry": {"type": "Point", "coordinates": [400500, 100500]}},
{"type": "Feature", "properties": {"UPRN": 2, "LAD": "E06000058"}, "geometry": {"type": "Point", "coordinates": [400600, 100500]}},
{"type": "Feature", "properties": {"UPRN": 3, "LAD": "E06000059"}, "geometry": {"type": "Point", "coordinates": [400700, 100500]}}
]})";
  PremisesSource source;
  source.path = dir_ / "points.geojson";
  source.format = PremisesFormat::kOgr;
  source.attribute_filter = "LAD = 'E06000059'";
  ProblemLog log;
  Progress progress;
  const PremisesLoad load = read_premises(source, bng_, "points.geojson", log, progress);
  EXPECT_EQ(load.rows_read, 2u);
  ASSERT_EQ(load.table.size(), 2u);
  EXPECT_EQ(load.table.id[0], 1u);
  EXPECT_EQ(load.table.id[1], 3u);
  ASSERT_TRUE(load.filter.has_value());
  EXPECT_EQ(load.filter->features_in_layer, 3u);
  EXPECT_EQ(load.filter->features_selected, 2u);
  EXPECT_NE(inspect_premises(source, "points.geojson").description.find("3 features, 2 selected"),
            std::string::npos);
  EXPECT_EQ(sample_premises(source, "points.geojson").x.size(), 2u);

  source.attribute_filter = "LAD = 'E06000060'";
  engine::ErrorKind kind{};
  const std::string message =
      error_of([&] { read_premises(source, bng_, "points.geojson", log, progress); }, kind);
  EXPECT_EQ(kind, engine::ErrorKind::kInput);
  EXPECT_NE(message.find("selects 0 of 3 features"), std::string::npos) << message;
}

TEST_F(AttributeFilterTest, FootprintsReadOnlyTheSelectedPolygons) {
  // Two 100 m squares; only the first is "4G". By hand: union area 10000.
  std::ofstream(dir_ / "fp.geojson") << R"({"type": "FeatureCollection",
"crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::27700"}},
"features": [
{"type": "Feature", "properties": {"tech": "4G"}, "geometry": {"type": "Polygon", "coordinates": [[[400000, 100000], [400100, 100000], [400100, 100100], [400000, 100100], [400000, 100000]]]}},
{"type": "Feature", "properties": {"tech": "5G"}, "geometry": {"type": "Polygon", "coordinates": [[[401000, 100000], [401100, 100000], [401100, 100100], [401000, 100100], [401000, 100000]]]}}
]})";
  LayerSource layer = polygons_layer("fp.geojson", "EE");
  layer.attribute_filter = "tech = '4G'";
  ProblemLog log;
  const CoverageFootprints f = read_coverage_footprints(layer, bng_, "fp.geojson", log);
  EXPECT_EQ(f.features, 1u);
  EXPECT_NEAR(engine::area(f.union_geometry), 10000, 1e-6);
  ASSERT_TRUE(f.filter.has_value());
  EXPECT_EQ(f.filter->features_in_layer, 2u);
  EXPECT_EQ(f.filter->features_selected, 1u);
  const CoverageInspection inspection = inspect_coverage_footprints(layer, "fp.geojson", log);
  EXPECT_NE(inspection.description.find("2 features, 1 selected by where \"tech = '4G'\""),
            std::string::npos)
      << inspection.description;

  layer.attribute_filter = "tehc = '4G'";
  engine::ErrorKind kind{};
  const std::string message =
      error_of([&] { read_coverage_footprints(layer, bng_, "fp.geojson", log); }, kind);
  EXPECT_EQ(kind, engine::ErrorKind::kStudy);
  EXPECT_NE(message.find("no field 'tehc' (did you mean 'tech'?)"), std::string::npos) << message;
}

}  // namespace
}  // namespace notspot::io
