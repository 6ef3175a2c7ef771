#include "notspot/study/run.hpp"

#include <ctime>

#include "background_digests.hpp"
#include "detail/outputs_folder_check.hpp"
#include "notspot/engine/cancellation.hpp"
#include "notspot/engine/error.hpp"
#include "notspot/io/zip_archive.hpp"
#include "notspot/outputs/version.hpp"
#include "stages.hpp"

namespace notspot::study {
namespace fs = std::filesystem;

namespace {

class NullProgress : public io::Progress {};

io::Progress& progress_of(const RunOptions& options) {
  static NullProgress none;  // stateless: shared by every run
  return options.progress ? *options.progress : none;
}

std::string utc_now() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buffer;
}

// --out is checked against the inputs as [outputs] dir is when the study is loaded.
fs::path checked_outputs_dir(const Study& s, const RunOptions& o) {
  if (!o.output_dir) return s.output_dir;
  if (auto conflict = detail::outputs_folder_conflict(s, *o.output_dir)) {
    throw engine::study_error("--out " + o.output_dir->string() + ": " + *conflict);
  }
  return *o.output_dir;
}

}  // namespace

double Stopwatch::lap() {
  const auto now = std::chrono::steady_clock::now();
  const double s = std::chrono::duration<double>(now - last_).count();
  last_ = now;
  return s;
}

// The outputs are locked first, so that a second run on the same folder fails before doing any
// work. The previous run is read at once, so that a wrong folder fails before any work too, and
// before publishing: it may be the outputs folder itself.
Run::Run(const Study& s, const RunOptions& o)
    : study(s),
      options(o),
      progress(progress_of(o)),
      out(checked_outputs_dir(s, o), !o.publish_failing.value_or(s.publish_failing)),
      previous_dir(o.previous_dir ? o.previous_dir : s.previous_dir),
      previous(previous_dir ? std::optional(outputs::read_previous_run(*previous_dir))
                            : std::nullopt),
      crs(io::Crs::from_definition(s.crs, display_path(s, s.file) + ": [study] crs")) {
  record.timing.started_utc = utc_now();
  record.timing.threads = o.threads;
  record.output_dir = out.final_dir();
}

Run::~Run() = default;

std::string Run::display(const fs::path& path) const {
  return display_path(study, path);
}

void Run::time_stage(const std::string& stage) {
  record.timing.stages.emplace_back(stage, clock.lap());
}

std::string display_path(const Study& study, const fs::path& path) {
  // A connection string may hold a password: never printed or recorded.
  if (io::is_non_file_source(path.string())) return io::redact_source(path.string());
  const fs::path base = study.file.parent_path();
  const fs::path relative = path.lexically_relative(base);
  if (!relative.empty() && *relative.begin() != "..") return relative.generic_string();
  return path.generic_string();
}

outputs::RunRecord run_study(const Study& study, const RunOptions& options) {
  engine::throw_if_cancelled();
  Run run(study, options);
  // Each stage may take minutes nationally: an interrupted run stops at the next boundary
  // (or inside the long loops), before anything is published.
  for (void (*stage)(Run&) :
       {read_areas_and_premises, assign_premises, read_places, join_layers, estimate_from_postcodes,
        measure_mobile_coverage, count_indicators, check_quality, publish}) {
    engine::throw_if_cancelled();
    stage(run);
  }
  return std::move(run.record);
}

}  // namespace notspot::study
