// Mobile coverage on the Dorset sample: all parishes x all 12 mobile rasters, area-weighted and
// premises-weighted, against straightforward baselines in the same binary:
//  - land shares: GEOS intersection of each parish with each cell's square (and a stronger
//    variant that skips cells a prepared geometry finds wholly inside or outside);
//  - premises: one GDAL pixel read per premise and raster, as a script sampling a raster would.
//
// The rasters come from the sample (target sample_data); missing files skip the benchmarks.
// With NOTSPOT_BENCH_SMOKE=1 (ctest -L benchmark-smoke), only 10 parishes (every 25th) and the
// first 20,000 premises are used, and every benchmark runs one iteration.

#include <benchmark/benchmark.h>
#include <gdal_priv.h>
#include <tbb/global_control.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <cmath>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "notspot/engine/coverage_sampling.hpp"
#include "notspot/engine/geos_context.hpp"
#include "notspot/engine/grid_coverage.hpp"
#include "notspot/engine/mobile_coverage.hpp"
#include "notspot/io/areas_reader.hpp"
#include "notspot/io/coverage_layers.hpp"
#include "notspot/io/premises_reader.hpp"
#include "support/bench_env.hpp"

namespace {

namespace fs = std::filesystem;
using notspot::engine::CellArea;
using notspot::engine::CoverageGrid;
using notspot::engine::GeosContext;
using notspot::engine::Grid;
using notspot::engine::MultiPolygon;

const fs::path kSample = NOTSPOT_BENCH_SAMPLE_DIR;
const char* const kOperators[] = {"EE", "Three", "O2", "Vodafone"};
const char* const kLayers[] = {"4G_indoor", "4G_outdoor", "5G_outdoor"};
/// Smoke mode keeps one parish in kSmokeAreaStep.
constexpr std::size_t kSmokeAreaStep = 25;
/// Iterations of the slow baselines (1 in smoke mode).
const int kBaselineIterations = notspot::bench::smoke_mode() ? 1 : 3;

struct Sample {
  std::vector<MultiPolygon> areas;
  notspot::engine::PremisesTable premises;
  std::vector<notspot::io::CoverageRaster> rasters;  // kLayers-major, operators within
  std::vector<fs::path> raster_paths;
  notspot::io::Crs crs;
  std::string missing;  // why the sample cannot be used, if so
};

const Sample& sample() {
  static const Sample s = [] {
    Sample out;
    out.crs = notspot::io::Crs::from_definition("EPSG:27700", "benchmark");
    notspot::io::ProblemLog log;
    notspot::io::Progress progress;
    notspot::io::AreasSource areas;
    areas.path = kSample / "parishes.gpkg";
    areas.layer = "parishes";
    areas.id_field = "PAR23CD";
    notspot::io::PremisesSource premises;
    premises.path = kSample / "premises.csv";
    for (const char* layer : kLayers) {
      for (const char* op : kOperators) {
        out.raster_paths.push_back(kSample / "mobile" / (std::string(op) + "_" + layer + ".tif"));
      }
    }
    for (const fs::path& p : out.raster_paths) {
      if (!fs::exists(p)) out.missing = p.string() + " is missing";
    }
    if (!fs::exists(areas.path) || !fs::exists(premises.path)) out.missing = "sample missing";
    if (!out.missing.empty()) return out;
    const bool smoke = notspot::bench::smoke_mode();
    std::size_t a_index = 0;
    for (auto& a : notspot::io::read_areas(areas, out.crs, "parishes", log).areas) {
      if (!smoke || a_index++ % kSmokeAreaStep == 0) out.areas.push_back(std::move(a.geometry));
    }
    out.premises = notspot::io::read_premises(premises, out.crs, "premises", log, progress).table;
    if (smoke && out.premises.size() > notspot::bench::kSmokePoints) {
      out.premises.resize(notspot::bench::kSmokePoints);
    }
    for (const fs::path& p : out.raster_paths) {
      notspot::io::LayerSource layer;
      layer.kind = notspot::io::LayerKind::kRaster;
      layer.name = p.stem();
      layer.path = p;
      layer.covered_when = *notspot::engine::CoverageRule::parse(">= -105");
      out.rasters.push_back(notspot::io::read_coverage_raster(layer, layer.name, log));
    }
    return out;
  }();
  return s;
}

bool usable(benchmark::State& state) {
  if (sample().missing.empty()) return true;
  state.SkipWithError(
      ("run cmake --build build --target sample_data first: " + sample().missing).c_str());
  return false;
}

std::vector<const CoverageGrid*> group(std::size_t layer) {
  std::vector<const CoverageGrid*> out;
  for (std::size_t op = 0; op < 4; ++op) out.push_back(&sample().rasters[layer * 4 + op].coverage);
  return out;
}

// ---- land shares ---------------------------------------------------------------------------

// notspot: each parish's exact cell areas once, then the three groups of four rasters.
void BM_LandSharesNotspot(benchmark::State& state) {
  if (!usable(state)) return;
  const Sample& s = sample();
  const Grid& grid = s.rasters[0].coverage.grid;
  tbb::task_arena arena(static_cast<int>(state.range(0)));
  double checksum = 0;
  for (auto _ : state) {
    std::vector<double> any(s.areas.size());
    arena.execute([&] {
      tbb::parallel_for(std::size_t{0}, s.areas.size(), [&](std::size_t a) {
        const std::vector<CellArea> cells = notspot::engine::cell_areas(s.areas[a], grid);
        const double total = notspot::engine::area(s.areas[a]);
        for (std::size_t layer = 0; layer < 3; ++layer) {
          const auto rasters = group(layer);
          any[a] += notspot::engine::group_area_coverage(cells, total, rasters).any;
        }
      });
    });
    for (double v : any) checksum += v;
    benchmark::DoNotOptimize(checksum);
  }
  state.counters["areas"] = static_cast<double>(s.areas.size());
  state.counters["rasters"] = 12;
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(s.areas.size()) * 12);
}
BENCHMARK(BM_LandSharesNotspot)
    ->ArgName("threads")
    ->Arg(1)
    ->Arg(2)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// Baseline: for each parish and each cell of its bounding box, GEOS intersection with the
