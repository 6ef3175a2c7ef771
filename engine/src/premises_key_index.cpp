#include "notspot/engine/premises_key_index.hpp"

#include <tbb/blocked_range.h>
#include <tbb/parallel_reduce.h>
#include <tbb/parallel_sort.h>

#include <algorithm>
#include <utility>

#include "notspot/engine/error.hpp"

namespace notspot::engine {

PremisesKeyIndex::PremisesKeyIndex(std::span<const std::uint64_t> ids) {
  if (ids.size() >= 0xFFFFFFFFull) {
    throw input_error("more than 4 billion premises are not supported");
  }
  const bool ordered = tbb::parallel_reduce(
      tbb::blocked_range<std::size_t>(1, std::max<std::size_t>(ids.size(), 1), 1 << 16), true,
      [&](const tbb::blocked_range<std::size_t>& r, bool ok) {
        for (std::size_t i = r.begin(); ok && i != r.end(); ++i) ok = ids[i - 1] <= ids[i];
        return ok;
      },
      [](bool a, bool b) { return a && b; });
  if (ordered) {
    sorted_ = ids;
  } else {
    std::vector<std::pair<std::uint64_t, std::uint32_t>> pairs(ids.size());
    for (std::size_t i = 0; i < ids.size(); ++i) {
      pairs[i] = {ids[i], static_cast<std::uint32_t>(i)};
    }
    tbb::parallel_sort(pairs.begin(), pairs.end());
    sorted_storage_.resize(pairs.size());
    positions_.resize(pairs.size());
    for (std::size_t i = 0; i < pairs.size(); ++i) {
      sorted_storage_[i] = pairs[i].first;
      positions_[i] = pairs[i].second;
    }
    sorted_ = sorted_storage_;
  }
  for (std::size_t i = 1; i < sorted_.size(); ++i) {
    if (sorted_[i] == sorted_[i - 1]) {
      ++duplicate_premises_;
      if (i < 2 || sorted_[i - 2] != sorted_[i]) ++duplicate_ids_;
    }
  }
}

PremisesKeyIndex::Match PremisesKeyIndex::find(std::uint64_t id, std::size_t hint) const {
  const std::size_t n = sorted_.size();
  std::size_t lo = 0, hi = n;
  if (hint < n && sorted_[hint] <= id) {
    // Gallop forward from the hint: rows of a sorted layer are found in O(1) each.
    lo = hint;
    std::size_t step = 1;
    while (lo + step < n && sorted_[lo + step] < id) {
      lo += step;
      step *= 2;
    }
    hi = std::min(n, lo + step + 1);
  }
  const std::size_t first = static_cast<std::size_t>(
      std::lower_bound(sorted_.begin() + static_cast<std::ptrdiff_t>(lo),
                       sorted_.begin() + static_cast<std::ptrdiff_t>(hi), id) -
      sorted_.begin());
  std::size_t last = first;
  while (last < n && sorted_[last] == id) ++last;
  return {first, last};
}

std::vector<std::uint64_t> PremisesKeyIndex::duplicate_examples(std::size_t n) const {
  std::vector<std::uint64_t> out;
  for (std::size_t i = 1; i < sorted_.size() && out.size() < n; ++i) {
    if (sorted_[i] == sorted_[i - 1] && (out.empty() || out.back() != sorted_[i])) {
      out.push_back(sorted_[i]);
    }
  }
  return out;
}

}  // namespace notspot::engine
