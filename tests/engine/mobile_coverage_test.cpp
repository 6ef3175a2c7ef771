// Mobile coverage figures, postcode keys and estimates, and coverage rules. Expectations come
// from brute-force counts, from GEOS overlays (the union and intersection of the covered cell
// squares, clipped to each area), or are computed by hand in the comments.

#include "notspot/engine/mobile_coverage.hpp"

#include <gtest/gtest.h>
#include <tbb/task_arena.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "notspot/engine/area_index.hpp"
#include "notspot/engine/coverage_rule.hpp"
#include "notspot/engine/error.hpp"
#include "notspot/engine/geos_context.hpp"
#include "notspot/engine/grid_coverage.hpp"
#include "notspot/engine/postcode.hpp"
#include "support/tessellation.hpp"

namespace notspot::engine {
namespace {

// ---- BitVector ----------------------------------------------------------------------------

TEST(BitVector, SetTestCountAndOrAcrossWordBoundaries) {
  BitVector a(130), b(130);
  for (std::size_t i : {0, 63, 64, 129}) a.set(i);
  for (std::size_t i : {1, 64, 127}) b.set(i);
  EXPECT_EQ(a.count(), 4u);
  EXPECT_TRUE(a.test(63));
  EXPECT_TRUE(a.test(64));
  EXPECT_FALSE(a.test(65));
  a |= b;  // {0, 1, 63, 64, 127, 129}
  EXPECT_EQ(a.count(), 6u);
  EXPECT_TRUE(a.test(1));
  EXPECT_TRUE(a.test(127));
  EXPECT_FALSE(a.test(128));
  BitVector other_size(129);
  EXPECT_THROW(a |= other_size, Error);
}

// ---- count_group_premises -------------------------------------------------------------------

struct RandomPremises {
  std::vector<std::uint32_t> area_of_premise;
  std::vector<BitVector> covered;  // one per operator
};

RandomPremises random_premises(std::mt19937_64& rng, std::size_t premises, std::size_t areas,
                               std::size_t operators) {
  RandomPremises r;
  // Some premises are out of range: just past the last area, and AreaIndex::kOutside.
  std::uniform_int_distribution<std::uint32_t> area(0, static_cast<std::uint32_t>(areas) + 1);
  std::uniform_real_distribution<double> unit(0, 1);
  for (std::size_t i = 0; i < premises; ++i) {
    const std::uint32_t a = area(rng);
    r.area_of_premise.push_back(a == areas + 1 ? AreaIndex::kOutside : a);
  }
  for (std::size_t op = 0; op < operators; ++op) {
    // Different coverage rates per operator, so that "all" and "none" are both non-trivial.
    const double rate = 0.2 + 0.6 * unit(rng);
    BitVector bits(premises);
    for (std::size_t i = 0; i < premises; ++i)
      if (unit(rng) < rate) bits.set(i);
    r.covered.push_back(std::move(bits));
  }
  return r;
}

std::vector<GroupPremisesCounts> brute_force_counts(const RandomPremises& r, std::size_t areas) {
  const std::size_t operators = r.covered.size();
  std::vector<GroupPremisesCounts> out(areas);
  for (GroupPremisesCounts& c : out) c.by_operator.assign(operators, 0);
  for (std::size_t i = 0; i < r.area_of_premise.size(); ++i) {
    const std::uint32_t a = r.area_of_premise[i];
    if (a >= areas) continue;
    std::size_t n = 0;
    for (std::size_t op = 0; op < operators; ++op) {
      if (r.covered[op].test(i)) {
        ++out[a].by_operator[op];
        ++n;
      }
    }
    if (n >= 1) ++out[a].any;
    if (operators > 0 && n == operators) ++out[a].all;
    if (n == 0) ++out[a].none;
    if (n >= 1 && n < operators) ++out[a].partial;
  }
  return out;
}

void expect_same_counts(const std::vector<GroupPremisesCounts>& got,
                        const std::vector<GroupPremisesCounts>& expected) {
  ASSERT_EQ(got.size(), expected.size());
  for (std::size_t a = 0; a < got.size(); ++a) {
    SCOPED_TRACE("area " + std::to_string(a));
    EXPECT_EQ(got[a].by_operator, expected[a].by_operator);
    EXPECT_EQ(got[a].any, expected[a].any);
    EXPECT_EQ(got[a].all, expected[a].all);
    EXPECT_EQ(got[a].none, expected[a].none);
    EXPECT_EQ(got[a].partial, expected[a].partial);
  }
}

TEST(CountGroupPremises, MatchesBruteForceOnRandomCases) {
  std::mt19937_64 rng(20240601);
  std::uniform_int_distribution<std::size_t> premises(0, 400), areas(1, 6), operators(1, 5);
  for (int trial = 0; trial < 200; ++trial) {
    SCOPED_TRACE("trial " + std::to_string(trial));
    const std::size_t n = premises(rng), area_count = areas(rng), ops = operators(rng);
    const RandomPremises r = random_premises(rng, n, area_count, ops);
    expect_same_counts(count_group_premises(r.area_of_premise, r.covered, area_count),
                       brute_force_counts(r, area_count));
  }
}

TEST(CountGroupPremises, HandCountedSmallCase) {
  // Three operators, two areas; premise 4 is outside every area.
  //   premise:  0    1    2    3    4(out)  5
  //   area:     0    0    1    1    -       1
  //   op A:     1    0    1    0    1       1
  //   op B:     1    0    0    0    1       1
  //   op C:     1    0    1    0    1       0
  const std::vector<std::uint32_t> area = {0, 0, 1, 1, AreaIndex::kOutside, 1};
  std::vector<BitVector> covered(3, BitVector(6));
  for (std::size_t i : {0, 2, 4, 5}) covered[0].set(i);
  for (std::size_t i : {0, 4, 5}) covered[1].set(i);
  for (std::size_t i : {0, 2, 4}) covered[2].set(i);
  const auto counts = count_group_premises(area, covered, 2);
  ASSERT_EQ(counts.size(), 2u);
  // Area 0: premise 0 has all three, premise 1 none.
  EXPECT_EQ(counts[0].by_operator, (std::vector<std::uint64_t>{1, 1, 1}));
  EXPECT_EQ(counts[0].any, 1u);
  EXPECT_EQ(counts[0].all, 1u);
  EXPECT_EQ(counts[0].none, 1u);
  EXPECT_EQ(counts[0].partial, 0u);
  // Area 1: premise 2 has A and C, premise 3 none, premise 5 A and B.
  EXPECT_EQ(counts[1].by_operator, (std::vector<std::uint64_t>{2, 1, 1}));
  EXPECT_EQ(counts[1].any, 2u);
  EXPECT_EQ(counts[1].all, 0u);
  EXPECT_EQ(counts[1].none, 1u);
  EXPECT_EQ(counts[1].partial, 2u);

  GroupPremisesCounts total;
  for (const auto& c : counts) total += c;
  EXPECT_EQ(total.by_operator, (std::vector<std::uint64_t>{3, 2, 2}));
  EXPECT_EQ(total.any, 3u);
  EXPECT_EQ(total.all, 1u);
  EXPECT_EQ(total.none, 2u);
  EXPECT_EQ(total.partial, 2u);
}

TEST(CountGroupPremises, NoOperatorsMeansEveryPremiseIsANotSpot) {
  const std::vector<std::uint32_t> area = {0, 0, 1, 7};
  const auto counts = count_group_premises(area, std::span<const BitVector>(), 2);
  ASSERT_EQ(counts.size(), 2u);
  EXPECT_TRUE(counts[0].by_operator.empty());
  EXPECT_EQ(counts[0].none, 2u);
  EXPECT_EQ(counts[1].none, 1u);
  EXPECT_EQ(counts[0].any + counts[0].all + counts[0].partial, 0u);
}

TEST(CountGroupPremises, RejectsCoverageOfTheWrongLength) {
  const std::vector<std::uint32_t> area = {0, 0, 0};
  std::vector<BitVector> covered = {BitVector(3), BitVector(2)};
  EXPECT_THROW(count_group_premises(area, covered, 1), Error);
}

TEST(CountGroupPremises, SameWithOneAndFourThreads) {
  // Enough premises for several of the parallel loop's 65536-premise chunks.
  std::mt19937_64 rng(77);
  const std::size_t n = 300'000, areas = 5;
  const RandomPremises r = random_premises(rng, n, areas, 4);
  std::vector<GroupPremisesCounts> one, four;
  tbb::task_arena(1).execute([&] { one = count_group_premises(r.area_of_premise, r.covered, 5); });
  tbb::task_arena(4).execute([&] { four = count_group_premises(r.area_of_premise, r.covered, 5); });
  const auto expected = brute_force_counts(r, areas);
  expect_same_counts(one, expected);
  expect_same_counts(four, expected);
}

// ---- group_area_coverage against GEOS ---------------------------------------------------------

class GeosOracle {
 public:
  GeosGeometry own(GEOSGeometry* g, const char* what) const { return geos_.own(g, what); }
  GEOSContextHandle_t h() const { return geos_.handle(); }

