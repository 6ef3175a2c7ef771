#include "notspot/outputs/change_report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <map>
#include <memory>
#include <set>
#include <tuple>

#include "notspot/engine/error.hpp"
#include "notspot/io/csv.hpp"
#include "notspot/io/mapped_file.hpp"
#include "notspot/outputs/csv_text.hpp"
#include "notspot/outputs/data_dates.hpp"
#include "notspot/outputs/manifest.hpp"

namespace notspot::outputs {
namespace fs = std::filesystem;

namespace {

constexpr const char* kWhatToDo =
    "point [outputs] previous (or --previous) at an outputs folder written by `notspot run`, or "
    "remove it to run without a change report";

// Percentages are compared as written: two decimals, held as whole hundredths so that
// before + change == after exactly and a crossing at 85 means the written 85.00.
using Hundredths = std::int64_t;

// The ranges a previous run's numbers must be in to be compared. Outside them a value is not
// something notspot wrote, and converting it (llround, signed differences) could overflow.
constexpr double kMaxPremises = 1e10;
constexpr double kMaxThresholdMbps = 100000;  // as the study file allows

bool is_percentage(double v) {
  return v >= 0 && v <= 100;  // false for NaN
}

// Empty for an empty cell and for anything that is not a percentage (0..100): llround is only
// ever given a checked value.
std::optional<Hundredths> to_hundredths(std::string_view text) {
  if (io::trim(text).empty()) return std::nullopt;
  const std::optional<double> value = io::parse_double(text);
  if (!value || !is_percentage(*value)) return std::nullopt;
  return static_cast<Hundredths>(std::llround(*value * 100.0));
}

// A premises count in 0..kMaxPremises, else empty.
std::optional<std::uint64_t> to_premises(std::string_view text) {
  const std::optional<std::uint64_t> value = io::parse_uint64(text);
  if (!value || static_cast<double>(*value) > kMaxPremises) return std::nullopt;
  return value;
}

// "'fixed-speeds'", "'fixed-speeds' and 'bduk-premises'".
std::string quoted_list(const std::vector<std::string>& items, std::string_view last = " and ") {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    out += (i == 0 ? "" : (i + 1 == items.size() ? std::string(last) : ", ")) +
           ("'" + items[i] + "'");
  }
  return out;
}

// The layer kinds whose presence can change a fixed indicator's figures (engine's
// indicator_flags()): wider than the kinds that make it measured (ColumnSpec::sources). A BDUK
// current_gigabit flag makes a premise gigabit-capable, hence ultrafast, superfast and decent
// (so not below the USO) and not "no data", whatever the speeds layer says; full fibre comes
// from the speeds layer alone and the BDUK statuses from the BDUK layer alone.
std::vector<std::string_view> affecting_kinds(const ColumnSpec& c) {
  using enum engine::Indicator;
  if (c.family == ColumnFamily::kDigitalExclusion) return {kFixedSpeedsKind, kBdukPremisesKind};
  if (c.family != ColumnFamily::kFixedIndicator || !c.indicator) return {};
  switch (*c.indicator) {
    case kFullFibre:
      return {kFixedSpeedsKind};
    case kBdukWhite:
    case kBdukGreyBlack:
    case kBdukUnderReview:
      return {kBdukPremisesKind};
    default:
      return {kFixedSpeedsKind, kBdukPremisesKind};
  }
}

// Of `kinds`, those a run with `layer_kinds` had, in the order of `kinds`.
template <typename Kinds>
std::vector<std::string> present_kinds(const Kinds& kinds,
                                       const std::vector<std::string>& layer_kinds) {
  std::vector<std::string> out;
  for (const auto& k : kinds) {
    if (std::find(layer_kinds.begin(), layer_kinds.end(), k) != layer_kinds.end()) {
      out.emplace_back(k);
    }
  }
  return out;
}

// "the previous run measured it from 'fixed-speeds' only", "this run did not measure it (no
// 'fixed-speeds' layer)".
std::string describe_sources(const ColumnSpec& c, const std::vector<std::string>& layer_kinds,
                             std::string_view run) {
  if (present_kinds(c.sources, layer_kinds).empty()) {
    return std::string(run) + " did not measure it (no " + quoted_list(c.sources, " or ") + " layer)";
  }
  const std::vector<std::string> present = present_kinds(affecting_kinds(c), layer_kinds);
  return std::string(run) + " measured it from " + quoted_list(present) +
         (present.size() == 1 ? " only" : "");
}

std::string group_key(std::string_view technology, std::string_view setting) {
  return column_slug(technology) + "/" + column_slug(setting);
}

const RunMobileGroup* find_group(const std::vector<RunMobileGroup>& groups,
                                 const std::pair<std::string, std::string>& group) {
  for (const RunMobileGroup& g : groups) {
    if (group_key(g.technology, g.setting) == group_key(group.first, group.second)) return &g;
  }
  return nullptr;
}

// Operators as column names see them, as a set.
std::set<std::string> operator_set(const RunMobileGroup& g) {
  std::set<std::string> out;
  for (const std::string& o : g.operators) out.insert(column_slug(o));
  return out;
}

std::string operators_text(const RunMobileGroup& g) {
  std::string out;
  for (const std::string& o : g.operators) out += (out.empty() ? "" : ", ") + o;
  return out.empty() ? std::string("none") : out;
}

// Why a percentage column both runs have cannot be compared: the runs did not measure it from
// the same things, so its change would come from a layer (or an operator) added or removed.
std::optional<std::string> why_not_comparable(const ColumnSpec& c, const RunIdentity& was,
                                              const RunIdentity& now) {
  const std::vector<std::string_view> kinds = affecting_kinds(c);
  if (!kinds.empty() && was.layer_kinds && now.layer_kinds &&
      present_kinds(kinds, *was.layer_kinds) != present_kinds(kinds, *now.layer_kinds)) {
    return describe_sources(c, *was.layer_kinds, "the previous run") + "; " +
           describe_sources(c, *now.layer_kinds, "this run") +
           ", so a change would come from the layers, not from the data";
  }
  std::optional<std::pair<std::string, std::string>> group_was;
  std::optional<std::pair<std::string, std::string>> group_now;
  if (c.family == ColumnFamily::kDigitalExclusion) {
    group_now = now.exclusion_group ? now.exclusion_group : was.exclusion_group;
    group_was = was.exclusion_group ? was.exclusion_group : now.exclusion_group;
    if (group_was && group_now &&
        group_key(group_was->first, group_was->second) !=
            group_key(group_now->first, group_now->second)) {
      return fmt::format(
          "[digital_exclusion] differs: {} {} in the previous run, {} {} in this one",
          group_was->first, group_was->second, group_now->first, group_now->second);
    }
  } else if (c.mobile && c.mobile->coverage != Coverage::kOperator) {
    group_was = group_now = std::pair(c.mobile->technology, c.mobile->setting);
  }
  if (group_was && group_now && was.mobile_groups && now.mobile_groups) {
    const RunMobileGroup* before = find_group(*was.mobile_groups, *group_was);
    const RunMobileGroup* after = find_group(*now.mobile_groups, *group_now);
    const std::string name = group_now->first + " " + group_now->second;
    if (!before || !after) {
      return fmt::format("the {} had no {} layers", before ? "current run" : "previous run", name);
    }
    if (operator_set(*before) != operator_set(*after)) {
      return fmt::format(
          "the {} operators differ: {} in the previous run, {} in this one, so a change would "
          "come from the operators, not from the coverage",
          name, operators_text(*before), operators_text(*after));
    }
  }
  return std::nullopt;
}

double from_hundredths(Hundredths h) {
  return static_cast<double>(h) / 100.0;
}

std::string describe_vintage(const std::optional<std::string>& v) {
  return v ? "'" + *v + "'" : std::string("(not recorded)");
}

std::string technologies_key(const std::vector<std::string>& technologies) {
  std::set<std::string> set;
  for (const std::string& t : technologies) set.insert(io::ascii_lower(io::trim(t)));
  std::string out;
  for (const std::string& t : set) out += (out.empty() ? "" : ", ") + t;
  return out;
}

std::string technologies_text(const std::vector<std::string>& technologies) {
  std::string out;
  for (const std::string& t : technologies) out += (out.empty() ? "" : ", ") + t;
  return "[" + out + "]";
}

std::vector<std::string> to_strings(const std::vector<std::string_view>& fields) {
  return {fields.begin(), fields.end()};
}

}  // namespace

