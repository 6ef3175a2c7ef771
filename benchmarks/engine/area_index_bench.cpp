// Benchmarks of the assignment kernel: AreaIndex against the peers' approach (GEOS STRtree +
// prepared geometry), side by side on the same areas and points.
//
// Datasets:
//   dorset     the generated Dorset sample (data/dorset/generated, `sample_data` target, or
//              the folder in environment variable NOTSPOT_BENCH_SAMPLE_DIR), read with
//              notspot::io as `notspot run` reads it;
//   synthetic  a national-scale synthetic set (benchmarks/support/synthetic_areas.hpp);
//   national   the areas and the first 4,000,000 premises (NOTSPOT_BENCH_NATIONAL_POINTS) of a
//              folder made by `notspot-generate national` (NOTSPOT_BENCH_NATIONAL_DIR), read
//              with notspot::io like dorset; skipped when the variable is unset. The GEOS
//              baseline's queries run on the first 500,000 of those points
//              (NOTSPOT_BENCH_NATIONAL_BASELINE_POINTS): the rates are per point.
// Each is loaded once per process, on first use; its setup checks that AreaIndex and the GEOS
// baseline agree on the first 100,000 points (apart from points on a boundary) and aborts if not.
// With NOTSPOT_BENCH_SMOKE=1 every dataset is cut to 20,000 points (synthetic: 200 areas), so
// that `ctest -L benchmark-smoke` runs the whole binary in seconds.
//
//   build/benchmarks/area_index_bench --benchmark_repetitions=5
//       --benchmark_report_aggregates_only=true [--benchmark_filter=dorset]

#include <benchmark/benchmark.h>
#include <tbb/task_arena.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <filesystem>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <system_error>
#include <tuple>
#include <vector>

#include "notspot/engine/area_index.hpp"
#include "notspot/engine/geometry.hpp"
#include "notspot/io/areas_reader.hpp"
#include "notspot/io/crs.hpp"
#include "notspot/io/premises_reader.hpp"
#include "notspot/io/problem_log.hpp"
#include "notspot/io/progress.hpp"
#include "notspot/io/sources.hpp"
#include "support/bench_env.hpp"
#include "support/geos_baseline.hpp"
#include "support/synthetic_areas.hpp"

namespace {

using notspot::bench::GeosBaseline;
using notspot::engine::AreaIndex;
using notspot::engine::MultiPolygon;
using Clock = std::chrono::steady_clock;

namespace fs = std::filesystem;

constexpr std::size_t kAgreementPoints = 100'000;
/// National dataset: premises read from the start of premises.csv (NOTSPOT_BENCH_NATIONAL_POINTS).
constexpr std::size_t kNationalPoints = 4'000'000;
/// National dataset: points the GEOS baseline's queries run on, the first of each order
/// (NOTSPOT_BENCH_NATIONAL_BASELINE_POINTS). At ~0.5 M points/s, 4 M points would take ~8 s per
/// iteration; the rate is per point, so a subset measures the same thing.
constexpr std::size_t kNationalBaselinePoints = 500'000;
constexpr const char* kMakeNational =
    "build/tools/notspot-generate national --out DIR --premises 4000000 --rasters 0 (the "
    "areas do not depend on --premises)";

enum class DatasetId { kDorset, kSynthetic, kNational };

const char* name_of(DatasetId id) {
  switch (id) {
    case DatasetId::kDorset:
      return "dorset";
    case DatasetId::kSynthetic:
      return "synthetic";
    case DatasetId::kNational:
      return "national";
  }
  return "?";
}

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
  std::vector<double> shuffled_xs;  ///< national only: the same points shuffled (seeded).
  std::vector<double> shuffled_ys;
  /// The GEOS baseline's queries use the first `baseline_points` points of each order (all of
  /// them unless set by the loader).
  std::size_t baseline_points = 0;
  /// When baseline_points < all points: the baseline's points in Morton order (the first
  /// points of the full Morton order would be one corner of the map).
  std::vector<double> baseline_morton_xs;
  std::vector<double> baseline_morton_ys;
  std::string error;
};

/// Keeps the first `n` points (smoke mode).
void truncate_points(Dataset& d, std::size_t n) {
  if (d.xs.size() > n) {
    d.xs.resize(n);
    d.ys.resize(n);
  }
}