  GeosGeometry cell_square(const Grid& grid, std::size_t col, std::size_t row) const {
    // Neighbouring squares take their shared edges from the same expression, so that the
    // union dissolves them exactly.
    const double x0 = grid.cell_xmin(col), x1 = grid.cell_xmin(col + 1);
    const double y1 = grid.cell_ymax(row), y0 = grid.cell_ymax(row + 1);
    return geos_.to_geos(MultiPolygon{{{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}}, {}}});
  }

  // Union of the squares of the cells for which `pick(cell index)` is true.
  template <class Pick>
  GeosGeometry cells_union(const Grid& grid, Pick&& pick) const {
    std::vector<GEOSGeometry*> parts;
    for (std::size_t row = 0; row < grid.rows; ++row) {
      for (std::size_t col = 0; col < grid.columns; ++col) {
        if (pick(row * grid.columns + col)) parts.push_back(cell_square(grid, col, row).release());
      }
    }
    GeosGeometry collection =
        own(GEOSGeom_createCollection_r(h(), GEOS_GEOMETRYCOLLECTION, parts.data(),
                                        static_cast<unsigned>(parts.size())),
            "collection");
    return own(GEOSUnaryUnion_r(h(), collection.get()), "union");
  }

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
  double area_of_intersection(const GEOSGeometry* a, const GEOSGeometry* b) const {
    return area(intersect(a, b).get());
  }
  GeosGeometry to_geos(const MultiPolygon& m) const { return geos_.to_geos(m); }

