#include "notspot/outputs/xlsx_writer.hpp"

#include <fmt/format.h>
#include <xlsxwriter.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <ctime>
#include <map>
#include <optional>
#include <string_view>
#include <utility>

#include "detail/xlsx_text.hpp"
#include "notspot/engine/error.hpp"
#include "notspot/outputs/targets.hpp"

namespace notspot::outputs {
namespace {

// 2000-01-01T00:00:00Z: the workbook's creation time, fixed so that runs compare byte for byte
// (the run's real time is in manifest.json).
constexpr std::time_t kFixedCreated = 946684800;

constexpr double kMinWidth = 7;
constexpr double kMaxWidth = 60;

// Percentages are stored as fractions (0.7142) with Excel's percent format, one decimal shown.
constexpr const char* kPercentFormat = "0.0%";
constexpr const char* kCountFormat = "#,##0";
// The rows of the Parishes sheet above the areas: the labels, then the CSV's column names.
constexpr lxw_row_t kParishHeaderRows = 2;
// The paper of every sheet: A4 (Excel's paper code 9), as councils print.
constexpr uint8_t kPaperA4 = 9;
// Header and footer text: Excel's limit is 255 characters (libxlsxwriter counts bytes); the
// study's name gets what the page number and sheet name leave.
constexpr std::size_t kFooterNameBytes = 200;

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

  /// Text cells the workbook could not hold as they were: counted, the first one named.
  struct Changed {
    std::size_t count = 0;
    std::string first;  ///< "Parishes!C5"
  };
  Changed replaced;  ///< held characters XML forbids
  Changed cut;       ///< longer than Excel's limit

  void check(lxw_error error, std::string_view what) const {
    if (error != LXW_NO_ERROR) {
      throw engine::output_error("cannot write " + path_.string() + ": " + std::string(what) +
                                 ": " + lxw_strerror(error));
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
    const detail::XlsxText fit = detail::xlsx_text(s);
    if (fit.replaced) note(book_.replaced, row, col);
    if (fit.cut) note(book_.cut, row, col);
    book_.check(worksheet_write_string(sheet_, row, col, fit.text.c_str(), f), "text cell");
  }
  void number(lxw_row_t row, lxw_col_t col, double v, lxw_format* f = nullptr) {
    if (std::isnan(v)) return;  // null: an empty cell
    book_.check(worksheet_write_number(sheet_, row, col, v, f), "number cell");
  }
  lxw_worksheet* get() const { return sheet_; }

 private:
  void note(Workbook::Changed& changed, lxw_row_t row, lxw_col_t col) const {
    if (changed.count++ > 0) return;
    char cell[32];
    lxw_rowcol_to_cell(cell, row, col);
    changed.first = std::string(sheet_->name) + "!" + cell;
  }

  Workbook& book_;
  lxw_worksheet* sheet_;
};

struct Formats {
  lxw_format* title;
  lxw_format* heading;
  lxw_format* header;
  lxw_format* wrap;
  lxw_format* alert;        ///< Bold dark red: a failed data-quality status.
  lxw_format* label;        ///< A Parishes column's label: the header, in 9-point text.
  lxw_format* column_name;  ///< Small grey text: the CSV's column name under its label.
  lxw_format* study_text;   ///< Bold wrapped text: the study row's level and name.
  lxw_format* threshold;    ///< A threshold's number (the unit is in its label).
  // By number format (workbook_format(); "" for text), plain and bold (the study row).
  std::map<std::string, lxw_format*, std::less<>> plain;
  std::map<std::string, lxw_format*, std::less<>> bold;

