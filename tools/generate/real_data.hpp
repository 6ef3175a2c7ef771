#pragma once

#include <cstddef>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "notspot/engine/geometry.hpp"
#include "notspot/engine/geos_context.hpp"

namespace notspot::generate {

class BritishNationalGrid;

/// One real postcode centroid (OS Code-Point Open), in EPSG:27700 metres.
struct Postcode {
  std::string code;  ///< As in the file: 7-character form, e.g. "DT1 1AA" or "BA215BT".
  engine::Point position;
  int quality = 0;  ///< Code-Point positional quality: 10 best ... 60; 90 = no coordinates.
};

/// The usable rows of a Code-Point file, and how many were skipped.
struct PostcodeTable {
  std::vector<Postcode> postcodes;      ///< In file order.
  std::size_t rows = 0;                 ///< Data rows read (header excluded).
  std::size_t without_coordinates = 0;  ///< Quality 90 or a zero easting/northing: skipped.
};

/**
 * Reads a Code-Point Open CSV with a header naming at least `postcode`, `quality`, `eastings`
 * and `northings` (the real file has no header; data/real/ adds one).
 * @throws Error (kInput) naming the file and line when the file cannot be read or a row is
 *   malformed.
 */
PostcodeTable read_postcodes(const std::filesystem::path& path);

/// A local authority boundary in EPSG:27700, valid and on the output precision grid.
struct Boundary {
  engine::GeosGeometry geometry;  ///< MultiPolygon.
  std::string code;               ///< e.g. "E06000059" (from the first string field ending CD).
  std::string name;               ///< e.g. "Dorset".
  std::size_t parts_as_read = 0;  ///< Polygons in the file, before repair.
  double area_as_read_m2 = 0;     ///< Area in EPSG:27700 before repair and snapping.
  std::size_t parts = 0;
  std::size_t vertices = 0;
  bool was_invalid = false;  ///< GEOS found the transformed input invalid (then repaired).
  std::string invalid_reason;
  double area_m2 = 0;  ///< After repair and snapping to the grid.
};

/**
 * Reads a polygon layer with GDAL/OGR (any vector format, any CRS with a known definition),
 * transforms it to EPSG:27700, unions its features, repairs it when GEOS finds it invalid,
 * and snaps it to a grid of `grid_size` metres (so that every coordinate the sample derives
 * from it is exactly representable with two decimals).
 * @throws Error (kInput) when the file cannot be read or holds no polygon.
 */
Boundary read_boundary(const std::filesystem::path& path, const engine::GeosContext& geos,
                       const BritishNationalGrid& bng, double grid_size);

/// One row of an Ofcom Connected Nations CSV, by column name.
struct OfcomRow {
  std::filesystem::path file;
  std::map<std::string, std::string> values;

  /**
   * The value of a numeric column.
   * @throws Error (kInput) naming the file and column when it is missing or not a number.
   */
  double number(const std::string& column) const;

  /**
   * Like number(), but a blank value gives `if_blank`: Ofcom's mobile files leave a cell blank
   * where the share is 0.
   * @throws Error (kInput) naming the file and column when it is missing or not a number.
   */
  double number_or(const std::string& column, double if_blank) const;
};

/**
 * Reads the row of local authority `laua` (e.g. "E06000059") from an Ofcom local-authority
 * CSV (`laua` key column; quoted names with commas are fine).
 * @throws Error (kInput) when the file, the column or the row is missing.
 */
OfcomRow read_ofcom_row(const std::filesystem::path& path, const std::string& laua);

}  // namespace notspot::generate
