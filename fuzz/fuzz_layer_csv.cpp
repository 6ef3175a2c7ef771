// libFuzzer target: the attribute-layer readers (fixed speeds, BDUK premises) joined to a few
// premises. Any input must join or give a notspot::engine::Error, never a crash, and the
// layer's row ledger must balance.

#include <cstdlib>
#include <vector>

#include "fuzz_input.hpp"
#include "notspot/engine/error.hpp"
#include "notspot/engine/indicators.hpp"
#include "notspot/io/broadband_reader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  static const std::vector<std::uint64_t> ids = {1, 2, 2, 5, 100000000001, 18446744073709551615u};
  static const notspot::io::PremisesKeyIndex keys(ids);
  // The first byte picks the layer kind, the rest is the file.
  const bool bduk = (data[0] & 1) != 0;
  const notspot::fuzz::InputFile file(data + 1, size - 1, ".csv");
  notspot::io::LayerSource layer;
  layer.kind = bduk ? notspot::io::LayerKind::kBdukPremises : notspot::io::LayerKind::kFixedSpeeds;
  layer.name = "fuzz";
  layer.path = file.path();
  std::vector<notspot::engine::FixedBroadband> broadband(ids.size());
  notspot::io::ProblemLog log;
  notspot::io::Progress progress;
  try {
    const notspot::io::LayerLoad load = notspot::io::join_fixed_broadband(
        layer, notspot::engine::Thresholds{}, "layer.csv", keys, broadband, log, progress);
    if (load.rows_read != load.matched + load.unmatched + load.duplicate_keys + load.rejected) {
      std::abort();  // a lost row
    }
  } catch (const notspot::engine::Error&) {
  }
  return 0;
}
