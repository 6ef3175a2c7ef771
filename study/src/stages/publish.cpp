// The publish stage: every output written into the staging folder, the manifest last, then
// swapped into place in one step.

#include "background_digests.hpp"
#include "notspot/engine/cancellation.hpp"
#include "notspot/outputs/csv_writers.hpp"
#include "notspot/outputs/data_dates.hpp"
#include "notspot/outputs/geopackage_writer.hpp"
#include "notspot/outputs/html_report.hpp"
#include "notspot/outputs/manifest.hpp"
#include "notspot/outputs/premises_table.hpp"
#include "notspot/outputs/quality_status.hpp"
#include "notspot/outputs/version.hpp"
#include "notspot/outputs/xlsx_writer.hpp"
#include "stages.hpp"

namespace notspot::study {
namespace {

void record_study(Run& run) {
  outputs::StudyRecord& s = run.record.study;
  s.name = run.study.name;
  s.place = run.study.place;
  s.file = run.study.file.filename().string();
  s.crs = run.crs.describe();
  s.crs_geographic = run.crs.is_geographic();
  s.boundary_vintage = run.study.boundary_vintage;
  s.as_at = run.study.as_at;
  s.attribution = run.study.attribution;
  run.record.notspot_version = outputs::kVersion;
  run.record.thresholds = run.study.thresholds;
  run.record.quality_limits = run.study.quality;
}

void record_input_digests(Run& run, const DigestCache& digests) {
  run.record.study.sha256 = digests.at(run.study.file).sha256;
  for (std::size_t i = 0; i < run.record.inputs.size(); ++i) {
    const auto found = digests.find(run.input_paths[i]);
    if (found != digests.end()) {
      run.record.inputs[i].digest = found->second;
    } else {
      run.record.inputs[i].source = run.record.inputs[i].file;  // not a file (redacted)
    }
  }
}

// The comparison with the previous run, when there is one; its warnings join the log.
void compare_with_previous_run(Run& run, const DigestCache& digests) {
  if (!run.previous) return;
  outputs::RunIdentity identity;
  identity.study_name = run.study.name;
  identity.crs = run.crs.describe();
  identity.boundary_vintage = run.study.boundary_vintage;
  identity.as_at = run.study.as_at;
  identity.thresholds = run.study.thresholds;
  if (const auto found = digests.find(run.study.areas.path); found != digests.end()) {
    identity.areas_sha256 = found->second.sha256;
  }
  // What the indicators were measured from, as the manifest records it (read_run_identity()).
  identity.layer_kinds.emplace();
  for (const outputs::InputRecord& i : run.record.inputs) {
    if (i.role == "layer") identity.layer_kinds->push_back(i.kind);
  }
  identity.mobile_groups.emplace();
  for (const outputs::MobileGroupRecord& g : run.record.mobile_groups) {
    identity.mobile_groups->push_back({g.technology, g.setting, g.operators});
  }
  identity.exclusion_group =
      std::pair(run.record.digital_exclusion.technology, run.record.digital_exclusion.setting);
  run.record.changes = outputs::compare_runs(*run.previous, run.record.table, identity, run.log);
  run.record.previous_run = run.display(*run.previous_dir);
  outputs::write_changes_csv(run.out.file("parish_changes.csv"), *run.record.changes);
  run.record.outputs.push_back({"parish_changes.csv", {}});
}

// The GeoPackage's metadata items: the data dates (NOTSPOT_DATA_DATES).
outputs::GeoPackageMetadata geopackage_metadata(const outputs::RunRecord& r) {
  outputs::GeoPackageMetadata metadata;
  metadata.items.emplace_back("NOTSPOT_QUALITY", outputs::quality_status(r.quality).line);
  metadata.items.emplace_back("NOTSPOT_DATA_DATES", outputs::data_dates_text(r));
  return metadata;
}

// What the premises table reads: views of the run's per-premise columns.
outputs::PremisesResults premises_results(const Run& run) {
  outputs::PremisesResults r;
  r.premises = &run.premises.table;
  r.area_of = run.area_of;
  r.broadband = run.broadband;
  r.areas = run.areas.areas;
  r.thresholds = run.study.thresholds;
  for (const outputs::FixedLayerLedger& l : run.record.fixed_layers)
    r.fixed_layers.push_back(l.name);
  for (const MobileGroupResult& g : run.mobile.groups) {
    std::vector<const engine::BitVector*> operators;
    for (const engine::BitVector& b : g.operator_covered) operators.push_back(&b);
    r.mobile.push_back(std::move(operators));
  }
  if (run.exclusion_group != nullptr) r.exclusion_any = &run.exclusion_group->any_covered;
  return r;
}

// Written while the inputs are still being hashed (nationally, gigabytes).
void write_tables(Run& run) {
  const outputs::OutputDirectory& out = run.out;
  const outputs::RunRecord& r = run.record;
  outputs::write_stats_csv(out.file("parish_stats.csv"), r.table);
  for (std::string& w : outputs::write_parish_workbook(out.file("parish_stats.xlsx"), r)) {
    run.log.warn("workbook", std::move(w));
  }
  // [outputs] premises: one row per premise read, as CSV and as a layer of the GeoPackage.
  std::optional<outputs::ColumnCatalogue> premises_columns;
  std::optional<outputs::PremisesResults> premises;
  std::optional<outputs::GeoPackagePremises> premises_layer;
  if (run.study.premises_table) {
    outputs::CatalogueOptions options = detail::catalogue_options(run.figures);
    options.crs_geographic = run.crs.is_geographic();
    premises_columns = outputs::ColumnCatalogue::premises_table(options);
    premises = premises_results(run);
    run.progress.stage("Writing premises.csv");
    outputs::write_premises_csv(out.file("premises.csv"), *premises_columns, *premises);
    premises_layer = outputs::GeoPackagePremises{&*premises_columns, &*premises};
    run.progress.stage("Writing the premises layer");
  }
  outputs::write_parish_geopackage(out.file("parish_stats.gpkg"), run.areas.areas, r.table, run.crs,
                                   run.premises.table, run.area_of, geopackage_metadata(r),
                                   premises_layer ? &*premises_layer : nullptr);
  outputs::write_rejected_csv(out.file("rejected.csv"), run.log.rejected());
  for (const char* name :
       {"parish_stats.csv", "parish_stats.xlsx", "parish_stats.gpkg", "rejected.csv"}) {
    run.record.outputs.push_back({name, {}});
  }
  if (premises) run.record.outputs.push_back({"premises.csv", {}});
}

void record_output_digests(Run& run) {
  for (outputs::OutputRecord& o : run.record.outputs) {
    o.digest = io::digest_file(run.out.file(o.file));
  }
}

}  // namespace

void publish(Run& run) {
  run.progress.stage("Writing outputs");
  record_study(run);
  write_tables(run);
  const DigestCache& digests = run.digests->get();
  record_input_digests(run, digests);
  compare_with_previous_run(run, digests);
  run.record.warnings = run.log.warnings();
  run.time_stage("write_outputs");
  outputs::write_html_report(
      run.out.file("report.html"), run.record, run.areas.areas, run.places,
      run.study.report_places ? run.study.report_places->max_labels : std::size_t{12});
  run.record.outputs.push_back({"report.html", {}});
  run.time_stage("write_report");
  record_output_digests(run);
  run.time_stage("manifest");
  run.record.timing.seconds = run.whole_run.lap();
  // A failing run is published beside the previous outputs, unless the study asks otherwise.
  const bool beside = !run.record.quality_passed() &&
                      !run.options.publish_failing.value_or(run.study.publish_failing);
  if (beside) {
    run.record.output_dir = run.out.failed_dir();
    run.record.published_beside = true;
  }
  outputs::write_manifest(run.out.file("manifest.json"), run.record);
  engine::throw_if_cancelled();  // the last moment at which nothing has been published
  if (beside) {
    run.out.publish_failed();
  } else {
    run.out.publish();
  }
}

}  // namespace notspot::study
