// libFuzzer target: the attribute-layer readers (fixed speeds, BDUK premises, Ofcom
// postcode-level percentages) joined to a few premises. Any input must join or give a
// notspot::engine::Error, never a crash, and the layer's row ledger must balance.

#include <cstdlib>
#include <vector>

#include "fuzz_input.hpp"
#include "notspot/engine/error.hpp"
#include "notspot/engine/indicators.hpp"
#include "notspot/engine/postcode.hpp"
#include "notspot/engine/premises_key_index.hpp"
#include "notspot/io/broadband_reader.hpp"
#include "notspot/io/postcode_layer.hpp"

namespace {

const std::vector<std::uint64_t> kIds = {1, 2, 2, 5, 100000000001, 18446744073709551615u};

void join_fixed(notspot::io::LayerSource& layer) {
  static const notspot::engine::PremisesKeyIndex keys(kIds);
  std::vector<notspot::engine::FixedBroadband> broadband(kIds.size());
  notspot::io::ProblemLog log;
  notspot::io::Progress progress;
  const notspot::io::LayerLoad load = notspot::io::join_fixed_broadband(
      layer, notspot::engine::Thresholds{}, "layer.csv", keys, broadband, log, progress);
  if (load.rows_read != load.matched + load.unmatched + load.duplicate_keys + load.rejected) {
    std::abort();  // a lost row
  }
}

void join_postcodes(notspot::io::LayerSource& layer) {
  static const notspot::engine::PremisesTable premises = [] {
    notspot::engine::PremisesTable t;
    t.enable_postcodes();
    const char* postcodes[] = {"DT1 1AA", "DT11AA", "BA21 5BT", "", "DT2 2BB", "EC1A 1BB"};
    for (std::size_t i = 0; i < std::size(postcodes); ++i) {
      t.push_back(kIds[i], 0, 0, i + 2, notspot::engine::postcode_key(postcodes[i]).value_or(0));
    }
    return t;
  }();
  notspot::io::ProblemLog log;
  notspot::io::Progress progress;
  const notspot::io::PostcodeLayerLoad load =
      notspot::io::join_ofcom_postcodes(layer, "ofcom.csv", premises, log, progress);
  const bool rows_balance = load.rows_read == load.rates.size() + load.rejected &&
                            load.rates.size() == load.postcodes + load.duplicate_keys;
  const bool premises_balance =
      load.premises_with_row + load.premises_without_postcode + load.premises_postcode_not_found ==
      premises.size();
  if (!rows_balance || !premises_balance) std::abort();  // a lost row or premise
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  // The first byte picks the layer kind (0 speeds, 1 BDUK, 2 Ofcom, modulo 3), the rest is the
  // file.
  const notspot::fuzz::InputFile file(data + 1, size - 1, ".csv");
  notspot::io::LayerSource layer;
  layer.name = "fuzz";
  layer.path = file.path();
  try {
    switch (data[0] % 3) {
      case 0:
        layer.kind = notspot::io::LayerKind::kFixedSpeeds;
        join_fixed(layer);
        break;
      case 1:
        layer.kind = notspot::io::LayerKind::kBdukPremises;
        join_fixed(layer);
        break;
      default:
        layer.kind = notspot::io::LayerKind::kOfcomPostcode;
        layer.key_field = "postcode";
        join_postcodes(layer);
    }
  } catch (const notspot::engine::Error&) {
  }
  return 0;
}
