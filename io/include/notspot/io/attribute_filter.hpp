#pragma once

// `where` on a vector input: an OGR SQL WHERE clause that selects the features to read, so
// that a national file need not be cut first (where = "LAD24CD = 'E06000059'").

#include <cstdint>
#include <string>

namespace notspot::io {

/// An attribute filter as applied to a layer, for the manifest and `notspot validate`.
struct AttributeFilterResult {
  std::string clause;                   ///< The `where` clause as the study file gives it.
  std::uint64_t features_in_layer = 0;  ///< Features of the layer before the filter.
  std::uint64_t features_selected = 0;  ///< Features the clause selects (at least 1).
};

}  // namespace notspot::io
