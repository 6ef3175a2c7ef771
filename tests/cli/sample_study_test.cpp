// Tests of the embedded Dorset sample study (data/dorset/), run through the real binary:
// its Dorset-wide figures must land within 1 percentage point of Ofcom's published July 2025
// figures, read from the real Ofcom file (data/real/), not copied into this test; rural
// parishes must be worse served than towns; and outputs must be byte-identical whatever the
// thread count, at a size where the premises file is parsed in several parallel chunks.

#include <gdal_priv.h>
#include <gtest/gtest.h>
#include <ogrsf_frmts.h>
#include <sys/wait.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {

int run(const std::string& arguments, std::string* output = nullptr) {
  const std::string command = std::string(NOTSPOT_BINARY) + " " + arguments + " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  std::string text;
  std::array<char, 4096> buffer{};
  while (std::size_t n = std::fread(buffer.data(), 1, buffer.size(), pipe))
    text.append(buffer.data(), n);
  const int status = pclose(pipe);
  if (output) *output = text;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// A minimal CSV reader for the test's own checks (quoted fields with commas, no newlines in
// quotes): independent of notspot's reader.
std::vector<std::string> split_csv_line(const std::string& line) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  for (char c : line) {
    if (c == '"') {
      quoted = !quoted;
    } else if (c == ',' && !quoted) {
      fields.emplace_back();
    } else if (c != '\r') {
      fields.back() += c;
    }
  }
  return fields;
}

std::vector<std::map<std::string, std::string>> read_csv(const fs::path& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  const std::vector<std::string> header = split_csv_line(line);
  std::vector<std::map<std::string, std::string>> rows;
  while (std::getline(in, line)) {
    const std::vector<std::string> fields = split_csv_line(line);
    std::map<std::string, std::string> row;
    for (std::size_t i = 0; i < header.size() && i < fields.size(); ++i) row[header[i]] = fields[i];
    rows.push_back(row);
  }
  return rows;
}

class SampleStudy : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::random_device rd;
    dir_ = new fs::path(fs::temp_directory_path() / ("notspot_sample_" + std::to_string(rd())));
    std::string output;
    exit_code_ = run("run " + study().string() + " --out " + (*dir_ / "out").string(), &output);
    output_ = new std::string(output);
  }
  static void TearDownTestSuite() {
    fs::remove_all(*dir_);
    delete dir_;
    delete output_;
  }
  static fs::path study() {
    return fs::path(NOTSPOT_SOURCE_DIR) / "data" / "dorset" / "study.toml";
  }
  static fs::path out() { return *dir_ / "out"; }

  static fs::path* dir_;
  static std::string* output_;
  static int exit_code_;
};
fs::path* SampleStudy::dir_ = nullptr;
std::string* SampleStudy::output_ = nullptr;
int SampleStudy::exit_code_ = -1;

TEST_F(SampleStudy, DorsetFiguresAreWithinOnePointOfOfcom) {
  ASSERT_EQ(exit_code_, 0) << *output_;
  const auto ofcom_rows = read_csv(fs::path(NOTSPOT_SOURCE_DIR) / "data" / "real" /
                                   "ofcom_cn2025_fixed_laua_extract.csv");
  const auto dorset = std::find_if(ofcom_rows.begin(), ofcom_rows.end(),
                                   [](const auto& r) { return r.at("laua") == "E06000059"; });
  ASSERT_NE(dorset, ofcom_rows.end());
  const auto stats = read_csv(out() / "parish_stats.csv");
  ASSERT_FALSE(stats.empty());
  const auto& study_row = stats.back();
  ASSERT_EQ(study_row.at("level"), "study");

  const std::pair<const char*, const char*> pairs[] = {
      {"superfast_pct", "SFBB availability (% premises)"},
      {"ultrafast_pct", "UFBB availability (% premises)"},
      {"full_fibre_pct", "Full Fibre availability (% premises)"},
      {"gigabit_pct", "Gigabit availability (% premises)"},
      {"below_uso_pct", "% of premises below the USO"},
  };
  for (const auto& [ours, theirs] : pairs) {
    const double got = std::stod(study_row.at(ours));
    const double published = std::stod(dorset->at(theirs));
    EXPECT_NEAR(got, published, 1.0) << ours << " vs Ofcom '" << theirs << "'";
  }
  // Premises in Dorset: Ofcom's count, within 0.5%.
  const double premises = std::stod(study_row.at("premises"));
  EXPECT_NEAR(premises, std::stod(dorset->at("All Premises")), 0.005 * premises);
}

