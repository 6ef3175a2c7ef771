// notspot: the command line. It parses arguments, calls the io library, prints a summary, and
// maps failures to exit codes (documented in README.md):
//   0 success, 1 failure, 2 usage or study-file error, 3 data-quality threshold exceeded.

#include <fmt/format.h>
#include <tbb/global_control.h>
#include <tbb/info.h>
#include <tbb/task_arena.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <iostream>
#include <optional>

#include "json_log.hpp"
#include "notspot/engine/error.hpp"
#include "notspot/outputs/stats_table.hpp"
#include "notspot/outputs/version.hpp"
#include "notspot/study/run.hpp"
#include "notspot/study/study.hpp"
#include "notspot/study/validate.hpp"
#include "terminal_progress.hpp"

namespace {

using notspot::engine::Error;
using notspot::engine::ErrorKind;
namespace io = notspot::io;

enum ExitCode : int { kSuccess = 0, kFailure = 1, kUsage = 2, kQuality = 3 };

int exit_code_for(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kUsage:
    case ErrorKind::kStudy:
      return kUsage;
    case ErrorKind::kInput:
    case ErrorKind::kOutput:
    case ErrorKind::kInternal:
      return kFailure;
  }
  return kFailure;
}

std::string thousands(std::uint64_t n) {
  const std::string digits = std::to_string(n);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

// One line of the summary table: a headline measure of the study row, as parish_stats.csv
// writes it ("-" where a share is undefined, empty where the measure has no count).
struct SummaryRow {
  std::string label;
  std::string premises;
  std::string share;
};

std::vector<SummaryRow> summary_rows(const notspot::outputs::RunRecord& r) {
  namespace outputs = notspot::outputs;
  std::vector<SummaryRow> rows;
  const outputs::ColumnCatalogue& columns = r.table.columns;
  const std::vector<outputs::Cell>& study_row = r.table.rows.back();
  for (const outputs::Measure& m : columns.measures()) {
    if (!m.summary) continue;
    SummaryRow row{m.label, "", ""};
    if (m.value) {
      const auto* n = std::get_if<std::uint64_t>(&study_row[*m.value]);
      row.premises =
          n ? thousands(*n) : outputs::format_cell(study_row[*m.value], columns[*m.value]);
    }
    if (m.share) {
      const std::string pct = outputs::format_cell(study_row[*m.share], columns[*m.share]);
      row.share = pct.empty() ? "-" : pct + "%";
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

void print_summary(const notspot::study::Study& study, const notspot::outputs::RunRecord& r) {
  const auto& t = r.study_total;
  const notspot::outputs::PremisesLedger& p = r.premises;
  const std::size_t areas = r.areas.count;
  fmt::print("notspot {}: {}\n\n", notspot::outputs::kVersion, study.name);
  fmt::print("Premises read {}: assigned {} to {} areas, outside every area {}, rejected {}\n\n",
             thousands(p.read), thousands(p.assigned), areas, thousands(p.outside),
             thousands(p.rejected));
  fmt::print("Study total: {} premises in {} areas\n", thousands(t.premises), areas);
  const std::vector<SummaryRow> rows = summary_rows(r);
  // Wide enough for the longest label; fmt pads by characters, so UTF-8 continuation bytes of
  // operator names do not count.
  std::size_t width = 34;
  for (const SummaryRow& row : rows) {
    const auto characters = static_cast<std::size_t>(std::count_if(
        row.label.begin(), row.label.end(), [](char c) { return (c & 0xC0) != 0x80; }));
    width = std::max(width, characters + 2);
  }
  fmt::print("  {:<{}}{:>10}  {:>7}\n", "Indicator", width, "premises", "share");
  for (const SummaryRow& row : rows) {
    fmt::print("  {:<{}}{:>10}  {:>7}\n", row.label, width, row.premises, row.share);
  }
  fmt::print("\n");
  for (const notspot::outputs::QualityCheck& q : r.quality) {
    if (!q.passed) {
      fmt::print(
          "DATA QUALITY CHECK FAILED: {} is {:.4f}, above the limit {:.4f} ([quality] in "
          "the study file)\n",
          q.measure, q.value, q.limit);
      if (!q.explanation.empty()) fmt::print("  {}\n", q.explanation);
    }
  }
  if (!r.warnings.empty()) {
    fmt::print("{} warning(s); the first ones:\n", r.warnings.size());
    for (std::size_t i = 0; i < r.warnings.size() && i < 5; ++i) {
      fmt::print("  - {}\n", r.warnings[i].message);
    }
  }
  fmt::print("Outputs in {}: ", r.output_dir.string());
  for (const notspot::outputs::OutputRecord& o : r.outputs) fmt::print("{}, ", o.file);
  fmt::print("manifest.json ({:.1f} s)\n", r.timing.seconds);
}

// A study file named on the command line that does not exist is a usage error (exit 2); one
// that exists but cannot be read is an input error (exit 1).
notspot::study::Study load_study_argument(const std::string& study_file) {
  std::error_code ec;
  if (!std::filesystem::exists(study_file, ec)) {
    throw notspot::engine::usage_error("study file '" + study_file +
                                       "' does not exist; give the path of a study .toml file");
  }
  return notspot::study::load_study(study_file);
}

int run_command(const std::string& study_file, const std::optional<std::string>& out,
                const std::optional<std::string>& previous, int threads,
                notspot::cli::JsonLog* json) {
  const notspot::study::Study study = load_study_argument(study_file);
  // A progress line only on a terminal, and never inside a JSON log.
  const bool terminal = ::isatty(STDERR_FILENO) == 1;
  std::optional<notspot::cli::TerminalProgress> terminal_progress;
  std::optional<notspot::cli::JsonProgress> json_progress;
  if (json) {
    json_progress.emplace(*json);
  } else if (terminal) {
    terminal_progress.emplace(stderr);
  }

  notspot::study::RunOptions options;
  if (out) options.output_dir = std::filesystem::path(*out);
  if (previous) options.previous_dir = std::filesystem::path(*previous);
  options.threads = threads;
  options.progress = json_progress       ? static_cast<io::Progress*>(&*json_progress)
                     : terminal_progress ? static_cast<io::Progress*>(&*terminal_progress)
                                         : nullptr;
  if (json) notspot::cli::log_run_started(*json, study, options);
  // All parallel work runs in an arena of exactly `threads` threads.
  tbb::global_control limit(tbb::global_control::max_allowed_parallelism,
                            static_cast<std::size_t>(threads));
  tbb::task_arena arena(threads);
  notspot::outputs::RunRecord record;
  arena.execute([&] { record = notspot::study::run_study(study, options); });
  if (terminal_progress) terminal_progress->finish();
  const int exit_code = record.quality_passed() ? kSuccess : kQuality;
  if (json) {
    notspot::cli::log_run_finished(*json, study, record, exit_code);
  } else {
    print_summary(study, record);
  }
  return exit_code;
}

int validate_command(const std::string& study_file, notspot::cli::JsonLog* json) {
  const notspot::study::Study study = load_study_argument(study_file);
  const notspot::study::ValidationReport report = notspot::study::validate_study(study);
  const int exit_code = report.ok() ? kSuccess : report.study_problems.empty() ? kFailure : kUsage;
  if (json) {
    notspot::cli::log_validation(*json, study_file, report, exit_code);
    return exit_code;
  }
  for (const std::string& note : report.notes) fmt::print("ok: {}\n", note);
  for (const std::string& p : report.study_problems) fmt::print(stderr, "problem: {}\n", p);
  for (const std::string& p : report.input_problems) fmt::print(stderr, "problem: {}\n", p);
  if (report.ok()) {
    fmt::print("{} is ready to run.\n", study_file);
  } else {
    fmt::print(stderr, "{}: {} problem(s) found.\n", study_file,
               report.study_problems.size() + report.input_problems.size());
  }
  return exit_code;
}

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

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "notspot: digital connectivity coverage analysis.\n"
      "Assigns premises to areas (parishes) and computes broadband indicators per area.",
      "notspot"};
  app.set_version_flag("--version", std::string("notspot ") + notspot::outputs::kVersion);
  app.require_subcommand(1);
  app.footer(
      "Exit codes: 0 success; 1 failure; 2 usage or study-file error; 3 data-quality "
      "threshold exceeded (outputs written, marked as failing).");

  std::string study_file;
  std::optional<std::string> out_dir;
  std::optional<std::string> previous_dir;
  int threads = static_cast<int>(tbb::info::default_concurrency());
  CLI::App* run = app.add_subcommand("run", "Run a study and publish its outputs atomically");
  run->add_option("study", study_file, "Study file (TOML)")->required();
  run->add_option("--out", out_dir, "Outputs folder (default: [outputs] dir of the study)");
  run->add_option("--previous", previous_dir,
                  "An earlier run's outputs folder: report changes against it (default: "
                  "[outputs] previous of the study)");
  run->add_option("--threads", threads, "Threads to use (default: all cores)")
      ->check(CLI::Range(1, 1024));

  std::string validate_file;
  CLI::App* validate = app.add_subcommand(
      "validate", "Check a study's files, layers, columns and CRSs without computing");
  validate->add_option("study", validate_file, "Study file (TOML)")->required();

  // Read before parsing (asks_for_json_log); declared here so that --help lists it.
  std::string log_format = "text";
  for (CLI::App* command : {run, validate}) {
    command
        ->add_option("--log-format", log_format,
                     "text (default): a summary for people; json: one JSON object per line on "
                     "stdout, for batch jobs (docs/logging.md)")
        ->check(CLI::IsMember({"text", "json"}));
  }

  std::optional<notspot::cli::JsonLog> json;
  if (asks_for_json_log(argc, argv)) json.emplace(stdout);
  const auto fail = [&](std::string_view kind, const std::string& message, int exit_code) {
    std::cout.flush();
    if (json) {
      notspot::cli::log_error(*json, kind, message, exit_code);
    } else {
      fmt::print(stderr, "notspot: {}: {}\n", kind == "internal" ? "internal error" : "error",
                 message);
    }
    return exit_code;
  };

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (json && e.get_exit_code() != 0) {
      return fail("usage", std::string(e.what()) + "; see notspot --help", kUsage);
    }
    const int code = app.exit(e);
    return code == 0 ? kSuccess : kUsage;
  }
  notspot::cli::JsonLog* log = json ? &*json : nullptr;

  try {
    if (*run) return run_command(study_file, out_dir, previous_dir, threads, log);
    return validate_command(validate_file, log);
  } catch (const Error& e) {
    return fail(notspot::cli::kind_name(e.kind()), e.what(), exit_code_for(e.kind()));
  } catch (const std::exception& e) {
    return fail("internal", std::string(e.what()) + "; please report it", kFailure);
  }
}
