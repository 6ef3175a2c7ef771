#include "detail/report_input.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "notspot/outputs/version.hpp"

namespace notspot::study::detail {

using Json = nlohmann::ordered_json;

namespace {

// The HTML report's view of the run's changes since a previous one.
outputs::ReportChanges to_report_changes(const outputs::ChangeReport& c) {
  outputs::ReportChanges r;
  r.previous_run = c.previous_dir.filename().string();
  if (!c.comparable) {
    r.not_comparable = c.reasons;
    return r;
  }
  r.notes = c.notes;
  if (c.count(outputs::AreaStatus::kNewArea) + c.count(outputs::AreaStatus::kRemovedArea) > 0) {
    r.notes.push_back(fmt::format("{} areas new in this run, {} no longer in it",
                                  c.count(outputs::AreaStatus::kNewArea),
                                  c.count(outputs::AreaStatus::kRemovedArea)));
  }
  for (const outputs::AreaChange& a : c.areas) {
    outputs::ReportAreaChange area{a.study_row ? "" : a.id, a.name, {}};
    for (std::size_t k = 0; k < c.columns.size(); ++k) {
      if (a.indicators[k].change)
        area.indicators.push_back({c.columns[k], *a.indicators[k].change});
    }
    if (!area.indicators.empty()) r.areas.push_back(std::move(area));
    if (!a.study_row) {
      for (const outputs::Crossing& x : a.crossings)
        r.crossings.push_back({a.id, a.name, x.column, x.level, x.passed});
    }
  }
  return r;
}

}  // namespace

outputs::ReportInput report_input(const Study& study, const io::Crs& study_crs,
                                  std::span<const io::Area> areas, const outputs::StatsTable& table,
                                  const RunDescription& description, const Json& inputs,
                                  const Json& layer_ledger, const RunSummary& summary,
                                  std::uint64_t premises_read, const io::ProblemLog& log,
                                  const std::optional<outputs::ChangeReport>& changes) {
  outputs::ReportInput report;
  report.table = &table;
  report.areas = areas;
  report.study_name = study.name;
  report.crs_description = study_crs.describe();
  report.crs_geographic = study_crs.is_geographic();
  report.boundary_vintage = study.boundary_vintage;
  report.software_version = outputs::kVersion;
  for (const auto& [label, value] : description.thresholds)
    report.thresholds.push_back({label, value});
  for (const Json& i : inputs) {
    std::string role = i["role"].get<std::string>();
    if (i.contains("kind")) role += " (" + i["kind"].get<std::string>() + ")";
    std::optional<std::uint64_t> rows;
    if (i.contains("rows")) {
      rows = i["rows"].get<std::uint64_t>();
    } else if (i.contains("features")) {
      rows = i["features"].get<std::uint64_t>();
    }
    report.sources.push_back({i["file"].get<std::string>(), role, rows,
                              i["sha256"].get<std::string>(), i.value("crs", std::string())});
  }
  report.ledger = {premises_read,
                   summary.premises_assigned,
                   summary.premises_outside,
                   summary.premises_rejected,
                   {}};
  for (const Json& l : layer_ledger) {  // postcode layers: their postcodes count as matched
    report.ledger.layers.push_back({l["name"].get<std::string>(), l["read"].get<std::uint64_t>(),
                                    l.value("matched", l.value("postcodes", std::uint64_t{0})),
                                    l.value("unmatched", std::uint64_t{0}),
                                    l["duplicate_keys"].get<std::uint64_t>(),
                                    l["rejected"].get<std::uint64_t>()});
  }
  for (const QualityCheck& q : summary.quality)
    report.quality.push_back({q.name, q.value, q.limit, q.passed});
  const std::vector<io::Warning>& w = log.warnings();
  report.warnings.assign(
      w.begin(), w.begin() + static_cast<std::ptrdiff_t>(std::min<std::size_t>(w.size(), 200)));
  report.warnings_total = w.size();
  report.attribution = study.attribution;
  if (changes) report.changes = to_report_changes(*changes);
  return report;
}

}  // namespace notspot::study::detail
