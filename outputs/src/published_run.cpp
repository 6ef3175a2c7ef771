#include "notspot/outputs/published_run.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>

#include "notspot/engine/error.hpp"
#include "notspot/engine/postcode.hpp"
#include "notspot/io/csv.hpp"

namespace notspot::outputs {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view kShowWhatToDo =
    "give the outputs folder that `notspot run` wrote (its --out, or [outputs] dir of the study)";

// read_previous_run() advises on [outputs] previous; here the folder came from the command line.
std::string with_show_advice(std::string message) {
  const std::size_t at = message.find("point [outputs] previous");
  if (at != std::string::npos) message = message.substr(0, at) + std::string(kShowWhatToDo);
  return message;
}

// The catalogue the run described its columns with, rebuilt from what its manifest and its
// header say it had: the thresholds (labels name them), the layer kinds (what is measured), the
// mobile groups and which estimate and land columns it wrote.
ColumnCatalogue rebuild_catalogue(const RunIdentity& id, const std::vector<std::string>& header) {
  const auto has = [&](std::string_view name) {
    return std::find(header.begin(), header.end(), name) != header.end();
  };
  CatalogueOptions options;
  options.thresholds = id.thresholds;
  if (id.layer_kinds) options.layer_kinds = *id.layer_kinds;
  options.land_area = has("land_km2");
  options.estimates = has("est_premises");
  for (std::size_t i = 0; i < engine::kEstimateCount; ++i) {
    options.estimate_measures[i] = has(engine::estimate_catalogue()[i].column);
  }
  if (id.mobile_groups) {
    for (const RunMobileGroup& g : *id.mobile_groups) {
      const bool land = has("land_" + mobile_column_stem(g.technology, g.setting, "any") + "_pct");
      options.mobile_groups.push_back({g.technology, g.setting, g.operators, land});
    }
  }
  if (id.exclusion_group && has("digitally_excluded")) {
    options.exclusion_technology = id.exclusion_group->first;
    options.exclusion_setting = id.exclusion_group->second;
  }
  return ColumnCatalogue(options);
}

nlohmann::json quality_of(const fs::path& manifest) {
  std::ifstream in(manifest, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  const nlohmann::json json = nlohmann::json::parse(text.str(), nullptr, false);
  if (json.is_object() && json.contains("quality") && json.at("quality").is_object()) {
    return json.at("quality");
  }
  return nlohmann::json::object();
}

double number(const std::string& text) {
  if (const std::optional<double> v = io::parse_double(io::trim(text))) return *v;
  return std::numeric_limits<double>::quiet_NaN();
}

}  // namespace

bool PublishedRun::has(std::string_view column) const {
  return std::find(header.begin(), header.end(), column) != header.end();
}

std::string PublishedRun::cell(std::size_t row, std::string_view column) const {
  const auto it = std::find(header.begin(), header.end(), column);
  if (it == header.end()) return {};
  return rows[row][static_cast<std::size_t>(it - header.begin())];
}

const ColumnSpec* PublishedRun::spec(std::string_view column) const {
  const std::optional<std::size_t> at = columns.find(column);
  return at ? &columns[*at] : nullptr;
}

std::optional<std::size_t> PublishedRun::find_area(std::string_view id) const {
  for (std::size_t a = 0; a < area_count(); ++a) {
    if (cell(a, "area_id") == id) return a;
  }
  return std::nullopt;
}

std::vector<std::size_t> PublishedRun::most_in_need(std::size_t top) const {
  std::vector<std::size_t> order;
  if (!has("gigabit_pct") || !has("gigabit")) return order;
  for (std::size_t a = 0; a < area_count(); ++a) {
    if (!std::isnan(number(cell(a, "gigabit_pct")))) order.push_back(a);
  }
  const auto without = [&](std::size_t a) {
    return number(cell(a, "premises")) - number(cell(a, "gigabit"));
  };
  // The same order as report.html's "parishes most in need" (html_report.cpp, most_in_need()).
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    const double pa = number(cell(a, "gigabit_pct"));
    const double pb = number(cell(b, "gigabit_pct"));
    if (pa != pb) return pa < pb;
    return without(a) > without(b);
  });
  if (order.size() > top) order.resize(top);
  return order;
}

PublishedRun read_published_run(const fs::path& dir) {
  const std::string name = dir.string();
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    throw engine::usage_error("'" + name + "' " +
                              (fs::exists(dir, ec) ? "is not a folder" : "does not exist") + "; " +
                              std::string(kShowWhatToDo));
  }
  for (const char* file : {"manifest.json", "parish_stats.csv"}) {
    if (!fs::is_regular_file(dir / file, ec)) {
      throw engine::usage_error("'" + name + "' has no " + file +
                                ", so it is not a notspot outputs folder; " +
                                std::string(kShowWhatToDo));
    }
  }
  PreviousRun read;
  try {
    read = read_previous_run(dir);
  } catch (const engine::Error& e) {
    throw engine::Error(e.kind(), with_show_advice(e.what()));
  }
  PublishedRun run;
  run.dir = dir;
  run.identity = std::move(read.identity);
  run.header = std::move(read.columns);
  run.rows = std::move(read.rows);
  run.columns = rebuild_catalogue(run.identity, run.header);
  const nlohmann::json quality = quality_of(dir / "manifest.json");
  if (quality.contains("passed") && quality.at("passed").is_boolean()) {
    run.quality_passed = quality.at("passed").get<bool>();
  }
  if (quality.contains("checks") && quality.at("checks").is_array()) {
    for (const nlohmann::json& check : quality.at("checks")) {
      if (check.is_object() && check.value("passed", true) == false) {
        run.failed_checks.push_back(check.value("name", std::string("(unnamed)")));
      }
    }
  }
  return run;
}

}  // namespace notspot::outputs