  lxw_format* of(const ColumnSpec& c, bool study_row = false) const;
};

// The workbook's number format of a column: percentages are stored as fractions and shown
// with Excel's percent format; every other column as the catalogue formats it.
std::string workbook_format(const ColumnSpec& c) {
  return c.kind == ColumnKind::kPercent ? kPercentFormat : c.number_format;
}

lxw_format* Formats::of(const ColumnSpec& c, bool study_row) const {
  return (study_row ? bold : plain).at(workbook_format(c));
}

// The number a cell holds in the workbook: the CSV's rounded figure (cell_number()), and for a
// percentage that figure as a fraction, 71.42 -> 0.7142 exactly as written in decimals (not
// 71.42 / 100, which can differ from 0.7142 in the last binary digit); NaN for null.
double workbook_number(const Cell& cell, const ColumnSpec& c) {
  const double value = cell_number(cell, c);
  if (c.kind != ColumnKind::kPercent || std::isnan(value)) return value;
  const std::string text = fmt::format("{:.{}f}", value / 100, c.decimals + 2);
  double fraction = 0;
  std::from_chars(text.data(), text.data() + text.size(), fraction);
  return fraction;
}

// A threshold written as a number when its value is one ("30", "0.5"), else nullopt ("FTTP,
// FTTH").
std::optional<double> threshold_number(const std::string& value) {
  double number = 0;
  const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), number);
  if (error != std::errc() || end != value.data() + value.size() || !std::isfinite(number)) {
    return std::nullopt;
  }
  return number;
}

// The display width of a cell's text, for column widths (UTF-8 continuation bytes not counted).
double text_width(std::string_view s) {
  double n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
  return n;
}

// One line of the Summary's headline table: a summary measure of the study row with its first
// target, or (label and figures empty) a further target of the measure above it.
struct Headline {
  std::string label;
  std::optional<std::size_t> value_column;
  std::optional<std::size_t> share_column;
  std::optional<Target> target;
};

// The summary measures in column order, each with the targets on its columns (national
// targets before local markers).
std::vector<Headline> headlines(const StatsTable& table) {
  std::vector<Target> ordered(targets().begin(), targets().end());
  std::stable_partition(ordered.begin(), ordered.end(), [](const Target& t) { return t.national; });
  std::vector<Headline> out;
  for (const Measure& m : table.columns.measures()) {
    const ColumnSpec& c = table.columns[m.value ? *m.value : *m.share];
    if (!c.summary) continue;
    Headline line{m.label, m.value, m.share, std::nullopt};
    bool first = true;
    for (const Target& t : ordered) {
      const bool on_value = m.value && table.columns[*m.value].name == t.column;
      const bool on_share = m.share && table.columns[*m.share].name == t.column;
      if (!on_value && !on_share) continue;
      if (!first) line = Headline{"", std::nullopt, std::nullopt, std::nullopt};
      line.target = t;
      out.push_back(line);
      first = false;
    }
    if (first) out.push_back(line);
  }
  return out;
}

// The headline figures of the whole study against their targets; returns the next free row.
// Columns: indicator, premises (or km², or expected premises), share (a fraction shown as a
// percentage), the target's level as a number in its column's unit, the target in words, and
// whether it is met.
lxw_row_t write_headlines(SheetWriter& sheet, lxw_row_t row, const Formats& fmt,
                          const StatsTable& table) {
  sheet.text(row++, 0, "Headline figures for the whole study", fmt.heading);
  sheet.text(row, 0, "Indicator", fmt.header);
  sheet.text(row, 1, "Premises", fmt.header);
  sheet.text(row, 2, "Share", fmt.header);
  sheet.text(row, 3, "Target level", fmt.header);
  sheet.text(row, 4, "Target (national, or a local marker)", fmt.header);
  sheet.text(row++, 5, "Meets target", fmt.header);
  if (table.rows.empty()) return row;
  const std::vector<Cell>& study = table.rows.back();
  for (const Headline& h : headlines(table)) {
    sheet.text(row, 0, h.label);
    for (const auto& [column, at] : {std::pair{h.value_column, 1}, std::pair{h.share_column, 2}}) {
      if (!column) continue;
      const ColumnSpec& c = table.columns[*column];
      sheet.number(row, static_cast<lxw_col_t>(at), workbook_number(study[*column], c), fmt.of(c));
    }
    if (h.target) {
      const auto column = table.columns.find(h.target->column);
      const ColumnSpec& c = table.columns[*column];
      // The level in the column's unit: 85 (%) is stored as 0.85, like the share beside it.
      const double level = c.kind == ColumnKind::kPercent ? h.target->level / 100 : h.target->level;
      sheet.number(row, 3, level, fmt.of(c));
      sheet.text(row, 4, h.target->describe());
      const double value = cell_number(study[*column], c);
      if (!c.measured) {
        sheet.text(row, 5, "not measured");  // no source layer: blank figures, not zero
      } else if (!std::isnan(value)) {
        sheet.text(row, 5, h.target->met(value) ? "yes" : "no");
      }
    }
    ++row;
  }
  return row;
}

