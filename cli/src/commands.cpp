#include "notspot/cli/commands.hpp"

#include <fmt/format.h>
#include <tbb/global_control.h>
#include <tbb/task_arena.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <filesystem>

#include "notspot/engine/cancellation.hpp"

#include "notspot/cli/signal_cancellation.hpp"
#include "notspot/cli/summary.hpp"
#include "notspot/cli/terminal_progress.hpp"
#include "notspot/study/run.hpp"
#include "notspot/study/study.hpp"
#include "notspot/study/validate.hpp"
#include "terminal_text.hpp"

namespace notspot::cli {

int exit_code_for(engine::ErrorKind kind) {
  switch (kind) {
    case engine::ErrorKind::kUsage:
    case engine::ErrorKind::kStudy:
      return kUsage;
    case engine::ErrorKind::kInput:
    case engine::ErrorKind::kOutput:
    case engine::ErrorKind::kInternal:
      return kFailure;
  }
  return kFailure;
}

namespace {

// A study file named on the command line that does not exist is a usage error (exit 2); one
// that exists but cannot be read is an input error (exit 1).
study::Study load_study_argument(const std::string& study_file) {
  std::error_code ec;
  if (!std::filesystem::exists(study_file, ec)) {
    throw engine::usage_error("study file '" + study_file +
                              "' does not exist; give the path of a study .toml file");
  }
  return study::load_study(study_file);
}

}  // namespace

int run_command(const RunArguments& arguments, JsonLog* json) {
  // Before any thread starts, so that all of them leave SIGINT and SIGTERM to its thread.
  const SignalCancellation signals;
  const study::Study study = load_study_argument(arguments.study_file);
  const int threads = arguments.threads;
  // A progress line only on a terminal, and never inside a JSON log.
  const bool terminal = ::isatty(STDERR_FILENO) == 1;
  std::optional<TerminalProgress> terminal_progress;
  std::optional<JsonProgress> json_progress;
  if (json) {
    json_progress.emplace(*json);
  } else if (terminal) {
    terminal_progress.emplace(stderr);
  }

  study::RunOptions options;
  if (arguments.out) options.output_dir = std::filesystem::path(*arguments.out);
  if (arguments.previous) options.previous_dir = std::filesystem::path(*arguments.previous);
  if (arguments.publish_failing) options.publish_failing = true;
  options.threads = threads;
  options.progress = json_progress       ? static_cast<io::Progress*>(&*json_progress)
                     : terminal_progress ? static_cast<io::Progress*>(&*terminal_progress)
                                         : nullptr;
  if (json) log_run_started(*json, study, options);
  // All parallel work runs in an arena of exactly `threads` threads.
  tbb::global_control limit(tbb::global_control::max_allowed_parallelism,
                            static_cast<std::size_t>(threads));
  tbb::task_arena arena(threads);
  outputs::RunRecord record;
  try {
    arena.execute([&] { record = study::run_study(study, options); });
  } catch (const engine::Cancelled& c) {
    // The run has unwound: its staging folder is gone and the lock released.
    if (terminal_progress) terminal_progress->finish();
    const std::string message = fmt::format(
        "interrupted: nothing was published; the previous outputs in {} are unchanged",
        options.output_dir.value_or(study.output_dir).string());
    const int code = 128 + (c.signal() > 0 ? c.signal() : SIGTERM);
    if (json) {
      log_interrupted(*json, message, c.signal(), code);
    } else {
      std::fflush(stdout);
      fmt::print(stderr, "{}\n", message);
    }
    return code;
  }
  if (terminal_progress) terminal_progress->finish();
  const int exit_code = record.quality_passed() ? kSuccess : kQuality;
  if (json) {
    log_run_finished(*json, study, record, exit_code);
  } else {
    print_summary(study, record);
  }
  return exit_code;
}

int validate_command(const std::string& study_file, JsonLog* json) {
  const study::Study study = load_study_argument(study_file);
  const study::ValidationReport report = study::validate_study(study);
  const int exit_code = report.ok() ? kSuccess : report.study_problems.empty() ? kFailure : kUsage;
  if (json) {
    log_validation(*json, study_file, report, exit_code);
    return exit_code;
  }
  for (const std::string& note : report.notes) say(stdout, "ok: {}\n", note);
  for (const std::string& p : report.study_problems) say(stderr, "problem: {}\n", p);
  for (const std::string& p : report.input_problems) say(stderr, "problem: {}\n", p);
  if (report.ok()) {
    say(stdout, "{} is ready to run.\n", study_file);
  } else {
    say(stderr, "{}: {} problem(s) found.\n", study_file,
        report.study_problems.size() + report.input_problems.size());
  }
  return exit_code;
}

}  // namespace notspot::cli
