// Tests of the real `notspot` binary: golden outputs of the hand-checked small study
// (tests/data/small_study/README.md explains every figure), bad inputs with their messages
// and exit codes, atomic publishing, locking and determinism across thread counts.

#include <fcntl.h>
#include <gdal_priv.h>
#include <gtest/gtest.h>
#include <ogrsf_frmts.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

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

#include "support/xlsx_read.hpp"

namespace fs = std::filesystem;

namespace {

struct Result {
  int exit_code = -1;
  std::string output;  // stdout and stderr together
};

Result run(const std::string& arguments) {
  const std::string command = std::string(NOTSPOT_BINARY) + " " + arguments + " 2>&1";
  Result r;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return r;
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

void write_file(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

void replace_in_file(const fs::path& path, const std::string& from, const std::string& to) {
  std::string text = read_file(path);
  const std::size_t at = text.find(from);
  ASSERT_NE(at, std::string::npos) << from << " not in " << path;
  text.replace(at, from.size(), to);
  write_file(path, text);
}

nlohmann::json read_json(const fs::path& path) {
  return nlohmann::json::parse(read_file(path));
}

class SmallStudy : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device rd;
    dir_ = fs::temp_directory_path() / ("notspot_cli_" + std::to_string(rd()));
    fs::create_directories(dir_);
    fs::copy(fs::path(NOTSPOT_TEST_DATA_DIR) / "small_study", dir_ / "study",
             fs::copy_options::recursive);
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path study() const { return dir_ / "study" / "study.toml"; }
  fs::path out() const { return dir_ / "out"; }
  fs::path expected(const std::string& name) const {
    return fs::path(NOTSPOT_TEST_DATA_DIR) / "small_study" / "expected" / name;
  }
  Result run_study(const std::string& extra = "") const {
    return run("run " + study().string() + " --out " + out().string() + " " + extra);
  }

  fs::path dir_;
};

TEST_F(SmallStudy, OutputsMatchTheHandComputedGoldenFiles) {
  const Result r = run_study("--threads 2");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(read_file(out() / "parish_stats.csv"), read_file(expected("parish_stats.csv")));
  EXPECT_EQ(read_file(out() / "rejected.csv"), read_file(expected("rejected.csv")));
  EXPECT_NE(r.output.find("Premises read 25: assigned 16 to 6 areas, outside every area 3, "
                          "rejected 6"),
            std::string::npos)
      << r.output;
}

// [thresholds] reach every label: the command line's summary and the workbook say 24 Mbit/s
// for superfast, nowhere 30 (the default), while the figures follow the threshold too.
TEST_F(SmallStudy, LabelsSayTheStudysThresholds) {
  replace_in_file(study(), "[quality]", "[thresholds]\nsuperfast_mbps = 24\n\n[quality]");
  const Result r = run_study();
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("  Superfast (>= 24 Mbit/s)  "), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("30 Mbit/s"), std::string::npos) << r.output;
  // The superfast line's figures are the CSV's study row: the summary reads the table.
  const std::string csv = read_file(out() / "parish_stats.csv");
  const std::string header = csv.substr(0, csv.find('\n'));
  const std::string study_row = csv.substr(csv.rfind("\nstudy,") + 1);
  const auto fields = [](const std::string& line) {  // the study row has no quoted field
    std::vector<std::string> out;
    std::stringstream in(line);
    for (std::string field; std::getline(in, field, ',');) out.push_back(field);
    return out;
  };
  const std::vector<std::string> names = fields(header);
  const std::vector<std::string> values = fields(study_row.substr(0, study_row.find('\n')));
  const auto at = [&](const std::string& name) {
    return values.at(
        static_cast<std::size_t>(std::find(names.begin(), names.end(), name) - names.begin()));
  };
  const std::regex line_re(R"(  Superfast \(>= 24 Mbit/s\) +(\d+) +([0-9.]+)%)");
  std::smatch line;
  ASSERT_TRUE(std::regex_search(r.output, line, line_re)) << r.output;
  EXPECT_EQ(line[1], at("superfast"));
  EXPECT_EQ(line[2], at("superfast_pct"));

  // The workbook: its Summary headline and its Definitions label, read from the unzipped XML.
  const fs::path xlsx = out() / "parish_stats.xlsx";
  const std::vector<std::string> strings =
      notspot::test::shared_strings(notspot::test::unzip_member(xlsx, "xl/sharedStrings.xml"));
  const auto cells_text = [&](const std::string& sheet) {
    std::vector<std::string> texts;
    for (const auto& [ref, cell] :
         notspot::test::cells_of(notspot::test::unzip_member(xlsx, "xl/worksheets/" + sheet))) {
      if (cell.type == "s") texts.push_back(strings.at(std::stoul(cell.value)));
    }
    return texts;
  };
  const std::vector<std::string> summary = cells_text("sheet1.xml");
  EXPECT_NE(std::find(summary.begin(), summary.end(), "Superfast (>= 24 Mbit/s)"), summary.end());
  const std::vector<std::string> definitions = cells_text("sheet3.xml");
  EXPECT_NE(
      std::find(definitions.begin(), definitions.end(), "Superfast (>= 24 Mbit/s), % of premises"),
      definitions.end());
  for (const std::string& s : summary) EXPECT_EQ(s.find(">= 30 Mbit/s"), std::string::npos) << s;
  for (const std::string& s : definitions) {
    EXPECT_EQ(s.find("Superfast (>= 30"), std::string::npos) << s;
    EXPECT_EQ(s.find("at least 30 Mbit/s"), std::string::npos) << s;
  }
}

TEST_F(SmallStudy, ManifestBalancesTheLedgerAndNamesInputs) {
  ASSERT_EQ(run_study().exit_code, 0);
  const nlohmann::json m = read_json(out() / "manifest.json");
  const auto& p = m["ledger"]["premises"];
  EXPECT_EQ(p["read"], 25);
  EXPECT_EQ(p["assigned"], 16);
  EXPECT_EQ(p["outside"], 3);
  EXPECT_EQ(p["rejected"], 6);
  EXPECT_EQ(p["blank_lines_skipped"], 1);
  EXPECT_EQ(p["duplicate_ids"], 1);
  const auto& bduk = m["ledger"]["layers"][0];
  EXPECT_EQ(bduk["name"], "bduk");
  EXPECT_EQ(bduk["read"], 7);
  EXPECT_EQ(bduk["matched"], 5);
  EXPECT_EQ(bduk["unmatched"], 1);
  EXPECT_EQ(bduk["rejected"], 1);
  const auto& speeds = m["ledger"]["layers"][1];
  EXPECT_EQ(speeds["read"], 15);
  EXPECT_EQ(speeds["matched"], 12);
  EXPECT_EQ(speeds["unmatched"], 1);
  EXPECT_EQ(speeds["duplicate_keys"], 1);
  EXPECT_EQ(speeds["rejected"], 1);
  EXPECT_EQ(speeds["premises_with_row"], 13);
  EXPECT_EQ(speeds["premises_without_row"], 6);
  EXPECT_EQ(m["areas"]["repaired"], 1);
  EXPECT_EQ(m["quality"]["passed"], true);
  EXPECT_EQ(m["study"]["boundary_vintage"], "test fixture");
  EXPECT_EQ(m["inputs"][0]["file"], "parishes.geojson");
  EXPECT_EQ(m["inputs"][1]["size_bytes"], fs::file_size(dir_ / "study" / "premises.csv"));
  // Independent check of one checksum: sha256sum of the input.
  std::string command = "sha256sum " + (dir_ / "study" / "premises.csv").string();
  FILE* pipe = popen(command.c_str(), "r");
  char hex[65] = {};
  ASSERT_EQ(std::fread(hex, 1, 64, pipe), 64u);
  pclose(pipe);
  EXPECT_EQ(m["inputs"][1]["sha256"], std::string(hex));
  // Every output but the manifest itself, each with its digest.
  std::vector<std::string> listed;
  for (const auto& o : m["outputs"]) {
    listed.push_back(o["file"]);
    EXPECT_EQ(o["sha256"].get<std::string>().size(), 64u);
  }
  EXPECT_EQ(listed, (std::vector<std::string>{"parish_stats.csv", "parish_stats.xlsx",
                                              "parish_stats.gpkg", "rejected.csv", "report.html"}));
}

TEST_F(SmallStudy, GeoPackageHoldsTheAreasAndTheOutsidePremises) {
  ASSERT_EQ(run_study().exit_code, 0);
  GDALAllRegister();
  GDALDatasetUniquePtr ds(
      GDALDataset::Open((out() / "parish_stats.gpkg").c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY));
  ASSERT_TRUE(ds);
  OGRLayer* areas = ds->GetLayerByName("parish_stats");
  ASSERT_NE(areas, nullptr);
  EXPECT_EQ(areas->GetFeatureCount(), 6);
  std::map<std::string, std::pair<GIntBig, double>> by_id;
  for (auto& f : *areas) {
    by_id[f->GetFieldAsString("area_id")] = {f->GetFieldAsInteger64("premises"),
                                             f->GetFieldAsDouble("gigabit_pct")};
    EXPECT_NE(f->GetGeometryRef(), nullptr);
  }
  EXPECT_EQ(by_id["E04000001"].first, 4);
  EXPECT_DOUBLE_EQ(by_id["E04000001"].second, 50.0);
  EXPECT_EQ(by_id["E04000002"].first, 3);
  EXPECT_DOUBLE_EQ(by_id["E04000002"].second, 33.33);
  OGRLayer* outside = ds->GetLayerByName("premises_outside");
  ASSERT_NE(outside, nullptr);
  std::set<GIntBig> ids;
  for (auto& f : *outside) ids.insert(f->GetFieldAsInteger64("premise_id"));
  EXPECT_EQ(ids, (std::set<GIntBig>{1013, 1014, 1015}));
  char* wkt = nullptr;
  areas->GetSpatialRef()->exportToWkt(&wkt);
  EXPECT_NE(std::string(wkt).find("27700"), std::string::npos);
  CPLFree(wkt);
  // A passing run's status: 7 checks (3, one per fixed-broadband layer, 2 always made).
  const char* quality = areas->GetMetadataItem("NOTSPOT_QUALITY");
  ASSERT_NE(quality, nullptr);
  EXPECT_EQ(std::string(quality), "Data quality: passed, 7 checks");
}

TEST_F(SmallStudy, SameBytesWhateverTheThreadCount) {
  std::map<std::string, std::string> first;
  for (int threads : {1, 2, 8}) {
    ASSERT_EQ(run_study("--threads " + std::to_string(threads)).exit_code, 0);
    nlohmann::ordered_json m = nlohmann::ordered_json::parse(read_file(out() / "manifest.json"));
    m.erase("run");  // timings and thread count: the only part allowed to differ
    std::map<std::string, std::string> files = {
        {"parish_stats.csv", read_file(out() / "parish_stats.csv")},
        {"parish_stats.gpkg", read_file(out() / "parish_stats.gpkg")},
        {"rejected.csv", read_file(out() / "rejected.csv")},
        {"manifest.json", m.dump()}};
    if (first.empty()) {
      first = files;
    } else {
      for (const auto& [name, bytes] : files)
        EXPECT_TRUE(bytes == first[name]) << name << " differs";
    }
  }
}

TEST_F(SmallStudy, RerunReplacesThePreviousOutputsAndLeavesNoStagingFolder) {
  ASSERT_EQ(run_study().exit_code, 0);
  write_file(out() / "notes.txt", "a user's file");
  const Result refused = run_study();
  EXPECT_EQ(refused.exit_code, 2) << refused.output;
  EXPECT_NE(refused.output.find("notes.txt (not written by the previous run)"), std::string::npos)
      << refused.output;
  EXPECT_EQ(read_file(out() / "notes.txt"), "a user's file");
  fs::remove(out() / "notes.txt");
  ASSERT_EQ(run_study().exit_code, 0);
  for (const auto& entry : fs::directory_iterator(dir_)) {
    EXPECT_EQ(entry.path().filename().string().find(".out.staging"), std::string::npos)
        << entry.path();
  }
}

TEST_F(SmallStudy, FailedRunLeavesThePreviousOutputsUntouched) {
  ASSERT_EQ(run_study().exit_code, 0);
  const std::string before = read_file(out() / "parish_stats.csv");
  const std::string manifest_before = read_file(out() / "manifest.json");
  write_file(dir_ / "study" / "premises.csv", "");  // fatal: no header
  const Result r = run_study();
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("premises.csv: the file is empty"), std::string::npos) << r.output;
  EXPECT_EQ(read_file(out() / "parish_stats.csv"), before);
  EXPECT_EQ(read_file(out() / "manifest.json"), manifest_before);
}