 private:
  GeosContext geos_;
};

// Random covered and nodata bits for one operator (a cell may have both: nodata wins).
CoverageGrid random_coverage(std::mt19937_64& rng, const Grid& grid, double covered_rate,
                             double nodata_rate) {
  std::uniform_real_distribution<double> unit(0, 1);
  CoverageGrid g;
  g.grid = grid;
  g.covered = BitVector(grid.columns * grid.rows);
  g.nodata = BitVector(grid.columns * grid.rows);
  for (std::size_t k = 0; k < grid.columns * grid.rows; ++k) {
    if (unit(rng) < covered_rate) g.covered.set(k);
    if (unit(rng) < nodata_rate) g.nodata.set(k);
  }
  return g;
}

TEST(GroupAreaCoverage, HandComputedTwoCells) {
  // Two unit cells side by side: [0,1]x[0,1] (col 0) and [1,2]x[0,1] (col 1). The area is the
  // rectangle [0.5, 2.5] x [0, 1]: half of cell 0, all of cell 1, and 0.5 off the grid.
  const Grid grid{0, 1, 1, 1, 2, 1};
  CoverageGrid a{grid, BitVector(2), BitVector(2)};
  CoverageGrid b{grid, BitVector(2), BitVector(2)};
  a.covered.set(0);
  a.covered.set(1);
  b.covered.set(1);
  b.nodata.set(0);
  const MultiPolygon area{{{{0.5, 0}, {2.5, 0}, {2.5, 1}, {0.5, 1}}, {}}};
  const std::vector<const CoverageGrid*> rasters = {&a, &b};
  const GroupAreaCoverage g = group_area_coverage(cell_areas(area, grid), 2.0, rasters);
  EXPECT_DOUBLE_EQ(g.area, 2.0);
  EXPECT_DOUBLE_EQ(g.by_operator[0], 1.5);
  EXPECT_DOUBLE_EQ(g.by_operator[1], 1.0);
  EXPECT_DOUBLE_EQ(g.any, 1.5);
  EXPECT_DOUBLE_EQ(g.all, 1.0);
  EXPECT_DOUBLE_EQ(g.nodata, 1.0);  // half of cell 0 (b's nodata) and the half off the grid

  GroupAreaCoverage total = g;
  total += g;
  EXPECT_DOUBLE_EQ(total.area, 4.0);
  EXPECT_DOUBLE_EQ(total.by_operator[0], 3.0);
  EXPECT_DOUBLE_EQ(total.all, 2.0);
}

void expect_group_matches_geos(const MultiPolygon& area, const Grid& grid,
                               const std::vector<CoverageGrid>& layers) {
  GeosOracle geos;
  const GeosGeometry area_g = geos.to_geos(area);
  const double area_area = geos.area(area_g.get());
  const double tolerance = 1e-9 * area_area;

  std::vector<const CoverageGrid*> rasters;
  for (const CoverageGrid& c : layers) rasters.push_back(&c);
  const GroupAreaCoverage ours =
      group_area_coverage(cell_areas(area, grid), engine::area(area), rasters);

  // Per operator: the union of its covered, non-nodata cell squares; then any and all.
  std::vector<GeosGeometry> covered;
  for (const CoverageGrid& c : layers) {
    covered.push_back(geos.cells_union(
        grid, [&](std::size_t k) { return c.covered.test(k) && !c.nodata.test(k); }));
  }
  GeosGeometry any = geos.own(GEOSGeom_clone_r(geos.h(), covered[0].get()), "clone");
  GeosGeometry all = geos.own(GEOSGeom_clone_r(geos.h(), covered[0].get()), "clone");
  for (std::size_t op = 1; op < covered.size(); ++op) {
    any = geos.unite(any.get(), covered[op].get());
    all = geos.intersect(all.get(), covered[op].get());
  }
  // Nodata: the area minus the grid's cells where no layer has nodata.
  const GeosGeometry grid_rect = geos.cells_union(grid, [](std::size_t) { return true; });
  const GeosGeometry nodata_cells = geos.cells_union(grid, [&](std::size_t k) {
    for (const CoverageGrid& c : layers)
      if (c.nodata.test(k)) return true;
    return false;
  });
  const GeosGeometry valid = geos.subtract(grid_rect.get(), nodata_cells.get());

  const double any_area = geos.area_of_intersection(area_g.get(), any.get());
  EXPECT_NEAR(ours.area, area_area, tolerance);
  ASSERT_EQ(ours.by_operator.size(), layers.size());
  for (std::size_t op = 0; op < layers.size(); ++op) {
    EXPECT_NEAR(ours.by_operator[op], geos.area_of_intersection(area_g.get(), covered[op].get()),
                tolerance)
        << "operator " << op;
  }
  EXPECT_NEAR(ours.any, any_area, tolerance);
  EXPECT_NEAR(ours.all, geos.area_of_intersection(area_g.get(), all.get()), tolerance);
  EXPECT_NEAR(ours.area - ours.any, area_area - any_area, tolerance);  // none: not-spot land
  EXPECT_NEAR(ours.nodata, area_area - geos.area_of_intersection(area_g.get(), valid.get()),
              tolerance);
}

TEST(GroupAreaCoverage, RandomAreasAndRastersAgreeWithGeos) {
  std::mt19937_64 rng(5150);
  for (std::uint64_t seed : {21, 22, 23}) {
    test::TessellationOptions o;
    o.seed = seed;
    o.columns = 12;
    o.rows = 9;
    o.areas = 7;
    o.cell_size = 100;  // areas span [0, 1200] x [0, 900]
    const test::Tessellation t = test::random_tessellation(o);
    // A grid not aligned with the lattice: offset origin, non-square cells, and covering only
    // part of the tessellation (x 37.3..1086.1, y 103.5..830.1), so that areas extend beyond.
    const Grid grid{37.3, 830.1, 43.7, 51.9, 24, 14};
    const std::size_t operators = seed == 22 ? 3 : 4;
    std::vector<CoverageGrid> layers;
    for (std::size_t op = 0; op < operators; ++op) {
      layers.push_back(random_coverage(rng, grid, 0.45 + 0.1 * static_cast<double>(op), 0.05));
    }
    for (std::size_t a = 0; a < t.areas.size(); ++a) {
      SCOPED_TRACE("seed " + std::to_string(seed) + " area " + std::to_string(a));
      expect_group_matches_geos(t.areas[a], grid, layers);
    }
  }
}

TEST(GroupAreaCoverage, BritishNationalGridMagnitudesAgreeWithGeos) {
  // Realistic coordinates: a wobbly 4 km disc near (401234, 100987) on a 100 m grid whose
  // origin is not a multiple of the cell size, partly off the grid to the north-east.
  std::mt19937_64 rng(8);
  std::uniform_real_distribution<double> wobble(-150, 150);
  Ring ring;
  for (int k = 0; k < 300; ++k) {
    const double angle = 2 * M_PI * k / 300;
    const double r = 2000 + wobble(rng);
    ring.push_back({401234.56 + r * std::cos(angle), 100987.65 + r * std::sin(angle)});
  }
  const Grid grid{398950.5, 102500.25, 100, 100, 40, 45};
  std::vector<CoverageGrid> layers;
  for (int op = 0; op < 4; ++op) layers.push_back(random_coverage(rng, grid, 0.6, 0.03));
  expect_group_matches_geos({{ring, {}}}, grid, layers);
}

// ---- count_digitally_excluded ----------------------------------------------------------------

FixedBroadband speeds(float down, float up) {
  FixedBroadband b;
  b.has_speed_record = true;
  b.down_mbps = down;
  b.up_mbps = up;
  return b;
}

TEST(CountDigitallyExcluded, BelowUsoAndNoMobileOnly) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  FixedBroadband bduk_gigabit = speeds(2, 0.5);
  bduk_gigabit.has_bduk_record = true;
  bduk_gigabit.current_gigabit = true;
  struct Case {
    FixedBroadband broadband;
    bool mobile;
    std::uint32_t area;
    bool excluded;  // below the USO on evidence, and no mobile: by hand
  };
  const std::vector<Case> cases = {
      {speeds(5, 0.5), false, 0, true},                      // below both thresholds, no mobile
      {speeds(5, 0.5), true, 0, false},                      // mobile coverage: not excluded
      {speeds(50, 10), false, 0, false},                     // decent broadband
      {FixedBroadband{}, false, 0, false},                   // no broadband data: no evidence
      {speeds(20, 0.5), false, 1, true},                     // upload below the USO
      {speeds(9.99f, nan), false, 1, true},                  // known download below, upload unknown
      {speeds(10, 1), false, 1, false},                      // exactly the USO: decent
      {speeds(10, nan), false, 1, false},                    // decent download, upload unknown
      {bduk_gigabit, false, 1, false},                       // BDUK gigabit overrides the speed row
      {speeds(1, 0.1f), false, AreaIndex::kOutside, false},  // outside every area
      {speeds(1, 0.1f), false, 2, true},
  };
  std::vector<std::uint32_t> area;
  std::vector<FixedBroadband> broadband;
  BitVector mobile(cases.size());
  std::vector<std::uint64_t> expected(3, 0);
  for (std::size_t i = 0; i < cases.size(); ++i) {
    area.push_back(cases[i].area);
    broadband.push_back(cases[i].broadband);
    if (cases[i].mobile) mobile.set(i);
    if (cases[i].excluded) ++expected[cases[i].area];
  }
  EXPECT_EQ(expected, (std::vector<std::uint64_t>{1, 2, 1}));
  EXPECT_EQ(count_digitally_excluded(area, broadband, Thresholds{}, mobile, 3), expected);

