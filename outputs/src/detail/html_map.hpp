#pragma once

#include <span>
#include <string>
#include <vector>

#include "notspot/engine/geometry.hpp"

namespace notspot::outputs::detail {

/// Maps study-CRS coordinates to SVG pixels: y flipped (SVG y grows downwards), x scaled by
/// cos(latitude) for a lon/lat CRS so that shapes are not stretched.
struct MapProjection {
  engine::Box bounds;          ///< Of all areas, in the study CRS.
  double x_factor = 1;         ///< cos(mid latitude) for lon/lat, else 1.
  double scale = 1;            ///< Pixels per (x-scaled) CRS unit.
  double margin = 10;          ///< Pixels around the drawing.
  double width = 0;            ///< Drawing width in pixels, margins included.
  double height = 0;           ///< Drawing height in pixels, margins included.
  double metres_per_unit = 1;  ///< Ground metres per CRS unit (approximate for lon/lat).

  engine::Point project(engine::Point p) const {
    return {margin + (p.x - bounds.xmin) * x_factor * scale, margin + (bounds.ymax - p.y) * scale};
  }
};

/// A projection that fits `bounds` in at most max_width x max_height pixels.
MapProjection fit_projection(const engine::Box& bounds, bool geographic, double max_width,
                             double max_height);

/**
 * The SVG path data of a multipolygon, simplified for the rendered scale: a vertex closer than
 * `tolerance_px` to the last kept vertex is dropped, then Douglas-Peucker (engine::simplify_ring)
 * drops those within `tolerance_px` of the segment between the kept vertices either side of them
 * (a ring left with fewer than three vertices is drawn unsimplified, so that every area keeps a
 * shape). Coordinates are written with one decimal. Use with fill-rule="evenodd" so that holes
 * show.
 */
std::string svg_path_data(const engine::MultiPolygon& geometry, const MapProjection& projection,
                          double tolerance_px = 0.5);

/// A round scale-bar length: 1, 2 or 5 times a power of ten, at most `max_metres`.
double nice_scale_length(double max_metres);

}  // namespace notspot::outputs::detail
