// Mobile coverage layers read from real files (GeoTIFF and GeoPackage written here with GDAL),
// premises sampled on them, the land shares of a run, and the Ofcom postcode join.
// Expectations are hand-computed from the values written, computed with PROJ directly (not
// notspot's CoordinateTransform), or come from GEOS overlays of the covered cell squares.

#include <gtest/gtest.h>

// GDAL is a private dependency of notspot_io, so its include folder is not on this target's
// path; Debian installs the headers in /usr/include/gdal, whose own includes are relative.
#include <gdal.h>
#include <geos_c.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>
#include <proj.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "notspot/engine/area_index.hpp"
#include "notspot/engine/error.hpp"
#include "notspot/engine/geos_context.hpp"
#include "notspot/engine/postcode.hpp"
#include "notspot/io/mobile_layers.hpp"
#include "notspot/io/postcode_layer.hpp"
#include "notspot/study/mobile_study.hpp"

namespace notspot::study {
namespace {

using io::AreasSource;
using io::LayerKind;
using io::LayerSource;
using io::MobileTags;
using io::PremisesFormat;
using io::PremisesSource;

namespace fs = std::filesystem;
using engine::GeosContext;
using engine::GeosGeometry;
using engine::MultiPolygon;
using engine::Point;

constexpr double kNodataInt16 = -32768;

// ---- writing test files with GDAL -----------------------------------------------------------

struct RasterSpec {
  double geotransform[6] = {0, 1, 0, 0, 0, -1};
  int columns = 0;
  int rows = 0;
  GDALDataType type = GDT_Int16;
  std::optional<double> nodata;
  std::optional<int> epsg;  ///< No CRS when empty.
};

// Writes a one-band GeoTIFF; `values` row-major, row 0 the northern one.
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

// Writes a vector layer of WKT geometries (any type) with GDAL's `driver` (e.g. "GPKG").
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

// ---- PROJ directly, as an oracle independent of notspot's CoordinateTransform ---------------

class ProjTransform {
 public:
  ProjTransform(const char* from, const char* to) : context_(proj_context_create()) {
    PJ* raw = proj_create_crs_to_crs(context_, from, to, nullptr);
    EXPECT_NE(raw, nullptr);
    // Longitude first, as GDAL's geotransform has it.
    transform_ = proj_normalize_for_visualization(context_, raw);
    proj_destroy(raw);
    EXPECT_NE(transform_, nullptr);
  }
  ~ProjTransform() {
    proj_destroy(transform_);
    proj_context_destroy(context_);
  }
  ProjTransform(const ProjTransform&) = delete;
  ProjTransform& operator=(const ProjTransform&) = delete;

  Point operator()(Point p) const {
    const PJ_COORD c = proj_trans(transform_, PJ_FWD, proj_coord(p.x, p.y, 0, 0));
    return {c.xy.x, c.xy.y};
  }

 private:
  PJ_CONTEXT* context_;
  PJ* transform_ = nullptr;
};

// ---- GEOS oracle ---------------------------------------------------------------------------

class GeosOracle {
 public:
  GEOSContextHandle_t h() const { return geos_.handle(); }
  GeosGeometry own(GEOSGeometry* g, const char* what) const { return geos_.own(g, what); }
  GeosGeometry to_geos(const MultiPolygon& m) const { return geos_.to_geos(m); }

  GeosGeometry wkt(const std::string& text) const {
    GEOSWKTReader* reader = GEOSWKTReader_create_r(h());
    GEOSGeometry* g = GEOSWKTReader_read_r(h(), reader, text.c_str());
    GEOSWKTReader_destroy_r(h(), reader);
    return own(g, "WKT read");
  }
  GeosGeometry union_of(std::vector<GeosGeometry> parts) const {
    std::vector<GEOSGeometry*> raw;
    for (GeosGeometry& p : parts) raw.push_back(p.release());
    GeosGeometry collection =
        own(GEOSGeom_createCollection_r(h(), GEOS_GEOMETRYCOLLECTION, raw.data(),
                                        static_cast<unsigned>(raw.size())),
            "collection");
    return own(GEOSUnaryUnion_r(h(), collection.get()), "union");
  }
  GeosGeometry clone(const GEOSGeometry* g) const { return own(GEOSGeom_clone_r(h(), g), "clone"); }
  GeosGeometry unite(const GEOSGeometry* a, const GEOSGeometry* b) const {
    return own(GEOSUnion_r(h(), a, b), "union");
  }
  GeosGeometry intersect(const GEOSGeometry* a, const GEOSGeometry* b) const {
    return own(GEOSIntersection_r(h(), a, b), "intersection");
  }
  GeosGeometry subtract(const GEOSGeometry* a, const GEOSGeometry* b) const {
    return own(GEOSDifference_r(h(), a, b), "difference");
  }
  double area(const GEOSGeometry* g) const {
    double a = -1;
    EXPECT_EQ(GEOSArea_r(h(), g, &a), 1);
    return a;
  }
  bool intersects(const GEOSGeometry* g, Point p) const {
    GeosGeometry q = geos_.to_geos(p);
    return GEOSIntersects_r(h(), g, q.get()) == 1;
  }
  bool contains(const GEOSGeometry* g, Point p) const {
    GeosGeometry q = geos_.to_geos(p);
    return GEOSContains_r(h(), g, q.get()) == 1;
  }

 private:
  GeosContext geos_;
};

// A north-up grid as the tests write it (independent of engine::Grid).
struct TestGrid {
  double xmin, ymax, width, height;
  int columns, rows;

