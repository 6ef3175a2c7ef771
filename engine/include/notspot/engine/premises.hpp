#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace notspot::engine {

/**
 * Premises (address points) held column by column: the assignment loop reads only x and y,
 * and 40 million premises take 28 bytes each.
 */
struct PremisesTable {
  std::vector<std::uint64_t> id;    ///< UPRN (up to 12 digits; never narrowed to 32 bits).
  std::vector<double> x;            ///< Easting in the study CRS.
  std::vector<double> y;            ///< Northing in the study CRS.
  std::vector<std::uint64_t> line;  ///< Line (CSV) or feature id (OGR) in the source, for reports.

  std::size_t size() const { return id.size(); }
  void reserve(std::size_t n) {
    id.reserve(n);
    x.reserve(n);
    y.reserve(n);
    line.reserve(n);
  }
  void push_back(std::uint64_t premise_id, double px, double py, std::uint64_t source_line) {
    id.push_back(premise_id);
    x.push_back(px);
    y.push_back(py);
    line.push_back(source_line);
  }
};

}  // namespace notspot::engine
