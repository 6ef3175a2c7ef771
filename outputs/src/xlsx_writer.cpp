#include "notspot/outputs/xlsx_writer.hpp"

#include <xlsxwriter.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <ctime>
#include <optional>
#include <string_view>

#include "notspot/engine/error.hpp"
#include "notspot/engine/indicators.hpp"
#include "notspot/engine/postcode.hpp"

namespace notspot::outputs {
namespace {

// 2000-01-01T00:00:00Z: the workbook's creation time, fixed so that runs compare byte for byte
// (the run's real time is in manifest.json).
constexpr std::time_t kFixedCreated = 946684800;

constexpr double kMinWidth = 8;
constexpr double kMaxWidth = 60;

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}
bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

// "4g_indoor" -> "4G indoor": a mobile group's column key as people write it.
std::string group_label(std::string_view key) {
  std::string out;
  for (std::size_t i = 0; i < key.size(); ++i) {
    char c = key[i];
    if (c == '_') {
      out += ' ';
      continue;
    }
    // A technology such as 4g, 5g is upper-cased; words stay lower case.
    if (c == 'g' && i > 0 && std::isdigit(static_cast<unsigned char>(key[i - 1])) &&
        (i + 1 == key.size() || key[i + 1] == '_')) {
      c = 'G';
    }
    out += c;
  }
  return out;
}

// Splits "4g_indoor_virgin_media_o2" into the group ("4g_indoor") and the rest, at the
// setting: operator slugs may hold underscores, settings are one of the known words.
std::optional<std::pair<std::string, std::string>> split_group(std::string_view rest) {
  for (std::string_view setting : {"_indoor_", "_outdoor_"}) {
    const std::size_t at = rest.find(setting);
    if (at != std::string_view::npos) {
      const std::size_t end = at + setting.size();
      return std::pair{std::string(rest.substr(0, end - 1)), std::string(rest.substr(end))};
    }
  }
  return std::nullopt;
}

std::string who_covers(const std::string& what, const std::string& group) {
  if (what == "any") return "covered by at least one operator for " + group;
  if (what == "all") return "covered by every operator for " + group;
  if (what == "none") return "with no " + group + " coverage from any operator (not-spot)";
  if (what == "partial") {
    return "covered by some but not all operators for " + group + " (partial not-spot)";
  }
  return "covered by operator '" + what + "' for " + group;
}

const char* unit_of(ColumnKind kind) {
  switch (kind) {
    case ColumnKind::kText:
      return "text";
    case ColumnKind::kCount:
      return "count";
    case ColumnKind::kPercent:
      return "percentage (0-100), two decimals";
    case ColumnKind::kEstimate:
      return "estimate (expected premises), two decimals";
    case ColumnKind::kArea:
      return "km², four decimals";
  }
  return "";
}

const char* number_format(ColumnKind kind) {
  switch (kind) {
    case ColumnKind::kCount:
      return "#,##0";
    case ColumnKind::kPercent:
    case ColumnKind::kEstimate:
      return "0.00";
    case ColumnKind::kArea:
      return "0.0000";
    case ColumnKind::kText:
      break;
  }
  return nullptr;
}

// The definition shown for a column: the caller's, else its count column's for a percentage,
// else one derived from the name.
std::string definition_of(const std::string& name, const WorkbookInfo& info) {
  if (const auto it = info.definitions.find(name); it != info.definitions.end()) {
    return it->second;
  }
  if (ends_with(name, "_pct") && !starts_with(name, "est_") && !starts_with(name, "land_")) {
    const std::string stem = name.substr(0, name.size() - 4);
    if (const auto it = info.definitions.find(stem); it != info.definitions.end()) {
      return it->second + " (as a percentage of the area's premises)";
    }
  }
  return describe_column(name);
}

// Owns the workbook until it is closed; an exception on the way frees it without writing.
class Workbook {
 public:
  explicit Workbook(const std::filesystem::path& path) : path_(path) {
    // Temporary files beside the output: the outputs folder is known to be writable.
    tmpdir_ = path.parent_path().empty() ? std::string(".") : path.parent_path().string();
    lxw_workbook_options options{};
    options.constant_memory = LXW_FALSE;
    options.tmpdir = tmpdir_.data();
    options.use_zip64 = LXW_FALSE;
    workbook_ = workbook_new_opt(path_.c_str(), &options);
    if (workbook_ == nullptr) throw engine::output_error("cannot create " + path_.string());
  }
  ~Workbook() {
    if (workbook_ != nullptr) lxw_workbook_free(workbook_);
  }
  Workbook(const Workbook&) = delete;
  Workbook& operator=(const Workbook&) = delete;

