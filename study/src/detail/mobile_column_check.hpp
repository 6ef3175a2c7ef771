#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "notspot/io/sources.hpp"

namespace notspot::study::detail {

/**
 * Checks, as the study is loaded, that the mobile layers' operators give distinct column names.
 * Operator names become column names through outputs::mobile_column_names() (letters and
 * digits kept, lower case), so "Virgin Media" and "Virgin-Media" would share
 * mob_4g_indoor_virgin_media, and "Any" would take the group's mob_4g_indoor_any: without this
 * check the run fails late, at the GeoPackage, with an SQL error.
 *
 * Typical usage: `if (auto p = check.add(layer.tags, layer.name, line)) problems.add(line, *p);`
 */
class MobileColumnCheck {
 public:
  /// Records the columns of the layer at `line`; returns what is wrong when one of them is
  /// already another layer's or a name the group's combinations keep, naming both.
  std::optional<std::string> add(const io::MobileTags& tags, const std::string& layer_name,
                                 std::uint32_t line);

 private:
  struct Owner {
    std::string operator_name;
    std::string layer_name;
    std::uint32_t line = 0;
  };
  std::map<std::string, Owner> owners_;  // column name -> the layer that gives it
};

}  // namespace notspot::study::detail