TEST_F(SampleStudy, DorsetMobileFiguresAreWithinOnePointOfOfcom) {
  ASSERT_EQ(exit_code_, 0) << *output_;
  const auto ofcom_rows = read_csv(fs::path(NOTSPOT_SOURCE_DIR) / "data" / "real" /
                                   "ofcom_cn2025_mobile_laua_extract.csv");
  ASSERT_EQ(ofcom_rows.size(), 1u);
  const auto& dorset = ofcom_rows[0];
  ASSERT_EQ(dorset.at("laua"), "E06000059");
  const auto stats = read_csv(out() / "parish_stats.csv");
  const auto& study_row = stats.back();
  // Ofcom's k = number of the four operators covering; "at least one" = 100 - (k = 0).
  EXPECT_NEAR(std::stod(study_row.at("mob_4g_indoor_none_pct")),
              std::stod(dorset.at("4G_prem_in_0")), 1.0);
  EXPECT_NEAR(std::stod(study_row.at("mob_4g_indoor_all_pct")),
              std::stod(dorset.at("4G_prem_in_4")), 1.0);
  EXPECT_NEAR(std::stod(study_row.at("land_4g_outdoor_all_pct")),
              std::stod(dorset.at("4G_geo_out_4")), 1.0);
  EXPECT_NEAR(std::stod(study_row.at("mob_5g_outdoor_any_pct")),
              100.0 - std::stod(dorset.at("5G_high_confidence_prem_out_0")), 1.0);
  // Postcode-level estimates were made from the same synthetic premises: they must give back
  // the per-premise figures to within the rounding of one-decimal percentages.
  EXPECT_NEAR(std::stod(study_row.at("est_gigabit_pct")), std::stod(study_row.at("gigabit_pct")),
              0.05);
  EXPECT_NEAR(std::stod(study_row.at("est_superfast_pct")),
              std::stod(study_row.at("superfast_pct")), 0.05);
}

TEST_F(SampleStudy, FootprintsOfEe4gOutdoorGiveTheSameFiguresAsItsRaster) {
  ASSERT_EQ(exit_code_, 0) << *output_;
  // The same study with EE's 4G outdoor coverage read from its footprint polygons (the
  // covered cells of the raster, as the generator writes them) instead of the raster: the
  // footprint overlay and the exact raster cells must give identical figures. Paths are made
  // absolute so that the modified study can live in a temporary folder.
  std::string study_text = read_file(study());
  const std::string generated = (study().parent_path() / "generated").string();
  for (std::size_t at; (at = study_text.find("\"generated/")) != std::string::npos;) {
    study_text.replace(at, 11, "\"" + generated + "/");
  }
  const std::string places = "path = \"built_up_areas_2011.geojson\"";
  if (const std::size_t p = study_text.find(places); p != std::string::npos) {
    study_text.replace(
        p, places.size(),
        "path = \"" + (study().parent_path() / "built_up_areas_2011.geojson").string() + "\"");
  }
  const std::string raster = "kind = \"raster\"\nname = \"EE_4G_outdoor\"\npath = \"" + generated +
                             "/mobile/EE_4G_outdoor.tif\"";
  const std::size_t at = study_text.find(raster);
  ASSERT_NE(at, std::string::npos);
  study_text.replace(at, raster.size(),
                     "kind = \"polygons\"\nname = \"EE_4G_outdoor\"\npath = \"" + generated +
                         "/mobile/EE_4G_outdoor_coverage.gpkg\"");
  const std::string rule = "setting = \"outdoor\"\ncovered_when = \">= -105\"";
  study_text.replace(study_text.find(rule, at), rule.size(), "setting = \"outdoor\"");
  const fs::path variant = *dir_ / "polygons_study.toml";
  std::ofstream(variant) << study_text;
  std::string output;
  ASSERT_EQ(run("run " + variant.string() + " --out " + (*dir_ / "polygons_out").string(), &output),
            0)
      << output;
  EXPECT_TRUE(read_file(*dir_ / "polygons_out" / "parish_stats.csv") ==
              read_file(out() / "parish_stats.csv"));
}

TEST_F(SampleStudy, RuralParishesAreWorseServedThanTowns) {
  ASSERT_EQ(exit_code_, 0) << *output_;
  // Premises density per parish from the GeoPackage's polygons (GDAL computes the areas).
  GDALAllRegister();
  GDALDatasetUniquePtr ds(GDALDataset::Open((out() / "parish_stats.gpkg").c_str(), GDAL_OF_VECTOR));
  ASSERT_TRUE(ds);
  struct Parish {
    double density;
    double premises;
    double gigabit;
  };
  std::vector<Parish> parishes;
  for (auto& f : *ds->GetLayerByName("parish_stats")) {
    const double premises = static_cast<double>(f->GetFieldAsInteger64("premises"));
    const OGRGeometry* g = f->GetGeometryRef();
    if (premises < 1 || g == nullptr) continue;
    const double km2 = g->toMultiPolygon()->get_Area() / 1e6;
    parishes.push_back(
        {premises / km2, premises, static_cast<double>(f->GetFieldAsInteger64("gigabit"))});
  }
  ASSERT_GT(parishes.size(), 100u);
  std::sort(parishes.begin(), parishes.end(),
            [](const Parish& a, const Parish& b) { return a.density < b.density; });
  auto gigabit_share = [&](std::size_t from, std::size_t to) {
    double p = 0, g = 0;
    for (std::size_t i = from; i < to; ++i) {
      p += parishes[i].premises;
      g += parishes[i].gigabit;
    }
    return 100.0 * g / p;
  };
  const std::size_t quarter = parishes.size() / 4;
  const double sparsest = gigabit_share(0, quarter);
  const double densest = gigabit_share(parishes.size() - quarter, parishes.size());
  EXPECT_GT(densest, sparsest + 10.0)
      << "densest quarter " << densest << "%, sparsest quarter " << sparsest << "%";
}