/// SplitMix64: a generator whose sequence is the same with every standard library.
std::uint64_t split_mix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

/// A seeded Fisher-Yates permutation of 0..n-1.
std::vector<std::size_t> shuffled_indices(std::size_t n, std::uint64_t seed) {
  std::vector<std::size_t> order(n);
  for (std::size_t i = 0; i < n; ++i) order[i] = i;
  for (std::size_t i = n; i > 1; --i) {
    const std::size_t j = static_cast<std::size_t>(split_mix64(seed) % i);  // bias < 2^-40
    std::swap(order[i - 1], order[j]);
  }
  return order;
}

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
  if (notspot::bench::smoke_mode()) truncate_points(d, notspot::bench::kSmokePoints);
  return d;
}

Dataset load_synthetic() {
  Dataset d;
  d.name = "synthetic";
  notspot::bench::SyntheticOptions options;
  if (notspot::bench::smoke_mode()) {
    // The same generator on a lattice 5x coarser each way, with about as many cells per area.
    options.columns = 24;
    options.rows = 34;
    options.areas = notspot::bench::kSmokeAreas;
    options.points = notspot::bench::kSmokePoints;
    options.towns = 60;
  }
  notspot::bench::SyntheticStudy study = notspot::bench::make_synthetic_study(options);
  d.areas = std::move(study.areas);
  d.xs = std::move(study.xs);
  d.ys = std::move(study.ys);
  return d;
}

/// Removes a file when it goes out of scope.
struct TemporaryFile {
  fs::path path;
  ~TemporaryFile() {
    std::error_code ignored;
    if (!path.empty()) fs::remove(path, ignored);
  }
};

/// Copies the header line and the next `rows` lines of `from` to `to`. @return lines copied
/// after the header (fewer than `rows` when the file is shorter).
std::size_t copy_head(const fs::path& from, const fs::path& to, std::size_t rows) {
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> in(std::fopen(from.c_str(), "rb"), &std::fclose);
  if (!in) throw std::runtime_error("cannot open " + from.string());
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> out(std::fopen(to.c_str(), "wb"), &std::fclose);
  if (!out) throw std::runtime_error("cannot create " + to.string());
  std::vector<char> buffer(std::size_t{1} << 20);
  const std::size_t wanted_lines = rows + 1;  // with the header
  std::size_t lines = 0;
  while (lines < wanted_lines) {
    const std::size_t got = std::fread(buffer.data(), 1, buffer.size(), in.get());
    if (got == 0) break;
    std::size_t keep = got;
    for (std::size_t i = 0; i < got; ++i) {
      if (buffer[i] == '\n' && ++lines == wanted_lines) {
        keep = i + 1;
        break;
      }
    }
    if (std::fwrite(buffer.data(), 1, keep, out.get()) != keep) {
      throw std::runtime_error("cannot write " + to.string());
    }
  }
  if (std::fflush(out.get()) != 0) throw std::runtime_error("cannot write " + to.string());
  return lines > 0 ? lines - 1 : 0;
}

