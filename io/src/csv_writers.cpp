#include "notspot/io/csv_writers.hpp"

#include <fmt/format.h>

#include <cmath>
#include <cstdio>
#include <memory>

#include "notspot/engine/error.hpp"
#include "notspot/io/csv.hpp"

namespace notspot::io {
namespace {

// A buffered output file that reports write errors (disk full) instead of losing them.
class OutputFile {
 public:
  explicit OutputFile(const std::filesystem::path& path)
      : path_(path), file_(std::fopen(path.c_str(), "wb")) {
    if (!file_) throw engine::input_error("cannot create " + path.string());
  }
  void write(std::string_view text) {
    buffer_.append(text);
    if (buffer_.size() > (1 << 20)) flush();
  }
  void close() {
    flush();
    if (std::fclose(file_.release()) != 0) {
      throw engine::input_error("cannot write " + path_.string() + " (disk full?)");
    }
  }

 private:
  void flush() {
    if (!buffer_.empty() &&
        std::fwrite(buffer_.data(), 1, buffer_.size(), file_.get()) != buffer_.size()) {
      throw engine::input_error("cannot write " + path_.string() + " (disk full?)");
    }
    buffer_.clear();
  }
  struct Closer {
    void operator()(std::FILE* f) const noexcept { std::fclose(f); }
  };
  std::filesystem::path path_;
  std::unique_ptr<std::FILE, Closer> file_;
  std::string buffer_;
};

}  // namespace

std::string format_percentage(double value) {
  return std::isnan(value) ? std::string() : fmt::format("{:.2f}", value);
}

std::vector<std::string> parish_stats_columns() {
  std::vector<std::string> columns = {"level", "area_id", "area_name", "premises"};
  for (const engine::IndicatorInfo& info : engine::indicator_catalogue()) {
    columns.emplace_back(info.column);
    columns.push_back(std::string(info.column) + "_pct");
  }
  return columns;
}

void write_parish_stats_csv(const std::filesystem::path& path, std::span<const Area> areas,
                            std::span<const engine::AreaCounts> counts,
                            const engine::AreaCounts& study_total, const std::string& study_name) {
  OutputFile out(path);
  std::string line;
  for (const std::string& c : parish_stats_columns()) line += (line.empty() ? "" : ",") + c;
  out.write(line + "\n");
  auto row = [&](std::string_view level, std::string_view id, std::string_view name,
                 const engine::AreaCounts& c) {
    std::string text =
        fmt::format("{},{},{},{}", level, csv_escape(id), csv_escape(name), c.premises);
    for (std::size_t i = 0; i < engine::kIndicatorCount; ++i) {
      text += fmt::format(",{},{}", c.counts[i],
                          format_percentage(engine::percentage(c.counts[i], c.premises)));
    }
    out.write(text + "\n");
  };
  for (std::size_t a = 0; a < areas.size(); ++a) row("area", areas[a].id, areas[a].name, counts[a]);
  row("study", "", study_name, study_total);
  out.close();
}

void write_rejected_csv(const std::filesystem::path& path, std::span<const RejectedRow> rows) {
  OutputFile out(path);
  out.write("source,file,line,feature,reason,record\n");
  for (const RejectedRow& r : rows) {
    out.write(fmt::format("{},{},{},{},{},{}\n", csv_escape(r.source), csv_escape(r.file),
                          r.line == 0 ? std::string() : std::to_string(r.line),
                          r.feature ? std::to_string(*r.feature) : std::string(),
                          csv_escape(r.reason), csv_escape(r.record)));
  }
  out.close();
}

}  // namespace notspot::io