// The "Data quality" row (quality_status()'s line) and, when checks failed, one row per failed
// check with its sentence; returns the next free row. Nothing when the info has no status.
lxw_row_t write_quality_rows(SheetWriter& sheet, lxw_row_t row, const Formats& fmt,
                             const WorkbookInfo& info) {
  if (!info.quality) return row;
  const QualityStatus& q = *info.quality;
  sheet.text(row, 0, "Data quality", q.passed ? fmt.heading : fmt.alert);
  sheet.text(row++, 1, q.line, q.passed ? nullptr : fmt.alert);
  for (const FailedCheckText& f : q.failures) {
    sheet.text(row, 0, "Failed check: " + f.check);
    sheet.text(row++, 1, f.sentence);
  }
  return row + 1;
}

// "Data dates": the date each input describes (as the study declares it); returns the next
// free row.
lxw_row_t write_data_dates(SheetWriter& sheet, lxw_row_t row, const Formats& fmt,
                           const WorkbookInfo& info) {
  if (info.data_dates.empty()) return row;
  sheet.text(row++, 0, "Data dates", fmt.heading);
  for (const auto& [label, date] : info.data_dates) {
    sheet.text(row, 0, label);
    sheet.text(row++, 1, date);
  }
  return row + 1;
}

void write_summary(Workbook& book, const Formats& fmt, const StatsTable& table,
                   const WorkbookInfo& info) {
  SheetWriter sheet(book, book.add_sheet("Summary"));
  worksheet_set_column(sheet.get(), 0, 0, 62, nullptr);
  worksheet_set_column(sheet.get(), 1, 3, 14, nullptr);
  worksheet_set_column(sheet.get(), 4, 4, 80, nullptr);
  worksheet_set_column(sheet.get(), 5, 5, 14, nullptr);
  lxw_row_t row = 0;
  sheet.text(row++, 0, info.study_name.empty() ? "notspot study" : info.study_name, fmt.title);
  sheet.text(row++, 0, "Broadband and mobile coverage by area (notspot)");
  ++row;
  row = write_quality_rows(sheet, row, fmt, info);

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
  sheet.number(row++, 1, static_cast<double>(areas), fmt.plain.at(kCountFormat));
  ++row;
  row = write_data_dates(sheet, row, fmt, info);

  row = write_headlines(sheet, row, fmt, table);
  ++row;

  if (!info.thresholds.empty()) {
    sheet.text(row++, 0, "Thresholds used", fmt.heading);
    for (const auto& [label, value] : info.thresholds) {
      sheet.text(row, 0, label);
      // A number (its unit is in the label, e.g. "(Mbit/s)"), so that formulas can use it.
      if (const std::optional<double> number = threshold_number(value)) {
        sheet.number(row++, 1, *number, fmt.threshold);
      } else {
        sheet.text(row++, 1, value);
      }
    }
    ++row;
  }

  sheet.text(row++, 0, "How to read this workbook", fmt.heading);
  for (const char* line : {
           "Parishes: one row per area, sorted by area id, then the whole study on the last row "
           "(bold). The figures are those of parish_stats.csv.",
           "Parishes row 1 holds each column's label; row 2, in small grey text, its name in "
           "parish_stats.csv and the GeoPackage.",
           "Percentages are shares of the area's premises (land_..._pct: of the area's land; "
           "est_..._pct: of est_premises), stored as fractions (0.7142) and shown as percentages "
           "with one decimal (71.4%); parish_stats.csv writes the same figure as 71.42. An empty "
           "cell means undefined: an area without premises or land.",
           "A premise without fixed-broadband data counts as not meeting a threshold; no_data "
           "shows how many there are.",
           "est_... columns are estimates from Ofcom postcode-level percentages (expected "
           "premises, fractional), not counts of premises.",
           "Use the filter buttons on row 2 of Parishes to sort and filter the areas; the study "
           "row stays last.",
           "Printing: every sheet prints landscape on A4, one page wide, with its header rows on "
           "every page and the page number in the footer.",
           "Definitions: every column with its label, unit, definition and what an empty cell "
           "means.",
       }) {
    sheet.text(row++, 0, line);
  }
  if (!info.sources.empty()) {
    ++row;
    sheet.text(row++, 0, "Data sources and attribution", fmt.heading);
    for (const std::string& line : info.sources) sheet.text(row++, 0, line);
  }
}

