#include "notspot/io/suggest.hpp"

#include <algorithm>
#include <vector>

namespace notspot::io {
namespace {

char lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

constexpr std::size_t kMaxEdits = 3;

}  // namespace

std::size_t edit_distance(std::string_view a, std::string_view b) {
  const std::size_t n = a.size();
  const std::size_t m = b.size();
  // Three rows of the dynamic programme: the swap of neighbours looks two rows back.
  std::vector<std::size_t> before(m + 1), previous(m + 1), current(m + 1);
  for (std::size_t j = 0; j <= m; ++j) previous[j] = j;
  for (std::size_t i = 1; i <= n; ++i) {
    current[0] = i;
    for (std::size_t j = 1; j <= m; ++j) {
      const std::size_t cost = lower(a[i - 1]) == lower(b[j - 1]) ? 0 : 1;
      current[j] = std::min({previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost});
      if (i > 1 && j > 1 && lower(a[i - 1]) == lower(b[j - 2]) &&
          lower(a[i - 2]) == lower(b[j - 1])) {
        current[j] = std::min(current[j], before[j - 2] + 1);
      }
    }
    std::swap(before, previous);
    std::swap(previous, current);
  }
  return previous[m];
}

bool is_likely_typo(std::string_view word, std::string_view candidate) {
  // The lengths bound the distance from below: a cheap test first.
  const std::size_t gap = word.size() > candidate.size() ? word.size() - candidate.size()
                                                         : candidate.size() - word.size();
  if (gap > kMaxEdits) return false;
  const std::size_t d = edit_distance(word, candidate);
  return d <= kMaxEdits && d < word.size();
}

}  // namespace notspot::io
