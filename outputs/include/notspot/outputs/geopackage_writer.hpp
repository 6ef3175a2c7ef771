#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "notspot/engine/premises.hpp"
#include "notspot/io/areas_reader.hpp"
#include "notspot/io/crs.hpp"
#include "notspot/outputs/column_catalogue.hpp"
#include "notspot/outputs/premises_table.hpp"
#include "notspot/outputs/stats_table.hpp"

namespace notspot::outputs {

/// GDAL metadata items (name, value) set on the GeoPackage dataset and on its `parish_stats`
/// layer (stored in gpkg_metadata, read by `gdalinfo`/`ogrinfo` and QGIS's layer properties),
/// e.g. {"NOTSPOT_DATA_DATES", data_dates_text(record)}. In the order given.
struct GeoPackageMetadata {
  std::vector<std::pair<std::string, std::string>> items;
};

/// The premises table as a layer of parish_stats.gpkg (`[outputs] premises = true`).
struct GeoPackagePremises {
  const ColumnCatalogue* columns = nullptr;  ///< ColumnCatalogue::premises_table().
  const PremisesResults* results = nullptr;
};

/**
 * Writes parish_stats.gpkg, ready to open in QGIS:
 * - layer `parish_stats`: the area polygons with the columns of the statistics table, except
 *   the study row (counts as integers, the other numbers as reals holding exactly the CSV's
 *   rounded figures, null where undefined);
 * - layer `premises_outside`: points of the premises outside every area, with their id and
 *   source line; both layers in the study CRS;
 * - table `layer_styles` (the table QGIS itself saves styles into, registered in gpkg_contents
 *   as attributes): a default graduated style of `parish_stats` on the main indicator
 *   (`gigabit_pct`, else the first `_pct` column) and, when the table has
 *   `mob_4g_indoor_none_pct`, a second style for 4G indoor not-spots; each as QML (what QGIS
 *   applies) and SLD (for other clients);
 * - a human label (field alias: the column catalogue's ColumnSpec::label) for every field, in
 *   the GeoPackage's standard gpkg_data_columns table (with ColumnSpec::definition as the
 *   description), which GDAL >= 3.7 reads as field aliases; the default style carries them
 *   too, for QGIS built with GDAL 3.6 (Debian 12), which does not read them there. Style
 *   descriptions name the targets (targets()) that are class bounds.
 *
 * - with `premises_table`, layer `premises`: a point per premise read with the premises
 *   table's columns (flags as booleans, null where not measured), inserted in one transaction
 *   (GDAL's prepared insert), its R-tree spatial index built once after the insert;
 * - `metadata`: items set on the dataset and on `parish_stats` (GeoPackageMetadata): a run
 *   sets `NOTSPOT_QUALITY` (quality_status()'s QualityStatus::line) and `NOTSPOT_DATA_DATES`
 *   (data_dates_text()); `ogrinfo FILE` shows the dataset's, `ogrinfo -so FILE parish_stats`
 *   the layer's.
 *
 * The GeoPackage's timestamps (gpkg_contents and the styles' update_time) are fixed so that the
 * same inputs give the same bytes; the run's real time is in manifest.json.
 *
 * Typical usage (in the run, after build_stats_table()):
 * @code
 *   write_parish_geopackage(out.file("parish_stats.gpkg"), areas.areas, table, study_crs,
 *                           premises, area_of_premise);
 * @endcode
 *
 * @param table rows 0..areas.size()-1 are the areas, in the same order.
 * @param area_of_premise the area of each premise; AreaIndex::kOutside for outside ones.
 * @throws engine::Error (kInput) when GDAL cannot write the file.
 */
void write_parish_geopackage(const std::filesystem::path& path, std::span<const io::Area> areas,
                             const StatsTable& table, const io::Crs& crs,
                             const engine::PremisesTable& premises,
                             std::span<const std::uint32_t> area_of_premise,
                             const GeoPackageMetadata& metadata = {},
                             const GeoPackagePremises* premises_table = nullptr);

}  // namespace notspot::outputs