// The width a column gives its wrapped label (9-point text: 0.8 of a character each): its
// longest word up to kMaxLabelWidth (a longer word breaks), and no more lines than
// kMaxLabelLines. Labels do not widen a column beyond that: the figures under them are narrow,
// and the sheet must print one page wide, which LibreOffice and Excel cannot shrink below 10%.
constexpr double kLabelCharacter = 0.8;
constexpr double kMaxLabelWidth = 9.5;
constexpr double kMaxLabelLines = 8;
double label_width(std::string_view label) {
  double longest = 0;
  double word = 0;
  for (char c : label) {
    if (c == ' ') {
      word = 0;
      continue;
    }
    word += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
    longest = std::max(longest, word);
  }
  return std::max(std::min(longest * kLabelCharacter, kMaxLabelWidth),
                  std::ceil(text_width(label) * kLabelCharacter / kMaxLabelLines)) +
         1;
}

// The lines `text` wraps to in a column `width` characters of the default font wide, for
// characters `character` of that wide (0.8 for 9-point text): words go on a line while they
// fit; a word longer than a line breaks. LibreOffice does not size wrapped rows of an .xlsx
// itself, so the writer sets their heights from this; it errs towards a line too many.
double wrapped_lines(std::string_view text, double width, double character) {
  const double per_line = std::max(1.0, std::floor((width - 1.5) / character));
  double lines = 1;
  double used = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    const std::size_t end = std::min(text.find(' ', i), text.size());
    double word = text_width(text.substr(i, end - i));
    const double needed = used == 0 ? word : used + 1 + word;
    if (needed <= per_line) {
      used = needed;
    } else {
      if (used > 0) ++lines;
      while (word > per_line) {
        ++lines;
        word -= per_line;
      }
      used = word;
    }
    i = end + 1;
  }
  return lines;
}

