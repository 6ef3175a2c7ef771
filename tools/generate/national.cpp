#include "national.hpp"

#include <cpl_conv.h>
#include <cpl_error.h>
#include <cpl_string.h>
#include <fmt/format.h>
#include <gdal_priv.h>
#include <ogrsf_frmts.h>
#include <sys/resource.h>
#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "atomic_output.hpp"
#include "british_national_grid.hpp"
#include "gpkg_layer.hpp"
#include "national_geography.hpp"
#include "national_mobile.hpp"
#include "national_premises.hpp"
#include "notspot/engine/area_index.hpp"
#include "notspot/engine/error.hpp"
#include "notspot/engine/geos_context.hpp"

namespace notspot::generate {
namespace {

using Json = nlohmann::ordered_json;

/// The GeoPackage stores a modification time; a fixed one makes the file reproducible.
constexpr const char* kFixedDate = "2026-01-01T00:00:00.000Z";
constexpr std::size_t kSelfTouching = 3;
constexpr std::size_t kBowTies = 2;
constexpr std::size_t kMaxAreas = 200'000;

class Stopwatch {
 public:
  double seconds() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  }

 private:
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

double round_to(double v, int decimals) {
  const double scale = std::pow(10.0, decimals);
  return std::round(v * scale) / scale;
}

double pct(std::size_t part, std::size_t whole) {
  return whole == 0 ? 0
                    : round_to(100.0 * static_cast<double>(part) / static_cast<double>(whole), 3);
}

/// min, quartiles, mean, p90, p99 and max of a sample.
template <typename T>
Json summary(std::vector<T> values, int decimals) {
  if (values.empty()) return Json::object();
  std::sort(values.begin(), values.end());
  auto at = [&](double q) {
    return round_to(
        static_cast<double>(
            values[static_cast<std::size_t>(q * static_cast<double>(values.size() - 1))]),
        decimals);
  };
  double sum = 0;
  for (T v : values) sum += static_cast<double>(v);
  return Json{
      {"min", at(0)},
      {"p10", at(0.1)},
      {"median", at(0.5)},
      {"mean", round_to(sum / static_cast<double>(values.size()), decimals == 0 ? 1 : decimals)},
      {"p90", at(0.9)},
      {"p99", at(0.99)},
      {"max", at(1)}};
}

double peak_memory_mb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return round_to(static_cast<double>(usage.ru_maxrss) / 1024.0, 1);
}

std::unique_ptr<OGRLinearRing> to_ogr_ring(const engine::Ring& ring) {
  auto out = std::make_unique<OGRLinearRing>();
  out->setNumPoints(static_cast<int>(ring.size() + 1));
  for (std::size_t i = 0; i <= ring.size(); ++i) {
    const engine::Point p = ring[i % ring.size()];
    out->setPoint(static_cast<int>(i), p.x, p.y);
  }
  return out;
}

/// areas.gpkg: layer `areas`, MultiPolygon, EPSG:27700, fields code and name. The geometries
/// are written as they are, invalid ones included.
void write_areas(const std::filesystem::path& path, const NationalAreas& areas,
                 const OGRSpatialReference& srs) {
  auto [dataset, layer] = create_geopackage(
      path, "areas", wkbMultiPolygon, "Synthetic parish-like areas (notspot national benchmark)",
      srs, {"code", "name"});
  if (dataset->StartTransaction() != OGRERR_NONE) gdal_fail(path, "cannot start a transaction");
  for (std::size_t a = 0; a < areas.geometry.size(); ++a) {
    auto multi = std::make_unique<OGRMultiPolygon>();
    for (const engine::Polygon& part : areas.geometry[a]) {
      auto polygon = std::make_unique<OGRPolygon>();
      polygon->addRingDirectly(to_ogr_ring(part.exterior).release());
      for (const engine::Ring& hole : part.holes)
        polygon->addRingDirectly(to_ogr_ring(hole).release());
      multi->addGeometryDirectly(polygon.release());
    }
    OGRFeature feature(layer->GetLayerDefn());
    feature.SetField("code", areas.code[a].c_str());
    feature.SetField("name", areas.name[a].c_str());
    feature.SetGeometryDirectly(multi.release());
    if (layer->CreateFeature(&feature) != OGRERR_NONE)
      gdal_fail(path, "cannot write " + areas.code[a]);
  }
  if (dataset->CommitTransaction() != OGRERR_NONE) gdal_fail(path, "cannot commit");
  CPLErrorReset();
  GDALClose(GDALDataset::ToHandle(dataset.release()));
  if (CPLGetLastErrorType() >= CE_Failure) gdal_fail(path, "cannot close");
}

/// GEOS's verdict on every area: all valid but the deliberately invalid ones, which must be
/// invalid and repair to something of positive area.
struct ValidityCheck {
  std::size_t valid = 0;
  Json invalid = Json::array();
};

ValidityCheck check_validity(const NationalAreas& areas) {
  const std::size_t n = areas.geometry.size();
  std::vector<std::optional<std::string>> reasons(n);
  std::vector<double> repaired(n, 0);
  std::vector<char> expected(n, 0);
  for (const InvalidArea& bad : areas.invalid) expected[bad.area] = 1;
  tbb::enumerable_thread_specific<std::unique_ptr<engine::GeosContext>> contexts;
  tbb::parallel_for(std::size_t{0}, n, [&](std::size_t a) {
    std::unique_ptr<engine::GeosContext>& geos = contexts.local();
    if (!geos) geos = std::make_unique<engine::GeosContext>();
    const engine::GeosGeometry g = geos->to_geos(areas.geometry[a]);
    reasons[a] = geos->invalid_reason(g.get());
    if (reasons[a]) {
      engine::RepairReport report;
      repaired[a] = engine::area(geos->repair_polygonal(areas.geometry[a], report));
    }
  });
  ValidityCheck check;
  for (std::size_t a = 0; a < n; ++a) {
    if (!reasons[a]) {
      if (expected[a])
        throw engine::internal_error(areas.code[a] + " should be invalid but is valid");
      ++check.valid;
      continue;
    }
    if (!expected[a]) {
      throw engine::internal_error(areas.code[a] + " is invalid by accident: " + *reasons[a]);
    }
    if (!(repaired[a] > 0)) throw engine::internal_error(areas.code[a] + " repairs to nothing");
  }
  for (const InvalidArea& bad : areas.invalid) {
    check.invalid.push_back(
        Json{{"code", areas.code[bad.area]},
             {"kind", bad.kind},
             {"how", bad.where},
             {"geos_reason", *reasons[bad.area]},
             {"area_after_make_valid_km2", round_to(repaired[bad.area] / 1e6, 6)}});
  }
  return check;
}

std::string study_toml(const NationalOptions& options, const NationalMobile* mobile) {
  std::string s = fmt::format(
      "# Synthetic national-scale study made by notspot-generate national (seed {}): a\n"
      "# Great-Britain-sized landmass with {} parish-like areas and {} premises. Everything\n"
      "# is synthetic; see generation_report.json.\n"
      "[study]\n"
      "name = \"Synthetic Great Britain: {} premises, {} areas (seed {})\"\n"
      "crs = \"EPSG:27700\"\n"
      "boundary_vintage = \"synthetic (notspot-generate national)\"\n\n"
      "[areas]\n"
      "path = \"areas.gpkg\"\n"
      "layer = \"areas\"\n"
      "id = \"code\"\n"
      "name = \"name\"\n\n"
      "[premises]\n"
      "path = \"premises.csv\"   # OS Open UPRN layout\n\n"
      "[[layers]]\n"
      "kind = \"fixed-speeds\"\n"
      "name = \"speeds\"\n"
      "path = \"fixed_speeds.csv\"\n",
      options.seed, options.areas, options.premises, options.premises, options.areas, options.seed);
  if (mobile != nullptr) {
    s += "\n# Mobile coverage: signal strength (dBm) on the 100 m British National Grid.\n";
    for (const NationalMobileLayer& layer : mobile->layers) {
      s += fmt::format(
          "\n[[layers]]\n"
          "kind = \"raster\"\n"
          "name = \"{}_{}_{}\"\n"
          "path = \"{}\"\n"
          "operator = \"{}\"\n"
          "technology = \"{}\"\n"
          "setting = \"{}\"\n"
          "covered_when = \">= {}\"\n",
          layer.operator_name, layer.technology, layer.setting, layer.file, layer.operator_name,
          layer.technology, layer.setting, kNationalCoveredDbm);
    }
  }
  s += "\n[quality]\n"
       "max_outside_share = 0.05   # about 0.5% of premises lie just off the coast\n\n"
       "[outputs]\n"
       "dir = \"out\"\n";
  return s;
}

}  // namespace

