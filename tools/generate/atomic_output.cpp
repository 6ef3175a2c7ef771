#include "atomic_output.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <system_error>

#include "notspot/engine/error.hpp"

namespace notspot::generate {

AtomicOutput::AtomicOutput(std::filesystem::path final_path) : final_path_(std::move(final_path)) {
  // The process id keeps two concurrent runs from writing the same temporary file.
  std::string name = ".";
  name += final_path_.stem().string();
  name += ".tmp";
  name += std::to_string(::getpid());
  name += final_path_.extension().string();
  temp_path_ = final_path_.parent_path() / name;
  std::error_code ignored;
  std::filesystem::remove(temp_path_, ignored);
}

AtomicOutput::~AtomicOutput() {
  if (!committed_) {
    std::error_code ignored;
    std::filesystem::remove(temp_path_, ignored);
  }
}

void AtomicOutput::commit() {
  std::error_code error;
  std::filesystem::rename(temp_path_, final_path_, error);
  if (error) {
    throw engine::input_error("cannot rename " + temp_path_.string() + " to " +
                              final_path_.string() + ": " + error.message());
  }
  committed_ = true;
}

void write_file_atomically(const std::filesystem::path& path, std::string_view contents) {
  AtomicOutput out(path);
  std::FILE* file = std::fopen(out.temp_path().c_str(), "wb");
  if (file == nullptr) {
    throw engine::input_error("cannot create " + out.temp_path().string() + ": " +
                              std::strerror(errno));
  }
  const std::size_t written = std::fwrite(contents.data(), 1, contents.size(), file);
  // fsync before rename: otherwise a crash right after the rename can publish an empty file.
  const bool flushed = std::fflush(file) == 0 && ::fsync(::fileno(file)) == 0;
  const bool closed = std::fclose(file) == 0;
  if (written != contents.size() || !flushed || !closed) {
    throw engine::input_error("cannot write " + out.temp_path().string() + ": " +
                              std::strerror(errno));
  }
  out.commit();
}

}  // namespace notspot::generate