void write_parishes(Workbook& book, const Formats& fmt, const StatsTable& table,
                    const std::filesystem::path& path) {
  // Excel's limits: 1,048,576 rows and 16,384 columns.
  if (table.rows.size() + kParishHeaderRows > 1048576 || table.columns.size() > 16384) {
    throw engine::output_error("cannot write " + path.string() + ": " +
                               std::to_string(table.rows.size()) + " rows of " +
                               std::to_string(table.columns.size()) +
                               " columns exceed Excel's limits; use parish_stats.csv");
  }
  SheetWriter sheet(book, book.add_sheet("Parishes"));
  const std::size_t columns = table.columns.size();
  std::vector<double> widths(columns, kMinWidth);
  // Row 1: the catalogue's label (wrapped); row 2: the CSV's column name, small and grey.
  for (std::size_t c = 0; c < columns; ++c) {
    const auto col = static_cast<lxw_col_t>(c);
    const ColumnSpec& spec = table.columns[c];
    sheet.text(0, col, spec.label.empty() ? spec.name : spec.label, fmt.label);
    sheet.text(1, col, spec.name, fmt.column_name);
    // The name wraps too (its 8-point text breaks anywhere), leaving room for the filter button.
    widths[c] = std::max(widths[c], label_width(spec.label));
  }
  for (std::size_t r = 0; r < table.rows.size(); ++r) {
    const std::vector<Cell>& cells = table.rows[r];
    if (cells.size() != columns) {
      throw engine::internal_error("parish_stats.xlsx: row " + std::to_string(r) + " has " +
                                   std::to_string(cells.size()) + " cells for " +
                                   std::to_string(columns) + " columns; please report this");
    }
    const bool study_row = r + 1 == table.rows.size();
    const auto row = static_cast<lxw_row_t>(r + kParishHeaderRows);
    for (std::size_t c = 0; c < columns; ++c) {
      const auto col = static_cast<lxw_col_t>(c);
      const ColumnSpec& spec = table.columns[c];
      if (const auto* text = std::get_if<std::string>(&cells[c])) {
        // The study row's name (the study's, often long) wraps rather than widening the column.
        sheet.text(row, col, *text, study_row ? fmt.study_text : fmt.of(spec, study_row));
        if (!study_row) widths[c] = std::max(widths[c], text_width(*text) + 2);
        continue;
      }
      // The CSV's rounded figure, typed (percentages as fractions): Excel then shows and sums
      // exactly the CSV's values.
      const double value = workbook_number(cells[c], spec);
      sheet.number(row, col, value, fmt.of(spec, study_row));
      if (!std::isnan(value)) {
        // As shown: "71.4%" for a percentage, the CSV's digits otherwise.
        const double digits = spec.kind == ColumnKind::kPercent
                                  ? text_width(fmt::format("{:.1f}%", value * 100))
                                  : text_width(format_cell(cells[c], spec));
        // Counts gain a thousands separator every three digits.
        const double separators =
            spec.kind == ColumnKind::kCount ? std::floor((digits - 1) / 3) : 0;
        widths[c] = std::max(widths[c], digits + separators + 2);
      }
    }
  }
  // Row heights for what wraps: the labels (9-point lines of 12 points, characters about 0.7
  // of the default font's), the names (8-point: 11 points, 0.65) and the study row's name
  // (11-point bold: 15 points, 1).
  double label_lines = 1;
  double name_lines = 1;
  double study_lines = 1;
  for (std::size_t c = 0; c < columns; ++c) {
    const auto col = static_cast<lxw_col_t>(c);
    widths[c] = std::min(widths[c], kMaxWidth);
    book.check(worksheet_set_column(sheet.get(), col, col, widths[c], nullptr), "column width");
    const ColumnSpec& spec = table.columns[c];
    label_lines = std::max(label_lines, wrapped_lines(spec.label, widths[c], 0.7));
    name_lines = std::max(name_lines, wrapped_lines(spec.name, widths[c], 0.65));
    if (!table.rows.empty()) {
      if (const auto* text = std::get_if<std::string>(&table.rows.back()[c])) {
        study_lines = std::max(study_lines, wrapped_lines(*text, widths[c], 1.0));
      }
    }
  }
  book.check(worksheet_set_row(sheet.get(), 0, 12 * label_lines + 3, nullptr), "row height");
  book.check(worksheet_set_row(sheet.get(), 1, 11 * name_lines + 3, nullptr), "row height");
  if (!table.rows.empty()) {
    const auto study_row = static_cast<lxw_row_t>(kParishHeaderRows + table.rows.size() - 1);
    book.check(worksheet_set_row(sheet.get(), study_row, 15 * study_lines + 2, nullptr),
               "row height");
  }
  // Frozen: both header rows and the columns up to the area's name, so that a parish stays
  // named while scrolling right.
  const auto name_column = table.columns.find("area_name");
  const auto frozen_columns = static_cast<lxw_col_t>(name_column ? *name_column + 1 : 1);
  worksheet_freeze_panes(sheet.get(), kParishHeaderRows,
                         std::min(frozen_columns, static_cast<lxw_col_t>(columns)));
  // The filter buttons sit on the names' row and cover the areas only: sorting keeps the study
  // row last.
  if (columns > 0) {
    const auto last_area_row = static_cast<lxw_row_t>(
        kParishHeaderRows - 1 + (table.rows.size() > 1 ? table.rows.size() - 1 : 0));
    book.check(worksheet_autofilter(sheet.get(), kParishHeaderRows - 1, 0, last_area_row,
                                    static_cast<lxw_col_t>(columns - 1)),
               "autofilter");
  }
}

// "% of premises, 2 decimals", "premises, whole number", "text"; percentages say how the
// workbook holds them.
std::string unit_text(const ColumnSpec& c) {
  if (c.kind == ColumnKind::kText) return c.unit;
  if (c.kind == ColumnKind::kPercent) {
    return fmt::format(
        "{}; a fraction shown as a percentage (parish_stats.csv: 0-100, {} "
        "decimals)",
        c.unit, c.decimals);
  }
  if (c.decimals == 0) return c.unit + ", whole number";
  return fmt::format("{}, {} decimals", c.unit, c.decimals);
}