TEST_F(SmallStudy, SecondConcurrentRunRefuses) {
  fs::create_directories(out().parent_path());
  const fs::path lock = out().parent_path() / ".out.lock";
  const int fd = ::open(lock.c_str(), O_RDWR | O_CREAT, 0644);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::flock(fd, LOCK_EX), 0);  // as a running notspot would hold it
  const Result r = run_study();
  ::close(fd);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("another notspot run is writing to"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(out()));
}

TEST_F(SmallStudy, RefusesToReplaceAFolderOfOtherFiles) {
  fs::create_directories(out());
  write_file(out() / "thesis.docx", "precious");
  const Result r = run_study();
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("thesis.docx (no notspot manifest.json lists it)"), std::string::npos)
      << r.output;
  EXPECT_EQ(read_file(out() / "thesis.docx"), "precious");
}

TEST_F(SmallStudy, QualityGateFailureExitsThreeAndStillPublishesMarkedOutputs) {
  replace_in_file(study(), "max_rejected_share = 0.5", "max_rejected_share = 0.1");
  const Result r = run_study();
  EXPECT_EQ(r.exit_code, 3) << r.output;
  EXPECT_NE(r.output.find("DATA QUALITY CHECK FAILED: rejected_share is 0.2400"), std::string::npos)
      << r.output;
  // Published beside the outputs folder, in out.failed/; out/ is not created.
  EXPECT_FALSE(fs::exists(out()));
  const nlohmann::json m = read_json(dir_ / "out.failed" / "manifest.json");
  EXPECT_EQ(m["quality"]["passed"], false);
  EXPECT_EQ(m["quality"]["checks"][0]["passed"], false);

  // The outputs carry the status themselves: 6 of 25 rows rejected = 24%, limit 10%; 7 checks
  // (3, one per fixed-broadband layer, 2 always made), one failed.
  const std::string status =
      "Data quality: FAILED: 1 of 7 checks failed (max_rejected_share); do not use these "
      "figures until the data is fixed";
  const fs::path xlsx = dir_ / "out.failed" / "parish_stats.xlsx";
  const std::vector<std::string> strings =
      notspot::test::shared_strings(notspot::test::unzip_member(xlsx, "xl/sharedStrings.xml"));
  std::map<std::string, std::string> summary;  // cell -> text
  for (const auto& [ref, cell] : notspot::test::cells_of(
           notspot::test::unzip_member(xlsx, "xl/worksheets/sheet1.xml"))) {
    if (cell.type == "s") summary[ref] = strings.at(std::stoul(cell.value));
  }
  std::string row;
  for (const auto& [ref, text] : summary) {
    if (ref[0] == 'A' && text == "Data quality") row = ref.substr(1);
  }
  ASSERT_FALSE(row.empty()) << "no Data quality row on the Summary";
  EXPECT_EQ(summary["B" + row], status);
  const std::string next = std::to_string(std::stoi(row) + 1);
  EXPECT_EQ(summary["A" + next], "Failed check: max_rejected_share");
  EXPECT_NE(summary["B" + next].find("24% of the premises rows read were rejected (limit 10%)"),
            std::string::npos)
      << summary["B" + next];
  GDALAllRegister();
  GDALDatasetUniquePtr ds(GDALDataset::Open((dir_ / "out.failed" / "parish_stats.gpkg").c_str(),
                                            GDAL_OF_VECTOR | GDAL_OF_READONLY));
  ASSERT_TRUE(ds);
  ASSERT_NE(ds->GetMetadataItem("NOTSPOT_QUALITY"), nullptr);
  EXPECT_EQ(std::string(ds->GetMetadataItem("NOTSPOT_QUALITY")), status);
  ASSERT_NE(ds->GetLayerByName("parish_stats"), nullptr);
  const char* on_layer = ds->GetLayerByName("parish_stats")->GetMetadataItem("NOTSPOT_QUALITY");
  ASSERT_NE(on_layer, nullptr);
  EXPECT_EQ(std::string(on_layer), status);
  const std::string html = read_file(dir_ / "out.failed" / "report.html");
  EXPECT_NE(html.find("<section class=\"quality-banner\" role=\"alert\""), std::string::npos);
  EXPECT_NE(html.find(status), std::string::npos);
}

