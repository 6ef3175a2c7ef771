// Throughput of the premises table (`[outputs] premises = true`): rows of premises.csv
// formatted by PremisesCsvFormatter on one thread, and written whole by write_premises_csv()
// with 1 and 2 threads, in bytes of CSV per second. Synthetic, seeded premises: 250 areas with
// names, two fixed-broadband layers, one mobile group of four operators and digital exclusion:
// the columns of a national run. NOTSPOT_BENCH_PREMISES sets the number of premises (default
// 4,000,000; 20,000 in smoke mode); the file goes to TMPDIR (default /tmp) and is removed.

#include <benchmark/benchmark.h>
#include <tbb/global_control.h>

#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "notspot/engine/area_index.hpp"
#include "notspot/outputs/column_catalogue.hpp"
#include "notspot/outputs/premises_table.hpp"
#include "support/bench_env.hpp"

namespace {

using namespace notspot;

struct Data {
  engine::PremisesTable premises;
  std::vector<std::uint32_t> area_of;
  std::vector<engine::FixedBroadband> broadband;
  std::vector<io::Area> areas;
  std::vector<engine::BitVector> operators;
  engine::BitVector any;
  outputs::ColumnCatalogue columns;
  outputs::PremisesResults results;
};

const Data& data() {
  static const Data* d = [] {
    auto* out = new Data;
    const std::size_t n = bench::smoke_mode()
                              ? bench::kSmokePoints
                              : bench::count_from_env("NOTSPOT_BENCH_PREMISES", 4'000'000);
    std::mt19937_64 rng(1);
    std::uniform_real_distribution<double> ex(80'000, 655'000), ny(5'000, 1'220'000);
    std::uniform_real_distribution<float> speed(0, 1200);
    for (int a = 0; a < 250; ++a) {
      out->areas.push_back(
          {"E0400" + std::to_string(1000 + a), "Parish of Somewhere " + std::to_string(a), {}, {}});
    }
    out->premises.resize(n);
    out->area_of.resize(n);
    out->broadband.resize(n);
    for (int k = 0; k < 4; ++k) out->operators.emplace_back(n);
    for (std::size_t i = 0; i < n; ++i) {
      // 12-digit UPRNs and centimetre coordinates, as OS Open UPRN has them.
      out->premises.set_row(i, 100'000'000'000 + rng() % 900'000'000'000,
                            std::round(ex(rng) * 100) / 100, std::round(ny(rng) * 100) / 100,
                            i + 2);
      out->area_of[i] =
          rng() % 100 == 0 ? engine::AreaIndex::kOutside : static_cast<std::uint32_t>(rng() % 250);
      engine::FixedBroadband& b = out->broadband[i];
      if (rng() % 50 != 0) {
        b.has_speed_record = true;
        b.speed_layer = 1;
        b.down_mbps = speed(rng);
        b.up_mbps = b.down_mbps / 8;
        b.full_fibre = b.down_mbps > 900;
      }
      if (rng() % 3 == 0) {
        b.has_bduk_record = true;
        b.bduk_layer = 0;
        b.current_gigabit = rng() % 2 == 0;
        b.subsidy = static_cast<engine::SubsidyStatus>(1 + rng() % 3);
      }
      for (auto& o : out->operators) {
        if (rng() % 10 != 0) o.set(i);
      }
    }
    out->any = engine::BitVector(n);
    for (const auto& o : out->operators) out->any |= o;
    outputs::CatalogueOptions options;
    options.mobile_groups = {{"4G", "indoor", {"EE", "Three", "O2", "Vodafone"}, true}};
    options.exclusion_technology = "4G";
    options.exclusion_setting = "indoor";
    out->columns = outputs::ColumnCatalogue::premises_table(options);
    outputs::PremisesResults& r = out->results;
    r.premises = &out->premises;
    r.area_of = out->area_of;
    r.broadband = out->broadband;
    r.areas = out->areas;
    r.fixed_layers = {"bduk", "speeds"};
    r.mobile.push_back({});
    for (const auto& o : out->operators) r.mobile.back().push_back(&o);
    r.exclusion_any = &out->any;
    return out;
  }();
  return *d;
}

// One thread formatting 65,536-row blocks into one reused buffer: the kernel's own speed.
void BM_PremisesCsvFormat(benchmark::State& state) {
  const Data& d = data();
  const outputs::PremisesCsvFormatter formatter(d.columns, d.results);
  constexpr std::size_t kBlock = 65536;
  std::vector<char> buffer(kBlock * formatter.max_row_bytes());
  std::size_t bytes = 0;
  for (auto _ : state) {
    bytes = 0;
    for (std::size_t b = 0; b < d.premises.size(); b += kBlock) {
      const char* end =
          formatter.format_into(b, std::min(d.premises.size(), b + kBlock), buffer.data());
      bytes += static_cast<std::size_t>(end - buffer.data());
      benchmark::DoNotOptimize(buffer.data());
    }
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes * state.iterations()));
  state.counters["rows_per_s"] = benchmark::Counter(
      static_cast<double>(d.premises.size() * state.iterations()), benchmark::Counter::kIsRate);
  state.counters["bytes_per_row"] =
      static_cast<double>(bytes) / static_cast<double>(d.premises.size());
}
BENCHMARK(BM_PremisesCsvFormat)->Unit(benchmark::kMillisecond)->UseRealTime();

// write_premises_csv() as a run calls it, with state.range(0) threads, into a file in TMPDIR
// (the page cache: what a run's staging folder sees before the sync).
void BM_PremisesCsvWrite(benchmark::State& state) {
  const Data& d = data();
  const tbb::global_control threads(tbb::global_control::max_allowed_parallelism,
                                    static_cast<std::size_t>(state.range(0)));
  const std::string tmp = bench::string_from_env("TMPDIR");
  const std::filesystem::path path =
      std::filesystem::path(tmp.empty() ? "/tmp" : tmp) / "notspot_premises_bench.csv";
  std::uintmax_t bytes = 0;
  for (auto _ : state) {
    outputs::write_premises_csv(path, d.columns, d.results);
    state.PauseTiming();
    bytes = std::filesystem::file_size(path);
    std::filesystem::remove(path);
    state.ResumeTiming();
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes * state.iterations()));
  state.counters["rows_per_s"] = benchmark::Counter(
      static_cast<double>(d.premises.size() * state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_PremisesCsvWrite)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