  // The same pattern repeated 20,000 times, over many parallel chunks: 20,000 times the counts.
  const std::size_t repeats = 20'000;
  std::vector<std::uint32_t> big_area;
  std::vector<FixedBroadband> big_broadband;
  BitVector big_mobile(cases.size() * repeats);
  for (std::size_t r = 0; r < repeats; ++r) {
    for (std::size_t i = 0; i < cases.size(); ++i) {
      if (cases[i].mobile) big_mobile.set(big_area.size());
      big_area.push_back(cases[i].area);
      big_broadband.push_back(cases[i].broadband);
    }
  }
  EXPECT_EQ(count_digitally_excluded(big_area, big_broadband, Thresholds{}, big_mobile, 3),
            (std::vector<std::uint64_t>{repeats, 2 * repeats, repeats}));
}

TEST(CountDigitallyExcluded, ThresholdsAreConfigurable) {
  // 15/2 Mbit/s is decent under the 2018 USO, but below a 20/2 obligation.
  const std::vector<std::uint32_t> area = {0};
  const std::vector<FixedBroadband> broadband = {speeds(15, 2)};
  const BitVector mobile(1);
  EXPECT_EQ(count_digitally_excluded(area, broadband, Thresholds{}, mobile, 1),
            (std::vector<std::uint64_t>{0}));
  Thresholds higher;
  higher.decent_down_mbps = 20;
  higher.decent_up_mbps = 2;
  EXPECT_EQ(count_digitally_excluded(area, broadband, higher, mobile, 1),
            (std::vector<std::uint64_t>{1}));
}

