#pragma once

#include <chrono>
#include <cstdio>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "notspot/engine/error.hpp"
#include "notspot/io/progress.hpp"
#include "notspot/study/run.hpp"
#include "notspot/study/study.hpp"
#include "notspot/study/validate.hpp"

namespace notspot::cli {

/**
 * Machine-readable logs (`--log-format json`) for batch jobs: one JSON object per line (JSON
 * Lines), each with "time" (UTC, ISO 8601, milliseconds), "level" ("info", "warning" or
 * "error") and "event", then the event's fields. Lines are written whole and flushed, so a
 * log collector never sees half an event. Thread-safe: steps are announced from several
 * threads.
 *
 * The events, in order: run_started, stage (one per step), warning (one per warning),
 * quality_check (one per gate), run_finished; or error, whenever the run stops. `validate`
 * writes validation. docs/logging.md describes each field.
 */
class JsonLog {
 public:
  explicit JsonLog(std::FILE* out) : out_(out) {}

  void write(std::string_view level, std::string_view event,
             const nlohmann::ordered_json& fields = nlohmann::ordered_json::object());

 private:
  std::FILE* out_;
  std::mutex mutex_;
};

/// Steps as "stage" events with the seconds since the run started; no percentages, which
/// belong on a terminal, not in a log.
class JsonProgress : public io::Progress {
 public:
  explicit JsonProgress(JsonLog& log) : log_(log) {}
  void stage(std::string_view name) override;

 private:
  JsonLog& log_;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

void log_run_started(JsonLog& log, const notspot::study::Study& study,
                     const notspot::study::RunOptions& options);

/// The warnings, the quality gates and the run_finished event with the summary's figures.
void log_run_finished(JsonLog& log, const notspot::study::Study& study,
                      const notspot::outputs::RunRecord& record, int exit_code);

void log_validation(JsonLog& log, const std::string& study_file,
                    const notspot::study::ValidationReport& report, int exit_code);

/// An error that stops the command; a multi-line message (several study-file problems) is
/// also given as a list of problems.
void log_error(JsonLog& log, std::string_view kind, const std::string& message, int exit_code);

/// The one event of a run interrupted by SIGINT/SIGTERM (event "interrupted"), as an error.
void log_interrupted(JsonLog& log, const std::string& message, int signal, int exit_code);

/// The name of an error kind in logs: "usage", "study", "input", "output" or "internal".
std::string_view kind_name(engine::ErrorKind kind);

}  // namespace notspot::cli
