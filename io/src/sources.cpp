#include "notspot/io/sources.hpp"

#include <fmt/format.h>

namespace notspot::io {

std::string SourceLine::describe() const {
  if (line == 0) return file.string();
  return fmt::format("{}:{}", file.string(), line);
}

}  // namespace notspot::io
