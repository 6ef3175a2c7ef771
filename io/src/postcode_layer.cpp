#include "notspot/io/postcode_layer.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "notspot/engine/error.hpp"
#include "notspot/io/csv.hpp"
#include "notspot/io/mapped_file.hpp"

namespace notspot::io {
namespace {

std::string layer_key(const LayerSource& layer) {
  return layer.where.describe() + " [[layers]] '" + layer.name + "'";
}

// The key column, and the column of each measure the file has.
struct PostcodeColumns {
  std::size_t key = 0;
  std::array<std::optional<std::size_t>, engine::kEstimateCount> measures;
};

PostcodeColumns resolve_columns(const LayerSource& layer, const CsvHeader& header,
                                const std::string& display) {
  const std::string key = layer_key(layer);
  PostcodeColumns columns;
  columns.key = header.require(layer.key_field, display, key + " key");
  bool any_measure = false;
  for (const engine::EstimateInfo& info : engine::estimate_catalogue()) {
    const auto column = header.find(std::string(info.ofcom_column));
    columns.measures[static_cast<std::size_t>(info.estimate)] = column;
    any_measure |= column.has_value();
  }
  if (!any_measure) {
    std::string known;
    for (const engine::EstimateInfo& info : engine::estimate_catalogue())
      known += (known.empty() ? "" : "; ") + std::string(info.ofcom_column);
    throw engine::study_error(display +
                              ": none of the Ofcom percentage columns notspot uses is "
                              "in the header (" +
                              key + "); expected some of: " + known);
  }
  return columns;
}

}  // namespace

std::string inspect_ofcom_postcodes(const LayerSource& layer, const std::string& display) {
  const std::vector<CsvFile> files = open_csv_files(layer.path, layer.member, display);
  const PostcodeColumns columns =
      resolve_columns(layer, files.front().header, files.front().display);
  std::size_t measures = 0;
  for (const auto& m : columns.measures) measures += m.has_value();
  double bytes = 0;
  for (const CsvFile& f : files) bytes += static_cast<double>(f.file.size());
  return fmt::format("layer '{}' (ofcom-postcode): {} ({:.1f} MB{}), {} of the {} measures",
                     layer.name, files.size() == 1 ? files.front().display : display, bytes / 1e6,
                     files.size() == 1 ? "" : fmt::format(", {} members", files.size()), measures,
                     engine::kEstimateCount);
}

PostcodeLayerLoad join_ofcom_postcodes(const LayerSource& layer, const std::string& display,
                                       const engine::PremisesTable& premises, ProblemLog& log,
                                       Progress& progress) {
  progress.stage("Joining " + layer.name);
  const std::string key = layer_key(layer);
  if (!premises.has_postcodes()) {
    throw engine::study_error(key +
                              ": an ofcom-postcode layer is joined by postcode, but the "
                              "premises have none; name the premises' postcode column with "
                              "postcode = \"...\" in [premises]");
  }
  PostcodeLayerLoad load;
  load.name = layer.name;
  load.file = display;

  // Several members of an archive (Ofcom's per-area files) are one table, in member order.
  const std::vector<CsvFile> files = open_csv_files(layer.path, layer.member, display);
  load.members = members_read(files);
  const CsvHeader& header = files.front().header;
  const PostcodeColumns columns = resolve_columns(layer, header, files.front().display);
  const std::size_t key_column = columns.key;
  const auto& measure_column = columns.measures;
  for (std::size_t m = 0; m < engine::kEstimateCount; ++m) {
    load.measures[m] = measure_column[m].has_value();
  }

  // Rows in file order; a repeated postcode keeps its first row.
  std::vector<std::pair<std::uint64_t, std::uint32_t>> keys;  // postcode, row
  RowTally tally;
  for (const CsvFile& csv : files) {
    const std::string& member_display = csv.display;
    const CsvChunk all{csv.rows, csv.first_row_line, 0, true, csv.rows.find('\0')};
    csv.file.check_unchanged(member_display);  // zeros read past a truncation are not binary data
    refuse_binary({all}, csv.rows, member_display);
    auto reject = [&](const CsvRow& row, std::string reason) {
      log.reject({layer.name, member_display, row.line, std::nullopt, std::move(reason),
                  ProblemLog::record(row.raw)});
    };
    const RowTally member_tally = for_each_row(all, header.size(), reject, [&](const CsvRow& row) {
      const auto postcode = engine::postcode_key(row.fields[key_column]);
      if (!postcode) {
        reject(row, fmt::format("{} '{}' is not a postcode", header.names()[key_column],
                                ProblemLog::field(row.fields[key_column])));
        return;
      }
      engine::PostcodeRates rates{};
      std::uint64_t blanks = 0;  // counted only if the row is kept
      for (std::size_t m = 0; m < engine::kEstimateCount; ++m) {
        if (!measure_column[m]) continue;
        const std::string_view cell = row.fields[*measure_column[m]];
        if (trim(cell).empty()) {
          ++blanks;  // Ofcom leaves a cell blank for zero
          continue;
        }
        const auto value = parse_double(cell);
        if (!value || !(*value >= 0 && *value <= 100)) {
          reject(row, fmt::format("{} '{}' is not a percentage (0 to 100)",
                                  header.names()[*measure_column[m]], ProblemLog::field(cell)));
          return;
        }
        rates[m] = std::llround(*value * 1e4);  // millionths of a premise per premise
      }
      load.blank_values += blanks;
      keys.emplace_back(*postcode, static_cast<std::uint32_t>(load.rates.size()));
      load.rates.push_back(rates);
    });
    csv.file.check_unchanged(member_display);
    tally.rows += member_tally.rows;
    tally.blank += member_tally.blank;
  }
  load.rows_read = tally.rows;
  load.blank_lines = tally.blank;
  load.rejected = log.rejected_count(layer.name);

  std::stable_sort(keys.begin(), keys.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::pair<std::uint64_t, std::uint32_t>> unique;
  for (std::size_t i = 0; i < keys.size(); ++i) {
    if (i > 0 && keys[i].first == keys[i - 1].first) {
      ++load.duplicate_keys;
      continue;
    }
    unique.push_back(keys[i]);
  }
  load.postcodes = unique.size();
  if (load.duplicate_keys > 0) {
    log.warn(layer.name, fmt::format("{}: {} rows repeat a postcode already seen; the first row "
                                     "was used",
                                     display, load.duplicate_keys));
  }

  std::vector<bool> row_used(load.rates.size(), false);
  load.row_of_premise.assign(premises.size(), engine::kNoRow);
  for (std::size_t i = 0; i < premises.size(); ++i) {
    const std::uint64_t postcode = premises.postcode[i];
    if (postcode == 0) {
      ++load.premises_without_postcode;
      continue;
    }
    const auto it =
        std::lower_bound(unique.begin(), unique.end(), postcode,
                         [](const auto& entry, std::uint64_t k) { return entry.first < k; });
    if (it == unique.end() || it->first != postcode) {
      ++load.premises_postcode_not_found;
      continue;
    }
    load.row_of_premise[i] = it->second;
    row_used[it->second] = true;
    ++load.premises_with_row;
  }
  for (const auto& [postcode, row] : unique) {
    (row_used[row] ? load.postcodes_with_premises : load.postcodes_without_premises) += 1;
  }
  if (load.premises_postcode_not_found > 0) {
    log.warn(layer.name, fmt::format("{}: {} premises have a postcode with no row in the file; "
                                     "they get no postcode-level estimates",
                                     display, load.premises_postcode_not_found));
  }
  return load;
}

}  // namespace notspot::io
