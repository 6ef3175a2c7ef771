#include "notspot/study/study_run.hpp"

#include <fmt/format.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>
#include <tbb/task_group.h>

#include <chrono>
#include <ctime>
#include <exception>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "detail/outside_diagnosis.hpp"
#include "detail/report_input.hpp"
#include "detail/run_description.hpp"
#include "detail/stats_builder.hpp"
#include "mobile_stage.hpp"
#include "notspot/engine/area_index.hpp"
#include "notspot/engine/error.hpp"
#include "notspot/engine/geos_context.hpp"
#include "notspot/engine/mobile_coverage.hpp"
#include "notspot/engine/polygon_ops.hpp"
#include "notspot/engine/premises_key_index.hpp"
#include "notspot/io/areas_reader.hpp"
#include "notspot/io/broadband_reader.hpp"
#include "notspot/io/file_digest.hpp"
#include "notspot/io/postcode_layer.hpp"
#include "notspot/io/premises_reader.hpp"
#include "notspot/outputs/change_report.hpp"
#include "notspot/outputs/csv_writers.hpp"
#include "notspot/outputs/geopackage_writer.hpp"
#include "notspot/outputs/html_report.hpp"
#include "notspot/outputs/output_directory.hpp"
#include "notspot/outputs/version.hpp"
#include "notspot/outputs/xlsx_writer.hpp"

namespace notspot::study {
namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;

namespace {

// Overlaps are listed individually up to this many pairs; beyond, only counted.
constexpr std::size_t kMaxOverlapReports = 1000;

class Stopwatch {
 public:
  double lap() {
    const auto now = std::chrono::steady_clock::now();
    const double s = std::chrono::duration<double>(now - last_).count();
    last_ = now;
    return s;
  }

 private:
  std::chrono::steady_clock::time_point last_ = std::chrono::steady_clock::now();
};

std::string utc_now() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buffer;
}

// Rounds to 6 significant decimals so that manifests do not carry floating-point noise.
double tidy(double v) {
  return std::round(v * 1e6) / 1e6;
}

Json thresholds_json(const engine::Thresholds& t) {
  return Json{
      {"gigabit_mbps", t.gigabit_mbps},     {"ultrafast_mbps", t.ultrafast_mbps},
      {"superfast_mbps", t.superfast_mbps}, {"decent_down_mbps", t.decent_down_mbps},
      {"decent_up_mbps", t.decent_up_mbps}, {"full_fibre_technologies", t.full_fibre_technologies}};
}

Json counts_json(const engine::AreaCounts& c) {
  Json j{{"premises", c.premises}};
  for (const engine::IndicatorInfo& info : engine::indicator_catalogue()) {
    const std::uint64_t n = c.counts[static_cast<std::size_t>(info.indicator)];
    j[std::string(info.column)] = n;
    const double pct = engine::percentage(n, c.premises);
    j[std::string(info.column) + "_pct"] = std::isnan(pct) ? Json(nullptr) : Json(tidy(pct));
  }
  return j;
}

// Digests of files hashed ahead, in parallel (the inputs of a national study are gigabytes).
using DigestCache = std::map<fs::path, io::FileDigest>;

DigestCache digest_files(std::vector<fs::path> paths) {
  std::sort(paths.begin(), paths.end());
  paths.erase(std::unique(paths.begin(), paths.end()), paths.end());
  std::vector<io::FileDigest> digests(paths.size());
  tbb::parallel_for(std::size_t{0}, paths.size(),
                    [&](std::size_t i) { digests[i] = io::digest_file(paths[i]); });
  DigestCache cache;
  for (std::size_t i = 0; i < paths.size(); ++i) cache.emplace(paths[i], digests[i]);
  return cache;
}

// The inputs' digests, computed on a TBB task from construction while the run goes on. Hashing
// is sequential within a file (2 GB of national premises take 1.5 s of one core): started at
// the end it left a core idle while the last file was hashed; started once the premises are
// read, it fills the gaps of the later stages. The destructor waits, so the task never outlives
// what it uses.
class BackgroundDigests {
 public:
  explicit BackgroundDigests(std::vector<fs::path> paths) : paths_(std::move(paths)) {
    group_.run([this] {
      try {
        digests_ = digest_files(paths_);
      } catch (...) {
        error_ = std::current_exception();
      }
    });
  }
  ~BackgroundDigests() { group_.wait(); }
  BackgroundDigests(const BackgroundDigests&) = delete;
  BackgroundDigests& operator=(const BackgroundDigests&) = delete;

