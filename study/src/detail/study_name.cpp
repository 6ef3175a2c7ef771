#include "detail/study_name.hpp"

#include <fmt/format.h>

namespace notspot::study::detail {

std::optional<std::string> study_name_problem(std::string_view name, std::string_view key) {
  std::size_t characters = 0;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const auto b = static_cast<unsigned char>(name[i]);
    if ((b & 0xC0) != 0x80) ++characters;  // a code point starts (the TOML parser checked UTF-8)
    // C1 controls U+0080..U+009F are C2 80..C2 9F in UTF-8.
    const bool c1 = b == 0xC2 && i + 1 < name.size() &&
                    static_cast<unsigned char>(name[i + 1]) >= 0x80 &&
                    static_cast<unsigned char>(name[i + 1]) <= 0x9F;
    if (b < 0x20 || b == 0x7F || c1) {
      const unsigned code = c1 ? static_cast<unsigned char>(name[i + 1]) : b;
      return fmt::format(
          "[study] {} holds the control character U+{:04X} (character {}); it is shown in "
          "the report, the workbook and the terminal summary, so it must be one line of plain "
          "text: remove the character",
          key, code, characters);
    }
  }
  if (characters > kMaxStudyNameCharacters) {
    return fmt::format(
        "[study] {} is {} characters long; at most {} are allowed, since it titles the report, "
        "the workbook and the GeoPackage: shorten it (put a longer description in a comment)",
        key, characters, kMaxStudyNameCharacters);
  }
  return std::nullopt;
}

}  // namespace notspot::study::detail