  RasterSpec spec(int epsg) const {
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
  double x(int col) const { return xmin + col * width; }
  double y(int row) const { return ymax - row * height; }
  std::string square_wkt(int col, int row) const {
    char buffer[256];
    std::snprintf(buffer, sizeof buffer,
                  "POLYGON((%.17g %.17g,%.17g %.17g,%.17g %.17g,%.17g %.17g,%.17g %.17g))", x(col),
                  y(row + 1), x(col + 1), y(row + 1), x(col + 1), y(row), x(col), y(row), x(col),
                  y(row + 1));
    return buffer;
  }
  // The cell containing p + (ε, δ), 0 < δ ≪ ε (the east-then-north rule), or nullopt; ε is a
  // millionth of a cell, far below any distance between a test point and a grid line.
  std::optional<std::pair<int, int>> cell_of(Point p) const {
    const double u = std::floor((p.x + 1e-6 * width - xmin) / width);
    const double v = std::floor((ymax - (p.y + 1e-9 * height)) / height);
    if (u < 0 || v < 0 || u >= columns || v >= rows) return std::nullopt;
    return std::pair{static_cast<int>(u), static_cast<int>(v)};
  }
};

// ---- fixtures ------------------------------------------------------------------------------

class MobileLayersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device rd;
    dir_ = fs::temp_directory_path() / ("notspot_mobile_" + std::to_string(rd()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  LayerSource raster_layer(const std::string& file, const std::string& operator_name,
                           const char* rule = ">= -105") const {
    LayerSource layer;
    layer.kind = LayerKind::kRaster;
    layer.name = operator_name + "_4g_indoor";
    layer.path = dir_ / file;
    layer.tags = {operator_name, "4G", "indoor"};
    layer.covered_when = *engine::CoverageRule::parse(rule);
    layer.where = {dir_ / "study.toml", 10};
    return layer;
  }
  LayerSource polygons_layer(const std::string& file, const std::string& operator_name) const {
    LayerSource layer = raster_layer(file, operator_name);
    layer.kind = LayerKind::kPolygons;
    return layer;
  }
  static bool contains_text(const io::ProblemLog& log, const std::string& text) {
    for (const io::Warning& w : log.warnings())
      if (w.message.find(text) != std::string::npos) return true;
    return false;
  }

  fs::path dir_;
  const io::Crs bng_ = io::Crs::from_definition("EPSG:27700", "test");
};

// ---- read_coverage_raster and premises_coverage ---------------------------------------------

// 5 x 4 cells of 100 m from (400000, 100500), north-up. Rule ">= -105"; N = nodata.
//            col 0    1      2      3       4
//   row 0:   -90    -106   -105   N       -80      covered: 0, 2, 4
//   row 1:   -120   -110   -104   -60     N        covered: 2, 3
//   row 2:   N      -99    -130   -106    -100     covered: 1, 4
//   row 3:   -101   -200   -105   -50     -107     covered: 0, 2, 3
const TestGrid kSmall{400000, 100500, 100, 100, 5, 4};
const std::vector<double> kSmallValues = {
    -90,          -106, -105, kNodataInt16, -80,           //
    -120,         -110, -104, -60,          kNodataInt16,  //
    kNodataInt16, -99,  -130, -106,         -100,          //
    -101,         -200, -105, -50,          -107,
};
const std::vector<bool> kSmallCovered = {
    true,  false, true,  false, true,   //
    false, false, true,  true,  false,  //
    false, true,  false, false, true,   //
    true,  false, true,  true,  false,
};

TEST_F(MobileLayersTest, GeoTiffCoveredAndNodataBits) {
  write_geotiff(dir_ / "ee.tif", kSmall.spec(27700), kSmallValues);
  io::ProblemLog log;
  const io::CoverageRaster r =
      io::read_coverage_raster(raster_layer("ee.tif", "EE"), "ee.tif", log);
  EXPECT_EQ(r.crs.authority_code(), "EPSG:27700");
  const engine::Grid& g = r.coverage.grid;
  EXPECT_EQ(g.xmin, 400000);
  EXPECT_EQ(g.ymax, 100500);
  EXPECT_EQ(g.cell_width, 100);
  EXPECT_EQ(g.cell_height, 100);
  EXPECT_EQ(g.columns, 5u);
  EXPECT_EQ(g.rows, 4u);
  EXPECT_EQ(r.covered_cells, 10u);
  EXPECT_EQ(r.nodata_cells, 3u);
  for (std::size_t k = 0; k < kSmallValues.size(); ++k) {
    EXPECT_EQ(r.coverage.covered.test(k), kSmallCovered[k]) << "cell " << k;
    EXPECT_EQ(r.coverage.nodata.test(k), kSmallValues[k] == kNodataInt16) << "cell " << k;
  }
  EXPECT_NE(r.description.find("5 x 4 cells of 100 x 100"), std::string::npos) << r.description;
  EXPECT_NE(r.description.find("Int16"), std::string::npos) << r.description;
  EXPECT_NE(r.description.find("nodata -32768"), std::string::npos) << r.description;
  EXPECT_TRUE(log.warnings().empty());
}

// The boundary rule of Grid::cell_of (and of AreaIndex): a premise on a cell border takes the
// cell east of it, then north of it, i.e. the cell containing p + (ε, δ) with 0 < δ ≪ ε. So a
// cell holds its west and south borders, and a corner takes the north-east cell of the four.
// (GDAL's own pixel lookup, floor((ymax - y) / height), would take the southern cell.)
TEST_F(MobileLayersTest, PremisesOnCellBordersTakeTheCellEastThenNorth) {
  write_geotiff(dir_ / "ee.tif", kSmall.spec(27700), kSmallValues);
  io::ProblemLog log;
  const io::CoverageRaster r =
      io::read_coverage_raster(raster_layer("ee.tif", "EE"), "ee.tif", log);
  struct Case {
    Point p;
    enum { kCovered, kNotCovered, kNodata, kOff } expected;
    const char* why;
  };
  const std::vector<Case> cases = {
      {{400050, 100450}, Case::kCovered, "centre of (0,0)"},
      {{400200, 100350}, Case::kCovered, "between (1,1) and (2,1): east, (2,1), covered"},
      {{400350, 100300}, Case::kCovered, "between (3,1) and (3,2): north, (3,1), covered"},
      {{400050, 100400}, Case::kCovered, "between (0,0) and (0,1): north, (0,0), covered"},
      {{400400, 100300}, Case::kNodata, "corner of (3,1) (4,1) (3,2) (4,2): (4,1), nodata"},
      {{400100, 100200}, Case::kCovered, "corner of (0,2) (1,2) (0,3) (1,3): (1,2), covered"},
      {{400100, 100400}, Case::kNotCovered, "corner of (0,0) (1,0) (0,1) (1,1): (1,0)"},
      {{400000, 100150}, Case::kCovered, "the grid's west edge: (0,3)"},
      {{400250, 100100}, Case::kCovered, "the grid's south edge: (2,3)"},
      {{400500, 100250}, Case::kOff, "the grid's east edge"},
      {{400050, 100500}, Case::kOff, "the grid's north edge"},
      {{400000, 100100}, Case::kCovered, "the grid's south-west corner: (0,3)"},
      {{400350, 100450}, Case::kNodata, "centre of nodata (3,0)"},
      {{400300, 100450}, Case::kNodata, "between (2,0) and nodata (3,0): east, (3,0)"},
      {{400250, 100250}, Case::kNotCovered, "centre of (2,2)"},
      {{500000, 500000}, Case::kOff, "far away"},
      {{399999.99, 100450}, Case::kOff, "just west of the grid"},
  };
  engine::PremisesTable premises;
  for (std::size_t i = 0; i < cases.size(); ++i)
    premises.push_back(i, cases[i].p.x, cases[i].p.y, i);
  const io::PremisesCoverage c = io::premises_coverage(r, premises, bng_);
  ASSERT_EQ(c.covered.size(), cases.size());
  std::uint64_t nodata = 0, off = 0;
  for (std::size_t i = 0; i < cases.size(); ++i) {
    EXPECT_EQ(c.covered.test(i), cases[i].expected == Case::kCovered) << cases[i].why;
    nodata += cases[i].expected == Case::kNodata;
    off += cases[i].expected == Case::kOff;
  }
  EXPECT_EQ(nodata, 3u);
  EXPECT_EQ(off, 4u);
  EXPECT_EQ(c.on_nodata, nodata);
  EXPECT_EQ(c.off_layer, off);
}

TEST_F(MobileLayersTest, RasterInAnotherCrsThanTheStudy) {
  // A lon/lat raster: 20 x 20 cells of 0.01° x 0.005° from (-2.5°, 50.8°), values 0/1 with
  // nodata 255, rule "== 1". Premises in British National Grid metres.
  const TestGrid grid{-2.5, 50.8, 0.01, 0.005, 20, 20};
  RasterSpec spec = grid.spec(4326);
  spec.type = GDT_Byte;
  spec.nodata = 255;
  std::mt19937_64 rng(4326);
  std::uniform_int_distribution<int> value(0, 9);
  std::vector<double> values;
  for (int k = 0; k < grid.columns * grid.rows; ++k) {
    const int v = value(rng);
    values.push_back(v == 0 ? 255 : v <= 5 ? 1 : 0);
  }
  write_geotiff(dir_ / "lonlat.tif", spec, values);
  io::ProblemLog log;
  const io::CoverageRaster r =
      io::read_coverage_raster(raster_layer("lonlat.tif", "Three", "== 1"), "lonlat.tif", log);
  EXPECT_TRUE(r.crs.is_geographic());

  // Premises scattered over the raster's extent and beyond (it spans about x 365-379 km,
  // y 89-100 km); expected cells from PROJ's own transformation to lon/lat.
  const ProjTransform to_lonlat("EPSG:27700", "EPSG:4326");
  std::uniform_real_distribution<double> x(362000, 382000), y(86000, 103000);
  engine::PremisesTable premises;
  std::vector<int> expected;  // 1 covered, 0 not, -1 nodata, -2 off the raster
  while (premises.size() < 600) {
    const Point p{x(rng), y(rng)};
    const Point ll = to_lonlat(p);
    // Keep clear of cell edges (1e-7° is about 1 cm) so that the expectation is unambiguous.
    const double u = (ll.x - grid.xmin) / grid.width, v = (grid.ymax - ll.y) / grid.height;
    if (std::abs(u - std::round(u)) < 1e-5 || std::abs(v - std::round(v)) < 2e-5) continue;
    const auto cell = grid.cell_of(ll);
    if (!cell) {
      expected.push_back(-2);
    } else {
      const double value_here =
          values[static_cast<std::size_t>(cell->second * grid.columns + cell->first)];
      expected.push_back(value_here == 255 ? -1 : value_here == 1 ? 1 : 0);
    }
    premises.push_back(premises.size(), p.x, p.y, premises.size());
  }
  const io::PremisesCoverage c = io::premises_coverage(r, premises, bng_);
  std::uint64_t nodata = 0, off = 0, covered = 0;
  for (std::size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(c.covered.test(i), expected[i] == 1)
        << "premise " << i << " at " << premises.x[i] << ", " << premises.y[i];
    nodata += expected[i] == -1;
    off += expected[i] == -2;
    covered += expected[i] == 1;
  }
  // The sample exercises every outcome.
  EXPECT_GT(covered, 100u);
  EXPECT_GT(nodata, 10u);
  EXPECT_GT(off, 50u);
  EXPECT_EQ(c.on_nodata, nodata);
  EXPECT_EQ(c.off_layer, off);
}

TEST_F(MobileLayersTest, RasterWithoutCrsNeedsADeclaration) {
  RasterSpec spec = kSmall.spec(27700);
  spec.epsg.reset();
  write_geotiff(dir_ / "nocrs.tif", spec, kSmallValues);
  io::ProblemLog log;
  LayerSource layer = raster_layer("nocrs.tif", "EE");
  try {
    io::read_coverage_raster(layer, "nocrs.tif", log);
    FAIL() << "a raster without CRS was accepted";
  } catch (const engine::Error& e) {
    EXPECT_EQ(e.kind(), engine::ErrorKind::kStudy);
    EXPECT_NE(std::string(e.what()).find("nocrs.tif"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("crs = "), std::string::npos) << e.what();
  }
  layer.crs = "EPSG:27700";
  const io::CoverageRaster r = io::read_coverage_raster(layer, "nocrs.tif", log);
  EXPECT_EQ(r.crs.authority_code(), "EPSG:27700");
  EXPECT_EQ(r.covered_cells, 10u);
}

TEST_F(MobileLayersTest, RotatedOrSouthUpRasterIsRefused) {
  RasterSpec rotated = kSmall.spec(27700);
  rotated.geotransform[2] = 10;
  rotated.geotransform[4] = 10;
  write_geotiff(dir_ / "rotated.tif", rotated, kSmallValues);
  RasterSpec south_up = kSmall.spec(27700);
  south_up.geotransform[3] = 100100;
  south_up.geotransform[5] = 100;
  write_geotiff(dir_ / "south_up.tif", south_up, kSmallValues);
  for (const char* file : {"rotated.tif", "south_up.tif"}) {
    io::ProblemLog log;
    try {
      io::read_coverage_raster(raster_layer(file, "EE"), file, log);
      FAIL() << file << " was accepted";
    } catch (const engine::Error& e) {
      EXPECT_EQ(e.kind(), engine::ErrorKind::kInput);
      EXPECT_NE(std::string(e.what()).find("rotated"), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find(file), std::string::npos) << e.what();
    }
  }
}

TEST_F(MobileLayersTest, NanCellsOfAFloatRasterAreNodata) {
  // Float32 without a declared nodata value: NaN cells are nodata all the same.
  RasterSpec spec = kSmall.spec(27700);
  spec.type = GDT_Float32;
  spec.nodata.reset();
  std::vector<double> values = kSmallValues;
  for (double& v : values)
    if (v == kNodataInt16) v = std::nan("");
  write_geotiff(dir_ / "float.tif", spec, values);
  io::ProblemLog log;
  const io::CoverageRaster r =
      io::read_coverage_raster(raster_layer("float.tif", "EE"), "float.tif", log);
  EXPECT_EQ(r.covered_cells, 10u);
  EXPECT_EQ(r.nodata_cells, 3u);
  for (std::size_t k = 0; k < values.size(); ++k) {
    EXPECT_EQ(r.coverage.covered.test(k), kSmallCovered[k]) << "cell " << k;
    EXPECT_EQ(r.coverage.nodata.test(k), std::isnan(values[k])) << "cell " << k;
  }
}

// A mask band (here an internal per-dataset mask, as gdal_translate -mask writes) decides
// nodata even where the value itself looks valid; a 16-bit unsigned raster without nodata has
// every cell valid.
TEST_F(MobileLayersTest, MaskBandsAndUnsignedCellsAreHonoured) {
  GDALAllRegister();
  const fs::path masked = dir_ / "masked.tif";
  {
    GDALDatasetH ds = GDALCreate(GDALGetDriverByName("GTiff"), masked.c_str(), kSmall.columns,
                                 kSmall.rows, 1, GDT_Int16, nullptr);
    ASSERT_NE(ds, nullptr);
    double gt[6];
    const RasterSpec spec = kSmall.spec(27700);
    std::copy(std::begin(spec.geotransform), std::end(spec.geotransform), gt);
    GDALSetGeoTransform(ds, gt);
    OGRSpatialReferenceH srs = OSRNewSpatialReference(nullptr);
    OSRImportFromEPSG(srs, 27700);
    GDALSetSpatialRef(ds, srs);
    OSRDestroySpatialReference(srs);
    GDALRasterBandH band = GDALGetRasterBand(ds, 1);
    std::vector<double> values(kSmallValues.size(), -90);  // all covered by value
    ASSERT_EQ(GDALRasterIO(band, GF_Write, 0, 0, kSmall.columns, kSmall.rows, values.data(),
                           kSmall.columns, kSmall.rows, GDT_Float64, 0, 0),
              CE_None);
    ASSERT_EQ(GDALCreateDatasetMaskBand(ds, GMF_PER_DATASET), CE_None);
    std::vector<GByte> mask(kSmallValues.size(), 255);
    mask[1] = mask[7] = mask[19] = 0;
    ASSERT_EQ(GDALRasterIO(GDALGetMaskBand(band), GF_Write, 0, 0, kSmall.columns, kSmall.rows,
                           mask.data(), kSmall.columns, kSmall.rows, GDT_Byte, 0, 0),
              CE_None);
    GDALClose(ds);
  }
  io::ProblemLog log;
  const io::CoverageRaster r =
      io::read_coverage_raster(raster_layer("masked.tif", "EE"), "masked.tif", log);
  EXPECT_EQ(r.nodata_cells, 3u);
  EXPECT_EQ(r.covered_cells, kSmallValues.size() - 3);
  for (std::size_t k = 0; k < kSmallValues.size(); ++k) {
    const bool masked_out = k == 1 || k == 7 || k == 19;
    EXPECT_EQ(r.coverage.nodata.test(k), masked_out) << "cell " << k;
    EXPECT_EQ(r.coverage.covered.test(k), !masked_out) << "cell " << k;
  }

  // UInt16 class codes, no nodata: 65535 is an ordinary value; rule "in [3, 65535]".
  RasterSpec spec = kSmall.spec(27700);
  spec.type = GDT_UInt16;
  spec.nodata.reset();
  std::vector<double> classes;
  for (std::size_t k = 0; k < kSmallValues.size(); ++k) {
    classes.push_back(k % 3 == 0 ? 3 : k % 3 == 1 ? 65535 : 4);
  }
  write_geotiff(dir_ / "classes.tif", spec, classes);
  const io::CoverageRaster c = io::read_coverage_raster(
      raster_layer("classes.tif", "EE", "in [3, 65535]"), "classes.tif", log);
  EXPECT_EQ(c.nodata_cells, 0u);
  for (std::size_t k = 0; k < classes.size(); ++k) {
    EXPECT_EQ(c.coverage.covered.test(k), classes[k] != 4) << "cell " << k;
  }
}

// Rasters on one grid are sampled in one pass, 16 layers per packed word: 18 layers need two
// words. Every premise's expected state comes from the values written, through the test's own
// cell lookup.
TEST_F(MobileLayersTest, RastersSampledTogetherAgreeWithTheirValues) {
  const TestGrid grid{400000, 101000, 50, 50, 23, 17};
  constexpr int kLayers = 18;
  std::mt19937_64 rng(18);
  std::uniform_int_distribution<int> signal(-125, -85);
  std::vector<std::vector<double>> values(kLayers);
  std::vector<io::CoverageRaster> rasters;
  io::ProblemLog log;
  for (int l = 0; l < kLayers; ++l) {
    for (int k = 0; k < grid.columns * grid.rows; ++k) {
      values[l].push_back(rng() % 7 == 0 ? kNodataInt16 : signal(rng));
    }
    const std::string file = "layer" + std::to_string(l) + ".tif";
    write_geotiff(dir_ / file, grid.spec(27700), values[l]);
    rasters.push_back(io::read_coverage_raster(raster_layer(file, "EE"), file, log));
  }
  std::uniform_real_distribution<double> x(399900, 401250), y(100050, 101100);
  engine::PremisesTable premises;
  for (std::size_t i = 0; i < 5000; ++i) premises.push_back(i, x(rng), y(rng), i);

  std::vector<const io::CoverageRaster*> together;
  for (const io::CoverageRaster& r : rasters) together.push_back(&r);
  const std::vector<io::PremisesCoverage> sampled = io::premises_coverage(together, premises, bng_);
  ASSERT_EQ(sampled.size(), static_cast<std::size_t>(kLayers));
  for (int l = 0; l < kLayers; ++l) {
    std::uint64_t nodata = 0, off = 0;
    for (std::size_t i = 0; i < premises.size(); ++i) {
      const auto cell = grid.cell_of({premises.x[i], premises.y[i]});
      const double v =
          cell ? values[l][static_cast<std::size_t>(cell->second * grid.columns + cell->first)]
               : kNodataInt16;
      off += !cell;
      nodata += cell && v == kNodataInt16;
      EXPECT_EQ(sampled[l].covered.test(i), cell && v != kNodataInt16 && v >= -105)
          << "layer " << l << ", premise " << i;
    }
    EXPECT_GT(off, 100u);
    EXPECT_EQ(sampled[l].off_layer, off) << "layer " << l;
    EXPECT_EQ(sampled[l].on_nodata, nodata) << "layer " << l;
  }

  // Rasters on different grids cannot share a packed word.
  const TestGrid other{400000, 101000, 100, 100, 5, 5};
  write_geotiff(dir_ / "other.tif", other.spec(27700), std::vector<double>(25, -90));
  const io::CoverageRaster different =
      io::read_coverage_raster(raster_layer("other.tif", "EE"), "other.tif", log);
  together.push_back(&different);
  EXPECT_THROW(io::premises_coverage(together, premises, bng_), engine::Error);
}

TEST_F(MobileLayersTest, MissingBandAndUnreadableFile) {
  write_geotiff(dir_ / "ee.tif", kSmall.spec(27700), kSmallValues);
  io::ProblemLog log;
  LayerSource layer = raster_layer("ee.tif", "EE");
  layer.band = 2;
  try {
    io::read_coverage_raster(layer, "ee.tif", log);
    FAIL();
  } catch (const engine::Error& e) {
    EXPECT_EQ(e.kind(), engine::ErrorKind::kStudy);
  }
  std::ofstream(dir_ / "junk.tif") << "not a raster";
  try {
    io::read_coverage_raster(raster_layer("junk.tif", "EE"), "junk.tif", log);
    FAIL();
  } catch (const engine::Error& e) {
    EXPECT_EQ(e.kind(), engine::ErrorKind::kInput);
    EXPECT_NE(std::string(e.what()).find("junk.tif"), std::string::npos) << e.what();
  }
}

// ---- read_coverage_footprints -----------------------------------------------------------------

// Footprints around (400000, 100000): two overlapping squares (overlap 50 x 50 = 2500), a
// bow-tie (two triangles of 2500 each after repair) and a point (no area).
std::vector<std::string> footprint_wkts() {
  return {
      "POLYGON((400000 100000,400100 100000,400100 100100,400000 100100,400000 100000))",
      "POLYGON((400050 100050,400150 100050,400150 100150,400050 100150,400050 100050))",
      "POLYGON((400200 100000,400300 100100,400300 100000,400200 100100,400200 100000))",
      "POINT(400500 100500)",
  };
}

TEST_F(MobileLayersTest, FootprintsAreRepairedAndDissolved) {
  write_vector(dir_ / "fp.gpkg", "GPKG", 27700, footprint_wkts());
  io::ProblemLog log;
  const io::CoverageFootprints f =
      io::read_coverage_footprints(polygons_layer("fp.gpkg", "O2"), bng_, "fp.gpkg", log);
  EXPECT_EQ(f.features, 4u);
  EXPECT_EQ(f.repaired, 1u);
  EXPECT_EQ(f.not_polygons, 1u);

  // Oracle: GEOS's own union of the squares and the made-valid bow-tie.
  GeosOracle geos;
  std::vector<GeosGeometry> parts;
  parts.push_back(geos.wkt(footprint_wkts()[0]));
  parts.push_back(geos.wkt(footprint_wkts()[1]));
  const GeosGeometry bow_tie = geos.wkt(footprint_wkts()[2]);
  EXPECT_EQ(GEOSisValid_r(geos.h(), bow_tie.get()), 0);
  GeosGeometry repaired = geos.own(GEOSMakeValid_r(geos.h(), bow_tie.get()), "make-valid");
  const double repaired_area = geos.area(repaired.get());
  EXPECT_NEAR(repaired_area, 5000, 1e-9);  // by hand: two triangles of 100 x 50 / 2
  parts.push_back(std::move(repaired));
  const GeosGeometry union_geos = geos.union_of(std::move(parts));
  const double union_area = geos.area(union_geos.get());
  EXPECT_NEAR(union_area, 22500, 1e-9);  // by hand: 10000 + 10000 - 2500 + 5000

  const GeosGeometry ours = geos.to_geos(f.union_geometry);
  EXPECT_EQ(GEOSisValid_r(geos.h(), ours.get()), 1);
  EXPECT_NEAR(geos.area(ours.get()), union_area, 1e-9 * union_area);
  EXPECT_NEAR(f.overlap_area, 2500, 1e-9 * union_area);
  // Same region: nothing in one and not the other.
  EXPECT_NEAR(geos.area(geos.subtract(ours.get(), union_geos.get()).get()), 0, 1e-6);
  EXPECT_NEAR(geos.area(geos.subtract(union_geos.get(), ours.get()).get()), 0, 1e-6);

  EXPECT_TRUE(contains_text(log, "feature 3: invalid footprint")) << "repair not reported";
  EXPECT_TRUE(contains_text(log, "footprints overlap (2500.0")) << "overlap not reported";
  EXPECT_TRUE(contains_text(log, "1 features have no polygon")) << "point not reported";
}

TEST_F(MobileLayersTest, FootprintsInLonLatAreReprojected) {
  // A GeoJSON quadrilateral in lon/lat; notspot reprojects its vertices, so its area in BNG is
  // the shoelace area of the four vertices transformed by PROJ.
  const std::vector<Point> lonlat = {
      {-2.40, 50.70}, {-2.39, 50.70}, {-2.39, 50.71}, {-2.40, 50.71}};
  std::ofstream(dir_ / "fp.geojson")
      << R"({"type":"FeatureCollection","features":[{"type":"Feature","properties":{},)"
      << R"("geometry":{"type":"Polygon","coordinates":[[[-2.40,50.70],[-2.39,50.70],)"
      << R"([-2.39,50.71],[-2.40,50.71],[-2.40,50.70]]]}}]})";
  io::ProblemLog log;
  const io::CoverageFootprints f =
      io::read_coverage_footprints(polygons_layer("fp.geojson", "O2"), bng_, "fp.geojson", log);
  const ProjTransform to_bng("EPSG:4326", "EPSG:27700");
  double twice_area = 0;
  for (std::size_t k = 0; k < lonlat.size(); ++k) {
    const Point a = to_bng(lonlat[k]), b = to_bng(lonlat[(k + 1) % lonlat.size()]);
    twice_area += a.x * b.y - b.x * a.y;
  }
  ASSERT_EQ(f.union_geometry.size(), 1u);
  ASSERT_EQ(f.union_geometry[0].exterior.size(), 4u);
  EXPECT_NEAR(engine::area(f.union_geometry), std::abs(twice_area) / 2, 1e-6);
  const Point sw = to_bng(lonlat[0]);
  bool has_sw = false;
  for (Point p : f.union_geometry[0].exterior)
    has_sw |= std::abs(p.x - sw.x) < 1e-6 && std::abs(p.y - sw.y) < 1e-6;
  EXPECT_TRUE(has_sw) << "the south-west corner is not at PROJ's " << sw.x << ", " << sw.y;
  EXPECT_EQ(f.repaired, 0u);
  EXPECT_EQ(f.overlap_area, 0);
}

TEST_F(MobileLayersTest, FootprintLayerWithoutPolygonsCoversNothing) {
  write_vector(dir_ / "points.gpkg", "GPKG", 27700,
               {"POINT(400000 100000)", "LINESTRING(400000 100000,400100 100100)"});
  io::ProblemLog log;
  const io::CoverageFootprints f =
      io::read_coverage_footprints(polygons_layer("points.gpkg", "O2"), bng_, "points.gpkg", log);
  EXPECT_EQ(f.features, 2u);
  EXPECT_EQ(f.not_polygons, 2u);
  EXPECT_TRUE(f.union_geometry.empty());
  EXPECT_EQ(f.overlap_area, 0);
  engine::PremisesTable premises;
  premises.push_back(1, 400050, 100050, 2);
  const io::PremisesCoverage c = io::premises_coverage(f, premises);
  ASSERT_EQ(c.covered.size(), 1u);
  EXPECT_FALSE(c.covered.test(0));
}

TEST_F(MobileLayersTest, PremisesInFootprintsAgreeWithGeos) {
  write_vector(dir_ / "fp.gpkg", "GPKG", 27700, footprint_wkts());
  io::ProblemLog log;
  const io::CoverageFootprints f =
      io::read_coverage_footprints(polygons_layer("fp.gpkg", "O2"), bng_, "fp.gpkg", log);
  GeosOracle geos;
  std::vector<GeosGeometry> parts;
  parts.push_back(geos.wkt(footprint_wkts()[0]));
  parts.push_back(geos.wkt(footprint_wkts()[1]));
  const GeosGeometry bow_tie = geos.wkt(footprint_wkts()[2]);
  parts.push_back(geos.own(GEOSMakeValid_r(geos.h(), bow_tie.get()), "make-valid"));
  const GeosGeometry oracle = geos.union_of(std::move(parts));

  engine::PremisesTable premises;
  std::vector<bool> expected;
  // Random points away from boundaries: GEOS's interior test.
  std::mt19937_64 rng(99);
  std::uniform_real_distribution<double> x(399980, 400320), y(99980, 100170);
  while (premises.size() < 3000) {
    const Point p{x(rng), y(rng)};
    const bool inside = geos.contains(oracle.get(), p);
    if (inside != geos.intersects(oracle.get(), p)) continue;  // on a boundary
    premises.push_back(premises.size(), p.x, p.y, 0);
    expected.push_back(inside);
  }
  // Boundary points, by the "east, then north" rule (a point on an edge belongs to the side
  // east of it, or north of it on an east-west edge).
  const std::vector<std::pair<Point, bool>> boundary = {
      {{400000, 100050}, true},   // west edge of the first square
      {{400150, 100100}, false},  // east edge of the second square
      {{400050, 100000}, true},   // south edge of the first square
      {{400100, 100150}, false},  // north edge of the second square
      {{400100, 100025}, false},  // east edge of the first square, below the second
      {{400050, 100075}, true},   // west edge of the second square, inside the first
      {{400250, 100050}, true},   // where the bow-tie's triangles touch: the east one takes it
      {{400200, 100050}, true},   // west edge of the bow-tie
      {{400300, 100050}, false},  // east edge of the bow-tie
  };
  for (const auto& [p, inside] : boundary) {
    premises.push_back(premises.size(), p.x, p.y, 0);
    expected.push_back(inside);
  }
  const io::PremisesCoverage c = io::premises_coverage(f, premises);
  std::size_t inside_count = 0;
  for (std::size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(c.covered.test(i), expected[i]) << premises.x[i] << ", " << premises.y[i];
    inside_count += expected[i];
  }
  EXPECT_GT(inside_count, 500u);
  EXPECT_EQ(c.on_nodata, 0u);
  EXPECT_EQ(c.off_layer, 0u);
}

// ---- run_mobile_layers -------------------------------------------------------------------------

// A 12 x 10 grid of 100 m x 75 m cells from (400013.75, 100987.25): x 400013.75..401213.75,
// y 100237.25..100987.25; three operators' Int16 signal rasters with some nodata. The origin is
// not a multiple of the cell size, but every grid line is an exact binary number, so that
// premises placed exactly on grid lines are on them for every computation.
const TestGrid kRunGrid{400013.75, 100987.25, 100, 75, 12, 10};

std::vector<std::vector<double>> run_values() {
  std::mt19937_64 rng(31);
  std::uniform_int_distribution<int> signal(-130, -80);
  std::uniform_real_distribution<double> unit(0, 1);
  std::vector<std::vector<double>> out(3);
  for (auto& values : out) {
    for (int k = 0; k < kRunGrid.columns * kRunGrid.rows; ++k) {
      values.push_back(unit(rng) < 0.07 ? kNodataInt16 : signal(rng));
    }
  }
  return out;
}

bool covered_value(double v) {
  return v != kNodataInt16 && v >= -105;
}

// Three areas, not aligned with the grid: P1 with a hole, P2 sharing P1's east edge and running
// beyond the grid to the east and north, P3 a sliver inside the grid plus a part off it.
std::vector<io::Area> run_areas() {
  std::vector<io::Area> areas(3);
  areas[0].id = "P1";
  areas[0].geometry = {
      {{{400100.5, 100300.25}, {400700.3, 100280.1}, {400650.2, 100900.7}, {400150.9, 100850.4}},
       {{{400300, 100500}, {400300, 100600}, {400400, 100600}, {400400, 100500}}}}};
  areas[1].id = "P2";
  areas[1].geometry = {
      {{{400700.3, 100280.1}, {401400, 100300}, {401350, 101100}, {400650.2, 100900.7}}, {}}};
  areas[2].id = "P3";
  areas[2].geometry = {{{{400050, 100950}, {400090, 100960}, {400060, 100980}}, {}},
                       {{{399000, 100000}, {399500, 100000}, {399500, 100500}}, {}}};
  for (io::Area& a : areas) a.name = a.id;
  return areas;
}

// Land shares computed with GEOS: each operator's coverage is the union of its covered cell
// squares (plus any extra footprint), clipped to each area.
struct LandOracle {
  std::vector<double> area, any, all, nodata;
  std::vector<std::vector<double>> by_operator;  // [area][operator]
};

LandOracle land_oracle(const std::vector<io::Area>& areas,
                       const std::vector<std::vector<double>>& values,
                       const std::vector<std::string>& extra_wkt, std::size_t nodata_layers) {
  GeosOracle geos;
  std::vector<GeosGeometry> covered;
  for (std::size_t op = 0; op < values.size(); ++op) {
    std::vector<GeosGeometry> squares;
    for (int row = 0; row < kRunGrid.rows; ++row)
      for (int col = 0; col < kRunGrid.columns; ++col)
        if (covered_value(values[op][static_cast<std::size_t>(row * kRunGrid.columns + col)]))
          squares.push_back(geos.wkt(kRunGrid.square_wkt(col, row)));
    if (!extra_wkt[op].empty()) squares.push_back(geos.wkt(extra_wkt[op]));
    covered.push_back(geos.union_of(std::move(squares)));
  }
  GeosGeometry any = geos.clone(covered[0].get()), all = geos.clone(covered[0].get());
  for (std::size_t op = 1; op < covered.size(); ++op) {
    any = geos.unite(any.get(), covered[op].get());
    all = geos.intersect(all.get(), covered[op].get());
  }
  std::vector<GeosGeometry> grid_squares, nodata_squares;
  for (int row = 0; row < kRunGrid.rows; ++row) {
    for (int col = 0; col < kRunGrid.columns; ++col) {
      grid_squares.push_back(geos.wkt(kRunGrid.square_wkt(col, row)));
      bool nodata = false;
      for (std::size_t op = 0; op < nodata_layers; ++op)
        nodata |=
            values[op][static_cast<std::size_t>(row * kRunGrid.columns + col)] == kNodataInt16;
      if (nodata) nodata_squares.push_back(geos.wkt(kRunGrid.square_wkt(col, row)));
    }
  }
  const GeosGeometry valid = geos.subtract(geos.union_of(std::move(grid_squares)).get(),
                                           geos.union_of(std::move(nodata_squares)).get());
  LandOracle o;
  for (const io::Area& a : areas) {
    const GeosGeometry g = geos.to_geos(a.geometry);
    const double total = geos.area(g.get());
    o.area.push_back(total);
    o.any.push_back(geos.area(geos.intersect(g.get(), any.get()).get()));
    o.all.push_back(geos.area(geos.intersect(g.get(), all.get()).get()));
    o.nodata.push_back(total - geos.area(geos.intersect(g.get(), valid.get()).get()));
    o.by_operator.emplace_back();
    for (const GeosGeometry& c : covered)
      o.by_operator.back().push_back(geos.area(geos.intersect(g.get(), c.get()).get()));
  }
  return o;
}

void expect_land(const std::vector<engine::GroupAreaCoverage>& land, const LandOracle& o,
                 bool check_nodata) {
  ASSERT_EQ(land.size(), o.area.size());
  for (std::size_t a = 0; a < land.size(); ++a) {
    SCOPED_TRACE("area " + std::to_string(a));
    const double tolerance = 1e-9 * o.area[a];
    EXPECT_NEAR(land[a].area, o.area[a], tolerance);
    ASSERT_EQ(land[a].by_operator.size(), o.by_operator[a].size());
    for (std::size_t op = 0; op < o.by_operator[a].size(); ++op) {
      EXPECT_NEAR(land[a].by_operator[op], o.by_operator[a][op], tolerance) << "operator " << op;
    }
    EXPECT_NEAR(land[a].any, o.any[a], tolerance);
    EXPECT_NEAR(land[a].all, o.all[a], tolerance);
    if (check_nodata) {
      EXPECT_NEAR(land[a].nodata, o.nodata[a], tolerance);
    }
  }
}

class RunMobileLayersTest : public MobileLayersTest {
 protected:
  void SetUp() override {
    MobileLayersTest::SetUp();
    values_ = run_values();
    const char* files[] = {"ee.tif", "three.tif", "o2.tif"};
    for (std::size_t op = 0; op < 3; ++op)
      write_geotiff(dir_ / files[op], kRunGrid.spec(27700), values_[op]);
    study_.file = dir_ / "study.toml";
    study_.name = "mobile test";
    areas_ = run_areas();
    // Premises at random in and around the grid, assigned round-robin to the areas (and
    // outside); their cells from the values written.
    std::mt19937_64 rng(7);
    std::uniform_real_distribution<double> x(399900, 401300), y(100150, 101050);
    for (std::size_t i = 0; i < 2000; ++i) add_premise({x(rng), y(rng)});
    // And premises exactly on the grid lines: every cell corner and the middle of every cell
    // side, including the grid's outer border.
    for (int row = 0; row <= kRunGrid.rows; ++row) {
      for (int col = 0; col <= kRunGrid.columns; ++col) {
        add_premise({kRunGrid.x(col), kRunGrid.y(row)});
        if (row < kRunGrid.rows) add_premise({kRunGrid.x(col), kRunGrid.y(row) - 37.5});
        if (col < kRunGrid.columns) add_premise({kRunGrid.x(col) + 50, kRunGrid.y(row)});
      }
    }
  }

  void add_premise(Point p) {
    const std::size_t i = premises_.size();
    premises_.push_back(i, p.x, p.y, i);
    area_of_premise_.push_back(i % 4 == 3 ? engine::AreaIndex::kOutside
                                          : static_cast<std::uint32_t>(i % 4));
  }

  // Per operator and premise: 1 covered, 0 not covered, -1 nodata, -2 off the grid.
  int premise_state(std::size_t op, std::size_t i) const {
    const auto cell = kRunGrid.cell_of({premises_.x[i], premises_.y[i]});
    if (!cell) return -2;
    const double v =
        values_[op][static_cast<std::size_t>(cell->second * kRunGrid.columns + cell->first)];
    return v == kNodataInt16 ? -1 : covered_value(v) ? 1 : 0;
  }

  MobileResults run(io::ProblemLog& log) {
    io::Progress progress;
    return run_mobile_layers(study_, bng_, areas_, premises_, area_of_premise_, log, progress);
  }

  // Writes operator op's covered cells as one square footprint each (plus `extra`).
  void write_footprints(std::size_t op, const std::string& file, const std::string& extra = "") {
    std::vector<std::string> wkts;
    for (int row = 0; row < kRunGrid.rows; ++row)
      for (int col = 0; col < kRunGrid.columns; ++col)
        if (covered_value(values_[op][static_cast<std::size_t>(row * kRunGrid.columns + col)]))
          wkts.push_back(kRunGrid.square_wkt(col, row));
    if (!extra.empty()) wkts.push_back(extra);
    write_vector(dir_ / file, "GPKG", 27700, wkts);
  }

  std::vector<std::vector<double>> values_;
  Study study_;
  std::vector<io::Area> areas_;
  engine::PremisesTable premises_;
  std::vector<std::uint32_t> area_of_premise_;
};

TEST_F(RunMobileLayersTest, RastersOnOneGridLandSharesAgreeWithGeos) {
  study_.layers = {raster_layer("ee.tif", "EE"), raster_layer("three.tif", "Three"),
                   raster_layer("o2.tif", "O2")};
  io::ProblemLog log;
  const MobileResults r = run(log);
  ASSERT_EQ(r.groups.size(), 1u);
  const MobileGroupResult& g = r.groups[0];
  EXPECT_EQ(g.technology, "4G");
  EXPECT_EQ(g.setting, "indoor");
  EXPECT_EQ(g.operators, (std::vector<std::string>{"EE", "Three", "O2"}));
  expect_land(g.land, land_oracle(areas_, values_, {"", "", ""}, 3), true);

  // Premises: per layer and per area, by brute force from the values written.
  ASSERT_EQ(r.layers.size(), 3u);
  std::vector<engine::GroupPremisesCounts> expected(3);
  for (auto& e : expected) e.by_operator.assign(3, 0);
  for (std::size_t op = 0; op < 3; ++op) {
    std::uint64_t covered = 0, nodata = 0, off = 0;
    for (std::size_t i = 0; i < premises_.size(); ++i) {
      const int s = premise_state(op, i);
      covered += s == 1;
      nodata += s == -1;
      off += s == -2;
    }
    EXPECT_EQ(r.layers[op].kind, "raster");
    EXPECT_EQ(r.layers[op].premises_covered, covered);
    EXPECT_EQ(r.layers[op].premises_on_nodata, nodata);
    EXPECT_EQ(r.layers[op].premises_off_layer, off);
    EXPECT_GT(off, 0u);
  }
  for (std::size_t i = 0; i < premises_.size(); ++i) {
    std::size_t n = 0;
    for (std::size_t op = 0; op < 3; ++op) n += premise_state(op, i) == 1;
    EXPECT_EQ(g.any_covered.test(i), n > 0) << "premise " << i;
    const std::uint32_t a = area_of_premise_[i];
    if (a >= 3) continue;
    for (std::size_t op = 0; op < 3; ++op) expected[a].by_operator[op] += premise_state(op, i) == 1;
    expected[a].any += n > 0;
    expected[a].all += n == 3;
    expected[a].none += n == 0;
    expected[a].partial += n > 0 && n < 3;
  }
  ASSERT_EQ(g.premises.size(), 3u);
  for (std::size_t a = 0; a < 3; ++a) {
    EXPECT_EQ(g.premises[a].by_operator, expected[a].by_operator);
    EXPECT_EQ(g.premises[a].any, expected[a].any);
    EXPECT_EQ(g.premises[a].all, expected[a].all);
    EXPECT_EQ(g.premises[a].none, expected[a].none);
    EXPECT_EQ(g.premises[a].partial, expected[a].partial);
  }
}

TEST_F(RunMobileLayersTest, FootprintsOfTheCoveredCellsGiveTheSameLandShares) {
  study_.layers = {raster_layer("ee.tif", "EE"), raster_layer("three.tif", "Three"),
                   raster_layer("o2.tif", "O2")};
  io::ProblemLog raster_log;
  const MobileResults rasters = run(raster_log);

  write_footprints(2, "o2.gpkg");
  study_.layers[2] = polygons_layer("o2.gpkg", "O2");
  io::ProblemLog log;
  const MobileResults mixed = run(log);
  ASSERT_EQ(mixed.groups.size(), 1u);
  const MobileGroupResult& g = mixed.groups[0];
  EXPECT_EQ(g.operators, (std::vector<std::string>{"EE", "Three", "O2"}));
  EXPECT_EQ(mixed.layers[2].kind, "polygons");
  // Nodata now comes from EE's and Three's rasters only.
  expect_land(g.land, land_oracle(areas_, values_, {"", "", ""}, 2), true);

  ASSERT_EQ(rasters.groups[0].land.size(), g.land.size());
  for (std::size_t a = 0; a < g.land.size(); ++a) {
    const engine::GroupAreaCoverage &x = rasters.groups[0].land[a], &y = g.land[a];
    const double tolerance = 1e-9 * x.area;
    EXPECT_NEAR(x.area, y.area, tolerance);
    for (std::size_t op = 0; op < 3; ++op)
      EXPECT_NEAR(x.by_operator[op], y.by_operator[op], tolerance);
    EXPECT_NEAR(x.any, y.any, tolerance);
    EXPECT_NEAR(x.all, y.all, tolerance);
  }
  // Premises, including those exactly on cell borders and corners, are counted the same
  // either way: the raster lookup and the footprints follow the same boundary rule.
  EXPECT_EQ(mixed.layers[2].premises_covered, rasters.layers[2].premises_covered);
  for (std::size_t a = 0; a < 3; ++a) {
    SCOPED_TRACE("area " + std::to_string(a));
    const engine::GroupPremisesCounts &x = rasters.groups[0].premises[a], &y = g.premises[a];
    EXPECT_EQ(y.by_operator, x.by_operator);
    EXPECT_EQ(y.any, x.any);
    EXPECT_EQ(y.all, x.all);
    EXPECT_EQ(y.none, x.none);
    EXPECT_EQ(y.partial, x.partial);
  }
  for (std::size_t i = 0; i < premises_.size(); ++i) {
    EXPECT_EQ(g.any_covered.test(i), rasters.groups[0].any_covered.test(i))
        << premises_.x[i] << ", " << premises_.y[i];
  }
}

TEST_F(RunMobileLayersTest, AllFootprintsGroupAgreesWithGeos) {
  write_footprints(0, "ee.gpkg");
  write_footprints(1, "three.gpkg");
  write_footprints(2, "o2.gpkg");
  study_.layers = {polygons_layer("ee.gpkg", "EE"), polygons_layer("three.gpkg", "Three"),
                   polygons_layer("o2.gpkg", "O2")};
  io::ProblemLog log;
  const MobileResults r = run(log);
  ASSERT_EQ(r.groups.size(), 1u);
  expect_land(r.groups[0].land, land_oracle(areas_, values_, {"", "", ""}, 0), false);
}

// Regression: in a group mixing rasters and footprints, the footprints' coverage outside the
// rasters' grid used to be dropped from `any` (the combination walked only the grid's cells).
TEST_F(RunMobileLayersTest, FootprintsBeyondTheRasterGridStillCountInAny) {
  // Extra O2 footprints off the grid (x 400013.75..401213.75, y 100237.25..100987.25): an
  // 80 x 80 square in P2 east of the grid, and a 100 x 100 square in P3's off-grid part.
  const std::string extra =
      "MULTIPOLYGON(((401250 100400,401330 100400,401330 100480,401250 100480,401250 100400)),"
      "((399300 100050,399400 100050,399400 100150,399300 100150,399300 100050)))";
  write_footprints(2, "o2.gpkg", extra);
  study_.layers = {raster_layer("ee.tif", "EE"), raster_layer("three.tif", "Three"),
                   polygons_layer("o2.gpkg", "O2")};
  io::ProblemLog log;
  const MobileResults r = run(log);
  ASSERT_EQ(r.groups.size(), 1u);
  const LandOracle o = land_oracle(areas_, values_, {"", "", extra}, 2);
  // By hand: the extra squares are wholly inside P2 and P3, so O2's share grows by their area.
  const LandOracle without = land_oracle(areas_, values_, {"", "", ""}, 2);
  EXPECT_NEAR(o.by_operator[1][2] - without.by_operator[1][2], 6400, 1e-6);
  EXPECT_NEAR(o.by_operator[2][2] - without.by_operator[2][2], 10000, 1e-6);
  expect_land(r.groups[0].land, o, true);
  for (const engine::GroupAreaCoverage& land : r.groups[0].land) {
    for (double share : land.by_operator) EXPECT_LE(share, land.any + 1e-9 * land.area);
  }
}

TEST_F(RunMobileLayersTest, RastersOnDifferentGridsGiveNoLandShares) {
  RasterSpec shifted = kRunGrid.spec(27700);
  shifted.geotransform[0] += 50;  // half a cell east
  write_geotiff(dir_ / "three_shifted.tif", shifted, values_[1]);
  study_.layers = {raster_layer("ee.tif", "EE"), raster_layer("three_shifted.tif", "Three")};
  io::ProblemLog log;
  const MobileResults r = run(log);
  ASSERT_EQ(r.groups.size(), 1u);
  EXPECT_TRUE(r.groups[0].land.empty());
  EXPECT_TRUE(contains_text(log, "not on one grid")) << "no warning";
  // Premises are still counted.
  ASSERT_EQ(r.groups[0].premises.size(), 3u);
  std::uint64_t ee = 0;
  for (std::size_t i = 0; i < premises_.size(); ++i)
    ee += area_of_premise_[i] == 0 && premise_state(0, i) == 1;
  EXPECT_EQ(r.groups[0].premises[0].by_operator[0], ee);
}

TEST_F(RunMobileLayersTest, GroupsByTechnologyAndSetting) {
  LayerSource outdoor = raster_layer("three.tif", "Three");
  outdoor.tags.setting = "outdoor";
  study_.layers = {raster_layer("ee.tif", "EE"), outdoor, raster_layer("o2.tif", "O2")};
  io::ProblemLog log;
  const MobileResults r = run(log);
  ASSERT_EQ(r.groups.size(), 2u);
  EXPECT_EQ(r.groups[0].setting, "indoor");
  EXPECT_EQ(r.groups[0].operators, (std::vector<std::string>{"EE", "O2"}));
  EXPECT_EQ(r.groups[1].setting, "outdoor");
  EXPECT_EQ(r.groups[1].operators, (std::vector<std::string>{"Three"}));
  EXPECT_EQ(r.layers.size(), 3u);
  // The indoor group's land shares are those of EE and O2 alone.
  std::vector<std::vector<double>> indoor = {values_[0], values_[2]};
  expect_land(r.groups[0].land, land_oracle(areas_, indoor, {"", ""}, 2), true);
}

// ---- join_ofcom_postcodes
// ------------------------------------------------------------------------

class OfcomPostcodeTest : public MobileLayersTest {
 protected:
  LayerSource postcode_layer(const std::string& csv) {
    std::ofstream(dir_ / "pc.csv") << csv;
    LayerSource layer;
    layer.kind = LayerKind::kOfcomPostcode;
    layer.name = "ofcom";
    layer.path = dir_ / "pc.csv";
    layer.key_field = "postcode";
    layer.where = {dir_ / "study.toml", 20};
    return layer;
  }
  static engine::PremisesTable premises_with(const std::vector<const char*>& postcodes) {
    engine::PremisesTable t;
    t.enable_postcodes();
    for (std::size_t i = 0; i < postcodes.size(); ++i) {
      const auto key = postcodes[i] ? engine::postcode_key(postcodes[i]) : std::nullopt;
      t.push_back(100 + i, 0, 0, i + 2, key.value_or(0));
    }
    return t;
  }
  static std::size_t idx(engine::Estimate e) { return static_cast<std::size_t>(e); }
};

TEST_F(OfcomPostcodeTest, JoinsNormalisedPostcodesAndAccountsForEveryRow) {
  const std::string csv =
      "postcode,postcode_space,postcode area,SFBB availability (% premises),"
      "Gigabit availability (% premises),% of premises below the USO\n"
      "DT11AA,DT1 1AA,DT,97.3,50,0.5\n"        // line 2
      "dt1 1ab,DT1 1AB,DT,100,,\n"             // line 3: two blanks (0)
      "DT1 1AA,DT1 1AA,DT,10,10,10\n"          // line 4: duplicate, the first row wins
      "DT11AC,DT1 1AC,DT,100.5,0,0\n"          // line 5: not a percentage
      "DT1,DT1,DT,1,1,1\n"                     // line 6: not a postcode
      "\n"                                     // line 7: blank line
      "BA215BT,BA21 5BT,BA,-1,0,0\n"           // line 8: negative
      "EC1A 1BB,EC1A 1BB,EC,33.3333,0,12.5\n"  // line 9: no premises have it
      "W1A0AX,W1A 0AX,W,abc,0,0\n"             // line 10: not a number
      "CR26XH,CR2 6XH,CR,1,2\n";               // line 11: a field missing
  const LayerSource layer = postcode_layer(csv);
  const engine::PremisesTable premises =
      premises_with({"DT1 1AA", "dt11aa", "DT1 1AB", nullptr, "DT1 1AC", "W1A 0AX", "M1 1AE"});
  io::ProblemLog log;
  io::Progress progress;
  const io::PostcodeLayerLoad load =
      io::join_ofcom_postcodes(layer, "pc.csv", premises, log, progress);

  EXPECT_EQ(load.rows_read, 9u);
  EXPECT_EQ(load.blank_lines, 1u);
  EXPECT_EQ(load.rejected, 5u);
  EXPECT_EQ(load.duplicate_keys, 1u);
  EXPECT_EQ(load.postcodes, 3u);  // DT11AA, DT11AB, EC1A1BB
  EXPECT_EQ(load.rows_read, load.postcodes + load.duplicate_keys + load.rejected);
  EXPECT_EQ(load.blank_values, 2u);
  EXPECT_EQ(load.measures,
            (std::array<bool, engine::kEstimateCount>{true, false, false, true, true, false}));

  ASSERT_EQ(log.rejected().size(), 5u);
  const std::vector<std::pair<std::uint64_t, std::string>> rejected = {{5, "not a percentage"},
                                                                       {6, "is not a postcode"},
                                                                       {8, "not a percentage"},
                                                                       {10, "not a percentage"},
                                                                       {11, "fields"}};
  for (std::size_t k = 0; k < rejected.size(); ++k) {
    EXPECT_EQ(log.rejected()[k].line, rejected[k].first);
    EXPECT_NE(log.rejected()[k].reason.find(rejected[k].second), std::string::npos)
        << log.rejected()[k].reason;
    EXPECT_EQ(log.rejected()[k].source, "ofcom");
  }

  // Premises: two on DT11AA, one on DT11AB; one without a postcode; DT11AC (rejected row),
  // W1A0AX (rejected row) and M11AE (absent) have no row.
  ASSERT_EQ(load.row_of_premise.size(), 7u);
  EXPECT_EQ(load.premises_with_row, 3u);
  EXPECT_EQ(load.premises_without_postcode, 1u);
  EXPECT_EQ(load.premises_postcode_not_found, 3u);
  EXPECT_EQ(load.postcodes_with_premises, 2u);
  EXPECT_EQ(load.postcodes_without_premises, 1u);
  EXPECT_EQ(load.row_of_premise[0], load.row_of_premise[1]);
  for (std::size_t i = 3; i < 7; ++i) EXPECT_EQ(load.row_of_premise[i], engine::kNoRow);

  // The rates of the first DT11AA row (not the duplicate), in millionths.
  const engine::PostcodeRates& dt11aa = load.rates.at(load.row_of_premise[0]);
  EXPECT_EQ(dt11aa[idx(engine::Estimate::kSuperfast)], 973000);
  EXPECT_EQ(dt11aa[idx(engine::Estimate::kGigabit)], 500000);
  EXPECT_EQ(dt11aa[idx(engine::Estimate::kBelowUso)], 5000);
  EXPECT_EQ(dt11aa[idx(engine::Estimate::kUltrafast)], 0);
  const engine::PostcodeRates& dt11ab = load.rates.at(load.row_of_premise[2]);
  EXPECT_EQ(dt11ab[idx(engine::Estimate::kSuperfast)], 1000000);
  EXPECT_EQ(dt11ab[idx(engine::Estimate::kGigabit)], 0);
  EXPECT_EQ(dt11ab[idx(engine::Estimate::kBelowUso)], 0);

  // Into estimates: premises 0 and 2 in area 0, premise 1 in area 1.
  const std::vector<std::uint32_t> area = {0, 1, 0, 0, 1, 1, 0};
  const auto e = engine::estimate_by_area(area, load.row_of_premise, load.rates, 2);
  EXPECT_EQ(e[0].premises, 2u);
  EXPECT_EQ(e[0].millionths[idx(engine::Estimate::kSuperfast)], 1973000);
  EXPECT_EQ(e[0].millionths[idx(engine::Estimate::kGigabit)], 500000);
  EXPECT_EQ(e[1].premises, 1u);
  EXPECT_EQ(e[1].millionths[idx(engine::Estimate::kBelowUso)], 5000);

  EXPECT_TRUE(contains_text(log, "1 rows repeat a postcode"));
  EXPECT_TRUE(contains_text(log, "3 premises have a postcode with no row"));
}

TEST_F(OfcomPostcodeTest, PercentagesBecomeExactMillionths) {
  const LayerSource layer = postcode_layer(
      "postcode,Full Fibre availability (% premises)\n"
      "AB1 2CD,33.3333\nAB1 2CE,0.0001\nAB1 2CF,100\nAB1 2CG,12.34567\nAB1 2CH,0\n");
  const engine::PremisesTable premises =
      premises_with({"AB12CD", "AB12CE", "AB12CF", "AB12CG", "AB12CH"});
  io::ProblemLog log;
  io::Progress progress;
  const io::PostcodeLayerLoad load =
      io::join_ofcom_postcodes(layer, "pc.csv", premises, log, progress);
  ASSERT_EQ(load.postcodes, 5u);
  const std::vector<std::int64_t> expected = {333333, 1, 1000000, 123457, 0};
  for (std::size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(load.rates.at(load.row_of_premise[i])[idx(engine::Estimate::kFullFibre)],
              expected[i]);
  }
}

// Regression: a row rejected for a bad percentage used to add its earlier blank cells to
// blank_values, although none of its cells is read.
TEST_F(OfcomPostcodeTest, BlankCellsOfRejectedRowsAreNotCounted) {
  // SFBB comes before Gigabit in notspot's measures, so its blank cell is seen first.
  const LayerSource layer = postcode_layer(
      "postcode,SFBB availability (% premises),Gigabit availability (% premises)\n"
      "DT1 1AA,,200\n"
      "DT1 1AB,,5\n");
  const engine::PremisesTable premises = premises_with({"DT1 1AB"});
  io::ProblemLog log;
  io::Progress progress;
  const io::PostcodeLayerLoad load =
      io::join_ofcom_postcodes(layer, "pc.csv", premises, log, progress);
  EXPECT_EQ(load.rejected, 1u);
  EXPECT_EQ(load.blank_values, 1u);  // only DT1 1AB's
}

TEST_F(OfcomPostcodeTest, ByteOrderMarkCrLfAndQuotedFields) {
  const LayerSource layer = postcode_layer(
      "\xEF\xBB\xBFpostcode,\"postcode area\",\"Gigabit availability (% premises)\"\r\n"
      "\"DT1 1AA\",DT,\"62.5\"\r\n"
      "DT11AB,\"DT, Dorchester\",7\r\n");
  const engine::PremisesTable premises = premises_with({"DT1 1AB", "DT1 1AA"});
  io::ProblemLog log;
  io::Progress progress;
  const io::PostcodeLayerLoad load =
      io::join_ofcom_postcodes(layer, "pc.csv", premises, log, progress);
  EXPECT_EQ(load.rejected, 0u);
  EXPECT_EQ(load.postcodes, 2u);
  ASSERT_EQ(load.premises_with_row, 2u);
  EXPECT_EQ(load.rates.at(load.row_of_premise[0])[idx(engine::Estimate::kGigabit)], 70000);
  EXPECT_EQ(load.rates.at(load.row_of_premise[1])[idx(engine::Estimate::kGigabit)], 625000);
}

TEST_F(OfcomPostcodeTest, StudyErrors) {
  io::ProblemLog log;
  io::Progress progress;
  // Premises without postcodes.
  engine::PremisesTable no_postcodes;
  no_postcodes.push_back(1, 0, 0, 2);
  const LayerSource good =
      postcode_layer("postcode,Gigabit availability (% premises)\nDT1 1AA,50\n");
  try {
    io::join_ofcom_postcodes(good, "pc.csv", no_postcodes, log, progress);
    FAIL();
  } catch (const engine::Error& e) {
    EXPECT_EQ(e.kind(), engine::ErrorKind::kStudy);
    EXPECT_NE(std::string(e.what()).find("postcode"), std::string::npos) << e.what();
  }
  // No known percentage column.
  const LayerSource none = postcode_layer("postcode,something else\nDT1 1AA,50\n");
  try {
    io::join_ofcom_postcodes(none, "pc.csv", premises_with({"DT1 1AA"}), log, progress);
    FAIL();
  } catch (const engine::Error& e) {
    EXPECT_EQ(e.kind(), engine::ErrorKind::kStudy);
    EXPECT_NE(std::string(e.what()).find("Gigabit availability (% premises)"), std::string::npos)
        << e.what();
  }
  // No key column.
  const LayerSource no_key = postcode_layer("pcd,Gigabit availability (% premises)\nDT1 1AA,50\n");
  EXPECT_THROW(
      io::join_ofcom_postcodes(no_key, "pc.csv", premises_with({"DT1 1AA"}), log, progress),
      engine::Error);
}

}  // namespace
}  // namespace notspot::study
