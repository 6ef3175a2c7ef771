// The UPRN key index the fixed-broadband layers are joined through.

#include "notspot/engine/premises_key_index.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

namespace notspot::engine {
namespace {

// The premises (table rows) an index finds for an id.
std::vector<std::uint32_t> premises_with(const PremisesKeyIndex& index, std::uint64_t id,
                                         std::size_t hint = 0) {
  std::vector<std::uint32_t> out;
  const PremisesKeyIndex::Match m = index.find(id, hint);
  for (std::size_t k = m.first; k < m.last; ++k) out.push_back(index.premise(k));
  return out;
}

TEST(PremisesKeyIndex, FindsEveryPremiseWithAnId) {
  const std::vector<std::uint64_t> ids = {30, 10, 20, 10, 999999999999, 10};
  const PremisesKeyIndex index(ids);
  EXPECT_FALSE(index.in_place());
  EXPECT_EQ(premises_with(index, 10), (std::vector<std::uint32_t>{1, 3, 5}));
  EXPECT_EQ(premises_with(index, 999999999999), (std::vector<std::uint32_t>{4}));
  EXPECT_TRUE(index.find(11).empty());
  EXPECT_EQ(index.duplicate_ids(), 1u);
  EXPECT_EQ(index.duplicate_premises(), 2u);
  EXPECT_EQ(index.duplicate_examples(5), (std::vector<std::uint64_t>{10}));
}

TEST(PremisesKeyIndex, SortedIdsAreUsedInPlaceAndAnyHintWorks) {
  std::vector<std::uint64_t> ids;
  for (std::uint64_t i = 0; i < 1000; ++i) ids.push_back(100 + 2 * i);  // even numbers
  ids.insert(ids.begin() + 500, ids[500]);                              // one duplicate
  const PremisesKeyIndex index(ids);
  EXPECT_TRUE(index.in_place());
  EXPECT_EQ(index.duplicate_ids(), 1u);
  // Whatever the hint (before, at, after the answer), the answer is the same.
  for (std::size_t hint : {std::size_t{0}, std::size_t{3}, std::size_t{499}, std::size_t{500},
                           std::size_t{900}, std::size_t{5000}}) {
    EXPECT_EQ(premises_with(index, ids[500], hint), (std::vector<std::uint32_t>{500, 501}))
        << "hint " << hint;
    EXPECT_EQ(premises_with(index, 100, hint), (std::vector<std::uint32_t>{0})) << hint;
    EXPECT_EQ(premises_with(index, 2098, hint), (std::vector<std::uint32_t>{1000})) << hint;
    EXPECT_TRUE(index.find(101, hint).empty()) << hint;   // odd: absent
    EXPECT_TRUE(index.find(99, hint).empty()) << hint;    // before all
    EXPECT_TRUE(index.find(5000, hint).empty()) << hint;  // after all
  }
}

}  // namespace
}  // namespace notspot::engine
