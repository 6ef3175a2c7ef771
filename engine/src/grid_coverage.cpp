#include "notspot/engine/grid_coverage.hpp"

#include <algorithm>
#include <cmath>

namespace notspot::engine {

std::optional<std::pair<std::size_t, std::size_t>> Grid::cell_of(Point p) const {
  const double u = (p.x - xmin) / cell_width;
  const double v = (ymax - p.y) / cell_height;
  // The project's boundary rule, as for areas: a point on a column line takes the cell to its
  // east (floor of u), on a row line the cell to its north (ceil of v, minus one). GDAL's
  // pixel lookup would take the southern cell; one rule everywhere keeps a raster and the
  // footprints of its covered cells in agreement.
  if (!(u >= 0 && v > 0 && u < static_cast<double>(columns) && v <= static_cast<double>(rows))) {
    return std::nullopt;
  }
  return std::pair{static_cast<std::size_t>(u), static_cast<std::size_t>(std::ceil(v)) - 1};
}

namespace {

// Accumulates, per cell of a window of the grid, the two sums of the Green's-theorem
// decomposition, in local coordinates where cells are unit squares: u = column position
// (east), w = row position counted from the grid's south edge (north), so that orientation
// is preserved.
class Accumulator {
 public:
  Accumulator(std::ptrdiff_t col0, std::ptrdiff_t col1, std::ptrdiff_t row0, std::ptrdiff_t row1)
      : col0_(col0),
        row0_(row0),
        cols_(col1 - col0 + 1),
        rows_(row1 - row0 + 1),
        first_moment_(static_cast<std::size_t>(cols_ * rows_), 0.0),
        rise_(static_cast<std::size_t>(cols_ * rows_), 0.0),
        rise_east_(static_cast<std::size_t>(rows_), 0.0) {}

  // One piece of an edge, wholly inside local cell (i, j) (rows counted from the south).
  void add(std::ptrdiff_t i, std::ptrdiff_t j, double u1, double w1, double u2, double w2) {
    if (j < row0_ || j >= row0_ + rows_) return;  // rows outside the grid do not matter
    const double dw = w2 - w1;
    if (dw == 0) return;
    const std::size_t r = static_cast<std::size_t>(j - row0_);
    if (i >= col0_ + cols_) {
      rise_east_[r] += dw;  // east of the grid: only its winding matters
      return;
    }
    if (i < col0_) return;  // west of the grid: never reached by the running sum
    const std::size_t k = r * static_cast<std::size_t>(cols_) + static_cast<std::size_t>(i - col0_);
    first_moment_[k] += (0.5 * (u1 + u2) - static_cast<double>(i)) * dw;
    rise_[k] += dw;
  }

  // Area (in cell units) of each window cell: the first moment of the cell's own pieces plus
  // the winding along its east side, i.e. the rise of all pieces further east in the row.
  template <class Emit>
  void finish(Emit&& emit) const {
    for (std::ptrdiff_t r = 0; r < rows_; ++r) {
      double east = rise_east_[static_cast<std::size_t>(r)];
      for (std::ptrdiff_t c = cols_ - 1; c >= 0; --c) {
        const std::size_t k = static_cast<std::size_t>(r * cols_ + c);
        const double area = first_moment_[k] + east;
        east += rise_[k];
        emit(col0_ + c, row0_ + r, area);
      }
    }
  }

