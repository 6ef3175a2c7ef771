#pragma once

#include <span>
#include <string>
#include <vector>

#include "notspot/engine/geometry.hpp"
#include "notspot/io/areas_reader.hpp"
#include "notspot/outputs/html_report.hpp"

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

/**
 * The study's outline as SVG path data: the edges of the areas' rings that no other ring
 * shares, on the 0.1 px grid of the path data (an edge two neighbours share is inside the
 * study). Linear in the vertices, so that a national study of 10,000 areas draws it in well
 * under a second (GEOS's union took minutes there). Runs of outline edges are open polylines
 * with vertices closer than half a pixel dropped; a ring that is outline all round (an
 * island, a lone area) is closed and simplified like an area. Assumes neighbours share their
 * boundary vertices, as boundary files that tile a region do; where they do not, the unshared
 * edges are drawn too. "" when no area has a polygon.
 */
std::string svg_outline(std::span<const io::Area> areas, const MapProjection& projection);

/// A label placed on the map, in SVG pixels.
struct MapLabel {
  std::string name;
  engine::Point anchor;               ///< The place's dot.
  engine::Point text;                 ///< The text's anchor point (baseline).
  const char* text_anchor = "start";  ///< SVG text-anchor: "start", "end" or "middle".
};

/// Font size of place labels, in pixels.
inline constexpr double kLabelFontPx = 12;

/**
 * Picks place labels that do not collide: places are taken by rank (largest first; ties by
 * name), at most `max_labels`; each tries its label right of its dot, then left, above and
 * below, and takes the first position whose box (text width estimated at 0.7 em a character)
 * overlaps no label or dot already placed and lies inside the drawing. A place whose anchor is
 * outside the drawing, or that fits nowhere, is left out. Deterministic.
 */
std::vector<MapLabel> place_labels(std::span<const ReportPlace> places,
                                   const MapProjection& projection, std::size_t max_labels);

/// The labels as SVG: a dot and the name with a white halo (stroke under the fill), so that
/// they read over any class colour. Hidden from assistive technology: the map's description
/// names them.
std::string svg_labels(const std::vector<MapLabel>& labels);

/// A round scale-bar length: 1, 2 or 5 times a power of ten, at most `max_metres`.
double nice_scale_length(double max_metres);

}  // namespace notspot::outputs::detail
