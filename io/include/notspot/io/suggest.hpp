#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace notspot::io {

/**
 * Case-insensitive optimal-string-alignment distance: insertions, deletions, substitutions and
 * swaps of neighbouring letters each cost 1, so that the common typo "nmae" is one step from
 * "name" and "X_Coordinate" none from "X_COORDINATE".
 */
std::size_t edit_distance(std::string_view a, std::string_view b);

/// Whether `candidate` is near enough to `word` to be what was meant: at most 3 edits, and
/// fewer edits than `word` has letters (every two-letter word is two edits from every other).
bool is_likely_typo(std::string_view word, std::string_view candidate);

/**
 * The one rule for every "did you mean" hint (study-file keys and values, CSV columns, OGR
 * fields): the candidate nearest to `word` under edit_distance() that is_likely_typo(), the
 * first of equally near ones; nothing when none is near.
 *
 * Typical usage:
 * @code
 *   if (auto near = nearest_word(field, header.names())) hint = "; did you mean '" + *near + "'?";
 * @endcode
 * @param candidates any range of things convertible to std::string_view.
 */
template <class Range>
std::optional<std::string> nearest_word(std::string_view word, const Range& candidates) {
  std::optional<std::string> best;
  std::size_t best_distance = 0;
  for (const auto& candidate : candidates) {
    const std::string_view c(candidate);
    if (!is_likely_typo(word, c)) continue;
    const std::size_t d = edit_distance(word, c);
    if (!best || d < best_distance) {
      best = std::string(c);
      best_distance = d;
    }
  }
  return best;
}

}  // namespace notspot::io
