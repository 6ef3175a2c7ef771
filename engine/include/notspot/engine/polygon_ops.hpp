#pragma once

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
 * Area of the intersection of two multipolygons (GEOS overlay), in squared CRS units: 0 when
 * they only touch or are apart.
 * @throws Error (kInternal) when GEOS fails.
 */
double overlap_area(const GeosContext& geos, const MultiPolygon& a, const MultiPolygon& b);

}  // namespace notspot::engine