TEST_F(SmallStudy, NoDataAndUnmatchedLayerRowsAreQualityGates) {
  // Hand-computed from the small study (its README): 2 of the 16 assigned premises have no
  // fixed-broadband row (0.125); bduk has 1 unmatched of 6 usable rows (7 read, 1 rejected:
  // 0.1667); speeds 1 of 14 (15 read, 1 rejected: 0.0714).
  replace_in_file(study(), "max_outside_share = 0.5",
                  "max_outside_share = 0.5\nmax_no_data_share = 0.1\nmax_unmatched_share = 0.1");
  const Result r = run_study();
  EXPECT_EQ(r.exit_code, 3) << r.output;
  EXPECT_NE(r.output.find("DATA QUALITY CHECK FAILED: no_data_share is 0.1250"), std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("DATA QUALITY CHECK FAILED: unmatched_share (bduk) is 0.1667"),
            std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("bduk_premises.csv: 1 of 6 rows have a uprn that matches no premise"),
            std::string::npos)
      << r.output;
  EXPECT_EQ(r.output.find("unmatched_share (speeds) is"), std::string::npos) << "0.0714 passes";
  const nlohmann::json m = read_json(dir_ / "out.failed" / "manifest.json");  // exit 3
  EXPECT_EQ(m["quality"]["passed"], false);
  std::map<std::string, bool> passed;
  for (const nlohmann::json& c : m["quality"]["checks"]) passed[c["name"]] = c["passed"];
  EXPECT_EQ(passed, (std::map<std::string, bool>{{"max_rejected_share", true},
                                                 {"max_outside_share", true},
                                                 {"max_no_data_share", false},
                                                 {"max_unmatched_share (bduk)", false},
                                                 {"max_unmatched_share (speeds)", true},
                                                 {"premises_assigned", true},
                                                 {"premises_coordinates", true}}));
}

// parish_changes.csv against an earlier run: every delta is checked against the two runs' own
// parish_stats.csv, parsed here.
std::vector<std::vector<std::string>> csv_rows(const fs::path& path) {
  std::vector<std::vector<std::string>> rows;
  std::istringstream in(read_file(path));
  std::string line;
  while (std::getline(in, line)) {
    // Fields may be quoted ("Echo, the enclave"); none of these files has a quoted newline.
    std::vector<std::string> fields(1);
    bool quoted = false;
    for (std::size_t i = 0; i < line.size(); ++i) {
      const char c = line[i];
      if (c == '"') {
        if (quoted && i + 1 < line.size() && line[i + 1] == '"') {
          fields.back() += '"';
          ++i;
        } else {
          quoted = !quoted;
        }
      } else if (c == ',' && !quoted) {
        fields.emplace_back();
      } else {
        fields.back() += c;
      }
    }
    rows.push_back(fields);
  }
  return rows;
}

std::size_t column(const std::vector<std::string>& header, const std::string& name) {
  const auto it = std::find(header.begin(), header.end(), name);
  EXPECT_NE(it, header.end()) << name;
  return static_cast<std::size_t>(it - header.begin());
}

TEST_F(SmallStudy, ChangesAgainstThePreviousRunMatchBothRunsFigures) {
  ASSERT_EQ(run_study().exit_code, 0);
  const fs::path previous = dir_ / "previous";
  fs::copy(out(), previous, fs::copy_options::recursive);
  // Line 2, premise 1001 in Alpha, is gone this month (the file has CRLF line ends; a second
  // row with the same UPRN, line 26, stays).
  replace_in_file(dir_ / "study" / "premises.csv", "1001,400500,100500,50.7952,-2.5000\r\n", "");
  const Result r = run_study("--previous " + previous.string());
  ASSERT_EQ(r.exit_code, 0) << r.output;

  const auto before = csv_rows(previous / "parish_stats.csv");
  const auto after = csv_rows(out() / "parish_stats.csv");
  const auto changes = csv_rows(out() / "parish_changes.csv");
  ASSERT_EQ(changes.size(), after.size());  // header, the areas, the study row
  const auto& h = changes[0];
  std::int64_t net = 0;
  for (std::size_t row = 1; row < changes.size(); ++row) {
    const auto& c = changes[row];
    ASSERT_EQ(c[column(h, "area_id")], after[row][column(after[0], "area_id")]);
    EXPECT_EQ(c[column(h, "status")], "same");
    const auto premises = [&](const std::vector<std::string>& stats_row) {
      return std::stoll(stats_row[column(before[0], "premises")]);
    };
    const std::int64_t change = premises(after[row]) - premises(before[row]);
    EXPECT_EQ(std::stoll(c[column(h, "premises_change")]), change) << c[column(h, "area_id")];
    if (c[column(h, "level")] == "area") net += change;
    for (const char* pct : {"gigabit_pct", "superfast_pct", "decent_pct"}) {
      const std::string b = before[row][column(before[0], pct)];
      const std::string a = after[row][column(after[0], pct)];
      EXPECT_EQ(c[column(h, std::string(pct) + "_before")], b);
      EXPECT_EQ(c[column(h, std::string(pct) + "_after")], a);
      if (!a.empty() && !b.empty()) {
        EXPECT_NEAR(std::stod(c[column(h, std::string(pct) + "_change")]),
                    std::stod(a) - std::stod(b), 0.0051)
            << c[column(h, "area_id")] << " " << pct;
      }
    }
  }
  EXPECT_EQ(net, -1);
  const nlohmann::json m = read_json(out() / "manifest.json");
  EXPECT_EQ(m["changes"]["comparable"], true);
  bool listed = false;
  for (const auto& o : m["outputs"]) listed |= o["file"] == "parish_changes.csv";
  EXPECT_TRUE(listed);
}

// Declares the small study's dates: the study (October 2026 unless `study_as_at` says
// otherwise; none when empty), its premises (September 2026) and its speeds layer (July 2025);
// the BDUK layer and the areas state none.
void declare_dates(const fs::path& study, const std::string& study_as_at = "2026-10") {
  if (!study_as_at.empty()) {
    replace_in_file(study, "boundary_vintage = \"test fixture\"\n",
                    "boundary_vintage = \"test fixture\"\nas_at = \"" + study_as_at + "\"\n");
  }
  replace_in_file(study, "path = \"premises.csv\"\n",
                  "path = \"premises.csv\"\nas_at = \"2026-09\"\n");
  replace_in_file(study, "name = \"speeds\"\n", "name = \"speeds\"\nas_at = \"2025-07\"\n");
}

TEST_F(SmallStudy, DataDatesReachEveryOutputAndIdenticalRunsGiveIdenticalBytes) {
  declare_dates(study());
  ASSERT_EQ(run_study().exit_code, 0);
  const fs::path second = dir_ / "second";
  const Result r = run("run " + study().string() + " --out " + second.string());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  // Same inputs and dates, same bytes (the wall-clock time is only in the manifest's `run`).
  for (const char* name : {"report.html", "parish_stats.xlsx", "parish_stats.csv",
                           "parish_stats.gpkg", "rejected.csv"}) {
    EXPECT_TRUE(read_file(out() / name) == read_file(second / name)) << name << " differs";
  }

  const std::string html = read_file(out() / "report.html");
  for (const char* line : {"<li>Study, October 2026</li>",
                           "<li>Premises: premises.csv, September 2026</li>",
                           "<li>Fixed broadband: speeds, July 2025</li>",
                           "<li>BDUK premises: bduk, not stated</li>",
                           "<li>Areas: parishes.geojson, not stated</li>"}) {
    EXPECT_NE(html.find(line), std::string::npos) << line;
  }

  const nlohmann::json m = read_json(out() / "manifest.json");
  EXPECT_EQ(m["study"]["as_at"], "2026-10");
  std::map<std::string, nlohmann::json> as_at;  // by layer name, or role
  for (const auto& i : m["inputs"])
    as_at[i["role"] == "layer" ? i["name"].get<std::string>() : i["role"].get<std::string>()] =
        i["as_at"];
  EXPECT_EQ(as_at["premises"], "2026-09");
  EXPECT_EQ(as_at["speeds"], "2025-07");
  EXPECT_TRUE(as_at["bduk"].is_null());
  EXPECT_TRUE(as_at["areas"].is_null());

  const std::vector<std::string> strings = notspot::test::shared_strings(
      notspot::test::unzip_member(out() / "parish_stats.xlsx", "xl/sharedStrings.xml"));
  for (const char* text : {"Data dates", "Fixed broadband: speeds", "July 2025", "not stated"}) {
    EXPECT_NE(std::find(strings.begin(), strings.end(), text), strings.end()) << text;
  }

  GDALAllRegister();
  GDALDatasetUniquePtr ds(
      GDALDataset::Open((out() / "parish_stats.gpkg").c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY));
  ASSERT_TRUE(ds);
  const char* dates = ds->GetMetadataItem("NOTSPOT_DATA_DATES");
  ASSERT_NE(dates, nullptr);
  EXPECT_EQ(std::string(dates),
            "Study, October 2026; Areas: parishes.geojson, not stated; Premises: premises.csv, "
            "September 2026; BDUK premises: bduk, not stated; Fixed broadband: speeds, July 2025");
}

