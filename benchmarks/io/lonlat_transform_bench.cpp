// WGS84 longitude/latitude (EPSG:4326) to British National Grid (EPSG:27700), in points per
// second, in a 1-thread and a 2-thread arena: io::CoordinateTransform, which evaluates PROJ's
// pipeline itself (engine::PipelineTransform), against PROJ's proj_trans_generic on the same
// operation, in the same binary and run. Points are seeded, uniform over Great Britain's
// bounding box (lon -7.5..1.7, lat 49.9..60.8); each chunk of 4,096 is copied from the input and
// transformed in place, one transformation per thread, as the premises reader does.
// 2,000,000 points, or 20,000 with NOTSPOT_BENCH_SMOKE=1. Counter points_per_cpu_s: points per
// second of the process's CPU time (all threads), the rate of one core given to the benchmark.

#include <benchmark/benchmark.h>
#include <proj.h>
#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <ctime>
#include <cstdlib>
#include <memory>
#include <optional>
#include <random>
#include <span>
#include <vector>

#include "notspot/io/crs.hpp"
#include "support/bench_env.hpp"

namespace {

const std::size_t kPoints = notspot::bench::smoke_mode() ? 20'000 : 2'000'000;
constexpr std::size_t kChunk = 4096;

struct Input {
  std::vector<double> lon, lat;
};

const Input& input() {
  static const Input in = [] {
    Input p;
    std::mt19937_64 rng(42);
    std::uniform_real_distribution<double> lon(-7.5, 1.7), lat(49.9, 60.8);
    for (std::size_t i = 0; i < kPoints; ++i) {
      p.lon.push_back(lon(rng));
      p.lat.push_back(lat(rng));
    }
    return p;
  }();
  return in;
}

const notspot::io::Crs& wgs84() {
  static const auto crs = notspot::io::Crs::from_definition("EPSG:4326", "bench");
  return crs;
}
const notspot::io::Crs& bng() {
  static const auto crs = notspot::io::Crs::from_definition("EPSG:27700", "bench");
  return crs;
}

// One PROJ context and normalised operation, as CoordinateTransform made them before.
struct ProjOp {
  PJ_CONTEXT* ctx = proj_context_create();
  PJ* raw = proj_create_crs_to_crs(ctx, "EPSG:4326", "EPSG:27700", nullptr);
  PJ* op = proj_normalize_for_visualization(ctx, raw);
  ProjOp() = default;
  ProjOp(const ProjOp&) = delete;
  ProjOp& operator=(const ProjOp&) = delete;
  ~ProjOp() {
    proj_destroy(op);
    proj_destroy(raw);
    proj_context_destroy(ctx);
  }
};

template <typename PerThread, typename Transform>
void run(benchmark::State& state, PerThread& local, Transform transform) {
  const Input& in = input();
  std::vector<double> x(kPoints), y(kPoints);
  tbb::task_arena arena(static_cast<int>(state.range(0)));
  double checksum = 0;
  // The process's CPU time over the loop (all threads), which load on a shared machine does not
  // inflate the way it does wall time: points per CPU-second is the rate of one free core.
  auto cpu_now = [] {
    timespec t{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
  };
  const double cpu_start = cpu_now();
  for (auto _ : state) {
    arena.execute([&] {
      tbb::parallel_for(std::size_t{0}, (kPoints + kChunk - 1) / kChunk, [&](std::size_t c) {
        const std::size_t begin = c * kChunk, n = std::min(kChunk, kPoints - begin);
        std::copy_n(in.lon.data() + begin, n, x.data() + begin);
        std::copy_n(in.lat.data() + begin, n, y.data() + begin);
        transform(local.local(), std::span<double>(x.data() + begin, n),
                  std::span<double>(y.data() + begin, n));
      });
    });
    checksum += x[kPoints / 2];
  }
  const double cpu_seconds = cpu_now() - cpu_start;
  benchmark::DoNotOptimize(checksum);
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kPoints));
  state.counters["points_per_cpu_s"] =
      static_cast<double>(state.iterations() * kPoints) / std::max(cpu_seconds, 1e-9);
}

void BM_LonLatToBng_Notspot(benchmark::State& state) {
  tbb::enumerable_thread_specific<std::optional<notspot::io::CoordinateTransform>> local;
  run(state, local, [](auto& t, std::span<double> x, std::span<double> y) {
    if (!t) t.emplace(wgs84(), bng());
    t->transform(x, y);
  });
  if (!notspot::io::CoordinateTransform(wgs84(), bng()).uses_pipeline()) {
    state.SkipWithError("the pipeline is not used");
  }
}

void BM_LonLatToBng_ProjTransGeneric(benchmark::State& state) {
  tbb::enumerable_thread_specific<std::unique_ptr<ProjOp>> local;
  run(state, local, [](auto& p, std::span<double> x, std::span<double> y) {
    if (!p) p = std::make_unique<ProjOp>();
    proj_trans_generic(p->op, PJ_FWD, x.data(), sizeof(double), x.size(), y.data(), sizeof(double),
                       y.size(), nullptr, 0, 0, nullptr, 0, 0);
  });
}

}  // namespace

BENCHMARK(BM_LonLatToBng_Notspot)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_LonLatToBng_ProjTransGeneric)
    ->Arg(1)
    ->Arg(2)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

BENCHMARK_MAIN();