// cell's square; `prepared` skips cells a prepared geometry finds wholly inside or outside.
void geos_land_shares(benchmark::State& state, bool prepared) {
  if (!usable(state)) return;
  const Sample& s = sample();
  const Grid& grid = s.rasters[0].coverage.grid;
  GeosContext geos;
  std::vector<notspot::engine::GeosGeometry> areas;
  for (const MultiPolygon& a : s.areas) areas.push_back(geos.to_geos(a));
  double checksum = 0;
  for (auto _ : state) {
    for (std::size_t a = 0; a < s.areas.size(); ++a) {
      const notspot::engine::Box box = notspot::engine::bounding_box(s.areas[a]);
      notspot::engine::GeosPrepared prep = geos.prepare(areas[a].get());
      const auto c0 = static_cast<std::size_t>(
          std::max(0.0, std::floor((box.xmin - grid.xmin) / grid.cell_width)));
      const auto c1 = std::min(grid.columns - 1,
                               static_cast<std::size_t>((box.xmax - grid.xmin) / grid.cell_width));
      const auto r0 = static_cast<std::size_t>(
          std::max(0.0, std::floor((grid.ymax - box.ymax) / grid.cell_height)));
      const auto r1 = std::min(grid.rows - 1,
                               static_cast<std::size_t>((grid.ymax - box.ymin) / grid.cell_height));
      for (std::size_t row = r0; row <= r1; ++row) {
        for (std::size_t col = c0; col <= c1; ++col) {
          const double x0 = grid.cell_xmin(col), y1 = grid.cell_ymax(row);
          const MultiPolygon square{{{{x0, y1 - grid.cell_height},
                                      {x0 + grid.cell_width, y1 - grid.cell_height},
                                      {x0 + grid.cell_width, y1},
                                      {x0, y1}},
                                     {}}};
          notspot::engine::GeosGeometry cell = geos.to_geos(square);
          double covered_area;
          if (prepared &&
              GEOSPreparedContainsProperly_r(geos.handle(), prep.get(), cell.get()) == 1) {
            covered_area = grid.cell_area();
          } else if (prepared &&
                     GEOSPreparedIntersects_r(geos.handle(), prep.get(), cell.get()) == 0) {
            continue;
          } else {
            notspot::engine::GeosGeometry part = geos.own(
                GEOSIntersection_r(geos.handle(), areas[a].get(), cell.get()), "intersection");
            GEOSArea_r(geos.handle(), part.get(), &covered_area);
          }
          for (std::size_t layer = 0; layer < 3; ++layer) {
            for (const CoverageGrid* r : group(layer)) {
              const std::size_t k = r->cell_index(col, row);
              if (!r->nodata.test(k) && r->covered.test(k)) checksum += covered_area;
            }
          }
        }
      }
    }
    benchmark::DoNotOptimize(checksum);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(s.areas.size()) * 12);
}
void BM_LandSharesGeosEveryCell(benchmark::State& state) {
  geos_land_shares(state, false);
}
void BM_LandSharesGeosPrepared(benchmark::State& state) {
  geos_land_shares(state, true);
}
BENCHMARK(BM_LandSharesGeosEveryCell)->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK(BM_LandSharesGeosPrepared)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(kBaselineIterations);

