// detail::HugePageAllocator (engine/src/detail/huge_page_allocator.hpp): large blocks are
// mapped on 2 MiB boundaries, small ones come from operator new, and either way a vector
// built on it holds what was written to it, through growth, copies and moves.

#include "../../engine/src/detail/huge_page_allocator.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <numeric>

namespace notspot {
namespace {

using engine::detail::BigVector;
using engine::detail::kHugePageMin;
using engine::detail::kHugePageSize;

TEST(HugePageAllocator, LargeBlocksAreAlignedToHugePages) {
  BigVector<std::uint64_t> v(kHugePageMin / sizeof(std::uint64_t) + 3);
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(v.data()) % kHugePageSize, 0u);
  std::iota(v.begin(), v.end(), std::uint64_t{7});
  for (std::size_t i = 0; i < v.size(); i += 4099) ASSERT_EQ(v[i], i + 7);
  EXPECT_EQ(v.back(), v.size() - 1 + 7);
}

TEST(HugePageAllocator, ContentsSurviveGrowthCopiesAndMoves) {
  BigVector<std::uint32_t> v;
  for (std::uint32_t i = 0; i < 3'000'000; ++i) v.push_back(i * 3u);  // small, then large
  BigVector<std::uint32_t> copy = v;
  BigVector<std::uint32_t> moved = std::move(v);
  ASSERT_EQ(copy.size(), 3'000'000u);
  ASSERT_EQ(moved.size(), 3'000'000u);
  for (std::uint32_t i = 0; i < copy.size(); i += 997) {
    ASSERT_EQ(copy[i], i * 3u);
    ASSERT_EQ(moved[i], i * 3u);
  }
  copy.resize(10);  // capacity kept; shrinking to a small block frees the large one
  copy.shrink_to_fit();
  EXPECT_EQ(copy[9], 27u);
  BigVector<char> small(100, 'x');
  EXPECT_EQ(small[99], 'x');
}

}  // namespace
}  // namespace notspot
