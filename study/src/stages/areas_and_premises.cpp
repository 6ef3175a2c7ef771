// The areas stage and the premises stage: reading both inputs, indexing the areas, assigning
// each premise to its area.

#include <fmt/format.h>
#include <tbb/task_group.h>

#include <algorithm>
#include <exception>

#include "background_digests.hpp"
#include "detail/outside_diagnosis.hpp"
#include "notspot/engine/error.hpp"
#include "notspot/engine/geos_context.hpp"
#include "notspot/engine/polygon_ops.hpp"
#include "notspot/io/zip_archive.hpp"
#include "stages.hpp"

namespace notspot::study {
namespace {

// Overlapping pairs warned about one by one; beyond that, one summary line (issue 12: a file
// of 1,000 stacked copies of a boundary must not print a warning per pair).
constexpr std::size_t kMaxOverlapWarnings = 20;

// Overlapping areas found by the index, with the overlap's area; the first
// kMaxListedOverlaps pairs are listed in the manifest, the first kMaxOverlapWarnings warned
// about, and the rest summarised in one warning.
void report_overlaps(Run& run) {
  const std::span<const engine::AreaOverlap> overlaps = run.index->overlaps();
  const engine::AreaIndex::Stats& stats = run.index->stats();
  const std::vector<io::Area>& areas = run.areas.areas;
  outputs::AreasRecord& record = run.record.areas;
  record.overlapping_pairs = overlaps.size();
  // Many pairs: one summary first (the CLI prints the first warnings), then the first few.
  const bool summarise = overlaps.size() > kMaxOverlapWarnings || !stats.overlaps_complete;
  if (summarise) {
    run.log.warn(
        "areas",
        fmt::format("{}{} overlapping pairs of areas in all; up to {} areas overlap at one "
                    "point{}. Premises in an overlap are assigned to the area with the lowest "
                    "id. The first {} pairs are listed under areas.overlaps in manifest.json "
                    "and the first {} below. Check the areas file for duplicated or stacked "
                    "boundaries",
                    stats.overlaps_complete ? "" : "at least ", overlaps.size(),
                    stats.largest_overlap,
                    stats.overlaps_complete ? ""
                                            : " (too many to find every pair: in a stack of "
                                              "areas, the pairs of its lowest area are listed)",
                    std::min(overlaps.size(), outputs::kMaxListedOverlaps),
                    std::min(overlaps.size(), kMaxOverlapWarnings)));
  }
  engine::GeosContext geos;
  for (const engine::AreaOverlap& o : overlaps) {
    if (record.overlaps.size() == outputs::kMaxListedOverlaps) break;
    const io::Area& a = areas[o.first];
    const io::Area& b = areas[o.second];
    const double overlap_area = engine::overlap_area(geos, a.geometry, b.geometry);
    if (record.overlaps.size() < kMaxOverlapWarnings) {
      run.log.warn("areas", fmt::format("areas '{}' and '{}' overlap ({:.1f} square units, near "
                                        "{:.1f}, {:.1f}); premises in the overlap are assigned "
                                        "to '{}' (the lower id)",
                                        a.id, b.id, overlap_area, o.near.x, o.near.y, a.id));
    }
    record.overlaps.push_back({a.id, b.id, overlap_area, o.near});
  }
}

void read_and_index_areas(Run& run) {
  run.areas = io::read_areas(run.study.areas, run.crs, run.display(run.study.areas.path), run.log);
  run.time_stage("read_areas");
  std::vector<engine::MultiPolygon> geometries;
  geometries.reserve(run.areas.areas.size());
  for (const io::Area& a : run.areas.areas) geometries.push_back(a.geometry);
  // Released after assignment: nationally the index is 400 MB that later stages can use.
  run.index = std::make_unique<const engine::AreaIndex>(geometries);
  geometries.clear();
  report_overlaps(run);
  run.time_stage("index_areas");
}

void record_areas_input(Run& run) {
  const io::AreasLoad& a = run.areas;
  outputs::InputRecord input;
  input.role = "areas";
  input.file = run.display(run.study.areas.path);
  input.layer = a.layer;
  if (run.study.areas.member) {
    // The member GDAL read (the pattern resolved again: the directory is small).
    std::string member = *run.study.areas.member;
    io::gdal_input_name(run.study.areas.path, run.study.areas.member, input.file, &member);
    input.members.push_back({member, 0, 0});
  }
  input.features = a.features_read;
  input.filter = a.filter;
  input.crs = a.source_crs;
  input.as_at = run.study.areas.as_at;
  std::optional<engine::Point> near;
  if (!a.areas.empty()) {
    const engine::Box b = engine::bounding_box(a.areas.front().geometry);
    near = engine::Point{(b.xmin + b.xmax) / 2, (b.ymin + b.ymax) / 2};
  }
  record_transformation(run, input, a.crs, near, input.file);
  run.record.inputs.push_back(std::move(input));
  run.input_paths.push_back(run.study.areas.path);
  outputs::AreasRecord& record = run.record.areas;
  record.count = a.areas.size();
  record.features_read = a.features_read;
  record.repaired = a.repaired;
  record.without_polygon = a.without_polygon;
  record.merged = a.merged;
}

void record_premises_input(Run& run) {
  const io::PremisesLoad& p = run.premises;
  outputs::InputRecord input;
  input.role = "premises";
  input.file = run.display(run.study.premises.path);
  input.rows = p.rows_read;
  input.members = p.members;
  input.filter = p.filter;
  input.columns = outputs::InputRecord::Columns{p.id_column, p.x_column, p.y_column};
  input.crs = p.source_crs;
  input.area_of_use = p.area_of_use;
  input.as_at = run.study.premises.as_at;
  // A premise from the middle of the file stands for the rest.
  std::optional<engine::Point> near;
  const engine::PremisesTable& table = p.table;
  if (table.size() > 0) near = engine::Point{table.x[table.size() / 2], table.y[table.size() / 2]};
  if (p.crs) {
    record_transformation(run, input, *p.crs, near, input.file);
  } else {
    input.transformation = p.transformation;
  }
  run.record.inputs.push_back(std::move(input));
  run.input_paths.push_back(run.study.premises.path);
}

// Hashing starts once the premises are read: see BackgroundDigests.
void start_hashing_inputs(Run& run) {
  std::vector<std::filesystem::path> paths = {run.study.file, run.study.areas.path,
                                              run.study.premises.path};
  for (const io::LayerSource& l : run.study.layers) paths.push_back(l.path);
  if (run.study.report_places) paths.push_back(run.study.report_places->path);
  run.digests = std::make_unique<BackgroundDigests>(std::move(paths));
}

void warn_about_duplicate_ids(Run& run) {
  const engine::PremisesKeyIndex& keys = *run.keys;
  run.record.premises.duplicate_ids = keys.duplicate_ids();
  if (keys.duplicate_ids() == 0) return;
  std::string examples;
  for (std::uint64_t id : keys.duplicate_examples(5))
    examples += (examples.empty() ? "" : ", ") + std::to_string(id);
  run.log.warn("premises", fmt::format("{}: {} ids appear more than once ({} extra rows, e.g. {}); "
                                       "each row is counted as a premise",
                                       run.display(run.study.premises.path), keys.duplicate_ids(),
                                       keys.duplicate_premises(), examples));
}

}  // namespace

// Areas (read, repaired, indexed) and premises (parsed) do not depend on each other, so they are
// read at the same time: much of the areas' side is serial (GDAL reads features one by one, the
// index's edges are collected and appended in order) and the premises' parallel parsing fills
// the other cores. Each side keeps its own warnings, appended areas first, and a failure on the
// areas' side is reported first: the same messages in the same order as reading one after the
// other. Only the premises report progress.
void read_areas_and_premises(Run& run) {
  io::ProblemLog premises_log;
  std::exception_ptr premises_error;
  double premises_seconds = 0;
  tbb::task_group reading_premises;
  reading_premises.run([&] {
    try {
      Stopwatch premises_clock;
      run.premises =
          io::read_premises(run.study.premises, run.crs, run.display(run.study.premises.path),
                            premises_log, run.progress);
      premises_seconds = premises_clock.lap();
    } catch (...) {
      premises_error = std::current_exception();
    }
  });
  try {
    read_and_index_areas(run);
  } catch (...) {
    reading_premises.wait();
    throw;
  }
  reading_premises.wait();
  if (premises_error) std::rethrow_exception(premises_error);
  run.log.append(std::move(premises_log));
  run.record.timing.stages.emplace_back("read_premises", premises_seconds);
  run.clock.lap();
  record_areas_input(run);
  record_premises_input(run);
  start_hashing_inputs(run);
}

void assign_premises(Run& run) {
  run.progress.stage("Assigning premises to areas");
  const engine::PremisesTable& table = run.premises.table;
  run.area_of.resize(table.size());
  const std::size_t in_several = run.index->locate_all(table.x, table.y, run.area_of);
  run.record.areas.index = run.index->stats();
  run.index.reset();
  const auto outside = static_cast<std::uint64_t>(
      std::count(run.area_of.begin(), run.area_of.end(), engine::AreaIndex::kOutside));
  if (in_several > 0) {
    run.log.warn("premises", fmt::format("{} premises lie in more than one (overlapping) area; "
                                         "each was assigned to the area with the lowest id",
                                         in_several));
  }
  engine::Box extent;
  for (const io::Area& a : run.areas.areas) extent.expand(engine::bounding_box(a.geometry));
  run.outside_explanation = detail::explain_premises_outside(
      run.premises, run.crs, run.area_of, extent, run.display(run.study.premises.path));
  if (run.outside_explanation) run.log.warn("premises", *run.outside_explanation);
  run.time_stage("assign_premises");

  outputs::PremisesLedger& ledger = run.record.premises;
  ledger.read = run.premises.rows_read;
  ledger.rejected = run.premises.rejected;
  ledger.outside = outside;
  ledger.assigned = table.size() - outside;
  ledger.blank_lines = run.premises.blank_lines;
  ledger.in_overlapping_areas = in_several;
  if (!ledger.balanced()) {
    throw engine::internal_error("the premises ledger does not balance; please report this");
  }
  run.keys = std::make_unique<const engine::PremisesKeyIndex>(table.id);
  warn_about_duplicate_ids(run);
}

}  // namespace notspot::study
