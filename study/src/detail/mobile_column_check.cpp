#include "detail/mobile_column_check.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "notspot/outputs/column_catalogue.hpp"

namespace notspot::study::detail {

std::optional<std::string> MobileColumnCheck::add(const io::MobileTags& tags,
                                                  const std::string& layer_name,
                                                  std::uint32_t line) {
  const std::vector<std::string> reserved =
      outputs::mobile_group_column_names(tags.technology, tags.setting);
  const std::vector<std::string> names =
      outputs::mobile_column_names(tags.technology, tags.setting, tags.operator_name);
  for (const std::string& name : names) {
    if (std::find(reserved.begin(), reserved.end(), name) != reserved.end()) {
      return fmt::format(
          "[[layers]] '{}': operator \"{}\" would be published as column {}, a name kept for "
          "the {} {} premises covered by any, all, none or some of the operators; rename the "
          "operator (e.g. \"{} mobile\")",
          layer_name, tags.operator_name, name, tags.technology, tags.setting, tags.operator_name);
    }
    if (const auto it = owners_.find(name); it != owners_.end()) {
      const Owner& other = it->second;
      return fmt::format(
          "[[layers]] '{}': operator \"{}\" and operator \"{}\" of the layer '{}' at line {} "
          "({} {} both) would both be published as column {} (operator names become column "
          "names by keeping their letters and digits, in lower case); give the two operators "
          "names that differ in their letters or digits",
          layer_name, tags.operator_name, other.operator_name, other.layer_name, other.line,
          tags.technology, tags.setting, name);
    }
  }
  for (const std::string& name : names) owners_[name] = {tags.operator_name, layer_name, line};
  return std::nullopt;
}

}  // namespace notspot::study::detail
