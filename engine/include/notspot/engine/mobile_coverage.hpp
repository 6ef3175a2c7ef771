#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "notspot/engine/grid_coverage.hpp"
#include "notspot/engine/indicators.hpp"

namespace notspot::engine {

/// One bit per item (premise or raster cell), 64 to a word: 40 million premises take 5 MB.
class BitVector {
 public:
  BitVector() = default;
  explicit BitVector(std::size_t size) : size_(size), words_((size + 63) / 64, 0) {}

  std::size_t size() const { return size_; }
  bool test(std::size_t i) const { return (words_[i >> 6] >> (i & 63)) & 1u; }
  void set(std::size_t i) { words_[i >> 6] |= std::uint64_t{1} << (i & 63); }
  /// Bits 64 w .. 64 w + 63, bit i at position i % 64; bits past size() are 0.
  std::uint64_t word(std::size_t w) const { return words_[w]; }
  std::size_t word_count() const { return words_.size(); }
  std::size_t count() const;
  /// Sets every bit set in `other`. REQUIRES: same size.
  BitVector& operator|=(const BitVector& other);

 private:
  std::size_t size_ = 0;
  std::vector<std::uint64_t> words_;
};

/**
 * Where one operator's raster says there is coverage: a covered bit and a nodata bit per cell,
 * on the raster's grid (in the raster's CRS).
 */
struct CoverageGrid {
  Grid grid;
  BitVector covered;  ///< Cell (col, row) at bit row * columns + col.
  BitVector nodata;

  std::size_t cell_index(std::size_t col, std::size_t row) const {
    return row * grid.columns + col;
  }
};

/// Premises counts of one area for one group of operators (one technology and setting).
struct GroupPremisesCounts {
  std::vector<std::uint64_t> by_operator;  ///< Premises covered by each operator.
  std::uint64_t any = 0;                   ///< Covered by at least one operator.
  std::uint64_t all = 0;                   ///< Covered by every operator.
  std::uint64_t none = 0;                  ///< Covered by no operator: a not-spot.
  std::uint64_t partial = 0;  ///< Covered by some operators but not all: a partial not-spot.

  /// Adds another area's counts (for study totals); an empty left side takes the right's size.
  GroupPremisesCounts& operator+=(const GroupPremisesCounts& other);
};

/**
 * Counts, per area, the premises covered by each operator of a group and by their
 * combinations. Integer counts: the same whatever the number of threads.
 * @param area_of_premise area of each premise; values >= area_count are not counted.
 * @param covered one bit vector per operator, one bit per premise.
 */
std::vector<GroupPremisesCounts> count_group_premises(
    std::span<const std::uint32_t> area_of_premise, std::span<const BitVector> covered,
    std::size_t area_count);

/**
 * Counts, per area, the digitally excluded premises: no decent broadband on the evidence (the
 * below-the-USO indicator: a known speed under the USO thresholds) and no mobile coverage from
 * any operator (`mobile_any`, one bit per premise).
 */
std::vector<std::uint64_t> count_digitally_excluded(std::span<const std::uint32_t> area_of_premise,
                                                    std::span<const FixedBroadband> broadband,
                                                    const Thresholds& thresholds,
                                                    const BitVector& mobile_any,
                                                    std::size_t area_count);

/// Area-weighted coverage of one area for one group: areas in squared CRS units.
struct GroupAreaCoverage {
  double area = 0;                  ///< The area's land area (the denominator).
  std::vector<double> by_operator;  ///< Land covered by each operator.
  double any = 0;                   ///< Land covered by at least one operator.
  double all = 0;                   ///< Land covered by every operator.
  double nodata = 0;                ///< Land on a nodata cell (or off the grid) of any layer.

  /// Adds another area's figures (for study totals).
  GroupAreaCoverage& operator+=(const GroupAreaCoverage& other);
};

/**
 * Exact area-weighted coverage of one area by a group of rasters that share one grid: the
 * area's exact share of every cell (`cells`, from cell_areas()) times which operators cover
 * the cell. Cells off the grid or on nodata count as not covered (and are reported as
 * nodata).
 *
 * @param cells the area's cells on the rasters' grid, from cell_areas().
 * @param area_total the area's whole land area in the same units (so that parts off the
 *   grid count in the denominator).
 * @param rasters one per operator. REQUIRES: all on the grid `cells` were computed for.
 */
GroupAreaCoverage group_area_coverage(std::span<const CellArea> cells, double area_total,
                                      std::span<const CoverageGrid* const> rasters);

}  // namespace notspot::engine
