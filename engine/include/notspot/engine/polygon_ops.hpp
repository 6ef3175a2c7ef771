#pragma once

#include <optional>
#include <vector>

#include "notspot/engine/geometry.hpp"
#include "notspot/engine/geos_context.hpp"

namespace notspot::engine {

/**
 * The union of polygons that may overlap or touch (footprints of one operator, features of one
 * area), as valid non-overlapping polygons: GEOS's unary union of the parts, in the order given.
 * The order fixes the vertex order of the result, so the same parts in the same order give the
 * same bytes.
 *
 * Typical usage:
 * @code
 *   GeosContext geos;
 *   MultiPolygon merged = dissolve(geos, {std::move(first), std::move(second)});
 * @endcode
 *
 * @param parts taken by value: each part is released once GEOS has its copy, so that passing
 *   an rvalue does not hold two copies of many footprints at once. Parts should be valid
 *   (repair_polygonal) for a meaningful union.
 * @throws Error (kInternal) when GEOS fails.
 */
MultiPolygon dissolve(const GeosContext& geos, std::vector<MultiPolygon> parts);

/**
 * Like dissolve(), on a grid: every coordinate is first snapped to a multiple of `grid_size`
 * (GEOS's fixed-precision overlay), so that edges shared by neighbours closer than the grid
 * merge and slivers thinner than it vanish. For drawing outlines at a known resolution.
 * REQUIRES: grid_size > 0.
 * @throws Error (kInternal) when GEOS fails.
 */
MultiPolygon dissolve_on_grid(const GeosContext& geos, std::vector<MultiPolygon> parts,
                              double grid_size);

/**
 * A point inside the multipolygon (GEOS PointOnSurface: inside its largest-area part's
 * interior where it has one), e.g. where a place's label goes. nullopt for an empty input.
 * @throws Error (kInternal) when GEOS fails.
 */
std::optional<Point> point_on_surface(const GeosContext& geos, const MultiPolygon& multipolygon);

/**
 * Area of the intersection of two multipolygons (GEOS overlay), in squared CRS units: 0 when
 * they only touch or are apart.
 * @throws Error (kInternal) when GEOS fails.
 */
double overlap_area(const GeosContext& geos, const MultiPolygon& a, const MultiPolygon& b);

}  // namespace notspot::engine
