#pragma once

#include <optional>
#include <string>

#include "notspot/cli/json_log.hpp"
#include "notspot/engine/error.hpp"

namespace notspot::cli {

/// notspot's exit codes (README.md).
enum ExitCode : int { kSuccess = 0, kFailure = 1, kUsage = 2, kQuality = 3 };

/// The exit code of a failure of this kind: 2 for usage and study-file errors, 1 otherwise.
int exit_code_for(engine::ErrorKind kind);

/// What `notspot run` was asked to do.
struct RunArguments {
  std::string study_file;
  std::optional<std::string> out;
  std::optional<std::string> previous;
  bool publish_failing = false;  ///< --publish-failing
  int threads = 1;
};

/// `notspot run`: runs the study in an arena of `threads` threads and prints its summary (or
/// logs it to `json`). @return kSuccess, or kQuality when a data-quality check failed, or
/// 128 + the signal (130, 143) when SIGINT or SIGTERM interrupted it (nothing published).
/// @throws engine::Error as study::run_study().
int run_command(const RunArguments& arguments, JsonLog* json);

/// `notspot validate`: checks the study without computing and prints what it found.
/// @return kSuccess, kFailure (an input problem) or kUsage (a study-file problem).
int validate_command(const std::string& study_file, JsonLog* json);

}  // namespace notspot::cli