// ---- public ---------------------------------------------------------------------------------

std::string_view status_text(AreaStatus status) {
  switch (status) {
    case AreaStatus::kSame:
      return "same";
    case AreaStatus::kNewArea:
      return "new area";
    case AreaStatus::kRemovedArea:
      return "removed area";
  }
  return "same";
}

std::vector<Target> change_targets() {
  std::vector<Target> out;
  for (const Target& t : targets()) {
    if (t.crossings) out.push_back(t);
  }
  return out;
}

std::string Crossing::text() const {
  return fmt::format("{} {} {}", column, passed ? "passed" : "fell below", level);
}

std::size_t ChangeReport::count(AreaStatus status) const {
  return static_cast<std::size_t>(
      std::count_if(areas.begin(), areas.end(),
                    [&](const AreaChange& a) { return !a.study_row && a.status == status; }));
}

std::size_t ChangeReport::crossing_count() const {
  std::size_t n = 0;
  for (const AreaChange& a : areas) n += a.study_row ? 0 : a.crossings.size();
  return n;
}

std::optional<std::size_t> ChangeReport::column_index(std::string_view column) const {
  const auto it = std::find(columns.begin(), columns.end(), column);
  if (it == columns.end()) return std::nullopt;
  return static_cast<std::size_t>(it - columns.begin());
}

