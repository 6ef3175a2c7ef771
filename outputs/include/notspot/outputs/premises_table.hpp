#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "notspot/engine/indicators.hpp"
#include "notspot/engine/mobile_coverage.hpp"
#include "notspot/engine/premises.hpp"
#include "notspot/io/areas_reader.hpp"
#include "notspot/outputs/column_catalogue.hpp"

namespace notspot::outputs {

/**
 * What a run computed for each premise, as the premises table reads it: views of the run's own
 * columns, nothing copied (40 million premises are never held a second time).
 */
struct PremisesResults {
  const engine::PremisesTable* premises = nullptr;  ///< REQUIRES: not null.
  /// Area of each premise (engine::AreaIndex::kOutside when outside). REQUIRES: premises->size().
  std::span<const std::uint32_t> area_of;
  std::span<const engine::FixedBroadband> broadband;  ///< REQUIRES: premises->size().
  std::span<const io::Area> areas;                    ///< Indexed by area_of.
  engine::Thresholds thresholds;
  /// Names of the study's fixed-broadband layers, by FixedBroadband::speed_layer / bduk_layer.
  std::vector<std::string> fixed_layers;
  /// Per mobile group (as CatalogueOptions::mobile_groups), per operator: the premises it
  /// covers, one bit per premise. REQUIRES: the catalogue's groups and operators.
  std::vector<std::vector<const engine::BitVector*>> mobile;
  /// The premises covered by any operator of `[digital_exclusion]`'s group; null when digital
  /// exclusion is not computed.
  const engine::BitVector* exclusion_any = nullptr;
};

/**
 * Formats rows of the premises table as CSV (RFC 4180, `\n` line ends, text cells through
 * csv_text_field()), by hand: integers with std::to_chars, coordinates as fixed-point decimals,
 * flags as one character, area and layer texts escaped once in advance. Made once per table;
 * format() may then be called from several threads at once on disjoint row ranges, and the same
 * rows always give the same bytes.
 *
 * Typical usage:
 * @code
 *   const PremisesCsvFormatter formatter(columns, results);
 *   std::string block;
 *   formatter.format(0, 65536, block);  // appends rows 0..65535
 * @endcode
 */
class PremisesCsvFormatter {
 public:
  /// @throws engine::Error (kInternal) when `columns` holds a column it cannot fill.
  PremisesCsvFormatter(const ColumnCatalogue& columns, const PremisesResults& results);
  ~PremisesCsvFormatter();
  PremisesCsvFormatter(const PremisesCsvFormatter&) = delete;
  PremisesCsvFormatter& operator=(const PremisesCsvFormatter&) = delete;

  /// The header line, `\n` included.
  const std::string& header() const;
  /// An upper bound of one row's length in bytes.
  std::size_t max_row_bytes() const;
  /// Appends rows [begin, end) to `out`. REQUIRES: end <= the number of premises.
  void format(std::size_t begin, std::size_t end, std::string& out) const;
  /// Writes rows [begin, end) at `out` and returns the end of what it wrote. REQUIRES: room
  /// for (end - begin) * max_row_bytes() bytes at `out`.
  char* format_into(std::size_t begin, std::size_t end, char* out) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// One cell of the premises table, typed, for writers other than CSV (the GeoPackage layer).
struct PremisesCell {
  enum class Type : std::uint8_t { kNull, kText, kInteger, kReal, kFlag };
  Type type = Type::kNull;
  std::int64_t integer = 0;  ///< kInteger; kFlag: 0 or 1.
  double real = 0;           ///< kReal.
  std::string_view text;     ///< kText: valid as long as the PremisesCells and the results.
};

/**
 * The typed cells of premises-table rows, column by column as ColumnCatalogue::premises_table()
 * lists them, from the same rules as PremisesCsvFormatter (one row per call, any thread).
 */
class PremisesCells {
 public:
  PremisesCells(const ColumnCatalogue& columns, const PremisesResults& results);
  ~PremisesCells();
  PremisesCells(const PremisesCells&) = delete;
  PremisesCells& operator=(const PremisesCells&) = delete;

  /// Fills `out` (one cell per column) with row `row`. REQUIRES: out.size() == columns.size().
  void row(std::size_t row, std::span<PremisesCell> out) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// Tuning of write_premises_csv().
struct PremisesCsvOptions {
  /// Rows formatted per block; blocks are formatted in parallel and written in order, so at
  /// most a few blocks per thread are in memory. DEFAULT: 65,536 (about 6 MB). REQUIRES: > 0.
  std::size_t rows_per_block = 65536;
};

/**
 * Writes premises.csv: the header of ColumnCatalogue::premises_table(), then one row per
 * premise in premises order, streamed block by block (never the whole table in memory). The
 * bytes do not depend on the number of threads.
 * @throws engine::Error (kOutput) naming the file when it cannot be written.
 */
void write_premises_csv(const std::filesystem::path& path, const ColumnCatalogue& columns,
                        const PremisesResults& results, const PremisesCsvOptions& options = {});

}  // namespace notspot::outputs
