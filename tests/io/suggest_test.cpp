// The one "did you mean" rule shared by the study file, CSV headers and OGR fields.

#include "notspot/io/suggest.hpp"

#include <gtest/gtest.h>

#include <array>
#include <string>
#include <string_view>
#include <vector>

namespace notspot::io {
namespace {

TEST(EditDistance, CountsInsertionsDeletionsSubstitutionsAndSwaps) {
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);  // 2 substitutions, 1 insertion
  EXPECT_EQ(edit_distance("", "abc"), 3u);
  EXPECT_EQ(edit_distance("abc", ""), 3u);
  EXPECT_EQ(edit_distance("same", "same"), 0u);
  EXPECT_EQ(edit_distance("nmae", "name"), 1u);  // a swap of neighbours is one edit
  EXPECT_EQ(edit_distance("ca", "abc"), 3u);     // optimal string alignment, not Damerau
  EXPECT_EQ(edit_distance("abcdef", "badcfe"), 3u);
}

TEST(EditDistance, IgnoresCase) {
  EXPECT_EQ(edit_distance("X_COORDINATE", "x_coordinate"), 0u);
  EXPECT_EQ(edit_distance("UPRN", "uprm"), 1u);
}

TEST(EditDistance, IsSymmetric) {
  const std::array<std::string_view, 6> words = {"", "a", "name", "nmae", "postcode", "PAR23CD"};
  for (std::string_view a : words) {
    for (std::string_view b : words) EXPECT_EQ(edit_distance(a, b), edit_distance(b, a)) << a << b;
  }
}

TEST(NearestWord, SuggestsLikelyTyposOnly) {
  const std::vector<std::string> keys = {"path", "layer", "id", "name", "crs"};
  EXPECT_EQ(nearest_word("nmae", keys), "name");
  EXPECT_EQ(nearest_word("ID", keys), "id");  // case alone
  EXPECT_EQ(nearest_word("ix", keys), "id");
  EXPECT_FALSE(nearest_word("colour", keys));  // five edits from everything
  // Two letters are two edits from any two-letter word: no suggestion for a whole rewrite.
  EXPECT_FALSE(nearest_word("zz", keys));
}

TEST(NearestWord, AllowsUpToThreeEditsInLongWords) {
  const std::array<std::string_view, 3> columns = {"UPRN", "X_Coordinate", "Y_Coordinate"};
  EXPECT_EQ(nearest_word("X_COORDINATES", columns), "X_Coordinate");
  EXPECT_EQ(nearest_word("XCORDINATE", columns), "X_Coordinate");  // 2 edits
  EXPECT_FALSE(nearest_word("completely different", columns));
  EXPECT_FALSE(nearest_word("X_COORD", columns));  // 5 edits
}

TEST(NearestWord, TakesTheNearestThenTheFirst) {
  const std::array<std::string_view, 3> kinds = {"raster", "rasters", "polygons"};
  EXPECT_EQ(nearest_word("rastr", kinds), "raster");    // 1 edit beats 2
  EXPECT_EQ(nearest_word("rasterz", kinds), "raster");  // both 1 edit: the first
  EXPECT_EQ(nearest_word("polygon", kinds), "polygons");
}

}  // namespace
}  // namespace notspot::io
