#include "notspot/cli/command_line.hpp"

#include <fmt/format.h>
#include <tbb/info.h>

#include <CLI/CLI.hpp>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>

#include "notspot/cli/commands.hpp"
#include "notspot/cli/json_log.hpp"
#include "notspot/engine/error.hpp"
#include "notspot/outputs/version.hpp"
#include "terminal_text.hpp"

namespace notspot::cli {
namespace {

// Whether the command line asks for JSON logs, looked at before parsing so that a command line
// CLI11 cannot parse is reported in the format asked for too.
bool asks_for_json_log(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--log-format=json") return true;
    if (arg == "--log-format" && i + 1 < argc && std::string_view(argv[i + 1]) == "json") {
      return true;
    }
  }
  return false;
}

// The options of both commands, filled by parsing.
struct Commands {
  CLI::App* run = nullptr;
  CLI::App* validate = nullptr;
  RunArguments run_arguments;
  std::string validate_file;
  std::string log_format = "text";  // read before parsing (asks_for_json_log)
};

void add_commands(CLI::App& app, Commands& c) {
  c.run_arguments.threads = static_cast<int>(tbb::info::default_concurrency());
  c.run = app.add_subcommand("run", "Run a study and publish its outputs atomically");
  c.run->add_option("study", c.run_arguments.study_file, "Study file (TOML)")->required();
  c.run->add_option("--out", c.run_arguments.out,
                    "Outputs folder (default: [outputs] dir of the study)");
  c.run->add_option("--previous", c.run_arguments.previous,
                    "An earlier run's outputs folder: report changes against it (default: "
                    "[outputs] previous of the study)");
  c.run->add_flag("--publish-failing", c.run_arguments.publish_failing,
                  "A run that fails a quality check replaces the outputs folder (default: it is "
                  "published beside it, in DIR.failed; [quality] publish_failing)");
  c.run->add_option("--threads", c.run_arguments.threads, "Threads to use (default: all cores)")
      ->check(CLI::Range(1, 1024));
  c.validate = app.add_subcommand(
      "validate", "Check a study's files, layers, columns and CRSs without computing");
  c.validate->add_option("study", c.validate_file, "Study file (TOML)")->required();
  // Declared so that --help lists it; asks_for_json_log() reads it before parsing.
  for (CLI::App* command : {c.run, c.validate}) {
    command
        ->add_option("--log-format", c.log_format,
                     "text (default): a summary for people; json: one JSON object per line on "
                     "stdout, for batch jobs (docs/logging.md)")
        ->check(CLI::IsMember({"text", "json"}));
  }
}

// Reports a failure in the format asked for; returns its exit code.
int report_failure(JsonLog* json, std::string_view kind, const std::string& message,
                   int exit_code) {
  std::cout.flush();
  if (json) {
    log_error(*json, kind, message, exit_code);
  } else {
    say(stderr, "notspot: {}: {}\n", kind == "internal" ? "internal error" : "error", message);
  }
  return exit_code;
}

}  // namespace

int run_command_line(int argc, char** argv) {
  CLI::App app{
      "notspot: digital connectivity coverage analysis.\n"
      "Assigns premises to areas (parishes) and computes broadband indicators per area.",
      "notspot"};
  app.set_version_flag("--version", std::string("notspot ") + outputs::kVersion);
  app.require_subcommand(1);
  app.footer(
      "Exit codes: 0 success; 1 failure; 2 usage or study-file error; 3 data-quality "
      "threshold exceeded (outputs written to DIR.failed, marked as failing); 130/143 "
      "interrupted by SIGINT/SIGTERM (nothing published).");
  Commands commands;
  add_commands(app, commands);

  std::optional<JsonLog> json_log;
  if (asks_for_json_log(argc, argv)) json_log.emplace(stdout);
  JsonLog* json = json_log ? &*json_log : nullptr;
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (json && e.get_exit_code() != 0) {
      return report_failure(json, "usage", std::string(e.what()) + "; see notspot --help", kUsage);
    }
    return app.exit(e) == 0 ? kSuccess : kUsage;
  }
  try {
    if (*commands.run) return run_command(commands.run_arguments, json);
    return validate_command(commands.validate_file, json);
  } catch (const engine::Error& e) {
    return report_failure(json, kind_name(e.kind()), e.what(), exit_code_for(e.kind()));
  } catch (const std::exception& e) {
    return report_failure(json, "internal", std::string(e.what()) + "; please report it", kFailure);
  }
}

}  // namespace notspot::cli
