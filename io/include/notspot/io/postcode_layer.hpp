#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "notspot/engine/postcode.hpp"
#include "notspot/engine/premises.hpp"
#include "notspot/io/problem_log.hpp"
#include "notspot/io/progress.hpp"
#include "notspot/io/sources.hpp"
#include "notspot/io/zip_archive.hpp"

namespace notspot::io {

/// An Ofcom postcode-level layer joined to the premises, and its ledger.
/// rows_read = postcodes + duplicate_keys + rejected.
struct PostcodeLayerLoad {
  std::string name;
  std::string file;
  std::uint64_t rows_read = 0;
  std::uint64_t rejected = 0;
  std::uint64_t duplicate_keys = 0;  ///< Rows repeating a postcode (the first row wins).
  std::uint64_t blank_lines = 0;
  std::uint64_t blank_values = 0;  ///< Empty percentage cells, read as 0.
  std::uint64_t postcodes = 0;     ///< Distinct postcodes with a row.
  std::uint64_t postcodes_with_premises = 0;
  std::uint64_t postcodes_without_premises = 0;
  std::uint64_t premises_with_row = 0;
  std::uint64_t premises_without_postcode = 0;    ///< No usable postcode on the premise.
  std::uint64_t premises_postcode_not_found = 0;  ///< A postcode the layer has no row for.
  /// Which measures the file has (columns found).
  std::array<bool, engine::kEstimateCount> measures{};
  std::vector<engine::PostcodeRates> rates;   ///< By row.
  std::vector<std::uint32_t> row_of_premise;  ///< engine::kNoRow when none.
  std::vector<MemberRead> members;  ///< The ZIP archive's members read; empty for a plain file.
};

/**
 * Reads an Ofcom Connected Nations postcode-level fixed-broadband CSV (keys `postcode`,
 * `postcode_space`; percentage columns such as `Gigabit availability (% premises)`) and
 * matches its rows to the premises by normalised postcode (`DT1 1AA` = `dt11aa`). Percentages
 * become expected premises counts later (engine::estimate_by_area). Rows with a malformed
 * postcode or a percentage outside 0-100 are rejected into `log`.
 *
 * @throws engine::Error (kStudy) when the key column, or every known percentage column, is
 *   missing, or the premises carry no postcodes; (kInput) when the file cannot be read.
 */
PostcodeLayerLoad join_ofcom_postcodes(const LayerSource& layer, const std::string& display,
                                       const engine::PremisesTable& premises, ProblemLog& log,
                                       Progress& progress);

/// Opens an Ofcom postcode-level layer and checks its key column and that it has at least one
/// of the percentage columns, without reading rows. @return a one-line description.
/// @throws engine::Error as join_ofcom_postcodes().
std::string inspect_ofcom_postcodes(const LayerSource& layer, const std::string& display);

}  // namespace notspot::io
