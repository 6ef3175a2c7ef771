// libFuzzer target: the premises CSV reader (the fast path every run takes). Any input must
// end in premises or a notspot::engine::Error, never a crash, and the row ledger must balance.

#include <cstdlib>

#include "fuzz_input.hpp"
#include "notspot/engine/error.hpp"
#include "notspot/io/crs.hpp"
#include "notspot/io/premises_reader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const notspot::io::Crs bng = notspot::io::Crs::from_definition("EPSG:27700", "fuzz");
  const notspot::fuzz::InputFile file(data, size, ".csv");
  notspot::io::PremisesSource source;
  source.path = file.path();
  notspot::io::ProblemLog log;
  notspot::io::Progress progress;
  try {
    const notspot::io::PremisesLoad load =
        notspot::io::read_premises(source, bng, "premises.csv", log, progress);
    if (load.rows_read != load.table.size() + load.rejected) std::abort();  // a lost row
  } catch (const notspot::engine::Error&) {
    // A clear refusal is a correct answer to bad input.
  }
  return 0;
}
