#include "notspot/cli/summary.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>

#include "notspot/outputs/stats_table.hpp"
#include "notspot/outputs/version.hpp"
#include "terminal_text.hpp"

namespace notspot::cli {

namespace {

std::string thousands(std::uint64_t n) {
  const std::string digits = std::to_string(n);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

}  // namespace

std::vector<SummaryRow> summary_rows(const outputs::RunRecord& r) {
  std::vector<SummaryRow> rows;
  const outputs::ColumnCatalogue& columns = r.table.columns;
  const std::vector<outputs::Cell>& study_row = r.table.rows.back();
  for (const outputs::Measure& m : columns.measures()) {
    if (!m.summary) continue;
    // Indicators without their source layer are not measured: left out, not printed as 0.
    const std::size_t first = m.value ? *m.value : *m.share;
    if (!columns[first].measured) continue;
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

void print_summary(const study::Study& study, const outputs::RunRecord& r) {
  const auto& t = r.study_total;
  const outputs::PremisesLedger& p = r.premises;
  const std::size_t areas = r.areas.count;
  say(stdout, "notspot {}: {}\n\n", outputs::kVersion,
      terminal_text(study.name, Newlines::kEscape));
  say(stdout, "Premises read {}: assigned {} to {} areas, outside every area {}, rejected {}\n\n",
      thousands(p.read), thousands(p.assigned), areas, thousands(p.outside), thousands(p.rejected));
  say(stdout, "Study total: {} premises in {} areas\n", thousands(t.premises), areas);
  const std::vector<SummaryRow> rows = summary_rows(r);
  // Wide enough for the longest label; fmt pads by characters, so UTF-8 continuation bytes of
  // operator names do not count.
  std::size_t width = 34;
  for (const SummaryRow& row : rows) {
    const auto characters = static_cast<std::size_t>(std::count_if(
        row.label.begin(), row.label.end(), [](char c) { return (c & 0xC0) != 0x80; }));
    width = std::max(width, characters + 2);
  }
  say(stdout, "  {:<{}}{:>10}  {:>7}\n", "Indicator", width, "premises", "share");
  for (const SummaryRow& row : rows) {
    say(stdout, "  {:<{}}{:>10}  {:>7}\n", row.label, width, row.premises, row.share);
  }
  say(stdout, "\n");
  for (const outputs::QualityCheck& q : r.quality) {
    if (!q.passed && q.always) {
      say(stdout, "DATA QUALITY CHECK FAILED: {} (always checked; no [quality] limit relaxes it)\n",
          q.name);
      say(stdout, "  {}\n", q.explanation);
    } else if (!q.passed) {
      say(stdout,
          "DATA QUALITY CHECK FAILED: {} is {:.4f}, above the limit {:.4f} ([quality] in "
          "the study file)\n",
          q.measure, q.value, q.limit);
      if (!q.explanation.empty()) say(stdout, "  {}\n", q.explanation);
    }
  }
  if (!r.warnings.empty()) {
    say(stdout, "{} warning(s); the first ones:\n", r.warnings.size());
    for (std::size_t i = 0; i < r.warnings.size() && i < 5; ++i) {
      // One line each: a newline in quoted data must not start a line of its own.
      say(stdout, "  - {}\n", terminal_text(r.warnings[i].message, Newlines::kEscape));
    }
  }
  say(stdout, "Outputs in {}: ", r.output_dir.string());
  for (const outputs::OutputRecord& o : r.outputs) say(stdout, "{}, ", o.file);
  say(stdout, "manifest.json ({:.1f} s)\n", r.timing.seconds);
  if (r.published_beside) {
    say(stdout,
        "This run failed a data-quality check, so it was published beside the previous outputs, "
        "in {}; the outputs folder {} was left as it was. To replace it with a failing run, set "
        "[quality] publish_failing = true or pass --publish-failing.\n",
        r.output_dir.string(), (r.output_dir.parent_path() / r.output_dir.stem()).string());
  }
}

}  // namespace notspot::cli
