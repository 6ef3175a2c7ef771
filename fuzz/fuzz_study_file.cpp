// libFuzzer target: the study-file parser (TOML, schema, paths). Any input must load or give a
// notspot::engine::Error listing its problems, never a crash.

#include "fuzz_input.hpp"
#include "notspot/engine/error.hpp"
#include "notspot/study/study.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const notspot::fuzz::InputFile file(data, size, ".toml");
  try {
    (void)notspot::study::load_study(file.path());
  } catch (const notspot::engine::Error&) {
  }
  return 0;
}