// ---- postcodes ---------------------------------------------------------------------------------

TEST(PostcodeKey, NormalisesCaseAndSpaces) {
  // One character per byte, most significant first: D=0x44 T=0x54 1=0x31 A=0x41.
  const std::uint64_t dt11aa = 0x44'54'31'31'41'41;
  EXPECT_EQ(postcode_key("DT1 1AA"), dt11aa);
  EXPECT_EQ(postcode_key("dt11aa"), dt11aa);
  EXPECT_EQ(postcode_key("DT11AA"), dt11aa);
  EXPECT_EQ(postcode_key("  Dt1  1aA "), dt11aa);
  EXPECT_EQ(postcode_key("DT1\t1AA"), dt11aa);
  EXPECT_EQ(postcode_text(dt11aa), "DT11AA");
  EXPECT_NE(postcode_key("DT1 1AB"), postcode_key("DT1 1AA"));
}

TEST(PostcodeKey, AllUkFormatsRoundTrip) {
  // A9 9AA, A99 9AA, A9A 9AA, AA9 9AA, AA99 9AA, AA9A 9AA.
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"W1A 0AX", "W1A0AX"},  {"M1 1AE", "M11AE"},     {"B33 8TH", "B338TH"}, {"DT1 1AA", "DT11AA"},
      {"BA215BT", "BA215BT"}, {"EC1A 1BB", "EC1A1BB"}, {"cr2 6xh", "CR26XH"},
  };
  for (const auto& [text, compact] : cases) {
    const auto key = postcode_key(text);
    ASSERT_TRUE(key.has_value()) << text;
    EXPECT_NE(*key, 0u);
    EXPECT_EQ(postcode_text(*key), compact) << text;
    EXPECT_EQ(postcode_key(compact), key) << text;
  }
  EXPECT_EQ(postcode_key("EC1A 1BB"), 0x45'43'31'41'31'42'42u);
}

