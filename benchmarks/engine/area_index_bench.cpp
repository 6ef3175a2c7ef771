// Benchmarks of the assignment kernel: AreaIndex against the peers' approach (GEOS STRtree +
// prepared geometry), side by side on the same areas and points.
//
// Datasets:
//   dorset     the generated Dorset sample (data/dorset/generated, `sample_data` target, or
//              the folder in environment variable NOTSPOT_BENCH_SAMPLE_DIR), read with
//              notspot::io as `notspot run` reads it;
//   synthetic  a national-scale synthetic set (benchmarks/support/synthetic_areas.hpp).
// Each is loaded once per process, on first use; its setup checks that AreaIndex and the GEOS
// baseline agree on the first 100,000 points (apart from points on a boundary) and aborts if not.
//
//   build/benchmarks/area_index_bench --benchmark_repetitions=5
//       --benchmark_report_aggregates_only=true [--benchmark_filter=dorset]

#include <benchmark/benchmark.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <tuple>
#include <vector>

#include "notspot/engine/area_index.hpp"
#include "notspot/engine/geometry.hpp"
#include "notspot/io/areas_reader.hpp"
#include "notspot/io/crs.hpp"
#include "notspot/io/premises_reader.hpp"
#include "notspot/io/problem_log.hpp"
#include "notspot/io/progress.hpp"
#include "notspot/io/study.hpp"
#include "support/geos_baseline.hpp"
#include "support/synthetic_areas.hpp"

