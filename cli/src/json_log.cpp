#include "notspot/cli/json_log.hpp"

#include <fmt/format.h>

#include <cmath>
#include <ctime>

#include "notspot/engine/indicators.hpp"
#include "notspot/outputs/version.hpp"

namespace notspot::cli {
namespace {

using Json = nlohmann::ordered_json;

std::string utc_now() {
  const auto now = std::chrono::system_clock::now();
  const std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  const auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch() %
                                                                            std::chrono::seconds(1))
                          .count();
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", utc.tm_year + 1900,
                     utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, millis);
}

// A share in percent, or null where it is undefined (no premises): JSON has no NaN.
Json percent_or_null(double pct) {
  return std::isnan(pct) ? Json(nullptr) : Json(std::round(pct * 100) / 100);
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t end = std::min(text.find('\n', start), text.size());
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

}  // namespace

void JsonLog::write(std::string_view level, std::string_view event, const Json& fields) {
  Json line{{"time", utc_now()}, {"level", level}, {"event", event}};
  for (const auto& [key, value] : fields.items()) line[key] = value;
  // Input text is escaped to valid UTF-8 upstream; "replace" keeps a stray byte from turning
  // the whole event into an exception.
  const std::string text = line.dump(-1, ' ', false, Json::error_handler_t::replace) + '\n';
  std::lock_guard lock(mutex_);
  std::fwrite(text.data(), 1, text.size(), out_);
  std::fflush(out_);
}

void JsonProgress::stage(std::string_view name) {
  const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start_;
  log_.write("info", "stage",
             {{"stage", name}, {"elapsed_seconds", std::round(elapsed.count() * 1000) / 1000}});
}

void log_run_started(JsonLog& log, const notspot::study::Study& study,
                     const notspot::study::RunOptions& options) {
  log.write("info", "run_started",
            {{"version", notspot::outputs::kVersion},
             {"study", study.name},
             {"study_file", study.file.string()},
             {"output_dir", options.output_dir.value_or(study.output_dir).string()},
             {"threads", options.threads}});
}

void log_run_finished(JsonLog& log, const notspot::study::Study& study,
                      const notspot::outputs::RunRecord& s, int exit_code) {
  for (const io::Warning& w : s.warnings) {
    log.write("warning", "warning", {{"source", w.source}, {"message", w.message}});
  }
  Json checks = Json::array();
  for (const notspot::outputs::QualityCheck& q : s.quality) {
    Json check{{"name", q.name}, {"value", q.value}, {"limit", q.limit}, {"passed", q.passed}};
    if (q.always) check.erase("limit");  // no [quality] key relaxes it
    if (q.always) check["always"] = true;
    if (!q.explanation.empty()) check["explanation"] = q.explanation;
    log.write(q.passed ? "info" : "warning", "quality_check", check);
    checks.push_back(std::move(check));
  }

  const engine::AreaCounts& t = s.study_total;
  Json indicators = Json::object();
  for (const engine::IndicatorInfo& info : engine::indicator_catalogue()) {
    const std::uint64_t n = t.count(info.indicator);
    const auto column = s.table.columns.find(info.column);
    if (column && !s.table.columns[*column].measured) {
      // No source layer: null, never a measured zero.
      indicators[std::string(info.column)] = {{"premises", nullptr}, {"pct", nullptr}};
      continue;
    }
    indicators[std::string(info.column)] = {
        {"premises", n}, {"pct", percent_or_null(engine::percentage(n, t.premises))}};
  }
  // The mobile and digital-exclusion headline figures of the study row, as the catalogue
  // labels them.
  Json mobile = Json::array();
  const std::vector<outputs::Cell>& study_row = s.table.rows.back();
  for (const outputs::Measure& measure : s.table.columns.measures()) {
    if (!measure.summary || measure.family == outputs::ColumnFamily::kFixedIndicator) continue;
    Json m{{"label", measure.label}, {"premises", nullptr}, {"pct", nullptr}};
    if (const auto* n =
            measure.value ? std::get_if<std::uint64_t>(&study_row[*measure.value]) : nullptr) {
      m["premises"] = *n;
    }
    if (const auto* pct =
            measure.share ? std::get_if<double>(&study_row[*measure.share]) : nullptr) {
      m["pct"] = percent_or_null(*pct);
    }
    mobile.push_back(std::move(m));
  }
  Json published = Json::array();
  for (const outputs::OutputRecord& o : s.outputs) published.push_back(o.file);
  published.push_back("manifest.json");
  log.write(exit_code == 0 ? "info" : "warning", "run_finished",
            {{"exit_code", exit_code},
             {"study", study.name},
             {"premises",
              {{"read", s.premises.read},
               {"assigned", s.premises.assigned},
               {"outside", s.premises.outside},
               {"rejected", s.premises.rejected}}},
             {"areas", s.areas.count},
             {"study_total", {{"premises", t.premises}, {"indicators", indicators}}},
             {"mobile", mobile},
             {"quality", {{"passed", s.quality_passed()}, {"checks", checks}}},
             {"warnings", s.warnings.size()},
             {"output_dir", s.output_dir.string()},
             {"published_beside", s.published_beside},
             {"outputs", published},
             {"seconds", std::round(s.timing.seconds * 1000) / 1000}});
}

void log_validation(JsonLog& log, const std::string& study_file,
                    const notspot::study::ValidationReport& report, int exit_code) {
  log.write(report.ok() ? "info" : "error", "validation",
            {{"exit_code", exit_code},
             {"study_file", study_file},
             {"ok", report.ok()},
             {"checked", report.notes},
             {"study_problems", report.study_problems},
             {"input_problems", report.input_problems}});
}

void log_error(JsonLog& log, std::string_view kind, const std::string& message, int exit_code) {
  Json fields{{"kind", kind}, {"message", message}, {"exit_code", exit_code}};
  if (message.find('\n') != std::string::npos) fields["problems"] = lines_of(message);
  log.write("error", "error", fields);
}

void log_interrupted(JsonLog& log, const std::string& message, int signal, int exit_code) {
  log.write("error", "interrupted",
            Json{{"message", message}, {"signal", signal}, {"exit_code", exit_code}});
}

std::string_view kind_name(engine::ErrorKind kind) {
  switch (kind) {
    case engine::ErrorKind::kUsage:
      return "usage";
    case engine::ErrorKind::kStudy:
      return "study";
    case engine::ErrorKind::kInput:
      return "input";
    case engine::ErrorKind::kOutput:
      return "output";
    case engine::ErrorKind::kInternal:
      return "internal";
  }
  return "internal";
}

}  // namespace notspot::cli
