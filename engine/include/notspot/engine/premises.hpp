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
  /// Postcode keys (engine::postcode_key; 0 = none), only when the study names a postcode
  /// column: then the same size as the other columns, else empty.
  std::vector<std::uint64_t> postcode;

  std::size_t size() const { return id.size(); }
  bool has_postcodes() const { return with_postcodes_; }
  /// Declares that rows carry a postcode (call before adding rows).
  void enable_postcodes() { with_postcodes_ = true; }
  void reserve(std::size_t n) {
    id.reserve(n);
    x.reserve(n);
    y.reserve(n);
    line.reserve(n);
    if (with_postcodes_) postcode.reserve(n);
  }
  void push_back(std::uint64_t premise_id, double px, double py, std::uint64_t source_line,
                 std::uint64_t postcode_key = 0) {
    id.push_back(premise_id);
    x.push_back(px);
    y.push_back(py);
    line.push_back(source_line);
    if (with_postcodes_) postcode.push_back(postcode_key);
  }
  /// Appends row i of another table.
  void push_back_row(const PremisesTable& other, std::size_t i) {
    push_back(other.id[i], other.x[i], other.y[i], other.line[i],
              other.with_postcodes_ ? other.postcode[i] : 0);
  }
  /// Appends all rows of another table.
  void append(const PremisesTable& other) {
    id.insert(id.end(), other.id.begin(), other.id.end());
    x.insert(x.end(), other.x.begin(), other.x.end());
    y.insert(y.end(), other.y.begin(), other.y.end());
    line.insert(line.end(), other.line.begin(), other.line.end());
    if (with_postcodes_)
      postcode.insert(postcode.end(), other.postcode.begin(), other.postcode.end());
  }

 private:
  bool with_postcodes_ = false;
};

}  // namespace notspot::engine