namespace {

using notspot::bench::GeosBaseline;
using notspot::engine::AreaIndex;
using notspot::engine::MultiPolygon;
using Clock = std::chrono::steady_clock;

constexpr std::size_t kAgreementPoints = 100'000;

enum class DatasetId { kDorset, kSynthetic };

/// Areas and points, with both indexes built. `error` non-empty: the dataset is unavailable.
struct Dataset {
  std::string name;
  std::vector<MultiPolygon> areas;
  std::vector<double> xs;
  std::vector<double> ys;
  std::unique_ptr<AreaIndex> index;
  std::unique_ptr<GeosBaseline> baseline;
  std::vector<double> morton_xs;  ///< The same points in Morton (Z-curve) order.
  std::vector<double> morton_ys;
  std::string error;
};

// Spreads the low 16 bits of v to the even bits.
std::uint32_t spread_bits(std::uint32_t v) {
  v &= 0xFFFFu;
  v = (v | (v << 8)) & 0x00FF00FFu;
  v = (v | (v << 4)) & 0x0F0F0F0Fu;
  v = (v | (v << 2)) & 0x33333333u;
  v = (v | (v << 1)) & 0x55555555u;
  return v;
}

/// The points sorted along a Morton (Z-order) curve over their extent, on a 2^16 × 2^16 grid:
/// what a cache-friendly processing order costs (see BM_MortonOrder) and buys.
void morton_order(std::span<const double> xs, std::span<const double> ys,
                  std::vector<double>& out_xs, std::vector<double>& out_ys) {
  notspot::engine::Box box;
  for (std::size_t i = 0; i < xs.size(); ++i) box.expand(notspot::engine::Point{xs[i], ys[i]});
  const double sx = 65535.0 / std::max(box.width(), 1e-300);
  const double sy = 65535.0 / std::max(box.height(), 1e-300);
  std::vector<std::uint64_t> keys(xs.size());
  for (std::size_t i = 0; i < xs.size(); ++i) {
    const auto qx = static_cast<std::uint32_t>((xs[i] - box.xmin) * sx);
    const auto qy = static_cast<std::uint32_t>((ys[i] - box.ymin) * sy);
    const std::uint64_t z = spread_bits(qx) | (spread_bits(qy) << 1);
    keys[i] = (z << 32) | i;  // REQUIRES: fewer than 2^32 points
  }
  std::sort(keys.begin(), keys.end());
  out_xs.resize(xs.size());
  out_ys.resize(ys.size());
  for (std::size_t k = 0; k < keys.size(); ++k) {
    const std::size_t i = keys[k] & 0xFFFFFFFFu;
    out_xs[k] = xs[i];
    out_ys[k] = ys[i];
  }
}

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

Dataset load_dorset() {
  Dataset d;
  d.name = "dorset";
  const char* override_dir = std::getenv("NOTSPOT_BENCH_SAMPLE_DIR");
  const std::filesystem::path dir =
      override_dir != nullptr ? override_dir : NOTSPOT_BENCH_SAMPLE_DIR;
  const std::filesystem::path areas_file = dir / "parishes.gpkg";
  const std::filesystem::path premises_file = dir / "premises.csv";
  if (!std::filesystem::exists(areas_file) || !std::filesystem::exists(premises_file)) {
    d.error = "no Dorset sample in " + dir.string() +
              ": run cmake --build build --target sample_data first";
    return d;
  }
  const notspot::io::Crs crs = notspot::io::Crs::from_definition("EPSG:27700", "area_index_bench");
  notspot::io::ProblemLog log;

  notspot::io::AreasSource areas_source;
  areas_source.path = areas_file;
  areas_source.layer = "parishes";
  areas_source.id_field = "PAR23CD";
  areas_source.name_field = "PAR23NM";
  notspot::io::AreasLoad areas = notspot::io::read_areas(areas_source, crs, "parishes.gpkg", log);
  for (notspot::io::Area& area : areas.areas) d.areas.push_back(std::move(area.geometry));

  notspot::io::PremisesSource premises_source;
  premises_source.path = premises_file;
  premises_source.format = notspot::io::PremisesFormat::kCsv;
  notspot::io::Progress quiet;
  notspot::io::PremisesLoad premises =
      notspot::io::read_premises(premises_source, crs, "premises.csv", log, quiet);
  d.xs.assign(premises.table.x.begin(), premises.table.x.end());
  d.ys.assign(premises.table.y.begin(), premises.table.y.end());
  return d;
}

Dataset load_synthetic() {
  Dataset d;
  d.name = "synthetic";
  notspot::bench::SyntheticStudy study = notspot::bench::make_synthetic_study({});
  d.areas = std::move(study.areas);
  d.xs = std::move(study.xs);
  d.ys = std::move(study.ys);
  return d;
}

// Aborts unless both implementations give the same area for each of the first points, apart
// from points on an area boundary (where AreaIndex applies its east-then-north rule and GEOS
// `covers` takes whichever candidate comes first) and points where areas overlap.
void check_agreement(const Dataset& d) {
  const std::size_t n = std::min(kAgreementPoints, d.xs.size());
  std::size_t on_boundary = 0;
  std::size_t in_overlap = 0;
  std::size_t mismatches = 0;
  std::size_t candidates = 0;
  auto boundary_of = [&](std::uint32_t area, double x, double y) {
    return area != AreaIndex::kOutside && d.baseline->covers(area, x, y) &&
           !d.baseline->contains_properly(area, x, y);
  };
  for (std::size_t i = 0; i < n; ++i) {
    const double x = d.xs[i];
    const double y = d.ys[i];
    bool several = false;
    const std::uint32_t ours = d.index->locate({x, y}, several);
    const std::uint32_t theirs = d.baseline->locate(x, y);
    candidates += d.baseline->candidate_count(x, y);
    if (ours == theirs) continue;
    if (boundary_of(ours, x, y) || boundary_of(theirs, x, y)) {
      ++on_boundary;
      continue;
    }
    if (several && ours != AreaIndex::kOutside && theirs != GeosBaseline::kOutside &&
        d.baseline->covers(ours, x, y)) {
      ++in_overlap;
      continue;
    }
    if (++mismatches <= 10) {
      std::fprintf(stderr, "  %s point #%zu (%.17g, %.17g): AreaIndex says %d, GEOS says %d\n",
                   d.name.c_str(), i, x, y, static_cast<int>(ours), static_cast<int>(theirs));
    }
  }
  if (mismatches > 0) {
    std::fprintf(stderr,
                 "area_index_bench: %s: AreaIndex and the GEOS baseline disagree on %zu of the "
                 "first %zu points (not on a boundary): refusing to time a wrong answer\n",
                 d.name.c_str(), mismatches, n);
    std::abort();
  }
  std::fprintf(stderr,
               "  %s: AreaIndex and GEOS agree on the first %zu points (%zu on a boundary, %zu "
               "in overlapping areas); STRtree candidates per point: %.2f\n",
               d.name.c_str(), n, on_boundary, in_overlap,
               static_cast<double>(candidates) / static_cast<double>(std::max<std::size_t>(n, 1)));
}

Dataset prepare(DatasetId id) {
  const Clock::time_point start = Clock::now();
  Dataset d;
  try {
    d = id == DatasetId::kDorset ? load_dorset() : load_synthetic();
    if (!d.error.empty()) return d;
    const double load_s = seconds_since(start);
    Clock::time_point t = Clock::now();
    d.index = std::make_unique<AreaIndex>(d.areas);
    const double index_s = seconds_since(t);
    t = Clock::now();
    d.baseline = std::make_unique<GeosBaseline>(d.areas);
    const double baseline_s = seconds_since(t);
    const AreaIndex::Stats& s = d.index->stats();
    std::fprintf(stderr,
                 "area_index_bench: %s: %zu areas, %zu edges (%zu distinct), %zu points; "
                 "loaded in %.1f s, AreaIndex %.2f s (%zu x %zu grid, %zu boundary leaves, "
                 "%zu ray-cast leaves, %.1f MB), GEOS baseline %.2f s\n",
                 d.name.c_str(), s.areas, s.input_edges, s.distinct_edges, d.xs.size(), load_s,
                 index_s, s.top_columns, s.top_rows, s.boundary_leaves, s.fallback_leaves,
                 static_cast<double>(s.memory_bytes) / 1e6, baseline_s);
    check_agreement(d);
    morton_order(d.xs, d.ys, d.morton_xs, d.morton_ys);
  } catch (const std::exception& e) {
    d.name = id == DatasetId::kDorset ? "dorset" : "synthetic";
    d.error = "preparing the " + d.name + " dataset failed: " + e.what();
  }
  std::fprintf(stderr, "  %s: setup took %.1f s\n", d.name.c_str(), seconds_since(start));
  return d;
}

/// The dataset, prepared once per process; nullptr (and the benchmark skipped) when missing.
const Dataset* dataset(benchmark::State& state, DatasetId id) {
  const Dataset* d = nullptr;
  if (id == DatasetId::kDorset) {
    static const Dataset dorset = prepare(DatasetId::kDorset);
    d = &dorset;
  } else {
    static const Dataset synthetic = prepare(DatasetId::kSynthetic);
    d = &synthetic;
  }
  if (!d->error.empty()) {
    state.SkipWithError(d->error.c_str());
    return nullptr;
  }
  return d;
}

void set_counters(benchmark::State& state, const Dataset& d) {
  const AreaIndex::Stats& s = d.index->stats();
  state.counters["areas"] = static_cast<double>(s.areas);
  state.counters["edges"] = static_cast<double>(s.input_edges);
  state.counters["points"] = static_cast<double>(d.xs.size());
}

void set_points_processed(benchmark::State& state, const Dataset& d) {
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(d.xs.size()));
  set_counters(state, d);
}

