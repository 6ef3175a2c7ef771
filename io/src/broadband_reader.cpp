#include "notspot/io/broadband_reader.hpp"

#include <fmt/format.h>
#include <tbb/parallel_pipeline.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <memory>

#include "notspot/engine/error.hpp"
#include "notspot/engine/mobile_coverage.hpp"
#include "notspot/io/csv.hpp"
#include "notspot/io/mapped_file.hpp"

namespace notspot::io {

std::string layer_kind_name(LayerKind kind) {
  return kind == LayerKind::kBdukPremises ? "bduk-premises" : "fixed-speeds";
}

namespace {

// One parsed row, already matched to premises (in parallel): the sorted positions of its
// premises and the attributes it carries, ready to apply in file order.
struct ParsedRow {
  std::uint32_t first;  // sorted positions [first, first + count) of the row's premises
  std::uint32_t count;  // 0: the key matches no premise
  engine::FixedBroadband value;
};

struct ChunkResult {
  std::vector<ParsedRow> rows;
  std::vector<std::uint64_t> unmatched_examples;  // keys, the first few
  ProblemLog log;
  std::uint64_t read = 0;
  std::uint64_t blank = 0;
  std::uint64_t unmatched_count = 0;
};

std::optional<bool> parse_bool(std::string_view text) {
  const std::string v = ascii_lower(trim(text));
  if (v == "true" || v == "t" || v == "1" || v == "yes") return true;
  if (v == "false" || v == "f" || v == "0" || v == "no") return false;
  return std::nullopt;
}

std::optional<engine::SubsidyStatus> parse_status(std::string_view text) {
  const std::string v = ascii_lower(trim(text));
  if (v.empty()) return engine::SubsidyStatus::kUnknown;
  if (v == "gigabit white" || v == "white") return engine::SubsidyStatus::kWhite;
  if (v == "gigabit grey/black" || v == "gigabit grey" || v == "gigabit black" ||
      v == "grey/black" || v == "grey" || v == "black") {
    return engine::SubsidyStatus::kGreyBlack;
  }
  if (v == "gigabit under review" || v == "under review") {
    return engine::SubsidyStatus::kUnderReview;
  }
  return std::nullopt;
}

// Column positions of the fields a layer kind needs.
struct LayerColumns {
  std::size_t key = 0;
  std::size_t a = 0;  // bduk: subsidy_control_status; speeds: down
  std::size_t b = 0;  // bduk: current_gigabit; speeds: up
  std::size_t c = 0;  // speeds: technology
};

LayerColumns resolve_columns(const LayerSource& layer, const CsvHeader& header,
                             const std::string& display) {
  const std::string key = layer.where.describe() + " [[layers]] '" + layer.name + "'";
  LayerColumns col;
  col.key = header.require(layer.key_field, display, key + " key");
  if (layer.kind == LayerKind::kBdukPremises) {
    col.a = header.require("subsidy_control_status", display, key);
    col.b = header.require("current_gigabit", display, key);
  } else {
    col.a = header.require(layer.down_field, display, key + " down");
    col.b = header.require(layer.up_field, display, key + " up");
    col.c = header.require(layer.technology_field, display, key + " technology");
  }
  return col;
}

}  // namespace

std::string inspect_fixed_broadband(const LayerSource& layer, const std::string& display) {
  const std::vector<CsvFile> files = open_csv_files(layer.path, layer.member, display);
  resolve_columns(layer, files.front().header, files.front().display);
  double bytes = 0;
  for (const CsvFile& f : files) bytes += static_cast<double>(f.file.size());
  return fmt::format("layer '{}' ({}): {} ({:.1f} MB{})", layer.name, layer_kind_name(layer.kind),
                     files.size() == 1 ? files.front().display : display, bytes / 1e6,
                     files.size() == 1 ? "" : fmt::format(", {} members", files.size()));
}

LayerLoad join_fixed_broadband(const LayerSource& layer, const engine::Thresholds& thresholds,
                               const std::string& display, const engine::PremisesKeyIndex& premises,
                               std::span<engine::FixedBroadband> broadband, ProblemLog& log,
                               Progress& progress, std::size_t layer_number) {
  const auto layer_tag =
      static_cast<std::uint8_t>(std::min<std::size_t>(layer_number, engine::kNoLayer - 1));
  progress.stage("Joining " + layer.name);
  LayerLoad load;
  load.name = layer.name;
  load.kind = layer_kind_name(layer.kind);
  load.file = display;

  // Several members of an archive are one table: their chunks in member order.
  const std::vector<CsvFile> files = open_csv_files(layer.path, layer.member, display);
  load.members = members_read(files);
  const CsvFile& opened = files.front();
  const CsvHeader& header = opened.header;
  const bool bduk = layer.kind == LayerKind::kBdukPremises;
  const LayerColumns col = resolve_columns(layer, header, opened.display);
  std::vector<std::string> full_fibre;
  for (const std::string& t : thresholds.full_fibre_technologies)
    full_fibre.push_back(ascii_lower(t));

  std::vector<CsvChunk> chunks;
  std::vector<std::size_t> file_of_chunk;
  std::size_t total_bytes = 0;
  for (std::size_t f = 0; f < files.size(); ++f) {
    const CsvFile& file = files[f];
    const std::vector<CsvChunk> part =
        split_csv_rows(file.rows, file.first_row_line,
                       std::max<std::size_t>(1, file.rows.size() >> 22), &file.file);
    file.file.check_unchanged(file.display);  // zeros read past a truncation are not binary data
    refuse_binary(part, file.rows, file.display);
    chunks.insert(chunks.end(), part.begin(), part.end());
    file_of_chunk.insert(file_of_chunk.end(), part.size(), f);
    total_bytes += file.rows.size();
  }
  std::atomic<std::uint64_t> bytes_done{0};
  const std::string source = layer.name;

  // Chunks are parsed and matched in parallel, then applied in file order by one thread as
  // they come, so that the first row for a key wins whatever the thread count. A pipeline
  // holds only a few chunks' parsed rows at a time: buffering all of a national file's rows
  // (24 bytes each) would cost a gigabyte.
  auto parse_chunk = [&](std::size_t c) {
    auto result = std::make_unique<ChunkResult>();
    ChunkResult& out = *result;
    out.rows.reserve(chunks[c].line_ends + 1);
    std::size_t hint = 0;
    const CsvFile& file = files[file_of_chunk[c]];
    auto reject = [&](const CsvRow& row, std::string reason) {
      out.log.reject({source, file.display, row.line, std::nullopt, std::move(reason),
                      ProblemLog::record(row.raw)});
    };
    const RowTally tally = for_each_row(chunks[c], header.size(), reject, [&](const CsvRow& row) {
      const auto id = parse_uint64(row.fields[col.key]);
      if (!id) {
        reject(row, fmt::format("{} '{}' is not a whole number", header.names()[col.key],
                                ProblemLog::field(row.fields[col.key])));
        return;
      }
      ParsedRow parsed{0, 0, {}};
      if (bduk) {
        const auto status = parse_status(row.fields[col.a]);
        if (!status) {
          reject(row, fmt::format("subsidy_control_status '{}' is not one of Gigabit White, "
                                  "Gigabit Grey/Black, Gigabit Under Review",
                                  ProblemLog::field(row.fields[col.a])));
          return;
        }
        const auto gigabit = parse_bool(row.fields[col.b]);
        if (!gigabit) {
          reject(row, fmt::format("current_gigabit '{}' is not true or false", ProblemLog::field(row.fields[col.b])));
          return;
        }
        parsed.value.has_bduk_record = true;
        parsed.value.subsidy = *status;
        parsed.value.current_gigabit = *gigabit;
      } else {
        const auto down = parse_double(row.fields[col.a]);
        const auto up = parse_double(row.fields[col.b]);
        if (!down || !up || !std::isfinite(*down) || !std::isfinite(*up) || *down < 0 || *up < 0) {
          const bool down_bad = !down || !std::isfinite(*down) || *down < 0;
          const std::size_t at = down_bad ? col.a : col.b;
          reject(row, fmt::format("{} '{}' is not a speed (a number of Mbit/s, 0 or more)",
                                  header.names()[at], ProblemLog::field(row.fields[at])));
          return;
        }
        parsed.value.has_speed_record = true;
        parsed.value.down_mbps = static_cast<float>(*down);
        parsed.value.up_mbps = static_cast<float>(*up);
        const std::string_view technology = trim(row.fields[col.c]);
        parsed.value.full_fibre =
            std::any_of(full_fibre.begin(), full_fibre.end(), [&](const std::string& t) {
              return t.size() == technology.size() &&
                     std::equal(t.begin(), t.end(), technology.begin(), [](char a, char b) {
                       return a == (b >= 'A' && b <= 'Z' ? static_cast<char>(b - 'A' + 'a') : b);
                     });
            });
      }
      // Match now, in parallel: searching forward from the previous match makes a sorted
      // layer cost O(1) a row.
      const engine::PremisesKeyIndex::Match match = premises.find(*id, hint);
      if (match.empty()) {
        ++out.unmatched_count;
        if (out.unmatched_examples.size() < 5) out.unmatched_examples.push_back(*id);
      } else {
        hint = match.first;
      }
      parsed.first = static_cast<std::uint32_t>(match.first);
      parsed.count = static_cast<std::uint32_t>(match.last - match.first);
      out.rows.push_back(parsed);
    });
    out.read = tally.rows;
    out.blank = tally.blank;
    file.file.release(chunks[c].text);
    progress.advance(bytes_done += chunks[c].text.size(), total_bytes);
    return result;
  };

  engine::BitVector seen(broadband.size());
  std::uint64_t premises_with_row = 0;
  std::vector<std::uint64_t> unmatched_examples;
  std::vector<std::uint64_t> duplicate_examples;
  auto apply_chunk = [&](ChunkResult& r) {
    load.rows_read += r.read;
    load.blank_lines += r.blank;
    load.rejected += r.log.rejected().size();
    load.unmatched += r.unmatched_count;
    log.append(std::move(r.log));
    for (std::uint64_t key : r.unmatched_examples) {
      if (unmatched_examples.size() < 5) unmatched_examples.push_back(key);
    }
    for (const ParsedRow& row : r.rows) {
      if (row.count == 0) continue;  // unmatched, counted above
      if (seen.test(premises.premise(row.first))) {
        ++load.duplicate_keys;
        if (duplicate_examples.size() < 5) duplicate_examples.push_back(premises.id(row.first));
        continue;
      }
      ++load.matched;
      for (std::size_t k = row.first; k < row.first + row.count; ++k) {
        const std::uint32_t p = premises.premise(k);
        seen.set(p);
        ++premises_with_row;
        engine::FixedBroadband& b = broadband[p];
        if (bduk) {
          b.has_bduk_record = true;
          b.bduk_layer = layer_tag;
          b.subsidy = row.value.subsidy;
          b.current_gigabit = row.value.current_gigabit;
        } else {
          b.has_speed_record = true;
          b.speed_layer = layer_tag;
          b.down_mbps = row.value.down_mbps;
          b.up_mbps = row.value.up_mbps;
          b.full_fibre = row.value.full_fibre;
        }
      }
    }
  };

  std::size_t next_chunk = 0;
  tbb::parallel_pipeline(
      2 * static_cast<std::size_t>(tbb::this_task_arena::max_concurrency()),
      tbb::make_filter<void, std::size_t>(tbb::filter_mode::serial_in_order,
                                          [&](tbb::flow_control& control) -> std::size_t {
                                            if (next_chunk == chunks.size()) control.stop();
                                            return next_chunk++;
                                          }) &
          tbb::make_filter<std::size_t, std::shared_ptr<ChunkResult>>(
              tbb::filter_mode::parallel,
              [&](std::size_t c) { return std::shared_ptr<ChunkResult>(parse_chunk(c)); }) &
          tbb::make_filter<std::shared_ptr<ChunkResult>, void>(
              tbb::filter_mode::serial_in_order,
              [&](const std::shared_ptr<ChunkResult>& r) { apply_chunk(*r); }));
  for (const CsvFile& file : files) file.file.check_unchanged(file.display);
  load.key_column = header.names()[col.key];
  load.premises_with_row = premises_with_row;
  load.premises_without_row = broadband.size() - load.premises_with_row;

  auto list = [](const std::vector<std::uint64_t>& v) {
    std::string out;
    for (std::uint64_t x : v) out += (out.empty() ? "" : ", ") + std::to_string(x);
    return out;
  };
  if (load.unmatched > 0) {
    log.warn(source,
             fmt::format("{}: {} rows have a {} that matches no premise (e.g. {})", display,
                         load.unmatched, header.names()[col.key], list(unmatched_examples)));
  }
  if (load.duplicate_keys > 0) {
    log.warn(source, fmt::format("{}: {} rows repeat a {} already seen; the first row was used "
                                 "(e.g. {})",
                                 display, load.duplicate_keys, header.names()[col.key],
                                 list(duplicate_examples)));
  }
  return load;
}

}  // namespace notspot::io