TEST_F(SampleStudy, LedgerBalancesAndSomePremisesLieOutsideDorset) {
  ASSERT_EQ(exit_code_, 0) << *output_;
  const auto m = nlohmann::json::parse(read_file(out() / "manifest.json"));
  const auto& p = m["ledger"]["premises"];
  EXPECT_EQ(p["read"].get<std::uint64_t>(), p["assigned"].get<std::uint64_t>() +
                                                p["outside"].get<std::uint64_t>() +
                                                p["rejected"].get<std::uint64_t>());
  EXPECT_GT(p["outside"].get<std::uint64_t>(), 0u) << "postcodes outside Dorset have premises";
  EXPECT_EQ(m["areas"]["overlapping_pairs"], 0) << "the synthetic parishes tessellate";
  EXPECT_GE(m["areas"]["count"].get<int>(), 200);
  for (const auto& layer : m["ledger"]["layers"]) {
    EXPECT_TRUE(layer["balanced"].get<bool>()) << layer.dump();
    if (layer.contains("unmatched")) {  // UPRN-keyed layers
      EXPECT_GT(layer["unmatched"].get<int>(), 0) << "the generator adds unmatched keys";
    } else {  // the postcode layer: rows for postcodes without premises
      EXPECT_GT(layer["postcodes_without_premises"].get<int>(), 0) << layer.dump();
    }
  }
}

TEST_F(SampleStudy, SameBytesWithOneTwoAndEightThreads) {
  ASSERT_EQ(exit_code_, 0) << *output_;
  auto snapshot = [](const fs::path& dir) {
    nlohmann::ordered_json m = nlohmann::ordered_json::parse(read_file(dir / "manifest.json"));
    m.erase("run");
    return std::map<std::string, std::string>{
        {"parish_stats.csv", read_file(dir / "parish_stats.csv")},
        {"parish_stats.gpkg", read_file(dir / "parish_stats.gpkg")},
        {"rejected.csv", read_file(dir / "rejected.csv")},
        {"manifest.json", m.dump()}};
  };
  const auto reference = snapshot(out());
  EXPECT_GT(nlohmann::json::parse(read_file(out() / "manifest.json"))["run"]["threads"], 0);
  for (int threads : {1, 2, 8}) {
    const fs::path other = *dir_ / ("threads" + std::to_string(threads));
    std::string output;
    ASSERT_EQ(run("run " + study().string() + " --out " + other.string() + " --threads " +
                      std::to_string(threads),
                  &output),
              0)
        << output;
    for (const auto& [name, bytes] : snapshot(other)) {
      EXPECT_TRUE(bytes == reference.at(name)) << name << " differs with " << threads << " threads";
    }
  }
}

// The README's sample output block (after "Command 1 prints") is what a run of the sample
// prints, line for line, but for the outputs folder (out/dorset in the README), the seconds
// taken and the version number.
TEST_F(SampleStudy, ReadmeSampleOutputIsWhatTheRunPrints) {
  ASSERT_EQ(exit_code_, 0) << *output_;
  const std::string readme = read_file(fs::path(NOTSPOT_SOURCE_DIR) / "README.md");
  const std::size_t intro = readme.find("Command 1 prints");
  ASSERT_NE(intro, std::string::npos);
  const std::size_t start = readme.find("```\n", intro) + 4;
  const std::string block = readme.substr(start, readme.find("```\n", start) - start);
  const auto normalise = [](std::string text) {
    text = std::regex_replace(text, std::regex(R"(\(\d+\.\d s\)\n)"), "(T s)\n");
    return std::regex_replace(text, std::regex(R"(^notspot [0-9][^:]*:)"), "notspot VERSION:");
  };
  std::string printed = *output_;
  const std::string dir = out().string() + ":";
  ASSERT_NE(printed.find(dir), std::string::npos) << printed;
  printed.replace(printed.find(dir), dir.size(), "out/dorset:");
  EXPECT_EQ(normalise(block), normalise(printed));
}

}  // namespace
