// Coverage sampled at premises, on coverage grids built by hand (no file reading): the boundary
// rule at cell borders, the injected transform, rasters packed 16 to a word against one at a
// time, and results that do not depend on the number of threads.

#include "notspot/engine/coverage_sampling.hpp"

#include <gtest/gtest.h>
#include <tbb/task_arena.h>

#include <atomic>
#include <cmath>
#include <memory>
#include <random>
#include <vector>

#include "notspot/engine/error.hpp"
#include "support/coverage_grids.hpp"

namespace notspot::engine {
namespace {

using test::coverage_grid;
using test::shift;

// 3 x 2 cells of 10 x 10 from (100, 220):
//   row 0 (y 210..220):  C  .  N
//   row 1 (y 200..210):  .  C  C
const Grid kGrid{100, 220, 10, 10, 3, 2};

TEST(PremisesCoverage, HandPlacedPremisesFollowTheBoundaryRule) {
  const CoverageGrid raster = coverage_grid(kGrid, "C.N.CC");
  struct Case {
    Point p;
    char expected;  // 'C' covered, '.' not covered, 'N' nodata, 'O' off the grid
  };
  const std::vector<Case> cases = {
      {{105, 215}, 'C'},  // centre of (0, 0)
      {{110, 215}, '.'},  // between (0, 0) and (1, 0): east, (1, 0)
      {{105, 210}, 'C'},  // between (0, 0) and (0, 1): north, (0, 0)
      {{110, 210}, '.'},  // corner of four cells: the north-east one, (1, 0)
      {{120, 210}, 'N'},  // corner: (2, 0), nodata
      {{115, 200}, 'C'},  // the grid's south edge: (1, 1)
      {{100, 205}, '.'},  // the grid's west edge: (0, 1)
      {{130, 205}, 'O'},  // the grid's east edge
      {{105, 220}, 'O'},  // the grid's north edge
      {{99.5, 205}, 'O'}, {{125, 205}, 'C'},
  };
  std::vector<double> xs, ys;
  for (const Case& c : cases) {
    xs.push_back(c.p.x);
    ys.push_back(c.p.y);
  }
  const PremisesCoverage c = premises_coverage(raster, xs, ys, identity_transform());
  ASSERT_EQ(c.covered.size(), cases.size());
  for (std::size_t i = 0; i < cases.size(); ++i) {
    EXPECT_EQ(c.covered.test(i), cases[i].expected == 'C') << "case " << i;
  }
  EXPECT_EQ(c.on_nodata, 1u);
  EXPECT_EQ(c.off_layer, 3u);
}

TEST(PremisesCoverage, PremisesAreTransformedToTheGrid) {
  const CoverageGrid raster = coverage_grid(kGrid, "C.N.CC");
  // Premises 1000 east and 500 north of the grid's CRS: the transform brings them back.
  const std::vector<double> xs = {1105, 1115, 1125, 1125}, ys = {715, 715, 715, 705};
  std::atomic<int> made = 0;
  const PremisesCoverage c = premises_coverage(raster, xs, ys, shift(-1000, -500, &made));
  EXPECT_TRUE(c.covered.test(0));
  EXPECT_FALSE(c.covered.test(1));
  EXPECT_FALSE(c.covered.test(2));
  EXPECT_TRUE(c.covered.test(3));
  EXPECT_EQ(c.on_nodata, 1u);
  EXPECT_EQ(c.off_layer, 0u);
  EXPECT_GE(made.load(), 1);
  // Untransformed, they are all off the grid.
  EXPECT_EQ(premises_coverage(raster, xs, ys, identity_transform()).off_layer, 4u);
}

// 20 random rasters (two packed words) on one grid, 200,000 premises (several blocks):
// sampled together, one at a time, and by brute force through Grid::cell_of, on one thread and
// on two; every answer is the same.
TEST(PremisesCoverage, PackedLayersAgreeWithOneAtATimeWhateverTheThreads) {
  const Grid grid{1000, 2000, 7.5, 5, 41, 37};
  std::mt19937_64 rng(20);
  std::vector<CoverageGrid> rasters;
  for (int l = 0; l < 20; ++l) {
    std::string cells;
    for (std::size_t k = 0; k < grid.columns * grid.rows; ++k) cells += "C.N"[rng() % 3];
    rasters.push_back(coverage_grid(grid, cells.c_str()));
  }
  std::vector<const CoverageGrid*> all;
  for (const CoverageGrid& r : rasters) all.push_back(&r);
  std::uniform_real_distribution<double> x(990, 1320), y(1800, 2010);
  std::vector<double> xs(200000), ys(200000);
  for (std::size_t i = 0; i < xs.size(); ++i) {
    // A few premises exactly on grid lines, the rest anywhere.
    xs[i] = i % 50 == 0 ? grid.cell_xmin(i % grid.columns) : x(rng);
    ys[i] = i % 70 == 0 ? grid.cell_ymax(i % grid.rows) : y(rng);
  }
  std::vector<PremisesCoverage> one_thread, two_threads;
  tbb::task_arena(1).execute(
      [&] { one_thread = premises_coverage(all, xs, ys, identity_transform()); });
  tbb::task_arena(2).execute([&] { two_threads = premises_coverage(all, xs, ys, shift(0, 0)); });
  ASSERT_EQ(one_thread.size(), 20u);
  ASSERT_EQ(two_threads.size(), 20u);
  for (std::size_t l = 0; l < 20; ++l) {
    SCOPED_TRACE("layer " + std::to_string(l));
    const PremisesCoverage alone = premises_coverage(rasters[l], xs, ys, identity_transform());
    std::uint64_t nodata = 0, off = 0;
    for (std::size_t i = 0; i < xs.size(); ++i) {
      const auto cell = grid.cell_of({xs[i], ys[i]});
      const std::size_t k = cell ? rasters[l].cell_index(cell->first, cell->second) : 0;
      const bool covered = cell && !rasters[l].nodata.test(k) && rasters[l].covered.test(k);
      off += !cell;
      nodata += cell && rasters[l].nodata.test(k);
      ASSERT_EQ(one_thread[l].covered.test(i), covered) << "premise " << i;
      ASSERT_EQ(two_threads[l].covered.test(i), covered) << "premise " << i;
      ASSERT_EQ(alone.covered.test(i), covered) << "premise " << i;
    }
    EXPECT_GT(off, 1000u);
    EXPECT_GT(nodata, 1000u);
    for (const PremisesCoverage* c :
         std::vector<const PremisesCoverage*>{&one_thread[l], &two_threads[l], &alone}) {
      EXPECT_EQ(c->off_layer, off);
      EXPECT_EQ(c->on_nodata, nodata);
    }
  }
}

TEST(PremisesCoverage, RastersOnDifferentGridsOrUnevenCoordinatesAreRefused) {
  const CoverageGrid a = coverage_grid(kGrid, "C.N.CC");
  Grid shifted = kGrid;
  shifted.xmin += 5;
  const CoverageGrid b = coverage_grid(shifted, "C.N.CC");
  const CoverageGrid* both[] = {&a, &b};
  const std::vector<double> xs = {105}, ys = {215}, two = {1, 2};
  EXPECT_THROW(premises_coverage(both, xs, ys, identity_transform()), Error);
  EXPECT_THROW(premises_coverage(a, xs, two, identity_transform()), Error);
  EXPECT_TRUE(
      premises_coverage(std::span<const CoverageGrid* const>{}, xs, ys, identity_transform())
          .empty());
}

TEST(PremisesCoverage, FootprintsTakeTheAreasBoundaryRule) {
  // Two squares: [0, 10] x [0, 10] and [20, 30] x [0, 10] with a hole [22, 24] x [2, 4].
  const MultiPolygon footprints = {
      {{{0, 0}, {10, 0}, {10, 10}, {0, 10}}, {}},
      {{{20, 0}, {30, 0}, {30, 10}, {20, 10}}, {{{22, 2}, {24, 2}, {24, 4}, {22, 4}}}}};
  const std::vector<std::pair<Point, bool>> cases = {
      {{5, 5}, true},    {{0, 5}, true},   {{10, 5}, false},  // west edge in, east edge out
      {{5, 0}, true},    {{5, 10}, false},                    // south edge in, north edge out
      {{15, 5}, false},  {{23, 3}, false},                    // between, in the hole
      {{24, 3}, true},   {{22, 3}, false},                    // the hole's east / west edges
      {{25, 9.9}, true}, {{-1, 5}, false},
  };
  std::vector<double> xs, ys;
  for (const auto& [p, inside] : cases) {
    xs.push_back(p.x);
    ys.push_back(p.y);
  }
  const PremisesCoverage c = premises_coverage(footprints, xs, ys);
  for (std::size_t i = 0; i < cases.size(); ++i) {
    EXPECT_EQ(c.covered.test(i), cases[i].second) << xs[i] << ", " << ys[i];
  }
  EXPECT_EQ(c.on_nodata, 0u);
  EXPECT_EQ(c.off_layer, 0u);
  EXPECT_EQ(premises_coverage(MultiPolygon{}, xs, ys).covered.count(), 0u);
}

}  // namespace
}  // namespace notspot::engine
