#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <type_traits>
#include <utility>
#include <vector>

namespace notspot::engine {

/**
 * A std::allocator that leaves new elements uninitialised (default-initialised): columns of
 * tens of millions of numbers are sized once and then filled in parallel, and zeroing them
 * first would cost a whole extra pass over memory.
 */
template <class T>
struct DefaultInitAllocator : std::allocator<T> {
  template <class U>
  struct rebind {
    using other = DefaultInitAllocator<U>;
  };
  DefaultInitAllocator() = default;
  template <class U>
  DefaultInitAllocator(const DefaultInitAllocator<U>&) noexcept {}
  template <class U>
  void construct(U* p) noexcept(std::is_nothrow_default_constructible_v<U>) {
    ::new (static_cast<void*>(p)) U;
  }
  template <class U, class... Args>
  void construct(U* p, Args&&... args) {
    ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
  }
};

/// A column of premises data.
template <class T>
using Column = std::vector<T, DefaultInitAllocator<T>>;

/**
 * Premises (address points) held column by column: the assignment loop reads only x and y,
 * and 40 million premises take 32 bytes each.
 */
struct PremisesTable {
  Column<std::uint64_t> id;    ///< UPRN (up to 12 digits; never narrowed to 32 bits).
  Column<double> x;            ///< Easting in the study CRS.
  Column<double> y;            ///< Northing in the study CRS.
  Column<std::uint64_t> line;  ///< Line (CSV) or feature id (OGR) in the source, for reports.
  /// Postcode keys (engine::postcode_key; 0 = none), only when the study names a postcode
  /// column: then the same size as the other columns, else empty.
  Column<std::uint64_t> postcode;

  std::size_t size() const { return id.size(); }
  bool has_postcodes() const { return with_postcodes_; }
  /// Declares that rows carry a postcode (call before adding rows).
  void enable_postcodes() { with_postcodes_ = true; }
  void reserve(std::size_t n) {
    for_each_column([&](auto& c) { c.reserve(n); });
  }
  /// Sizes every column to n; new rows are uninitialised until set_row() fills them.
  void resize(std::size_t n) {
    for_each_column([&](auto& c) { c.resize(n); });
  }
  void set_row(std::size_t i, std::uint64_t premise_id, double px, double py,
               std::uint64_t source_line, std::uint64_t postcode_key = 0) {
    id[i] = premise_id;
    x[i] = px;
    y[i] = py;
    line[i] = source_line;
    if (with_postcodes_) postcode[i] = postcode_key;
  }
  /// Moves `count` rows from position `from` down to position `to` (to <= from).
  void move_rows(std::size_t from, std::size_t count, std::size_t to) {
    for_each_column([&](auto& c) {
      std::copy(c.begin() + static_cast<std::ptrdiff_t>(from),
                c.begin() + static_cast<std::ptrdiff_t>(from + count),
                c.begin() + static_cast<std::ptrdiff_t>(to));
    });
  }
  void push_back(std::uint64_t premise_id, double px, double py, std::uint64_t source_line,
                 std::uint64_t postcode_key = 0) {
    resize(size() + 1);
    set_row(size() - 1, premise_id, px, py, source_line, postcode_key);
  }

 private:
  template <class F>
  void for_each_column(F&& f) {
    f(id);
    f(x);
    f(y);
    f(line);
    if (with_postcodes_) f(postcode);
  }
  bool with_postcodes_ = false;
};

}  // namespace notspot::engine