/// The national synthetic study of `notspot-generate national`: all its areas (make-valid
/// repairs its five invalid ones, as `notspot run` does) and the first premises of
/// premises.csv. That file is in UPRN order, which the generator makes unrelated to position
/// (a random bijection), so its first rows are a uniform sample of the whole country.
Dataset load_national() {
  Dataset d;
  d.name = "national";
  const std::string dir_text = notspot::bench::string_from_env("NOTSPOT_BENCH_NATIONAL_DIR");
  if (dir_text.empty()) {
    d.error =
        std::string("no national dataset: set NOTSPOT_BENCH_NATIONAL_DIR to a folder made by ") +
        kMakeNational;
    return d;
  }
  const fs::path dir = dir_text;
  const fs::path areas_file = dir / "areas.gpkg";
  const fs::path premises_file = dir / "premises.csv";
  if (!fs::exists(areas_file) || !fs::exists(premises_file)) {
    d.error = "no areas.gpkg and premises.csv in NOTSPOT_BENCH_NATIONAL_DIR=" + dir.string() +
              ": make them with " + kMakeNational;
    return d;
  }
  std::size_t points =
      notspot::bench::count_from_env("NOTSPOT_BENCH_NATIONAL_POINTS", kNationalPoints);
  std::size_t baseline_points = notspot::bench::count_from_env(
      "NOTSPOT_BENCH_NATIONAL_BASELINE_POINTS", kNationalBaselinePoints);
  if (notspot::bench::smoke_mode()) points = std::min(points, notspot::bench::kSmokePoints);

  const notspot::io::Crs crs = notspot::io::Crs::from_definition("EPSG:27700", "area_index_bench");
  notspot::io::ProblemLog log;

  notspot::io::AreasSource areas_source;
  areas_source.path = areas_file;
  areas_source.layer = "areas";
  areas_source.id_field = "code";
  areas_source.name_field = "name";
  notspot::io::AreasLoad areas = notspot::io::read_areas(areas_source, crs, "areas.gpkg", log);
  for (notspot::io::Area& area : areas.areas) d.areas.push_back(std::move(area.geometry));
  std::fprintf(stderr, "  national: %zu areas read from %s, %llu repaired with make-valid\n",
               d.areas.size(), areas_file.c_str(), static_cast<unsigned long long>(areas.repaired));

  // read_premises reads whole files: give it a copy of the first rows.
  TemporaryFile head;
  head.path = fs::temp_directory_path() /
              ("notspot_area_index_bench_" + std::to_string(::getpid()) + "_premises.csv");
  const std::size_t copied = copy_head(premises_file, head.path, points);
  notspot::io::PremisesSource premises_source;
  premises_source.path = head.path;
  premises_source.format = notspot::io::PremisesFormat::kCsv;
  notspot::io::Progress quiet;
  notspot::io::PremisesLoad premises =
      notspot::io::read_premises(premises_source, crs, "premises.csv", log, quiet);
  d.xs.assign(premises.table.x.begin(), premises.table.x.end());
  d.ys.assign(premises.table.y.begin(), premises.table.y.end());
  std::fprintf(
      stderr, "  national: first %zu rows of %s read (%zu accepted)%s\n", copied,
      premises_file.c_str(), d.xs.size(),
      copied < points ? ": the file has fewer rows than NOTSPOT_BENCH_NATIONAL_POINTS" : "");
  d.baseline_points = std::min(baseline_points, d.xs.size());
  return d;
}

/// The Euclidean distance between consecutive points, median.
double median_step(std::span<const double> xs, std::span<const double> ys) {
  if (xs.size() < 2) return 0;
  std::vector<double> steps(xs.size() - 1);
  for (std::size_t i = 1; i < xs.size(); ++i) {
    steps[i - 1] = std::hypot(xs[i] - xs[i - 1], ys[i] - ys[i - 1]);
  }
  auto middle = steps.begin() + static_cast<std::ptrdiff_t>(steps.size() / 2);
  std::nth_element(steps.begin(), middle, steps.end());
  return *middle;
}

