// Mobile coverage layers read from real files (GeoTIFF and GeoPackage written here with GDAL),
// and premises sampled on what was read. Expectations are hand-computed from the values
// written, computed with PROJ directly (not notspot's CoordinateTransform), or come from GEOS.

#include "notspot/io/coverage_layers.hpp"

// GDAL's C API for the mask-band test (see support/layer_files.hpp about the include path).
#include <gdal.h>
#include <geos_c.h>
#include <gtest/gtest.h>
#include <ogr_srs_api.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "notspot/engine/coverage_sampling.hpp"
#include "notspot/engine/error.hpp"
#include "notspot/engine/geos_context.hpp"
#include "notspot/engine/premises.hpp"
#include "support/layer_files.hpp"

namespace notspot::io {
namespace {

namespace fs = std::filesystem;
using engine::GeosGeometry;
using engine::MultiPolygon;
using engine::Point;
using test::GeosOracle;
using test::kNodataInt16;
using test::ProjTransform;
using test::RasterSpec;
using test::TestGrid;
using test::write_geotiff;
using test::write_vector;
using CoverageLayersTest = test::LayerFilesTest;

// ---- read_coverage_raster and engine::premises_coverage
// ---------------------------------------------

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

TEST_F(CoverageLayersTest, GeoTiffCoveredAndNodataBits) {
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
TEST_F(CoverageLayersTest, PremisesOnCellBordersTakeTheCellEastThenNorth) {
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
  const engine::PremisesCoverage c =
      engine::premises_coverage(r.coverage, premises.x, premises.y, transform_factory(bng_, r.crs));
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

TEST_F(CoverageLayersTest, RasterInAnotherCrsThanTheStudy) {
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
  const engine::PremisesCoverage c =
      engine::premises_coverage(r.coverage, premises.x, premises.y, transform_factory(bng_, r.crs));
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

TEST_F(CoverageLayersTest, RasterWithoutCrsNeedsADeclaration) {
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

TEST_F(CoverageLayersTest, RotatedOrSouthUpRasterIsRefused) {
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

TEST_F(CoverageLayersTest, NanCellsOfAFloatRasterAreNodata) {
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
TEST_F(CoverageLayersTest, MaskBandsAndUnsignedCellsAreHonoured) {
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
TEST_F(CoverageLayersTest, RastersSampledTogetherAgreeWithTheirValues) {
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

  std::vector<const engine::CoverageGrid*> together;
  for (const io::CoverageRaster& r : rasters) together.push_back(&r.coverage);
  const engine::PointTransformFactory to_grid = transform_factory(bng_, rasters[0].crs);
  const std::vector<engine::PremisesCoverage> sampled =
      engine::premises_coverage(together, premises.x, premises.y, to_grid);
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
  together.push_back(&different.coverage);
  EXPECT_THROW(engine::premises_coverage(together, premises.x, premises.y, to_grid), engine::Error);
}

TEST_F(CoverageLayersTest, MissingBandAndUnreadableFile) {
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

TEST_F(CoverageLayersTest, FootprintsAreRepairedAndDissolved) {
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

TEST_F(CoverageLayersTest, FootprintsInLonLatAreReprojected) {
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

TEST_F(CoverageLayersTest, FootprintLayerWithoutPolygonsCoversNothing) {
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
  const engine::PremisesCoverage c =
      engine::premises_coverage(f.union_geometry, premises.x, premises.y);
  ASSERT_EQ(c.covered.size(), 1u);
  EXPECT_FALSE(c.covered.test(0));
}

TEST_F(CoverageLayersTest, CurvedFootprintsAreLinearisedWithAWarning) {
  // A circle of radius 100 as a CURVEPOLYGON, and the same inside a MULTISURFACE.
  write_vector(dir_ / "fp.gpkg", "GPKG", 27700,
               {"CURVEPOLYGON(CIRCULARSTRING(399900 100000,400000 99900,400100 100000,"
                "400000 100100,399900 100000))",
                "MULTISURFACE(CURVEPOLYGON(CIRCULARSTRING(400900 100000,401000 99900,"
                "401100 100000,401000 100100,400900 100000)))",
                "POLYGON((402000 100000,402100 100000,402100 100100,402000 100000))"});
  io::ProblemLog log;
  const io::CoverageFootprints f =
      io::read_coverage_footprints(polygons_layer("fp.gpkg", "O2"), bng_, "fp.gpkg", log);
  // With GDAL's 4-degree step, each circle is a 90-gon: area 45 r^2 sin 4°, a little under
  // pi r^2; the triangle adds 5000.
  const double polygon90 = 45 * 100.0 * 100.0 * std::sin(4 * M_PI / 180);
  EXPECT_NEAR(engine::area(f.union_geometry), 2 * polygon90 + 5000, 1);
  EXPECT_TRUE(contains_text(log, "fp.gpkg: 2 feature(s) have curved geometry"));
  EXPECT_TRUE(contains_text(log, "4 degrees of arc (GDAL's OGR_ARC_STEPSIZE)"));
  EXPECT_TRUE(contains_text(log, "at most 0.0609% of each arc's radius"));
}

TEST_F(CoverageLayersTest, PremisesInFootprintsAgreeWithGeos) {
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
  const engine::PremisesCoverage c =
      engine::premises_coverage(f.union_geometry, premises.x, premises.y);
  std::size_t inside_count = 0;
  for (std::size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(c.covered.test(i), expected[i]) << premises.x[i] << ", " << premises.y[i];
    inside_count += expected[i];
  }
  EXPECT_GT(inside_count, 500u);
  EXPECT_EQ(c.on_nodata, 0u);
  EXPECT_EQ(c.off_layer, 0u);
}

}  // namespace
}  // namespace notspot::io
