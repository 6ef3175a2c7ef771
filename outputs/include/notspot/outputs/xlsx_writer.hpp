#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "notspot/outputs/quality_status.hpp"
#include "notspot/outputs/run_record.hpp"
#include "notspot/outputs/stats_table.hpp"

namespace notspot::outputs {

/**
 * What the workbook says about the run besides the table and its column catalogue:
 * provenance, data dates, thresholds and sources. A plain struct filled by the run; every field
 * may be left empty. The only dates in it are those the study declares (data_dates), never the
 * date of the run, so that the same run gives the same bytes.
 */
struct WorkbookInfo {
  std::string study_name;                       ///< `[study] name`.
  std::string crs;                              ///< The study CRS as described to people.
  std::optional<std::string> boundary_vintage;  ///< `[study] boundary_vintage`, when given.
  std::string notspot_version;                  ///< kVersion.
  /// The thresholds used, as label and value, e.g. {"Gigabit-capable: download (Mbit/s)",
  /// "1000"}; listed on the Summary sheet in this order.
  std::vector<std::pair<std::string, std::string>> thresholds;
  /// Data sources and attribution lines, one per line (e.g. "Contains OS data © Crown
  /// copyright and database right 2026"), listed on the Summary sheet.
  std::vector<std::string> sources;
  /// The run's data-quality status (quality_status()): shown near the top of the Summary as a
  /// "Data quality" row with its line and, below it, one row per failed check with its
  /// sentence. None: no such row.
  std::optional<QualityStatus> quality;
  /// "Data dates": what each input describes, as label and date, e.g. {"Fixed broadband:
  /// speeds", "July 2025"} (data_dates()); listed on the Summary sheet after the provenance.
  /// These are the dates the study declares, never the date of the run.
  std::vector<std::pair<std::string, std::string>> data_dates;
};

/**
 * Writes parish_stats.xlsx, an Excel workbook with three sheets:
 *  - "Summary": the data-quality status when info.quality is set ("Data quality"), the
 *    study's provenance (name, CRS, boundary vintage, notspot version, no date of the run),
 *    the data dates the study declares ("Data dates", when given), the
 *    headline figures of the whole study (the table's last row: the columns the
 *    catalogue marks ColumnSpec::summary, labelled with their measures) against the targets on
 *    their columns (targets(): one line per target, met or not), the thresholds, how to read
 *    the workbook, and the data sources;
 *  - "Parishes": the table as parish_stats.csv holds it, under two header rows: row 1 each
 *    column's label (ColumnSpec::label), row 2 its CSV name (small grey text); then one row per
 *    area, the study row last (bold, outside the autofilter, which sits on row 2, so that
 *    sorting keeps it last); numbers are stored as numbers equal to the CSV's rounded figures
 *    (cell_number()), percentages as fractions (71.42 -> 0.7142) with the format `0.0%`, the
 *    other columns with ColumnSpec::number_format (counts `#,##0`, estimates `0.00`, km²
 *    `0.0000`); null cells are empty; both header rows and the columns up to area_name are
 *    frozen;
 *  - "Definitions": every column with its label, unit, definition and what an empty cell means,
 *    from the table's column catalogue.
 *
 * On the Summary, the headline shares and target levels use the same formats, and thresholds
 * whose value is a number (info.thresholds, e.g. "30") are number cells.
 *
 * Every sheet prints landscape on A4, fit to one page wide (any height), with its header rows
 * repeated on every page (the Summary's title, Parishes' two rows, Definitions' one) and a
 * footer "STUDY NAME | sheet name | Page n of N" ("&" in the name doubled, the name cut to 200
 * bytes). See docs/outputs-folder.md.
 *
 * Document properties carry a fixed creation time (2000-01-01) so that the same table and
 * info give the same bytes.
 *
 * Every string (cells, the document title) is made fit for the file's XML: characters XML 1.0
 * forbids (control characters other than tab, newline and carriage return) and bytes that are
 * not UTF-8 become U+FFFD, and a cell longer than Excel's 32,767 characters is cut, ending
 * with "…"; each of these is returned as a warning naming the first cell.
 *
 * @return warnings about cells that could not be written as they were; empty when none.
 * @param table REQUIRES: the columns and rows of build_stats_table(): the last row is the
 *   whole study; every row has one cell per column.
 * @throws engine::Error (kInput) naming the path when the file cannot be written.
 */
std::vector<std::string> write_parish_workbook(const std::filesystem::path& path,
                                               const StatsTable& table, const WorkbookInfo& info);

/// Writes parish_stats.xlsx for a run, from its record: the table, provenance, thresholds,
/// definitions and sources; returns its warnings. @throws as write_parish_workbook(path, table,
/// info).
std::vector<std::string> write_parish_workbook(const std::filesystem::path& path,
                                               const RunRecord& record);

}  // namespace notspot::outputs