  /// Waits for the digests. @throws what hashing threw (an unreadable input).
  const DigestCache& get() {
    group_.wait();
    if (error_) std::rethrow_exception(error_);
    return digests_;
  }

 private:
  std::vector<fs::path> paths_;
  DigestCache digests_;
  std::exception_ptr error_;
  tbb::task_group group_;  // last: destroyed (after the wait) before what the task uses
};

Json digest_json(const fs::path& path, const DigestCache* cache = nullptr) {
  const auto it = cache ? cache->find(path) : DigestCache::const_iterator{};
  const io::FileDigest d = cache && it != cache->end() ? it->second : io::digest_file(path);
  return Json{{"sha256", d.sha256}, {"size_bytes", d.size_bytes}};
}

// Reports overlapping areas found by the index, with the overlap's area from GEOS.
void report_overlaps(const engine::AreaIndex& index, std::span<const io::Area> areas,
                     io::ProblemLog& log, Json& listed) {
  listed = Json::array();
  engine::GeosContext geos;
  std::size_t reported = 0;
  for (const engine::AreaOverlap& o : index.overlaps()) {
    if (reported == kMaxOverlapReports) {
      log.warn("areas", fmt::format("... and {} more overlapping pairs (not listed)",
                                    index.overlaps().size() - reported));
      break;
    }
    const io::Area& a = areas[o.first];
    const io::Area& b = areas[o.second];
    const double overlap_area = engine::overlap_area(geos, a.geometry, b.geometry);
    ++reported;
    log.warn("areas", fmt::format("areas '{}' and '{}' overlap ({:.1f} square units, near {:.1f}, "
                                  "{:.1f}); premises in the overlap are assigned to '{}' (the "
                                  "lower id)",
                                  a.id, b.id, overlap_area, o.near.x, o.near.y, a.id));
    listed.push_back(Json{{"first", a.id},
                          {"second", b.id},
                          {"overlap_area", tidy(overlap_area)},
                          {"near", {tidy(o.near.x), tidy(o.near.y)}}});
  }
}

class NullProgress : public io::Progress {};

}  // namespace

std::string display_path(const Study& study, const fs::path& path) {
  const fs::path base = study.file.parent_path();
  const fs::path relative = path.lexically_relative(base);
  if (!relative.empty() && *relative.begin() != "..") return relative.generic_string();
  return path.generic_string();
}