void write_definitions(Workbook& book, const Formats& fmt, const StatsTable& table) {
  SheetWriter sheet(book, book.add_sheet("Definitions"));
  constexpr double kWidths[] = {30, 40, 30, 70, 36};
  for (lxw_col_t c = 0; c < 5; ++c) worksheet_set_column(sheet.get(), c, c, kWidths[c], fmt.wrap);
  const char* headers[] = {"Column", "Label", "Unit", "Definition", "An empty cell means"};
  for (lxw_col_t c = 0; c < 5; ++c) sheet.text(0, c, headers[c], fmt.header);
  for (std::size_t c = 0; c < table.columns.size(); ++c) {
    const ColumnSpec& spec = table.columns[c];
    const auto row = static_cast<lxw_row_t>(c + 1);
    const std::string cells[] = {spec.name, spec.label, unit_text(spec), spec.definition,
                                 spec.null_meaning};
    // The row's height for its longest wrapped cell (15 points a line): LibreOffice does not
    // size wrapped rows of an .xlsx itself, and would print the lines over each other.
    double lines = 1;
    for (lxw_col_t k = 0; k < 5; ++k) {
      sheet.text(row, k, cells[k], fmt.wrap);
      lines = std::max(lines, wrapped_lines(cells[k], kWidths[k], 0.9));
    }
    book.check(worksheet_set_row(sheet.get(), row, 15 * lines + 1, nullptr), "row height");
  }
  worksheet_freeze_panes(sheet.get(), 1, 0);
}

// `text` for a section of a printed page's header or footer: fit for the XML, with every "&"
// doubled, since "&" starts a field code there ("&P" the page number) and "&&" is a literal
// ampersand, and cut on a character boundary (ending with "…") to at most `max_bytes` bytes.
std::string footer_text(std::string_view text, std::size_t max_bytes) {
  static constexpr std::string_view kEllipsis = "\xE2\x80\xA6";
  static constexpr std::string_view kZeroWidthSpace = "\xE2\x80\x8B";
  const std::string fit = detail::xlsx_text(text).text;
  std::string out;
  for (std::size_t i = 0; i < fit.size();) {
    std::size_t length = 1;
    while (i + length < fit.size() && (static_cast<unsigned char>(fit[i + length]) & 0xC0) == 0x80)
      ++length;
    std::string piece = fit[i] == '&' ? "&&" : fit.substr(i, length);
    // libxlsxwriter takes "&G" and "&[Picture]" for image placeholders even after "&&" and
    // then refuses the footer: a zero-width space between them prints nothing.
    if (fit[i] == '&' && i + 1 < fit.size() && (fit[i + 1] == 'G' || fit[i + 1] == '[')) {
      piece += kZeroWidthSpace;
    }
    const bool last = i + length == fit.size();
    if (out.size() + piece.size() + (last ? 0 : kEllipsis.size()) > max_bytes) {
      return out + std::string(kEllipsis);
    }
    out += piece;
    i += length;
  }
  return out;
}

// Every sheet prints landscape on A4, one page wide (as many pages down as it needs), with its
// first `header_rows` rows on every page, and a footer with the study's name on the left, the
// sheet's name in the middle and "Page 2 of 5" on the right.
void set_up_printing(Workbook& book, lxw_worksheet* sheet, lxw_row_t header_rows,
                     const std::string& study_name) {
  worksheet_set_landscape(sheet);
  worksheet_set_paper(sheet, kPaperA4);
  // Narrow side margins (inches) leave the wide Parishes sheet the most room.
  worksheet_set_margins(sheet, 0.25, 0.25, 0.5, 0.6);
  worksheet_fit_to_pages(sheet, 1, 0);
  book.check(worksheet_repeat_rows(sheet, 0, header_rows - 1), "repeated header rows");
  const std::string footer =
      "&L" + footer_text(study_name, kFooterNameBytes) + "&C&A&RPage &P of &N";
  book.check(worksheet_set_footer(sheet, footer.c_str()), "page footer");
}

}  // namespace

