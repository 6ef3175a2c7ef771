#include "detail/report_input.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "detail/run_description.hpp"
#include "notspot/outputs/data_dates.hpp"

namespace notspot::outputs::detail {
namespace {

// "Gigabit-capable (>= 1000 Mbit/s), Superfast (>= 30 Mbit/s)": a reader's names of columns
// (their measures, from the catalogue); a column the catalogue does not know keeps its name.
std::string measures_text(const std::vector<std::string>& columns, const ColumnCatalogue& known) {
  std::string out;
  for (const std::string& name : columns) {
    const std::optional<std::size_t> i = known.find(name);
    out += (out.empty() ? "" : ", ") + (i ? known[*i].measure : name);
  }
  return out;
}

// The HTML report's view of the run's changes since a previous one, in the measures' names.
ReportChanges to_report_changes(const ChangeReport& c, const ColumnCatalogue& columns) {
  ReportChanges r;
  r.previous_run = c.previous_dir.filename().string();
  r.comparison = run_comparison(c.current.as_at, c.previous.as_at, r.previous_run);
  if (c.previous.as_at) r.previous_run = describe_as_at(c.previous.as_at) + ", " + r.previous_run;
  if (!c.comparable) {
    r.not_comparable = c.reasons;
    return r;
  }
  // The per-column reasons and the columns in one run only are listed apart from the other
  // notes, by their measures' names.
  for (const std::string& note : c.notes) {
    const bool per_column =
        std::any_of(c.not_compared.begin(), c.not_compared.end(), [&](const ColumnNotCompared& n) {
          return note == n.column + " not compared: " + n.reason;
        });
    const bool one_run_only = note.starts_with("columns new in this run") ||
                              note.starts_with("columns only in the previous run");
    if (!per_column && !one_run_only) r.notes.push_back(note);
  }
  if (!c.columns_new.empty()) {
    r.notes.push_back("New in this run, so not compared: " + measures_text(c.columns_new, columns));
  }
  if (!c.columns_gone.empty()) {
    r.notes.push_back("In the previous run only, so not compared: " +
                      measures_text(c.columns_gone, columns));
  }
  for (const ColumnNotCompared& n : c.not_compared)
    r.columns_not_compared.emplace_back(n.column, n.reason);
  if (c.count(AreaStatus::kNewArea) + c.count(AreaStatus::kRemovedArea) > 0) {
    r.notes.push_back(fmt::format("{} areas new in this run, {} no longer in it",
                                  c.count(AreaStatus::kNewArea),
                                  c.count(AreaStatus::kRemovedArea)));
  }
  for (const AreaChange& a : c.areas) {
    ReportAreaChange area{a.study_row ? "" : a.id, a.name, {}};
    for (std::size_t k = 0; k < c.columns.size(); ++k) {
      if (a.indicators[k].change)
        area.indicators.push_back({c.columns[k], *a.indicators[k].change});
    }
    if (!area.indicators.empty()) r.areas.push_back(std::move(area));
    if (!a.study_row) {
      for (const Crossing& x : a.crossings)
        r.crossings.push_back({a.id, a.name, x.column, x.level, x.passed});
    }
  }
  return r;
}

ReportDataSource to_report_source(const InputRecord& i) {
  const std::string role = i.kind.empty() ? i.role : i.role + " (" + i.kind + ")";
  std::string note = i.crs.value_or("");
  if (i.filter) {
    // The figures are of the selected features only: say so beside the file.
    note += fmt::format("{}where {} ({} of {} features)", note.empty() ? "" : "; ",
                        i.filter->clause, i.filter->features_selected, i.filter->features_in_layer);
  }
  return {i.file, role, i.rows ? i.rows : i.features, i.digest.sha256, std::move(note)};
}

// Postcode layers' postcodes count as matched.
ReportLedger to_report_ledger(const RunRecord& r) {
  ReportLedger ledger{
      r.premises.read, r.premises.assigned, r.premises.outside, r.premises.rejected, {}};
  for (const FixedLayerLedger& l : r.fixed_layers) {
    ledger.layers.push_back({l.name, l.read, l.matched, l.unmatched, l.duplicate_keys, l.rejected});
  }
  for (const PostcodeLayerLedger& p : r.postcode_layers) {
    ledger.layers.push_back({p.name, p.read, p.postcodes, 0, p.duplicate_keys, p.rejected});
  }
  return ledger;
}

}  // namespace

ReportInput report_input(const RunRecord& record, std::span<const io::Area> areas) {
  ReportInput report;
  report.table = &record.table;
  report.areas = areas;
  report.study_name = record.study.name;
  report.place = record.study.place.value_or("");
  report.as_at = record.study.as_at;
  report.crs_description = record.study.crs;
  report.crs_geographic = record.study.crs_geographic;
  report.boundary_vintage = record.study.boundary_vintage;
  report.software_version = record.notspot_version;
  const RunDescription description = describe_run(record);
  for (const auto& [label, value] : description.thresholds)
    report.thresholds.push_back({label, value});
  for (const InputRecord& i : record.inputs) report.sources.push_back(to_report_source(i));
  report.ledger = to_report_ledger(record);
  for (const QualityCheck& q : record.quality)
    report.quality.push_back({q.name, q.value, q.limit, q.passed, q.always, q.explanation});
  const std::vector<io::Warning>& w = record.warnings;
  report.warnings.assign(w.begin(), w.begin() + static_cast<std::ptrdiff_t>(std::min<std::size_t>(
                                                    w.size(), kMaxListedWarnings)));
  report.warnings_total = w.size();
  report.attribution = record.study.attribution;
  report.data_dates = data_dates(record);
  if (record.changes) report.changes = to_report_changes(*record.changes, record.table.columns);
  return report;
}

}  // namespace notspot::outputs::detail
