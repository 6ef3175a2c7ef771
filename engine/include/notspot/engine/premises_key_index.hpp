#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace notspot::engine {

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

}  // namespace notspot::engine
