#include "notspot/engine/mobile_coverage.hpp"

#include <tbb/blocked_range.h>
#include <tbb/parallel_reduce.h>

#include <algorithm>
#include <bit>

#include "notspot/engine/error.hpp"

namespace notspot::engine {

std::size_t BitVector::count() const {
  std::size_t n = 0;
  for (std::uint64_t w : words_) n += static_cast<std::size_t>(std::popcount(w));
  return n;
}

BitVector& BitVector::operator|=(const BitVector& other) {
  if (other.size_ != size_) throw internal_error("BitVector |=: sizes differ");
  for (std::size_t w = 0; w < words_.size(); ++w) words_[w] |= other.words_[w];
  return *this;
}

GroupPremisesCounts& GroupPremisesCounts::operator+=(const GroupPremisesCounts& other) {
  by_operator.resize(std::max(by_operator.size(), other.by_operator.size()), 0);
  for (std::size_t i = 0; i < other.by_operator.size(); ++i) by_operator[i] += other.by_operator[i];
  any += other.any;
  all += other.all;
  none += other.none;
  partial += other.partial;
  return *this;
}

GroupAreaCoverage& GroupAreaCoverage::operator+=(const GroupAreaCoverage& other) {
  by_operator.resize(std::max(by_operator.size(), other.by_operator.size()), 0.0);
  for (std::size_t i = 0; i < other.by_operator.size(); ++i) by_operator[i] += other.by_operator[i];
  area += other.area;
  any += other.any;
  all += other.all;
  nodata += other.nodata;
  return *this;
}

std::vector<GroupPremisesCounts> count_group_premises(
    std::span<const std::uint32_t> area_of_premise, std::span<const BitVector> covered,
    std::size_t area_count) {
  const std::size_t operators = covered.size();
  if (operators > 32) throw internal_error("count_group_premises: more than 32 operators");
  for (const BitVector& b : covered) {
    if (b.size() != area_of_premise.size()) {
      throw internal_error("count_group_premises: coverage and premises differ in length");
    }
  }
  // Per area: a histogram of operator masks would need 2^operators bins; counting the five
  // figures directly keeps memory at (operators + 4) counters per area.
  const std::size_t stride = operators + 4;
  using Counts = std::vector<std::uint64_t>;
  const Counts flat = tbb::parallel_reduce(
      tbb::blocked_range<std::size_t>(0, area_of_premise.size(), 1 << 16),
      Counts(area_count * stride, 0),
      [&](const tbb::blocked_range<std::size_t>& range, Counts counts) {
        for (std::size_t i = range.begin(); i != range.end(); ++i) {
          const std::uint32_t area = area_of_premise[i];
          if (area >= area_count) continue;
          std::uint64_t* c = counts.data() + static_cast<std::size_t>(area) * stride;
          std::size_t n = 0;
          for (std::size_t op = 0; op < operators; ++op) {
            if (covered[op].test(i)) {
              ++c[op];
              ++n;
            }
          }
          c[operators] += n > 0;
          c[operators + 1] += n == operators && operators > 0;
          c[operators + 2] += n == 0;
          c[operators + 3] += n > 0 && n < operators;
        }
        return counts;
      },
      [](Counts a, const Counts& b) {
        for (std::size_t k = 0; k < a.size(); ++k) a[k] += b[k];
        return a;
      });
  std::vector<GroupPremisesCounts> out(area_count);
  for (std::size_t a = 0; a < area_count; ++a) {
    const std::uint64_t* c = flat.data() + a * stride;
    out[a].by_operator.assign(c, c + operators);
    out[a].any = c[operators];
    out[a].all = c[operators + 1];
    out[a].none = c[operators + 2];
    out[a].partial = c[operators + 3];
  }
  return out;
}

std::vector<std::uint64_t> count_digitally_excluded(std::span<const std::uint32_t> area_of_premise,
                                                    std::span<const FixedBroadband> broadband,
                                                    const Thresholds& thresholds,
                                                    const BitVector& mobile_any,
                                                    std::size_t area_count) {
  using Counts = std::vector<std::uint64_t>;
  const std::uint32_t below_uso = 1u << static_cast<unsigned>(Indicator::kBelowUso);
  return tbb::parallel_reduce(
      tbb::blocked_range<std::size_t>(0, area_of_premise.size(), 1 << 16), Counts(area_count, 0),
      [&](const tbb::blocked_range<std::size_t>& range, Counts counts) {
        for (std::size_t i = range.begin(); i != range.end(); ++i) {
          const std::uint32_t area = area_of_premise[i];
          if (area >= area_count || mobile_any.test(i)) continue;
          if (indicator_flags(broadband[i], thresholds) & below_uso) ++counts[area];
        }
        return counts;
      },
      [](Counts a, const Counts& b) {
        for (std::size_t k = 0; k < a.size(); ++k) a[k] += b[k];
        return a;
      });
}

GroupAreaCoverage group_area_coverage(std::span<const CellArea> cells, double area_total,
                                      std::span<const CoverageGrid* const> rasters) {
  GroupAreaCoverage out;
  out.area = area_total;
  out.by_operator.assign(rasters.size(), 0.0);
  double on_grid = 0;
  for (const CellArea& c : cells) {
    on_grid += c.area;
    std::size_t covering = 0;
    bool nodata = false;
    for (std::size_t op = 0; op < rasters.size(); ++op) {
      const std::size_t k = rasters[op]->cell_index(c.col, c.row);
      if (rasters[op]->nodata.test(k)) {
        nodata = true;
      } else if (rasters[op]->covered.test(k)) {
        out.by_operator[op] += c.area;
        ++covering;
      }
    }
    if (covering > 0) out.any += c.area;
    if (covering == rasters.size() && !rasters.empty()) out.all += c.area;
    if (nodata) out.nodata += c.area;
  }
  // Land beyond the grid has no data either.
  out.nodata += std::max(0.0, area_total - on_grid);
  return out;
}

}  // namespace notspot::engine
