#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>

#include "notspot/outputs/column_catalogue.hpp"
#include "notspot/outputs/premises_table.hpp"

namespace notspot::outputs::detail {

/**
 * Fills the `premises` layer of a closed GeoPackage with SQLite directly, for tens of millions
 * of points: GDAL (3.6) has created the table, its fields (`columns`, in order, after `fid` and
 * `geom`), its empty R-tree and the R-tree's triggers; this
 * - drops the table's triggers, inserts every row in one transaction through one prepared
 *   statement (GeoPackage point blobs made by hand, in the layer's srs_id), sets the feature
 *   count and the extent in gpkg_ogr_contents and gpkg_contents;
 * - writes the R-tree's nodes itself, packed by sort-tile-recursive (STR) from the points, into
 *   the R-tree's shadow tables in SQLite's own node format (what `INSERT INTO rtree` would build
 *   one point at a time, about 15 microseconds each), and recreates the triggers, so the file is
 *   the one GDAL would have written, with a better-packed index (`rtreecheck()` passes).
 * The rows and their order are those of PremisesCells; the same inputs give the same bytes.
 * Holds 16 bytes per premise while the R-tree is built (a 12-byte leaf cell and its leaf).
 * @throws engine::Error (kOutput) naming `path` when SQLite fails.
 */
void fill_premises_layer(const std::filesystem::path& path, const ColumnCatalogue& columns,
                         const PremisesResults& results);

}  // namespace notspot::outputs::detail