TEST_F(SmallStudy, UndeclaredDatesAreNotStatedNeverToday) {
  ASSERT_EQ(run_study().exit_code, 0);
  const std::string html = read_file(out() / "report.html");
  EXPECT_NE(html.find("<li>Study, not stated</li>"), std::string::npos);
  EXPECT_NE(html.find("<li>Fixed broadband: speeds, not stated</li>"), std::string::npos);
  EXPECT_TRUE(read_json(out() / "manifest.json")["study"]["as_at"].is_null());
}

TEST_F(SmallStudy, ChangeSectionNamesBothRunsByTheirDates) {
  declare_dates(study(), "2026-09");
  ASSERT_EQ(run_study().exit_code, 0);
  const fs::path previous = dir_ / "previous";
  fs::copy(out(), previous, fs::copy_options::recursive);
  replace_in_file(study(), "as_at = \"2026-09\"\n", "as_at = \"2026-10\"\n");  // the study's
  const Result r = run_study("--previous " + previous.string());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const std::string html = read_file(out() / "report.html");
  EXPECT_NE(html.find("<p>October 2026 compared with September 2026.</p>"), std::string::npos);
  const nlohmann::json m = read_json(out() / "manifest.json");
  EXPECT_EQ(m["changes"]["compared"], "October 2026 compared with September 2026");
  EXPECT_EQ(m["changes"]["previous_as_at"], "2026-09");
  EXPECT_EQ(m["changes"]["current_as_at"], "2026-10");
}

TEST_F(SmallStudy, ChangeSectionNamesThePreviousRunByItsFolderWhenItHasNoDate) {
  ASSERT_EQ(run_study().exit_code, 0);  // no [study] as_at
  const fs::path previous = dir_ / "previous";
  fs::copy(out(), previous, fs::copy_options::recursive);
  declare_dates(study());
  const Result r = run_study("--previous " + previous.string());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(read_file(out() / "report.html").find("<p>This run compared with the run in previous.</p>"),
            std::string::npos);
  const nlohmann::json m = read_json(out() / "manifest.json");
  EXPECT_TRUE(m["changes"]["previous_as_at"].is_null());
  EXPECT_EQ(m["changes"]["current_as_at"], "2026-10");
}

TEST_F(SmallStudy, AddingALayerIsNotReportedAsAChange) {
  // Last month had no BDUK layer; this month adds it. A BDUK current_gigabit flag alone makes a
  // premise gigabit-capable, hence ultrafast, superfast and decent (README.md beside the data:
  // 1017 in Alpha has no speed row but is BDUK gigabit), so those figures rise only because a
  // layer was added: not compared, nor no_data_pct, below_uso_pct or the bduk_* columns (not
  // measured last month). full_fibre_pct comes from the speeds layer alone: still compared.
  const std::string with_bduk = read_file(study());
  replace_in_file(study(),
                  "[[layers]]\nkind = \"bduk-premises\"\nname = \"bduk\"\npath = "
                  "\"bduk_premises.csv\"\n",
                  "");
  ASSERT_EQ(run_study().exit_code, 0);
  const fs::path previous = dir_ / "previous";
  fs::copy(out(), previous, fs::copy_options::recursive);
  write_file(study(), with_bduk);
  const Result r = run_study("--previous " + previous.string());
  ASSERT_EQ(r.exit_code, 0) << r.output;

  // The premise of the test: the two runs' gigabit_pct differ somewhere, from the layer alone
  // (the premises and speeds files are the same).
  const auto before = csv_rows(previous / "parish_stats.csv");
  const auto after = csv_rows(out() / "parish_stats.csv");
  ASSERT_EQ(before.size(), after.size());
  bool gigabit_moved = false;
  for (std::size_t row = 1; row < after.size(); ++row) {
    gigabit_moved |= before[row][column(before[0], "gigabit_pct")] !=
                     after[row][column(after[0], "gigabit_pct")];
  }
  ASSERT_TRUE(gigabit_moved);

  const auto changes = csv_rows(out() / "parish_changes.csv");
  const auto& h = changes.at(0);
  for (const char* gone :
       {"gigabit_pct_before", "gigabit_pct_change", "superfast_pct_before", "decent_pct_change",
        "below_uso_pct_before", "no_data_pct_before", "bduk_white_pct_before",
        "bduk_grey_black_pct_change"}) {
    EXPECT_EQ(std::find(h.begin(), h.end(), gone), h.end()) << gone;
  }
  ASSERT_NE(std::find(h.begin(), h.end(), "full_fibre_pct_change"), h.end());
  for (std::size_t row = 1; row < changes.size(); ++row) {
    EXPECT_EQ(changes[row][column(h, "crossed")], "") << changes[row][column(h, "area_id")];
    // Same premises, same speeds: what is compared did not move.
    EXPECT_EQ(changes[row][column(h, "full_fibre_pct_change")],
              changes[row][column(h, "full_fibre_pct_before")].empty() ? "" : "0.00");
  }

  const nlohmann::json m = read_json(out() / "manifest.json");
  EXPECT_EQ(m["changes"]["comparable"], true);
  std::map<std::string, std::string> not_compared;
  for (const auto& n : m["changes"]["columns_not_compared"]) {
    not_compared[n["column"].get<std::string>()] = n["reason"].get<std::string>();
  }
  for (const char* c : {"gigabit_pct", "ultrafast_pct", "superfast_pct", "decent_pct",
                        "below_uso_pct", "no_data_pct", "bduk_white_pct", "bduk_grey_black_pct",
                        "bduk_under_review_pct"}) {
    EXPECT_TRUE(not_compared.contains(c)) << c;
  }
  EXPECT_FALSE(not_compared.contains("full_fibre_pct"));
  EXPECT_NE(not_compared["bduk_white_pct"].find("the previous run did not measure it (no "
                                                "'bduk-premises' layer)"),
            std::string::npos)
      << not_compared["bduk_white_pct"];
  EXPECT_NE(not_compared["gigabit_pct"].find("'bduk-premises'"), std::string::npos)
      << not_compared["gigabit_pct"];
  bool noted = false;
  for (const auto& n : m["changes"]["notes"]) {
    noted |= n.get<std::string>().rfind("gigabit_pct not compared: ", 0) == 0;
  }
  EXPECT_TRUE(noted);
  EXPECT_EQ(m["changes"]["crossings"], 0);
  const std::string report = read_file(out() / "report.html");
  EXPECT_NE(report.find("Not compared, because the two runs did not measure them"),
            std::string::npos);
  // Named by its measure, as a councillor reads it, not by its column.
  EXPECT_NE(report.find("<li>Gigabit-capable (&gt;= 1000 Mbit/s): the previous run measured it "
                        "from &#39;fixed-speeds&#39; only"),
            std::string::npos);
}

TEST_F(SmallStudy, ChangedThresholdsAreReportedNotCompared) {
  ASSERT_EQ(run_study().exit_code, 0);
  // The previous run may be the outputs folder itself: it is read before being replaced.
  write_file(study(), read_file(study()) + "\n[thresholds]\ngigabit_mbps = 900\n");
  const Result r = run_study("--previous " + out().string());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const std::string changes = read_file(out() / "parish_changes.csv");
  EXPECT_EQ(changes.rfind("not_comparable_reason", 0), 0u) << changes;
  EXPECT_NE(changes.find("900"), std::string::npos) << changes;
  EXPECT_NE(changes.find("1000"), std::string::npos) << changes;
  EXPECT_EQ(read_json(out() / "manifest.json")["changes"]["comparable"], false);
}

TEST_F(SmallStudy, MissingPreviousRunIsAStudyErrorBeforeAnyWork) {
  ASSERT_EQ(run_study().exit_code, 0);
  const std::string before = read_file(out() / "manifest.json");
  const Result r = run_study("--previous " + (dir_ / "no_such_run").string());
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("no_such_run"), std::string::npos) << r.output;
  EXPECT_EQ(read_file(out() / "manifest.json"), before);
}

TEST_F(SmallStudy, UnknownStudyKeyIsAStudyError) {
  replace_in_file(study(), "id = \"code\"", "id = \"code\"\nnmae = \"label\"");
  const Result r = run_study();
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("study.toml:10: unknown key 'nmae' in [areas]"), std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("did you mean 'name'?"), std::string::npos) << r.output;
}

TEST_F(SmallStudy, WrongAreaFieldNamesTheFieldsThereAre) {
  replace_in_file(study(), "id = \"code\"", "id = \"cdoe\"");
  const Result r = run_study();
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("parishes.geojson: layer 'parishes' has no field 'cdoe'"),
            std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("did you mean 'code'?"), std::string::npos) << r.output;
}

