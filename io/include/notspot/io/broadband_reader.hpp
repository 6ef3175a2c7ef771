#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "notspot/engine/indicators.hpp"
#include "notspot/engine/premises_key_index.hpp"
#include "notspot/io/problem_log.hpp"
#include "notspot/io/progress.hpp"
#include "notspot/io/sources.hpp"
#include "notspot/io/zip_archive.hpp"

namespace notspot::io {

/// What joining one attribute layer found. rows_read = matched + unmatched + duplicate_keys +
/// rejected.
struct LayerLoad {
  std::string name;
  std::string kind;        ///< "bduk-premises" or "fixed-speeds".
  std::string file;        ///< As the study names it.
  std::string key_column;  ///< The column joined to premise ids, as the header spells it.
  std::uint64_t rows_read = 0;
  std::uint64_t rejected = 0;        ///< Malformed rows (see rejected.csv).
  std::uint64_t matched = 0;         ///< Rows whose key is a premise id.
  std::uint64_t unmatched = 0;       ///< Rows whose key matches no premise.
  std::uint64_t duplicate_keys = 0;  ///< Rows repeating a key already seen (first row wins).
  std::uint64_t blank_lines = 0;
  std::uint64_t premises_with_row = 0;     ///< Premises that got a row from this layer.
  std::uint64_t premises_without_row = 0;  ///< Premises that did not.
  std::vector<MemberRead> members;  ///< The ZIP archive's members read; empty for a plain file.
};

/**
 * Reads a fixed-broadband layer (BDUK "Premises in BDUK plans" or a generic speeds file) and
 * writes what it says into `broadband` for every premise whose id matches the row's key.
 * Keys that match nothing are counted both ways (rows without a premise, premises without a
 * row). Malformed rows are rejected into `log` with their line and reason.
 *
 * @param layer_number the layer's position among the study's fixed-broadband layers, stored in
 *   FixedBroadband::speed_layer or bduk_layer of each premise it gives a row (at most
 *   engine::kNoLayer - 1; larger numbers are stored as kNoLayer - 1).
 * @throws engine::Error (kStudy) when a configured column is missing; (kInput) when the file
 *   cannot be read.
 */
LayerLoad join_fixed_broadband(const LayerSource& layer, const engine::Thresholds& thresholds,
                               const std::string& display, const engine::PremisesKeyIndex& premises,
                               std::span<engine::FixedBroadband> broadband, ProblemLog& log,
                               Progress& progress, std::size_t layer_number = 0);

/// Opens a layer's file and checks that the columns its kind needs exist, without reading rows.
/// @return a one-line description. @throws engine::Error as join_fixed_broadband().
std::string inspect_fixed_broadband(const LayerSource& layer, const std::string& display);

/// The study-file spelling of a layer kind.
std::string layer_kind_name(LayerKind kind);

}  // namespace notspot::io