PreviousRun read_previous_run(const fs::path& previous_dir) {
  const std::string dir = previous_dir.string();
  std::error_code ec;
  if (!fs::is_directory(previous_dir, ec)) {
    throw engine::study_error(
        "previous run folder '" + dir + "' " +
        (fs::exists(previous_dir, ec) ? "is not a folder" : "does not exist") + "; " + kWhatToDo);
  }
  for (const char* name : {"manifest.json", "parish_stats.csv"}) {
    if (!fs::is_regular_file(previous_dir / name, ec)) {
      throw engine::study_error("previous run folder '" + dir + "' has no " + name +
                                ", so it is not a notspot outputs folder; " + kWhatToDo);
    }
  }
  PreviousRun run;
  run.dir = previous_dir;
  run.identity = read_run_identity(previous_dir / "manifest.json");
  std::size_t out_of_range_total = 0;
  const auto out_of_range = [&](std::string message) {
    if (++out_of_range_total <= kMaxListedOutOfRange) run.out_of_range.push_back(std::move(message));
  };
  for (const engine::SpeedThreshold& speed : engine::speed_thresholds()) {
    const double v = run.identity.thresholds.*speed.value;
    if (!(v > 0 && v <= kMaxThresholdMbps)) {  // written so that NaN fails too
      out_of_range(fmt::format("{}: thresholds.{} is {}, not a speed notspot accepts (more than 0, "
                               "at most {:.0f} Mbit/s)",
                               (previous_dir / "manifest.json").string(), speed.key, v,
                               kMaxThresholdMbps));
    }
  }

  const fs::path csv_path = previous_dir / "parish_stats.csv";
  const std::string file = csv_path.string();
  const io::MappedFile mapped(csv_path);
  io::CsvCursor cursor(io::csv_text(mapped.view(), file), 1);
  io::CsvRow row;
  if (!cursor.next(row) || row.blank()) {
    throw engine::input_error(file + ": empty; not a notspot parish_stats.csv; " + kWhatToDo);
  }
  const io::CsvHeader header(row);
  run.columns = header.names();
  for (std::string& name : run.columns) name = restore_formula_text(name);
  for (const char* required : {"level", "area_id", "area_name", "premises"}) {
    if (std::find(run.columns.begin(), run.columns.end(), required) == run.columns.end()) {
      throw engine::input_error(file + ": not a notspot parish_stats.csv: no column '" + required +
                                "' (the header has: " + header.describe() + "); " + kWhatToDo);
    }
  }
  const auto index_of = [&](std::string_view name) {
    return static_cast<std::size_t>(std::find(run.columns.begin(), run.columns.end(), name) -
                                    run.columns.begin());
  };
  const std::size_t level = index_of("level");
  const std::size_t premises = index_of("premises");
  const std::size_t area_id = index_of("area_id");
  const std::size_t area_name = index_of("area_name");
  bool study_seen = false;
  while (cursor.next(row)) {
    if (row.blank()) continue;
    const std::string where = fmt::format("{}:{}: ", file, row.line);
    if (row.unterminated_quote || row.fields.size() != run.columns.size()) {
      throw engine::input_error(where + fmt::format("the row has {} fields but the header has {}; "
                                                    "the file is damaged; {}",
                                                    row.fields.size(), run.columns.size(),
                                                    kWhatToDo));
    }
    if (study_seen) {
      throw engine::input_error(where + "a row after the study row; the file is damaged; " +
                                kWhatToDo);
    }
    if (row.fields[level] != "area" && row.fields[level] != "study") {
      throw engine::input_error(where + "level is '" + std::string(row.fields[level]) +
                                "', expected 'area' or 'study'; " + kWhatToDo);
    }
    study_seen = row.fields[level] == "study";
    const std::string subject =
        study_seen ? std::string("the study row")
                   : "area '" + restore_formula_text(std::string(row.fields[area_id])) + "'";
    const std::string_view premises_text = io::trim(row.fields[premises]);
    if (!io::parse_uint64(premises_text) && !io::parse_double(premises_text)) {
      throw engine::input_error(where + "premises is '" + std::string(row.fields[premises]) +
                                "', not a whole number; the file is damaged; " + kWhatToDo);
    }
    if (!to_premises(premises_text)) {
      out_of_range(fmt::format("{}{}: premises is {}, not a count of premises (0 to {:.0f})",
                               where, subject, premises_text, kMaxPremises));
    }
    for (std::size_t i = 0; i < run.columns.size(); ++i) {
      const std::string& name = run.columns[i];
      const std::string_view text = io::trim(row.fields[i]);
      if (name.size() <= 4 || !name.ends_with("_pct") || text.empty()) continue;
      const std::optional<double> value = io::parse_double(text);
      if (!value) {
        throw engine::input_error(where + name + " is '" + std::string(row.fields[i]) +
                                  "', not a percentage; the file is damaged; " + kWhatToDo);
      }
      if (!is_percentage(*value)) {
        out_of_range(fmt::format("{}{}: {} is {}, not a percentage (0 to 100)", where, subject,
                                 name, text));
      }
    }
    run.rows.push_back(to_strings(row.fields));
    // The text cells as the previous run had them, before they were neutralised on writing.
    for (const std::size_t text : {area_id, area_name}) {
      run.rows.back()[text] = restore_formula_text(run.rows.back()[text]);
    }
  }
  if (!study_seen) {
    throw engine::input_error(file +
                              ": no study row (level 'study') at the end; the file is "
                              "truncated or not a notspot parish_stats.csv; " +
                              std::string(kWhatToDo));
  }
  if (out_of_range_total > kMaxListedOutOfRange) {
    run.out_of_range.push_back(fmt::format("and {} more values out of range",
                                           out_of_range_total - kMaxListedOutOfRange));
  }
  return run;
}