TEST_F(SmallStudy, WrongPremisesColumnNamesTheHeader) {
  replace_in_file(study(), "path = \"premises.csv\"", "path = \"premises.csv\"\nid = \"UPRM\"");
  const Result r = run_study();
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("premises.csv: no column 'UPRM'"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("the header has: UPRN, X_COORDINATE"), std::string::npos) << r.output;
}

TEST_F(SmallStudy, WrongLayerColumnIsAStudyError) {
  replace_in_file(dir_ / "study" / "fixed_speeds.csv", "max_up_mbps", "upload");
  const Result r = run_study();
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("fixed_speeds.csv: no column 'max_up_mbps'"), std::string::npos)
      << r.output;
}

TEST_F(SmallStudy, MissingInputFileIsAStudyError) {
  fs::remove(dir_ / "study" / "parishes.geojson");
  const Result r = run_study();
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("parishes.geojson"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("does not exist"), std::string::npos) << r.output;
}

TEST_F(SmallStudy, UnknownStudyCrsIsAStudyError) {
  replace_in_file(study(), "crs = \"EPSG:27700\"", "crs = \"EPSG:99999\"");
  const Result r = run_study();
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("'EPSG:99999' is not a coordinate reference system PROJ knows"),
            std::string::npos)
      << r.output;
}

TEST_F(SmallStudy, AreasWithoutCrsMustBeDeclared) {
  // GDAL's CSV driver reads geometry from a WKT column and knows no CRS.
  write_file(dir_ / "study" / "parishes_wkt.csv",
             "code,label,WKT\nE04000001,Alpha,\"POLYGON((400000 100000,401000 100000,401000 "
             "101000,400000 101000,400000 100000))\"\n");
  replace_in_file(study(), "path = \"parishes.geojson\"", "path = \"parishes_wkt.csv\"");
  replace_in_file(study(), "max_outside_share = 0.5", "max_outside_share = 1");
  Result r = run_study();
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("has no coordinate reference system; declare it with crs = "
                          "\"EPSG:...\" in"),
            std::string::npos)
      << r.output;
  replace_in_file(study(), "name = \"label\"", "name = \"label\"\ncrs = \"EPSG:27700\"");
  r = run_study();
  EXPECT_EQ(r.exit_code, 0) << r.output;
  const nlohmann::json m = read_json(out() / "manifest.json");
  EXPECT_EQ(m["ledger"]["premises"]["assigned"], 4);  // the Alpha premises of the README
}

TEST_F(SmallStudy, TruncatedGeoPackageIsAnInputError) {
  // Make a real GeoPackage, then cut it in half.
  GDALAllRegister();
  const fs::path gpkg = dir_ / "study" / "parishes.gpkg";
  {
    GDALDatasetUniquePtr src(
        GDALDataset::Open((dir_ / "study" / "parishes.geojson").c_str(), GDAL_OF_VECTOR));
    GDALDriver* driver = GetGDALDriverManager()->GetDriverByName("GPKG");
    GDALDatasetUniquePtr copy(driver->Create(gpkg.c_str(), 0, 0, 0, GDT_Unknown, nullptr));
    ASSERT_TRUE(copy);
    ASSERT_NE(copy->CopyLayer(src->GetLayer(0), "parishes"), nullptr);
  }
  fs::resize_file(gpkg, fs::file_size(gpkg) / 2);
  replace_in_file(study(), "path = \"parishes.geojson\"", "path = \"parishes.gpkg\"");
  const Result r = run_study();
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("parishes.gpkg"), std::string::npos) << r.output;
}

TEST_F(SmallStudy, LonLatGeoJsonIsNotAxisSwapped) {
  // A lon/lat square around Dorchester; its British National Grid corners (from PROJ's cs2cs)
  // are x 368316..371865, y 89005..92361. Swapped axes would put it in the Indian Ocean.
  write_file(dir_ / "study" / "lonlat.geojson",
             R"({"type":"FeatureCollection","features":[{"type":"Feature",)"
             R"("properties":{"code":"Z1","label":"Dorchester"},"geometry":{"type":"Polygon",)"
             R"("coordinates":[[[-2.45,50.70],[-2.40,50.70],[-2.40,50.73],[-2.45,50.73],)"
             R"([-2.45,50.70]]]}}]})");
  write_file(dir_ / "study" / "dorchester.csv",
             "UPRN,X_COORDINATE,Y_COORDINATE\n1,369505,90686\n2,371000,89500\n3,373000,90686\n");
  replace_in_file(study(), "path = \"parishes.geojson\"", "path = \"lonlat.geojson\"");
  replace_in_file(study(), "path = \"premises.csv\"", "path = \"dorchester.csv\"");
  const Result r = run_study();
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const nlohmann::json m = read_json(out() / "manifest.json");
  EXPECT_EQ(m["ledger"]["premises"]["assigned"], 2);
  EXPECT_EQ(m["ledger"]["premises"]["outside"], 1);
  EXPECT_NE(m["inputs"][0]["crs"].get<std::string>().find("WGS 84"), std::string::npos);
}

TEST_F(SmallStudy, ShapefileAreasGiveTheSameOutputsAsGeoJson) {
  GDALAllRegister();
  {
    GDALDatasetUniquePtr src(
        GDALDataset::Open((dir_ / "study" / "parishes.geojson").c_str(), GDAL_OF_VECTOR));
    GDALDriver* driver = GetGDALDriverManager()->GetDriverByName("ESRI Shapefile");
    GDALDatasetUniquePtr shp(
        driver->Create((dir_ / "study" / "shp").c_str(), 0, 0, 0, GDT_Unknown, nullptr));
    ASSERT_TRUE(shp);
    ASSERT_NE(shp->CopyLayer(src->GetLayer(0), "parishes"), nullptr);
  }
  replace_in_file(study(), "path = \"parishes.geojson\"", "path = \"shp/parishes.shp\"");
  const Result r = run_study();
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(read_file(out() / "parish_stats.csv"), read_file(expected("parish_stats.csv")));
}

TEST_F(SmallStudy, TopoJsonAreasWithADeclaredCrs) {
  // Two squares sharing one arc (the edge x = 401000); TopoJSON carries no CRS.
  write_file(dir_ / "study" / "parishes.topojson",
             R"({"type":"Topology","objects":{"parishes":{"type":"GeometryCollection",)"
             R"("geometries":[{"type":"Polygon","arcs":[[0,1]],"properties":{"code":"T1",)"
             R"("label":"West"}},{"type":"Polygon","arcs":[[2,-1]],"properties":{"code":"T2",)"
             R"("label":"East"}}]}},"arcs":[[[401000,100000],[401000,101000]],)"
             R"([[401000,101000],[400000,101000],[400000,100000],[401000,100000]],)"
             R"([[401000,100000],[402000,100000],[402000,101000],[401000,101000]]]})");
  replace_in_file(study(), "path = \"parishes.geojson\"",
                  "path = \"parishes.topojson\"\ncrs = \"EPSG:27700\"");
  replace_in_file(study(), "max_outside_share = 0.5", "max_outside_share = 1");
  const Result r = run_study();
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const std::string csv = read_file(out() / "parish_stats.csv");
  // West = Alpha's square: 1001, 1002, 1016, 1017 (README). East = Bravo's: 1003, 1004 and the
  // second 1001.
  EXPECT_NE(csv.find("\narea,T1,West,4,"), std::string::npos) << csv;
  EXPECT_NE(csv.find("\narea,T2,East,3,"), std::string::npos) << csv;
}

TEST_F(SmallStudy, OverlappingAreasAreReportedAndEachPremiseCountedOnce) {
  // Two 1 km squares overlapping in [400500, 401000] x [100000, 101000]: 500,000 m².
  write_file(dir_ / "study" / "overlap.geojson",
             R"({"type":"FeatureCollection","crs":{"type":"name","properties":{"name":)"
             R"("urn:ogc:def:crs:EPSG::27700"}},"features":[)"
             R"({"type":"Feature","properties":{"code":"B","label":"Second"},"geometry":{"type":)"
             R"("Polygon","coordinates":[[[400500,100000],[401500,100000],[401500,101000],)"
             R"([400500,101000],[400500,100000]]]}},)"
             R"({"type":"Feature","properties":{"code":"A","label":"First"},"geometry":{"type":)"
             R"("Polygon","coordinates":[[[400000,100000],[401000,100000],[401000,101000],)"
             R"([400000,101000],[400000,100000]]]}}]})");
  write_file(dir_ / "study" / "three.csv",
             "UPRN,X_COORDINATE,Y_COORDINATE\n1,400250,100500\n2,400750,100500\n3,401250,100500\n");
  replace_in_file(study(), "path = \"parishes.geojson\"", "path = \"overlap.geojson\"");
  replace_in_file(study(), "path = \"premises.csv\"", "path = \"three.csv\"");
  const Result r = run_study();
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("areas 'A' and 'B' overlap (500000.0 square units"), std::string::npos)
      << r.output;
  const nlohmann::json m = read_json(out() / "manifest.json");
  EXPECT_EQ(m["areas"]["overlapping_pairs"], 1);
  EXPECT_DOUBLE_EQ(m["areas"]["overlaps"][0]["overlap_area"].get<double>(), 500000.0);
  EXPECT_EQ(m["ledger"]["premises"]["in_overlapping_areas"], 1);
  // Premise 2 is in both and goes to A, the lower id: A has 2, B has 1, total 3 (not 4).
  const std::string csv = read_file(out() / "parish_stats.csv");
  EXPECT_NE(csv.find("\narea,A,First,2,"), std::string::npos) << csv;
  EXPECT_NE(csv.find("\narea,B,Second,1,"), std::string::npos) << csv;
  EXPECT_NE(csv.find("\nstudy,,Small hand-checked study,3,"), std::string::npos) << csv;
}

