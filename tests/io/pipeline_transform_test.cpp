// CoordinateTransform's own evaluation of PROJ pipelines (engine::PipelineTransform), checked
// against PROJ itself: the same transformation through proj_trans_generic in this test.

#include <gtest/gtest.h>
#include <proj.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "notspot/io/crs.hpp"

namespace notspot::io {
namespace {

struct Points {
  std::vector<double> x, y;
};

// The same coordinates through PROJ, as CoordinateTransform did before it had a pipeline.
Points through_proj(const std::string& from, const std::string& to, Points p) {
  PJ_CONTEXT* ctx = proj_context_create();
  PJ* raw = proj_create_crs_to_crs(ctx, from.c_str(), to.c_str(), nullptr);
  PJ* op = proj_normalize_for_visualization(ctx, raw);
  proj_trans_generic(op, PJ_FWD, p.x.data(), sizeof(double), p.x.size(), p.y.data(), sizeof(double),
                     p.y.size(), nullptr, 0, 0, nullptr, 0, 0);
  proj_destroy(op);
  proj_destroy(raw);
  proj_context_destroy(ctx);
  return p;
}

Points through_notspot(const std::string& from, const std::string& to, Points p, bool* pipeline) {
  const CoordinateTransform t(Crs::from_definition(from, "a"), Crs::from_definition(to, "b"));
  *pipeline = t.uses_pipeline();
  t.transform(p.x, p.y);
  return p;
}

Points random_points(double west, double south, double east, double north, std::size_t n,
                     unsigned seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> lon(west, east), lat(south, north);
  Points p;
  for (std::size_t i = 0; i < n; ++i) {
    p.x.push_back(lon(rng));
    p.y.push_back(lat(rng));
  }
  return p;
}

void append(Points& p, std::initializer_list<std::pair<double, double>> lon_lat) {
  for (const auto& [lon, lat] : lon_lat) {
    p.x.push_back(lon);
    p.y.push_back(lat);
  }
}

// Largest difference (metres, or the unit of the target) over the points; infinity when one
// side fails where the other does not.
double max_difference_raw(const Points& a, const Points& b);
double max_difference(const Points& a, const Points& b) {
  const double d = max_difference_raw(a, b);
  testing::Test::RecordProperty("max_difference", std::to_string(d));
  return d;
}
double max_difference_raw(const Points& a, const Points& b) {
  double worst = 0;
  for (std::size_t i = 0; i < a.x.size(); ++i) {
    const bool fa = std::isfinite(a.x[i]) && std::isfinite(a.y[i]);
    const bool fb = std::isfinite(b.x[i]) && std::isfinite(b.y[i]);
    if (fa != fb) return INFINITY;
    if (!fa) continue;
    worst = std::max({worst, std::fabs(a.x[i] - b.x[i]), std::fabs(a.y[i] - b.y[i])});
  }
  return worst;
}

TEST(PipelineTransform, LonLatToBritishNationalGridWithinAMillimetreOfProj) {
  // 200,000 points over the operation's area of use (GB, Northern Ireland, Scilly, Shetland),
  // named places at its edges, and points outside it (Paris, mid-Atlantic, the equator), which
  // PROJ transforms with its ballpark operation.
  Points p = random_points(-8.8, 49.8, 1.9, 60.9, 200000, 14);
  append(p, {{-6.32, 49.91},  // St Mary's, Isles of Scilly
             {-1.15, 60.15},  // Lerwick, Shetland
             {-0.77, 60.80},  // Unst, Shetland
             {-5.93, 54.60},  // Belfast
             {-7.31, 54.99},  // Derry/Londonderry
             {1.75, 52.48},   // Lowestoft
             {-2.4, 50.7},    // Dorset (cs2cs in crs_test.cpp)
             {2.35, 48.85},   // Paris: outside the area of use
             {-20, 60},
             {10, 0},
             {-8.81, 49.80}});  // inside the area, outside the pipeline's margin
  bool pipeline = false;
  const Points fast = through_notspot("EPSG:4326", "EPSG:27700", p, &pipeline);
  const Points proj = through_proj("EPSG:4326", "EPSG:27700", p);
  EXPECT_TRUE(pipeline);
  EXPECT_LT(max_difference(fast, proj), 1e-3);
  // The points outside the pipeline's area went through PROJ: the very same numbers.
  for (std::size_t i = p.x.size() - 4; i < p.x.size(); ++i) {
    EXPECT_EQ(fast.x[i], proj.x[i]) << i;
    EXPECT_EQ(fast.y[i], proj.y[i]) << i;
  }
  // And the cs2cs value of crs_test.cpp.
  EXPECT_NEAR(fast.x[p.x.size() - 5], 371847.0757, 1e-3);
  EXPECT_NEAR(fast.y[p.x.size() - 5], 89005.0447, 1e-3);
}

TEST(PipelineTransform, UtmAndIrishGridWithinAMillimetreOfProj) {
  // UTM 30N: one operation (unitconvert + utm on WGS84). Irish Grid: Helmert to TM75 on the
  // modified Airy ellipsoid, a longlat step, then tmerc; 7-parameter Helmert with other signs.
  // ITM (EPSG:2157) is a GRS80 tmerc with no datum shift; UTM 31N over 60 degrees of longitude.
  struct Case {
    const char* to;
    double west, south, east, north;
  };
  for (const Case c :
       {Case{"EPSG:32630", -6, 0, 0, 84}, Case{"EPSG:29903", -10.5, 51.4, -5.4, 55.4},
        Case{"EPSG:2157", -10.5, 51.4, -5.4, 55.4}, Case{"EPSG:32631", -30, -10, 30, 70}}) {
    SCOPED_TRACE(c.to);
    const Points p = random_points(c.west, c.south, c.east, c.north, 50000, 7);
    bool pipeline = false;
    const Points fast = through_notspot("EPSG:4326", c.to, p, &pipeline);
    EXPECT_TRUE(pipeline);
    EXPECT_LT(max_difference(fast, through_proj("EPSG:4326", c.to, p)), 1e-3);
  }
}

TEST(PipelineTransform, UnsupportedPipelinesFallBackToProj) {
  // Lambert azimuthal equal-area (EPSG:3035), Pseudo-Mercator (webmerc) and a datum grid
  // (+nadgrids, not a step notspot implements): PROJ transforms, to the last bit.
  const Points p = random_points(-8, 50, 1.5, 58, 2000, 3);
  for (const char* to : {"EPSG:3035", "EPSG:3857",
                         "+proj=tmerc +lat_0=49 +lon_0=-2 +k=0.9996012717 +x_0=400000 "
                         "+y_0=-100000 +ellps=airy +nadgrids=@null +units=m +no_defs +type=crs"}) {
    SCOPED_TRACE(to);
    bool pipeline = true;
    const Points fast = through_notspot("EPSG:4326", to, p, &pipeline);
    EXPECT_FALSE(pipeline);
    const Points proj = through_proj("EPSG:4326", to, p);
    EXPECT_EQ(fast.x, proj.x);
    EXPECT_EQ(fast.y, proj.y);
  }
}

TEST(PipelineTransform, InverseDirectionFallsBackToProj) {
  // BNG -> WGS84 needs the inverse transverse Mercator, which notspot leaves to PROJ.
  Points p;
  append(p, {{400000, 100000}});
  bool pipeline = true;
  const Points out = through_notspot("EPSG:27700", "EPSG:4326", p, &pipeline);
  EXPECT_FALSE(pipeline);
  EXPECT_NEAR(out.x[0], -2.00136712, 1e-7);  // cs2cs, as crs_test.cpp
  EXPECT_NEAR(out.y[0], 50.79956061, 1e-7);
}

}  // namespace
}  // namespace notspot::io
