#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <iosfwd>
#include <string>

namespace notspot::generate {

/// Options of `notspot-generate scatter`: premises scattered over the polygons of a real layer.
struct ScatterOptions {
  /// Any vector dataset GDAL/OGR opens (GeoJSON, TopoJSON, GeoPackage, Shapefile, ...).
  std::filesystem::path areas;
  /// The layer to read. DEFAULT: empty, the dataset's only layer (an error when it has several).
  std::string layer;
  /// The CRS of the areas when the layer declares none (TopoJSON never does): "EPSG:4326"
  /// (longitude, latitude), "OGC:CRS84" or "EPSG:27700". DEFAULT: empty, the layer's own.
  /// When the layer declares one, it must be the same.
  std::string areas_crs;
  /// Folder premises.csv and generation_report.json are written to; created when missing.
  std::filesystem::path output_dir;
  /// Premises to place. DEFAULT: 1,000,000. REQUIRES: 1 .. 2^31 - 1.
  std::size_t premises = 1'000'000;
  /// Premises placed outside every feature, per thousand of `premises` (rounded down).
  /// DEFAULT: 20. REQUIRES: 0 .. 1000.
  std::size_t outside_per_mille = 20;
  /// Everything random derives from it: the same options give byte-identical files.
  std::uint64_t seed = 1;
};

/**
 * Scatters premises over the polygon features of a real boundary layer, for benchmarks on real
 * geometry: every polygon feature is brought to British National Grid (EPSG:4326 through the
 * pinned BritishNationalGrid operation, EPSG:27700 as is) and receives an equal share of the
 * premises that are not outside, each drawn uniformly in the feature's bounding box and kept when
 * an even-odd crossing test over all its rings, as read, says inside (so invalid polygons work
 * too: no repair, no GEOS). The premises outside are uniform in the layer's bounding box and kept
 * only when inside no feature. Coordinates are rounded to centimetres before the test.
 *
 * Writes premises.csv (OS Open UPRN layout: UPRN,X_COORDINATE,Y_COORDINATE,LATITUDE,LONGITUDE;
 * rows in random order, UPRN 1..N in file order; latitude and longitude with 8 decimals from the
 * pinned operation) and generation_report.json (options, source CRS, totals). Both are
 * byte-identical for the same options and areas file. Progress goes to `log`.
 *
 * Typical usage:
 * @code
 *   ScatterOptions options;
 *   options.areas = "uk_pcon_july2024_bgc.topojson";
 *   options.areas_crs = "EPSG:4326";
 *   options.output_dir = "out";
 *   generate_scatter(options, std::cerr);
 * @endcode
 *
 * @throws Error (kUsage) for options out of range or an unsupported CRS; (kInput) when the areas
 *   cannot be read (naming the file, layer or feature) or an output cannot be written.
 */
void generate_scatter(const ScatterOptions& options, std::ostream& log);

}  // namespace notspot::generate