TEST_F(SmallStudy, ValidateReportsEveryProblemWithoutComputing) {
  Result r = run("validate " + study().string());
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("is ready to run"), std::string::npos) << r.output;
  replace_in_file(study(), "id = \"code\"", "id = \"cdoe\"");
  replace_in_file(dir_ / "study" / "fixed_speeds.csv", "technology", "tech");
  r = run("validate " + study().string());
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("no field 'cdoe'"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("no column 'technology'"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("2 problem(s) found"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(dir_ / "study" / "out"));
}

// ---- --log-format json -------------------------------------------------------------------

// A command's stdout, split into JSON objects, and its stderr.
struct JsonRun {
  int exit_code = -1;
  std::vector<nlohmann::json> events;
  std::string stderr_text;
};

JsonRun run_json(const std::string& arguments, const fs::path& stderr_file) {
  const Result r = run(arguments + " 2>" + stderr_file.string());
  JsonRun out;
  out.exit_code = r.exit_code;
  out.stderr_text = read_file(stderr_file);
  std::istringstream lines(r.output);
  std::string line;
  while (std::getline(lines, line)) {
    // Every line must be a whole JSON object with the three common fields.
    nlohmann::json event = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    EXPECT_TRUE(event.is_object()) << "not a JSON object: " << line;
    if (!event.is_object()) continue;
    EXPECT_TRUE(std::regex_match(event.value("time", ""),
                                 std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)")))
        << line;
    EXPECT_TRUE(event.contains("level") && event.contains("event")) << line;
    out.events.push_back(std::move(event));
  }
  return out;
}

std::vector<nlohmann::json> events_named(const JsonRun& r, const std::string& name) {
  std::vector<nlohmann::json> found;
  for (const nlohmann::json& e : r.events)
    if (e["event"] == name) found.push_back(e);
  return found;
}

TEST_F(SmallStudy, JsonLogIsOneObjectPerLineAndAgreesWithTheManifest) {
  const JsonRun r =
      run_json("run " + study().string() + " --out " + out().string() + " --log-format json",
               dir_ / "stderr.txt");
  ASSERT_EQ(r.exit_code, 0) << r.stderr_text;
  EXPECT_EQ(r.stderr_text, "") << "in JSON mode everything goes to stdout as JSON";
  ASSERT_GE(r.events.size(), 3u);
  EXPECT_EQ(r.events.front()["event"], "run_started");
  EXPECT_EQ(r.events.back()["event"], "run_finished");
  EXPECT_FALSE(events_named(r, "stage").empty());

  const nlohmann::json m = read_json(out() / "manifest.json");
  const nlohmann::json& finished = r.events.back();
  EXPECT_EQ(finished["exit_code"], 0);
  EXPECT_EQ(finished["premises"]["read"], 25);
  for (const char* key : {"read", "assigned", "outside", "rejected"}) {
    EXPECT_EQ(finished["premises"][key], m["ledger"]["premises"][key]) << key;
  }
  // The study's figures, checked against the hand-computed small study (its README).
  EXPECT_EQ(finished["study_total"]["premises"], 16);
  EXPECT_EQ(finished["study_total"]["indicators"]["gigabit"]["premises"], 5);
  EXPECT_EQ(finished["study_total"]["indicators"]["gigabit"]["pct"], 31.25);
  // Every warning the manifest has, in the same order, one event each.
  const std::vector<nlohmann::json> warnings = events_named(r, "warning");
  ASSERT_EQ(warnings.size(), m["warnings"].size());
  ASSERT_EQ(finished["warnings"], warnings.size());
  for (std::size_t i = 0; i < warnings.size(); ++i) {
    EXPECT_EQ(warnings[i]["message"], m["warnings"][i]["message"]) << i;
    EXPECT_EQ(warnings[i]["level"], "warning");
  }
  EXPECT_EQ(events_named(r, "quality_check").size(), m["quality"]["checks"].size());
  std::vector<std::string> outputs = finished["outputs"];
  EXPECT_NE(std::find(outputs.begin(), outputs.end(), "manifest.json"), outputs.end());
}

TEST_F(SmallStudy, JsonLogGivesTheQualityFailureAndExitCodeThree) {
  replace_in_file(study(), "max_rejected_share = 0.5", "max_rejected_share = 0.1");
  const JsonRun r =
      run_json("run " + study().string() + " --out " + out().string() + " --log-format json",
               dir_ / "stderr.txt");
  EXPECT_EQ(r.exit_code, 3);
  const std::vector<nlohmann::json> checks = events_named(r, "quality_check");
  // rejected, outside, no data, unmatched for bduk and speeds; then the two no limit relaxes
  ASSERT_EQ(checks.size(), 7u);
  EXPECT_EQ(checks[0]["name"], "max_rejected_share");
  EXPECT_EQ(checks[0]["passed"], false);
  EXPECT_EQ(checks[0]["level"], "warning");
  EXPECT_EQ(checks[0]["value"], 0.24);
  ASSERT_FALSE(r.events.empty());
  EXPECT_EQ(r.events.back()["exit_code"], 3);
  EXPECT_EQ(r.events.back()["quality"]["passed"], false);
}

TEST_F(SmallStudy, JsonLogReportsErrorsAsOneErrorEvent) {
  replace_in_file(study(), "id = \"code\"", "id = \"PAR23CD\"");
  const JsonRun r =
      run_json("run " + study().string() + " --out " + out().string() + " --log-format=json",
               dir_ / "stderr.txt");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.stderr_text, "");
  const std::vector<nlohmann::json> errors = events_named(r, "error");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0]["kind"], "study");
  EXPECT_EQ(errors[0]["exit_code"], 2);
  EXPECT_NE(errors[0]["message"].get<std::string>().find("no field 'PAR23CD'"), std::string::npos)
      << errors[0];
  EXPECT_TRUE(events_named(r, "run_finished").empty());
}

TEST_F(SmallStudy, JsonLogListsEachStudyFileProblem) {
  replace_in_file(study(), "[study]", "[study]\nnmae = \"typo\"\ncolour = \"red\"");
  const JsonRun r =
      run_json("validate " + study().string() + " --log-format json", dir_ / "stderr.txt");
  EXPECT_EQ(r.exit_code, 2);
  const std::vector<nlohmann::json> errors = events_named(r, "error");
  ASSERT_EQ(errors.size(), 1u);
  ASSERT_EQ(errors[0]["problems"].size(), 2u) << errors[0];
  EXPECT_NE(errors[0]["problems"][0].get<std::string>().find("study.toml:3: unknown key 'nmae'"),
            std::string::npos)
      << errors[0];
}

TEST_F(SmallStudy, JsonLogOfValidate) {
  const JsonRun r =
      run_json("validate " + study().string() + " --log-format json", dir_ / "stderr.txt");
  EXPECT_EQ(r.exit_code, 0);
  ASSERT_EQ(r.events.size(), 1u);
  EXPECT_EQ(r.events[0]["event"], "validation");
  EXPECT_EQ(r.events[0]["ok"], true);
  EXPECT_FALSE(r.events[0]["checked"].empty());
  // The premises sample (every row of the small file): 19 of the 21 rows with two numbers are
  // inside the areas' extent, as counted by hand in tests/data/small_study/README.md.
  bool sampled = false;
  for (const nlohmann::json& note : r.events[0]["checked"]) {
    sampled = sampled || note.get<std::string>().rfind(
                             "premises sample: 19 of 21 inside the areas' extent", 0) == 0;
  }
  EXPECT_TRUE(sampled) << r.events[0]["checked"];
}

