#include "notspot/cli/show.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <vector>

#include "notspot/cli/commands.hpp"
#include "notspot/engine/error.hpp"
#include "notspot/io/csv.hpp"
#include "notspot/io/suggest.hpp"
#include "notspot/outputs/published_run.hpp"
#include "terminal_text.hpp"

namespace notspot::cli {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kNotMeasured = "not measured";

// "197117" -> "197,117", "191754.25" -> "191,754.25"; anything that is not a plain number is
// left as written.
std::string group_thousands(const std::string& text) {
  const std::size_t point = std::min(text.find('.'), text.size());
  const std::string whole = text.substr(0, point);
  const auto digit = [](char c) { return c >= '0' && c <= '9'; };
  if (whole.empty() || !std::all_of(whole.begin(), whole.end(), digit) ||
      !std::all_of(text.begin() + static_cast<std::ptrdiff_t>(std::min(point + 1, text.size())),
                   text.end(), digit)) {
    return text;
  }
  std::string out;
  for (std::size_t i = 0; i < whole.size(); ++i) {
    if (i > 0 && (whole.size() - i) % 3 == 0) out += ',';
    out += whole[i];
  }
  return out + text.substr(point);
}

// A figure as written in parish_stats.csv, for people: a null is "not measured", never 0.
std::string count_text(const std::string& cell) {
  return cell.empty() ? std::string(kNotMeasured) : group_thousands(cell);
}
std::string share_text(const std::string& cell) {
  return cell.empty() ? std::string(kNotMeasured) : cell + "%";
}

// The first line(s): a failed run says so before anything else.
void print_run_status(const outputs::PublishedRun& run) {
  if (!run.quality_passed) {
    std::string checks;
    for (const std::string& c : run.failed_checks) checks += (checks.empty() ? "" : ", ") + c;
    say(stdout,
        "FAILED RUN: this run failed {} data-quality check(s){}{}; treat its figures with care "
        "(manifest.json: quality.passed is false; report.html says what each check means).\n",
        run.failed_checks.size(), checks.empty() ? "" : ": ", checks);
  }
  std::error_code ec;
  // "out/" names the same folder as "out".
  fs::path failed = run.dir.has_filename() ? run.dir : run.dir.parent_path();
  failed += ".failed";
  if (!failed.filename().empty() && failed.filename() != ".failed" &&
      fs::is_directory(failed, ec)) {
    say(stdout,
        "Note: {} beside it holds a run that failed a data-quality check (notspot show {}).\n",
        failed.string(), failed.string());
  }
}

std::string area_title(const outputs::PublishedRun& run, std::size_t row) {
  return run.cell(row, "area_id") + " " + run.cell(row, "area_name");
}

std::string label_of(const outputs::PublishedRun& run, std::string_view column) {
  const outputs::ColumnSpec* spec = run.spec(column);
  return spec != nullptr ? spec->label : std::string(column);
}

void print_most_in_need(const outputs::PublishedRun& run, std::size_t top) {
  const std::vector<std::size_t> order = run.most_in_need(top);
  const std::string& study_name = run.cell(run.rows.size() - 1, "area_name");
  if (order.empty()) {
    say(stdout,
        "{}: {} areas; gigabit-capable broadband is not measured in this run (it needs a "
        "fixed-speeds or bduk-premises layer), so no area is ranked. See one area with "
        "notspot show {} --area CODE.\n",
        study_name, run.area_count(), run.dir.string());
    return;
  }
  say(stdout, "{}: the {} areas most in need of gigabit-capable broadband, of {} (from {})\n\n",
      study_name, order.size(), run.area_count(), run.dir.string());
  const bool uso = run.has("below_uso");
  const bool notspot = run.has("mob_4g_indoor_none");
  std::vector<TextTable::Column> columns = {
      {"Rank", Align::kRight},     {"Area", Align::kLeft},     {"Name", Align::kLeft},
      {"Premises", Align::kRight}, {"Gigabit", Align::kRight}, {"Without gigabit", Align::kRight}};
  if (uso) columns.push_back({"Below USO", Align::kRight});
  if (notspot) columns.push_back({"4G indoor not-spots", Align::kRight});
  TextTable table(std::move(columns));
  const auto row_cells = [&](std::size_t r, std::string rank) {
    const double premises = io::parse_double(run.cell(r, "premises")).value_or(NAN);
    const double gigabit = io::parse_double(run.cell(r, "gigabit")).value_or(NAN);
    std::vector<std::string> cells = {
        std::move(rank),
        run.cell(r, "area_id"),
        run.cell(r, "area_name"),
        count_text(run.cell(r, "premises")),
        share_text(run.cell(r, "gigabit_pct")),
        std::isnan(premises - gigabit)
            ? std::string(kNotMeasured)
            : group_thousands(fmt::format("{:.0f}", std::max(0.0, premises - gigabit)))};
    if (uso) cells.push_back(count_text(run.cell(r, "below_uso")));
    if (notspot) cells.push_back(count_text(run.cell(r, "mob_4g_indoor_none")));
    return cells;
  };
  for (std::size_t i = 0; i < order.size(); ++i)
    table.add(row_cells(order[i], std::to_string(i + 1)));
  std::vector<std::string> total = row_cells(run.rows.size() - 1, "");
  total[1] = "Study total";
  total[2].clear();
  table.add(std::move(total));
  table.print(stdout, 2);
  say(stdout, "\nGigabit: {}; Without gigabit: premises minus gigabit-capable premises",
      label_of(run, "gigabit_pct"));
  if (uso) say(stdout, "; Below USO: {}", label_of(run, "below_uso"));
  if (notspot) say(stdout, "; 4G indoor not-spots: {}", label_of(run, "mob_4g_indoor_none"));
  say(stdout,
      ".\nLowest gigabit share first, as in report.html. One area's profile: notspot show {} "
      "--area CODE\n",
      run.dir.string());
}

void print_profile(const outputs::PublishedRun& run, std::size_t row) {
  const std::size_t study = run.rows.size() - 1;
  say(stdout, "{}: profile of area {} (from {})\n\n", run.cell(study, "area_name"),
      area_title(run, row), run.dir.string());
  TextTable table({{"Indicator", Align::kLeft},
                   {"Area", Align::kRight},
                   {"Share", Align::kRight},
                   {"Study total", Align::kRight},
                   {"Share", Align::kRight}});
  for (const outputs::Measure& m : run.columns.measures()) {
    // The label with its unit where the figure has no % beside it to say what it is.
    const bool km2 = m.value && run.columns[*m.value].kind == outputs::ColumnKind::kArea;
    std::vector<std::string> cells = {km2 ? m.label + ", km²" : m.label, "", "", "", ""};
    bool present = false;
    if (m.value) {
      const std::string& name = run.columns[*m.value].name;
      if (run.has(name)) {
        present = true;
        cells[1] = count_text(run.cell(row, name));
        cells[3] = count_text(run.cell(study, name));
      }
    }
    if (m.share) {
      const std::string& name = run.columns[*m.share].name;
      if (run.has(name)) {
        present = true;
        cells[2] = share_text(run.cell(row, name));
        cells[4] = share_text(run.cell(study, name));
      }
    }
    // A measure not measured at all reads "not measured" once per side, not twice.
    if (m.value && m.share && cells[1] == kNotMeasured && cells[2] == kNotMeasured)
      cells[2].clear();
    if (m.value && m.share && cells[3] == kNotMeasured && cells[4] == kNotMeasured)
      cells[4].clear();
    if (present) table.add(std::move(cells));
  }
  table.print(stdout, 2);
  say(stdout,
      "\nShares are of the area's premises (or land, for land coverage); \"{}\": the run "
      "had no layer for it, or the area has no premises.\n",
      kNotMeasured);
}

// The area the user meant: the nearest id, or the id of the area with that (nearly) name.
std::string suggestion(const outputs::PublishedRun& run, const std::string& code) {
  std::vector<std::string> ids;
  std::vector<std::string> names;
  for (std::size_t a = 0; a < run.area_count(); ++a) {
    ids.push_back(run.cell(a, "area_id"));
    names.push_back(run.cell(a, "area_name"));
  }
  if (const auto near = io::nearest_word(code, ids)) {
    const std::size_t a = *run.find_area(*near);
    return "; did you mean '" + *near + "' (" + run.cell(a, "area_name") + ")?";
  }
  if (const auto near = io::nearest_word(code, names)) {
    const auto at = std::find(names.begin(), names.end(), *near) - names.begin();
    return "; did you mean '" + ids[static_cast<std::size_t>(at)] + "' (" + *near + ")?";
  }
  return "; `notspot show " + run.dir.string() + "` lists areas with their codes";
}

}  // namespace

int show_command(const ShowArguments& arguments) {
  const outputs::PublishedRun run = outputs::read_published_run(arguments.dir);
  std::optional<std::size_t> area;
  if (arguments.area) {
    area = run.find_area(*arguments.area);
    if (!area) {
      throw engine::usage_error(terminal_text("no area with code '" + *arguments.area + "' in " +
                                                  (run.dir / "parish_stats.csv").string() + " (" +
                                                  std::to_string(run.area_count()) + " areas)" +
                                                  suggestion(run, *arguments.area),
                                              Newlines::kEscape));
    }
  }
  print_run_status(run);
  if (area) {
    print_profile(run, *area);
  } else {
    print_most_in_need(run, arguments.top);
  }
  return kSuccess;
}

}  // namespace notspot::cli