RunSummary run_study(const Study& study, const RunOptions& options) {
  NullProgress no_progress;
  io::Progress& progress = options.progress ? *options.progress : no_progress;
  Stopwatch clock;
  Stopwatch whole_run;  // the stages overlap, so their sum is not the run's duration
  const std::string started = utc_now();
  // Stage durations. Areas and premises are read at the same time, so those stages overlap.
  Json timings = Json::object();
  double timings_premises = 0;
  RunSummary summary;
  io::ProblemLog log;

  // Lock the outputs first: a second run on the same folder fails before doing any work.
  outputs::OutputDirectory out(options.output_dir.value_or(study.output_dir));
  summary.output_dir = out.final_dir();
  // The previous run is read at once, so that a wrong folder fails before any work, and before
  // publishing: it may be the outputs folder itself.
  const std::optional<fs::path> previous_dir =
      options.previous_dir ? options.previous_dir : study.previous_dir;
  std::optional<outputs::PreviousRun> previous;
  if (previous_dir) previous = outputs::read_previous_run(*previous_dir);

  const io::Crs study_crs =
      io::Crs::from_definition(study.crs, display_path(study, study.file) + ": [study] crs");
  // Areas (read, repaired, indexed) and premises (parsed) do not depend on each other, so they
  // are read at the same time: much of the areas' side is serial (GDAL reads features one by
  // one, the index's edges are collected and appended in order) and the premises' parallel
  // parsing fills the other cores. Each side keeps its own warnings, appended areas first, and a
  // failure on the areas' side is reported first: the same messages in the same order as
  // reading one after the other. Only the premises report progress.
  const std::string areas_file = display_path(study, study.areas.path);
  const std::string premises_file = display_path(study, study.premises.path);
  io::PremisesLoad premises;
  io::ProblemLog premises_log;
  std::exception_ptr premises_error;
  tbb::task_group reading_premises;
  reading_premises.run([&] {
    try {
      Stopwatch premises_clock;
      premises =
          io::read_premises(study.premises, study_crs, premises_file, premises_log, progress);
      timings_premises = premises_clock.lap();
    } catch (...) {
      premises_error = std::current_exception();
    }
  });
  io::AreasLoad areas;
  std::unique_ptr<const engine::AreaIndex> index;
  Json overlaps;
  try {
    areas = io::read_areas(study.areas, study_crs, areas_file, log);
    summary.areas = areas.areas.size();
    timings["read_areas"] = clock.lap();
    std::vector<engine::MultiPolygon> geometries;
    geometries.reserve(areas.areas.size());
    for (const io::Area& a : areas.areas) geometries.push_back(a.geometry);
    // Released after assignment: nationally the index is 400 MB that later stages can use.
    index = std::make_unique<const engine::AreaIndex>(geometries);
    geometries.clear();
    report_overlaps(*index, areas.areas, log, overlaps);
    timings["index_areas"] = clock.lap();
  } catch (...) {
    reading_premises.wait();
    throw;
  }
  reading_premises.wait();
  if (premises_error) std::rethrow_exception(premises_error);
  log.append(std::move(premises_log));
  timings["read_premises"] = timings_premises;
  clock.lap();
  std::vector<fs::path> input_paths = {study.file, study.areas.path, study.premises.path};
  for (const LayerSource& l : study.layers) input_paths.push_back(l.path);
  BackgroundDigests input_digests(std::move(input_paths));

  progress.stage("Assigning premises to areas");
  std::vector<std::uint32_t> area_of(premises.table.size());
  const std::size_t in_several = index->locate_all(premises.table.x, premises.table.y, area_of);
  const engine::AreaIndex::Stats index_stats = index->stats();
  const std::size_t overlapping_pairs = index->overlaps().size();
  index.reset();
  const std::uint64_t outside = static_cast<std::uint64_t>(
      std::count(area_of.begin(), area_of.end(), engine::AreaIndex::kOutside));
  if (in_several > 0) {
    log.warn("premises", fmt::format("{} premises lie in more than one (overlapping) area; each "
                                     "was assigned to the area with the lowest id",
                                     in_several));
  }
  engine::Box areas_extent;
  for (const io::Area& a : areas.areas) areas_extent.expand(engine::bounding_box(a.geometry));
  const std::optional<std::string> outside_explanation =
      detail::explain_premises_outside(premises, study_crs, area_of, areas_extent, premises_file);
  if (outside_explanation) log.warn("premises", *outside_explanation);
  timings["assign_premises"] = clock.lap();

  const engine::PremisesKeyIndex keys(premises.table.id);
  if (keys.duplicate_ids() > 0) {
    std::string examples;
    for (std::uint64_t id : keys.duplicate_examples(5))
      examples += (examples.empty() ? "" : ", ") + std::to_string(id);
    log.warn("premises",
             fmt::format("{}: {} ids appear more than once ({} extra rows, e.g. {}); "
                         "each row is counted as a premise",
                         premises_file, keys.duplicate_ids(), keys.duplicate_premises(), examples));
  }
  std::vector<engine::FixedBroadband> broadband(premises.table.size());
  std::vector<io::LayerLoad> layers;
  std::vector<const LayerSource*> layer_sources;
  std::vector<io::PostcodeLayerLoad> postcode_layers;
  for (const LayerSource& layer : study.layers) {
    const std::string file = display_path(study, layer.path);
    if (layer.kind == LayerKind::kBdukPremises || layer.kind == LayerKind::kFixedSpeeds) {
      layers.push_back(
          io::join_fixed_broadband(layer, study.thresholds, file, keys, broadband, log, progress));
      layer_sources.push_back(&layer);
    } else if (layer.kind == LayerKind::kOfcomPostcode) {
      postcode_layers.push_back(
          io::join_ofcom_postcodes(layer, file, premises.table, log, progress));
    }
  }
  timings["join_layers"] = clock.lap();

  // Postcode-level estimates. Ofcom publishes one file per postcode area, so several layers
  // combine: a premise takes the row of the first layer that has its postcode.
  detail::StudyFigures figures;
  if (!postcode_layers.empty()) {
    std::vector<engine::PostcodeRates> rates;
    std::vector<std::uint32_t> row_of(premises.table.size(), engine::kNoRow);
    figures.estimate_measures.fill(true);
    for (const io::PostcodeLayerLoad& p : postcode_layers) {
      const auto offset = static_cast<std::uint32_t>(rates.size());
      rates.insert(rates.end(), p.rates.begin(), p.rates.end());
      for (std::size_t i = 0; i < row_of.size(); ++i) {
        if (row_of[i] == engine::kNoRow && p.row_of_premise[i] != engine::kNoRow) {
          row_of[i] = p.row_of_premise[i] + offset;
        }
      }
      for (std::size_t m = 0; m < engine::kEstimateCount; ++m) {
        figures.estimate_measures[m] = figures.estimate_measures[m] && p.measures[m];
      }
    }
    figures.estimates = engine::estimate_by_area(area_of, row_of, rates, areas.areas.size());
  }
  timings["postcode_estimates"] = clock.lap();

  const MobileResults mobile =
      run_mobile_layers(study, study_crs, areas.areas, premises.table, area_of, log, progress);
  timings["mobile_coverage"] = clock.lap();

  progress.stage("Counting indicators");
  const std::vector<engine::AreaCounts> counts =
      engine::count_by_area(area_of, broadband, study.thresholds, areas.areas.size());
  engine::AreaCounts total;
  for (const engine::AreaCounts& c : counts) total += c;
  summary.study_total = total;

  const MobileGroupResult* exclusion_group = nullptr;
  for (const MobileGroupResult& g : mobile.groups) {
    if (g.technology == study.digital_exclusion.mobile_technology &&
        g.setting == study.digital_exclusion.mobile_setting) {
      exclusion_group = &g;
    }
  }
  if (exclusion_group != nullptr) {
    figures.excluded = engine::count_digitally_excluded(
        area_of, broadband, study.thresholds, exclusion_group->any_covered, areas.areas.size());
  } else if (!mobile.groups.empty()) {
    log.warn("mobile", fmt::format("no {} {} layers: digital exclusion ([digital_exclusion]) is "
                                   "not computed",
                                   study.digital_exclusion.mobile_technology,
                                   study.digital_exclusion.mobile_setting));
  }
  figures.study_name = study.name;
  figures.areas = areas.areas;
  figures.fixed = counts;
  figures.mobile = &mobile;
  if (!study_crs.is_geographic()) {
    for (const io::Area& a : areas.areas)
      figures.land_km2.push_back(engine::area(a.geometry) / 1e6);
  }
  const outputs::StatsTable table = detail::build_stats_table(figures);
  for (const MobileGroupResult& g : mobile.groups) {
    engine::GroupPremisesCounts c;
    engine::GroupAreaCoverage land;
    for (std::size_t a = 0; a < areas.areas.size(); ++a) {
      c += g.premises[a];
      if (!g.land.empty()) land += g.land[a];
    }
    const std::string name = g.technology + " " + g.setting;
    const auto share = [&](std::uint64_t n) { return engine::percentage(n, total.premises); };
    summary.mobile.push_back({name + ": no operator (not-spot)", c.none, share(c.none)});
    summary.mobile.push_back({name + ": all operators", c.all, share(c.all)});
    if (!g.land.empty() && land.area > 0) {
      summary.mobile.push_back(
          {name + ": land, all operators", std::nullopt, 100 * land.all / land.area});
    }
  }
  if (figures.excluded) {
    std::uint64_t excluded = 0;
    for (std::uint64_t n : *figures.excluded) excluded += n;
    summary.mobile.push_back(
        {"Digitally excluded", excluded, engine::percentage(excluded, total.premises)});
  }
  timings["count_indicators"] = clock.lap();

  summary.premises_read = premises.rows_read;
  summary.premises_rejected = premises.rejected;
  summary.premises_outside = outside;
  summary.premises_assigned = premises.table.size() - outside;
  if (summary.premises_read !=
      summary.premises_assigned + summary.premises_outside + summary.premises_rejected) {
    throw engine::internal_error("the premises ledger does not balance; please report this");
  }

  const auto fraction = [](std::uint64_t n, std::uint64_t of) {
    return of == 0 ? 0.0 : static_cast<double>(n) / static_cast<double>(of);
  };
  const auto gate = [&](std::string name, double value, double limit, std::string explanation) {
    summary.quality.push_back(
        {std::move(name), value, limit, value <= limit, std::move(explanation)});
  };
  gate("max_rejected_share", fraction(premises.rejected, premises.rows_read),
       study.quality.max_rejected_share, "");
  gate("max_outside_share", fraction(outside, premises.rows_read), study.quality.max_outside_share,
       outside_explanation.value_or(""));
  // A fixed-broadband file for the wrong area or vintage passes every row check; these two say
  // how little of it fits the premises.
  gate("max_no_data_share", fraction(total.count(engine::Indicator::kNoData), total.premises),
       study.quality.max_no_data_share, "");
  for (const io::LayerLoad& l : layers) {
    const std::uint64_t usable = l.rows_read - l.rejected;
    const double unmatched = fraction(l.unmatched, usable);
    gate("max_unmatched_share (" + l.name + ")", unmatched, study.quality.max_unmatched_share,
         unmatched > study.quality.max_unmatched_share
             ? fmt::format("{}: {} of {} rows have a {} that matches no premise; is it the file "
                           "for this study's area and the same vintage as the premises?",
                           l.file, l.unmatched, usable, l.key_column)
             : "");
  }
  for (const QualityCheck& q : summary.quality) summary.quality_passed &= q.passed;

  progress.stage("Writing outputs");
  outputs::write_stats_csv(out.file("parish_stats.csv"), table);
  const detail::RunDescription description =
      detail::describe_run(study, areas_file, premises_file, layers, postcode_layers, mobile,
                           exclusion_group != nullptr);
  outputs::write_parish_workbook(
      out.file("parish_stats.xlsx"), table,
      outputs::WorkbookInfo{study.name, study_crs.describe(), study.boundary_vintage,
                            outputs::kVersion, description.thresholds, description.definitions,
                            description.sources});
  outputs::write_parish_geopackage(out.file("parish_stats.gpkg"), areas.areas, table, study_crs,
                                   premises.table, area_of);
  outputs::write_rejected_csv(out.file("rejected.csv"), log.rejected());
  std::vector<std::string> written = {"parish_stats.csv", "parish_stats.xlsx", "parish_stats.gpkg",
                                      "rejected.csv"};
  std::optional<outputs::ChangeReport> changes;
  if (previous) {
    outputs::RunIdentity identity;
    identity.study_name = study.name;
    identity.crs = study_crs.describe();
    identity.boundary_vintage = study.boundary_vintage;
    identity.thresholds = study.thresholds;
    identity.areas_sha256 = input_digests.get().at(study.areas.path).sha256;
    changes = outputs::compare_runs(*previous, table, identity, log);
    outputs::write_changes_csv(out.file("parish_changes.csv"), *changes);
    written.emplace_back("parish_changes.csv");
  }
  timings["write_outputs"] = clock.lap();

  // ---- manifest ----------------------------------------------------------------------------
  const DigestCache& digests = input_digests.get();
  Json inputs = Json::array();
  Json areas_input{{"role", "areas"}, {"file", areas_file}, {"layer", areas.layer}};
  areas_input.update(digest_json(study.areas.path, &digests));
  areas_input["features"] = areas.features_read;
  areas_input["crs"] = areas.source_crs;
  areas_input["transformation"] = areas.transformation;
  inputs.push_back(areas_input);
  Json premises_input{{"role", "premises"}, {"file", premises_file}};
  premises_input.update(digest_json(study.premises.path, &digests));
  premises_input["rows"] = premises.rows_read;
  premises_input["columns"] = {
      {"id", premises.id_column}, {"x", premises.x_column}, {"y", premises.y_column}};
  premises_input["crs"] = premises.source_crs;
  if (premises.area_of_use) {
    const engine::Box& b = *premises.area_of_use;
    premises_input["area_of_use"] = {tidy(b.xmin), tidy(b.ymin), tidy(b.xmax), tidy(b.ymax)};
  }
  premises_input["transformation"] = premises.transformation;
  inputs.push_back(premises_input);
  Json layer_ledger = Json::array();
  for (std::size_t i = 0; i < layers.size(); ++i) {
    const io::LayerLoad& l = layers[i];
    Json input{{"role", "layer"}, {"name", l.name}, {"kind", l.kind}, {"file", l.file}};
    input.update(digest_json(layer_sources[i]->path, &digests));
    input["rows"] = l.rows_read;
    inputs.push_back(input);
    layer_ledger.push_back(
        Json{{"name", l.name},
             {"read", l.rows_read},
             {"matched", l.matched},
             {"unmatched", l.unmatched},
             {"duplicate_keys", l.duplicate_keys},
             {"rejected", l.rejected},
             {"balanced", l.rows_read == l.matched + l.unmatched + l.duplicate_keys + l.rejected},
             {"blank_lines_skipped", l.blank_lines},
             {"premises_with_row", l.premises_with_row},
             {"premises_without_row", l.premises_without_row}});
  }

  for (const io::PostcodeLayerLoad& p : postcode_layers) {
    const LayerSource& source =
        *std::find_if(study.layers.begin(), study.layers.end(),
                      [&](const LayerSource& l) { return l.name == p.name; });
    Json input{{"role", "layer"}, {"name", p.name}, {"kind", "ofcom-postcode"}, {"file", p.file}};
    input.update(digest_json(source.path, &digests));
    input["rows"] = p.rows_read;
    inputs.push_back(input);
    layer_ledger.push_back(
        Json{{"name", p.name},
             {"read", p.rows_read},
             {"postcodes", p.postcodes},
             {"duplicate_keys", p.duplicate_keys},
             {"rejected", p.rejected},
             {"balanced", p.rows_read == p.postcodes + p.duplicate_keys + p.rejected},
             {"blank_lines_skipped", p.blank_lines},
             {"blank_values_read_as_zero", p.blank_values},
             {"postcodes_with_premises", p.postcodes_with_premises},
             {"postcodes_without_premises", p.postcodes_without_premises},
             {"premises_with_row", p.premises_with_row},
             {"premises_without_postcode", p.premises_without_postcode},
             {"premises_postcode_not_found", p.premises_postcode_not_found}});
  }
  Json mobile_layers = Json::array();
  for (const MobileLayerLedger& m : mobile.layers) {
    const LayerSource& source =
        *std::find_if(study.layers.begin(), study.layers.end(),
                      [&](const LayerSource& l) { return l.name == m.name; });
    Json input{{"role", "layer"}, {"name", m.name}, {"kind", m.kind}, {"file", m.file}};
    input.update(digest_json(source.path, &digests));
    input["crs"] = m.crs;
    input["description"] = m.description;
    inputs.push_back(input);
    mobile_layers.push_back(Json{{"name", m.name},
                                 {"operator", m.operator_name},
                                 {"technology", m.technology},
                                 {"setting", m.setting},
                                 {"covered_when", m.rule.empty() ? Json(nullptr) : Json(m.rule)},
                                 {"premises_covered", m.premises_covered},
                                 {"premises_on_nodata", m.premises_on_nodata},
                                 {"premises_off_layer", m.premises_off_layer}});
  }
  Json mobile_groups = Json::array();
  for (const MobileGroupResult& g : mobile.groups) {
    mobile_groups.push_back(
        Json{{"technology", g.technology},
             {"setting", g.setting},
             {"operators", g.operators},
             {"land_method", g.land.empty() ? Json(nullptr) : Json(g.land_method)}});
  }

  Json quality_checks = Json::array();
  for (const QualityCheck& q : summary.quality) {
    Json check{
        {"name", q.name}, {"value", tidy(q.value)}, {"limit", q.limit}, {"passed", q.passed}};
    if (!q.explanation.empty()) check["explanation"] = q.explanation;
    quality_checks.push_back(std::move(check));
  }
  Json indicators = Json::array();
  for (const engine::IndicatorInfo& info : engine::indicator_catalogue()) {
    indicators.push_back(Json{{"column", info.column}, {"definition", info.definition}});
  }
  Json warnings = Json::array();
  for (const io::Warning& w : log.warnings()) {
    if (warnings.size() == 200) break;
    warnings.push_back(Json{{"source", w.source}, {"message", w.message}});
  }
  const engine::AreaIndex::Stats& is = index_stats;

  Json manifest{
      {"notspot_version", outputs::kVersion},
      {"study",
       {{"name", study.name},
        {"file", study.file.filename().string()},
        {"sha256", digests.at(study.file).sha256},
        {"crs", study_crs.describe()},
        {"boundary_vintage",
         study.boundary_vintage ? Json(*study.boundary_vintage) : Json(nullptr)}}},
      {"thresholds", thresholds_json(study.thresholds)},
      {"quality_limits",
       {{"max_rejected_share", study.quality.max_rejected_share},
        {"max_outside_share", study.quality.max_outside_share},
        {"max_no_data_share", study.quality.max_no_data_share},
        {"max_unmatched_share", study.quality.max_unmatched_share}}},
      {"inputs", inputs},
      {"ledger",
       {{"premises",
         {{"read", premises.rows_read},
          {"assigned", summary.premises_assigned},
          {"outside", summary.premises_outside},
          {"rejected", summary.premises_rejected},
          {"balanced", true},
          {"blank_lines_skipped", premises.blank_lines},
          {"duplicate_ids", keys.duplicate_ids()},
          {"in_overlapping_areas", in_several}}},
        {"layers", layer_ledger}}},
      {"areas",
       {{"count", areas.areas.size()},
        {"features_read", areas.features_read},
        {"repaired", areas.repaired},
        {"without_polygon", areas.without_polygon},
        {"merged_by_id", areas.merged},
        {"overlapping_pairs", overlapping_pairs},
        {"overlaps", overlaps},
        {"boundary_rule",
         "a premise exactly on a boundary belongs to the area immediately east of it (on an "
         "east-west edge, immediately north); in overlaps, to the area with the lowest id"}}},
      {"area_index",
       {{"distinct_edges", is.distinct_edges},
        {"top_grid", {is.top_columns, is.top_rows}},
        {"boundary_leaves", is.boundary_leaves},
        {"deepest_level", is.deepest_level},
        {"memory_bytes", is.memory_bytes}}},
      {"indicators", indicators},
      {"study_totals", counts_json(total)},
      {"mobile",
       {{"layers", mobile_layers},
        {"groups", mobile_groups},
        {"digital_exclusion",
         {{"definition",
           "below the USO (known speed) and no " + study.digital_exclusion.mobile_technology + " " +
               study.digital_exclusion.mobile_setting + " coverage from any operator"},
          {"computed", exclusion_group != nullptr}}}}},
      {"columns",
       [&] {
         Json columns = Json::array();
         for (const outputs::Column& c : table.columns) columns.push_back(c.name);
         return columns;
       }()},
      {"quality", {{"passed", summary.quality_passed}, {"checks", quality_checks}}},
      {"warnings_total", log.warnings().size()},
      {"warnings", warnings},
  };
  if (changes) {
    manifest["changes"] = {{"previous", display_path(study, *previous_dir)},
                           {"previous_notspot_version", changes->previous.notspot_version},
                           {"comparable", changes->comparable},
                           {"not_comparable_reasons", changes->reasons},
                           {"notes", changes->notes},
                           {"columns_compared", changes->columns.size()},
                           {"areas_new", changes->count(outputs::AreaStatus::kNewArea)},
                           {"areas_removed", changes->count(outputs::AreaStatus::kRemovedArea)},
                           {"crossings", changes->crossing_count()}};
  }
  double manifest_seconds = clock.lap();
  outputs::write_html_report(
      out.file("report.html"),
      detail::report_input(study, study_crs, areas.areas, table, description, inputs, layer_ledger,
                           summary, premises.rows_read, log, changes));
  written.emplace_back("report.html");
  timings["write_report"] = clock.lap();
  Json outputs = Json::array();
  for (const std::string& name : written) {
    Json o{{"file", name}};
    o.update(digest_json(out.file(name)));
    outputs.push_back(o);
    summary.output_files.emplace_back(name);
  }
  manifest["outputs"] = outputs;
  timings["manifest"] = manifest_seconds + clock.lap();
  // The one part of the outputs that differs between identical runs.
  Json timing_json = Json::object();
  for (auto& [k, v] : timings.items()) timing_json[k] = std::round(v.get<double>() * 1000) / 1000;
  summary.seconds = whole_run.lap();
  manifest["run"] = {{"started_utc", started},
                     {"threads", options.threads},
                     {"seconds", std::round(summary.seconds * 1000) / 1000},
                     {"timings_seconds", timing_json}};
  {
    std::ofstream file(out.file("manifest.json"), std::ios::binary);
    file << manifest.dump(2) << '\n';
    if (!file.flush()) throw engine::input_error("cannot write manifest.json (disk full?)");
  }
  summary.output_files.emplace_back("manifest.json");

  out.publish();
  summary.warnings = log.warnings();
  return summary;
}