  lxw_workbook* get() const { return workbook_; }

  void check(lxw_error error, std::string_view what) const {
    if (error != LXW_NO_ERROR) {
      throw engine::output_error("cannot write " + path_.string() + ": " + std::string(what) + ": " +
                                lxw_strerror(error));
    }
  }

  lxw_worksheet* add_sheet(const char* name) {
    lxw_worksheet* sheet = workbook_add_worksheet(workbook_, name);
    if (sheet == nullptr) {
      throw engine::output_error("cannot write " + path_.string() + ": cannot add sheet " + name);
    }
    return sheet;
  }

  lxw_format* format(const char* number_format, bool bold) {
    lxw_format* f = workbook_add_format(workbook_);
    if (number_format != nullptr) format_set_num_format(f, number_format);
    if (bold) format_set_bold(f);
    return f;
  }

  /// Writes the file; the workbook is freed whatever happens.
  void close() {
    lxw_workbook* workbook = workbook_;
    workbook_ = nullptr;
    const lxw_error error = workbook_close(workbook);
    if (error != LXW_NO_ERROR) {
      throw engine::output_error("cannot write " + path_.string() + ": " + lxw_strerror(error) +
                                "; check that the folder exists and is writable and that the "
                                "disk is not full");
    }
  }

 private:
  std::filesystem::path path_;
  std::string tmpdir_;
  lxw_workbook* workbook_ = nullptr;
};

// Writes cells of one sheet, checking each call.
class SheetWriter {
 public:
  SheetWriter(Workbook& book, lxw_worksheet* sheet) : book_(book), sheet_(sheet) {}

  void text(lxw_row_t row, lxw_col_t col, const std::string& s, lxw_format* f = nullptr) {
    if (s.empty()) return;  // An empty string is an empty cell, as in the CSV.
    book_.check(worksheet_write_string(sheet_, row, col, s.c_str(), f), "text cell");
  }
  void number(lxw_row_t row, lxw_col_t col, double v, lxw_format* f = nullptr) {
    if (std::isnan(v)) return;  // null: an empty cell
    book_.check(worksheet_write_number(sheet_, row, col, v, f), "number cell");
  }
  lxw_worksheet* get() const { return sheet_; }

