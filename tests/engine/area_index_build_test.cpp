// The AreaIndex build is parallel (edges collected and assigned to cells in parallel, rows built
// in batches and merged in parallel): whatever the thread count, the index must be the same.
// Checked on random tessellations big enough for many row batches, with and without overlaps
// (a shifted copy of some areas), by comparing stats, the overlap list and every answer of
// locate() on random points and on every vertex (points on boundaries) across arenas of 1, 2
// and 3 threads. Expected values are the 1-thread build's; the invariant is equality.

#include <gtest/gtest.h>
#include <tbb/task_arena.h>

#include <cstdint>
#include <random>
#include <vector>

#include "notspot/engine/area_index.hpp"
#include "support/tessellation.hpp"

namespace notspot {
namespace {

using engine::AreaIndex;
using engine::MultiPolygon;
using engine::Point;

struct Snapshot {
  AreaIndex::Stats stats;
  std::vector<engine::AreaOverlap> overlaps;
  std::vector<std::uint32_t> answers;
  std::vector<char> several;
};

Snapshot build_and_query(const std::vector<MultiPolygon>& areas, const std::vector<Point>& points,
                         int threads) {
  Snapshot s;
  tbb::task_arena arena(threads);
  arena.execute([&] {
    // A finer top grid than the default, so that a small layer spans many row batches.
    engine::AreaIndexOptions options;
    options.top_cells_per_edge = 8;
    const AreaIndex index(areas, options);
    s.stats = index.stats();
    s.overlaps.assign(index.overlaps().begin(), index.overlaps().end());
    for (Point p : points) {
      bool several = false;
      s.answers.push_back(index.locate(p, several));
      s.several.push_back(several ? 1 : 0);
    }
  });
  return s;
}

void expect_same(const Snapshot& a, const Snapshot& b, int threads) {
  SCOPED_TRACE(testing::Message() << threads << " threads against 1");
  EXPECT_EQ(a.stats.distinct_edges, b.stats.distinct_edges);
  EXPECT_EQ(a.stats.top_columns, b.stats.top_columns);
  EXPECT_EQ(a.stats.top_rows, b.stats.top_rows);
  EXPECT_EQ(a.stats.interior_cells, b.stats.interior_cells);
  EXPECT_EQ(a.stats.boundary_leaves, b.stats.boundary_leaves);
  EXPECT_EQ(a.stats.leaf_edges, b.stats.leaf_edges);
  EXPECT_EQ(a.stats.quadtree_nodes, b.stats.quadtree_nodes);
  EXPECT_EQ(a.stats.deepest_level, b.stats.deepest_level);
  EXPECT_EQ(a.stats.fallback_leaves, b.stats.fallback_leaves);
  EXPECT_EQ(a.stats.stalled_leaves, b.stats.stalled_leaves);
  EXPECT_EQ(a.stats.overlaps_complete, b.stats.overlaps_complete);
  EXPECT_EQ(a.stats.largest_overlap, b.stats.largest_overlap);
  EXPECT_EQ(a.stats.memory_bytes, b.stats.memory_bytes);
  ASSERT_EQ(a.overlaps.size(), b.overlaps.size());
  for (std::size_t i = 0; i < a.overlaps.size(); ++i) {
    EXPECT_EQ(a.overlaps[i].first, b.overlaps[i].first);
    EXPECT_EQ(a.overlaps[i].second, b.overlaps[i].second);
    EXPECT_EQ(a.overlaps[i].near.x, b.overlaps[i].near.x);
    EXPECT_EQ(a.overlaps[i].near.y, b.overlaps[i].near.y);
  }
  std::size_t differ = 0;
  for (std::size_t i = 0; i < a.answers.size(); ++i)
    differ += (a.answers[i] != b.answers[i] || a.several[i] != b.several[i]) ? 1 : 0;
  EXPECT_EQ(differ, 0u);
}

void check(const std::vector<MultiPolygon>& areas, const std::vector<Point>& points) {
  const Snapshot one = build_and_query(areas, points, 1);
  // The rows are built 32 at a time: the grid must span several batches to test their merge.
  ASSERT_GT(one.stats.top_rows, 3 * 32u);
  for (int threads : {2, 3}) expect_same(one, build_and_query(areas, points, threads), threads);
}

std::vector<Point> sample_points(const test::Tessellation& t, std::uint64_t seed) {
  std::vector<Point> points = t.lattice;
  points.insert(points.end(), t.straight_edge_points.begin(), t.straight_edge_points.end());
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> ux(t.bounds.xmin, t.bounds.xmax);
  std::uniform_real_distribution<double> uy(t.bounds.ymin, t.bounds.ymax);
  for (int i = 0; i < 50000; ++i) points.push_back({ux(rng), uy(rng)});
  return points;
}

TEST(AreaIndexBuild, SameIndexWhateverTheThreadCount) {
  for (std::uint64_t seed : {3u, 11u}) {
    SCOPED_TRACE(testing::Message() << "seed " << seed);
    test::TessellationOptions options;
    options.columns = 90;
    options.rows = 70;
    options.areas = 120;
    options.seed = seed;
    const test::Tessellation t = test::random_tessellation(options);
    check(t.areas, sample_points(t, seed));
  }
}

TEST(AreaIndexBuild, SameOverlapsWhateverTheThreadCount) {
  test::TessellationOptions options;
  options.columns = 90;
  options.rows = 70;
  options.areas = 120;
  options.seed = 5;
  const test::Tessellation t = test::random_tessellation(options);
  std::vector<MultiPolygon> areas = t.areas;
  // Every tenth area again, shifted by a third of a lattice cell: overlaps all over the grid.
  for (std::size_t i = 0; i < t.areas.size(); i += 10) {
    MultiPolygon copy = t.areas[i];
    for (engine::Polygon& polygon : copy) {
      for (Point& p : polygon.exterior) p.x += options.cell_size / 3;
      for (engine::Ring& hole : polygon.holes)
        for (Point& p : hole) p.x += options.cell_size / 3;
    }
    areas.push_back(std::move(copy));
  }
  const std::vector<Point> points = sample_points(t, 5);
  const Snapshot one = build_and_query(areas, points, 1);
  EXPECT_GT(one.overlaps.size(), 10u);
  check(areas, points);
}

}  // namespace
}  // namespace notspot