ChangeReport compare_runs(const fs::path& previous_dir, const StatsTable& current,
                          const RunIdentity& current_identity, io::ProblemLog& log) {
  return compare_runs(read_previous_run(previous_dir), current, current_identity, log);
}

ChangeReport compare_runs(const PreviousRun& previous, const StatsTable& current,
                          const RunIdentity& current_identity, io::ProblemLog& log) {
  const fs::path& previous_dir = previous.dir;
  ChangeReport report;
  report.previous_dir = previous_dir;
  report.previous = previous.identity;
  report.current = current_identity;
  const RunIdentity& was = report.previous;
  const RunIdentity& now = report.current;

  // ---- comparability ----
  const engine::Thresholds& tw = was.thresholds;
  const engine::Thresholds& tn = now.thresholds;
  for (const engine::SpeedThreshold& speed : engine::speed_thresholds()) {
    if (tw.*speed.value != tn.*speed.value) {
      report.reasons.push_back(
          fmt::format("thresholds differ: {} was {} in the previous run and is {} in this one",
                      speed.key, tw.*speed.value, tn.*speed.value));
    }
  }
  if (technologies_key(tw.full_fibre_technologies) !=
      technologies_key(tn.full_fibre_technologies)) {
    report.reasons.push_back(fmt::format(
        "thresholds differ: full_fibre_technologies was {} in the previous run and is {} in "
        "this one",
        technologies_text(tw.full_fibre_technologies),
        technologies_text(tn.full_fibre_technologies)));
  }
  if (was.crs != now.crs) {
    report.reasons.push_back(fmt::format(
        "the study CRS differs: '{}' in the previous run, '{}' in this one", was.crs, now.crs));
  }
  const bool same_areas_file = !was.areas_sha256.empty() && was.areas_sha256 == now.areas_sha256;
  if (was.boundary_vintage && now.boundary_vintage) {
    if (*was.boundary_vintage != *now.boundary_vintage) {
      report.reasons.push_back(fmt::format(
          "the boundary vintage differs: {} in the previous run, {} in this one",
          describe_vintage(was.boundary_vintage), describe_vintage(now.boundary_vintage)));
    }
  } else if (!same_areas_file) {
    // Without both vintages, only identical areas files prove identical boundaries. Refusing
    // would block every comparison with runs made before boundary_vintage was set.
    report.notes.push_back(fmt::format(
        "the boundaries could not be confirmed the same: boundary vintage {} in the previous run, "
        "{} in this one, and the areas files differ; areas are compared by id (set [study] "
        "boundary_vintage to have this checked)",
        describe_vintage(was.boundary_vintage), describe_vintage(now.boundary_vintage)));
  }
  for (const std::string& v : previous.out_of_range) {
    report.reasons.push_back("a value out of range, not a figure notspot writes: " + v);
  }
  // Named by its date too when it has one ("previous run (September 2026) out_sep").
  const std::string where = "previous run " +
                            (was.as_at ? "(" + describe_as_at(was.as_at) + ") " : std::string()) +
                            previous_dir.string();
  if (!report.reasons.empty()) {
    report.comparable = false;
    for (const std::string& r : report.reasons) {
      log.warn("changes", where + " not compared (parish_changes.csv has no changes): " + r);
    }
    return report;
  }
  for (const std::string& n : report.notes) log.warn("changes", where + ": " + n);

  // ---- columns ----
  const auto find_current = [&](std::string_view name) -> std::size_t {
    for (std::size_t i = 0; i < current.columns.size(); ++i)
      if (current.columns[i].name == name) return i;
    throw engine::internal_error("the statistics table has no column '" + std::string(name) +
                                 "'; please report this");
  };
  const std::size_t c_level = find_current("level");
  const std::size_t c_id = find_current("area_id");
  const std::size_t c_name = find_current("area_name");
  const std::size_t c_premises = find_current("premises");
  std::map<std::string, std::size_t, std::less<>> previous_column;
  for (std::size_t i = 0; i < previous.columns.size(); ++i)
    previous_column[previous.columns[i]] = i;
  std::vector<std::size_t> current_index;  // per compared column
  std::vector<std::size_t> previous_index;
  std::set<std::string, std::less<>> current_pct;
  for (std::size_t i = 0; i < current.columns.size(); ++i) {
    const ColumnSpec& c = current.columns[i];
    if (c.kind != ColumnKind::kPercent) continue;
    current_pct.insert(c.name);
    const auto it = previous_column.find(c.name);
    if (it == previous_column.end()) continue;
    if (std::optional<std::string> why = why_not_comparable(c, was, now)) {
      report.not_compared.push_back({c.name, std::move(*why)});
      continue;
    }
    report.columns.push_back(c.name);
    current_index.push_back(i);
    previous_index.push_back(it->second);
  }
  auto list = [](const std::vector<std::string>& names) {
    std::string out;
    for (std::size_t i = 0; i < names.size() && i < 10; ++i) out += (i ? ", " : "") + names[i];
    if (names.size() > 10) out += fmt::format(" and {} more", names.size() - 10);
    return out;
  };
  std::vector<std::string> only_current;
  std::vector<std::string> only_previous;
  for (const std::string& name : current_pct)
    if (!previous_column.contains(name)) only_current.push_back(name);
  for (const std::string& name : previous.columns)
    if (name.ends_with("_pct") && !current_pct.contains(name)) only_previous.push_back(name);
  std::sort(only_previous.begin(), only_previous.end());
  report.columns_new = only_current;
  report.columns_gone = only_previous;
  if (!only_current.empty()) {
    report.notes.push_back("columns new in this run, not compared: " + list(only_current));
  }
  if (!only_previous.empty()) {
    report.notes.push_back("columns only in the previous run, not compared: " +
                           list(only_previous));
  }
  if (!was.layer_kinds && now.layer_kinds) {
    report.notes.push_back(
        "the previous run's manifest.json does not record its layers, so the indicators are "
        "compared without checking that both runs had their source layers");
  }
  if (!report.not_compared.empty()) {
    std::vector<std::string> names;
    for (const ColumnNotCompared& n : report.not_compared) {
      report.notes.push_back(n.column + " not compared: " + n.reason);
      names.push_back(n.column);
    }
    log.warn("changes",
             fmt::format("{}: {} columns in both runs not compared, because the runs measured "
                         "them from different layers or operators (the reasons are in "
                         "manifest.json and report.html): {}",
                         where, names.size(), list(names)));
  }

  // ---- rows: both runs' rows as text, exactly as parish_stats.csv has them ----
  struct Side {
    std::string name;
    std::uint64_t premises = 0;
    std::vector<std::optional<Hundredths>> values;  // per compared column
  };
  std::map<std::string, std::pair<std::optional<Side>, std::optional<Side>>> by_id;
  std::pair<std::optional<Side>, std::optional<Side>> study;
  for (const std::vector<std::string>& r : previous.rows) {
    Side s;
    s.name = r[previous_column.at("area_name")];
    // Checked when read (PreviousRun::out_of_range); 0 for one made by other means.
    s.premises = to_premises(r[previous_column.at("premises")]).value_or(0);
    for (std::size_t k : previous_index) s.values.push_back(to_hundredths(r[k]));
    if (r[previous_column.at("level")] == "study") {
      study.first = std::move(s);
      continue;
    }
    auto& slot = by_id[r[previous_column.at("area_id")]].first;
    if (slot) {
      throw engine::input_error((previous_dir / "parish_stats.csv").string() + ": area id '" +
                                r[previous_column.at("area_id")] +
                                "' appears twice; the file is damaged; " + kWhatToDo);
    }
    slot = std::move(s);
  }
  for (const std::vector<Cell>& r : current.rows) {
    const auto text = [&](std::size_t i) { return format_cell(r[i], current.columns[i]); };
    Side s;
    s.name = text(c_name);
    s.premises = to_premises(text(c_premises)).value_or(0);
    for (std::size_t k : current_index) s.values.push_back(to_hundredths(text(k)));
    const auto* level = std::get_if<std::string>(&r[c_level]);
    if (level && *level == "study") {
      study.second = std::move(s);
      continue;
    }
    const auto* id = std::get_if<std::string>(&r[c_id]);
    by_id[id ? *id : std::string()].second = std::move(s);
  }

  const std::vector<Target> crossing_targets = change_targets();
  auto compare = [&](const std::optional<Side>& before, const std::optional<Side>& after) {
    AreaChange a;
    a.status =
        !before ? AreaStatus::kNewArea : (!after ? AreaStatus::kRemovedArea : AreaStatus::kSame);
    a.name = after ? after->name : before->name;
    if (before) a.premises_before = before->premises;
    if (after) a.premises_after = after->premises;
    if (before && after) {
      // Both are at most kMaxPremises (to_premises), so neither cast nor difference overflows.
      a.premises_change =
          static_cast<std::int64_t>(after->premises) - static_cast<std::int64_t>(before->premises);
    }
    for (std::size_t k = 0; k < report.columns.size(); ++k) {
      const std::optional<Hundredths> b = before ? before->values[k] : std::nullopt;
      const std::optional<Hundredths> n = after ? after->values[k] : std::nullopt;
      IndicatorChange change;
      if (b) change.before = from_hundredths(*b);
      if (n) change.after = from_hundredths(*n);
      if (b && n) change.change = from_hundredths(*n - *b);
      a.indicators.push_back(change);
    }
    for (const Target& t : crossing_targets) {
      const std::optional<std::size_t> k = report.column_index(t.column);
      if (!k || !before || !after || !before->values[*k] || !after->values[*k]) continue;
      const Hundredths level = std::llround(t.level * 100.0);
      const Hundredths b = *before->values[*k];
      const Hundredths n = *after->values[*k];
      if ((b < level) == (n < level)) continue;
      Crossing c;
      c.column = std::string(t.column);
      c.level = t.level;
      c.passed = n >= level;
      c.improvement = c.passed == (t.direction == Direction::kHigherIsBetter);
      a.crossings.push_back(std::move(c));
    }
    return a;
  };
  for (const auto& [id, sides] : by_id) {
    AreaChange a = compare(sides.first, sides.second);
    a.id = id;
    report.areas.push_back(std::move(a));
  }
  if (!study.first || !study.second) {
    throw engine::internal_error(
        "a run without a study row reached the change report; please "
        "report this");
  }
  AreaChange total = compare(study.first, study.second);
  total.study_row = true;
  report.areas.push_back(std::move(total));

  const std::size_t added = report.count(AreaStatus::kNewArea);
  const std::size_t removed = report.count(AreaStatus::kRemovedArea);
  if (added > 0 || removed > 0) {
    log.warn("changes",
             fmt::format("{}: {} areas are new in this run and {} are no longer in it (listed in "
                         "parish_changes.csv with status 'new area' and 'removed area')",
                         where, added, removed));
  }
  return report;
}