void generate_national(const NationalOptions& options, std::ostream& log) {
  if (options.areas < 1 || options.areas > kMaxAreas) {
    throw engine::usage_error(fmt::format("--areas must be between 1 and {}", kMaxAreas));
  }
  if (options.premises < 1 || options.premises >= (std::size_t{1} << 31)) {
    throw engine::usage_error("--premises must be between 1 and 2147483647");
  }
  if (options.vertices_per_area < 8 || options.vertices_per_area > 100'000) {
    throw engine::usage_error("--vertices-per-area must be between 8 and 100000");
  }
  const Stopwatch total;
  Stopwatch step;
  Json timings = Json::object();
  auto done = [&](const std::string& key, const std::string& what) {
    const double s = step.seconds();
    timings[key] = round_to(s, 2);
    log << fmt::format("  {:<52} {:7.2f} s\n", what, s);
    step = Stopwatch();
  };
  log << fmt::format(
      "notspot-generate national: {} premises, {} areas, seed {}, rasters {}, "
      "{} threads, output {}\n",
      options.premises, options.areas, options.seed, options.rasters ? 1 : 0,
      tbb::this_task_arena::max_concurrency(), options.output_dir.string());

  CPLSetConfigOption("OGR_CURRENT_DATE", kFixedDate);
  std::error_code dir_error;
  std::filesystem::create_directories(options.output_dir, dir_error);
  if (dir_error) {
    throw engine::input_error("cannot create " + options.output_dir.string() + ": " +
                              dir_error.message());
  }
  const BritishNationalGrid bng;

  // The land, the areas and their GeoPackage.
  const Geography geography = make_geography(lattice_cell_for(options.areas), options.seed);
  done("landmass", fmt::format("landmass ({} land cells of {:.0f} m), {} settlements",
                               geography.land_cells.size(), geography.lattice.cell(),
                               geography.settlements.size()));
  AreasOptions area_options;
  area_options.areas = options.areas;
  area_options.vertices_per_area = static_cast<double>(options.vertices_per_area);
  area_options.self_touching = kSelfTouching;
  area_options.bow_ties = kBowTies;
  area_options.seed = options.seed;
  const NationalAreas areas = make_national_areas(geography, area_options);
  std::vector<std::size_t> vertices, parts, holes;
  std::vector<double> areas_km2;
  std::size_t total_vertices = 0, multipart = 0, with_holes = 0, total_parts = 0, total_holes = 0;
  for (const engine::MultiPolygon& area : areas.geometry) {
    vertices.push_back(engine::vertex_count(area));
    total_vertices += vertices.back();
    std::size_t h = 0;
    for (const engine::Polygon& part : area) h += part.holes.size();
    total_parts += area.size();
    total_holes += h;
    multipart += area.size() > 1;
    with_holes += h > 0;
    areas_km2.push_back(engine::area(area) / 1e6);
  }
  done("areas",
       fmt::format("{} areas, {} vertices ({:.0f} per area)", areas.geometry.size(), total_vertices,
                   static_cast<double>(total_vertices) / static_cast<double>(options.areas)));
  const ValidityCheck validity = check_validity(areas);
  done("validity_check", fmt::format("GEOS validity: {} valid, {} invalid on purpose",
                                     validity.valid, validity.invalid.size()));
  {
    AtomicOutput out(options.output_dir / "areas.gpkg");
    write_areas(out.temp_path(), areas, bng.bng());
    out.commit();
  }
  done("areas_gpkg", "wrote areas.gpkg");

  // Premises and fixed broadband.
  const engine::AreaIndex index(areas.geometry);
  done("area_index",
       fmt::format("area index ({} distinct edges, {:.0f} MB)", index.stats().distinct_edges,
                   static_cast<double>(index.stats().memory_bytes) / 1e6));
  PremisesOptions premises_options;
  premises_options.count = options.premises;
  premises_options.seed = options.seed;
  const NationalPremises premises =
      place_national_premises(geography, areas, index, premises_options);
  done("premises_placement", fmt::format("placed {} premises ({} outside every area)",
                                         premises.records.size(), premises.outside));
  const UprnOrder order(options.premises, options.seed);
  done("uprn_order", "UPRN order");
  const CsvOutput premises_csv =
      write_premises_csv(options.output_dir / "premises.csv", premises, order);
  done("premises_csv", fmt::format("wrote premises.csv ({:.0f} MB)",
                                   static_cast<double>(premises_csv.bytes) / 1e6));
  const SpeedStats speeds = write_fixed_speeds_csv(options.output_dir / "fixed_speeds.csv",
                                                   premises, order, options.seed);
  done("fixed_speeds_csv",
       fmt::format("wrote fixed_speeds.csv ({:.0f} MB)", static_cast<double>(speeds.bytes) / 1e6));

  // Mobile rasters.
  std::optional<NationalMobile> mobile;
  if (options.rasters) {
    mobile = write_national_mobile(options.output_dir, geography, areas, premises, options.seed);
    done("mobile_rasters",
         fmt::format("wrote 12 rasters ({} x {} cells)", mobile->grid.columns, mobile->grid.rows));
  }
  write_file_atomically(options.output_dir / "study.toml",
                        study_toml(options, mobile ? &*mobile : nullptr));

  // The report.
  Json report;
  report["generator"] = "notspot-generate national";
  report["options"] = {{"premises", options.premises},
                       {"areas", options.areas},
                       {"seed", options.seed},
                       {"rasters", options.rasters},
                       {"vertices_per_area", options.vertices_per_area}};
  report["synthetic"] =
      "Everything is synthetic: the landmass (a Great-Britain-like outline in EPSG:27700), "
      "areas, premises, UPRNs, fixed broadband and mobile coverage. Only the coordinate "
      "reference system and the file layouts are real.";
  report["landmass"] = {
      {"lattice_cell_m", geography.lattice.cell()},
      {"lattice", {geography.lattice.columns(), geography.lattice.rows()}},
      {"land_cells", geography.land_cells.size()},
      {"land_bounds",
       {round_to(geography.land_bounds.xmin, 2), round_to(geography.land_bounds.ymin, 2),
        round_to(geography.land_bounds.xmax, 2), round_to(geography.land_bounds.ymax, 2)}},
      {"towns", geography.towns},
      {"villages", geography.settlements.size() - geography.towns}};
  Json invalid_summary = validity.invalid;
  report["areas"] = {
      {"file", "areas.gpkg"},
      {"layer", "areas"},
      {"count", areas.geometry.size()},
      {"first_code", areas.code.front()},
      {"last_code", areas.code.back()},
      {"vertices_total", total_vertices},
      {"vertices_per_area", summary(vertices, 0)},
      {"area_km2", summary(areas_km2, 3)},
      {"parts_total", total_parts},
      {"holes_total", total_holes},
      {"multipart_areas", multipart},
      {"areas_with_holes", with_holes},
      {"exclave_cells", areas.exclave_cells},
      {"enclave_cells", areas.enclave_cells},
      {"island_cells", areas.island_cells},
      {"boundary_lattice_edges", areas.boundary_edges},
      {"segments_per_lattice_edge",
       {{"mean", round_to(areas.mean_segments_per_edge, 2)}, {"max", areas.max_segments_per_edge}}},
      {"valid", validity.valid},
      {"invalid_on_purpose", invalid_summary}};
  Json kinds = Json::object();
  for (std::size_t k = 0; k < kPlaceKinds; ++k)
    kinds[place_kind_name(static_cast<PlaceKind>(k))] = premises.by_kind[k];
  report["premises"] = {{"file", "premises.csv"},
                        {"rows", premises_csv.rows},
                        {"bytes", premises_csv.bytes},
                        {"inside_an_area", premises.records.size() - premises.outside},
                        {"outside_every_area", premises.outside},
                        {"outside_pct", pct(premises.outside, premises.records.size())},
                        {"by_place", kinds},
                        {"sharing_a_point_with_the_previous", premises.shared_position},
                        {"candidate_points_drawn", premises.attempts},
                        {"placed_in_settlement_cell", premises.fallbacks},
                        {"first_uprn", order.first()},
                        {"last_uprn", order.last()}};
  SpeedStats::Counts all, urban, rural;
  Json by_place = Json::object();
  for (std::size_t k = 0; k < kPlaceKinds; ++k) {
    const SpeedStats::Counts& c = speeds.by_kind[k];
    all.add(c);
    const auto kind = static_cast<PlaceKind>(k);
    if (kind == PlaceKind::kCity || kind == PlaceKind::kTown) urban.add(c);
    if (kind == PlaceKind::kVillage || kind == PlaceKind::kHamlet || kind == PlaceKind::kIsolated)
      rural.add(c);
  }
  auto figures = [](const SpeedStats::Counts& c) {
    return Json{{"premises", c.premises},
                {"gigabit_pct", pct(c.gigabit, c.premises)},
                {"ultrafast_pct", pct(c.ultrafast, c.premises)},
                {"superfast_pct", pct(c.superfast, c.premises)},
                {"full_fibre_pct", pct(c.full_fibre, c.premises)},
                {"below_uso_pct", pct(c.below_uso, c.premises)}};
  };
  for (std::size_t k = 0; k < kPlaceKinds; ++k)
    by_place[place_kind_name(static_cast<PlaceKind>(k))] = figures(speeds.by_kind[k]);
  Json technologies = Json::object();
  for (std::size_t t = 0; t < speeds.by_technology.size(); ++t)
    technologies[kFixedTechnologies[t]] = speeds.by_technology[t];
  report["fixed_speeds"] = {
      {"file", "fixed_speeds.csv"},
      {"rows", speeds.rows},
      {"bytes", speeds.bytes},
      {"premises_without_row", speeds.missing},
      {"rows_not_matching_a_premise", speeds.unmatched},
      {"scope", "percentages of all premises (those without a row count as not meeting)"},
      {"all", figures(all)},
      {"urban (city, town)", figures(urban)},
      {"rural (village, hamlet, isolated)", figures(rural)},
      {"by_place", by_place},
      {"technologies", technologies}};
  if (mobile) {
    Json layers = Json::array();
    for (const NationalMobileLayer& layer : mobile->layers) {
      layers.push_back(Json{{"file", layer.file},
                            {"operator", layer.operator_name},
                            {"technology", layer.technology},
                            {"setting", layer.setting},
                            {"premises_covered_pct", round_to(layer.premises_covered_pct, 2)},
                            {"land_covered_pct", round_to(layer.land_covered_pct, 2)},
                            {"bytes", layer.bytes}});
    }
    Json groups = Json::array();
    for (const NationalMobileGroup& g : mobile->groups) {
      groups.push_back(Json{{"technology", g.technology},
                            {"setting", g.setting},
                            {"premises_any_operator_pct", round_to(g.premises_any_pct, 2)},
                            {"premises_all_operators_pct", round_to(g.premises_all_pct, 2)},
                            {"land_any_operator_pct", round_to(g.land_any_pct, 2)}});
    }
    const engine::Grid& grid = mobile->grid;
    report["mobile"] = {
        {"grid",
         {{"crs", "EPSG:27700"},
          {"cell_m", grid.cell_width},
          {"xmin", grid.xmin},
          {"ymax", grid.ymax},
          {"columns", grid.columns},
          {"rows", grid.rows}}},
        {"type", "Int16 dBm, nodata -32768, DEFLATE, tiled, predictor 2"},
        {"covered_when", fmt::format(">= {}", kNationalCoveredDbm)},
        {"nodata_cells", mobile->nodata_cells},
        {"land_cells", mobile->land_cells},
        {"masts", {{"EE/Three", mobile->masts[0]}, {"O2/Vodafone", mobile->masts[1]}}},
        {"masts_5g",
         {{"EE", mobile->masts_5g[0]},
          {"Three", mobile->masts_5g[1]},
          {"O2", mobile->masts_5g[2]},
          {"Vodafone", mobile->masts_5g[3]}}},
        {"premises_sampled", mobile->sampled_premises},
        {"layers", layers},
        {"groups", groups}};
    timings["mobile_fields"] = round_to(mobile->fields_seconds, 2);
    timings["mobile_layers"] = round_to(mobile->layers_seconds, 2);
  }
  timings["total"] = round_to(total.seconds(), 2);
  report["run"] = {{"note", "timings and memory differ between runs; everything else does not"},
                   {"threads", tbb::this_task_arena::max_concurrency()},
                   {"peak_memory_mb", peak_memory_mb()},
                   {"seconds", timings}};
  write_file_atomically(options.output_dir / "generation_report.json", report.dump(2) + "\n");
  log << fmt::format("  done in {:.2f} s, peak memory {:.0f} MB\n", total.seconds(),
                     peak_memory_mb());
}

}  // namespace notspot::generate