// ---- builds ---------------------------------------------------------------------------------

/// AreaIndex construction from the areas, in a TBB arena of state.range(0) threads.
void BM_AreaIndexBuild(benchmark::State& state, DatasetId id) {
  const Dataset* d = dataset(state, id);
  if (d == nullptr) return;
  tbb::task_arena arena(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    arena.execute([&] {
      AreaIndex index(d->areas);
      benchmark::DoNotOptimize(index.stats().memory_bytes);
    });
  }
  set_counters(state, *d);
  state.counters["index_MB"] = static_cast<double>(d->index->stats().memory_bytes) / 1e6;
}

/// GEOS baseline construction: conversion to GEOS, prepared geometries with their point
/// locators, STRtree. Single-threaded (one GEOS context).
void BM_GeosBaselineBuild(benchmark::State& state, DatasetId id) {
  const Dataset* d = dataset(state, id);
  if (d == nullptr) return;
  for (auto _ : state) {
    GeosBaseline baseline(d->areas);
    benchmark::DoNotOptimize(baseline.handle());
  }
  set_counters(state, *d);
}

// ---- queries --------------------------------------------------------------------------------

/// Which order the points are processed in.
enum class Order {
  kInput,   ///< As read (Dorset: the file's order; synthetic: shuffled).
  kMorton,  ///< Sorted along a Morton curve (sorting not timed; see BM_MortonOrder).
};

