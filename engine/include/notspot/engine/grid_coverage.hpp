#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "notspot/engine/geometry.hpp"

namespace notspot::engine {

/**
 * A north-up raster grid, as GDAL describes it: column 0 is the western edge, row 0 the
 * northern one. Cell (col, row) spans x in [xmin + col * cell_width, xmin + (col + 1) *
 * cell_width] and y in [ymax - (row + 1) * cell_height, ymax - row * cell_height].
 */
struct Grid {
  double xmin = 0;
  double ymax = 0;
  double cell_width = 1;   ///< REQUIRES: > 0.
  double cell_height = 1;  ///< REQUIRES: > 0 (GDAL's negative geotransform[5], negated).
  std::size_t columns = 0;
  std::size_t rows = 0;

  double cell_xmin(std::size_t col) const { return xmin + static_cast<double>(col) * cell_width; }
  double cell_ymax(std::size_t row) const { return ymax - static_cast<double>(row) * cell_height; }
  double cell_area() const { return cell_width * cell_height; }
  /// The cell (col, row) containing p, if inside the grid. A point on a cell border follows
  /// the boundary rule of AreaIndex: it takes the cell to its east, then to its north (so a
  /// cell holds its west and south borders, unlike GDAL's pixel lookup, which takes the
  /// southern cell on a row line).
  std::optional<std::pair<std::size_t, std::size_t>> cell_of(Point p) const;

  /// Same origin, cell size and dimensions: the same cells (rasters on equal grids can be
  /// sampled together and share an area's exact cells).
  friend bool operator==(const Grid&, const Grid&) = default;
};

/// The area of a polygon inside one grid cell.
struct CellArea {
  std::uint32_t col;
  std::uint32_t row;
  double area;  ///< In squared grid units; cell_area() when the cell is wholly inside.
};

/**
 * Exact area of `polygon` within every grid cell it touches (the exactextract approach), in
 * row-major order; cells outside the polygon are omitted.
 *
 * By Green's theorem, area(P ∩ C) = ∮ (x - x_C) dy around P ∩ C, which splits into the pieces
 * of P's edges inside the cell and the part of the cell's east side inside P. The latter's
 * length is the winding of P along that side, i.e. the signed rise of P's edge pieces in the
 * cells further east in the same row: a running sum. So each edge is walked once through the
 * cells it crosses, and cells with no edge get their area from the running sum alone.
 * Cost: O(edge-cell crossings + cells in the polygon's bounding box).
 *
 * Rings may have any orientation (they are normalised: exterior counter-clockwise, holes
 * clockwise). Polygon parts must not overlap (repair first). The polygon may extend beyond
 * the grid: only cells of the grid are reported.
 */
std::vector<CellArea> cell_areas(const MultiPolygon& polygon, const Grid& grid);

}  // namespace notspot::engine
