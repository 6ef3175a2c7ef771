#pragma once

#include <cstdint>
#include <filesystem>
#include <span>

#include "notspot/engine/premises.hpp"
#include "notspot/io/areas_reader.hpp"
#include "notspot/io/crs.hpp"
#include "notspot/io/stats_table.hpp"

namespace notspot::io {

/**
 * Writes parish_stats.gpkg: layer `parish_stats` (the area polygons with the columns of the
 * statistics table, except the study row; counts as integers, the other numbers as reals
 * holding exactly the CSV's rounded figures, null where undefined) and layer
 * `premises_outside` (points of the premises outside every area, with their id and source
 * line), both in the study CRS.
 *
 * The GeoPackage's timestamps are fixed (GDAL's OGR_CURRENT_DATE) so that the same inputs give
 * the same bytes; the run's real time is in manifest.json.
 *
 * @param table rows 0..areas.size()-1 are the areas, in the same order.
 * @param area_of_premise the area of each premise; AreaIndex::kOutside for outside ones.
 * @throws engine::Error (kInput) when GDAL cannot write the file.
 */
void write_parish_geopackage(const std::filesystem::path& path, std::span<const Area> areas,
                             const StatsTable& table, const Crs& crs,
                             const engine::PremisesTable& premises,
                             std::span<const std::uint32_t> area_of_premise);

}  // namespace notspot::io
