#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "notspot/engine/geometry.hpp"
#include "notspot/io/crs.hpp"
#include "notspot/io/premises_reader.hpp"

namespace notspot::study::detail {

/**
 * Why most premises fell outside every area, when their coordinates give it away: longitude
 * and latitude in the columns of a metre CRS (every point near the CRS's origin), or x and y
 * swapped (the swapped points fall among the areas). Both pass every row-level check, so
 * without this the only sign is an outside share of 100%.
 *
 * Looks at no more than a few thousand of the outside premises, evenly spread through the
 * file, so it is cheap and deterministic.
 *
 * @param area_of each premise's area (engine::AreaIndex::kOutside when outside every area).
 * @param areas_extent the bounding box of all areas, in the study CRS.
 * @return one sentence naming the file and what to change, or nothing when fewer than half
 *         the premises are outside or the coordinates do not explain it.
 */
std::optional<std::string> explain_premises_outside(const io::PremisesLoad& premises,
                                                    const io::Crs& study_crs,
                                                    std::span<const std::uint32_t> area_of,
                                                    const engine::Box& areas_extent,
                                                    const std::string& display);

}  // namespace notspot::study::detail