TEST(PostcodeKey, RejectsWhatIsNotAPostcode) {
  for (const char* text : {"DT1", "A 1AA", "1AA DT1", "DT1-1AA", "", "   ", "DT1 1A1", "DT1 AAA",
                           "DT12 34AA", "1T1 1AA", "DT1 1AÄ", "DT1,1AA", "ABCDEFGH"}) {
    EXPECT_FALSE(postcode_key(text).has_value()) << "'" << text << "'";
  }
  EXPECT_EQ(postcode_text(0), "");
}

TEST(EstimateByArea, HandComputedSums) {
  // Rates in millionths: 97.3% = 973000, 33.3333% = 333333, 12.5% = 125000, 0.5% = 5000.
  const auto idx = [](Estimate e) { return static_cast<std::size_t>(e); };
  std::vector<PostcodeRates> rates(3, PostcodeRates{});
  rates[0][idx(Estimate::kSuperfast)] = 973000;
  rates[0][idx(Estimate::kGigabit)] = 333333;
  rates[0][idx(Estimate::kBelowUso)] = 5000;
  rates[1][idx(Estimate::kSuperfast)] = 1000000;
  rates[1][idx(Estimate::kGigabit)] = 125000;
  rates[2][idx(Estimate::kUnable10)] = 1;  // one millionth
  //   premise: 0  1  2  3      4      5     6
  //   area:    0  0  0  1      1      out   1
  //   row:     0  0  1  2      none   0     0
  const std::vector<std::uint32_t> area = {0, 0, 0, 1, 1, AreaIndex::kOutside, 1};
  const std::vector<std::uint32_t> row = {0, 0, 1, 2, kNoRow, 0, 0};
  const auto e = estimate_by_area(area, row, rates, 2);
  ASSERT_EQ(e.size(), 2u);
  EXPECT_EQ(e[0].premises, 3u);
  EXPECT_EQ(e[0].millionths[idx(Estimate::kSuperfast)], 2 * 973000 + 1000000);
  EXPECT_EQ(e[0].millionths[idx(Estimate::kGigabit)], 2 * 333333 + 125000);
  EXPECT_EQ(e[0].millionths[idx(Estimate::kBelowUso)], 10000);
  EXPECT_EQ(e[0].millionths[idx(Estimate::kUnable10)], 0);
  EXPECT_DOUBLE_EQ(e[0].value(Estimate::kSuperfast), 2.946);
  EXPECT_EQ(e[1].premises, 2u);
  EXPECT_EQ(e[1].millionths[idx(Estimate::kSuperfast)], 973000);
  EXPECT_EQ(e[1].millionths[idx(Estimate::kGigabit)], 333333);
  EXPECT_EQ(e[1].millionths[idx(Estimate::kUnable10)], 1);
  EXPECT_DOUBLE_EQ(e[1].value(Estimate::kUnable10), 1e-6);

  AreaEstimates total;
  for (const AreaEstimates& a : e) total += a;
  EXPECT_EQ(total.premises, 5u);
  EXPECT_EQ(total.millionths[idx(Estimate::kSuperfast)], 3 * 973000 + 1000000);

  const std::vector<std::uint32_t> short_rows = {0};
  EXPECT_THROW(estimate_by_area(area, short_rows, rates, 2), Error);
}

