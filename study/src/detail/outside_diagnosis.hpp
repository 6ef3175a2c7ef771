#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "notspot/engine/geometry.hpp"
#include "notspot/io/crs.hpp"
#include "notspot/io/premises_reader.hpp"

namespace notspot::study::detail {

/**
 * What coordinates that are not among the areas give away about the premises' CRS or columns:
 * longitude and latitude in the columns of a metre CRS (values within +/-180 and +/-90),
 * eastings and northings in the columns of a geographic CRS (values beyond them), or x and y
 * swapped (the swapped points fall among the areas). The one diagnosis, used by the run (on
 * the premises outside every area) and by validate (on a sample outside the areas' extent).
 *
 * @param x, y the coordinates as written in the file, in `file_crs`.
 * @param areas_extent the bounding box of all areas, in `study_crs`.
 * @param x_column, y_column the CSV columns read ("" for an OGR layer), for the advice.
 * @param counted the start of the sentence, e.g. "premises.csv: 3 of 3 premises are outside
 *        every area".
 * @return `counted` continued with what the coordinates look like and which crs, x and y to
 *         set; nothing when they do not explain themselves.
 * @throws engine::Error when PROJ has no transformation between the CRSs.
 */
std::optional<std::string> diagnose_coordinates(std::vector<double> x, std::vector<double> y,
                                                const io::Crs& file_crs,
                                                const io::Crs& study_crs,
                                                const engine::Box& areas_extent,
                                                const std::string& x_column,
                                                const std::string& y_column,
                                                const std::string& counted);

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