// ---- premises-weighted -----------------------------------------------------------------------

void BM_PremisesNotspot(benchmark::State& state) {
  if (!usable(state)) return;
  const Sample& s = sample();
  tbb::task_arena arena(static_cast<int>(state.range(0)));
  std::size_t covered = 0;
  for (auto _ : state) {
    arena.execute([&] {
      for (const notspot::io::CoverageRaster& r : s.rasters) {
        covered += notspot::engine::premises_coverage(r.coverage, s.premises.x, s.premises.y,
                                                      notspot::io::transform_factory(s.crs, r.crs))
                       .covered.count();
      }
    });
    benchmark::DoNotOptimize(covered);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(s.premises.size()) * 12);
}
BENCHMARK(BM_PremisesNotspot)
    ->ArgName("threads")
    ->Arg(1)
    ->Arg(2)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// Baseline: one GDAL pixel read per premise and raster (rasterio's sample() or a QGIS
// "sample raster values" loop does this, with block caching by GDAL).
void BM_PremisesGdalPixelReads(benchmark::State& state) {
  if (!usable(state)) return;
  const Sample& s = sample();
  GDALAllRegister();
  std::vector<GDALDatasetUniquePtr> datasets;
  for (const fs::path& p : s.raster_paths) {
    datasets.emplace_back(GDALDataset::Open(p.c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY));
  }
  std::size_t covered = 0;
  for (auto _ : state) {
    for (auto& ds : datasets) {
      double gt[6];
      ds->GetGeoTransform(gt);
      GDALRasterBand* band = ds->GetRasterBand(1);
      for (std::size_t i = 0; i < s.premises.size(); ++i) {
        const int col = static_cast<int>(std::floor((s.premises.x[i] - gt[0]) / gt[1]));
        const int row = static_cast<int>(std::floor((s.premises.y[i] - gt[3]) / gt[5]));
        if (col < 0 || row < 0 || col >= ds->GetRasterXSize() || row >= ds->GetRasterYSize())
          continue;
        double value = 0;
        if (band->RasterIO(GF_Read, col, row, 1, 1, &value, 1, 1, GDT_Float64, 0, 0) == CE_None &&
            value >= -105) {
          ++covered;
        }
      }
    }
    benchmark::DoNotOptimize(covered);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(s.premises.size()) * 12);
}
BENCHMARK(BM_PremisesGdalPixelReads)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(kBaselineIterations);

}  // namespace

BENCHMARK_MAIN();
