// Writing the premises outside every area into parish_stats.gpkg (the `premises_outside`
// layer, with its R-tree), in points per second: notspot's write_parish_geopackage() on one
// area and N outside premises, against GDAL writing the same points itself, one CreateFeature
// each in one transaction (with and without GDAL's R-tree), as the layer was written before.
// NOTSPOT_BENCH_OUTSIDE sets N (default 2,000,000; 20,000 in smoke mode); the files go to
// TMPDIR (default /tmp) and are removed.

#include <benchmark/benchmark.h>
#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "notspot/engine/area_index.hpp"
#include "notspot/io/crs.hpp"
#include "notspot/outputs/column_catalogue.hpp"
#include "notspot/outputs/geopackage_writer.hpp"
#include "notspot/outputs/stats_table.hpp"
#include "support/bench_env.hpp"

namespace {

using namespace notspot;
namespace fs = std::filesystem;

struct Data {
  engine::PremisesTable premises;
  std::vector<std::uint32_t> area_of;
  std::vector<io::Area> areas;
  outputs::StatsTable table;
};

const Data& data() {
  static const Data* d = [] {
    auto* out = new Data;
    const std::size_t n = bench::smoke_mode()
                              ? bench::kSmokePoints
                              : bench::count_from_env("NOTSPOT_BENCH_OUTSIDE", 2'000'000);
    std::mt19937_64 rng(1);
    std::uniform_real_distribution<double> ex(80'000, 655'000), ny(5'000, 1'220'000);
    out->premises.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
      out->premises.set_row(i, 100'000'000'000 + rng() % 900'000'000'000,
                            std::round(ex(rng) * 100) / 100, std::round(ny(rng) * 100) / 100,
                            i + 2);
    }
    out->area_of.assign(n, engine::AreaIndex::kOutside);
    engine::Polygon square{{{0, 0}, {1000, 0}, {1000, 1000}, {0, 1000}}, {}};
    out->areas.push_back({"E04000001", "Only", {square}, {}});
    const std::string_view columns[] = {"level", "area_id", "area_name"};
    out->table.columns = outputs::ColumnCatalogue(outputs::CatalogueOptions{}).subset(columns);
    out->table.rows = {{std::string("area"), std::string("E04000001"), std::string("Only")},
                       {std::string("study"), std::string(), std::string("Bench")}};
    return out;
  }();
  return *d;
}

fs::path bench_file(const char* name) {
  const char* tmp = std::getenv("TMPDIR");
  return fs::path(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") /
         (std::string("notspot_outside_bench_") + name + ".gpkg");
}

void report(benchmark::State& state) {
  const auto n = static_cast<double>(data().premises.size());
  state.counters["points/s"] = benchmark::Counter(n, benchmark::Counter::kIsIterationInvariantRate);
}

// The whole GeoPackage as a run writes it; with one area, the outside layer is nearly all of it.
void BM_OutsideLayerNotspot(benchmark::State& state) {
  const Data& d = data();
  const fs::path path = bench_file("notspot");
  const io::Crs crs = io::Crs::from_definition("EPSG:27700", "bench");
  for (auto _ : state) {
    fs::remove(path);
    outputs::write_parish_geopackage(path, d.areas, d.table, crs, d.premises, d.area_of);
  }
  fs::remove(path);
  report(state);
}
BENCHMARK(BM_OutsideLayerNotspot)->Unit(benchmark::kMillisecond)->UseRealTime();

// GDAL alone: a point layer with the same two fields, one feature (reused) per premise, one
// transaction, the same SQLite settings; Arg 1 with GDAL's R-tree, Arg 0 without.
void BM_OutsideLayerGdal(benchmark::State& state) {
  const Data& d = data();
  const fs::path path = bench_file("gdal");
  GDALAllRegister();
  CPLSetConfigOption("OGR_SQLITE_SYNCHRONOUS", "OFF");
  CPLSetConfigOption("OGR_SQLITE_JOURNAL", "OFF");
  OGRSpatialReference srs;
  srs.importFromEPSG(27700);
  const char* index = state.range(0) != 0 ? "SPATIAL_INDEX=YES" : "SPATIAL_INDEX=NO";
  for (auto _ : state) {
    fs::remove(path);
    GDALDriver* driver = GetGDALDriverManager()->GetDriverByName("GPKG");
    GDALDatasetUniquePtr ds(driver->Create(path.c_str(), 0, 0, 0, GDT_Unknown, nullptr));
    const char* options[] = {"FID=fid", "GEOMETRY_NAME=geom", index, nullptr};
    OGRLayer* layer =
        ds->CreateLayer("premises_outside", &srs, wkbPoint, const_cast<char**>(options));
    for (const char* name : {"premise_id", "source_line"}) {
      OGRFieldDefn field(name, OFTInteger64);
      layer->CreateField(&field);
    }
    ds->StartTransaction();
    OGRFeature feature(layer->GetLayerDefn());
    feature.SetGeometryDirectly(new OGRPoint(0, 0));
    OGRPoint* point = feature.GetGeometryRef()->toPoint();
    for (std::size_t i = 0; i < d.premises.size(); ++i) {
      feature.SetFID(OGRNullFID);
      feature.SetField(0, static_cast<GIntBig>(d.premises.id[i]));
      feature.SetField(1, static_cast<GIntBig>(d.premises.line[i]));
      point->setX(d.premises.x[i]);
      point->setY(d.premises.y[i]);
      if (layer->CreateFeature(&feature) != OGRERR_NONE) {
        state.SkipWithError("GDAL CreateFeature failed");
        break;
      }
    }
    ds->CommitTransaction();
    ds.reset();
  }
  fs::remove(path);
  report(state);
}
BENCHMARK(BM_OutsideLayerGdal)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
