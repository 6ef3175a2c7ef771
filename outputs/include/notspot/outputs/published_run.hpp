#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "notspot/outputs/change_report.hpp"
#include "notspot/outputs/column_catalogue.hpp"

namespace notspot::outputs {

/**
 * A published run read back from its outputs folder (manifest.json and parish_stats.csv), for
 * looking at it without recomputing anything: `notspot show`. The figures are the CSV's text,
 * exactly as written; labels come from the column catalogue rebuilt from the manifest (the
 * run's thresholds, layer kinds and mobile groups), so they read as in the report.
 *
 * Typical usage:
 * @code
 *   const PublishedRun run = read_published_run("out/dorset");
 *   for (std::size_t a : run.most_in_need(10)) std::puts(run.cell(a, "area_name").c_str());
 * @endcode
 */
struct PublishedRun {
  std::filesystem::path dir;
  RunIdentity identity;
  bool quality_passed = true;              ///< The manifest's `quality.passed`.
  std::vector<std::string> failed_checks;  ///< Names of the failed quality checks.
  /// The catalogue of the run's columns, as the run described them (labels, units, measured).
  ColumnCatalogue columns;
  std::vector<std::string> header;  ///< parish_stats.csv's header, as written.
  /// The area rows, in file order (sorted by id), then the study row (last), as text.
  std::vector<std::vector<std::string>> rows;

  std::size_t area_count() const { return rows.empty() ? 0 : rows.size() - 1; }
  const std::vector<std::string>& study_row() const { return rows.back(); }
  /// Whether parish_stats.csv has the column.
  bool has(std::string_view column) const;
  /// Row `row`'s cell of `column` as written (empty: null); empty when there is no such column.
  std::string cell(std::size_t row, std::string_view column) const;
  /// The column's description; nullptr when the catalogue has no such column.
  const ColumnSpec* spec(std::string_view column) const;
  /// The row of the area with this id (exact match), if any.
  std::optional<std::size_t> find_area(std::string_view id) const;

  /**
   * The areas most in need of gigabit-capable broadband, as report.html ranks them: areas whose
   * gigabit_pct is known, lowest first; among equal shares, the one with more premises without
   * gigabit first; then in file (id) order. At most `top`. Empty when gigabit was not measured.
   */
  std::vector<std::size_t> most_in_need(std::size_t top) const;
};

/**
 * Reads the outputs folder `dir` that `notspot run` published (or a DIR.failed one).
 * @throws engine::Error (kUsage) when `dir` does not exist, is not a folder, or lacks
 *   manifest.json or parish_stats.csv (not a notspot outputs folder); (kInput) when one of them
 *   is damaged. Messages name the folder or file and what to do.
 */
PublishedRun read_published_run(const std::filesystem::path& dir);

}  // namespace notspot::outputs