TEST(EstimateByArea, ExactOverManyPremisesAndThreads) {
  // 0.1% does not sum exactly in binary floating point; in millionths it is 1000 per premise.
  const std::size_t n = 250'000;
  std::vector<PostcodeRates> rates(1, PostcodeRates{});
  rates[0][static_cast<std::size_t>(Estimate::kFullFibre)] = 1000;
  std::vector<std::uint32_t> area(n), row(n, 0);
  for (std::size_t i = 0; i < n; ++i) area[i] = static_cast<std::uint32_t>(i % 2);
  std::vector<AreaEstimates> one, four;
  tbb::task_arena(1).execute([&] { one = estimate_by_area(area, row, rates, 2); });
  tbb::task_arena(4).execute([&] { four = estimate_by_area(area, row, rates, 2); });
  for (const auto* e : {&one, &four}) {
    ASSERT_EQ(e->size(), 2u);
    EXPECT_EQ((*e)[0].premises, n / 2);
    EXPECT_EQ((*e)[0].millionths[static_cast<std::size_t>(Estimate::kFullFibre)], 125'000'000);
    EXPECT_EQ((*e)[0].value(Estimate::kFullFibre), 125.0);
  }
}

TEST(EstimateCatalogue, NamesOfcomColumns) {
  const auto catalogue = estimate_catalogue();
  for (std::size_t i = 0; i < kEstimateCount; ++i) {
    EXPECT_EQ(static_cast<std::size_t>(catalogue[i].estimate), i);
  }
  EXPECT_EQ(catalogue[static_cast<std::size_t>(Estimate::kGigabit)].ofcom_column,
            "Gigabit availability (% premises)");
  EXPECT_EQ(catalogue[static_cast<std::size_t>(Estimate::kBelowUso)].ofcom_column,
            "% of premises below the USO");
}

// ---- CoverageRule ------------------------------------------------------------------------------

