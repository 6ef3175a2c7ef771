// A file that cannot be written is an output error (exit code 1, "output" in JSON logs), never
// an input error: a full disk is not the user's data being wrong. /dev/full accepts the open
// and fails every write with ENOSPC, as a full disk does.

#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <string>

#include "notspot/engine/error.hpp"
#include "notspot/outputs/change_report.hpp"
#include "notspot/outputs/column_catalogue.hpp"
#include "notspot/outputs/csv_writers.hpp"

namespace notspot::outputs {
namespace {

namespace fs = std::filesystem;

void expect_output_error(const std::function<void()>& write, const std::string& path) {
  try {
    write();
    FAIL() << "expected an output error for " << path;
  } catch (const engine::Error& e) {
    EXPECT_EQ(e.kind(), engine::ErrorKind::kOutput) << e.what();
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
  }
}

StatsTable one_row_table() {
  const std::string_view names[] = {"level", "premises"};
  StatsTable table;
  table.columns = ColumnCatalogue(CatalogueOptions{}).subset(names);
  table.rows.push_back({std::string("study"), std::uint64_t{3}});
  return table;
}

TEST(OutputErrors, FullDiskWhileWritingCsvIsAnOutputError) {
  if (!fs::exists("/dev/full")) GTEST_SKIP() << "no /dev/full";
  expect_output_error([] { write_stats_csv("/dev/full", one_row_table()); }, "/dev/full");
  const io::RejectedRow row{"premises", "p.csv", 2, std::nullopt, "bad", "x"};
  expect_output_error([&] { write_rejected_csv("/dev/full", std::span(&row, 1)); }, "/dev/full");
  ChangeReport report;
  report.comparable = false;
  report.reasons = {"thresholds differ"};
  expect_output_error([&] { write_changes_csv("/dev/full", report); }, "/dev/full");
}

TEST(OutputErrors, MissingFolderIsAnOutputErrorNamingTheFile) {
  const fs::path path = fs::temp_directory_path() / "notspot_no_such_folder" / "parish_stats.csv";
  expect_output_error([&] { write_stats_csv(path, one_row_table()); }, path.string());
  EXPECT_FALSE(fs::exists(path));
}

}  // namespace
}  // namespace notspot::outputs