std::vector<std::string> write_parish_workbook(const std::filesystem::path& path,
                                               const StatsTable& table, const WorkbookInfo& info) {
  Workbook book(path);

  // Fixed properties: without a `created` time libxlsxwriter writes the current time into
  // docProps/core.xml and the same run would differ byte for byte.
  std::string title =
      detail::xlsx_text(info.study_name.empty() ? "notspot parish statistics"
                                                : info.study_name + ": parish statistics")
          .text;
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
  format_set_text_wrap(fmt.header);
  format_set_align(fmt.header, LXW_ALIGN_VERTICAL_BOTTOM);
  fmt.label = book.format(nullptr, true);
  format_set_font_size(fmt.label, 9);
  format_set_bottom(fmt.label, LXW_BORDER_THIN);
  format_set_bg_color(fmt.label, 0xD9E2F3);
  format_set_text_wrap(fmt.label);
  format_set_align(fmt.label, LXW_ALIGN_VERTICAL_BOTTOM);
  // Dark enough grey on the header's blue for WCAG AA contrast (about 5.6:1).
  fmt.column_name = book.format(nullptr, false);
  format_set_font_size(fmt.column_name, 8);
  format_set_font_color(fmt.column_name, 0x4D4D4D);
  format_set_bg_color(fmt.column_name, 0xD9E2F3);
  format_set_bottom(fmt.column_name, LXW_BORDER_THIN);
  format_set_text_wrap(fmt.column_name);
  format_set_align(fmt.column_name, LXW_ALIGN_VERTICAL_TOP);
  fmt.study_text = book.format(nullptr, true);
  format_set_text_wrap(fmt.study_text);
  format_set_align(fmt.study_text, LXW_ALIGN_VERTICAL_TOP);
  fmt.threshold = book.format("General", false);
  format_set_align(fmt.threshold, LXW_ALIGN_LEFT);
  fmt.wrap = book.format(nullptr, false);
  format_set_text_wrap(fmt.wrap);
  format_set_align(fmt.wrap, LXW_ALIGN_VERTICAL_TOP);
  fmt.alert = book.format(nullptr, true);
  format_set_font_color(fmt.alert, 0x8A1C1C);
  // Every number format of the table, and counts' for the Summary.
  std::vector<std::string> formats = {kCountFormat};
  for (const ColumnSpec& c : table.columns) formats.push_back(workbook_format(c));
  for (const std::string& f : formats) {
    if (fmt.plain.contains(f)) continue;
    fmt.plain[f] = book.format(f.empty() ? nullptr : f.c_str(), false);
    fmt.bold[f] = book.format(f.empty() ? nullptr : f.c_str(), true);
  }

  write_summary(book, fmt, table, info);
  write_parishes(book, fmt, table, path);
  write_definitions(book, fmt, table);
  const std::string study_name = info.study_name.empty() ? "notspot study" : info.study_name;
  // The Summary repeats its title; the tables their header rows.
  set_up_printing(book, workbook_get_worksheet_by_name(book.get(), "Summary"), 1, study_name);
  set_up_printing(book, workbook_get_worksheet_by_name(book.get(), "Parishes"), kParishHeaderRows,
                  study_name);
  set_up_printing(book, workbook_get_worksheet_by_name(book.get(), "Definitions"), 1, study_name);
  book.close();

  std::vector<std::string> warnings;
  const std::string file = path.filename().string();
  if (book.replaced.count > 0) {
    warnings.push_back(fmt::format(
        "{}: {} text cells held control characters or bytes that are not UTF-8, which a "
        "workbook cannot store; they are shown as U+FFFD (the first in {}); parish_stats.csv "
        "has the text as read",
        file, book.replaced.count, book.replaced.first));
  }
  if (book.cut.count > 0) {
    warnings.push_back(fmt::format(
        "{}: {} text cells were longer than Excel's limit of {} characters and were cut, "
        "ending with \u2026 (the first in {}); parish_stats.csv has the whole text",
        file, book.cut.count, detail::kMaxCellCharacters, book.cut.first));
  }
  return warnings;
}

}  // namespace notspot::outputs
