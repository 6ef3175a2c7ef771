#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "notspot/engine/indicators.hpp"
#include "notspot/io/problem_log.hpp"
#include "notspot/io/progress.hpp"
#include "notspot/io/sources.hpp"

namespace notspot::io {

/**
 * Finds premises by id (UPRN): the ids in sorted order, so that joining a layer of N rows
 * costs N searches and no hash table the size of the country. Premises files are usually
 * sorted by UPRN already (OS Open UPRN is), and then the index is the table's own id column:
 * no copy and no sort. Lookups take a hint (the previous match) and search forward from it,
 * which costs O(1) on sorted layers and stays correct on unsorted ones.
 */
class PremisesKeyIndex {
 public:
  /// @param ids REQUIRES: outlives the index (it may be used in place).
  explicit PremisesKeyIndex(std::span<const std::uint64_t> ids);

  /// Premises with `id`: positions [first, last) in sorted order (empty when none).
  struct Match {
    std::size_t first = 0;
    std::size_t last = 0;
    bool empty() const { return first == last; }
  };
  /// @param hint a position to search forward from (e.g. the previous match's first).
  Match find(std::uint64_t id, std::size_t hint = 0) const;
  /// The id at sorted position k.
  std::uint64_t id(std::size_t k) const { return sorted_[k]; }
  /// The premise (row of the table) at sorted position k.
  std::uint32_t premise(std::size_t k) const {
    return positions_.empty() ? static_cast<std::uint32_t>(k) : positions_[k];
  }

  /// Ids held by more than one premise.
  std::uint64_t duplicate_ids() const { return duplicate_ids_; }
  /// Premises beyond the first for those ids.
  std::uint64_t duplicate_premises() const { return duplicate_premises_; }
  /// Up to `n` of the duplicated ids, smallest first.
  std::vector<std::uint64_t> duplicate_examples(std::size_t n) const;
  /// True when the ids were already in order and are used in place.
  bool in_place() const { return positions_.empty(); }

 private:
  std::span<const std::uint64_t> sorted_;
  std::vector<std::uint64_t> sorted_storage_;  // only when the ids were not in order
  std::vector<std::uint32_t> positions_;       // empty: position k is premise k
  std::uint64_t duplicate_ids_ = 0;
  std::uint64_t duplicate_premises_ = 0;
};

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
};

/**
 * Reads a fixed-broadband layer (BDUK "Premises in BDUK plans" or a generic speeds file) and
 * writes what it says into `broadband` for every premise whose id matches the row's key.
 * Keys that match nothing are counted both ways (rows without a premise, premises without a
 * row). Malformed rows are rejected into `log` with their line and reason.
 *
 * @throws engine::Error (kStudy) when a configured column is missing; (kInput) when the file
 *   cannot be read.
 */
LayerLoad join_fixed_broadband(const LayerSource& layer, const engine::Thresholds& thresholds,
                               const std::string& display, const PremisesKeyIndex& premises,
                               std::span<engine::FixedBroadband> broadband, ProblemLog& log,
                               Progress& progress);

/// Opens a layer's file and checks that the columns its kind needs exist, without reading rows.
/// @return a one-line description. @throws engine::Error as join_fixed_broadband().
std::string inspect_fixed_broadband(const LayerSource& layer, const std::string& display);

/// The study-file spelling of a layer kind.
std::string layer_kind_name(LayerKind kind);

}  // namespace notspot::io