TEST(Cli, JsonLogReportsCommandLineErrorsInJson) {
  const fs::path err = fs::temp_directory_path() / "notspot_cli_json_stderr.txt";
  const JsonRun r = run_json("run study.toml --log-format json --frobnicate", err);
  fs::remove(err);
  EXPECT_EQ(r.exit_code, 2);
  ASSERT_EQ(r.events.size(), 1u);
  EXPECT_EQ(r.events[0]["event"], "error");
  EXPECT_EQ(r.events[0]["kind"], "usage");
  EXPECT_NE(r.events[0]["message"].get<std::string>().find("--frobnicate"), std::string::npos);
  EXPECT_EQ(run("run study.toml --log-format xml").exit_code, 2);
}

TEST(Cli, UsageErrorsExitTwo) {
  EXPECT_EQ(run("").exit_code, 2);
  EXPECT_EQ(run("frobnicate").exit_code, 2);
  EXPECT_EQ(run("run").exit_code, 2);
  const Result threads = run("run study.toml --threads 0");
  EXPECT_EQ(threads.exit_code, 2);
  const Result missing = run("run /nonexistent/study.toml");
  EXPECT_EQ(missing.exit_code, 2) << missing.output;
  EXPECT_NE(missing.output.find("/nonexistent/study.toml"), std::string::npos) << missing.output;
}

TEST(Cli, HelpAndVersion) {
  const Result help = run("--help");
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.output.find("Exit codes: 0 success; 1 failure; 2 usage"), std::string::npos);
  const Result version = run("--version");
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_EQ(version.output, std::string("notspot ") + NOTSPOT_VERSION + "\n");
}

// ---- notspot show ----------------------------------------------------------------------------

// The lines of `text`.
std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// A table line cut into its cells: text runs separated by two or more spaces (a cell may hold
// single spaces, as "Echo, the enclave" does), each with the display columns it starts and ends
// at (code points, counted here independently of notspot).
struct TableCell {
  std::string text;
  std::size_t start = 0;
  std::size_t end = 0;
};
std::vector<TableCell> cells_of(const std::string& line) {
  std::vector<TableCell> cells;
  std::size_t column = 0;
  std::size_t spaces = 0;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if ((static_cast<unsigned char>(c) & 0xC0) == 0x80) {  // continuation byte: same column
      cells.back().text += c;
      continue;
    }
    if (c == ' ') {
      ++spaces;
    } else {
      if (cells.empty() || spaces >= 2) {
        cells.push_back({"", column, column});
      } else if (spaces == 1) {
        cells.back().text += ' ';
      }
      spaces = 0;
      cells.back().text += c;
      cells.back().end = column + 1;
    }
    ++column;
  }
  return cells;
}

// The line of `lines` whose first cell is `first`; fails the test when there is none.
std::vector<TableCell> row_starting(const std::vector<std::string>& lines,
                                    const std::string& first) {
  for (const std::string& line : lines) {
    const std::vector<TableCell> cells = cells_of(line);
    if (!cells.empty() && cells[0].text == first) return cells;
  }
  ADD_FAILURE() << "no line starting with '" << first << "'";
  return {};
}

std::vector<std::string> texts(const std::vector<TableCell>& cells) {
  std::vector<std::string> out;
  for (const TableCell& c : cells) out.push_back(c.text);
  return out;
}

// Every row has the heading's cells, a left-aligned column starting and a right-aligned one
// ending at the same display column as its heading.
void expect_aligned(const std::vector<TableCell>& heading,
                    const std::vector<std::vector<TableCell>>& rows,
                    const std::vector<bool>& left) {
  for (const auto& row : rows) {
    ASSERT_EQ(row.size(), heading.size()) << testing::PrintToString(texts(row));
    for (std::size_t i = 0; i < heading.size(); ++i) {
      if (left[i]) {
        EXPECT_EQ(row[i].start, heading[i].start) << heading[i].text << ": " << row[i].text;
      } else {
        EXPECT_EQ(row[i].end, heading[i].end) << heading[i].text << ": " << row[i].text;
      }
    }
  }
}

// The ranking of tests/data/small_study/README.md: gigabit share lowest first, ties broken by
// more premises without gigabit (Delta 4, Charlie 2, Foxtrot 1, all 0%); below the USO: 1004
// (Bravo), 1005 (Charlie), 1012 (Foxtrot).
TEST_F(SmallStudy, ShowListsTheAreasMostInNeedAligned) {
  ASSERT_EQ(run_study().exit_code, 0);
  const Result r = run("show " + out().string());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const std::vector<std::string> lines = lines_of(r.output);
  const std::vector<TableCell> heading = row_starting(lines, "Rank");
  EXPECT_EQ(texts(heading), (std::vector<std::string>{"Rank", "Area", "Name", "Premises", "Gigabit",
                                                      "Without gigabit", "Below USO"}));
  const std::vector<std::vector<std::string>> expected = {
      {"1", "E04000004", "Delta", "4", "0.00%", "4", "0"},
      {"2", "E04000003", "Charlie", "2", "0.00%", "2", "1"},
      {"3", "E04000006", "Foxtrot", "1", "0.00%", "1", "1"},
      {"4", "E04000002", "Bravo", "3", "33.33%", "2", "1"},
      {"5", "E04000001", "Alpha", "4", "50.00%", "2", "0"},
      {"6", "E04000005", "Echo, the enclave", "2", "100.00%", "0", "0"}};
  std::vector<std::vector<TableCell>> rows;
  for (const auto& want : expected) {
    rows.push_back(row_starting(lines, want[0]));
    EXPECT_EQ(texts(rows.back()), want);
  }
  expect_aligned(heading, rows, {false, true, true, false, false, false, false});
  // The study total: 16 premises, 5 gigabit (31.25%), 11 without, 3 below the USO.
  const std::vector<TableCell> total = row_starting(lines, "Study total");
  EXPECT_EQ(texts(total), (std::vector<std::string>{"Study total", "16", "31.25%", "11", "3"}));
  EXPECT_EQ(total.back().end, heading.back().end);
  // Labels from the column catalogue.
  EXPECT_NE(r.output.find("Gigabit: Gigabit-capable (>= 1000 Mbit/s), % of premises"),
            std::string::npos)
      << r.output;

  const Result top = run("show " + out().string() + " --top 2");
  ASSERT_EQ(top.exit_code, 0) << top.output;
  EXPECT_NE(top.output.find("the 2 areas most in need"), std::string::npos) << top.output;
  EXPECT_NE(top.output.find("Charlie"), std::string::npos);
  EXPECT_EQ(top.output.find("Foxtrot"), std::string::npos) << top.output;
}

// One area's profile: Echo (1009 FTTH 1000/1000, 1010 fttp 2000/200; no BDUK row) beside the
// study total of the README.
TEST_F(SmallStudy, ShowAreaProfileGivesEveryIndicatorBesideTheStudyTotal) {
  ASSERT_EQ(run_study().exit_code, 0);
  const Result r = run("show " + out().string() + " --area E04000005");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const std::vector<std::string> lines = lines_of(r.output);
  EXPECT_NE(lines[0].find("E04000005 Echo, the enclave"), std::string::npos) << r.output;
  const std::vector<TableCell> heading = row_starting(lines, "Indicator");
  EXPECT_EQ(texts(heading),
            (std::vector<std::string>{"Indicator", "Area", "Share", "Study total", "Share"}));
  const std::vector<std::vector<std::string>> expected = {
      {"Gigabit-capable (>= 1000 Mbit/s)", "2", "100.00%", "5", "31.25%"},
      {"Ultrafast (>= 300 Mbit/s)", "2", "100.00%", "6", "37.50%"},
      {"Superfast (>= 30 Mbit/s)", "2", "100.00%", "8", "50.00%"},
      {"Below the USO (< 10/1 Mbit/s)", "0", "0.00%", "3", "18.75%"},
      {"Full fibre (FTTP, FTTH)", "2", "100.00%", "4", "25.00%"},
      {"BDUK Gigabit White", "0", "0.00%", "2", "12.50%"},
      {"No fixed-broadband data", "0", "0.00%", "2", "12.50%"}};
  std::vector<std::vector<TableCell>> rows;
  for (const auto& want : expected) {
    rows.push_back(row_starting(lines, want[0]));
    EXPECT_EQ(texts(rows.back()), want);
  }
  expect_aligned(heading, rows, {true, false, false, false, false});
  const std::vector<TableCell> premises = row_starting(lines, "Premises");
  EXPECT_EQ(texts(premises), (std::vector<std::string>{"Premises", "2", "16"}));
  EXPECT_EQ(premises[1].end, heading[1].end);
  EXPECT_EQ(premises[2].end, heading[3].end);
}

