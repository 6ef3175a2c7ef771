#pragma once

// Test support for the layer readers and the mobile stage: GeoTIFF and vector files written
// with GDAL, PROJ and GEOS called directly as oracles independent of notspot's own wrappers,
// and a fixture with a temporary folder and layer sources pointing into it.

// GDAL is a private dependency of notspot_io, so its include folder is not on the tests' path;
// Debian installs the headers in /usr/include/gdal, whose own includes are relative.
#include <gdal.h>
#include <gtest/gtest.h>
#include <proj.h>

#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "notspot/engine/geos_context.hpp"
#include "notspot/io/crs.hpp"
#include "notspot/io/problem_log.hpp"
#include "notspot/io/sources.hpp"

namespace notspot::test {

/// The nodata value of the tests' Int16 signal rasters.
constexpr double kNodataInt16 = -32768;

struct RasterSpec {
  double geotransform[6] = {0, 1, 0, 0, 0, -1};
  int columns = 0;
  int rows = 0;
  GDALDataType type = GDT_Int16;
  std::optional<double> nodata;
  std::optional<int> epsg;  ///< No CRS when empty.
};

/// Writes a one-band GeoTIFF; `values` row-major, row 0 the northern one.
void write_geotiff(const std::filesystem::path& path, const RasterSpec& spec,
                   std::vector<double> values);

/// Writes a vector layer of WKT geometries (any type) with GDAL's `driver_name` (e.g. "GPKG").
void write_vector(const std::filesystem::path& path, const char* driver_name, int epsg,
                  const std::vector<std::string>& wkts);

/// A PROJ transformation called directly, as an oracle independent of CoordinateTransform.
class ProjTransform {
 public:
  ProjTransform(const char* from, const char* to);
  ~ProjTransform();
  ProjTransform(const ProjTransform&) = delete;
  ProjTransform& operator=(const ProjTransform&) = delete;

  engine::Point operator()(engine::Point p) const;

 private:
  PJ_CONTEXT* context_;
  PJ* transform_ = nullptr;
};

/// GEOS overlays called directly, as the oracle of areas and point-in-polygon tests.
class GeosOracle {
 public:
  GEOSContextHandle_t h() const { return geos_.handle(); }
  engine::GeosGeometry own(GEOSGeometry* g, const char* what) const { return geos_.own(g, what); }
  engine::GeosGeometry to_geos(const engine::MultiPolygon& m) const { return geos_.to_geos(m); }

  engine::GeosGeometry wkt(const std::string& text) const;
  engine::GeosGeometry union_of(std::vector<engine::GeosGeometry> parts) const;
  engine::GeosGeometry clone(const GEOSGeometry* g) const;
  engine::GeosGeometry unite(const GEOSGeometry* a, const GEOSGeometry* b) const;
  engine::GeosGeometry intersect(const GEOSGeometry* a, const GEOSGeometry* b) const;
  engine::GeosGeometry subtract(const GEOSGeometry* a, const GEOSGeometry* b) const;
  double area(const GEOSGeometry* g) const;
  bool intersects(const GEOSGeometry* g, engine::Point p) const;
  bool contains(const GEOSGeometry* g, engine::Point p) const;

 private:
  engine::GeosContext geos_;
};

/// A north-up grid as the tests write it (independent of engine::Grid).
struct TestGrid {
  double xmin, ymax, width, height;
  int columns, rows;

  RasterSpec spec(int epsg) const;
  double x(int col) const { return xmin + col * width; }
  double y(int row) const { return ymax - row * height; }
  std::string square_wkt(int col, int row) const;
  /// The cell containing p + (ε, δ), 0 < δ ≪ ε (the east-then-north rule), or nullopt; ε is a
  /// millionth of a cell, far below any distance between a test point and a grid line.
  std::optional<std::pair<int, int>> cell_of(engine::Point p) const;
};

/// A temporary folder for the files a test writes, and layer sources pointing into it.
class LayerFilesTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  io::LayerSource raster_layer(const std::string& file, const std::string& operator_name,
                               const char* rule = ">= -105") const;
  io::LayerSource polygons_layer(const std::string& file, const std::string& operator_name) const;
  static bool contains_text(const io::ProblemLog& log, const std::string& text);

  std::filesystem::path dir_;
  const io::Crs bng_ = io::Crs::from_definition("EPSG:27700", "test");
};

}  // namespace notspot::test