/// Prints how much spatial locality the input order has: consecutive points in the same area,
/// and the median distance between consecutive points, against the shuffled and Morton orders.
void report_locality(const Dataset& d, std::span<const std::size_t> shuffle) {
  const std::size_t n = d.xs.size();
  if (n < 2) return;
  std::vector<std::uint32_t> area(n);
  d.index->locate_all(d.xs, d.ys, area);
  std::size_t same_input = 0;
  std::size_t same_shuffled = 0;
  for (std::size_t i = 1; i < n; ++i) {
    same_input += area[i] == area[i - 1] ? 1 : 0;
    same_shuffled += area[shuffle[i]] == area[shuffle[i - 1]] ? 1 : 0;
  }
  // In a random order, two consecutive points share an area with probability sum p_a^2.
  std::vector<std::size_t> per_area(d.areas.size() + 1);
  for (const std::uint32_t a : area) ++per_area[a == AreaIndex::kOutside ? d.areas.size() : a];
  double expected = 0;
  for (const std::size_t c : per_area) {
    const double p = static_cast<double>(c) / static_cast<double>(n);
    expected += p * p;
  }
  const double pairs = static_cast<double>(n - 1);
  std::fprintf(stderr,
               "  %s: locality of the input order: consecutive points in the same area %.3f%% "
               "(shuffled %.3f%%, random order expects %.3f%%); median distance to the previous "
               "point %.1f km (shuffled %.1f km, Morton order %.3f km)\n",
               d.name.c_str(), 100.0 * static_cast<double>(same_input) / pairs,
               100.0 * static_cast<double>(same_shuffled) / pairs, 100.0 * expected,
               median_step(d.xs, d.ys) / 1000, median_step(d.shuffled_xs, d.shuffled_ys) / 1000,
               median_step(d.morton_xs, d.morton_ys) / 1000);
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
    std::abort();  // also fails the smoke test (ctest -L benchmark-smoke)
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
    switch (id) {
      case DatasetId::kDorset:
        d = load_dorset();
        break;
      case DatasetId::kSynthetic:
        d = load_synthetic();
        break;
      case DatasetId::kNational:
        d = load_national();
        break;
    }
    if (!d.error.empty()) return d;
    if (d.baseline_points == 0) d.baseline_points = d.xs.size();
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
    if (d.baseline_points < d.xs.size()) {
      morton_order(std::span(d.xs).first(d.baseline_points),
                   std::span(d.ys).first(d.baseline_points), d.baseline_morton_xs,
                   d.baseline_morton_ys);
    }
    if (id == DatasetId::kNational) {
      const std::vector<std::size_t> shuffle = shuffled_indices(d.xs.size(), 20261128);
      d.shuffled_xs.resize(d.xs.size());
      d.shuffled_ys.resize(d.ys.size());
      for (std::size_t k = 0; k < shuffle.size(); ++k) {
        d.shuffled_xs[k] = d.xs[shuffle[k]];
        d.shuffled_ys[k] = d.ys[shuffle[k]];
      }
      report_locality(d, shuffle);
      std::fprintf(stderr, "  %s: the GEOS baseline's queries use the first %zu points\n",
                   d.name.c_str(), d.baseline_points);
    }
  } catch (const std::exception& e) {
    d.name = name_of(id);
    d.error = "preparing the " + d.name + " dataset failed: " + e.what();
  }
  std::fprintf(stderr, "  %s: setup took %.1f s\n", d.name.c_str(), seconds_since(start));
  return d;
}

