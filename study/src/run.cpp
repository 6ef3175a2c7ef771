#include "notspot/study/run.hpp"

#include <ctime>

#include "background_digests.hpp"
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
      out(o.output_dir.value_or(s.output_dir)),
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
  const fs::path base = study.file.parent_path();
  const fs::path relative = path.lexically_relative(base);
  if (!relative.empty() && *relative.begin() != "..") return relative.generic_string();
  return path.generic_string();
}

outputs::RunRecord run_study(const Study& study, const RunOptions& options) {
  Run run(study, options);
  read_areas_and_premises(run);
  assign_premises(run);
  join_layers(run);
  estimate_from_postcodes(run);
  measure_mobile_coverage(run);
  count_indicators(run);
  check_quality(run);
  publish(run);
  return std::move(run.record);
}

}  // namespace notspot::study
