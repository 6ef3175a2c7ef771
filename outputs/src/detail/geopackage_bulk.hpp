#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "notspot/engine/premises.hpp"
#include "notspot/outputs/column_catalogue.hpp"
#include "notspot/outputs/premises_table.hpp"

struct sqlite3_stmt;

namespace notspot::outputs::detail {

/// At most this many rows go into one INSERT statement of fill_point_layer().
inline constexpr std::size_t kMaxRowsPerInsert = 64;

/// The rows of a point layer for fill_point_layer().
struct PointLayerRows {
  std::string table;                 ///< The layer, as GDAL created it.
  std::vector<std::string> columns;  ///< Its fields, in order, after `fid` and `geom`.
  std::size_t count = 0;             ///< Rows; the fids are 1..count in row order.
  /// Binds the fields of row `row` to parameters `first`, `first + 1`, ... of `insert` and
  /// returns its point. Text and blobs are bound SQLITE_STATIC: they must stay valid until the
  /// statement has run (up to kMaxRowsPerInsert consecutive rows go into one statement).
  std::function<std::array<double, 2>(std::size_t row, sqlite3_stmt* insert, int first)> bind;
};

/**
 * Fills a point layer of a closed GeoPackage with SQLite directly, for tens of millions of
 * points: GDAL (3.6) has created the table, its fields, its empty R-tree and the R-tree's
 * triggers; this
 * - drops the table's triggers, inserts every row in one transaction through prepared
 *   multi-row INSERTs (GeoPackage point blobs made by hand, in the layer's srs_id), sets the
 *   feature count and the extent in gpkg_ogr_contents and gpkg_contents;
 * - writes the R-tree's nodes itself, packed by sort-tile-recursive (STR) from the points, into
 *   the R-tree's shadow tables in SQLite's own node format (what `INSERT INTO rtree` would build
 *   one point at a time, about 15 microseconds each), and recreates the triggers, so the file is
 *   the one GDAL would have written, with a better-packed index (`rtreecheck()` passes).
 * The same rows give the same bytes. Holds 16 bytes per row while the R-tree is built.
 * @throws engine::Error (kOutput) naming `path` when SQLite fails.
 */
void fill_point_layer(const std::filesystem::path& path, const PointLayerRows& rows);

/// The `premises` layer: the rows and their order are those of PremisesCells.
void fill_premises_layer(const std::filesystem::path& path, const ColumnCatalogue& columns,
                         const PremisesResults& results);

/// The `premises_outside` layer (fields premise_id, source_line): the premises whose area is
/// AreaIndex::kOutside, in premises order.
void fill_outside_layer(const std::filesystem::path& path, const engine::PremisesTable& premises,
                        std::span<const std::uint32_t> area_of_premise);

}  // namespace notspot::outputs::detail
