// The attribute layers: fixed broadband joined by UPRN, Ofcom's postcode-level percentages
// joined by postcode, and the estimates made from the latter.

#include "layer_kinds.hpp"
#include "stages.hpp"

namespace notspot::study {
namespace {

outputs::InputRecord layer_input(const Run& run, const io::LayerSource& layer, std::uint64_t rows) {
  outputs::InputRecord input;
  input.role = "layer";
  input.name = layer.name;
  input.kind = std::string(layer_kind_info(layer.kind).name);
  input.file = run.display(layer.path);
  input.rows = rows;
  input.as_at = layer.as_at;
  return input;
}

outputs::FixedLayerLedger fixed_ledger(const io::LayerLoad& l) {
  return {l.name,
          l.file,
          l.key_column,
          l.rows_read,
          l.matched,
          l.unmatched,
          l.duplicate_keys,
          l.rejected,
          l.blank_lines,
          l.premises_with_row,
          l.premises_without_row};
}

outputs::PostcodeLayerLedger postcode_ledger(const io::PostcodeLayerLoad& p) {
  return {p.name,
          p.file,
          p.rows_read,
          p.postcodes,
          p.duplicate_keys,
          p.rejected,
          p.blank_lines,
          p.blank_values,
          p.postcodes_with_premises,
          p.postcodes_without_premises,
          p.premises_with_row,
          p.premises_without_postcode,
          p.premises_postcode_not_found};
}

}  // namespace

void join_layers(Run& run) {
  run.broadband.resize(run.premises.table.size());
  std::vector<outputs::InputRecord> fixed_inputs, postcode_inputs;
  std::vector<std::filesystem::path> fixed_paths, postcode_paths;
  for (const io::LayerSource& layer : run.study.layers) {
    const std::string file = run.display(layer.path);
    switch (layer_kind_info(layer.kind).family) {
      case LayerFamily::kFixedBroadband: {
        const io::LayerLoad load =
            io::join_fixed_broadband(layer, run.study.thresholds, file, *run.keys, run.broadband,
                                     run.log, run.progress, run.record.fixed_layers.size());
        fixed_inputs.push_back(layer_input(run, layer, load.rows_read));
        fixed_inputs.back().members = load.members;
        fixed_paths.push_back(layer.path);
        run.record.fixed_layers.push_back(fixed_ledger(load));
        break;
      }
      case LayerFamily::kPostcode:
        run.postcode_layers.push_back(
            io::join_ofcom_postcodes(layer, file, run.premises.table, run.log, run.progress));
        postcode_inputs.push_back(layer_input(run, layer, run.postcode_layers.back().rows_read));
        postcode_inputs.back().members = run.postcode_layers.back().members;
        postcode_paths.push_back(layer.path);
        run.record.postcode_layers.push_back(postcode_ledger(run.postcode_layers.back()));
        break;
      case LayerFamily::kMobileCoverage:
        break;  // the mobile stage
    }
  }
  // The manifest lists the fixed-broadband layers, then the postcode layers.
  for (auto* inputs : {&fixed_inputs, &postcode_inputs}) {
    run.record.inputs.insert(run.record.inputs.end(), inputs->begin(), inputs->end());
  }
  for (auto* paths : {&fixed_paths, &postcode_paths}) {
    run.input_paths.insert(run.input_paths.end(), paths->begin(), paths->end());
  }
  run.time_stage("join_layers");
}

// Ofcom publishes one file per postcode area, so several layers combine: a premise takes the
// row of the first layer that has its postcode.
void estimate_from_postcodes(Run& run) {
  detail::StudyFigures& figures = run.figures;
  if (!run.postcode_layers.empty()) {
    std::vector<engine::PostcodeRates> rates;
    std::vector<std::uint32_t> row_of(run.premises.table.size(), engine::kNoRow);
    figures.estimate_measures.fill(true);
    for (const io::PostcodeLayerLoad& p : run.postcode_layers) {
      const auto offset = static_cast<std::uint32_t>(rates.size());
      rates.insert(rates.end(), p.rates.begin(), p.rates.end());
      for (std::size_t i = 0; i < row_of.size(); ++i) {
        if (row_of[i] == engine::kNoRow && p.row_of_premise[i] != engine::kNoRow) {
          row_of[i] = p.row_of_premise[i] + offset;
        }
      }
      for (std::size_t m = 0; m < engine::kEstimateCount; ++m) {
        figures.estimate_measures[m] = figures.estimate_measures[m] && p.measures[m];
      }
    }
    figures.estimates =
        engine::estimate_by_area(run.area_of, row_of, rates, run.areas.areas.size());
  }
  run.time_stage("postcode_estimates");
}

}  // namespace notspot::study