 private:
  Workbook& book_;
  lxw_worksheet* sheet_;
};

struct Formats {
  lxw_format* title;
  lxw_format* heading;
  lxw_format* header;
  lxw_format* wrap;
  // By ColumnKind, plain and bold (the study row).
  std::array<lxw_format*, 5> plain;
  std::array<lxw_format*, 5> bold;
};

std::size_t kind_index(ColumnKind kind) {
  return static_cast<std::size_t>(kind);
}

// The display width of a cell's text, for column widths (UTF-8 continuation bytes not counted).
double text_width(std::string_view s) {
  double n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
  return n;
}

std::optional<std::size_t> column_index(const StatsTable& table, std::string_view name) {
  for (std::size_t i = 0; i < table.columns.size(); ++i) {
    if (table.columns[i].name == name) return i;
  }
  return std::nullopt;
}

// One headline figure of the Summary sheet, read from the study row.
struct Headline {
  std::string label;
  std::optional<std::size_t> count_column;
  std::optional<std::size_t> percent_column;
  std::string target;
  // Whether the figure meets the target, given the percentage and the count.
  std::optional<bool> (*meets)(double percent, double count) = nullptr;
};

std::vector<Headline> headlines(const StatsTable& table) {
  std::vector<Headline> out;
  auto add = [&](std::string label, std::string_view count, std::string_view percent,
                 std::string target = {}, std::optional<bool>(*meets)(double, double) = nullptr) {
    const auto c = count.empty() ? std::nullopt : column_index(table, count);
    const auto p = percent.empty() ? std::nullopt : column_index(table, percent);
    if (!c && !p) return;
    out.push_back({std::move(label), c, p, std::move(target), meets});
  };
  add("Premises in the study's areas", "premises", "");
  add("Gigabit-capable broadband", "gigabit", "gigabit_pct",
      "Project Gigabit: at least 85% of premises by 2025, nationwide (~99%) by 2030",
      [](double pct, double) -> std::optional<bool> {
        if (std::isnan(pct)) return std::nullopt;
        return pct >= 85;
      });
  add("Superfast broadband (>= 30 Mbit/s)", "superfast", "superfast_pct");
  add("Full fibre", "full_fibre", "full_fibre_pct");
  add("Decent broadband (USO: >= 10 Mbit/s down and >= 1 Mbit/s up)", "decent", "decent_pct",
      "Universal Service Obligation: decent broadband is a legal right for every premise",
      [](double pct, double) -> std::optional<bool> {
        if (std::isnan(pct)) return std::nullopt;
        return pct >= 100;
      });
  add("Below the USO (speed known)", "below_uso", "below_uso_pct",
      "None below the USO (Universal Service Obligation)",
      [](double, double count) -> std::optional<bool> {
        if (std::isnan(count)) return std::nullopt;
        return count == 0;
      });
  add("No fixed-broadband data", "no_data", "no_data_pct");
  // Mobile groups in table order: not-spots at premises, then land covered.
  for (const Column& c : table.columns) {
    if (starts_with(c.name, "mob_") && ends_with(c.name, "_none")) {
      const std::string key = c.name.substr(4, c.name.size() - 4 - 5);
      add(group_label(key) + ": premises in a not-spot (no operator)", c.name, c.name + "_pct");
    }
  }
  for (const Column& c : table.columns) {
    if (starts_with(c.name, "land_") && ends_with(c.name, "_any_pct")) {
      const std::string key = c.name.substr(5, c.name.size() - 5 - 8);
      if (key == "4g_outdoor") {
        add("4G outdoor: land covered by at least one operator", "", c.name,
            "Shared Rural Network: 4G from at least one operator across 95% of UK landmass",
            [](double pct, double) -> std::optional<bool> {
              if (std::isnan(pct)) return std::nullopt;
              return pct >= 95;
            });
      } else {
        add(group_label(key) + ": land covered by at least one operator", "", c.name);
      }
    }
  }
  add("Digitally excluded (below the USO and a mobile not-spot)", "digitally_excluded",
      "digitally_excluded_pct");
  return out;
}

void write_summary(Workbook& book, const Formats& fmt, const StatsTable& table,
                   const WorkbookInfo& info) {
  SheetWriter sheet(book, book.add_sheet("Summary"));
  worksheet_set_column(sheet.get(), 0, 0, 62, nullptr);
  worksheet_set_column(sheet.get(), 1, 2, 14, nullptr);
  worksheet_set_column(sheet.get(), 3, 3, 80, nullptr);
  worksheet_set_column(sheet.get(), 4, 4, 14, nullptr);
  lxw_row_t row = 0;
  sheet.text(row++, 0, info.study_name.empty() ? "notspot study" : info.study_name, fmt.title);
  sheet.text(row++, 0, "Broadband and mobile coverage by area (notspot)");
  ++row;

  const std::size_t areas = table.rows.empty() ? 0 : table.rows.size() - 1;
  const std::vector<std::pair<std::string, std::string>> provenance = {
      {"Study", info.study_name},
      {"Coordinate reference system", info.crs},
      {"Boundary vintage", info.boundary_vintage.value_or("not stated in the study file")},
      {"notspot version", info.notspot_version},
  };
  sheet.text(row++, 0, "Provenance", fmt.heading);
  for (const auto& [label, value] : provenance) {
    sheet.text(row, 0, label);
    sheet.text(row++, 1, value);
  }
  sheet.text(row, 0, "Areas");
  sheet.number(row++, 1, static_cast<double>(areas), fmt.plain[kind_index(ColumnKind::kCount)]);
  ++row;

  sheet.text(row++, 0, "Headline figures for the whole study", fmt.heading);
  sheet.text(row, 0, "Indicator", fmt.header);
  sheet.text(row, 1, "Premises", fmt.header);
  sheet.text(row, 2, "Share (%)", fmt.header);
  sheet.text(row, 3, "National target", fmt.header);
  sheet.text(row++, 4, "Meets target", fmt.header);
  if (!table.rows.empty()) {
    const std::vector<Cell>& study = table.rows.back();
    for (const Headline& h : headlines(table)) {
      double count = std::nan("");
      double pct = std::nan("");
      sheet.text(row, 0, h.label);
      if (h.count_column) {
        const ColumnKind kind = table.columns[*h.count_column].kind;
        count = cell_number(study[*h.count_column], kind);
        sheet.number(row, 1, count, fmt.plain[kind_index(kind)]);
      }
      if (h.percent_column) {
        const ColumnKind kind = table.columns[*h.percent_column].kind;
        pct = cell_number(study[*h.percent_column], kind);
        sheet.number(row, 2, pct, fmt.plain[kind_index(kind)]);
      }
      sheet.text(row, 3, h.target);
      if (h.meets) {
        const std::optional<bool> meets = h.meets(pct, count);
        if (meets) sheet.text(row, 4, *meets ? "yes" : "no");
      }
      ++row;
    }
  }
  ++row;

  if (!info.thresholds.empty()) {
    sheet.text(row++, 0, "Thresholds used", fmt.heading);
    for (const auto& [label, value] : info.thresholds) {
      sheet.text(row, 0, label);
      sheet.text(row++, 1, value);
    }
    ++row;
  }

  sheet.text(row++, 0, "How to read this workbook", fmt.heading);
  for (const char* line : {
           "Parishes: one row per area, sorted by area id, then the whole study on the last row "
           "(bold). The figures are those of parish_stats.csv.",
           "Percentages are 0-100 values of the area's premises (land_..._pct: of the area's "
           "land; est_..._pct: of est_premises), rounded to two decimals. An empty cell means "
           "undefined: an area without premises or land.",
           "A premise without fixed-broadband data counts as not meeting a threshold; no_data "
           "shows how many there are.",
           "est_... columns are estimates from Ofcom postcode-level percentages (expected "
           "premises, fractional), not counts of premises.",
           "Use the filter buttons on the header row of Parishes to sort and filter the areas; "
           "the study row stays last.",
           "Definitions: every column with its unit and definition.",
       }) {
    sheet.text(row++, 0, line);
  }
  if (!info.sources.empty()) {
    ++row;
    sheet.text(row++, 0, "Data sources and attribution", fmt.heading);
    for (const std::string& line : info.sources) sheet.text(row++, 0, line);
  }
}

void write_parishes(Workbook& book, const Formats& fmt, const StatsTable& table,
                    const std::filesystem::path& path) {
  // Excel's limits: 1,048,576 rows and 16,384 columns.
  if (table.rows.size() + 1 > 1048576 || table.columns.size() > 16384) {
    throw engine::output_error("cannot write " + path.string() + ": " +
                              std::to_string(table.rows.size()) + " rows of " +
                              std::to_string(table.columns.size()) +
                              " columns exceed Excel's limits; use parish_stats.csv");
  }
  SheetWriter sheet(book, book.add_sheet("Parishes"));
  const std::size_t columns = table.columns.size();
  std::vector<double> widths(columns, kMinWidth);
  for (std::size_t c = 0; c < columns; ++c) {
    const auto col = static_cast<lxw_col_t>(c);
    sheet.text(0, col, table.columns[c].name, fmt.header);
    widths[c] = std::max(widths[c], text_width(table.columns[c].name) + 2);
  }
  for (std::size_t r = 0; r < table.rows.size(); ++r) {
    const std::vector<Cell>& cells = table.rows[r];
    if (cells.size() != columns) {
      throw engine::internal_error("parish_stats.xlsx: row " + std::to_string(r) + " has " +
                                   std::to_string(cells.size()) + " cells for " +
                                   std::to_string(columns) + " columns; please report this");
    }
    const bool study_row = r + 1 == table.rows.size();
    const auto& formats = study_row ? fmt.bold : fmt.plain;
    const auto row = static_cast<lxw_row_t>(r + 1);
    for (std::size_t c = 0; c < columns; ++c) {
      const auto col = static_cast<lxw_col_t>(c);
      const ColumnKind kind = table.columns[c].kind;
      if (const auto* text = std::get_if<std::string>(&cells[c])) {
        sheet.text(row, col, *text, formats[kind_index(kind)]);
        widths[c] = std::max(widths[c], text_width(*text) + 2);
        continue;
      }
      // The CSV's rounded figure, typed: Excel then shows and sums exactly the CSV's values.
      const double value = cell_number(cells[c], kind);
      sheet.number(row, col, value, formats[kind_index(kind)]);
      if (!std::isnan(value)) {
        const double digits = text_width(format_cell(cells[c], kind));
        // Counts gain a thousands separator every three digits.
        const double separators = kind == ColumnKind::kCount ? std::floor((digits - 1) / 3) : 0;
        widths[c] = std::max(widths[c], digits + separators + 2);
      }
    }
  }
  for (std::size_t c = 0; c < columns; ++c) {
    const auto col = static_cast<lxw_col_t>(c);
    book.check(worksheet_set_column(sheet.get(), col, col, std::min(widths[c], kMaxWidth), nullptr),
               "column width");
  }
  // Frozen: the header row and the columns up to the area's name, so that a parish stays named
  // while scrolling right.
  const auto name_column = column_index(table, "area_name");
  const auto frozen_columns = static_cast<lxw_col_t>(name_column ? *name_column + 1 : 1);
  worksheet_freeze_panes(sheet.get(), 1, std::min(frozen_columns, static_cast<lxw_col_t>(columns)));
  // The filter covers the areas only: sorting keeps the study row last.
  if (columns > 0) {
    const auto last_area_row =
        static_cast<lxw_row_t>(table.rows.size() > 1 ? table.rows.size() - 1 : 0);
    book.check(
        worksheet_autofilter(sheet.get(), 0, 0, last_area_row, static_cast<lxw_col_t>(columns - 1)),
        "autofilter");
  }
}

void write_definitions(Workbook& book, const Formats& fmt, const StatsTable& table,
                       const WorkbookInfo& info) {
  SheetWriter sheet(book, book.add_sheet("Definitions"));
  worksheet_set_column(sheet.get(), 0, 0, 36, nullptr);
  worksheet_set_column(sheet.get(), 1, 1, 40, nullptr);
  worksheet_set_column(sheet.get(), 2, 2, 100, fmt.wrap);
  sheet.text(0, 0, "Column", fmt.header);
  sheet.text(0, 1, "Unit", fmt.header);
  sheet.text(0, 2, "Definition", fmt.header);
  for (std::size_t c = 0; c < table.columns.size(); ++c) {
    const auto row = static_cast<lxw_row_t>(c + 1);
    sheet.text(row, 0, table.columns[c].name);
    sheet.text(row, 1, unit_of(table.columns[c].kind));
    sheet.text(row, 2, definition_of(table.columns[c].name, info), fmt.wrap);
  }
  worksheet_freeze_panes(sheet.get(), 1, 0);
}

}  // namespace

