#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "notspot/engine/geometry.hpp"

namespace notspot::engine {

/**
 * True when `multipolygon` is certainly valid in the OGC Simple Features sense (what GEOS's
 * IsValid checks); false means "not known", never "invalid": the caller asks GEOS.
 *
 * It is certain when every ring has three or more distinct vertices and a non-zero area, no
 * two edges meet anywhere except consecutive edges of one ring at their shared vertex (and
 * those do not fold back along each other), every hole lies inside its exterior and outside
 * the polygon's other holes, and no part lies inside another. Anything touching (two rings
 * meeting at a point, an island in a lake) is left to GEOS, so the answer is exact: edge
 * contacts are decided with exact orientation predicates.
 *
 * It exists because GEOS's check costs microseconds per vertex and almost every real boundary
 * is valid: this one runs in linear time (edges bucketed into a uniform grid, refined where
 * crowded) at tens of nanoseconds per vertex.
 */
bool certainly_valid(const MultiPolygon& multipolygon);

/**
 * The pieces grouped by interaction: two pieces are in one group when an edge of one meets an
 * edge of the other or one lies inside the other, directly or through other pieces. Groups are
 * in order of their first piece, pieces in order within a group. Each piece must already be
 * valid (by GEOS or certainly_valid): contacts within a piece are not looked for, so pieces
 * alone in their group can be put together as parts of one valid multipolygon unchanged.
 * nullopt when a piece has a degenerate ring or a non-finite coordinate. Where edges crowd one
 * point too closely to tell, their pieces count as interacting.
 */
std::optional<std::vector<std::vector<std::uint32_t>>> interacting_groups(
    const std::vector<MultiPolygon>& pieces);

}  // namespace notspot::engine
