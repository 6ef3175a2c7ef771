// Ingest speed of the premises CSV fast path: read_premises() on a file in the OS Open UPRN
// layout, plain and zipped (BM_ReadPremisesZip: the same rows as one deflated ZIP member), in a
// 1-thread and a 2-thread arena, in bytes of CSV text per second. The file is generated once
// per process (seeded) into the system's temporary folder, named after the process so that
// concurrent runs do not share it, and removed at exit; its size in rows is the benchmark
// argument: 2,000,000, or 20,000 with NOTSPOT_BENCH_SMOKE=1 (ctest -L benchmark-smoke).

#include <benchmark/benchmark.h>
#include <tbb/task_arena.h>
#include <unistd.h>

#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <random>
#include <stdexcept>
#include <string>
#include <system_error>

#include "notspot/io/crs.hpp"
#include "notspot/io/premises_reader.hpp"
#include "support/bench_env.hpp"

namespace {

namespace fs = std::filesystem;

// NOTSPOT_BENCH_INGEST_ROWS overrides the size (e.g. 5000000 for the zipped-vs-plain figures).
const std::int64_t kRows = notspot::bench::smoke_mode()
                               ? 20'000
                               : static_cast<std::int64_t>(notspot::bench::count_from_env(
                                     "NOTSPOT_BENCH_INGEST_ROWS", 2'000'000));

/// The generated files by number of rows; removed at exit.
struct GeneratedFiles {
  std::map<std::int64_t, fs::path> paths;
  ~GeneratedFiles() {
    std::error_code ignored;
    for (const auto& [rows, path] : paths) fs::remove(path, ignored);
  }
};

// A premises file like OS Open UPRN: BOM, header, UPRN, X and Y in metres with 2 decimals,
// latitude and longitude with 6.
const fs::path& premises_file(std::int64_t rows) {
  static GeneratedFiles files;
  auto [it, inserted] = files.paths.try_emplace(rows);
  if (!inserted) return it->second;
  it->second =
      fs::temp_directory_path() / ("notspot_csv_ingest_bench_" + std::to_string(::getpid()) + "_" +
                                   std::to_string(rows) + ".csv");
  std::FILE* f = std::fopen(it->second.c_str(), "wb");
  if (f == nullptr) throw std::runtime_error("cannot create " + it->second.string());
  std::fputs("\xEF\xBB\xBFUPRN,X_COORDINATE,Y_COORDINATE,LATITUDE,LONGITUDE\n", f);
  std::mt19937_64 rng(42);
  std::uniform_real_distribution<double> x(100000, 650000), y(10000, 1200000);
  std::uniform_real_distribution<double> lat(49.9, 60.8), lon(-7.5, 1.7);
  char line[128];
  for (std::int64_t i = 0; i < rows; ++i) {
    const int n = std::snprintf(line, sizeof line, "%lld,%.2f,%.2f,%.6f,%.6f\n",
                                static_cast<long long>(10000000000 + i * 7), x(rng), y(rng),
                                lat(rng), lon(rng));
    std::fwrite(line, 1, static_cast<std::size_t>(n), f);
  }
  std::fclose(f);
  return it->second;
}

// The same file zipped (deflate, level 6, as `zip` and Python's zipfile write it), made with
// python3's zipfile.
const fs::path& premises_zip(std::int64_t rows) {
  static GeneratedFiles files;
  auto [it, inserted] = files.paths.try_emplace(rows);
  if (!inserted) return it->second;
  const fs::path& csv = premises_file(rows);
  it->second = fs::path(csv).replace_extension(".zip");
  const std::string command =
      "python3 -c \"import zipfile,sys; "
      "zipfile.ZipFile(sys.argv[2],'w',zipfile.ZIP_DEFLATED).write("
      "sys.argv[1],'premises.csv')\" '" +
      csv.string() + "' '" + it->second.string() + "'";
  if (std::system(command.c_str()) != 0) throw std::runtime_error("cannot zip " + csv.string());
  return it->second;
}

void read_premises_benchmark(benchmark::State& state, bool zipped) {
  const fs::path& path = zipped ? premises_zip(state.range(0)) : premises_file(state.range(0));
  notspot::io::PremisesSource source;
  source.path = path;
  const notspot::io::Crs crs = notspot::io::Crs::from_definition("EPSG:27700", "benchmark");
  tbb::task_arena arena(static_cast<int>(state.range(1)));
  std::size_t rows = 0;
  for (auto _ : state) {
    arena.execute([&] {
      notspot::io::ProblemLog log;
      notspot::io::Progress progress;
      rows = notspot::io::read_premises(source, crs, "premises.csv", log, progress).table.size();
    });
    benchmark::DoNotOptimize(rows);
  }
  if (rows != static_cast<std::size_t>(state.range(0))) {  // fails the smoke test too
    state.SkipWithError(("read_premises accepted " + std::to_string(rows) + " rows of " +
                         std::to_string(state.range(0)))
                            .c_str());
    return;
  }
  // Bytes of CSV text (uncompressed) in both cases, so that the rates compare.
  state.SetBytesProcessed(state.iterations() *
                          static_cast<std::int64_t>(fs::file_size(premises_file(state.range(0)))));
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(rows));
}

void BM_ReadPremisesCsv(benchmark::State& state) {
  read_premises_benchmark(state, false);
}
void BM_ReadPremisesZip(benchmark::State& state) {
  read_premises_benchmark(state, true);
}

BENCHMARK(BM_ReadPremisesZip)
    ->ArgNames({"rows", "threads"})
    ->Args({kRows, 1})
    ->Args({kRows, 2})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(BM_ReadPremisesCsv)
    ->ArgNames({"rows", "threads"})
    ->Args({kRows, 1})
    ->Args({kRows, 2})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