std::string describe_column(const std::string& name) {
  if (name == "level")
    return "Row kind: 'area' for an area, 'study' for the whole study (last row).";
  if (name == "area_id") {
    return "The area's identifier in the boundary file (e.g. the ONS parish code); empty on the "
           "study row.";
  }
  if (name == "area_name") return "The area's name; on the study row, the study's name.";
  if (name == "premises") return "Premises (address points) assigned to the area.";
  if (name == "land_km2") return "The area's land (polygon) area in square kilometres.";
  if (name == "est_premises") {
    return "Estimates: premises whose postcode has a row in the Ofcom postcode-level files (the "
           "base of the est_ columns).";
  }
  if (name == "digitally_excluded") {
    return "Premises below the USO on known speeds and with no coverage from any operator in "
           "the digital-exclusion mobile group ([digital_exclusion], default 4G indoor).";
  }
  if (name == "digitally_excluded_pct") {
    return describe_column("digitally_excluded") + " As a percentage of the area's premises.";
  }
  const bool pct = ends_with(name, "_pct");
  const std::string stem = pct ? name.substr(0, name.size() - 4) : name;
  for (const engine::IndicatorInfo& info : engine::indicator_catalogue()) {
    if (stem != info.column) continue;
    std::string text = "Premises meeting the indicator. " + std::string(info.definition);
    if (pct) text += " As a percentage of the area's premises.";
    return text;
  }
  if (starts_with(name, "est_")) {
    std::string source = "the Ofcom postcode-level percentages";
    for (const engine::EstimateInfo& info : engine::estimate_catalogue()) {
      if (stem == info.column)
        source = "the Ofcom postcode-level '" + std::string(info.ofcom_column) + "'";
    }
    std::string text = "Estimate: expected number of premises meeting '" + stem.substr(4) +
                       "', from " + source +
                       " applied to each postcode's premises (summed, never averaged).";
    if (pct) text += " As a percentage of est_premises.";
    return text;
  }
  if (starts_with(name, "mob_")) {
    const std::string rest = name.substr(4, name.size() - 4 - (pct ? 4 : 0));
    const auto split = split_group(rest);
    if (!split) return {};
    std::string text = "Premises " + who_covers(split->second, group_label(split->first)) + ".";
    if (pct) text += " As a percentage of the area's premises.";
    return text;
  }
  if (starts_with(name, "land_") && ends_with(name, "_pct")) {
    const auto split = split_group(name.substr(5, name.size() - 5 - 4));
    if (!split) return {};
    return "Share (%) of the area's land " + who_covers(split->second, group_label(split->first)) +
           ", computed exactly from the coverage layers.";
  }
  return {};
}

