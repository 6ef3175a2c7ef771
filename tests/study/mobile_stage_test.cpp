// The mobile stage of a run: layers read from real files (GeoTIFF and GeoPackage written here
// with GDAL), premises counted per area and group, and each area's exact land shares.
// Expectations are counted by brute force from the values written, or come from GEOS overlays
// of the covered cell squares.

#include "mobile_stage.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "notspot/engine/area_index.hpp"
#include "support/layer_files.hpp"

namespace notspot::study {
namespace {

namespace fs = std::filesystem;
using engine::GeosGeometry;
using engine::MultiPolygon;
using engine::Point;
using io::LayerSource;
using test::GeosOracle;
using test::kNodataInt16;
using test::ProjTransform;
using test::RasterSpec;
using test::TestGrid;
using test::write_geotiff;
using test::write_vector;

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

class RunMobileLayersTest : public test::LayerFilesTest {
 protected:
  void SetUp() override {
    LayerFilesTest::SetUp();
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

}  // namespace
}  // namespace notspot::study