TEST(CoverageRule, ComparisonOperators) {
  struct Case {
    const char* text;
    const char* description;
    double value;
    bool covered;
  };
  const std::vector<Case> cases = {
      {">= -105", ">= -105", -105, true},
      {">= -105", ">= -105", -105.5, false},
      {">=-105", ">= -105", -98, true},
      {"  >=   -105  ", ">= -105", -200, false},
      {"> -105", "> -105", -105, false},
      {">-105", "> -105", -104.9, true},
      {"<= 3", "<= 3", 3, true},
      {"<=3", "<= 3", 3.01, false},
      {"< 3", "< 3", 3, false},
      {"<3", "< 3", 2.99, true},
      {"== 1", "== 1", 1, true},
      {"==1", "== 1", 0, false},
      {"== +1", "== 1", 1, true},
      {"== 1.5", "== 1.5", 1.5, true},
      {"!= 0", "!= 0", 0, false},
      {"!=0", "!= 0", 1, true},
      {">= -107.25", ">= -107.25", -107.3, false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.text);
    const auto rule = CoverageRule::parse(c.text);
    ASSERT_TRUE(rule.has_value());
    EXPECT_EQ(rule->covered(c.value), c.covered) << c.value;
    EXPECT_EQ(rule->describe(), c.description);
  }
}

TEST(CoverageRule, ClassLists) {
  for (const char* text : {"in [2, 3, 4]", "in[2,3,4]", "  in [ 2 ,3 , 4 ]  ", "in [2,3,+4]"}) {
    SCOPED_TRACE(text);
    const auto rule = CoverageRule::parse(text);
    ASSERT_TRUE(rule.has_value());
    EXPECT_EQ(rule->describe(), "in [2, 3, 4]");
    EXPECT_FALSE(rule->covered(1));
    EXPECT_TRUE(rule->covered(2));
    EXPECT_FALSE(rule->covered(2.5));
    EXPECT_TRUE(rule->covered(4));
    EXPECT_FALSE(rule->covered(5));
  }
  const auto single = CoverageRule::parse("in [-1.5]");
  ASSERT_TRUE(single.has_value());
  EXPECT_EQ(single->describe(), "in [-1.5]");
  EXPECT_TRUE(single->covered(-1.5));
}

TEST(CoverageRule, DefaultIsAtLeastOne) {
  const CoverageRule rule;
  EXPECT_EQ(rule.describe(), ">= 1");
  EXPECT_TRUE(rule.covered(1));
  EXPECT_FALSE(rule.covered(0));
}

TEST(CoverageRule, InvalidTexts) {
  for (const char* text :
       {"",         "   ",      ">=",        ">= ",       "=> 5",        "= 5",       "5",
        ">= abc",   ">= 1 2",   ">= 1,",     "in []",     "in [ ]",      "in [1,,2]", "in [,1]",
        "in [1, 2", "in 1, 2]", "in (1, 2)", "in [1, x]", "between 1 2", ">= nan",    ">= inf",
        "== 1e999", "IN [1]",   "<> 1"}) {
    EXPECT_FALSE(CoverageRule::parse(text).has_value()) << "'" << text << "'";
  }
}

TEST(CoverageRule, DescriptionParsesBackToTheSameRule) {
  // The manifest shows describe(); it must state the rule that was applied, digit for digit.
  for (const char* text : {">= -105", "in [2, 3]", "== 0.125", "> -97.5"}) {
    const auto rule = CoverageRule::parse(text);
    ASSERT_TRUE(rule.has_value());
    EXPECT_EQ(rule->describe(), text);
  }
}

// Regression: describe() used ostream's default 6 significant digits ("== 1234567" became
// "== 1.23457e+06"), so the manifest stated a rule other than the one applied.
TEST(CoverageRule, DescriptionKeepsEverySignificantDigit) {
  for (const char* text : {"== 1234567", ">= -105.123456", "in [0.1234567, 2]"}) {
    const auto rule = CoverageRule::parse(text);
    ASSERT_TRUE(rule.has_value());
    EXPECT_EQ(rule->describe(), text);
  }
}

}  // namespace
}  // namespace notspot::engine