void write_parish_workbook(const std::filesystem::path& path, const StatsTable& table,
                           const WorkbookInfo& info) {
  Workbook book(path);

  // Fixed properties: without a `created` time libxlsxwriter writes the current time into
  // docProps/core.xml and the same run would differ byte for byte.
  std::string title = info.study_name.empty() ? "notspot parish statistics"
                                              : info.study_name + ": parish statistics";
  lxw_doc_properties properties{};
  properties.title = title.data();
  properties.author = const_cast<char*>("notspot");
  properties.created = kFixedCreated;
  book.check(workbook_set_properties(book.get(), &properties), "document properties");

  Formats fmt{};
  fmt.title = book.format(nullptr, true);
  format_set_font_size(fmt.title, 14);
  fmt.heading = book.format(nullptr, true);
  format_set_font_size(fmt.heading, 12);
  fmt.header = book.format(nullptr, true);
  format_set_bottom(fmt.header, LXW_BORDER_THIN);
  format_set_bg_color(fmt.header, 0xD9E2F3);
  fmt.wrap = book.format(nullptr, false);
  format_set_text_wrap(fmt.wrap);
  format_set_align(fmt.wrap, LXW_ALIGN_VERTICAL_TOP);
  for (ColumnKind kind : {ColumnKind::kText, ColumnKind::kCount, ColumnKind::kPercent,
                          ColumnKind::kEstimate, ColumnKind::kArea}) {
    fmt.plain[kind_index(kind)] = book.format(number_format(kind), false);
    fmt.bold[kind_index(kind)] = book.format(number_format(kind), true);
  }

  write_summary(book, fmt, table, info);
  write_parishes(book, fmt, table, path);
  write_definitions(book, fmt, table, info);
  book.close();
}

}  // namespace notspot::outputs