void write_changes_csv(const fs::path& path, const ChangeReport& report) {
  std::string out;
  if (!report.comparable) {
    out += "not_comparable_reason\n";
    for (const std::string& r : report.reasons) out += csv_text_field(r) + "\n";
  } else {
    out += "level,area_id,area_name,status,premises_before,premises_after,premises_change";
    for (const std::string& c : report.columns) {
      out += fmt::format(",{0}_before,{0}_after,{0}_change", csv_text_field(c));
    }
    out += ",crossed\n";
    const auto number = [](const std::optional<double>& v) {
      return v ? fmt::format("{:.2f}", *v) : std::string();
    };
    const auto count = [](const auto& v) { return v ? fmt::format("{}", *v) : std::string(); };
    const auto field = [&](std::string_view value) {
      out += ',';
      out += value;
    };
    for (const AreaChange& a : report.areas) {
      out += a.study_row ? "study" : "area";
      field(csv_text_field(a.study_row ? std::string() : a.id));
      field(csv_text_field(a.name));
      field(status_text(a.status));
      field(count(a.premises_before));
      field(count(a.premises_after));
      field(count(a.premises_change));
      for (const IndicatorChange& c : a.indicators) {
        field(number(c.before));
        field(number(c.after));
        field(number(c.change));
      }
      std::string crossed;
      for (const Crossing& c : a.crossings) {
        if (!crossed.empty()) crossed += "; ";
        crossed += c.text();
      }
      field(csv_text_field(crossed));
      out += '\n';
    }
  }
  struct Closer {
    void operator()(std::FILE* f) const noexcept { std::fclose(f); }
  };
  std::unique_ptr<std::FILE, Closer> file(std::fopen(path.c_str(), "wb"));
  if (!file) throw engine::output_error("cannot create " + path.string());
  const bool written = std::fwrite(out.data(), 1, out.size(), file.get()) == out.size();
  if (!written || std::fclose(file.release()) != 0) {
    throw engine::output_error("cannot write " + path.string() + " (disk full?)");
  }
}

}  // namespace notspot::outputs