std::span<const double> xs_of(const Dataset& d, Order order) {
  return order == Order::kInput ? d.xs : d.morton_xs;
}
std::span<const double> ys_of(const Dataset& d, Order order) {
  return order == Order::kInput ? d.ys : d.morton_ys;
}

/// The kernel: AreaIndex::locate over every point, one thread.
void BM_AreaIndexLocate(benchmark::State& state, DatasetId id, Order order) {
  const Dataset* d = dataset(state, id);
  if (d == nullptr) return;
  const AreaIndex& index = *d->index;
  const std::span<const double> xs = xs_of(*d, order);
  const std::span<const double> ys = ys_of(*d, order);
  const std::size_t n = xs.size();
  std::vector<std::uint32_t> out(n);
  for (std::size_t i = 0; i < n; ++i) out[i] = index.locate({xs[i], ys[i]});  // warm-up
  for (auto _ : state) {
    for (std::size_t i = 0; i < n; ++i) out[i] = index.locate({xs[i], ys[i]});
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  set_points_processed(state, *d);
}

/// AreaIndex::locate_all over every point, in a TBB arena of state.range(0) threads.
void BM_AreaIndexLocateAll(benchmark::State& state, DatasetId id) {
  const Dataset* d = dataset(state, id);
  if (d == nullptr) return;
  tbb::task_arena arena(static_cast<int>(state.range(0)));
  std::vector<std::uint32_t> out(d->xs.size());
  auto run = [&] {
    arena.execute([&] { benchmark::DoNotOptimize(d->index->locate_all(d->xs, d->ys, out)); });
  };
  run();  // warm-up: starts the arena's worker threads
  for (auto _ : state) {
    run();
    benchmark::ClobberMemory();
  }
  set_points_processed(state, *d);
}

/// The baseline: STRtree query + prepared `covers` per candidate, one thread.
void BM_GeosBaselineLocate(benchmark::State& state, DatasetId id, Order order) {
  const Dataset* d = dataset(state, id);
  if (d == nullptr) return;
  const GeosBaseline& baseline = *d->baseline;
  const std::span<const double> xs = xs_of(*d, order);
  const std::span<const double> ys = ys_of(*d, order);
  const std::size_t n = xs.size();
  std::vector<std::uint32_t> out(n);
  for (auto _ : state) {
    for (std::size_t i = 0; i < n; ++i) out[i] = baseline.locate(xs[i], ys[i]);
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  set_points_processed(state, *d);
}

/// The part of the baseline that is not the search: creating and destroying a GEOS point per
/// premise (GEOS 3.11 has no coordinate-only prepared predicate).
void BM_GeosPointCreate(benchmark::State& state, DatasetId id) {
  const Dataset* d = dataset(state, id);
  if (d == nullptr) return;
  GEOSContextHandle_t h = d->baseline->handle();
  const std::size_t n = d->xs.size();
  for (auto _ : state) {
    for (std::size_t i = 0; i < n; ++i) {
      GEOSGeometry* point = GEOSGeom_createPointFromXY_r(h, d->xs[i], d->ys[i]);
      benchmark::DoNotOptimize(point);
      GEOSGeom_destroy_r(h, point);
    }
  }
  set_points_processed(state, *d);
}

/// The cost of the Morton order itself: keys, sort, gather (one thread, std::sort).
void BM_MortonOrder(benchmark::State& state, DatasetId id) {
  const Dataset* d = dataset(state, id);
  if (d == nullptr) return;
  std::vector<double> xs;
  std::vector<double> ys;
  for (auto _ : state) {
    morton_order(d->xs, d->ys, xs, ys);
    benchmark::DoNotOptimize(xs.data());
    benchmark::DoNotOptimize(ys.data());
  }
  set_points_processed(state, *d);
}

/// AreaIndex::locate with other AreaIndexOptions: range(0) = top grid cells per 100 distinct
/// edges, range(1) = max_leaf_edges. The index is built once per configuration.
void BM_AreaIndexOptions(benchmark::State& state, DatasetId id) {
  const Dataset* d = dataset(state, id);
  if (d == nullptr) return;
  notspot::engine::AreaIndexOptions options;
  options.top_cells_per_edge = static_cast<double>(state.range(0)) / 100.0;
  options.max_leaf_edges = static_cast<std::size_t>(state.range(1));
  // One configuration at a time (repetitions of a benchmark run back to back), so that memory
  // holds a single extra index.
  static std::unique_ptr<AreaIndex> index;
  static std::tuple<const Dataset*, std::int64_t, std::int64_t> key{};
  if (!index || key != std::tuple{d, state.range(0), state.range(1)}) {
    index.reset();
    index = std::make_unique<AreaIndex>(d->areas, options);
    key = {d, state.range(0), state.range(1)};
  }
  const std::size_t n = d->xs.size();
  std::vector<std::uint32_t> out(n);
  for (auto _ : state) {
    for (std::size_t i = 0; i < n; ++i) out[i] = index->locate({d->xs[i], d->ys[i]});
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  set_points_processed(state, *d);
  const AreaIndex::Stats& s = index->stats();
  state.counters["index_MB"] = static_cast<double>(s.memory_bytes) / 1e6;
  state.counters["top_cells"] = static_cast<double>(s.top_columns * s.top_rows);
  state.counters["leaves"] = static_cast<double>(s.boundary_leaves);
}

// Registered per dataset, in this order: builds first, then the queries side by side.
const bool kRegistered = [] {
  struct Entry {
    const char* name;
    DatasetId id;
  };
  for (const Entry& e :
       {Entry{"dorset", DatasetId::kDorset}, Entry{"synthetic", DatasetId::kSynthetic}}) {
    const DatasetId id = e.id;
    const std::string suffix = std::string("/") + e.name;
    benchmark::RegisterBenchmark(("BM_AreaIndexBuild" + suffix).c_str(),
                                 [id](benchmark::State& s) { BM_AreaIndexBuild(s, id); })
        ->ArgName("threads")
        ->Arg(1)
        ->Arg(2)
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime();
    benchmark::RegisterBenchmark(("BM_GeosBaselineBuild" + suffix).c_str(),
                                 [id](benchmark::State& s) { BM_GeosBaselineBuild(s, id); })
        ->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark(("BM_AreaIndexLocate" + suffix).c_str(), [id](
                                                                              benchmark::State& s) {
      BM_AreaIndexLocate(s, id, Order::kInput);
    })->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark(("BM_AreaIndexLocateAll" + suffix).c_str(),
                                 [id](benchmark::State& s) { BM_AreaIndexLocateAll(s, id); })
        ->ArgName("threads")
        ->Arg(1)
        ->Arg(2)
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime();
    benchmark::RegisterBenchmark(
        ("BM_GeosBaselineLocate" + suffix).c_str(),
        [id](benchmark::State& s) { BM_GeosBaselineLocate(s, id, Order::kInput); })
        ->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark(("BM_GeosPointCreate" + suffix).c_str(), [id](
                                                                              benchmark::State& s) {
      BM_GeosPointCreate(s, id);
    })->Unit(benchmark::kMillisecond);
    // What a cache-friendly order would buy each implementation, and what it costs.
    benchmark::RegisterBenchmark(("BM_MortonOrder" + suffix).c_str(), [id](benchmark::State& s) {
      BM_MortonOrder(s, id);
    })->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark(
        ("BM_AreaIndexLocateMorton" + suffix).c_str(),
        [id](benchmark::State& s) { BM_AreaIndexLocate(s, id, Order::kMorton); })
        ->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark(
        ("BM_GeosBaselineLocateMorton" + suffix).c_str(),
        [id](benchmark::State& s) { BM_GeosBaselineLocate(s, id, Order::kMorton); })
        ->Unit(benchmark::kMillisecond);
    // Tuning: top grid cells per 100 edges × leaf size; {100, 4} is the default.
    benchmark::RegisterBenchmark(("BM_AreaIndexOptions" + suffix).c_str(),
                                 [id](benchmark::State& s) { BM_AreaIndexOptions(s, id); })
        ->ArgNames({"cells_per_100_edges", "leaf_edges"})
        ->Args({25, 8})
        ->Args({100, 8})
        ->Args({400, 8})
        ->Args({100, 4})
        ->Args({100, 16})
        ->Args({400, 4})
        ->Unit(benchmark::kMillisecond);
  }
  return true;
}();

}  // namespace

BENCHMARK_MAIN();
