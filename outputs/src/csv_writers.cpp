#include "notspot/outputs/csv_writers.hpp"

#include <fmt/format.h>

#include <cmath>
#include <cstdio>
#include <memory>

#include "notspot/engine/error.hpp"
#include "notspot/io/csv.hpp"
#include "notspot/outputs/csv_text.hpp"

namespace notspot::outputs {
namespace {

// A buffered output file that reports write errors (disk full) instead of losing them.
class OutputFile {
 public:
  explicit OutputFile(const std::filesystem::path& path)
      : path_(path), file_(std::fopen(path.c_str(), "wb")) {
    if (!file_) throw engine::output_error("cannot create " + path.string());
  }
  void write(std::string_view text) {
    buffer_.append(text);
    if (buffer_.size() > (1 << 20)) flush();
  }
  void close() {
    flush();
    if (std::fclose(file_.release()) != 0) {
      throw engine::output_error("cannot write " + path_.string() + " (disk full?)");
    }
  }

 private:
  void flush() {
    if (!buffer_.empty() &&
        std::fwrite(buffer_.data(), 1, buffer_.size(), file_.get()) != buffer_.size()) {
      throw engine::output_error("cannot write " + path_.string() + " (disk full?)");
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

void write_stats_csv(const std::filesystem::path& path, const StatsTable& table) {
  OutputFile out(path);
  std::string line;
  for (const ColumnSpec& c : table.columns) {
    if (!line.empty()) line += ',';
    line += csv_text_field(c.name);
  }
  out.write(line + "\n");
  for (const std::vector<Cell>& row : table.rows) {
    line.clear();
    for (std::size_t i = 0; i < row.size(); ++i) {
      if (i > 0) line += ',';
      // Text columns (ids, names) are neutralised; numbers never are (see csv_text.hpp).
      const std::string cell = format_cell(row[i], table.columns[i]);
      line +=
          table.columns[i].kind == ColumnKind::kText ? csv_text_field(cell) : io::csv_escape(cell);
    }
    out.write(line + "\n");
  }
  out.close();
}

void write_rejected_csv(const std::filesystem::path& path, std::span<const io::RejectedRow> rows) {
  OutputFile out(path);
  out.write("source,file,line,feature,reason,record\n");
  for (const io::RejectedRow& r : rows) {
    out.write(fmt::format("{},{},{},{},{},{}\n", csv_text_field(r.source), csv_text_field(r.file),
                          r.line == 0 ? std::string() : std::to_string(r.line),
                          r.feature ? std::to_string(*r.feature) : std::string(),
                          csv_text_field(r.reason), csv_text_field(r.record)));
  }
  out.close();
}

}  // namespace notspot::outputs
