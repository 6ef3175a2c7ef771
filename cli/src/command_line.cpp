#include "notspot/cli/command_line.hpp"

#include <fmt/format.h>
#include <tbb/info.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cctype>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "notspot/cli/commands.hpp"
#include "notspot/cli/json_log.hpp"
#include "notspot/cli/show.hpp"
#include "notspot/engine/error.hpp"
#include "notspot/io/suggest.hpp"
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
  CLI::App* show = nullptr;
  CLI::App* help = nullptr;
  RunArguments run_arguments;
  ShowArguments show_arguments;
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
  c.show = app.add_subcommand(
      "show", "Print a published run's areas most in need, or one area's profile (--area)");
  c.show->add_option("outdir", c.show_arguments.dir, "Outputs folder written by notspot run")
      ->required();
  c.show
      ->add_option("--top", c.show_arguments.top,
                   "How many areas most in need of gigabit-capable broadband (default: 10)")
      ->check(CLI::Range(1, 1000000));
  c.show->add_option("--area", c.show_arguments.area,
                     "Show this area's profile (its code, as in area_id) instead");
  // Never parsed: `notspot help [COMMAND]` is rewritten to `notspot [COMMAND] --help` first.
  c.help = app.add_subcommand("help", "Print this help, or a command's: notspot help [COMMAND]");
  // Declared so that --help lists it; asks_for_json_log() reads it before parsing.
  for (CLI::App* command : {c.run, c.validate}) {
    command
        ->add_option("--log-format", c.log_format,
                     "text (default): a summary for people; json: one JSON object per line on "
                     "stdout, for batch jobs (docs/logging.md)")
        ->check(CLI::IsMember({"text", "json"}));
  }
}

// The subcommands, for "did you mean".
std::vector<std::string> command_names(const CLI::App& app) {
  std::vector<std::string> names;
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
    names.push_back(sub->get_name());
  }
  return names;
}

std::string command_list(const std::vector<std::string>& names) {
  std::string list;
  for (const std::string& n : names) list += (list.empty() ? "" : ", ") + n;
  return list;
}

/**
 * What CLI11 would misreport, checked before it parses: a first word that is not a command
 * (CLI11 says "A subcommand is required") and an option the command does not have (CLI11 blames
 * a positional argument when the unknown option takes a value). @return the message, or
 * nothing when the command line is for CLI11 to parse.
 */
std::optional<std::string> misuse(const CLI::App& app, const std::vector<std::string>& args) {
  if (args.empty() || args[0].starts_with("-")) return std::nullopt;
  const std::vector<std::string> names = command_names(app);
  const CLI::App* command = nullptr;
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
    if (sub->get_name() == args[0]) command = sub;
  }
  if (command == nullptr) {
    std::string message = "unknown command '" + args[0] + "'";
    if (const auto near = io::nearest_word(args[0], names))
      message += "; did you mean '" + *near + "'?";
    return message + " The commands are " + command_list(names) + "; see notspot --help";
  }
  std::vector<std::string> options;
  for (const CLI::Option* o : command->get_options()) {
    for (const std::string& l : o->get_lnames()) options.push_back("--" + l);
    for (const std::string& s : o->get_snames()) options.push_back("-" + s);
  }
  for (std::size_t i = 1; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--") break;
    if (!arg.starts_with("-") || arg == "-") continue;
    if (arg.size() > 1 && (std::isdigit(static_cast<unsigned char>(arg[1])) || arg[1] == '.')) {
      continue;  // a negative number: a value, which CLI11 checks
    }
    const std::string name = arg.substr(0, arg.find('='));
    if (std::find(options.begin(), options.end(), name) != options.end()) continue;
    std::string message = "unknown option '" + name + "' for notspot " + args[0];
    std::vector<std::string> long_options;
    for (const std::string& o : options) {
      if (o.starts_with("--")) long_options.push_back(o);
    }
    if (const auto near = io::nearest_word(name, long_options)) {
      message += "; did you mean '" + *near + "'?";
    }
    return message + " See notspot help " + args[0];
  }
  return std::nullopt;
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
  // `notspot help [COMMAND]` prints what `notspot [COMMAND] --help` does.
  std::vector<std::string> args(argv + 1, argv + argc);
  if (!args.empty() && args[0] == "help") {
    args.erase(args.begin());
    if (args.size() > 1) args.resize(1);
    if (!args.empty() && args[0] == "help") args.clear();
    args.emplace_back("--help");
  }
  if (const std::optional<std::string> message = misuse(app, args)) {
    return report_failure(json, "usage", terminal_text(*message, Newlines::kEscape), kUsage);
  }
  try {
    // CLI11 wants the arguments last first.
    std::vector<std::string> reversed(args.rbegin(), args.rend());
    app.parse(reversed);
  } catch (const CLI::ParseError& e) {
    if (json && e.get_exit_code() != 0) {
      return report_failure(json, "usage", std::string(e.what()) + "; see notspot --help", kUsage);
    }
    return app.exit(e) == 0 ? kSuccess : kUsage;
  }
  try {
    if (*commands.run) return run_command(commands.run_arguments, json);
    if (*commands.show) return show_command(commands.show_arguments);
    return validate_command(commands.validate_file, json);
  } catch (const engine::Error& e) {
    return report_failure(json, kind_name(e.kind()), e.what(), exit_code_for(e.kind()));
  } catch (const std::exception& e) {
    return report_failure(json, "internal", std::string(e.what()) + "; please report it", kFailure);
  }
}

}  // namespace notspot::cli
