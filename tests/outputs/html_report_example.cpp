// Writes an outputs folder with parish_stats.csv and report.html for the browser test
// (tests/cli/report_browser_test.sh): 80 random parishes with realistic shapes (shared
// jittered edges, holes, several parts), figures from a fixed seed, one parish with no
// premises and one whose name is markup. Usage: html_report_example OUTPUT_DIR
// (`notspot run` writes the report of a real study; this one needs no sample data.)

#include <cmath>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <random>

#include "notspot/engine/indicators.hpp"
#include "notspot/io/areas_reader.hpp"
#include "notspot/outputs/csv_writers.hpp"
#include "notspot/outputs/html_report.hpp"
#include "support/tessellation.hpp"

namespace {

using namespace notspot;

int run(const std::filesystem::path& dir) {
  test::TessellationOptions options;
  options.columns = 40;
  options.rows = 30;
  options.cell_size = 1000;
  options.areas = 80;
  options.straight_every = 0;
  options.seed = 7;
  const test::Tessellation tessellation = test::random_tessellation(options);

  std::vector<io::Area> areas;
  for (std::size_t i = 0; i < tessellation.areas.size(); ++i) {
    char id[32];
    std::snprintf(id, sizeof id, "Z%08zu", i + 1);
    std::string name = "Parish " + std::to_string(i + 1);
    if (i == 3) name = "<script>alert(1)</script>";
    if (i == 4) name = "O'Brien & \"Sons\" <b>";
    areas.push_back({id, name, tessellation.areas[i], {static_cast<std::int64_t>(i)}});
  }

  outputs::StatsTable table;
  outputs::CatalogueOptions what;
  what.estimates = true;
  what.estimate_measures[static_cast<std::size_t>(engine::Estimate::kGigabit)] = true;
  what.mobile_groups = {{"4G", "indoor", {"EE", "Three"}, false}};
  const std::string_view columns[] = {"level",
                                      "area_id",
                                      "area_name",
                                      "premises",
                                      "gigabit",
                                      "gigabit_pct",
                                      "superfast",
                                      "superfast_pct",
                                      "decent",
                                      "decent_pct",
                                      "below_uso",
                                      "below_uso_pct",
                                      "no_data",
                                      "no_data_pct",
                                      "est_gigabit",
                                      "est_gigabit_pct",
                                      "mob_4g_indoor_none",
                                      "mob_4g_indoor_none_pct"};
  table.columns = outputs::ColumnCatalogue(what).subset(columns);

  std::mt19937_64 random(11);
  std::vector<std::vector<std::uint64_t>> values;
  std::vector<double> estimates;
  for (std::size_t i = 0; i < areas.size(); ++i) {
    const std::uint64_t premises = i == 10 ? 0 : 50 + random() % 3000;
    auto share = [&](double lo, double hi) {
      const double f = lo + (hi - lo) * static_cast<double>(random() % 10001) / 10000;
      return static_cast<std::uint64_t>(std::floor(f * static_cast<double>(premises)));
    };
    const std::uint64_t gigabit = share(0.2, 1.0);
    const std::uint64_t superfast = std::max(gigabit, share(0.85, 1.0));
    const std::uint64_t no_data = share(0, 0.01);
    const std::uint64_t below = std::min(premises - superfast, share(0, 0.05));
    const std::uint64_t decent = premises - below - no_data;
    values.push_back({premises, gigabit, superfast, decent, below, no_data, share(0, 0.1)});
    estimates.push_back(static_cast<double>(gigabit) * 0.97 + 0.25);
  }
  auto add_row = [&](std::string level, std::string id, std::string name,
                     const std::vector<std::uint64_t>& v, double estimate) {
    std::vector<outputs::Cell> row = {level, id, name, v[0]};
    for (std::size_t k = 1; k < v.size(); ++k) {
      if (k + 1 == v.size()) {  // the estimates come before the mobile columns
        row.emplace_back(estimate);
        row.emplace_back(v[0] == 0 ? std::nan("") : 100 * estimate / static_cast<double>(v[0]));
      }
      row.emplace_back(v[k]);
      row.emplace_back(engine::percentage(v[k], v[0]));
    }
    table.rows.push_back(std::move(row));
  };
  std::vector<std::uint64_t> total(values[0].size(), 0);
  double total_estimate = 0;
  for (std::size_t i = 0; i < areas.size(); ++i) {
    add_row("area", areas[i].id, areas[i].name, values[i], estimates[i]);
    for (std::size_t k = 0; k < total.size(); ++k) total[k] += values[i][k];
    total_estimate += estimates[i];
  }
  add_row("study", "", "Example study <with markup>", total, total_estimate);

  outputs::ReportInput input;
  input.table = &table;
  input.areas = areas;
  input.study_name = "Example study <with markup>";
  input.crs_description = "EPSG:27700 (OSGB36 / British National Grid)";
  input.boundary_vintage = "Example parishes, December 2023";
  input.software_version = "test";
  input.thresholds = {{"Gigabit-capable", "download >= 1000 Mbit/s"},
                      {"Decent broadband (USO)", "download >= 10 and upload >= 1 Mbit/s"}};
  input.sources = {{"parishes.gpkg", "areas", areas.size(), "00112233445566778899", ""},
                   {"premises.csv", "premises", total[0] + 12, "aabbccddeeff0011", ""}};
  input.attribution = {"Contains OS data \xC2\xA9 Crown copyright and database right 2025.",
                       "Contains Ofcom data \xC2\xA9 Ofcom 2025, licensed under the Open "
                       "Government Licence v3.0."};
  input.ledger = {total[0] + 12, total[0], 10, 2, {{"speeds", total[0], total[0] - 5, 3, 0, 2}}};
  input.quality = {{"max_rejected_share", 2.0 / static_cast<double>(total[0] + 12), 0.001, true, false, ""}};
  input.warnings = {{"areas", "feature 4 <repaired> & merged"}};
  input.warnings_total = 1;
  input.changes = outputs::ReportChanges{"the run of <October 2026>",
                                         {{"", "", {{"gigabit_pct", 1.5}}},
                                          {areas[0].id, areas[0].name, {{"gigabit_pct", 3.25}}},
                                          {areas[3].id, areas[3].name, {{"gigabit_pct", -0.5}}}},
                                         {{areas[0].id, areas[0].name, "gigabit_pct", 85, true}},
                                         {"12 premises added, 2 removed"},
                                         {},
                                         {}};

  std::filesystem::create_directories(dir);
  outputs::write_stats_csv(dir / "parish_stats.csv", table);
  outputs::write_html_report(dir / "report.html", input);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: html_report_example OUTPUT_DIR\n");
    return 2;
  }
  try {
    return run(argv[1]);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "html_report_example: %s\n", e.what());
    return 1;
  }
}