// Without a bduk-premises layer the bduk_ columns are null (docs/null-semantics.md): "not
// measured", never 0.
TEST_F(SmallStudy, ShowSaysNotMeasuredForNullIndicators) {
  replace_in_file(
      study(),
      "[[layers]]\nkind = \"bduk-premises\"\nname = \"bduk\"\npath = \"bduk_premises.csv\"\n", "");
  ASSERT_EQ(run_study().exit_code, 0);
  const std::string csv = read_file(out() / "parish_stats.csv");
  ASSERT_NE(csv.find("area,E04000001,Alpha,"), std::string::npos);
  const Result r = run("show " + out().string() + " --area E04000001");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const std::vector<std::string> lines = lines_of(r.output);
  for (const std::string label :
       {"BDUK Gigabit White", "BDUK Gigabit Grey/Black", "BDUK Gigabit Under Review"}) {
    bool seen = false;
    for (const std::string& line : lines) {
      if (line.find(label) == std::string::npos) continue;
      seen = true;
      EXPECT_NE(line.find("not measured"), std::string::npos) << line;
      EXPECT_EQ(line.find("0.00%"), std::string::npos) << line;
      EXPECT_EQ(texts(cells_of(line)),
                (std::vector<std::string>{label, "not measured", "not measured"}))
          << line;
    }
    EXPECT_TRUE(seen) << label << " missing from\n" << r.output;
  }
}

TEST_F(SmallStudy, ShowErrorsNameTheFolderOrSuggestTheArea) {
  const Result missing = run("show " + (dir_ / "nowhere").string());
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.output.find("nowhere' does not exist"), std::string::npos) << missing.output;
  const Result not_outputs = run("show " + (dir_ / "study").string());
  EXPECT_EQ(not_outputs.exit_code, 2);
  EXPECT_NE(not_outputs.output.find("has no manifest.json, so it is not a notspot outputs folder"),
            std::string::npos)
      << not_outputs.output;
  ASSERT_EQ(run_study().exit_code, 0);
  const Result typo = run("show " + out().string() + " --area E0400004");
  EXPECT_EQ(typo.exit_code, 2);
  EXPECT_NE(typo.output.find("no area with code 'E0400004'"), std::string::npos) << typo.output;
  EXPECT_NE(typo.output.find("did you mean 'E04000004' (Delta)?"), std::string::npos)
      << typo.output;
  const Result by_name = run("show " + out().string() + " --area Charly");
  EXPECT_NE(by_name.output.find("did you mean 'E04000003' (Charlie)?"), std::string::npos)
      << by_name.output;
  // A damaged parish_stats.csv: named, with what to do for `show`, not for [outputs] previous.
  write_file(out() / "parish_stats.csv", "level,area_id\n");
  const Result damaged = run("show " + out().string());
  EXPECT_EQ(damaged.exit_code, 1);
  EXPECT_NE(damaged.output.find("parish_stats.csv: not a notspot parish_stats.csv"),
            std::string::npos)
      << damaged.output;
  EXPECT_EQ(damaged.output.find("[outputs] previous"), std::string::npos) << damaged.output;
}

TEST_F(SmallStudy, ShowSaysFirstThatARunFailed) {
  ASSERT_EQ(run_study().exit_code, 0);
  replace_in_file(study(), "max_rejected_share = 0.5", "max_rejected_share = 0.1");
  ASSERT_EQ(run_study().exit_code, 3);
  // The outputs folder keeps the passing run; the failing one beside it is pointed out.
  const Result passing = run("show " + out().string() + "/");
  ASSERT_EQ(passing.exit_code, 0) << passing.output;
  EXPECT_EQ(passing.output.rfind("Note: " + out().string() +
                                     ".failed beside it holds a run that "
                                     "failed a data-quality check",
                                 0),
            0u)
      << passing.output;
  EXPECT_EQ(passing.output.find("FAILED RUN"), std::string::npos) << passing.output;
  const Result r = run("show " + (dir_ / "out.failed").string());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(
      r.output.rfind("FAILED RUN: this run failed 1 data-quality check(s): max_rejected_share", 0),
      0u)
      << r.output;
}

// Data is escaped: an area name with ESC prints as \x1b, and the columns stay aligned.
TEST_F(SmallStudy, ShowEscapesControlCharactersInData) {
  replace_in_file(dir_ / "study" / "parishes.geojson", "\"label\": \"Alpha\"",
                  "\"label\": \"Al\\u001b]0;pwned\\u0007pha\"");
  ASSERT_EQ(run_study().exit_code, 0);
  const Result r = run("show " + out().string());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.output.find('\x1b'), std::string::npos);
  EXPECT_EQ(r.output.find('\x07'), std::string::npos);
  const std::vector<std::string> lines = lines_of(r.output);
  const std::vector<TableCell> heading = row_starting(lines, "Rank");
  const std::vector<TableCell> alpha = row_starting(lines, "5");
  EXPECT_EQ(texts(alpha), (std::vector<std::string>{"5", "E04000001", "Al\\x1b]0;pwned\\x07pha",
                                                    "4", "50.00%", "2", "0"}));
  expect_aligned(heading, {alpha, row_starting(lines, "1")},
                 {false, true, true, false, false, false, false});
}

// The ranking is report.html's "parishes most in need": the same areas in the same order.
TEST_F(SmallStudy, ShowRanksTheAreasAsTheReportDoes) {
  ASSERT_EQ(run_study().exit_code, 0);
  const std::string html = read_file(out() / "report.html");
  const std::size_t table = html.find("id=\"need-table\"");
  ASSERT_NE(table, std::string::npos);
  const std::string need = html.substr(table, html.find("</table>", table) - table);
  const Result r = run("show " + out().string());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  std::size_t at = 0;
  for (const std::string name :
       {"Delta", "Charlie", "Foxtrot", "Bravo", "Alpha", "Echo, the enclave"}) {
    const std::size_t next = need.find(">" + name + "<", at);
    EXPECT_NE(next, std::string::npos) << name << " not after position " << at << " in\n" << need;
    at = next;
  }
}

// ---- command line ----------------------------------------------------------------------------

TEST(Cli, MistypedCommandGetsASuggestion) {
  const Result r = run("rnu study.toml");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("unknown command 'rnu'; did you mean 'run'?"), std::string::npos)
      << r.output;
  const Result v = run("valdate study.toml");
  EXPECT_NE(v.output.find("did you mean 'validate'?"), std::string::npos) << v.output;
}

TEST(Cli, UnknownOptionIsNamedBeforeTheStudyPath) {
  const Result r = run("run study.toml --thread 2");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.output.rfind("notspot: error: unknown option '--thread' for notspot run; did you "
                           "mean '--threads'?",
                           0),
            0u)
      << r.output;
  // A negative number is a value (CLI11 then checks the range), not an option.
  const Result negative = run("run study.toml --threads -1");
  EXPECT_EQ(negative.exit_code, 2);
  EXPECT_EQ(negative.output.find("unknown option"), std::string::npos) << negative.output;
}

TEST(Cli, HelpCommandPrintsTheSameAsDashDashHelp) {
  EXPECT_EQ(run("help").output, run("--help").output);
  for (const std::string command : {"run", "validate", "show"}) {
    const Result help = run("help " + command);
    EXPECT_EQ(help.exit_code, 0);
    EXPECT_EQ(help.output, run(command + " --help").output);
    EXPECT_NE(help.output.find("notspot " + command), std::string::npos) << help.output;
  }
  const Result unknown = run("help rnu");
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.output.find("did you mean 'run'?"), std::string::npos) << unknown.output;
}

// README.md's usage block names every option of every command, as --help lists them.
TEST(Cli, ReadmeUsageListsEveryOption) {
  const std::string readme = read_file(fs::path(NOTSPOT_TEST_DATA_DIR) / ".." / ".." / "README.md");
  const std::size_t start = readme.find("## Using it");
  ASSERT_NE(start, std::string::npos);
  const std::size_t block = readme.find("```sh", start);
  const std::string usage = readme.substr(block, readme.find("```\n", block + 5) - block);
  const std::regex option("(--[a-z][a-z-]+)");
  for (const std::string command : {"run", "validate", "show"}) {
    EXPECT_NE(usage.find("notspot " + command + " "), std::string::npos) << command;
    const std::string help = run("help " + command).output;
    for (auto it = std::sregex_iterator(help.begin(), help.end(), option);
         it != std::sregex_iterator(); ++it) {
      const std::string name = (*it)[1];
      if (name == "--help") continue;
      EXPECT_NE(usage.find(name), std::string::npos) << name << " of " << command << " not in\n"
                                                     << usage;
    }
  }
  EXPECT_NE(usage.find("notspot help"), std::string::npos);
}

}  // namespace