ValidationReport validate_study(const Study& study) {
  ValidationReport report;
  auto attempt = [&](auto&& check) {
    try {
      check();
    } catch (const engine::Error& e) {
      (e.kind() == engine::ErrorKind::kStudy ? report.study_problems : report.input_problems)
          .push_back(e.what());
    }
  };
  std::optional<io::Crs> study_crs;
  attempt([&] {
    study_crs =
        io::Crs::from_definition(study.crs, display_path(study, study.file) + ": [study] crs");
    report.notes.push_back("study CRS: " + study_crs->describe());
  });
  // A source's CRS is usable when PROJ can transform it to the study's.
  auto note = [&](const std::string& description, const io::Crs& crs) {
    if (study_crs) io::CoordinateTransform check(crs, *study_crs);
    report.notes.push_back(description + ", CRS " + crs.describe());
  };
  io::ProblemLog log;
  attempt([&] {
    const io::AreasInspection areas =
        io::inspect_areas(study.areas, display_path(study, study.areas.path), log);
    note("areas: " + areas.description, areas.crs);
  });
  attempt([&] {
    const io::PremisesInspection premises =
        io::inspect_premises(study.premises, display_path(study, study.premises.path));
    note("premises: " + premises.description, premises.crs);
  });
  for (const LayerSource& layer : study.layers) {
    attempt([&] {
      report.notes.push_back(io::inspect_fixed_broadband(layer, display_path(study, layer.path)));
    });
  }
  for (const io::Warning& w : log.warnings()) report.notes.push_back("warning: " + w.message);
  return report;
}

}  // namespace notspot::study