 private:
  std::ptrdiff_t col0_, row0_, cols_, rows_;
  std::vector<double> first_moment_;
  std::vector<double> rise_;
  std::vector<double> rise_east_;
};

// Walks edge a→b through the unit cells it crosses, handing each piece to the accumulator.
void walk_edge(Point a, Point b, Accumulator& acc, std::vector<double>& cuts) {
  cuts.assign({0.0, 1.0});
  const double du = b.x - a.x;
  const double dw = b.y - a.y;
  // Parameters where the edge crosses integer grid lines.
  if (du != 0) {
    const double lo = std::min(a.x, b.x), hi = std::max(a.x, b.x);
    for (double g = std::floor(lo) + 1; g < hi; g += 1) cuts.push_back((g - a.x) / du);
  }
  if (dw != 0) {
    const double lo = std::min(a.y, b.y), hi = std::max(a.y, b.y);
    for (double g = std::floor(lo) + 1; g < hi; g += 1) cuts.push_back((g - a.y) / dw);
  }
  std::sort(cuts.begin(), cuts.end());
  for (std::size_t k = 0; k + 1 < cuts.size(); ++k) {
    const double t1 = cuts[k], t2 = cuts[k + 1];
    if (t2 <= t1) continue;
    const double u1 = a.x + t1 * du, w1 = a.y + t1 * dw;
    const double u2 = k + 2 == cuts.size() ? b.x : a.x + t2 * du;
    const double w2 = k + 2 == cuts.size() ? b.y : a.y + t2 * dw;
    // The piece's cell from its midpoint, which is safely inside it.
    const double tm = 0.5 * (t1 + t2);
    const auto i = static_cast<std::ptrdiff_t>(std::floor(a.x + tm * du));
    const auto j = static_cast<std::ptrdiff_t>(std::floor(a.y + tm * dw));
    acc.add(i, j, k == 0 ? a.x : u1, k == 0 ? a.y : w1, u2, w2);
  }
}

}  // namespace

std::vector<CellArea> cell_areas(const MultiPolygon& polygon, const Grid& grid) {
  std::vector<CellArea> out;
  if (grid.columns == 0 || grid.rows == 0 || polygon.empty()) return out;
  // Local coordinates: cells are unit squares, u east from the grid's west edge, w north
  // from its south edge (row index from the south = rows - 1 - GDAL row).
  const double ymin = grid.ymax - static_cast<double>(grid.rows) * grid.cell_height;
  auto local = [&](Point p) {
    return Point{(p.x - grid.xmin) / grid.cell_width, (p.y - ymin) / grid.cell_height};
  };
  Box box;
  for (const Polygon& part : polygon)
    for (Point p : part.exterior) box.expand(local(p));
  if (box.empty()) return out;
  const auto cols = static_cast<std::ptrdiff_t>(grid.columns);
  const auto rows = static_cast<std::ptrdiff_t>(grid.rows);
  const std::ptrdiff_t col0 =
      std::max<std::ptrdiff_t>(0, static_cast<std::ptrdiff_t>(std::floor(box.xmin)));
  const std::ptrdiff_t col1 =
      std::min<std::ptrdiff_t>(cols - 1, static_cast<std::ptrdiff_t>(std::floor(box.xmax)));
  const std::ptrdiff_t row0 =
      std::max<std::ptrdiff_t>(0, static_cast<std::ptrdiff_t>(std::floor(box.ymin)));
  const std::ptrdiff_t row1 =
      std::min<std::ptrdiff_t>(rows - 1, static_cast<std::ptrdiff_t>(std::floor(box.ymax)));
  if (col0 > col1 || row0 > row1) return out;

  Accumulator acc(col0, col1, row0, row1);
  std::vector<double> cuts;
  Ring ring;
  for (const Polygon& part : polygon) {
    auto add_ring = [&](const Ring& source, bool hole) {
      ring.resize(source.size());
      std::transform(source.begin(), source.end(), ring.begin(), local);
      // Exterior rings counter-clockwise, holes clockwise: then the winding along a cell side
      // is 1 inside the polygon and 0 outside.
      const bool ccw = signed_area(ring) > 0;
      if (ccw == hole) std::reverse(ring.begin(), ring.end());
      for (std::size_t k = 0; k < ring.size(); ++k) {
        walk_edge(ring[k], ring[(k + 1) % ring.size()], acc, cuts);
      }
    };
    add_ring(part.exterior, false);
    for (const Ring& hole : part.holes) add_ring(hole, true);
  }

  const double cell_area = grid.cell_area();
  acc.finish([&](std::ptrdiff_t i, std::ptrdiff_t j, double area) {
    // Rounding leaves crumbs of order 1e-16 of a cell where the true area is 0 or 1.
    if (area <= 1e-12) return;
    area = std::min(area, 1.0);
    out.push_back({static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(rows - 1 - j),
                   area * cell_area});
  });
  std::sort(out.begin(), out.end(), [](const CellArea& a, const CellArea& b) {
    return a.row != b.row ? a.row < b.row : a.col < b.col;
  });
  return out;
}

}  // namespace notspot::engine
