#include "support/layer_files.hpp"

#include <ogr_api.h>
#include <ogr_srs_api.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>

#include "notspot/engine/coverage_rule.hpp"

namespace notspot::test {

namespace fs = std::filesystem;
using engine::GeosGeometry;
using engine::Point;

void write_geotiff(const fs::path& path, const RasterSpec& spec, std::vector<double> values) {
  GDALAllRegister();
  ASSERT_EQ(values.size(), static_cast<std::size_t>(spec.columns * spec.rows));
  GDALDriverH driver = GDALGetDriverByName("GTiff");
  ASSERT_NE(driver, nullptr);
  GDALDatasetH ds =
      GDALCreate(driver, path.c_str(), spec.columns, spec.rows, 1, spec.type, nullptr);
  ASSERT_NE(ds, nullptr);
  double gt[6];
  std::copy(std::begin(spec.geotransform), std::end(spec.geotransform), gt);
  EXPECT_EQ(GDALSetGeoTransform(ds, gt), CE_None);
  if (spec.epsg) {
    OGRSpatialReferenceH srs = OSRNewSpatialReference(nullptr);
    EXPECT_EQ(OSRImportFromEPSG(srs, *spec.epsg), OGRERR_NONE);
    EXPECT_EQ(GDALSetSpatialRef(ds, srs), CE_None);
    OSRDestroySpatialReference(srs);
  }
  GDALRasterBandH band = GDALGetRasterBand(ds, 1);
  if (spec.nodata) {
    EXPECT_EQ(GDALSetRasterNoDataValue(band, *spec.nodata), CE_None);
  }
  EXPECT_EQ(GDALRasterIO(band, GF_Write, 0, 0, spec.columns, spec.rows, values.data(), spec.columns,
                         spec.rows, GDT_Float64, 0, 0),
            CE_None);
  GDALClose(ds);
}

void write_vector(const fs::path& path, const char* driver_name, int epsg,
                  const std::vector<std::string>& wkts) {
  GDALAllRegister();
  GDALDriverH driver = GDALGetDriverByName(driver_name);
  ASSERT_NE(driver, nullptr);
  GDALDatasetH ds = GDALCreate(driver, path.c_str(), 0, 0, 0, GDT_Unknown, nullptr);
  ASSERT_NE(ds, nullptr);
  OGRSpatialReferenceH srs = OSRNewSpatialReference(nullptr);
  EXPECT_EQ(OSRImportFromEPSG(srs, epsg), OGRERR_NONE);
  OSRSetAxisMappingStrategy(srs, OAMS_TRADITIONAL_GIS_ORDER);
  OGRLayerH layer = GDALDatasetCreateLayer(ds, "footprints", srs, wkbUnknown, nullptr);
  ASSERT_NE(layer, nullptr);
  for (const std::string& wkt : wkts) {
    std::string buffer = wkt;
    char* text = buffer.data();
    OGRGeometryH geometry = nullptr;
    ASSERT_EQ(OGR_G_CreateFromWkt(&text, srs, &geometry), OGRERR_NONE) << wkt;
    OGRFeatureH feature = OGR_F_Create(OGR_L_GetLayerDefn(layer));
    OGR_F_SetGeometryDirectly(feature, geometry);
    EXPECT_EQ(OGR_L_CreateFeature(layer, feature), OGRERR_NONE);
    OGR_F_Destroy(feature);
  }
  OSRDestroySpatialReference(srs);
  GDALClose(ds);
}

ProjTransform::ProjTransform(const char* from, const char* to) : context_(proj_context_create()) {
  PJ* raw = proj_create_crs_to_crs(context_, from, to, nullptr);
  EXPECT_NE(raw, nullptr);
  // Longitude first, as GDAL's geotransform has it.
  transform_ = proj_normalize_for_visualization(context_, raw);
  proj_destroy(raw);
  EXPECT_NE(transform_, nullptr);
}

ProjTransform::~ProjTransform() {
  proj_destroy(transform_);
  proj_context_destroy(context_);
}

Point ProjTransform::operator()(Point p) const {
  const PJ_COORD c = proj_trans(transform_, PJ_FWD, proj_coord(p.x, p.y, 0, 0));
  return {c.xy.x, c.xy.y};
}

GeosGeometry GeosOracle::wkt(const std::string& text) const {
  GEOSWKTReader* reader = GEOSWKTReader_create_r(h());
  GEOSGeometry* g = GEOSWKTReader_read_r(h(), reader, text.c_str());
  GEOSWKTReader_destroy_r(h(), reader);
  return own(g, "WKT read");
}

GeosGeometry GeosOracle::union_of(std::vector<GeosGeometry> parts) const {
  std::vector<GEOSGeometry*> raw;
  for (GeosGeometry& p : parts) raw.push_back(p.release());
  GeosGeometry collection =
      own(GEOSGeom_createCollection_r(h(), GEOS_GEOMETRYCOLLECTION, raw.data(),
                                      static_cast<unsigned>(raw.size())),
          "collection");
  return own(GEOSUnaryUnion_r(h(), collection.get()), "union");
}

GeosGeometry GeosOracle::clone(const GEOSGeometry* g) const {
  return own(GEOSGeom_clone_r(h(), g), "clone");
}

GeosGeometry GeosOracle::unite(const GEOSGeometry* a, const GEOSGeometry* b) const {
  return own(GEOSUnion_r(h(), a, b), "union");
}

GeosGeometry GeosOracle::intersect(const GEOSGeometry* a, const GEOSGeometry* b) const {
  return own(GEOSIntersection_r(h(), a, b), "intersection");
}

GeosGeometry GeosOracle::subtract(const GEOSGeometry* a, const GEOSGeometry* b) const {
  return own(GEOSDifference_r(h(), a, b), "difference");
}

double GeosOracle::area(const GEOSGeometry* g) const {
  double a = -1;
  EXPECT_EQ(GEOSArea_r(h(), g, &a), 1);
  return a;
}

bool GeosOracle::intersects(const GEOSGeometry* g, Point p) const {
  GeosGeometry q = geos_.to_geos(p);
  return GEOSIntersects_r(h(), g, q.get()) == 1;
}

bool GeosOracle::contains(const GEOSGeometry* g, Point p) const {
  GeosGeometry q = geos_.to_geos(p);
  return GEOSContains_r(h(), g, q.get()) == 1;
}

RasterSpec TestGrid::spec(int epsg) const {
  RasterSpec s;
  s.geotransform[0] = xmin;
  s.geotransform[1] = width;
  s.geotransform[3] = ymax;
  s.geotransform[5] = -height;
  s.columns = columns;
  s.rows = rows;
  s.nodata = kNodataInt16;
  s.epsg = epsg;
  return s;
}

std::string TestGrid::square_wkt(int col, int row) const {
  char buffer[256];
  std::snprintf(buffer, sizeof buffer,
                "POLYGON((%.17g %.17g,%.17g %.17g,%.17g %.17g,%.17g %.17g,%.17g %.17g))", x(col),
                y(row + 1), x(col + 1), y(row + 1), x(col + 1), y(row), x(col), y(row), x(col),
                y(row + 1));
  return buffer;
}

std::optional<std::pair<int, int>> TestGrid::cell_of(Point p) const {
  const double u = std::floor((p.x + 1e-6 * width - xmin) / width);
  const double v = std::floor((ymax - (p.y + 1e-9 * height)) / height);
  if (u < 0 || v < 0 || u >= columns || v >= rows) return std::nullopt;
  return std::pair{static_cast<int>(u), static_cast<int>(v)};
}

void LayerFilesTest::SetUp() {
  std::random_device rd;
  dir_ = fs::temp_directory_path() / ("notspot_mobile_" + std::to_string(rd()));
  fs::create_directories(dir_);
}

void LayerFilesTest::TearDown() {
  fs::remove_all(dir_);
}

io::LayerSource LayerFilesTest::raster_layer(const std::string& file,
                                             const std::string& operator_name,
                                             const char* rule) const {
  io::LayerSource layer;
  layer.kind = io::LayerKind::kRaster;
  layer.name = operator_name + "_4g_indoor";
  layer.path = dir_ / file;
  layer.tags = {operator_name, "4G", "indoor"};
  layer.covered_when = *engine::CoverageRule::parse(rule);
  layer.where = {dir_ / "study.toml", 10};
  return layer;
}

io::LayerSource LayerFilesTest::polygons_layer(const std::string& file,
                                               const std::string& operator_name) const {
  io::LayerSource layer = raster_layer(file, operator_name);
  layer.kind = io::LayerKind::kPolygons;
  return layer;
}

bool LayerFilesTest::contains_text(const io::ProblemLog& log, const std::string& text) {
  for (const io::Warning& w : log.warnings())
    if (w.message.find(text) != std::string::npos) return true;
  return false;
}

}  // namespace notspot::test