/// The dataset, prepared once per process; nullptr (and the benchmark skipped) when missing.
const Dataset* dataset(benchmark::State& state, DatasetId id) {
  const Dataset* d = nullptr;
  switch (id) {
    case DatasetId::kDorset: {
      static const Dataset dorset = prepare(DatasetId::kDorset);
      d = &dorset;
      break;
    }
    case DatasetId::kSynthetic: {
      static const Dataset synthetic = prepare(DatasetId::kSynthetic);
      d = &synthetic;
      break;
    }
    case DatasetId::kNational: {
      static const Dataset national = prepare(DatasetId::kNational);
      d = &national;
      break;
    }
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

/// Items = points processed per iteration (`points`, all of them by default); counter
/// `points` says how many.
void set_points_processed(benchmark::State& state, const Dataset& d, std::size_t points) {
  set_counters(state, d);
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(points));
  state.counters["points"] = static_cast<double>(points);
}
void set_points_processed(benchmark::State& state, const Dataset& d) {
  set_points_processed(state, d, d.xs.size());
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
  kInput,     ///< As read (Dorset, national: the file's order; synthetic: shuffled).
  kMorton,    ///< Sorted along a Morton curve (sorting not timed; see BM_MortonOrder).
  kShuffled,  ///< national only: shuffled with a fixed seed.
};

struct PointsView {
  std::span<const double> xs;
  std::span<const double> ys;
};

/// Every point of the dataset, in `order`: what AreaIndex is measured on.
PointsView points_of(const Dataset& d, Order order) {
  switch (order) {
    case Order::kInput:
      return {d.xs, d.ys};
    case Order::kMorton:
      return {d.morton_xs, d.morton_ys};
    case Order::kShuffled:
      return {d.shuffled_xs, d.shuffled_ys};
  }
  return {};
}

/// The points the GEOS baseline is measured on, in `order`: the first baseline_points of
/// points_of(), except Morton order, which is that of the first baseline_points input points.
PointsView baseline_points_of(const Dataset& d, Order order) {
  if (order == Order::kMorton && !d.baseline_morton_xs.empty()) {
    return {d.baseline_morton_xs, d.baseline_morton_ys};
  }
  const PointsView all = points_of(d, order);
  const std::size_t n = std::min(d.baseline_points, all.xs.size());
  return {all.xs.first(n), all.ys.first(n)};
}

/// The kernel: AreaIndex::locate over every point, one thread.
void BM_AreaIndexLocate(benchmark::State& state, DatasetId id, Order order) {
  const Dataset* d = dataset(state, id);
  if (d == nullptr) return;
  const AreaIndex& index = *d->index;
  const auto [xs, ys] = points_of(*d, order);
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

/// The baseline: STRtree query + prepared `covers` per candidate, one thread. On the national
/// dataset, on the first baseline_points points only (see baseline_points_of()).
void BM_GeosBaselineLocate(benchmark::State& state, DatasetId id, Order order) {
  const Dataset* d = dataset(state, id);
  if (d == nullptr) return;
  const GeosBaseline& baseline = *d->baseline;
  const auto [xs, ys] = baseline_points_of(*d, order);
  const std::size_t n = xs.size();
  std::vector<std::uint32_t> out(n);
  for (auto _ : state) {
    for (std::size_t i = 0; i < n; ++i) out[i] = baseline.locate(xs[i], ys[i]);
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  set_points_processed(state, *d, n);
}

/// The part of the baseline that is not the search: creating and destroying a GEOS point per
/// premise (GEOS 3.11 has no coordinate-only prepared predicate). Same points as the baseline.
void BM_GeosPointCreate(benchmark::State& state, DatasetId id) {
  const Dataset* d = dataset(state, id);
  if (d == nullptr) return;
  GEOSContextHandle_t h = d->baseline->handle();
  const auto [xs, ys] = baseline_points_of(*d, Order::kInput);
  const std::size_t n = xs.size();
  for (auto _ : state) {
    for (std::size_t i = 0; i < n; ++i) {
      GEOSGeometry* point = GEOSGeom_createPointFromXY_r(h, xs[i], ys[i]);
      benchmark::DoNotOptimize(point);
      GEOSGeom_destroy_r(h, point);
    }
  }
  set_points_processed(state, *d, n);
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
       {Entry{"dorset", DatasetId::kDorset}, Entry{"synthetic", DatasetId::kSynthetic},
        Entry{"national", DatasetId::kNational}}) {
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
    if (id == DatasetId::kNational) {
      // The file's UPRN order against a seeded shuffle of the same points: whether it has any
      // spatial locality.
      benchmark::RegisterBenchmark(
          ("BM_AreaIndexLocateShuffled" + suffix).c_str(),
          [id](benchmark::State& s) { BM_AreaIndexLocate(s, id, Order::kShuffled); })
          ->Unit(benchmark::kMillisecond);
      benchmark::RegisterBenchmark(
          ("BM_GeosBaselineLocateShuffled" + suffix).c_str(),
          [id](benchmark::State& s) { BM_GeosBaselineLocate(s, id, Order::kShuffled); })
          ->Unit(benchmark::kMillisecond);
    }
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

// ---- the 50 M-vertex case (issue 14) ------------------------------------------------------

/// A copy of `areas` with every edge cut into `factor` equal pieces. The pieces' ends are
/// computed from the edge's lower end (lexicographically) whichever way a ring runs, so an edge
/// shared by two areas gets the same new vertices in both and stays shared.
std::vector<MultiPolygon> densified(const std::vector<MultiPolygon>& areas, int factor) {
  auto less = [](notspot::engine::Point l, notspot::engine::Point r) {
    return l.x < r.x || (l.x == r.x && l.y < r.y);
  };
  auto densify_ring = [&](const notspot::engine::Ring& ring) {
    notspot::engine::Ring out;
    out.reserve(ring.size() * static_cast<std::size_t>(factor));
    const std::size_t n = ring.size();
    for (std::size_t k = 0; k < n; ++k) {
      const notspot::engine::Point a = ring[k];
      const notspot::engine::Point b = ring[(k + 1) % n];
      out.push_back(a);
      if (a == b || (k + 1 == n && ring.front() == ring.back())) continue;
      const bool forward = less(a, b);
      const notspot::engine::Point lo = forward ? a : b;
      const notspot::engine::Point hi = forward ? b : a;
      for (int i = 1; i < factor; ++i) {
        const double t = static_cast<double>(forward ? i : factor - i) / factor;
        out.push_back({lo.x + (hi.x - lo.x) * t, lo.y + (hi.y - lo.y) * t});
      }
    }
    return out;
  };
  std::vector<MultiPolygon> out(areas.size());
  for (std::size_t i = 0; i < areas.size(); ++i) {
    for (const notspot::engine::Polygon& polygon : areas[i]) {
      notspot::engine::Polygon p;
      p.exterior = densify_ring(polygon.exterior);
      for (const notspot::engine::Ring& hole : polygon.holes) p.holes.push_back(densify_ring(hole));
      out[i].push_back(std::move(p));
    }
  }
  return out;
}

std::size_t status_kb(const char* field) {
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen("/proc/self/status", "r"),
                                                    &std::fclose);
  if (!f) return 0;
  char line[256];
  const std::size_t length = std::strlen(field);
  while (std::fgets(line, sizeof line, f.get()) != nullptr) {
    if (std::strncmp(line, field, length) == 0) return std::strtoull(line + length, nullptr, 10);
  }
  return 0;
}

/// Building AreaIndex over the national areas with every edge cut into
/// NOTSPOT_BENCH_DENSIFY (default 10) pieces: 50 M vertices from the 5.0 M of the national
/// set. No premises, no GEOS baseline. Counter build_peak_MB: the process's peak resident
/// memory during one build above what it held before (peak reset through /proc/self/clear_refs).
void BM_AreaIndexBuildDense(benchmark::State& state) {
  static const std::vector<MultiPolygon>* dense = [] {
    auto* out = new std::vector<MultiPolygon>();
    const std::string dir = notspot::bench::string_from_env("NOTSPOT_BENCH_NATIONAL_DIR");
    if (dir.empty()) return out;
    const notspot::io::Crs crs =
        notspot::io::Crs::from_definition("EPSG:27700", "area_index_bench");
    notspot::io::ProblemLog log;
    notspot::io::AreasSource source;
    source.path = fs::path(dir) / "areas.gpkg";
    source.layer = "areas";
    source.id_field = "code";
    source.name_field = "name";
    std::vector<MultiPolygon> areas;
    {
      notspot::io::AreasLoad load = notspot::io::read_areas(source, crs, "areas.gpkg", log);
      for (notspot::io::Area& area : load.areas) areas.push_back(std::move(area.geometry));
    }
    const auto factor =
        static_cast<int>(notspot::bench::count_from_env("NOTSPOT_BENCH_DENSIFY", 10));
    *out = densified(areas, std::max(1, factor));
    return out;
  }();
  if (dense->empty()) {
    state.SkipWithError("no national dataset: set NOTSPOT_BENCH_NATIONAL_DIR");
    return;
  }
  tbb::task_arena arena(static_cast<int>(state.range(0)));
  AreaIndex::Stats stats;
  double peak_mb = 0;
  for (auto _ : state) {
    state.PauseTiming();
    if (std::FILE* f = std::fopen("/proc/self/clear_refs", "w")) {
      std::fputs("5", f);  // resets VmHWM to the current resident size
      std::fclose(f);
    }
    const std::size_t before_kb = status_kb("VmRSS:");
    state.ResumeTiming();
    arena.execute([&] {
      AreaIndex index(*dense);
      stats = index.stats();
    });
    state.PauseTiming();
    peak_mb = std::max(peak_mb, static_cast<double>(status_kb("VmHWM:") - before_kb) / 1e3);
    state.ResumeTiming();
  }
  state.counters["areas"] = static_cast<double>(stats.areas);
  state.counters["edges"] = static_cast<double>(stats.input_edges);
  state.counters["distinct_edges"] = static_cast<double>(stats.distinct_edges);
  state.counters["index_MB"] = static_cast<double>(stats.memory_bytes) / 1e6;
  state.counters["build_peak_MB"] = peak_mb;
  state.counters["vertices_per_s"] = benchmark::Counter(
      static_cast<double>(stats.input_edges), benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_AreaIndexBuildDense)
    ->Name("BM_AreaIndexBuild/national_dense")
    ->ArgName("threads")
    ->Arg(1)
    ->Arg(2)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// ---- a real national layer (issue 14) --------------------------------------------------------

/// Building AreaIndex over a real boundary layer read as `notspot run` reads it (reprojected to
/// EPSG:27700, invalid polygons repaired): NOTSPOT_BENCH_REAL_AREAS names the file (default the
/// 650 UK constituencies of /work/shared/data/real/uk_pcon_july2024_bgc.topojson, WGS84, about
/// 0.75 M vertices), NOTSPOT_BENCH_REAL_ID its id field (default PCON24CD).
void BM_AreaIndexBuildReal(benchmark::State& state) {
  static const std::vector<MultiPolygon>* real = [] {
    auto* out = new std::vector<MultiPolygon>();
    std::string path = notspot::bench::string_from_env("NOTSPOT_BENCH_REAL_AREAS");
    if (path.empty()) path = "/work/shared/data/real/uk_pcon_july2024_bgc.topojson";
    std::string id = notspot::bench::string_from_env("NOTSPOT_BENCH_REAL_ID");
    if (id.empty()) id = "PCON24CD";
    if (!fs::exists(path)) return out;
    const notspot::io::Crs crs =
        notspot::io::Crs::from_definition("EPSG:27700", "area_index_bench");
    notspot::io::ProblemLog log;
    notspot::io::AreasSource source;
    source.path = path;
    source.id_field = id;
    source.crs = "EPSG:4326";  // used only when the file declares none (TopoJSON)
    notspot::io::AreasLoad load = notspot::io::read_areas(source, crs, path, log);
    for (notspot::io::Area& area : load.areas) out->push_back(std::move(area.geometry));
    return out;
  }();
  if (real->empty()) {
    state.SkipWithError("no real layer: set NOTSPOT_BENCH_REAL_AREAS");
    return;
  }
  tbb::task_arena arena(static_cast<int>(state.range(0)));
  AreaIndex::Stats stats;
  for (auto _ : state) {
    arena.execute([&] {
      AreaIndex index(*real);
      stats = index.stats();
    });
  }
  state.counters["areas"] = static_cast<double>(stats.areas);
  state.counters["edges"] = static_cast<double>(stats.input_edges);
  state.counters["index_MB"] = static_cast<double>(stats.memory_bytes) / 1e6;
  state.counters["vertices_per_s"] = benchmark::Counter(
      static_cast<double>(stats.input_edges), benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_AreaIndexBuildReal)
    ->Name("BM_AreaIndexBuild/real")
    ->ArgName("threads")
    ->Arg(1)
    ->Arg(2)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// ---- massively overlapping areas (issue 12) --------------------------------------------------

/// Building the index over state.range(1) squares of 1 km that are identical (state.range(0) =
/// 0) or each shifted 1 m east of the previous one (1; their south and north edges run along
/// the same two lines). Before issue 12, 12 identical squares took 1.7 GB and 50 were
/// OOM-killed; the target is under 2 s and 500 MB for 1,000 of either.
void BM_AreaIndexBuildOverlapping(benchmark::State& state) {
  const bool shifted = state.range(0) != 0;
  const auto count = static_cast<int>(state.range(1));
  std::vector<MultiPolygon> areas;
  for (int i = 0; i < count; ++i) {
    const double x0 = 400000 + (shifted ? i : 0);
    const double y0 = 100000;
    areas.push_back({notspot::engine::Polygon{
        {{x0, y0}, {x0 + 1000, y0}, {x0 + 1000, y0 + 1000}, {x0, y0 + 1000}}, {}}});
  }
  AreaIndex::Stats stats;
  std::size_t overlaps = 0;
  for (auto _ : state) {
    AreaIndex index(areas);
    stats = index.stats();
    overlaps = index.overlaps().size();
    benchmark::DoNotOptimize(stats.memory_bytes);
  }
  state.counters["index_MB"] = static_cast<double>(stats.memory_bytes) / 1e6;
  state.counters["leaves"] = static_cast<double>(stats.boundary_leaves);
  state.counters["nodes"] = static_cast<double>(stats.quadtree_nodes);
  state.counters["overlap_pairs"] = static_cast<double>(overlaps);
  state.counters["largest_overlap"] = static_cast<double>(stats.largest_overlap);
}
BENCHMARK(BM_AreaIndexBuildOverlapping)
    ->ArgNames({"shifted", "areas"})
    ->Args({0, 12})
    ->Args({0, 1000})
    ->Args({1, 1000})
    ->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
