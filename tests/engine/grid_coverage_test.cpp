// Exact cell coverage of polygons over a raster grid, against GEOS: the area of each polygon
// intersected with each cell's square, computed by GEOS's overlay, is the independent oracle.

#include "notspot/engine/grid_coverage.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <random>

#include "notspot/engine/geos_context.hpp"
#include "support/tessellation.hpp"

namespace notspot::engine {
namespace {

double geos_area_in_cell(const GeosContext& geos, const GEOSGeometry* polygon, const Grid& grid,
                         std::size_t col, std::size_t row) {
  const double x0 = grid.cell_xmin(col), y1 = grid.cell_ymax(row);
  const MultiPolygon cell{{{{x0, y1 - grid.cell_height},
                            {x0 + grid.cell_width, y1 - grid.cell_height},
                            {x0 + grid.cell_width, y1},
                            {x0, y1}},
                           {}}};
  GeosGeometry box = geos.to_geos(cell);
  GeosGeometry both =
      geos.own(GEOSIntersection_r(geos.handle(), polygon, box.get()), "intersection");
  double area = 0;
  GEOSArea_r(geos.handle(), both.get(), &area);
  return area;
}

// Compares every cell of the grid (not only those reported) with GEOS.
void expect_matches_geos(const MultiPolygon& polygon, const Grid& grid, double relative = 1e-9) {
  GeosContext geos;
  GeosGeometry g = geos.to_geos(polygon);
  std::map<std::pair<std::size_t, std::size_t>, double> ours;
  double our_total = 0;
  for (const CellArea& c : cell_areas(polygon, grid)) {
    ours[{c.col, c.row}] = c.area;
    our_total += c.area;
  }
  double geos_total = 0;
  const double tolerance = relative * grid.cell_area();
  for (std::size_t row = 0; row < grid.rows; ++row) {
    for (std::size_t col = 0; col < grid.columns; ++col) {
      const double expected = geos_area_in_cell(geos, g.get(), grid, col, row);
      geos_total += expected;
      const auto it = ours.find({col, row});
      const double got = it == ours.end() ? 0.0 : it->second;
      ASSERT_NEAR(got, expected, tolerance) << "cell " << col << "," << row;
    }
  }
  EXPECT_NEAR(our_total, geos_total, relative * std::max(geos_total, grid.cell_area()));
}

TEST(CellAreas, UnitSquareGridHandComputed) {
  const Grid grid{0, 2, 1, 1, 2, 2};  // cells [0,1]x[1,2] (row 0) ... [1,2]x[0,1] (row 1)
  // A square [0.5, 1.5]^2 covers a quarter of each of the four cells.
  const MultiPolygon square{{{{0.5, 0.5}, {1.5, 0.5}, {1.5, 1.5}, {0.5, 1.5}}, {}}};
  const auto cells = cell_areas(square, grid);
  ASSERT_EQ(cells.size(), 4u);
  for (const CellArea& c : cells) EXPECT_DOUBLE_EQ(c.area, 0.25);
  // Orientation does not matter.
  const MultiPolygon clockwise{{{{0.5, 0.5}, {0.5, 1.5}, {1.5, 1.5}, {1.5, 0.5}}, {}}};
  for (const CellArea& c : cell_areas(clockwise, grid)) EXPECT_DOUBLE_EQ(c.area, 0.25);
}

TEST(CellAreas, WhollyCoveredCellsAndHoles) {
  const Grid grid{0, 4, 1, 1, 4, 4};
  // A 4x4 square with a hole exactly filling cell (1, 1): 15 full cells.
  const MultiPolygon donut{{{{0, 0}, {4, 0}, {4, 4}, {0, 4}}, {{{1, 2}, {2, 2}, {2, 3}, {1, 3}}}}};
  const auto cells = cell_areas(donut, grid);
  ASSERT_EQ(cells.size(), 15u);
  for (const CellArea& c : cells) {
    EXPECT_DOUBLE_EQ(c.area, 1.0);
    EXPECT_FALSE(c.col == 1 && c.row == 1);
  }
}

TEST(CellAreas, TriangleHalfCells) {
  const Grid grid{0, 3, 1, 1, 3, 3};
  // The triangle below the diagonal y = x in [0,3]^2: diagonal cells are half covered.
  const MultiPolygon triangle{{{{0, 0}, {3, 0}, {3, 3}}, {}}};
  double diagonal = 0, full = 0;
  for (const CellArea& c : cell_areas(triangle, grid)) {
    if (c.col == 2 - c.row)
      diagonal += c.area;  // row 0 is the north row
    else
      full += c.area;
  }
  EXPECT_DOUBLE_EQ(diagonal, 1.5);
  EXPECT_DOUBLE_EQ(full, 3.0);
}

TEST(CellAreas, PolygonLargerThanTheGrid) {
  const Grid grid{10, 20, 2, 2, 3, 2};
  const MultiPolygon huge{{{{-100, -100}, {100, -100}, {100, 100}, {-100, 100}}, {}}};
  const auto cells = cell_areas(huge, grid);
  ASSERT_EQ(cells.size(), 6u);
  for (const CellArea& c : cells) EXPECT_DOUBLE_EQ(c.area, 4.0);
  const MultiPolygon elsewhere{{{{200, 200}, {300, 200}, {300, 300}}, {}}};
  EXPECT_TRUE(cell_areas(elsewhere, grid).empty());
}

TEST(CellAreas, RandomTessellationAreasAgreeWithGeos) {
  for (std::uint64_t seed : {3, 4}) {
    test::TessellationOptions o;
    o.seed = seed;
    o.columns = 12;
    o.rows = 9;
    o.areas = 6;
    o.cell_size = 100;
    const test::Tessellation t = test::random_tessellation(o);
    // A 100 m-like grid not aligned with the lattice, offset and with non-square cells,
    // covering part of the tessellation (areas extend beyond it).
    const Grid grid{37.3, 830.1, 43.7, 51.9, 24, 14};
    for (const MultiPolygon& area : t.areas) expect_matches_geos(area, grid);
  }
}

TEST(CellAreas, BritishNationalGridMagnitudes) {
  // Realistic coordinates: a wiggly polygon in metres near (400000, 100000) on a 100 m grid.
  std::mt19937_64 rng(11);
  std::uniform_real_distribution<double> jitter(-40, 40);
  Ring ring;
  for (int k = 0; k < 200; ++k) {
    const double angle = 2 * M_PI * k / 200;
    const double r = 1500 + jitter(rng) * 5;
    ring.push_back({401234.56 + r * std::cos(angle), 100987.65 + r * std::sin(angle)});
  }
  const Grid grid{399000, 103000, 100, 100, 50, 50};
  expect_matches_geos({{ring, {}}}, grid);
}

// Rasters are sampled together and share cells only on equal grids: every field counts.
TEST(Grid, EqualOnlyWhenEveryFieldIsEqual) {
  const Grid a{400000, 100500, 100, 100, 5, 4};
  EXPECT_EQ(a, (Grid{400000, 100500, 100, 100, 5, 4}));
  EXPECT_NE(a, (Grid{400050, 100500, 100, 100, 5, 4}));
  EXPECT_NE(a, (Grid{400000, 100550, 100, 100, 5, 4}));
  EXPECT_NE(a, (Grid{400000, 100500, 50, 100, 5, 4}));
  EXPECT_NE(a, (Grid{400000, 100500, 100, 50, 5, 4}));
  EXPECT_NE(a, (Grid{400000, 100500, 100, 100, 6, 4}));
  EXPECT_NE(a, (Grid{400000, 100500, 100, 100, 5, 3}));
}

}  // namespace
}  // namespace notspot::engine
