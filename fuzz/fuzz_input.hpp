#pragma once

// Shared by the libFuzzer targets: the readers take files, so each input is written to a
// file in memory-backed /dev/shm (or the temporary folder) first.

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

namespace notspot::fuzz {

/// A file holding the fuzzer's input, named with `suffix` (e.g. ".csv"), removed at scope end.
class InputFile {
 public:
  InputFile(const std::uint8_t* data, std::size_t size, const std::string& suffix) {
    const std::filesystem::path dir = std::filesystem::exists("/dev/shm")
                                          ? std::filesystem::path("/dev/shm")
                                          : std::filesystem::temp_directory_path();
    path_ = dir / ("notspot_fuzz_" + std::to_string(::getpid()) + suffix);
    std::ofstream out(path_, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  ~InputFile() {
    std::error_code ignored;
    std::filesystem::remove(path_, ignored);
  }
  InputFile(const InputFile&) = delete;
  InputFile& operator=(const InputFile&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace notspot::fuzz
